"""README's Python example is the code this test runs, so it cannot rot: the first ```python
block under README's Python heading is executed as written, inside a stack scope (`self` is a
Stack in us-east-1, as in a user's `Stack.__init__`), and what it synthesises is checked."""

import re
from pathlib import Path

import pytest
from aws_cdk import App, Stack, Stage
from aws_cdk import assertions

from conftest import CONFIG_TYPE, new_stack, viewer_request_paths

README = Path(__file__).resolve().parents[2] / "README.md"


def python_example() -> str:
    """The first ```python fence after the first heading that names Python, before the next
    heading of the same or a higher level."""
    text = README.read_text(encoding="utf-8")
    heading = re.search(r"^(#{1,6})\s+.*\bPython\b.*$", text, re.MULTILINE | re.IGNORECASE)
    assert heading, "README.md has no heading that names Python"
    level = len(heading.group(1))
    rest = text[heading.end():]
    end = re.search(rf"^#{{1,{level}}}\s", rest, re.MULTILINE)
    section = rest[: end.start()] if end else rest
    block = re.search(r"^```python[^\n]*\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert block, "README's Python section has no ```python block"
    return block.group(1)


@pytest.fixture(scope="module")
def example():
    return python_example()


@pytest.fixture(scope="module")
def synthesised(example):
    """Run the block. If it defines its own App, that app is synthesised; otherwise it ran in
    `self`, a Stack in us-east-1."""
    scope = new_stack("us-east-1", "ReadmeStack")
    namespace = {"__name__": "readme_example", "self": scope}
    exec(compile(example, str(README) + ":python-example", "exec"), namespace)
    apps = [v for v in namespace.values() if isinstance(v, App)]
    app = apps[0] if apps else Stage.of(scope)
    assembly = app.synth()
    stacks = [c for c in app.node.find_all() if isinstance(c, Stack)]
    return assembly, stacks


def test_example_imports_from_the_python_module(example):
    assert re.search(r"^from cdk_cognito_edge_auth import .*CognitoEdgeAuth", example, re.MULTILINE) or (
        "import cdk_cognito_edge_auth" in example
    )
    assert "CognitoEdgeAuth(" in example


def test_example_is_python_not_typescript(example):
    for ts in ("new ", "const ", "=>", "};"):
        assert ts not in example, f"README's Python block contains TypeScript: {ts!r}"


def test_example_synthesises_a_protected_distribution(synthesised):
    _, stacks = synthesised
    with_config = [s for s in stacks if assertions.Template.from_stack(s).find_resources(CONFIG_TYPE)]
    assert len(with_config) == 1, "the example should create one CognitoEdgeAuth"
    t = assertions.Template.from_stack(with_config[0])
    assert "*" in viewer_request_paths(t)
