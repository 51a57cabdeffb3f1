"""Every Arazzo runtime expression form, read back through step and workflow outputs."""

from __future__ import annotations

from typing import Any


from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen
from generation import Generate

RESPONSE = {
    "int": 1,
    "float": 1.5,
    "bool": False,
    "null": None,
    "str": "s",
    "obj": {"k": [1, {"z": "deep"}]},
    "a/b": {"m~n": 7},
}

API = openapi(
    {
        "/things/{id}": {
            "post": {
                "operationId": "post",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    {"name": "X-Req", "in": "header", "schema": {"type": "string"}},
                ],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/echo": {
            "get": {
                "operationId": "echo",
                "parameters": [{"name": "v", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}},
            }
        },
    }
)


def _serve(seen: Seen) -> Answer:
    if seen.path == "/echo":
        return Answer(200, {"v": dict(seen.query).get("v")})
    return Answer(200, RESPONSE, headers={"X-Resp-Id": "abc"})


def _post_step(outputs: dict[str, str]) -> dict[str, Any]:
    return {
        "stepId": "post",
        "operationId": "post",
        "parameters": [
            {"name": "id", "in": "path", "value": "$inputs.id"},
            {"name": "q", "in": "query", "value": "hello world"},
            {"name": "X-Req", "in": "header", "value": "req-{$inputs.id}"},
        ],
        "requestBody": {
            "contentType": "application/json",
            "payload": {"a": {"b": [10, 20]}, "who": "$inputs.id"},
        },
        "outputs": outputs,
    }


def _flow(step_outputs: dict[str, str], **extra: Any) -> dict[str, Any]:
    outputs = {name: f"$steps.post.outputs.{name}" for name in step_outputs}
    return {
        "workflowId": "exprs",
        "inputs": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "cfg": {"type": "object"}},
        },
        "steps": [_post_step(step_outputs)],
        "outputs": outputs,
        **extra,
    }


def _outputs(
    generate: Generate, flow: dict[str, Any], **inputs: Any
) -> tuple[dict[str, Any], Any, str]:
    gen = generate(
        {
            "flows.arazzo.yaml": arazzo([flow], components=flow.pop("_components", None) or {}),
            "api.openapi.yaml": API,
        }
    )
    with Loopback(_serve) as server:
        result = gen.exprs(client=gen.rt.Client(base_url=server.url), **inputs)
    values = {
        name: getattr(result, name) for name in result.__dataclass_fields__ if name != "trace"
    }
    return values, result, server.url


def test_url_method_and_status_code(generate: Generate) -> None:
    values, result, url = _outputs(
        generate, _flow({"url": "$url", "method": "$method", "status": "$statusCode"}), id=7
    )
    assert values["url"] == result.trace[0].url
    assert values["url"] in (f"{url}/things/7?q=hello%20world", f"{url}/things/7?q=hello+world")
    assert values["method"] == "POST"
    assert values["status"] == 200 and type(values["status"]) is int


def test_request_header_query_path_and_body(generate: Generate) -> None:
    outputs = {
        "header": "$request.header.X-Req",
        "headerLower": "$request.header.x-req",
        "query": "$request.query.q",
        "path": "$request.path.id",
        "body": "$request.body",
        "bodyPointer": "$request.body#/a/b/1",
        "bodyInput": "$request.body#/who",
    }
    values, _, _ = _outputs(generate, _flow(outputs), id=7)
    assert values == {
        "header": "req-7",
        "header_lower": "req-7",
        "query": "hello world",
        "path": 7,
        "body": {"a": {"b": [10, 20]}, "who": 7},
        "body_pointer": 20,
        "body_input": 7,
    }


def test_response_header_case_insensitive_and_body_with_json_types(generate: Generate) -> None:
    outputs = {
        "h1": "$response.header.X-Resp-Id",
        "h2": "$response.header.x-resp-id",
        "h3": "$response.header.X-RESP-ID",
        "hMissing": "$response.header.X-Nope",
        "body": "$response.body",
        "int": "$response.body#/int",
        "float": "$response.body#/float",
        "bool": "$response.body#/bool",
        "null": "$response.body#/null",
        "obj": "$response.body#/obj",
        "deep": "$response.body#/obj/k/1/z",
        "escaped": "$response.body#/a~1b/m~0n",
        "missing": "$response.body#/obj/k/9",
    }
    values, _, _ = _outputs(generate, _flow(outputs), id=1)
    assert values == {
        "h1": "abc",
        "h2": "abc",
        "h3": "abc",
        "h_missing": None,
        "body": RESPONSE,
        "int": 1,
        "float": 1.5,
        "bool": False,
        "null": None,
        "obj": {"k": [1, {"z": "deep"}]},
        "deep": "deep",
        "escaped": 7,
        "missing": None,
    }
    assert type(values["int"]) is int and type(values["bool"]) is bool


def test_inputs_and_steps_outputs_with_pointers(generate: Generate) -> None:
    flow = _flow({"body": "$response.body"})
    flow["steps"].append(
        {
            "stepId": "echo",
            "operationId": "echo",
            "parameters": [
                {"name": "v", "in": "query", "value": "$steps.post.outputs.body#/obj/k/1/z"}
            ],
            "outputs": {"v": "$response.body#/v"},
        }
    )
    flow["outputs"] = {
        "echoed": "$steps.echo.outputs.v",
        "pointer": "$steps.post.outputs.body#/obj/k/0",
        "whole": "$steps.post.outputs.body#/obj",
        "input": "$inputs.id",
        "inputPointer": "$inputs.cfg#/deep/1",
        "inputObject": "$inputs.cfg",
    }
    values, _, _ = _outputs(generate, flow, id=3, cfg={"deep": ["x", {"n": None}]})
    assert values == {
        "echoed": "deep",
        "pointer": 1,
        "whole": {"k": [1, {"z": "deep"}]},
        "input": 3,
        "input_pointer": {"n": None},
        "input_object": {"deep": ["x", {"n": None}]},
    }


def test_workflows_inputs_and_outputs_and_outputs_inside_a_workflow_step(
    generate: Generate,
) -> None:
    child = {
        "workflowId": "child",
        "inputs": {
            "type": "object",
            "properties": {"v": {"type": "string"}, "n": {"type": "integer"}},
        },
        "steps": [
            {
                "stepId": "echo",
                "operationId": "echo",
                "parameters": [{"name": "v", "in": "query", "value": "$inputs.v"}],
                "outputs": {"v": "$response.body#/v", "all": "$response.body"},
            }
        ],
        "outputs": {
            "v": "$steps.echo.outputs.v",
            "all": "$steps.echo.outputs.all",
            "n": "$inputs.n",
        },
    }
    parent = {
        "workflowId": "exprs",
        "steps": [
            {
                "stepId": "call",
                "workflowId": "child",
                "parameters": [{"name": "v", "value": "hi"}, {"name": "n", "value": 4}],
                "outputs": {"v": "$outputs.v", "pointer": "$outputs.all#/v", "n": "$outputs.n"},
            }
        ],
        "outputs": {
            "stepV": "$steps.call.outputs.v",
            "stepPointer": "$steps.call.outputs.pointer",
            "stepN": "$steps.call.outputs.n",
            "childInput": "$workflows.child.inputs.v",
            "childInputN": "$workflows.child.inputs.n",
            "childOutput": "$workflows.child.outputs.v",
            "childOutputPointer": "$workflows.child.outputs.all#/v",
        },
    }
    gen = generate({"flows.arazzo.yaml": arazzo([child, parent]), "api.openapi.yaml": API})
    with Loopback(_serve) as server:
        result = gen.exprs(client=gen.rt.Client(base_url=server.url))
    assert (result.step_v, result.step_pointer, result.step_n) == ("hi", "hi", 4)
    assert (result.child_input, result.child_input_n) == ("hi", 4)
    assert (result.child_output, result.child_output_pointer) == ("hi", "hi")


def test_source_description_url_and_components_in_values(generate: Generate) -> None:
    flow = {
        "workflowId": "exprs",
        "steps": [
            {
                "stepId": "echo",
                "operationId": "echo",
                "parameters": [
                    {"name": "v", "in": "query", "value": "from {$sourceDescriptions.api.url}"}
                ],
                "outputs": {"v": "$response.body#/v", "src": "$sourceDescriptions.api.url"},
            },
            {
                "stepId": "post",
                "operationId": "post",
                "parameters": [{"name": "id", "in": "path", "value": 1}],
                "requestBody": {
                    "contentType": "application/json",
                    "payload": {
                        "param": "$components.parameters.page",
                        "value": "$components.parameters.page#/value",
                    },
                },
                "outputs": {"sent": "$request.body"},
            },
        ],
        "outputs": {
            "v": "$steps.echo.outputs.v",
            "src": "$steps.echo.outputs.src",
            "sent": "$steps.post.outputs.sent",
        },
        "_components": {"parameters": {"page": {"name": "page", "in": "query", "value": 2}}},
    }
    values, _, _ = _outputs(generate, flow)
    assert values == {
        "v": "from api.openapi.yaml",
        "src": "api.openapi.yaml",
        "sent": {"param": {"name": "page", "in": "query", "value": 2}, "value": 2},
    }
