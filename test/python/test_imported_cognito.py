"""Cognito resources imported by id and name (UserPool.from_user_pool_id & co.) instead of
created in the stack: the configuration carries the literal ids."""

from types import SimpleNamespace

import pytest
from aws_cdk import aws_cognito as cognito

from cdk_cognito_edge_auth import CognitoEdgeAuth

from conftest import (
    ACCOUNT,
    CALLBACK_URLS_TYPE,
    CONFIG_TYPE,
    IMPORTED_CLIENT_ID,
    IMPORTED_DOMAIN,
    imported_pool_id,
    imported_cognito,
    make_distribution,
    new_stack,
    only_resource,
    template,
    untoken,
    viewer_request_paths,
)


@pytest.fixture(scope="module", params=["us-east-1", "eu-west-1"])
def site(request):
    stack = new_stack(request.param)
    distribution = make_distribution(stack)
    auth = CognitoEdgeAuth(stack, "Auth", distribution=distribution, **imported_cognito(stack))
    return SimpleNamespace(stack=stack, auth=auth, t=template(stack), region=request.param)


def test_ids_are_the_imported_literals(site):
    props = only_resource(site.t, CONFIG_TYPE)["Properties"]
    assert props["UserPoolId"] == imported_pool_id(site.region)
    assert props["ClientId"] == IMPORTED_CLIENT_ID


def test_auth_domain_is_built_from_the_domain_prefix(site):
    props = only_resource(site.t, CONFIG_TYPE)["Properties"]
    domain = untoken(props["AuthDomain"])
    # the hosted UI is in the user pool's region
    assert domain == f"https://{IMPORTED_DOMAIN}.auth.{site.region}.amazoncognito.com"


def test_no_cognito_resources_are_created(site):
    for type_ in ("AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolDomain"):
        site.t.resource_count_is(type_, 0)


def test_distribution_is_protected(site):
    assert "*" in viewer_request_paths(site.t)


def test_callback_urls_go_to_the_imported_client(site):
    props = only_resource(site.t, CALLBACK_URLS_TYPE)["Properties"]
    assert props["UserPoolId"] == imported_pool_id(site.region)
    assert props["ClientId"] == IMPORTED_CLIENT_ID


def test_config_injector_may_update_only_the_imported_pool(site):
    pool_arn = f"arn:{{partition}}:cognito-idp:{site.region}:{ACCOUNT}:userpool/{imported_pool_id(site.region)}"
    statements = [
        s
        for policy in site.t.find_resources("AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(a.startswith("cognito-idp:") for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    ]
    assert len(statements) == 1
    assert statements[0]["Action"] == ["cognito-idp:DescribeUserPoolClient", "cognito-idp:UpdateUserPoolClient"]
    resource = untoken(statements[0]["Resource"]).replace("<Ref:AWS::Partition>", "{partition}")
    assert resource == pool_arn


def test_imported_custom_domain_is_used_as_it_is():
    stack = new_stack("eu-west-1")
    cognito_props = imported_cognito(stack)
    cognito_props["user_pool_domain"] = cognito.UserPoolDomain.from_domain_name(stack, "Custom", "auth.example.com")
    CognitoEdgeAuth(stack, "Auth", distribution=make_distribution(stack), **cognito_props)
    assert only_resource(template(stack), CONFIG_TYPE)["Properties"]["AuthDomain"] == "https://auth.example.com"
