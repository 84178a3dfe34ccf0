"""Every prop, set from Python, reaches the synthesised configuration: the CookieSettings struct
(as a struct and as a plain dict), the SameSite and LogLevel enums, required groups, path
authorizations, a protected subset of behaviours, and the rest."""

from types import SimpleNamespace

import pytest
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match

from cdk_cognito_edge_auth import (
    CognitoEdgeAuth,
    CookieSettings,
    LogLevel,
    PathAuthorization,
    SameSite,
)

from conftest import (
    BEHAVIORS,
    CALLBACK_URLS_TYPE,
    CONFIG_TYPE,
    CreatedCognito,
    edge_config,
    edge_stack,
    imported_cognito,
    make_distribution,
    new_stack,
    only_resource,
    template,
    viewer_request_paths,
)


def synth(region="us-east-1", created=True, **props):
    stack = new_stack(region)
    distribution = make_distribution(stack)
    cognito_props = CreatedCognito(stack).props() if created else imported_cognito(stack)
    auth = CognitoEdgeAuth(stack, "Auth", distribution=distribution, **cognito_props, **props)
    return SimpleNamespace(stack=stack, auth=auth, t=template(stack))


# ---- enums, as a Python user sees them ---------------------------------------------------------


def test_same_site_enum_members():
    assert [m.name for m in SameSite] == ["LAX", "STRICT", "NONE"]


def test_log_level_enum_members():
    assert [m.name for m in LogLevel] == ["DEBUG", "INFO", "WARN", "ERROR", "NONE"]


# ---- cookies -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cookies():
    return synth(
        cookie_settings=CookieSettings(
            name_prefix="myapp",
            same_site=SameSite.STRICT,
            domain="example.com",
            path="/app",
            token_max_age=Duration.minutes(30),
        )
    )


def test_cookie_settings_struct_reaches_the_config(cookies):
    assert edge_config(cookies.t)["cookies"] == {
        "namePrefix": "myapp",
        "sameSite": "Strict",
        "domain": "example.com",
        "path": "/app",
        "tokenMaxAgeSeconds": 1800,
    }


def test_cookie_settings_as_a_plain_dict_are_the_same():
    # jsii accepts a dict with the Python (snake_case) keys wherever a struct is expected
    as_dict = synth(
        cookie_settings={
            "name_prefix": "myapp",
            "same_site": SameSite.STRICT,
            "domain": "example.com",
            "path": "/app",
            "token_max_age": Duration.minutes(30),
        }
    )
    assert edge_config(as_dict.t)["cookies"]["sameSite"] == "Strict"
    assert edge_config(as_dict.t)["cookies"]["tokenMaxAgeSeconds"] == 1800


@pytest.mark.parametrize("same_site,expected", [(SameSite.LAX, "Lax"), (SameSite.NONE, "None")])
def test_same_site_values(same_site, expected):
    site = synth(cookie_settings=CookieSettings(same_site=same_site))
    assert edge_config(site.t)["cookies"]["sameSite"] == expected


def test_cookie_settings_struct_is_keyword_only_and_readable():
    settings = CookieSettings(name_prefix="p", same_site=SameSite.LAX)
    assert settings.name_prefix == "p"
    assert settings.same_site is SameSite.LAX
    assert settings.domain is None
    with pytest.raises(TypeError):
        CookieSettings("p")  # type: ignore[misc]  # structs take keyword arguments only
    assert CookieSettings(name_prefix="p") == CookieSettings(name_prefix="p")


# ---- logging -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "level,expected",
    [(LogLevel.DEBUG, "debug"), (LogLevel.INFO, "info"), (LogLevel.ERROR, "error"), (LogLevel.NONE, "none")],
)
def test_log_level(level, expected):
    assert edge_config(synth(log_level=level).t)["logLevel"] == expected


# ---- authorization -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def groups():
    return synth(
        required_groups=["staff", "contractors"],
        path_authorizations=[
            PathAuthorization(path_pattern="/admin/*", required_groups=["admins"]),
            {"path_pattern": "/reports/*", "required_groups": ["finance", "admins"]},
        ],
    )


def test_required_groups(groups):
    assert edge_config(groups.t)["requiredGroups"] == ["staff", "contractors"]


def test_path_authorizations_become_path_rules_in_order(groups):
    assert edge_config(groups.t)["pathRules"] == [
        {"pathPattern": "/admin/*", "requiredGroups": ["admins"]},
        {"pathPattern": "/reports/*", "requiredGroups": ["finance", "admins"]},
    ]


# ---- which behaviours are protected -----------------------------------------------------------


def test_protected_subset_of_behaviours():
    site = synth(protected_behaviors=["/api/*", "/static/*"])
    protected = viewer_request_paths(site.t)
    assert "/api/*" in protected and "/static/*" in protected
    assert "/public/*" not in protected


def test_every_association_points_at_the_same_version():
    site = synth(protected_behaviors=BEHAVIORS)
    dist = only_resource(site.t, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    arns = {
        site.stack.to_json_string(a["LambdaFunctionARN"])
        for b in [dist["DefaultCacheBehavior"], *dist.get("CacheBehaviors", [])]
        for a in b.get("LambdaFunctionAssociations", [])
        if a["EventType"] == "viewer-request"
    }
    assert len(arns) == 1, arns


# ---- paths, scopes, the rest ------------------------------------------------------------------


@pytest.fixture(scope="module")
def custom():
    return synth(
        identity_provider="EntraID",
        oauth_scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.custom("api/read")],
        callback_path="/auth/cb",
        sign_out_path="/auth/out",
        sign_out_redirect_path="/goodbye.html",
        forward_auth_cookies=True,
        refresh_token_validity=Duration.days(7),
    )


def test_paths(custom):
    config = edge_config(custom.t)
    assert config["callbackPath"] == "/auth/cb"
    assert config["signOutPath"] == "/auth/out"
    assert config["signOutLandingPath"] == "/goodbye.html"


def test_scopes(custom):
    assert edge_config(custom.t)["scopes"] == ["openid", "email", "api/read"]


def test_forward_auth_cookies_and_refresh_validity(custom):
    config = edge_config(custom.t)
    assert config["forwardAuthCookies"] is True
    assert config["refreshTokenValiditySeconds"] == 7 * 24 * 3600


def test_callback_urls_follow_the_callback_path(custom):
    rendered = custom.stack.to_json_string(custom.auth.callback_urls)
    assert "/auth/cb" in rendered
    assert "/_auth/callback" not in rendered


def test_register_callback_urls_off():
    site = synth(register_callback_urls=False)
    site.t.resource_count_is(CALLBACK_URLS_TYPE, 0)
    only_resource(site.t, CONFIG_TYPE)


def test_runtime():
    site = synth(runtime=lambda_.Runtime.NODEJS_22_X)
    site.t.has_resource_properties("AWS::Lambda::Function", {"Runtime": "nodejs22.x", "Handler": "index.handler"})


def test_removal_policy_retain():
    site = synth(removal_policy=RemovalPolicy.RETAIN)
    edge_t = template(edge_stack(site.stack))
    functions = edge_t.find_resources("AWS::Lambda::Function", {"Properties": {"Handler": "index.handler"}})
    assert functions and all(f.get("DeletionPolicy") == "Retain" for f in functions.values())
