"""Session mode from Python: the ViewerCheck enum, the session-mode props as keyword arguments,
the auth behavior and the viewer function in the synthesised template, the attributes, and the
synth-time refusal of a cached behavior without the identity header in its cache key."""

from types import SimpleNamespace

import pytest
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3

from cdk_cognito_edge_auth import CognitoEdgeAuth, ViewerCheck

from conftest import CONFIG_TYPE, CreatedCognito, new_stack, only_resource, template

IDENTITY_HEADER = "x-cognito-edge-auth-user"


def session_site(region="us-east-1", cache_policy=cloudfront.CachePolicy.CACHING_DISABLED, **props):
    """A bucket site with one more behavior, both with cache_policy, protected in session mode."""
    stack = new_stack(region)
    origin = origins.S3BucketOrigin.with_origin_access_control(s3.Bucket(stack, "Content"))

    def behavior():
        return cloudfront.BehaviorOptions(
            origin=origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            cache_policy=cache_policy,
        )

    distribution = cloudfront.Distribution(
        stack, "Distribution", default_behavior=behavior(), additional_behaviors={"/api/*": behavior()}
    )
    auth = CognitoEdgeAuth(
        stack,
        "Auth",
        distribution=distribution,
        viewer_check=ViewerCheck.CLOUDFRONT_FUNCTION,
        **CreatedCognito(stack).props(),
        **props,
    )
    return SimpleNamespace(stack=stack, auth=auth)


def behaviors(t):
    dist = only_resource(t, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    return dist.get("CacheBehaviors", []) + [dict(dist["DefaultCacheBehavior"], PathPattern="*")]


def test_viewer_check_enum_members():
    assert [m.name for m in ViewerCheck] == ["LAMBDA_EDGE", "CLOUDFRONT_FUNCTION"]
    assert ViewerCheck.CLOUDFRONT_FUNCTION.value == "CLOUDFRONT_FUNCTION"


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_session_mode_synthesises_the_auth_behavior_and_the_viewer_function(region):
    site = session_site(region, auth_path_prefix="/auth/", session_key_generation=2)
    t = template(site.stack)
    found = behaviors(t)
    assert [b["PathPattern"] for b in found] == ["/auth/*", "/api/*", "*"]
    assert [a["EventType"] for a in found[0]["LambdaFunctionAssociations"]] == ["viewer-request"]
    for b in found[1:]:
        assert [a["EventType"] for a in b["FunctionAssociations"]] == ["viewer-request"]
        assert "LambdaFunctionAssociations" not in b
    fn = only_resource(t, "AWS::CloudFront::Function")["Properties"]
    assert fn["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert '"authPrefix":"/auth/"' in fn["FunctionCode"]
    session = only_resource(t, CONFIG_TYPE)["Properties"]["Session"]
    assert session["AuthPathPrefix"] == "/auth/"
    assert session["KeyGeneration"] == "2"
    assert session["IdentityHeader"] == IDENTITY_HEADER
    assert site.auth.viewer_function is not None
    assert site.auth.session_key_store is not None


def test_lambda_edge_mode_has_no_session_attributes():
    stack = new_stack("us-east-1")
    origin = origins.HttpOrigin("origin.example.com")
    distribution = cloudfront.Distribution(stack, "Distribution", default_behavior=cloudfront.BehaviorOptions(origin=origin))
    auth = CognitoEdgeAuth(stack, "Auth", distribution=distribution, **CreatedCognito(stack).props())
    assert auth.viewer_function is None
    assert auth.session_key_store is None
    assert template(stack).find_resources("AWS::CloudFront::Function") == {}


def test_cached_behavior_without_the_identity_header_is_refused():
    site = session_site(cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED)
    with pytest.raises(RuntimeError, match="caches without the identity header x-cognito-edge-auth-user"):
        template(site.stack)


def test_auth_paths_outside_the_prefix_are_refused():
    with pytest.raises(RuntimeError, match="callbackPath \"/callback\" must lie under authPathPrefix"):
        session_site(callback_path="/callback")
