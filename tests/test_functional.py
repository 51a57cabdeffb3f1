"""Generate from small inline documents, import the result and run it against a loopback server."""

from __future__ import annotations

import asyncio
import inspect
import typing

import httpx
import pytest

from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen
from generation import Generate

PETS_API = openapi(
    {
        "/pets/{petId}": {
            "get": {
                "operationId": "getPet",
                "security": [{"apiKey": []}],
                "parameters": [
                    {
                        "name": "petId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                    {
                        "name": "tags",
                        "in": "query",
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "a pet",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "name": {"type": "string"},
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
        "/pets": {
            "post": {
                "operationId": "createPet",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"201": {"description": "created"}},
            }
        },
    },
    components={
        "securitySchemes": {"apiKey": {"type": "apiKey", "in": "query", "name": "api_key"}}
    },
)

GET_PET_FLOW: dict[str, typing.Any] = {
    "workflowId": "fetch-pet",
    "summary": "Fetch one pet.",
    "inputs": {
        "type": "object",
        "required": ["petId"],
        "properties": {
            "petId": {"type": "integer"},
            "verbose": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "mood": {"type": "string", "enum": ["calm", "angry"], "default": "calm"},
        },
    },
    "steps": [
        {
            "stepId": "get",
            "operationId": "getPet",
            "parameters": [
                {"name": "petId", "in": "path", "value": "$inputs.petId"},
                {"name": "verbose", "in": "query", "value": "$inputs.verbose"},
                {"name": "tags", "in": "query", "value": "$inputs.tags"},
                {"name": "X-Mood", "in": "header", "value": "mood is {$inputs.mood}"},
            ],
            "successCriteria": [{"condition": "$statusCode == 200"}],
            "outputs": {
                "name": "$response.body#/name",
                "id": "$response.body#/id",
                "status": "$statusCode",
            },
        }
    ],
    "outputs": {
        "name": "$steps.get.outputs.name",
        "id": "$steps.get.outputs.id",
        "status": "$steps.get.outputs.status",
    },
}


def _pet(seen: Seen) -> Answer:
    pet_id = int(seen.path.rsplit("/", 1)[1])
    return Answer(200, {"id": pet_id, "name": "Rex"})


def test_signature_result_types_and_run(generate: Generate) -> None:
    gen = generate({"pets.arazzo.yaml": arazzo([GET_PET_FLOW]), "api.openapi.yaml": PETS_API})
    signature = inspect.signature(gen.fetch_pet)
    assert list(signature.parameters) == ["pet_id", "verbose", "tags", "mood", "client"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in signature.parameters.values())
    assert signature.parameters["pet_id"].default is inspect.Parameter.empty
    assert signature.parameters["mood"].default == "calm"
    hints = typing.get_type_hints(gen.FetchPetResult)
    assert (
        hints["id"] == int | None and hints["name"] == str | None and hints["status"] == int | None
    )
    with Loopback(_pet) as server:
        result = gen.fetch_pet(
            pet_id=7,
            tags=["a", "b"],
            client=gen.rt.Client(base_url=server.url, credentials={"apiKey": "s3cret"}),
        )
        seen = server.seen[0]
    assert (result.id, result.name, result.status) == (7, "Rex", 200)
    assert seen.path == "/pets/7"
    assert seen.query == [
        ("tags", "a"),
        ("tags", "b"),
        ("api_key", "s3cret"),
    ]  # verbose absent: omitted
    assert seen.headers["x-mood"] == "mood is calm"
    record = result.trace[0]
    assert (
        record.workflow_id,
        record.step_id,
        record.attempt,
        record.method,
        record.status_code,
    ) == ("fetch-pet", "get", 1, "GET", 200)
    assert "s3cret" not in record.url
    assert "api_key=***" in record.url or "api_key=%2A%2A%2A" in record.url


def test_input_errors_send_nothing(generate: Generate) -> None:
    gen = generate({"pets.arazzo.yaml": arazzo([GET_PET_FLOW]), "api.openapi.yaml": PETS_API})
    with Loopback(_pet) as server:
        client = gen.rt.Client(base_url=server.url)
        with pytest.raises(gen.rt.InputError) as wrong_type:
            gen.fetch_pet(pet_id="seven", client=client)
        with pytest.raises(gen.rt.InputError) as required_none:
            gen.fetch_pet(pet_id=None, client=client)
        with pytest.raises(gen.rt.InputError) as enum_miss:
            gen.fetch_pet(pet_id=1, mood="sleepy", client=client)
        with pytest.raises(TypeError):
            gen.fetch_pet(client=client)
        assert server.seen == []
    assert any("petId" in message for message in wrong_type.value.errors)
    assert any("petId" in message for message in required_none.value.errors)
    assert any("mood" in message for message in enum_miss.value.errors)
    assert isinstance(wrong_type.value, ValueError)


def test_step_failure_carries_status_body_and_trace(generate: Generate) -> None:
    gen = generate({"pets.arazzo.yaml": arazzo([GET_PET_FLOW]), "api.openapi.yaml": PETS_API})
    with Loopback(lambda seen: Answer(404, {"message": "no such pet"})) as server:
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.fetch_pet(
                pet_id=3,
                client=gen.rt.Client(base_url=server.url, credentials={"apiKey": "s3cret"}),
            )
    error = failure.value
    assert (error.workflow_id, error.step_id, error.status_code, error.attempts) == (
        "fetch-pet",
        "get",
        404,
        1,
    )
    assert error.body == {"message": "no such pet"}
    assert (
        len(error.trace) == 1 and "s3cret" not in str(error) and "s3cret" not in repr(error.trace)
    )


def test_transport_error_is_a_step_failure(generate: Generate) -> None:
    gen = generate({"pets.arazzo.yaml": arazzo([GET_PET_FLOW]), "api.openapi.yaml": PETS_API})
    with Loopback() as server:
        dead = server.url
    with pytest.raises(gen.rt.StepFailedError) as failure:
        gen.fetch_pet(pet_id=3, client=gen.rt.Client(base_url=dead, timeout=2))
    assert failure.value.status_code is None and failure.value.trace[0].status_code is None


def test_retry_after_header_then_success(generate: Generate) -> None:
    flow = dict(GET_PET_FLOW)
    flow["steps"] = [
        dict(
            GET_PET_FLOW["steps"][0],
            onFailure=[
                {
                    "name": "again",
                    "type": "retry",
                    "retryAfter": 5,
                    "retryLimit": 2,
                    "criteria": [{"condition": "$statusCode == 503"}],
                }
            ],
        )
    ]
    gen = generate({"pets.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PETS_API})
    answers = [
        Answer(503, {}, {"Retry-After": "0"}),
        Answer(503, {}, {"Retry-After": "0"}),
        Answer(200, {"id": 1, "name": "Rex"}),
    ]
    with Loopback(lambda seen: answers.pop(0)) as server:
        result = gen.fetch_pet(pet_id=1, client=gen.rt.Client(base_url=server.url))
    assert [r.attempt for r in result.trace] == [1, 2, 3] and result.name == "Rex"


def test_async_twin_and_shared_client(generate: Generate) -> None:
    gen = generate({"pets.arazzo.yaml": arazzo([GET_PET_FLOW]), "api.openapi.yaml": PETS_API})

    async def main(url: str) -> list[int | None]:
        async with gen.rt.AsyncClient(base_url=url) as client:
            results = await asyncio.gather(
                *(gen.fetch_pet_async(pet_id=i, client=client) for i in range(1, 6))
            )
        return [r.id for r in results]

    with Loopback(_pet) as server:
        assert asyncio.run(main(server.url)) == [1, 2, 3, 4, 5]


def test_json_body_with_nested_expressions_and_absent_members(generate: Generate) -> None:
    flow = {
        "workflowId": "create",
        "inputs": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "tag": {"type": "string"},
                "owner": {
                    "type": "object",
                    "properties": {"id": {"type": "integer"}},
                    "required": ["id"],
                },
            },
        },
        "steps": [
            {
                "stepId": "create",
                "operationId": "createPet",
                "requestBody": {
                    "contentType": "application/json",
                    "payload": {
                        "pet": {
                            "name": "$inputs.name",
                            "tag": "$inputs.tag",
                            "labels": ["x", "$inputs.name", "hi {$inputs.name}!"],
                        },
                        "owner": "$inputs.owner#/id",
                    },
                },
            }
        ],
        "outputs": {"status": "$statusCode"},
    }
    gen = generate({"pets.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PETS_API})
    with Loopback(lambda seen: Answer(201, {})) as server:
        gen.create(name="Rex", owner={"id": 4}, client=gen.rt.Client(base_url=server.url))
        with pytest.raises(gen.rt.InputError):
            gen.create(owner={}, client=gen.rt.Client(base_url=server.url))
        body = server.seen[0].json()
    assert body == {"pet": {"name": "Rex", "labels": ["x", "Rex", "hi Rex!"]}, "owner": 4}


def test_end_and_goto_actions(generate: Generate) -> None:
    flow = {
        "workflowId": "loop",
        "steps": [
            {
                "stepId": "first",
                "operationId": "createPet",
                "onSuccess": [
                    {
                        "name": "skip",
                        "type": "goto",
                        "stepId": "third",
                        "criteria": [{"condition": "$response.body#/skip == true"}],
                    }
                ],
            },
            {"stepId": "second", "operationId": "createPet"},
            {
                "stepId": "third",
                "operationId": "createPet",
                "onSuccess": [{"name": "stop", "type": "end"}],
            },
            {"stepId": "fourth", "operationId": "createPet"},
        ],
    }
    gen = generate({"pets.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PETS_API})
    with Loopback(lambda seen: Answer(201, {"skip": True})) as server:
        result = gen.loop(client=gen.rt.Client(base_url=server.url))
    assert [r.step_id for r in result.trace] == ["first", "third"]


def test_goto_loop_hits_the_step_budget(generate: Generate) -> None:
    flow = {
        "workflowId": "spin",
        "steps": [
            {
                "stepId": "again",
                "operationId": "createPet",
                "onSuccess": [{"name": "loop", "type": "goto", "stepId": "again"}],
            }
        ],
    }
    gen = generate({"pets.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PETS_API})
    with Loopback(lambda seen: Answer(201, {})) as server:
        with pytest.raises(gen.rt.WorkflowLimitError) as limit:
            gen.spin(client=gen.rt.Client(base_url=server.url, max_steps=25))
        assert len(server.seen) == 25
    assert limit.value.steps_run == 25 and limit.value.workflow_id == "spin"


def test_client_repr_hides_secrets_and_custom_http_client(generate: Generate) -> None:
    gen = generate({"pets.arazzo.yaml": arazzo([GET_PET_FLOW]), "api.openapi.yaml": PETS_API})
    client = gen.rt.Client(credentials={"apiKey": "s3cret"}, headers={"X-Team": "a"})
    assert "s3cret" not in repr(client) and "apiKey" in repr(client)
    with Loopback(_pet) as server:
        with httpx.Client() as http:
            with gen.rt.Client(
                servers={"api": server.url}, headers={"X-Team": "a"}, http=http
            ) as mine:
                assert gen.fetch_pet(pet_id=2, client=mine).id == 2
        assert server.seen[0].headers["x-team"] == "a"


def test_validate_requests_guard_names_the_field_and_sends_nothing(generate: Generate) -> None:
    api = openapi(
        {
            "/pets": {
                "post": {
                    "operationId": "createPet",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["name"],
                                    "properties": {
                                        "name": {"type": "string"},
                                        "kind": {"enum": ["cat", "dog"]},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {"201": {"description": "created"}},
                }
            }
        }
    )
    flow = {
        "workflowId": "create",
        "inputs": {"type": "object", "properties": {"kind": {"type": "string"}}},
        "steps": [
            {
                "stepId": "post",
                "operationId": "createPet",
                "requestBody": {
                    "contentType": "application/json",
                    "payload": {"name": "Rex", "kind": "$inputs.kind"},
                },
            }
        ],
    }
    gen = generate({"pets.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
    with Loopback(lambda seen: Answer(201, {})) as server:
        guarded = gen.rt.Client(base_url=server.url, validate_requests=True)
        with pytest.raises(gen.rt.RequestValidationError) as bad:
            gen.create(kind="parrot", client=guarded)
        assert server.seen == []
        gen.create(kind="cat", client=guarded)
        gen.create(kind="parrot", client=gen.rt.Client(base_url=server.url))  # off by default
        assert len(server.seen) == 2
    assert bad.value.step_id == "post" and any("/kind" in message for message in bad.value.errors)
    assert isinstance(bad.value, gen.rt.ArazzoError)


def test_an_invalid_server_url_is_an_arazzo_error(generate: Generate) -> None:
    gen = generate({"pets.arazzo.yaml": arazzo([GET_PET_FLOW]), "api.openapi.yaml": PETS_API})
    with pytest.raises(gen.rt.ArazzoError) as bad:
        gen.fetch_pet(pet_id=1, client=gen.rt.Client(base_url=":::"))
    assert "invalid server URL" in str(bad.value) and "'api'" in str(bad.value)
