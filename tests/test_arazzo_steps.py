"""Arazzo steps: operationId, qualified operationId, operationPath, workflowId — each against a loopback server."""

from __future__ import annotations

from typing import Any

import pytest

from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen
from generation import Generate


def _op(operation_id: str, params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "parameters": params or [],
        "responses": {"200": {"description": "ok"}},
    }


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _echo(seen: Seen) -> Answer:
    return Answer(200, {"path": seen.path, "method": seen.method})


def test_operation_id_step_calls_the_operation(generate: Generate) -> None:
    api = openapi({"/ping": {"get": _op("ping")}, "/pong": {"post": _op("pong")}})
    flow = {
        "workflowId": "one",
        "steps": [
            {"stepId": "s", "operationId": "pong", "outputs": {"path": "$response.body#/path"}}
        ],
        "outputs": {"path": "$steps.s.outputs.path"},
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
    with Loopback(_echo) as server:
        result = gen.one(client=gen.rt.Client(base_url=server.url))
        assert [(s.method, s.path) for s in server.seen] == [("POST", "/pong")]
    assert result.path == "/pong"
    assert [(r.step_id, r.method, r.status_code) for r in result.trace] == [("s", "POST", 200)]


def test_qualified_operation_id_picks_the_source_and_its_server(generate: Generate) -> None:
    # Both sources define operationId "get"; the qualified form disambiguates, and each goes to its own server.
    users = openapi({"/users": {"get": _op("get")}})
    orders = openapi({"/orders": {"get": _op("get")}})
    flow = {
        "workflowId": "both",
        "steps": [
            {"stepId": "u", "operationId": "$sourceDescriptions.users.get"},
            {"stepId": "o", "operationId": "$sourceDescriptions.orders.get"},
        ],
    }
    sources = [
        {"name": "users", "url": "users.openapi.yaml", "type": "openapi"},
        {"name": "orders", "url": "orders.openapi.yaml", "type": "openapi"},
    ]
    gen = generate(
        {
            "flows.arazzo.yaml": arazzo([flow], sources),
            "users.openapi.yaml": users,
            "orders.openapi.yaml": orders,
        }
    )
    with Loopback(_echo) as one, Loopback(_echo) as two:
        client = gen.rt.Client(servers={"users": one.url + "/v1/", "orders": two.url})
        result = gen.both(client=client)
        assert [s.path for s in one.seen] == ["/v1/users"]  # the server URL's path is kept
        assert [s.path for s in two.seen] == ["/orders"]
    assert result.trace[0].url == one.url + "/v1/users"
    assert result.trace[1].url == two.url + "/orders"


def test_operation_path_with_escaped_slashes_and_tildes(generate: Generate) -> None:
    api = openapi(
        {
            "/pets/{petId}": {
                "get": _op("getPet", [_path_param("petId")]),
                "delete": _op("delPet", [_path_param("petId")]),
            },
            "/a~b/items": {"get": _op("tilde")},
        }
    )
    flow = {
        "workflowId": "paths",
        "inputs": {"type": "object", "properties": {"id": {"type": "string"}}},
        "steps": [
            {
                "stepId": "pet",
                "operationPath": "{$sourceDescriptions.api.url}#/paths/~1pets~1{petId}/get",
                "parameters": [{"name": "petId", "in": "path", "value": "$inputs.id"}],
            },
            {
                "stepId": "tilde",
                "operationPath": "{$sourceDescriptions.api.url}#/paths/~1a~0b~1items/get",
            },
            {
                "stepId": "del",
                "operationPath": "{$sourceDescriptions.api.url}#/paths/~1pets~1{petId}/delete",
                "parameters": [{"name": "petId", "in": "path", "value": "x"}],
            },
        ],
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
    with Loopback(_echo) as server:
        gen.paths(id="42", client=gen.rt.Client(base_url=server.url))
        assert [(s.method, s.path) for s in server.seen] == [
            ("GET", "/pets/42"),
            ("GET", "/a~b/items"),
            ("DELETE", "/pets/x"),
        ]


def test_operation_path_fragment_may_be_percent_encoded(generate: Generate) -> None:
    api = openapi({"/pets/{petId}": {"get": _op("getPet", [_path_param("petId")])}})
    flow = {
        "workflowId": "encoded",
        "steps": [
            {
                "stepId": "pet",
                "operationPath": "{$sourceDescriptions.api.url}#/paths/~1pets~1%7BpetId%7D/get",
                "parameters": [{"name": "petId", "in": "path", "value": "5"}],
            }
        ],
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
    with Loopback(_echo) as server:
        gen.encoded(client=gen.rt.Client(base_url=server.url))
        assert [s.path for s in server.seen] == ["/pets/5"]


def test_workflow_step_runs_the_child_with_parameters_as_inputs(generate: Generate) -> None:
    api = openapi({"/pets/{petId}": {"get": _op("getPet", [_path_param("petId")])}})
    child = {
        "workflowId": "child",
        "inputs": {
            "type": "object",
            "required": ["petId"],
            "properties": {"petId": {"type": "string"}},
        },
        "steps": [
            {
                "stepId": "fetch",
                "operationId": "getPet",
                "parameters": [{"name": "petId", "in": "path", "value": "$inputs.petId"}],
                "outputs": {"name": "$response.body#/name", "age": "$response.body#/age"},
            }
        ],
        "outputs": {"name": "$steps.fetch.outputs.name", "age": "$steps.fetch.outputs.age"},
    }
    parent = {
        "workflowId": "parent",
        "inputs": {"type": "object", "properties": {"id": {"type": "string"}}},
        "steps": [
            {
                "stepId": "call",
                "workflowId": "child",
                "parameters": [{"name": "petId", "value": "$inputs.id"}],
                "outputs": {"childName": "$outputs.name"},
            },
            {
                "stepId": "again",
                "operationId": "getPet",
                "parameters": [
                    {"name": "petId", "in": "path", "value": "$steps.call.outputs.childName"}
                ],
            },
        ],
        "outputs": {
            "viaStep": "$steps.call.outputs.childName",
            "viaWorkflow": "$workflows.child.outputs.age",
            "childInput": "$workflows.child.inputs.petId",
        },
    }

    def handler(seen: Seen) -> Answer:
        return Answer(200, {"name": "rex-" + seen.path.rsplit("/", 1)[1], "age": 3})

    gen = generate({"flows.arazzo.yaml": arazzo([child, parent]), "api.openapi.yaml": api})
    with Loopback(handler) as server:
        result = gen.parent(id="7", client=gen.rt.Client(base_url=server.url))
        assert [s.path for s in server.seen] == ["/pets/7", "/pets/rex-7"]
    assert result.via_step == "rex-7"
    assert result.via_workflow == 3 and isinstance(result.via_workflow, int)
    assert result.child_input == "7"
    assert [(r.workflow_id, r.step_id) for r in result.trace] == [
        ("child", "fetch"),
        ("parent", "again"),
    ]


# -- components and dependsOn ---------------------------------------------------------------------------

COMPONENTS = {
    "inputs": {
        "petInputs": {
            "type": "object",
            "required": ["petId"],
            "properties": {
                "petId": {"type": "string"},
                "verbose": {"type": "boolean", "default": True},
            },
        }
    },
    "parameters": {
        "verbose": {"name": "verbose", "in": "query", "value": "$inputs.verbose"},
        "trace": {"name": "X-Trace", "in": "header", "value": "component"},
    },
    "successActions": {
        "stop": {
            "name": "stop",
            "type": "end",
            "criteria": [{"condition": "$response.body#/done == true"}],
        }
    },
    "failureActions": {"again": {"name": "again", "type": "retry", "retryLimit": 2}},
}
COMPONENT_API = openapi(
    {
        "/pets/{petId}": {
            "get": _op(
                "getPet",
                [
                    _path_param("petId"),
                    {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                ],
            )
        },
        "/other": {"get": _op("other")},
    }
)


def test_components_inputs_ref_and_parameter_references_with_value_override(
    generate: Generate,
) -> None:
    flow = {
        "workflowId": "pet",
        "inputs": {"$ref": "#/components/inputs/petInputs"},
        "steps": [
            {
                "stepId": "get",
                "operationId": "getPet",
                "parameters": [
                    {"name": "petId", "in": "path", "value": "$inputs.petId"},
                    {"reference": "$components.parameters.verbose"},
                    {
                        "reference": "$components.parameters.trace",
                        "value": "overridden-{$inputs.petId}",
                    },
                ],
            },
            {
                "stepId": "again",
                "operationId": "getPet",
                "parameters": [
                    {"name": "petId", "in": "path", "value": "2"},
                    {"reference": "$components.parameters.trace"},
                ],
            },
        ],
    }
    gen = generate(
        {
            "flows.arazzo.yaml": arazzo([flow], components=COMPONENTS),
            "api.openapi.yaml": COMPONENT_API,
        }
    )
    with Loopback(lambda seen: Answer(200, {})) as server:
        client = gen.rt.Client(base_url=server.url)
        gen.pet(pet_id="1", client=client)
        with pytest.raises(gen.rt.InputError):
            gen.pet(pet_id=5, client=client)  # the referenced schema is enforced
        first, second = server.seen
    assert first.query == [("verbose", "true")]  # the referenced schema's default
    assert first.headers["x-trace"] == "overridden-1"
    assert second.headers["x-trace"] == "component" and second.query == []


def test_components_success_and_failure_actions_by_reference(generate: Generate) -> None:
    flow = {
        "workflowId": "acts",
        "failureActions": [{"reference": "$components.failureActions.again"}],
        "steps": [
            {
                "stepId": "a",
                "operationId": "other",
                "onSuccess": [{"reference": "$components.successActions.stop"}],
            },
            {"stepId": "b", "operationId": "other"},
        ],
    }
    gen = generate(
        {
            "flows.arazzo.yaml": arazzo([flow], components=COMPONENTS),
            "api.openapi.yaml": COMPONENT_API,
        }
    )
    answers = [Answer(500, {}), Answer(500, {}), Answer(200, {"done": True})]
    with Loopback(lambda seen: answers.pop(0)) as server:
        result = gen.acts(client=gen.rt.Client(base_url=server.url))
        assert (
            len(server.seen) == 3
        )  # a failed twice and was retried twice, then ended the workflow
    assert [(r.step_id, r.attempt) for r in result.trace] == [("a", 1), ("a", 2), ("a", 3)]


def test_depends_on_runs_each_named_workflow_once_first(generate: Generate) -> None:
    def pet_flow(workflow_id: str, depends: list[str] | None = None) -> dict[str, Any]:
        flow: dict[str, Any] = {
            "workflowId": workflow_id,
            "inputs": {"type": "object", "properties": {"petId": {"type": "string"}}},
            "steps": [
                {
                    "stepId": "get",
                    "operationId": "getPet",
                    "parameters": [
                        {"name": "petId", "in": "path", "value": "$inputs.petId"},
                        {"name": "X-Trace", "in": "header", "value": workflow_id},
                    ],
                    "outputs": {"name": "$response.body#/name"},
                }
            ],
            "outputs": {"name": "$steps.get.outputs.name"},
        }
        if depends:
            flow["dependsOn"] = depends
        return flow

    base = pet_flow("base")
    middle = pet_flow("middle", ["base"])
    top = pet_flow("top", ["base", "$workflows.middle"])
    top["inputs"]["properties"]["unrelated"] = {"type": "string"}
    top["outputs"]["baseName"] = "$workflows.base.outputs.name"
    gen = generate(
        {"flows.arazzo.yaml": arazzo([base, middle, top]), "api.openapi.yaml": COMPONENT_API}
    )
    with Loopback(lambda seen: Answer(200, {"name": seen.headers["x-trace"]})) as server:
        result = gen.top(pet_id="9", unrelated="x", client=gen.rt.Client(base_url=server.url))
        assert [(s.headers["x-trace"], s.path) for s in server.seen] == [
            ("base", "/pets/9"),
            ("middle", "/pets/9"),
            ("top", "/pets/9"),
        ]
    assert (result.name, result.base_name) == ("top", "base")
    assert [r.workflow_id for r in result.trace] == ["base", "middle", "top"]
