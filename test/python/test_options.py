"""Every prop, set from Python, reaches the synthesised configuration: the CookieSettings struct
(as a struct and as a plain dict), the SameSite and LogLevel enums, required groups, path
authorizations, a protected subset of behaviors, and the rest."""

import json
from types import SimpleNamespace

import pytest
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match

from cdk_cognito_edge_auth import (
    CognitoEdgeAuth,
    CookieSettings,
    LogLevel,
    PathAuthorization,
    SameSite,
)

from conftest import (
    BEHAVIORS,
    edge_function,
    edge_role,
    viewer_request_associations,
    CALLBACK_URLS_TYPE,
    CONFIG_TYPE,
    CreatedCognito,
    distribution_with_edge_lambda,
    edge_config,
    edge_stack,
    imported_cognito,
    make_distribution,
    new_stack,
    only_resource,
    template,
    viewer_request_paths,
)


def synth(region="us-east-1", created=True, domain_names=None, **props):
    stack = new_stack(region)
    distribution = make_distribution(stack, domain_names)
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
        domain_names=["app.example.com"],
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


def test_cookie_settings_as_a_plain_dict_are_the_same(cookies):
    # jsii accepts a dict with the Python (snake_case) keys wherever a struct is expected
    as_dict = synth(
        domain_names=["app.example.com"],
        cookie_settings={
            "name_prefix": "myapp",
            "same_site": SameSite.STRICT,
            "domain": "example.com",
            "path": "/app",
            "token_max_age": Duration.minutes(30),
        }
    )
    assert edge_config(as_dict.t)["cookies"] == edge_config(cookies.t)["cookies"]


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
            # a struct inside a list must be the struct class: jsii converts a dict only where the
            # parameter itself is a struct (cookie_settings), not inside a list
            PathAuthorization(path_pattern="/reports/*", required_groups=["finance", "admins"]),
        ],
    )


def test_required_groups(groups):
    assert edge_config(groups.t)["requiredGroups"] == ["staff", "contractors"]


def test_path_authorizations_become_path_rules_in_order(groups):
    assert edge_config(groups.t)["pathRules"] == [
        {"pathPattern": "/admin/*", "requiredGroups": ["admins"]},
        {"pathPattern": "/reports/*", "requiredGroups": ["finance", "admins"]},
    ]


# ---- which behaviors are protected -----------------------------------------------------------


def test_protected_subset_of_behaviors():
    # the default behavior serves the callback and sign-out paths, so it must be protected
    site = synth(protected_behaviors=["*", "/api/*"])
    assert viewer_request_paths(site.t) == ["*", "/api/*"]
    unprotected = viewer_request_associations(site.t)
    assert unprotected["/public/*"] == [] and unprotected["/static/*"] == []


def test_protected_behaviors_without_leading_slash_are_normalised():
    site = synth(protected_behaviors=["*", "static/*"])
    assert viewer_request_paths(site.t) == ["*", "/static/*"]


def test_every_association_points_at_the_same_version():
    site = synth(protected_behaviors=["*", *BEHAVIORS])
    dist = only_resource(site.t, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    arns = {
        json.dumps(a["LambdaFunctionARN"])
        for b in [dist["DefaultCacheBehavior"], *dist.get("CacheBehaviors", [])]
        for a in b.get("LambdaFunctionAssociations", [])
        if a["EventType"] == "viewer-request"
    }
    assert len(arns) == 1, arns


# ---- paths, scopes, the rest ------------------------------------------------------------------


@pytest.fixture(scope="module")
def custom():
    # imported client: its allowed scopes are not known at synth, so a custom scope is accepted
    return synth(
        created=False,
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
    rendered = json.dumps(custom.stack.resolve(custom.auth.callback_urls))
    assert "/auth/cb" in rendered
    assert "/_auth/callback" not in rendered


def test_register_callback_urls_off():
    site = synth(register_callback_urls=False)
    site.t.resource_count_is(CALLBACK_URLS_TYPE, 0)
    only_resource(site.t, CONFIG_TYPE)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_runtime_node_20_is_accepted_with_a_warning(region):
    site = synth(region, runtime=lambda_.Runtime.NODEJS_20_X)
    _, fn = edge_function(template(edge_stack(site.stack)))
    assert fn["Properties"]["Runtime"] == "nodejs20.x"
    Annotations.from_stack(site.stack).has_warning(
        "/Site/Auth", Match.string_like_regexp("runtime: Node.js 20 left Lambda's standard support")
    )


def test_removal_policy_destroy_deletes_and_warns():
    site = synth("eu-west-1", removal_policy=RemovalPolicy.DESTROY)
    edge_t = template(edge_stack(site.stack))
    for resource in (edge_function(edge_t)[1], edge_role(edge_t)[1]):
        assert resource["DeletionPolicy"] == "Delete"
    Annotations.from_stack(site.stack).has_warning(
        "/Site/Auth", Match.string_like_regexp("removalPolicy: DESTROY makes deleting the stack")
    )


# ---- alternate domain names --------------------------------------------------------------------


@pytest.fixture(scope="module")
def aliased():
    return synth(domain_names=["app.example.com", "www.example.com"])


def test_aliases_reach_the_config(aliased):
    assert edge_config(aliased.t)["aliases"] == ["app.example.com", "www.example.com"]


def test_callback_and_logout_urls_for_every_domain(aliased):
    urls = aliased.stack.resolve(aliased.auth.callback_urls)
    assert urls[1:] == ["https://app.example.com/_auth/callback", "https://www.example.com/_auth/callback"]
    assert "Fn::GetAtt" in str(urls[0])  # the distribution's own *.cloudfront.net name
    props = only_resource(aliased.t, CALLBACK_URLS_TYPE)["Properties"]
    assert props["CallbackUrls"] == urls
    assert props["LogoutUrls"][1:] == ["https://app.example.com/_auth/signed-out", "https://www.example.com/_auth/signed-out"]


# ---- behaviors the user adds or has already ----------------------------------------------------


def test_behavior_added_after_the_construct_is_protected_too():
    stack = new_stack()
    distribution = make_distribution(stack)
    CognitoEdgeAuth(stack, "Auth", distribution=distribution, **imported_cognito(stack))
    distribution.add_behavior("/late/*", origins.HttpOrigin("late.example.com"))
    assert "/late/*" in viewer_request_paths(template(stack))


def test_associations_for_other_event_types_are_kept():
    stack = new_stack()
    distribution = distribution_with_edge_lambda(stack, "OriginResponse", cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE)
    CognitoEdgeAuth(stack, "Auth", distribution=distribution, **imported_cognito(stack))
    dist = only_resource(template(stack), "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    events = [a["EventType"] for a in dist["DefaultCacheBehavior"]["LambdaFunctionAssociations"]]
    assert events == ["origin-response", "viewer-request"]


# ---- warnings, as Python sees them -----------------------------------------------------------------


def test_empty_required_groups_warns():
    site = synth(required_groups=[])
    Annotations.from_stack(site.stack).has_warning(
        "/Site/Auth", Match.string_like_regexp("requiredGroups: an empty list has no effect")
    )


def test_defaults_give_no_warning():
    site = synth()
    assert Annotations.from_stack(site.stack).find_warning("*", Match.any_value()) == []


# ---- the client fingerprint ------------------------------------------------------------------------


def test_client_fingerprint_only_for_a_client_defined_in_the_app():
    created = only_resource(synth().t, CONFIG_TYPE)["Properties"]
    imported = only_resource(synth(created=False).t, CONFIG_TYPE)["Properties"]
    assert len(created["ClientFingerprint"]) == 32
    assert "ClientFingerprint" not in imported
