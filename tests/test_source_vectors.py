"""Every place spec text meets generated source, tried with text that would run if it escaped.

Each vector plants PAYLOAD (quotes of every kind, backslashes, a line break, template braces and a call that
creates a file) in one field. The document is either rejected with diagnostics (never a traceback), or it
generates a module that imports, whose annotations evaluate, that creates no file, in which the call
appears only inside string constants, and which keeps the planted text exactly where it is a value.
"""

from __future__ import annotations

import ast
import importlib
import re
import inspect
import sys
import typing
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from generator.diagnostics import Diagnostics
from generator.emit.writer import write_package
from generator.pipeline import generate_files
from inline import arazzo, openapi

CALL = "__import__('os').system('touch PWNED')"
PAYLOAD = f"q'\"\\ ''' \"\"\" ) ]}} #\n{CALL} # {{{{ x }}}} {{% x %}}\\"
ONE_LINE = PAYLOAD.replace("\n", " ")
CONTROL = "nul\x00 esc\x1b del\x7f nel\x85 ls\u2028 ps\u2029 bom\ufeff ff\x0c vt\x0b cr\r end\\"


def _api(**op: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": "ping", "responses": {"200": {"description": "ok"}}}
    operation.update(op)
    return openapi({"/ping": {"post": operation}})


def _wf(**extra: Any) -> dict[str, Any]:
    step: dict[str, Any] = {"stepId": "s", "operationId": "ping"}
    step.update(extra.pop("step", {}))
    workflow: dict[str, Any] = {"workflowId": "w", "steps": [step]}
    workflow.update(extra)
    return workflow


class Outcome:
    def __init__(self, diagnostics: list[str], module: Any, source: str) -> None:
        self.diagnostics, self.module, self.source = diagnostics, module, source

    @property
    def generated(self) -> bool:
        return self.module is not None


_count = iter(range(10**6))


@pytest.fixture
def attempt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Outcome]:
    monkeypatch.chdir(tmp_path)

    def _attempt(
        doc: dict[str, Any], api: dict[str, Any] | None = None, folder: str = "."
    ) -> Outcome:
        entry = tmp_path / folder / "flows.arazzo.yaml"
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_text(
            yaml.safe_dump(doc, sort_keys=False, allow_unicode=False), encoding="utf-8"
        )
        (entry.parent / "api.openapi.yaml").write_text(
            yaml.safe_dump(api or _api(), sort_keys=False), encoding="utf-8"
        )
        package = f"vec_{next(_count)}_{tmp_path.name.replace('-', '_')}"
        out_dir = tmp_path / "out" / package
        diagnostics = Diagnostics()
        files = generate_files([str(entry.relative_to(tmp_path))], out_dir, diagnostics)
        messages = [str(d) for d in diagnostics.sorted()]
        if files is None:
            assert any(": error: " in m for m in messages)
            assert not out_dir.exists()
            return Outcome(messages, None, "")
        write_package(files, out_dir)
        sys.path.insert(0, str(tmp_path / "out"))
        try:
            module = importlib.import_module(f"{package}.flows")
        finally:
            sys.path.remove(str(tmp_path / "out"))
        for value in list(vars(module).values()):
            if callable(value) and getattr(value, "__module__", "") == module.__name__:
                typing.get_type_hints(value)
        source = files["flows.py"]
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                node.value = ""
        for node in ast.walk(tree):
            assert not (
                isinstance(node, ast.Name) and node.id in {"__import__", "os", "eval", "exec"}
            )
            assert not (isinstance(node, ast.Attribute) and node.attr == "system")
        # the planted text may only survive inside names the sanitiser made of it (letters, digits, _)
        for found in re.finditer("PWNED", ast.unparse(tree)):
            assert re.fullmatch(
                r"[A-Za-z0-9_]+", ast.unparse(tree)[found.start() - 6 : found.end() + 4]
            )
        assert not (tmp_path / "PWNED").exists()
        return Outcome(messages, module, source)

    return _attempt


def _result(out: Outcome, table: str, outputs: dict[str, Any]) -> Any:
    """The result object the runtime builds for a workflow table from its outputs."""
    run = importlib.import_module(out.module.__package__ + "._runtime.run")
    return run.result(getattr(out.module, table), outputs, ())


def _constants(source: str) -> set[str]:
    return {
        n.value
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def test_operation_id(attempt: Callable[..., Outcome]) -> None:
    out = attempt(arazzo([_wf(step={"operationId": PAYLOAD})]), _api(operationId=PAYLOAD))
    assert out.generated


def test_operation_path_and_server(attempt: Callable[..., Outcome]) -> None:
    path = "/p/" + ONE_LINE.replace("{", "(").replace("}", ")").replace("#", "%23")
    api = openapi(
        {path: {"post": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}},
        servers=[{"url": "http://127.0.0.1/" + ONE_LINE.replace(" ", "")}],
    )
    out = attempt(arazzo([_wf()]), api)
    assert out.generated and path in _constants(out.source)


def test_step_id(attempt: Callable[..., Outcome]) -> None:
    # Arazzo 1.0.1 only recommends a pattern for stepId: any text is a value, here in rt.Step(...)
    out = attempt(arazzo([_wf(step={"stepId": PAYLOAD})]))
    assert out.generated and PAYLOAD in _constants(out.source)


def test_workflow_id(attempt: Callable[..., Outcome]) -> None:
    out = attempt(arazzo([_wf(workflowId=PAYLOAD, outputs={"n": "$statusCode"})]))
    assert out.generated and PAYLOAD in _constants(out.source)
    function = out.module.q_import_os_system_touch_pwned_x_x
    assert function.__name__ == "q_import_os_system_touch_pwned_x_x"
    assert typing.get_type_hints(out.module.QImportOsSystemTouchPwnedXXResult)["n"] == int | None


@pytest.mark.parametrize(
    "name", ["classmethod", "list", "dict", "tuple", "str", "int", "float", "bool", "dataclass"]
)
def test_workflow_named_like_a_name_the_module_uses(
    attempt: Callable[..., Outcome], name: str
) -> None:
    other = _wf(
        workflowId="other",
        outputs={"n": "$statusCode"},
        inputs={
            "type": "object",
            "properties": {
                "o": {
                    "type": "object",
                    "properties": {
                        "a": {"type": "array", "items": {"type": "string"}},
                        "d": {"type": "object"},
                        "f": {"type": "number"},
                        "b": {"type": "boolean"},
                        "i": {"type": "integer"},
                    },
                }
            },
        },
    )
    out = attempt(arazzo([_wf(workflowId=name), other]))
    assert out.generated
    assert callable(getattr(out.module, name + "_"))
    assert _result(out, "_OTHER", {"n": 1}).n == 1


def test_output_names(attempt: Callable[..., Outcome]) -> None:
    outputs = {PAYLOAD: "$statusCode", "x": f"$steps.s.outputs.{PAYLOAD}"}
    out = attempt(arazzo([_wf(step={"outputs": {PAYLOAD: "$statusCode"}}, outputs=outputs)]))
    if (
        out.generated
    ):  # the expression grammar may refuse the name inside $steps...: then a diagnostic
        assert PAYLOAD in _constants(out.source)
    else:
        assert all("[expression]" in m or "warning" in m for m in out.diagnostics), out.diagnostics
    out = attempt(
        arazzo([_wf(step={"outputs": {PAYLOAD: "$statusCode"}}, outputs={PAYLOAD: "$statusCode"})])
    )
    assert out.generated and PAYLOAD in _constants(out.source)
    field = "q_import_os_system_touch_pwned_x_x"
    assert _result(out, "_W", {PAYLOAD: 7}).__dict__[field] == 7


def test_parameter_and_header_names(attempt: Callable[..., Outcome]) -> None:
    params = [
        {"name": PAYLOAD, "in": "query", "value": PAYLOAD},
        {"name": ONE_LINE, "in": "header", "value": "v"},
        {"name": ONE_LINE, "in": "cookie", "value": "v"},
    ]
    out = attempt(arazzo([_wf(step={"parameters": params})]))
    assert out.generated and {PAYLOAD, ONE_LINE} <= _constants(out.source)


def test_source_name(attempt: Callable[..., Outcome]) -> None:
    out = attempt(
        arazzo(
            [_wf(step={"operationId": f"$sourceDescriptions.{ONE_LINE}.ping"})],
            sources=[{"name": ONE_LINE, "url": "api.openapi.yaml", "type": "openapi"}],
        )
    )
    assert not out.generated


def test_source_url(attempt: Callable[..., Outcome]) -> None:
    url = "api.openapi.yaml?" + ONE_LINE.replace(" ", "")
    out = attempt(arazzo([_wf()], sources=[{"name": "api", "url": url, "type": "openapi"}]))
    assert not out.generated  # no such file: reported, nothing written


def test_json_pointers(attempt: Callable[..., Outcome]) -> None:
    pointer = "/" + ONE_LINE.replace("/", "~1").replace("~", "~0").replace("~01", "~1").replace(
        "#", ""
    )
    pointer = pointer.replace("{", "").replace("}", "")
    step = {
        "outputs": {"a": f"$response.body#{pointer}", "b": f"$request.body#{pointer}"},
        "requestBody": {
            "contentType": "application/json",
            "payload": {"k": "v"},
            "replacements": [{"target": pointer, "value": PAYLOAD}],
        },
        "successCriteria": [{"condition": f"$response.body#{pointer} != null"}],
    }
    out = attempt(
        arazzo(
            [
                _wf(
                    step=step,
                    inputs={"type": "object", "properties": {"i": {}}},
                    outputs={"c": f"$inputs.i#{pointer}"},
                )
            ]
        )
    )
    if out.generated:
        assert pointer in _constants(out.source)
    else:
        assert all(
            CALL not in m or "[expression]" in m or "[unsupported]" in m for m in out.diagnostics
        )


def test_regex_jsonpath_and_xpath_queries(attempt: Callable[..., Outcome]) -> None:
    regex = "q'\"\\\\ ''' \"\"\" \\) \\] # " + CALL.replace("(", "\\(").replace(")", "\\)")
    jsonpath = "$[?@.a == '" + CALL.replace("'", "\\'") + "']"
    xpath = '//a[text()="' + CALL + "'''\"\"\"" + '"]'.replace('"]', '"]')
    xpath = "//a[text()='" + CALL.replace("'", "''") + "']"
    criteria = [
        {"context": "$response.body", "condition": regex, "type": "regex"},
        {"context": "$response.body", "condition": jsonpath, "type": "jsonpath"},
        {"context": "$response.body", "condition": xpath, "type": "xpath"},
        {
            "condition": "$response.body#/a == '"
            + PAYLOAD.replace("'", "''").replace("\n", " ")
            + "'"
        },
    ]
    out = attempt(arazzo([_wf(step={"successCriteria": criteria})]))
    assert out.generated
    assert {regex, jsonpath, xpath} <= _constants(out.source)


def test_component_names_and_values(attempt: Callable[..., Outcome]) -> None:
    components = {
        "parameters": {"p": {"name": PAYLOAD, "in": "query", "value": PAYLOAD}},
        "inputs": {
            "i": {"type": "object", "properties": {PAYLOAD: {"type": "string", "enum": [PAYLOAD]}}}
        },
    }
    step = {
        "parameters": [{"reference": "$components.parameters.p"}],
        "requestBody": {
            "contentType": "application/json",
            "payload": {"x": "$components.parameters.p"},
        },
    }
    out = attempt(
        arazzo([_wf(step=step, inputs={"$ref": "#/components/inputs/i"})], components=components)
    )
    assert out.generated and PAYLOAD in _constants(out.source)
    bad = {"parameters": {ONE_LINE: {"name": "n", "in": "query", "value": 1}}}
    out = attempt(arazzo([_wf()], components=bad))
    assert not out.generated


def test_descriptions_with_quotes_backslashes_and_control_characters(
    attempt: Callable[..., Outcome],
) -> None:
    text = PAYLOAD + '"' + CONTROL + '"""'
    info = {"title": text, "summary": text, "description": text, "version": "1"}
    inputs = {
        "type": "object",
        "description": text,
        "properties": {
            "x": {"type": "string", "description": text, "default": text, "enum": [text]}
        },
    }
    out = attempt(
        arazzo(
            [_wf(summary=text, description=text, inputs=inputs, step={"description": text})],
            info=info,
        )
    )
    assert out.generated
    assert CALL in (out.module.__doc__ or "") and CALL in (out.module.w.__doc__ or "")
    assert typing.get_type_hints(out.module.w)["x"] == typing.Literal[text]


def test_string_values_with_control_characters_and_surrogates(
    attempt: Callable[..., Outcome],
) -> None:
    step = {
        "requestBody": {
            "contentType": "application/json",
            "payload": {CONTROL: [CONTROL, "\ud800x"]},
        }
    }
    out = attempt(arazzo([_wf(step=step)]))
    if out.generated:
        assert CONTROL in _constants(out.source)


def test_keyword_property_names(attempt: Callable[..., Outcome]) -> None:
    names = [
        "class",
        "import",
        "None",
        "True",
        "match",
        "type",
        "client",
        "rt",
        "__class__",
        "self",
    ]
    inputs = {
        "type": "object",
        "properties": {n: {"type": "object", "properties": {n: {"enum": [n]}}} for n in names},
    }
    out = attempt(arazzo([_wf(inputs=inputs, outputs={n: f"$inputs.{n}" for n in names})]))
    assert out.generated
    params = list(inspect.signature(out.module.w).parameters)
    assert params == [
        "class_",
        "import_",
        "none",
        "true",
        "match",
        "type",
        "client_",
        "rt_",
        "class_2",
        "self",
        "client",
    ]
    fields = list(inspect.signature(out.module.WResult).parameters)
    assert fields == [
        "class_",
        "import_",
        "none",
        "true",
        "match",
        "type",
        "client",
        "rt",
        "class_2",
        "self",
        "trace",
    ]


def test_security_scheme_names_and_content_types(attempt: Callable[..., Outcome]) -> None:
    schemes = {"k.-_": {"type": "apiKey", "in": "query", "name": ONE_LINE}}
    api = _api(
        security=[{"k.-_": []}],
        requestBody={
            "content": {
                "application/json; x=" + ONE_LINE.replace(" ", ""): {"schema": {"type": "object"}}
            }
        },
    )
    api["components"] = {"securitySchemes": schemes}
    step = {"requestBody": {"contentType": "text/" + ONE_LINE, "payload": PAYLOAD}}
    out = attempt(arazzo([_wf(step=step)]), api)
    assert out.generated and ONE_LINE in _constants(out.source), out.diagnostics


@pytest.mark.parametrize(
    "folder", ["coding=utf-7", "x-coding:latin-1", "vim: set fileencoding=utf-16"]
)
def test_document_path_cannot_declare_a_source_encoding(
    attempt: Callable[..., Outcome], folder: str
) -> None:
    info = {"title": "t", "version": "1", "description": "+ACIAIgAi-\n" + CALL + "\n+ACIAIgAi-"}
    out = attempt(arazzo([_wf()], info=info), folder=folder)
    assert out.generated and CALL in (out.module.__doc__ or "")
    assert out.source.splitlines()[0].startswith("# Generated by arazzo-codegen from ")


def test_numbers_without_a_literal_are_diagnostics(attempt: Callable[..., Outcome]) -> None:
    inputs = {
        "type": "object",
        "properties": {"x": {"type": "number", "default": float("inf"), "maximum": float("nan")}},
    }
    out = attempt(arazzo([_wf(inputs=inputs)]))
    assert not out.generated
