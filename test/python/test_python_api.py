"""The generated Python API, reviewed as a Python user would: every public name is there, no
parameter is a Python keyword (which jsii would rename with a trailing underscore), props are
keyword-only, and classes, structs, enums and enum members carry documentation."""

import ast
import inspect
import keyword
from pathlib import Path

import pytest

import cdk_cognito_edge_auth as lib

PUBLIC = ["CognitoEdgeAuth", "CognitoEdgeAuthProps", "CookieSettings", "LogLevel", "PathAuthorization", "SameSite"]
STRUCTS = ["CognitoEdgeAuthProps", "CookieSettings", "PathAuthorization"]
ENUMS = ["LogLevel", "SameSite", "ViewerCheck"]


def source_tree() -> ast.Module:
    return ast.parse(Path(lib.__file__).read_text(encoding="utf-8"))


def class_def(name: str) -> ast.ClassDef:
    for node in source_tree().body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise AssertionError(f"class {name} not found in {lib.__file__}")


def keyword_parameters(callable_) -> list:
    return [
        p.name
        for p in inspect.signature(callable_).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    ]


def test_public_names_are_exported():
    for name in PUBLIC:
        assert name in lib.__all__, f"{name} missing from cdk_cognito_edge_auth.__all__"
        assert hasattr(lib, name)


@pytest.mark.parametrize("name", ["CognitoEdgeAuth", *STRUCTS])
def test_no_parameter_is_a_python_keyword_or_renamed(name):
    for param in inspect.signature(getattr(lib, name).__init__).parameters:
        assert not keyword.iskeyword(param) and not keyword.issoftkeyword(param), param
        # jsii escapes a keyword-named prop with a trailing underscore (lambda_): none should need it
        assert not param.endswith("_"), f"{name}: {param} reads as an escaped keyword"


def test_construct_signature_is_scope_id_then_keyword_only_props():
    params = list(inspect.signature(lib.CognitoEdgeAuth.__init__).parameters.values())
    assert [p.name for p in params[:3]] == ["self", "scope", "id"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[3:])
    names = [p.name for p in params[3:]]
    assert names[:4] == ["distribution", "user_pool", "user_pool_client", "user_pool_domain"]
    required = [p.name for p in params[3:] if p.default is inspect.Parameter.empty]
    assert required == ["distribution", "user_pool", "user_pool_client", "user_pool_domain"]


def test_construct_props_and_props_struct_agree():
    construct = set(keyword_parameters(lib.CognitoEdgeAuth.__init__))
    struct = set(keyword_parameters(lib.CognitoEdgeAuthProps.__init__))
    assert construct == struct


def test_snake_case_prop_names():
    expected = {
        "distribution", "user_pool", "user_pool_client", "user_pool_domain", "identity_provider",
        "oauth_scopes", "callback_path", "sign_out_path", "sign_out_redirect_path", "cookie_settings",
        "required_groups", "path_authorizations", "protected_behaviors", "log_level", "runtime",
        "removal_policy", "register_callback_urls", "forward_auth_cookies", "refresh_token_validity",
        "edge_stack", "edge_stack_id",
        "public_paths", "groups_claim", "edge_log_retention", "edge_log_regions",
        "viewer_check", "auth_path_prefix", "session_key_generation",
    }
    assert set(keyword_parameters(lib.CognitoEdgeAuth.__init__)) == expected
    assert set(keyword_parameters(lib.CookieSettings.__init__)) == {
        "name_prefix", "same_site", "domain", "path", "token_max_age",
    }
    assert set(keyword_parameters(lib.PathAuthorization.__init__)) == {"path_pattern", "required_groups"}


def init_def(name: str) -> ast.FunctionDef:
    for node in class_def(name).body:
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            return node
    raise AssertionError(f"{name} has no __init__")


@pytest.mark.parametrize("name", ["CognitoEdgeAuth", *ENUMS])
def test_classes_and_enums_are_documented(name):
    doc = ast.get_docstring(class_def(name))
    assert doc and len(doc.split()) >= 4, f"{name} has no real docstring: {doc!r}"


@pytest.mark.parametrize("name", ["CognitoEdgeAuth", *STRUCTS])
def test_every_keyword_argument_is_documented(name):
    # jsii puts a struct's summary and every :param: on __init__, where help() and IDEs show it
    doc = ast.get_docstring(init_def(name)) or ""
    if name in STRUCTS:
        assert len(doc.split(":param")[0].split()) >= 4, f"{name}.__init__ has no summary"
    for param in keyword_parameters(getattr(lib, name).__init__):
        line = next((l for l in doc.splitlines() if l.strip().startswith(f":param {param}:")), "")
        assert len(line.split()) >= 5, f"{name}({param}=...) is not documented"


@pytest.mark.parametrize("name", STRUCTS)
def test_struct_properties_are_documented_with_defaults(name):
    cls = getattr(lib, name)
    optional = [
        p.name
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is not inspect.Parameter.empty
    ]
    for prop in keyword_parameters(cls.__init__):
        doc = inspect.getdoc(getattr(cls, prop))
        assert doc, f"{name}.{prop} has no docstring"
        if prop in optional:
            assert ":default:" in doc, f"{name}.{prop} does not say its default"


@pytest.mark.parametrize("name", ENUMS)
def test_enum_members_are_documented(name):
    # jsii emits a member's doc as a string literal right after the assignment
    body = class_def(name).body
    for i, node in enumerate(body):
        if isinstance(node, ast.Assign):
            member = node.targets[0].id
            nxt = body[i + 1] if i + 1 < len(body) else None
            assert (
                isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) and isinstance(nxt.value.value, str)
            ), f"{name}.{member} has no documentation"


def test_enum_values_are_strings_jsii_passes_through():
    assert {m.value for m in lib.SameSite} == {"LAX", "STRICT", "NONE"}
    assert {m.value for m in lib.LogLevel} == {"DEBUG", "INFO", "WARN", "ERROR", "NONE"}



def test_distribution_metadata_is_honest_about_maturity():
    """A 0.x package does not call itself Production/Stable on PyPI."""
    from importlib.metadata import metadata

    meta = metadata("cdk-cognito-edge-auth")
    statuses = [c for c in meta.get_all("Classifier") or [] if c.startswith("Development Status")]
    assert statuses == ["Development Status :: 4 - Beta"]
    assert meta["Requires-Python"]
