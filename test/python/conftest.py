"""Shared fixtures for the Python-bindings suite: the stacks a Python user would write.

Every test synthesises from Python through the jsii package installed from the wheel that
scripts/test-python.sh built, so what is exercised is exactly what PyPI users get.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Tuple

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import assertions
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

from cdk_cognito_edge_auth import CognitoEdgeAuth

ACCOUNT = "123456789012"
EDGE_REGION = "us-east-1"

CONFIG_TYPE = "Custom::CognitoEdgeAuthConfig"
CALLBACK_URLS_TYPE = "Custom::CognitoEdgeAuthCallbackUrls"

# The additional behaviors every test site has, besides the default one.
BEHAVIORS = ["/api/*", "/public/*", "/static/*"]


# ---- no network: synthesis never needs it ----------------------------------------------------


class RealNetworkTrafficError(AssertionError):
    pass


def _is_loopback(host: Any) -> bool:
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def _no_network():
    """Fail any attempt to open an internet socket to a non-loopback host (the jsii kernel talks
    to node over pipes, so it is unaffected)."""
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0] if isinstance(address, tuple) else address
            if not _is_loopback(host):
                raise RealNetworkTrafficError(f"test attempted real network traffic to {host!r}")

    def connect(sock, address):
        check(sock, address)
        return original_connect(sock, address)

    def connect_ex(sock, address):
        check(sock, address)
        return original_connect_ex(sock, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = original_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]


# ---- building blocks ---------------------------------------------------------------------------


def new_stack(region: Optional[str] = EDGE_REGION, stack_id: str = "Site") -> Stack:
    """A stack in its own app; region None means no env at all (environment-agnostic)."""
    app = App()
    env = Environment(account=ACCOUNT, region=region) if region else None
    return Stack(app, stack_id, env=env)


CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


def make_distribution(stack: Stack, domain_names: Optional[List[str]] = None) -> cloudfront.Distribution:
    """A distribution over a private bucket, with a default behavior and three more, and
    optionally alternate domain names (with an imported us-east-1 certificate)."""
    bucket = s3.Bucket(stack, "Content")
    origin = origins.S3BucketOrigin.with_origin_access_control(bucket)

    def behavior() -> cloudfront.BehaviorOptions:
        return cloudfront.BehaviorOptions(
            origin=origin, viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS
        )

    return cloudfront.Distribution(
        stack,
        "Distribution",
        default_behavior=behavior(),
        additional_behaviors={path: behavior() for path in BEHAVIORS},
        domain_names=domain_names,
        certificate=acm.Certificate.from_certificate_arn(stack, "Certificate", CERTIFICATE_ARN) if domain_names else None,
    )


def distribution_with_edge_lambda(
    stack: Stack, function_id: str, event_type: cloudfront.LambdaEdgeEventType
) -> cloudfront.Distribution:
    """A distribution over example.com whose default behavior already has a Lambda@Edge function
    of its own for event_type, one that passes on the request or response it is given."""
    passed_on = "request" if event_type.name.endswith("_REQUEST") else "response"
    fn = cloudfront.experimental.EdgeFunction(
        stack,
        function_id,
        runtime=lambda_.Runtime.NODEJS_22_X,
        handler="index.handler",
        code=lambda_.Code.from_inline(f"exports.handler = async (e) => e.Records[0].cf.{passed_on};"),
    )
    return cloudfront.Distribution(
        stack,
        "Distribution",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin("example.com"),
            edge_lambdas=[cloudfront.EdgeLambda(event_type=event_type, function_version=fn.current_version)],
        ),
    )


class CreatedCognito:
    """A user pool federated to an OIDC provider named EntraID, with an authorization-code
    client and a prefix domain, all created in the stack."""

    def __init__(self, stack: Stack) -> None:
        self.user_pool = cognito.UserPool(stack, "UserPool")
        self.idp = cognito.UserPoolIdentityProviderOidc(
            stack,
            "EntraID",
            user_pool=self.user_pool,
            name="EntraID",
            client_id="entra-client-id",
            client_secret="entra-client-secret",
            issuer_url="https://login.microsoftonline.com/tenant-id/v2.0",
            scopes=["openid", "email", "profile"],
        )
        self.user_pool_client = self.user_pool.add_client(
            "Client",
            generate_secret=True,
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
                callback_urls=["https://localhost/_auth/callback"],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.custom("EntraID")],
        )
        self.user_pool_client.node.add_dependency(self.idp)
        self.user_pool_domain = self.user_pool.add_domain(
            "Domain", cognito_domain=cognito.CognitoDomainOptions(domain_prefix="example-auth")
        )

    def props(self) -> Dict[str, Any]:
        return dict(
            user_pool=self.user_pool,
            user_pool_client=self.user_pool_client,
            user_pool_domain=self.user_pool_domain,
        )


def imported_pool_id(region: str) -> str:
    return f"{region}_AbCdEf123"


IMPORTED_CLIENT_ID = "1example23456789abcdefghij"
IMPORTED_DOMAIN = "example-imported"


def imported_cognito(stack: Stack) -> Dict[str, Any]:
    """Cognito resources that live elsewhere, imported by id and name."""
    return dict(
        user_pool=cognito.UserPool.from_user_pool_id(
            stack, "ImportedPool", imported_pool_id(stack.region)
        ),
        user_pool_client=cognito.UserPoolClient.from_user_pool_client_id(
            stack, "ImportedClient", IMPORTED_CLIENT_ID
        ),
        user_pool_domain=cognito.UserPoolDomain.from_domain_name(stack, "ImportedDomain", IMPORTED_DOMAIN),
    )


def created_site(region: str, **props: Any) -> SimpleNamespace:
    """A new stack in region with make_distribution's distribution protected by CognitoEdgeAuth
    ("Auth") with CreatedCognito's resources and props: the stack, auth, cognito, distribution
    and the stack's template t."""
    stack = new_stack(region)
    distribution = make_distribution(stack)
    cog = CreatedCognito(stack)
    auth = CognitoEdgeAuth(stack, "Auth", distribution=distribution, **cog.props(), **props)
    return SimpleNamespace(stack=stack, auth=auth, cognito=cog, distribution=distribution, t=template(stack))


# ---- reading the synthesised templates ---------------------------------------------------------


def template(stack: Stack) -> assertions.Template:
    return assertions.Template.from_stack(stack)


def edge_stack(stack: Stack) -> Stack:
    """The stack that holds the edge function: the stack itself in us-east-1, otherwise the
    support stack in us-east-1 that the user's stack depends on (as with EdgeFunction)."""
    if stack.region == EDGE_REGION:
        return stack
    candidates = [s for s in stack.dependencies if s.region == EDGE_REGION]
    assert len(candidates) == 1, f"expected one us-east-1 support stack, got {[s.stack_name for s in candidates]}"
    return candidates[0]


# The role of the edge function: trusted by Lambda and by Lambda@Edge (CDK renders one statement
# per service principal).
EDGE_ROLE = {
    "AssumeRolePolicyDocument": {
        "Statement": [
            {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}},
            {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "edgelambda.amazonaws.com"}},
        ],
        "Version": "2012-10-17",
    }
}


def edge_role(t: assertions.Template) -> Tuple[str, Dict[str, Any]]:
    """(logical id, resource) of the one role trusted by edgelambda.amazonaws.com."""
    roles = t.find_resources("AWS::IAM::Role", {"Properties": assertions.Match.object_like(EDGE_ROLE)})
    assert len(roles) == 1, f"expected one role trusted by Lambda@Edge, found {sorted(roles)}"
    return next(iter(roles.items()))


def edge_function(t: assertions.Template) -> Tuple[str, Dict[str, Any]]:
    """(logical id, resource) of the one Lambda function that runs with the edge role."""
    role_id, _ = edge_role(t)
    functions = {
        k: v
        for k, v in t.find_resources("AWS::Lambda::Function").items()
        if v["Properties"].get("Role") == {"Fn::GetAtt": [role_id, "Arn"]}
    }
    assert len(functions) == 1, f"expected one function with the edge role, found {sorted(functions)}"
    return next(iter(functions.items()))


def only_resource(t: assertions.Template, type_: str) -> Dict[str, Any]:
    found = t.find_resources(type_)
    assert len(found) == 1, f"expected exactly one {type_}, found {len(found)}"
    return next(iter(found.values()))


def untoken(value: Any) -> str:
    """Render a CloudFormation string value as text, with every intrinsic replaced by a
    placeholder: {"Fn::Join": ["", [...]]} -> "...<Ref:X>..."."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(untoken(p) for p in parts)
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref":
            return f"<Ref:{arg}>"
        if fn == "Fn::GetAtt":
            return f"<GetAtt:{'.'.join(arg) if isinstance(arg, list) else arg}>"
        return f"<{fn}>"
    raise AssertionError(f"cannot render {value!r} as a string")


def edge_config(t: assertions.Template) -> Dict[str, Any]:
    """The EdgeConfig property of the config custom resource, parsed as JSON (intrinsics appear
    as "<Ref:...>" / "<GetAtt:...>" placeholders inside the strings)."""
    props = only_resource(t, CONFIG_TYPE)["Properties"]
    return json.loads(untoken(props["EdgeConfig"]))


def viewer_request_associations(t: assertions.Template) -> Dict[str, List[Dict[str, Any]]]:
    """Every behavior of the distribution by path pattern ('*' for the default) with its
    viewer-request Lambda@Edge associations."""
    dist = only_resource(t, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    behaviors = [("*", dist["DefaultCacheBehavior"])] + [(b["PathPattern"], b) for b in dist.get("CacheBehaviors", [])]
    return {
        path: [a for a in b.get("LambdaFunctionAssociations", []) if a.get("EventType") == "viewer-request"]
        for path, b in behaviors
    }


def viewer_request_paths(t: assertions.Template) -> List[str]:
    """The behaviors (by path pattern, '*' for the default) that carry a viewer-request
    Lambda@Edge association."""
    return sorted(path for path, found in viewer_request_associations(t).items() if found)
