"""Wrong props fail with an error a Python user can read: a RuntimeError (the jsii runtime's
wrapper of the error the construct throws) whose message names the prop, the value and the fix;
checks that need the whole app fail at synth (Template.from_stack) the same way; and the bindings'
own type checks raise TypeError before anything reaches JavaScript."""

import pytest
from aws_cdk import Duration
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_

from cdk_cognito_edge_auth import CognitoEdgeAuth, CookieSettings, PathAuthorization, SameSite

from conftest import (
    CreatedCognito,
    distribution_with_edge_lambda,
    imported_cognito,
    make_distribution,
    new_stack,
    template,
)


def build(region="us-east-1", **props):
    stack = new_stack(region)
    distribution = make_distribution(stack)
    CognitoEdgeAuth(stack, "Auth", distribution=distribution, **imported_cognito(stack), **props)
    return stack


def message_of(exc: pytest.ExceptionInfo) -> str:
    return str(exc.value)


# ---- thrown by the constructor ----------------------------------------------------------------------


def test_callback_path_without_a_leading_slash():
    with pytest.raises(RuntimeError) as exc:
        build(callback_path="no-slash")
    message = message_of(exc)
    assert message == (
        "CognitoEdgeAuth: callbackPath must be an absolute path in canonical form, e.g. '/_auth/callback': "
        "'/' then letters, digits and -._~!$&'()+,=:@/ only, at most 256 characters, no '//', no '.' or '..' segments, "
        "got \"no-slash\" (at Site/Auth)"
    )
    # the Python exception's text is the message alone, no JavaScript stack trace
    assert "\n    at " not in message


def test_sign_out_path_equal_to_callback_path():
    with pytest.raises(RuntimeError, match=r'signOutPath must be different from callbackPath, got "/auth"'):
        build(callback_path="/auth", sign_out_path="/auth")


def test_stack_without_env_says_to_set_env():
    stack = new_stack(region=None)
    distribution = make_distribution(stack)
    with pytest.raises(RuntimeError) as exc:
        CognitoEdgeAuth(stack, "Auth", distribution=distribution, **CreatedCognito(stack).props())
    assert "the stack needs an explicit account and region" in message_of(exc)
    assert "set env on the stack" in message_of(exc)


def test_invalid_group_name():
    with pytest.raises(RuntimeError, match=r"requiredGroups must be a Cognito group name .* got \"two words\""):
        build(required_groups=["two words"])


def test_invalid_path_authorization_pattern():
    with pytest.raises(RuntimeError, match=r"pathAuthorizations\[1\]\.pathPattern must be a CloudFront path pattern"):
        build(
            path_authorizations=[
                PathAuthorization(path_pattern="/admin/*", required_groups=["admins"]),
                PathAuthorization(path_pattern="/with space/*", required_groups=["admins"]),
            ]
        )


def test_cookie_path_without_domain_names_the_fix():
    with pytest.raises(RuntimeError) as exc:
        build(cookie_settings=CookieSettings(path="/app"))
    assert "cookieSettings.path must be '/' when no cookie domain is set" in message_of(exc)
    assert "leave the path out or set the domain" in message_of(exc)


def test_cookie_domain_that_covers_no_alias():
    with pytest.raises(RuntimeError, match=r'cookieSettings.domain "example.com" covers none of the distribution'):
        build(cookie_settings=CookieSettings(domain="example.com", same_site=SameSite.LAX))


def test_refresh_token_validity_out_of_range():
    with pytest.raises(RuntimeError, match=r"refreshTokenValidity must be a whole number of seconds from 1 hour to 3650 days"):
        build(refresh_token_validity=Duration.minutes(5))


def test_runtime_that_is_not_node():
    with pytest.raises(RuntimeError, match=r"runtime must be a Node.js runtime, 20 or later.*got python3.12"):
        build(runtime=lambda_.Runtime.PYTHON_3_12)


def test_client_without_the_code_grant():
    stack = new_stack()
    cog = CreatedCognito(stack)
    implicit = cog.user_pool.add_client(
        "Implicit", o_auth=cognito.OAuthSettings(flows=cognito.OAuthFlows(implicit_code_grant=True))
    )
    with pytest.raises(RuntimeError) as exc:
        CognitoEdgeAuth(
            stack,
            "Auth",
            distribution=make_distribution(stack),
            user_pool=cog.user_pool,
            user_pool_client=implicit,
            user_pool_domain=cog.user_pool_domain,
        )
    assert "userPoolClient must allow the OAuth authorization code grant" in message_of(exc)


# ---- found when the app is synthesised -------------------------------------------------------------


def test_protected_behavior_that_does_not_exist():
    stack = build(protected_behaviors=["*", "/nope/*"])
    with pytest.raises(RuntimeError) as exc:
        template(stack)
    assert 'protectedBehaviors names "/nope/*", which is not a behavior of the distribution' in message_of(exc)
    assert '"/api/*"' in message_of(exc)  # lists the behaviors there are


def test_callback_served_by_an_unprotected_behavior():
    stack = build(protected_behaviors=["/api/*"])
    with pytest.raises(RuntimeError) as exc:
        template(stack)
    assert 'callbackPath "/_auth/callback" is served by behavior "*", which is not in protectedBehaviors' in message_of(exc)


def test_behavior_with_its_own_viewer_request_function():
    stack = new_stack()
    distribution = distribution_with_edge_lambda(stack, "Other", cloudfront.LambdaEdgeEventType.VIEWER_REQUEST)
    CognitoEdgeAuth(stack, "Auth", distribution=distribution, **imported_cognito(stack))
    with pytest.raises(RuntimeError, match=r"the default behavior \('\*'\) already has a viewer-request Lambda@Edge function"):
        template(stack)


def test_scope_the_client_does_not_allow():
    stack = new_stack()
    cog = CreatedCognito(stack)
    CognitoEdgeAuth(
        stack,
        "Auth",
        distribution=make_distribution(stack),
        oauth_scopes=[cognito.OAuthScope.custom("api/write")],
        **cog.props(),
    )
    with pytest.raises(RuntimeError, match=r"oauthScopes asks for api/write, which userPoolClient does not allow"):
        template(stack)


def test_identity_provider_the_client_does_not_support():
    stack = new_stack()
    cog = CreatedCognito(stack)
    CognitoEdgeAuth(stack, "Auth", distribution=make_distribution(stack), identity_provider="Okta", **cog.props())
    with pytest.raises(RuntimeError, match=r'identityProvider "Okta" is not a supported identity provider of userPoolClient'):
        template(stack)


# ---- caught by the Python bindings themselves ----------------------------------------------------


def test_wrong_python_type_is_a_type_error_naming_the_argument():
    with pytest.raises(TypeError) as exc:
        CookieSettings(same_site="Lax")  # type: ignore[arg-type]
    assert "same_site" in message_of(exc)


def test_missing_required_prop_is_a_type_error():
    stack = new_stack()
    with pytest.raises(TypeError, match="distribution"):
        CognitoEdgeAuth(stack, "Auth", **imported_cognito(stack))  # type: ignore[call-arg]


def test_misspelt_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="callback_pth"):
        build(callback_pth="/cb")  # type: ignore[call-arg]
