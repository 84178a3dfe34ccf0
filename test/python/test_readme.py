"""README's Python example is the code this test runs, so it cannot rot.

The first ```python block under README's "Python" heading is executed as written, inside a
stack scope: like rosetta/default.ts-fixture for the TypeScript snippets, the block may use
`self` (a Stack in us-east-1, as in a user's Stack.__init__) and the Cognito and CloudFront
resources it protects, `distribution`, `user_pool`, `user_pool_client` and `user_pool_domain`
(created in the stack; the pool is federated to an OIDC provider named "EntraID"). Anything else
it uses, it must define or import itself.
"""

import ast
import builtins
import re
from pathlib import Path

import pytest
from aws_cdk import assertions

from conftest import CONFIG_TYPE, CreatedCognito, edge_config, make_distribution, new_stack, viewer_request_paths

README = Path(__file__).resolve().parents[2] / "README.md"
FIXTURE_NAMES = {"self", "distribution", "user_pool", "user_pool_client", "user_pool_domain"}


def python_example() -> str:
    """The first ```python fence after the first heading named Python, before the next heading
    of the same or a higher level (lines inside fences are code, never headings)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    in_fence, level, section = False, None, []
    for line in lines:
        heading = None if in_fence else re.match(r"^(#{1,6})\s+(.*?)\s*$", line)
        if line.startswith("```"):
            in_fence = not in_fence
        if level is None:
            if heading and heading.group(2) == "Python":
                level = len(heading.group(1))
            continue
        if heading and len(heading.group(1)) <= level:
            break
        section.append(line)
    assert level is not None, "README.md has no heading named Python"
    block = re.search(r"^```python[^\n]*\n(.*?)^```", "\n".join(section) + "\n", re.MULTILINE | re.DOTALL)
    assert block, "README's Python section has no ```python block"
    return block.group(1)


def free_names(code: str) -> set:
    """Names the code reads without binding them itself (imports, assignments, defs)."""
    tree = ast.parse(code)
    bound, used = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else used).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return used - bound - set(dir(builtins))


@pytest.fixture(scope="module")
def example():
    return python_example()


@pytest.fixture(scope="module")
def synthesised(example):
    stack = new_stack("us-east-1", "ReadmeStack")
    cog = CreatedCognito(stack)
    namespace = {
        "__name__": "readme_example",
        "self": stack,
        "distribution": make_distribution(stack),
        "user_pool": cog.user_pool,
        "user_pool_client": cog.user_pool_client,
        "user_pool_domain": cog.user_pool_domain,
    }
    exec(compile(example, f"{README}:python-example", "exec"), namespace)
    return stack, assertions.Template.from_stack(stack)


def test_example_is_python_that_imports_the_module(example):
    ast.parse(example)  # a SyntaxError here means the block is not Python
    assert re.search(r"^from cdk_cognito_edge_auth import .*\bCognitoEdgeAuth\b", example, re.MULTILINE)
    assert re.search(r"CognitoEdgeAuth\(\s*self\s*,", example), "the example creates the construct in a stack"


def test_example_uses_only_the_documented_fixture(example):
    unknown = free_names(example) - FIXTURE_NAMES
    assert not unknown, f"README's Python block uses names it does not define: {sorted(unknown)}"


def test_example_synthesises_a_protected_distribution(synthesised):
    _, t = synthesised
    t.resource_count_is(CONFIG_TYPE, 1)
    assert "*" in viewer_request_paths(t)


def test_example_configures_what_it_says(synthesised, example):
    _, t = synthesised
    config = edge_config(t)
    provider = re.search(r'identity_provider="([^"]+)"', example)
    assert config.get("identityProvider") == (provider.group(1) if provider else None)
    # Every path rule the example writes reaches the edge configuration, in order.
    rules = re.findall(r'PathAuthorization\(path_pattern="([^"]+)", required_groups=\[([^\]]*)\]\)', example)
    expected = [{"pathPattern": p, "requiredGroups": re.findall(r'"([^"]+)"', groups)} for p, groups in rules]
    assert config.get("pathRules", []) == expected
    log_level = re.search(r"log_level=LogLevel\.([A-Z]+)", example)
    assert config.get("logLevel", "warn") == (log_level.group(1).lower() if log_level else "warn")


# ---- every example as PyPI shows it ---------------------------------------------------------------
# The package's docs (README as the module docstring, on PyPI the long description) carry the
# README's TypeScript snippets translated to Python by jsii-rosetta. Translated snippets assume the
# imports of rosetta/default.ts-fixture; everything else they use must be there.


def rosetta_fixture_namespace(stack) -> dict:
    from aws_cdk import Duration, RemovalPolicy, Stack, StackProps
    from aws_cdk import aws_certificatemanager as acm
    from aws_cdk import aws_cloudfront as cloudfront
    from aws_cdk import aws_cloudfront_origins as origins
    from aws_cdk import aws_cloudwatch as cloudwatch
    from aws_cdk import aws_cognito as cognito
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_logs as logs
    from constructs import Construct

    from cdk_cognito_edge_auth import CognitoEdgeAuth, LogLevel, SameSite, ViewerCheck

    cog = CreatedCognito(stack)
    return {
        "__name__": "pypi_example",
        "Construct": Construct, "Duration": Duration, "RemovalPolicy": RemovalPolicy, "Stack": Stack,
        "StackProps": StackProps, "acm": acm, "cloudfront": cloudfront, "cloudwatch": cloudwatch, "cognito": cognito,
        "lambda_": lambda_, "logs": logs,
        "origin": origins.HttpOrigin("docs-origin.example.com"),
        "certificate": acm.Certificate.from_certificate_arn(stack, "FixtureCertificate", "arn:aws:acm:us-east-1:123456789012:certificate/abc"),
        "CognitoEdgeAuth": CognitoEdgeAuth, "LogLevel": LogLevel, "SameSite": SameSite, "ViewerCheck": ViewerCheck,
        "self": stack, "distribution": make_distribution(stack), "user_pool": cog.user_pool,
        "user_pool_client": cog.user_pool_client, "user_pool_domain": cog.user_pool_domain,
    }


def package_examples() -> list:
    import cdk_cognito_edge_auth

    doc = cdk_cognito_edge_auth.__doc__ or ""
    return [m.group(1) for m in re.finditer(r"^```python\n(.*?)^```", doc, re.MULTILINE | re.DOTALL)]


def test_package_docs_have_no_typescript_heading_over_translated_code():
    import cdk_cognito_edge_auth

    doc = cdk_cognito_edge_auth.__doc__ or ""
    assert "```python" in doc
    assert not re.search(r"^#+\s*TypeScript\s*$", doc, re.MULTILINE), "a TypeScript heading would sit over Python code on PyPI"


def test_package_docs_carry_python_examples():
    examples = package_examples()
    assert len(examples) >= 2
    assert all("new " not in e and "const " not in e for e in examples)


@pytest.mark.parametrize("index", range(len(package_examples())))
def test_package_doc_example_runs(index):
    stack = new_stack("us-east-1", "PypiExample")
    code = package_examples()[index]
    exec(compile(code, f"cdk_cognito_edge_auth.__doc__:python-example-{index}", "exec"), rosetta_fixture_namespace(stack))
    t = assertions.Template.from_stack(stack)
    t.resource_count_is(CONFIG_TYPE, 1)
