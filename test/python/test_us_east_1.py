"""A stack in us-east-1 with the Cognito resources created in it: the edge function lives in
the stack itself, next to the config injection and the callback registration."""

import json
import re

import pytest
from aws_cdk import Token
from aws_cdk.assertions import Match

from conftest import (
    ACCOUNT,
    BEHAVIORS,
    CALLBACK_URLS_TYPE,
    CONFIG_TYPE,
    EDGE_ROLE,
    created_site,
    edge_config,
    edge_function,
    edge_role,
    only_resource,
    viewer_request_associations,
    viewer_request_paths,
)


@pytest.fixture(scope="module")
def site():
    site = created_site("us-east-1", identity_provider="EntraID")
    site.config = only_resource(site.t, CONFIG_TYPE)
    site.fn_id, site.fn = edge_function(site.t)
    return site


# ---- the edge function and its role -----------------------------------------------------------


def test_edge_function_is_in_the_stack_itself(site):
    assert [s.stack_name for s in site.stack.dependencies] == []
    assert site.fn["Properties"]["Handler"] == "index.handler"


def test_edge_function_fits_the_viewer_request_limits(site):
    site.t.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": "index.handler",
            "Runtime": "nodejs22.x",
            "MemorySize": 128,
            "Timeout": 5,
            "Role": {"Fn::GetAtt": [edge_role(site.t)[0], "Arn"]},
            "Environment": Match.absent(),  # Lambda@Edge has no environment variables
        },
    )


def test_edge_function_is_named_by_cloudformation_and_tagged(site):
    # no fixed name: a function retained by an earlier destroy never blocks the next deploy
    assert "FunctionName" not in site.fn["Properties"]
    tags = {t["Key"]: t["Value"] for t in site.fn["Properties"]["Tags"]}
    assert re.fullmatch(r"SiteAuth[0-9A-F]{8}", tags["cdk-cognito-edge-auth:function"])


def test_edge_function_and_role_are_retained_by_default(site):
    _, role = edge_role(site.t)
    for resource in (site.fn, role):
        assert resource["DeletionPolicy"] == "Retain"
        assert resource["UpdateReplacePolicy"] == "Retain"


def test_role_is_trusted_by_lambda_and_edgelambda(site):
    site.t.has_resource_properties("AWS::IAM::Role", EDGE_ROLE)


def test_role_may_only_write_its_own_logs(site):
    role_id, role = edge_role(site.t)
    assert "Policies" not in role["Properties"]
    # the log permissions name the CloudFormation-named function: a policy of their own
    (policy,) = site.t.find_resources("AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": role_id}]}}).values()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = json.dumps(statement["Resource"])
    assert '/aws/lambda/us-east-1.", {"Ref": "%s"}, ":*"' % site.fn_id in resources
    assert "log-group:*" not in resources


# ---- deploy-time configuration ------------------------------------------------------------------


def test_config_custom_resource_wires_the_created_cognito_resources(site):
    props = site.config["Properties"]
    assert props["UserPoolId"] == site.stack.resolve(site.cognito.user_pool.user_pool_id)
    assert props["ClientId"] == site.stack.resolve(site.cognito.user_pool_client.user_pool_client_id)
    assert props["FunctionName"] == {"Ref": site.fn_id}
    assert props["FunctionRegion"] == "us-east-1"


def test_config_references_the_edge_function(site):
    # by reference, so CloudFormation also creates the function first
    assert site.config["Properties"]["FunctionName"] == {"Ref": site.fn_id}


def test_auth_domain_is_the_hosted_ui_base_url(site):
    domain_id = site.stack.resolve(site.cognito.user_pool_domain.domain_name)["Ref"]
    assert site.config["Properties"]["AuthDomain"] == {
        "Fn::Join": ["", ["https://", {"Ref": domain_id}, ".auth.us-east-1.amazoncognito.com"]]
    }


def test_state_secret_is_generated_and_referenced(site):
    secrets = site.t.find_resources("AWS::SecretsManager::Secret")
    assert len(secrets) == 1
    (secret_id, secret), = secrets.items()
    assert site.config["Properties"]["StateSecretArn"] == {"Ref": secret_id}
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32


def test_bundle_comes_from_the_assets_bucket(site):
    props = site.config["Properties"]
    assert props["BundleS3Bucket"] == f"cdk-hnb659fds-assets-{ACCOUNT}-us-east-1"
    assert props["BundleS3Key"].endswith(".zip")


def test_edge_config_defaults(site):
    assert edge_config(site.t) == {
        "identityProvider": "EntraID",
        "callbackPath": "/_auth/callback",
        "signOutPath": "/_auth/signout",
        "scopes": ["openid", "email", "profile"],
        "forwardAuthCookies": False,
        "logLevel": "warn",
    }


def test_edge_config_is_a_plain_json_string(site):
    # no tokens in it: a literal the config injector parses as it is
    assert isinstance(site.config["Properties"]["EdgeConfig"], str)
    json.loads(site.config["Properties"]["EdgeConfig"])


def test_one_config_provider_function_in_the_stack(site):
    functions = site.t.find_resources("AWS::Lambda::Function")
    assert len(functions) == 2  # the edge function and the config injector
    assert site.config["Properties"]["ServiceToken"]["Fn::GetAtt"][0] in functions


# ---- callback URLs --------------------------------------------------------------------------------


def test_callback_and_logout_urls_are_registered_on_the_client(site):
    dist_id = site.stack.resolve(site.distribution.distribution_domain_name)["Fn::GetAtt"][0]
    props = only_resource(site.t, CALLBACK_URLS_TYPE)["Properties"]
    assert props["UserPoolId"] == site.stack.resolve(site.cognito.user_pool.user_pool_id)
    assert props["ClientId"] == site.stack.resolve(site.cognito.user_pool_client.user_pool_client_id)
    domain = {"Fn::GetAtt": [dist_id, "DomainName"]}
    assert props["CallbackUrls"] == [{"Fn::Join": ["", ["https://", domain, "/_auth/callback"]]}]
    # sign-out lands on the signed-out page the edge function serves (no signOutLandingPath above)
    assert props["LogoutUrls"] == [{"Fn::Join": ["", ["https://", domain, "/_auth/signed-out"]]}]


# ---- the distribution ------------------------------------------------------------------------------


def test_every_behavior_is_protected_by_default(site):
    assert viewer_request_paths(site.t) == sorted(["*", *BEHAVIORS])


def test_associations_use_the_published_version(site):
    config_id = next(iter(site.t.find_resources(CONFIG_TYPE)))
    for path, associations in viewer_request_associations(site.t).items():
        assert associations == [
            {"EventType": "viewer-request", "IncludeBody": False, "LambdaFunctionARN": {"Fn::GetAtt": [config_id, "VersionArn"]}}
        ], path


def test_default_behavior_keeps_its_settings(site):
    site.t.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": Match.object_like(
                {
                    "DefaultCacheBehavior": Match.object_like(
                        {
                            "ViewerProtocolPolicy": "redirect-to-https",
                            "LambdaFunctionAssociations": [Match.object_like({"EventType": "viewer-request"})],
                        }
                    )
                }
            )
        },
    )


# ---- what Python code gets back -----------------------------------------------------------------


def test_edge_function_and_role_attributes(site):
    auth = site.auth
    assert site.stack.resolve(auth.edge_function.function_name) == {"Ref": site.fn_id}
    assert site.stack.resolve(auth.role.role_arn) == {"Fn::GetAtt": [edge_role(site.t)[0], "Arn"]}


def test_function_version_attribute_is_the_published_version(site):
    config_id = next(iter(site.t.find_resources(CONFIG_TYPE)))
    assert Token.is_unresolved(site.auth.function_version.function_arn)
    assert site.stack.resolve(site.auth.function_version.function_arn) == {"Fn::GetAtt": [config_id, "VersionArn"]}


def test_callback_urls_attribute_is_a_list_of_str(site):
    urls = site.auth.callback_urls
    assert isinstance(urls, list) and len(urls) == 1 and isinstance(urls[0], str)
    rendered = site.stack.resolve(urls)
    assert rendered == only_resource(site.t, CALLBACK_URLS_TYPE)["Properties"]["CallbackUrls"]


def test_construct_is_found_by_its_id(site):
    assert site.stack.node.find_child("Auth") is site.auth
