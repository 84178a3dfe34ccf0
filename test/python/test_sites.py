"""The API for several sites and other distributions, from Python: the attributes (edge_lambda,
function_name, state_secret, logout_urls, the alias-only URLs), add_distribution for a
distribution the user attaches the function to, one instance per distribution, a distribution in
another stack, public_paths and groups_claim, and a pool in another region imported by id."""

import pytest
from aws_cdk import Environment, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins

from cdk_cognito_edge_auth import AddDistributionOptions, CognitoEdgeAuth

from conftest import (
    ACCOUNT,
    CALLBACK_URLS_TYPE,
    CONFIG_TYPE,
    CreatedCognito,
    edge_config,
    imported_cognito,
    make_distribution,
    new_stack,
    only_resource,
    template,
    untoken,
)


def test_attributes():
    stack = new_stack("eu-west-1")
    auth = CognitoEdgeAuth(stack, "Auth", distribution=make_distribution(stack, ["www.example.com"]),
                           sign_out_redirect_path="/bye", **imported_cognito(stack))
    assert auth.edge_lambda.event_type == cloudfront.LambdaEdgeEventType.VIEWER_REQUEST
    assert auth.edge_lambda.include_body is False
    # CloudFormation names the function: in eu-west-1 its name is read from the published version's ARN
    name = stack.resolve(auth.function_name)
    assert name["Fn::Select"][0] == 6 and name["Fn::Select"][1]["Fn::Split"][1]["Fn::GetAtt"][1] == "VersionArn"
    assert stack.resolve(auth.state_secret.secret_arn)["Ref"].startswith("AuthStateSecret")
    assert auth.alias_callback_urls == ["https://www.example.com/_auth/callback"]
    assert auth.alias_logout_urls == ["https://www.example.com/bye"]
    assert len(auth.callback_urls) == 2 and len(auth.logout_urls) == 2
    assert auth.logout_urls[1] == "https://www.example.com/bye"


def test_edge_lambda_on_another_distribution_registered_with_add_distribution():
    stack = new_stack("eu-west-1")
    auth = CognitoEdgeAuth(stack, "Auth", distribution=make_distribution(stack), **imported_cognito(stack))
    docs = cloudfront.Distribution(
        stack, "Docs",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin("docs-origin.example.com"),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            edge_lambdas=[auth.edge_lambda],
        ),
    )
    auth.add_distribution(docs, domain_names=["docs.example.com"])
    t = template(stack)
    assert edge_config(t)["aliases"] == ["docs.example.com"]
    urls = [untoken(u) for u in only_resource(t, CALLBACK_URLS_TYPE)["Properties"]["CallbackUrls"]]
    assert urls[2] == "https://docs.example.com/_auth/callback"
    assert urls[1].startswith("https://<GetAtt:Docs") and urls[1].endswith("/_auth/callback")
    assert isinstance(AddDistributionOptions(domain_names=["x.example.com"]), AddDistributionOptions)


def test_second_instance_on_the_same_distribution_is_refused():
    stack = new_stack("eu-west-1")
    distribution = make_distribution(stack)
    CognitoEdgeAuth(stack, "Auth", distribution=distribution, **imported_cognito(stack))
    cog = CreatedCognito(stack)
    with pytest.raises(RuntimeError, match=r"distribution Site/Distribution is already protected by the CognitoEdgeAuth at Site/Auth.*\(at Site/Again\)"):
        CognitoEdgeAuth(stack, "Again", distribution=distribution, **cog.props())


def test_distribution_in_another_stack_with_callback_registration_is_explained():
    stack = new_stack("eu-west-1")
    other = Stack(stack.node.root, "Cdn", env=Environment(account=ACCOUNT, region="eu-west-1"))
    with pytest.raises(RuntimeError, match=r"is in stack Cdn, the CognitoEdgeAuth in Site; with registerCallbackUrls the stacks would reference each other"):
        CognitoEdgeAuth(stack, "Auth", distribution=make_distribution(other), **imported_cognito(stack))


def test_public_paths_and_groups_claim_reach_the_configuration():
    stack = new_stack("eu-west-1")
    CognitoEdgeAuth(stack, "Auth", distribution=make_distribution(stack), **imported_cognito(stack),
                    public_paths=["/robots.txt", "/.well-known/*"], groups_claim="custom:roles", required_groups=["Reports.Read"])
    config = edge_config(template(stack))
    assert config["publicPaths"] == ["/robots.txt", "/.well-known/*"]
    assert config["groupsClaim"] == "custom:roles"
    assert config["requiredGroups"] == ["Reports.Read"]


def test_pool_in_another_region_imported_by_id():
    stack = new_stack("us-east-1")
    CognitoEdgeAuth(
        stack, "Auth", distribution=make_distribution(stack),
        user_pool=cognito.UserPool.from_user_pool_id(stack, "Pool", "eu-west-1_AbCdEf123"),
        user_pool_client=cognito.UserPoolClient.from_user_pool_client_id(stack, "Client", "1example23456789"),
        user_pool_domain=cognito.UserPoolDomain.from_domain_name(stack, "Domain", "my-prefix"),
    )
    t = template(stack)
    assert only_resource(t, CONFIG_TYPE)["Properties"]["AuthDomain"] == "https://my-prefix.auth.eu-west-1.amazoncognito.com"
    policies = t.find_resources("AWS::IAM::Policy")
    statements = [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]
    cognito_statement = next(s for s in statements if "cognito-idp:DescribeUserPoolClient" in str(s["Action"]))
    assert ":cognito-idp:eu-west-1:" in untoken(cognito_statement["Resource"])


def test_edge_log_retention_and_metrics():
    from aws_cdk import aws_logs as logs
    stack = new_stack("us-east-1")
    auth = CognitoEdgeAuth(stack, "Auth", distribution=make_distribution(stack), **imported_cognito(stack),
                           edge_log_retention=logs.RetentionDays.ONE_MONTH, edge_log_regions=["eu-west-1", "ap-northeast-1"])
    retentions = [r["Properties"] for r in template(stack).find_resources("Custom::LogRetention").values()]
    replica_group = stack.resolve(f"/aws/lambda/us-east-1.{auth.function_name}")
    assert "Ref" in str(replica_group)  # in us-east-1: the function's Ref
    replica_regions = sorted(p["LogGroupRegion"] for p in retentions if p["LogGroupName"] == replica_group)
    assert replica_regions == ["ap-northeast-1", "eu-west-1"]
    assert {p["RetentionInDays"] for p in retentions} == {30}
    metric = auth.metric_lambda_execution_errors()
    assert (metric.namespace, metric.metric_name, metric.region) == ("AWS/CloudFront", "LambdaExecutionError", "us-east-1")
    from aws_cdk import Duration
    replica = auth.metric_function_errors("eu-west-1", period=Duration.minutes(1), statistic="Average")
    assert replica.statistic == "Average" and replica.period.to_minutes() == 1
    assert replica.region == "eu-west-1"
    assert replica.dimensions == {"FunctionName": f"us-east-1.{auth.function_name}"}
