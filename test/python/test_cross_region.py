"""A stack in eu-west-1: the edge function and its role go to a support stack in us-east-1 (as
with cloudfront.experimental.EdgeFunction); the config injection, the callback registration and
the association stay in the user's stack."""

import pytest
from aws_cdk import Environment, Stack, Stage

from cdk_cognito_edge_auth import CognitoEdgeAuth

from conftest import (
    ACCOUNT,
    BEHAVIORS,
    CALLBACK_URLS_TYPE,
    CONFIG_TYPE,
    EDGE_ROLE,
    CreatedCognito,
    created_site,
    edge_config,
    edge_function,
    edge_stack,
    make_distribution,
    new_stack,
    only_resource,
    template,
    viewer_request_paths,
)
from aws_cdk.assertions import Match


@pytest.fixture(scope="module")
def site():
    site = created_site("eu-west-1")
    site.support = edge_stack(site.stack)
    site.edge_t = template(site.support)
    return site


def test_support_stack_is_in_us_east_1_in_the_same_account(site):
    assert site.support.stack_name == "Site-edge-auth-us-east-1"
    assert site.support.region == "us-east-1"
    assert site.support.account == ACCOUNT
    assert [s.stack_name for s in site.stack.dependencies] == [site.support.stack_name]


def test_support_stack_holds_only_the_edge_function_and_its_role(site):
    types = sorted(r["Type"] for r in site.edge_t.to_json()["Resources"].values())
    assert types == ["AWS::IAM::Policy", "AWS::IAM::Role", "AWS::Lambda::Function"]
    site.edge_t.has_resource_properties("AWS::IAM::Role", EDGE_ROLE)
    _, fn = edge_function(site.edge_t)
    assert fn["Properties"]["Runtime"] == "nodejs22.x"


def test_users_stack_has_no_edge_function(site):
    assert site.t.find_resources("AWS::IAM::Role", {"Properties": Match.object_like(EDGE_ROLE)}) == {}
    # only the config injector runs in the user's region
    (fn,) = site.t.find_resources("AWS::Lambda::Function").values()
    assert fn["Properties"]["Timeout"] == 900


def test_config_finds_the_function_in_us_east_1_through_its_stack(site):
    fn_id, fn = edge_function(site.edge_t)
    assert "FunctionName" not in fn["Properties"]
    props = only_resource(site.t, CONFIG_TYPE)["Properties"]
    assert props["FunctionStackName"] == "Site-edge-auth-us-east-1"
    assert props["FunctionLogicalId"] == fn_id
    assert props["FunctionRegion"] == "us-east-1"
    # no cross-region reference: a literal name, no Fn::ImportValue
    assert "ImportValue" not in str(props)


def test_hosted_ui_domain_is_in_the_stacks_region(site):
    props = only_resource(site.t, CONFIG_TYPE)["Properties"]
    assert props["AuthDomain"]["Fn::Join"][1][-1] == ".auth.eu-west-1.amazoncognito.com"


def test_bundle_is_staged_in_the_users_region(site):
    props = only_resource(site.t, CONFIG_TYPE)["Properties"]
    assert props["BundleS3Bucket"] == f"cdk-hnb659fds-assets-{ACCOUNT}-eu-west-1"


def test_callback_registration_stays_in_the_users_stack(site):
    only_resource(site.t, CALLBACK_URLS_TYPE)
    assert site.edge_t.find_resources(CALLBACK_URLS_TYPE) == {}
    assert site.edge_t.find_resources(CONFIG_TYPE) == {}


def test_distribution_is_protected_on_every_behavior(site):
    assert viewer_request_paths(site.t) == sorted(["*", *BEHAVIORS])


def test_edge_config_is_the_same_as_in_us_east_1(site):
    assert edge_config(site.t)["callbackPath"] == "/_auth/callback"
    assert edge_config(site.t)["logLevel"] == "warn"


def test_the_app_synthesises_both_stacks(site):
    assembly = Stage.of(site.stack).synth()
    assert sorted((s.stack_name, s.environment.region) for s in assembly.stacks) == [
        ("Site", "eu-west-1"),
        ("Site-edge-auth-us-east-1", "us-east-1"),
    ]
    site_artifact = assembly.get_stack_by_name("Site")
    stack_dependencies = [d.id for d in site_artifact.dependencies if not d.id.endswith(".assets")]
    assert stack_dependencies == ["Site-edge-auth-us-east-1"]


def test_two_constructs_share_one_support_stack():
    stack = new_stack("eu-west-1")
    first = make_distribution(stack)
    cog = CreatedCognito(stack)
    CognitoEdgeAuth(stack, "Auth", distribution=first, **cog.props())
    from aws_cdk import aws_cloudfront as cloudfront
    from aws_cdk import aws_cloudfront_origins as origins

    second = cloudfront.Distribution(
        stack, "Second", default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("example.com"))
    )
    CognitoEdgeAuth(stack, "Auth2", distribution=second, **cog.props())
    template(stack)  # stack dependencies from construct dependencies exist once the app is synthesised
    (support,) = stack.dependencies
    edge_t = template(support)
    edge_t.resource_count_is("AWS::Lambda::Function", 2)
    tags = [str(f["Properties"]["Tags"]) for f in edge_t.find_resources("AWS::Lambda::Function").values()]
    assert len(set(tags)) == 2
    # one config injector for both
    template(stack).resource_count_is("AWS::Lambda::Function", 1)
    template(stack).resource_count_is(CONFIG_TYPE, 2)


def test_edge_stack_id_names_the_support_stack():
    stack = new_stack("eu-west-1")
    cog = CreatedCognito(stack)
    auth = CognitoEdgeAuth(stack, "Auth", distribution=make_distribution(stack), edge_stack_id="SiteEdgeFunctions", **cog.props())
    assert Stack.of(auth.edge_function).stack_name == "SiteEdgeFunctions"
    assert only_resource(template(stack), CONFIG_TYPE)["Properties"]["FunctionStackName"] == "SiteEdgeFunctions"


def test_edge_stack_takes_a_us_east_1_stack_of_the_user():
    stack = new_stack("eu-west-1")
    mine = Stack(stack.node.scope, "MyEdge", env=Environment(account=ACCOUNT, region="us-east-1"))
    cog = CreatedCognito(stack)
    auth = CognitoEdgeAuth(stack, "Auth", distribution=make_distribution(stack), edge_stack=mine, **cog.props())
    assert Stack.of(auth.edge_function) is mine or Stack.of(auth.edge_function).stack_name == "MyEdge"
    template(mine).resource_count_is("AWS::Lambda::Function", 1)
