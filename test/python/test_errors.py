"""Wrong props fail at synth with an error a Python user can read: a RuntimeError (raised by
the jsii runtime for an error thrown by the construct) whose message names the prop and the fix,
or a TypeError from the bindings' own type checks before anything reaches JavaScript."""

import pytest

from cdk_cognito_edge_auth import CognitoEdgeAuth, CookieSettings, PathAuthorization

from conftest import CreatedCognito, imported_cognito, make_distribution, new_stack


def build(region="us-east-1", **props):
    stack = new_stack(region)
    distribution = make_distribution(stack)
    return CognitoEdgeAuth(stack, "Auth", distribution=distribution, **imported_cognito(stack), **props)


def first_line(exc: pytest.ExceptionInfo) -> str:
    return str(exc.value).splitlines()[0]


def test_callback_path_without_a_leading_slash():
    with pytest.raises(RuntimeError) as exc:
        build(callback_path="no-slash")
    message = str(exc.value)
    assert "callbackPath" in message
    assert "no-slash" in message
    assert "/" in message  # says what a valid value looks like
    # the message is the error itself, not a JavaScript stack trace
    assert "at " not in first_line(exc)


def test_sign_out_path_equal_to_callback_path():
    with pytest.raises(RuntimeError, match="signOutPath|callbackPath"):
        build(callback_path="/auth", sign_out_path="/auth")


def test_stack_without_env_says_to_set_the_region():
    stack = new_stack(region=None)
    distribution = make_distribution(stack)
    cog = CreatedCognito(stack)
    with pytest.raises(RuntimeError) as exc:
        CognitoEdgeAuth(stack, "Auth", distribution=distribution, **cog.props())
    assert "env" in str(exc.value)
    assert "region" in str(exc.value).lower()


def test_protected_behaviour_that_does_not_exist():
    with pytest.raises(RuntimeError) as exc:
        build(protected_behaviors=["/nope/*"])
    assert "protectedBehaviors" in str(exc.value)
    assert "/nope/*" in str(exc.value)


def test_path_authorization_without_groups():
    with pytest.raises(RuntimeError) as exc:
        build(path_authorizations=[PathAuthorization(path_pattern="/admin/*", required_groups=[])])
    assert "pathAuthorizations" in str(exc.value) or "requiredGroups" in str(exc.value)


def test_wrong_python_type_is_a_type_error_naming_the_argument():
    # the bindings check types before calling into JavaScript
    with pytest.raises(TypeError) as exc:
        build(cookie_settings=CookieSettings(same_site="Lax"))  # type: ignore[arg-type]
    assert "same_site" in str(exc.value)


def test_missing_required_prop_is_a_type_error():
    stack = new_stack()
    with pytest.raises(TypeError) as exc:
        CognitoEdgeAuth(stack, "Auth", **imported_cognito(stack))  # type: ignore[call-arg]
    assert "distribution" in str(exc.value)


def test_misspelt_keyword_is_a_type_error():
    with pytest.raises(TypeError) as exc:
        build(callback_pth="/cb")  # type: ignore[call-arg]
    assert "callback_pth" in str(exc.value)
