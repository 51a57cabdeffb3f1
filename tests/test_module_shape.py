"""The shape of generated modules: named step functions, typed inputs, constants, tables last, and the
names the sanitiser gives to hostile step ids, operationIds and input names."""

from __future__ import annotations

import ast
import subprocess
import sys
from typing import Any

from generator.expressions import (
    parse_expression,
)
from generator.codegen.compile import (
    InputField,
    compile_expression,
    source,
)
from generator.codegen.pycode import Identifier
from inline import arazzo, openapi
from loopback import Answer, Loopback

PING = {
    "/ping": {
        "post": {
            "operationId": "ping",
            "requestBody": {"content": {"application/json": {"schema": {}}}},
            "responses": {"200": {"description": "ok"}},
        }
    }
}


def _module_source(gen: Any) -> str:
    text: str = (gen.root / "flows.py").read_text(encoding="utf-8")
    return text


def _defs(text: str) -> list[ast.stmt]:
    return ast.parse(text).body


def test_typed_input_reads() -> None:
    inputs = {
        "name": InputField(Identifier("name"), True),
        "tag": InputField(Identifier("tag_"), False),
    }

    def compiled(text: str) -> str:
        return source(compile_expression(parse_expression(text), None, inputs))

    assert compiled("$inputs.name") == "c.inputs.name"
    assert compiled("$inputs.tag") == "rt.given(c.inputs.tag_)"
    assert compiled("$inputs.tag#/a/0") == "rt.at(rt.given(c.inputs.tag_), '/a/0')"
    assert compiled("$inputs.other#/x") == "c.input('other', '/x')"
    assert source(compile_expression(parse_expression("$inputs.name"))) == "c.input('name')"


def test_module_reads_top_to_bottom(generate: Any) -> None:
    query = "query Q { " + "field " * 30 + "}"
    flow = {
        "workflowId": "send-it",
        "inputs": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "note": {"type": "string"}},
        },
        "steps": [
            {
                "stepId": "sendIt",
                "operationId": "ping",
                "requestBody": {
                    "payload": {
                        "query": query,
                        "vars": {"n": "$inputs.name", "note": "$inputs.note"},
                    }
                },
                "successCriteria": [
                    {"condition": "$statusCode == 200"},
                    {"condition": "$response.body#/ok == true"},
                ],
                "onFailure": [
                    {
                        "name": "again",
                        "type": "retry",
                        "retryLimit": 1,
                        "criteria": [{"condition": "$statusCode == 503"}],
                    }
                ],
                "outputs": {"ok": "$response.body#/ok"},
            }
        ],
        "outputs": {"ok": "$steps.sendIt.outputs.ok"},
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": openapi(PING)})
    text = _module_source(gen)
    assert "lambda" not in text and ".get(" not in text.split("def _send_it_inputs")[0]
    order = [
        getattr(node, "name", None)
        or ast.unparse(getattr(node, "targets", [getattr(node, "target", node)])[0])
        for node in _defs(text)
        if not isinstance(node, (ast.ImportFrom, ast.Expr))
    ]
    assert order[:4] == ["SendItInputs", "SendItResult", "send_it", "send_it_async"]
    steps = order.index("_send_it_request")
    assert order[steps : steps + 4] == [
        "_send_it_request",
        "_send_it_succeeded",
        "_send_it_outputs",
        "_send_it_again_applies",
    ]
    assert order.index("_send_it_outputs_2") < order.index("_SEND_IT_QUERY") < order.index("_PING")
    assert order[-3:] == ["_PING", "_SEND_IT_2", "_REGISTRY"] or order[-2:] == [
        "_SEND_IT",
        "_REGISTRY",
    ]
    assert "# Step 'sendIt' (../flows.arazzo.yaml, line " in text
    assert (
        "return rt.eq(c.status_code(), 200) and rt.eq(c.response_body('/ok'), True)"
        in ast.unparse(ast.parse(text))
    )
    assert "c.inputs.name" in text and "rt.given(c.inputs.note)" in text
    # the long query is a constant the request refers to by name
    tree = ast.parse(text)
    constant = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "_SEND_IT_QUERY")  # type: ignore[attr-defined]
    assert ast.literal_eval(constant.value) == query
    with Loopback(lambda seen: Answer(200, {"ok": True})) as server:
        result = gen.send_it(name="a", client=gen.rt.Client(base_url=server.url))
    assert result.ok is True
    # the optional input left out is absent from the body: the member it feeds is omitted
    assert server.seen[0].json() == {"query": query, "vars": {"n": "a"}}


def test_hostile_ids_become_distinct_identifiers(generate: Any) -> None:
    paths = {
        f"/p{i}": {"post": {"operationId": op, "responses": {"200": {"description": "ok"}}}}
        for i, op in enumerate(["class", "a-b", "a b", "1st", "ä"])
    }
    steps = [
        {"stepId": sid, "operationId": op, "outputs": {"s": "$statusCode"}}
        for sid, op in [
            ("import", "class"),
            ("import!", "a-b"),
            ("x y", "a b"),
            ("1", "1st"),
            ("ü", "ä"),
        ]
    ]
    inputs = {
        "type": "object",
        "properties": {
            k: {"type": "string"}
            for k in ["class", "client", "rt", "a-b", "a_b", "1x", "trace", "values", "inputs"]
        },
    }
    flow = {
        "workflowId": "w",
        "inputs": inputs,
        "steps": steps,
        "outputs": {"trace": "$steps.import.outputs.s", "Trace": "$steps.ü.outputs.s"},
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": openapi(paths)})
    text = _module_source(gen)
    names = [n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)]
    assert len(names) == len(set(names))
    assert {
        "_import_outputs",
        "_import_outputs_2",
        "_x_y_outputs",
        "__1_outputs",
        "_outputs",
    } <= set(names)
    operations = [
        n.targets[0].id
        for n in ast.parse(text).body
        if isinstance(n, ast.Assign)
        and isinstance(n.targets[0], ast.Name)
        and ast.unparse(n.value).startswith("rt.Operation(")
    ]
    assert operations == ["_CLASS", "_A_B", "_A_B_2", "_1ST", "_"]
    fields = list(gen.WInputs.__dataclass_fields__)
    assert fields == [
        "class_",
        "client_",
        "rt_",
        "a_b",
        "a_b_2",
        "_1x",
        "trace",
        "values",
        "inputs",
    ]
    assert list(gen.WResult.__dataclass_fields__) == ["trace_", "trace_2", "trace"]
    with Loopback(lambda seen: Answer(200, {})) as server:
        result = gen.w(
            class_="c", a_b_2="x", values="v", inputs="i", client=gen.rt.Client(base_url=server.url)
        )
    assert result.trace_ == 200 and result.trace_2 == 200 and len(result.trace) == 5


def test_same_step_id_in_two_workflows(generate: Any) -> None:
    def flow(wid: str, status: int) -> dict[str, Any]:
        return {
            "workflowId": wid,
            "steps": [
                {
                    "stepId": "go",
                    "operationId": "ping",
                    "successCriteria": [{"condition": f"$statusCode == {status}"}],
                }
            ],
        }

    gen = generate(
        {
            "flows.arazzo.yaml": arazzo([flow("a", 200), flow("b", 201)]),
            "api.openapi.yaml": openapi(PING),
        }
    )
    text = _module_source(gen)
    assert "def _go_succeeded(" in text and "def _go_succeeded_2(" in text
    with Loopback(lambda seen: Answer(201, {})) as server:
        client = gen.rt.Client(base_url=server.url)
        assert len(gen.b(client=client).trace) == 1
        try:
            gen.a(client=client)
        except gen.rt.StepFailedError as error:
            assert error.step_id == "go" and error.workflow_id == "a"
        else:
            raise AssertionError("workflow a accepts only 200")


def test_mutable_input_default(generate: Any) -> None:
    inputs = {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string"}, "default": ["x"]},
            "meta": {"type": "object", "default": {"k": 1}},
        },
    }
    flow = {
        "workflowId": "w",
        "inputs": inputs,
        "steps": [
            {
                "stepId": "s",
                "operationId": "ping",
                "requestBody": {"payload": {"tags": "$inputs.tags", "meta": "$inputs.meta"}},
            }
        ],
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": openapi(PING)})
    first, second = gen.WInputs(), gen.WInputs()
    assert first.tags == ["x"] and first.meta == {"k": 1} and first.tags is not second.tags
    with Loopback(lambda seen: Answer(200, {})) as server:
        gen.w(client=gen.rt.Client(base_url=server.url))
        gen.w(tags=["y"], client=gen.rt.Client(base_url=server.url))
    assert [seen.json() for seen in server.seen] == [
        {"tags": ["x"], "meta": {"k": 1}},
        {"tags": ["y"], "meta": {"k": 1}},
    ]


def test_generated_module_passes_mypy_strict(generate: Any) -> None:
    flow = {
        "workflowId": "w",
        "inputs": {
            "type": "object",
            "properties": {
                "n": {"type": "integer", "default": 2},
                "l": {"type": "array", "default": []},
            },
        },
        "steps": [
            {
                "stepId": "s",
                "operationId": "ping",
                "requestBody": {"payload": {"n": "$inputs.n#/x"}},
            }
        ],
        "outputs": {"n": "$inputs.n"},
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": openapi(PING)})
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(gen.root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_result_is_built_from_outputs_in_declaration_order() -> None:
    from dataclasses import dataclass

    import pytest

    from generator.runtime.run import result
    from generator.runtime.spec import Workflow
    from generator.runtime.values import MISSING

    @dataclass(frozen=True)
    class Result:
        a: Any
        b: Any
        trace: tuple[Any, ...]

    workflow: Workflow[None, Result] = Workflow("w", (), result=Result)
    built = result(workflow, {"a": 1, "b": MISSING}, ())
    assert built == Result(1, None, ())
    with pytest.raises(
        AssertionError,
        match=r"workflow 'w': 1 outputs \(a\) for result fields \['a', 'b', 'trace'\]",
    ):
        result(workflow, {"a": 1}, ())


def test_imported_workflow_gets_a_private_inputs_class(generate: Any) -> None:
    from test_arazzo_sources import CHILD, PARENT, PETS, TOKENS

    gen = generate(
        {
            "child.arazzo.yaml": CHILD,
            "parent.arazzo.yaml": PARENT,
            "tokens.openapi.yaml": TOKENS,
            "pets.openapi.yaml": PETS,
        },
        entry="parent.arazzo.yaml",
    )
    text = (gen.root / "parent.py").read_text(encoding="utf-8")
    assert "class _GetTokenInputs:" in text
    assert "def _issue_request(c: rt.Context[_GetTokenInputs]) -> rt.Request:" in text
    assert '"user": c.inputs.user' in text
    assert "_GET_TOKEN: rt.Workflow[_GetTokenInputs, Any] = rt.Workflow(" in text
    module = gen.modules["parent"]
    assert module._GetTokenInputs(user="u").user == "u"
    assert "_GetTokenInputs" not in dir(gen.rt)


def test_input_named_field_beside_a_mutable_default(generate: Any) -> None:
    inputs = {
        "type": "object",
        "properties": {
            "field": {"type": "string", "default": "f"},
            "tags": {"type": "array", "default": ["x"]},
            "more": {"type": "object", "default": {}},
        },
    }
    flow = {
        "workflowId": "w",
        "inputs": inputs,
        "steps": [
            {
                "stepId": "s",
                "operationId": "ping",
                "requestBody": {"payload": {"f": "$inputs.field", "tags": "$inputs.tags"}},
            }
        ],
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": openapi(PING)})
    assert "from dataclasses import dataclass, field as _field" in _module_source(gen)
    made = gen.WInputs()
    assert (made.field, made.tags, made.more) == ("f", ["x"], {})
    with Loopback(lambda seen: Answer(200, {})) as server:
        gen.w(client=gen.rt.Client(base_url=server.url))
    assert server.seen[0].json() == {"f": "f", "tags": ["x"]}
