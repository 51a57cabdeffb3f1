"""Spec text full of quotes, backslashes, newlines, template braces, keywords and non-ASCII stays inside strings."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from inline import arazzo, openapi

CANARY = "__import__('os').system('echo pwned')"
NASTY = [
    'quote " and \' and """ triple and \'\'\' too',
    "back\\slash at the end\\",
    "new\nline\r\nand\ttab",
    "{{ jinja }} {% block %} {# note #}",
    "ünïcödé ✓ — 日本語",
    CANARY,
    '"""; ' + CANARY + '; """',
    "') or __import__('os') #",
]
HOSTILE_INPUTS = {
    "class": {"type": "string", "description": NASTY[0], "default": NASTY[1]},
    "import": {"type": "string", "description": NASTY[2], "default": NASTY[6]},
    "Import": {"type": "string", "default": NASTY[3]},
    "client": {"type": "string", "default": NASTY[4]},
    'we"ird\nname': {"type": "string", "default": NASTY[7]},
    "trace": {"type": "object", "default": {"k\"ey": [NASTY[5], 1, None, True]}},
    "ünï": {"type": "array", "items": {"type": "string"}, "default": NASTY},
    "2fast": {"type": "string", "enum": [NASTY[0], NASTY[5]], "default": NASTY[5]},
}


def _doc() -> dict:  # type: ignore[type-arg]
    return arazzo(
        [
            {
                "workflowId": "class",
                "summary": NASTY[6],
                "description": "\n".join(NASTY),
                "inputs": {"type": "object", "properties": HOSTILE_INPUTS},
                "steps": [
                    {
                        "stepId": "st" + NASTY[0][:5],
                        "description": NASTY[6],
                        "operationId": "ping",
                        "parameters": [{"name": NASTY[7], "in": "query", "value": NASTY[5] + " {$inputs.import}"}],
                        "requestBody": {"contentType": "application/json", "payload": {NASTY[6]: NASTY[2], "n": "$inputs.Import"}},
                        "successCriteria": [{"condition": "$statusCode == 200 && $response.body#/x != '" + NASTY[5].replace("'", "''") + "'"}],
                        "outputs": {"trace": "$statusCode", NASTY[3]: "$response.body#/x", "trace ": "$response.body#/y"},
                    }
                ],
                "outputs": {NASTY[6]: "$inputs.class", "trace": "$inputs.import", "import": "$inputs.trace"},
            }
        ],
        info={"title": NASTY[6], "version": "1", "summary": NASTY[0], "description": NASTY[2]},
    )


def test_hostile_text_only_reaches_string_constants(generate) -> None:  # type: ignore[no-untyped-def]
    api = openapi({"/ping": {"post": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}})
    gen = generate({"hostile.arazzo.yaml": _doc(), "api.openapi.yaml": api})
    source = (gen.root / "hostile.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    constants = {id(node) for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    # The canary may appear in the source only inside string constants: strip them and it must be gone.
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"__import__", "eval", "exec", "system"}
        if isinstance(node, ast.Name):
            assert node.id not in {"__import__", "os"}
        if isinstance(node, ast.Attribute):
            assert node.attr != "system"
    assert any(CANARY in node.value for node in ast.walk(tree) if id(node) in constants)
    stripped = ast.unparse(_blank_strings(tree))
    assert CANARY not in stripped and "__import__" not in stripped and "system(" not in stripped

    function = gen.class_
    params = inspect.signature(function).parameters
    assert list(params) == ["class_", "import_", "import_2", "client_", "we_ird_name", "trace", "n", "_2fast", "client"]
    defaults = {name: p.default for name, p in params.items() if name != "client"}
    assert list(defaults.values()) == [spec["default"] for spec in HOSTILE_INPUTS.values()]
    fields = list(inspect.signature(gen.ClassResult).parameters)
    assert fields == ["import_os_system_echo_pwned", "trace_", "import_", "trace"]


def _blank_strings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return tree


def test_hostile_workflow_runs(generate) -> None:  # type: ignore[no-untyped-def]
    from loopback import Answer, Loopback

    api = openapi({"/ping": {"post": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}})
    gen = generate({"hostile.arazzo.yaml": _doc(), "api.openapi.yaml": api})
    with Loopback(lambda seen: Answer(200, {"x": "ok", "y": 2})) as server:
        result = gen.class_(client=gen.rt.Client(base_url=server.url))
        seen = server.seen[0]
    assert seen.json() == {NASTY[6]: NASTY[2], "n": NASTY[3]}
    assert seen.query == [(NASTY[7], NASTY[5] + " " + NASTY[6])]
    assert result.import_os_system_echo_pwned == HOSTILE_INPUTS["class"]["default"]
    assert result.trace_ == NASTY[6]
    assert result.import_ == HOSTILE_INPUTS["trace"]["default"]
