"""Arazzo request bodies: JSON with expressions, templating, form, multipart, text and replacements."""

from __future__ import annotations

import email
import email.policy
from typing import Any, cast
from urllib.parse import parse_qsl


from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen
from generation import Generate

INPUTS = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "count": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "owner": {"type": "object"},
        "flag": {"type": "boolean"},
    },
}


def _api(*media: str) -> dict[str, Any]:
    def op(operation_id: str, content: dict[str, Any]) -> dict[str, Any]:
        return {
            "operationId": operation_id,
            "requestBody": {"content": content},
            "responses": {"200": {"description": "ok"}},
        }

    return openapi(
        {
            "/seed": {"get": {"operationId": "seed", "responses": {"200": {"description": "ok"}}}},
            "/send": {"post": op("send", {m: {"schema": {}} for m in media})},
        }
    )


def _run(
    generate: Generate,
    body: dict[str, Any],
    media: tuple[str, ...] = ("application/json",),
    **inputs: Any,
) -> Seen:
    """A seed step (its response: {"id": 41, "nested": {"x": [1, 2]}}) then one step sending ``body``."""
    flow = {
        "workflowId": "send",
        "inputs": INPUTS,
        "steps": [
            {
                "stepId": "seed",
                "operationId": "seed",
                "outputs": {"id": "$response.body#/id", "nested": "$response.body#/nested"},
            },
            {"stepId": "post", "operationId": "send", "requestBody": body},
        ],
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": _api(*media)})
    with Loopback(lambda seen: Answer(200, {"id": 41, "nested": {"x": [1, 2]}})) as server:
        gen.send(client=gen.rt.Client(base_url=server.url), **inputs)
    return server.seen[1]


def test_json_payload_with_expressions_anywhere_keeps_types(generate: Generate) -> None:
    body = {
        "contentType": "application/json",
        "payload": {
            "name": "$inputs.name",
            "count": "$inputs.count",
            "exact": "{$inputs.count}",
            "flag": "$inputs.flag",
            "seed": "$steps.seed.outputs.id",
            "deep": {
                "list": ["$inputs.tags", {"x": "$steps.seed.outputs.nested#/x/1"}],
                "owner": "$inputs.owner#/id",
            },
            "literal": [1, 2.5, None, True, "plain $ text"],
        },
    }
    seen = _run(generate, body, name="Rex", count=3, tags=["a"], owner={"id": 9}, flag=False)
    assert seen.headers["content-type"].startswith("application/json")
    assert seen.json() == {
        "name": "Rex",
        "count": 3,
        "exact": 3,
        "flag": False,
        "seed": 41,
        "deep": {"list": [["a"], {"x": 2}], "owner": 9},
        "literal": [1, 2.5, None, True, "plain $ text"],
    }


def test_embedded_expressions_are_templated_into_strings(generate: Generate) -> None:
    body = {
        "payload": {
            "greeting": "Hello {$inputs.name}, you are #{$steps.seed.outputs.id}!",
            "flag": "on={$inputs.flag}",
        }
    }
    seen = _run(generate, body, name="Rex", flag=True)
    assert seen.json() == {"greeting": "Hello Rex, you are #41!", "flag": "on=true"}


def test_json_payload_written_as_a_template_string(generate: Generate) -> None:
    # The official examples write JSON payloads as YAML block strings with embedded expressions.
    payload = '{\n  "name": "{$inputs.name}",\n  "count": {$inputs.count},\n  "seed": {$steps.seed.outputs.id}\n}\n'
    seen = _run(
        generate, {"contentType": "application/json", "payload": payload}, name="Rex", count=2
    )
    assert seen.headers["content-type"].startswith("application/json")
    assert seen.json() == {"name": "Rex", "count": 2, "seed": 41}


def test_form_urlencoded_object_payload(generate: Generate) -> None:
    body = {
        "contentType": "application/x-www-form-urlencoded",
        "payload": {
            "name": "$inputs.name",
            "count": "$inputs.count",
            "note": "a&b=c d",
            "seed": "$steps.seed.outputs.id",
        },
    }
    seen = _run(generate, body, ("application/x-www-form-urlencoded",), name="Rex Jr", count=2)
    assert seen.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert parse_qsl(seen.body.decode()) == [
        ("name", "Rex Jr"),
        ("count", "2"),
        ("note", "a&b=c d"),
        ("seed", "41"),
    ]


def test_form_urlencoded_string_payload_with_templating(generate: Generate) -> None:
    body = {
        "contentType": "application/x-www-form-urlencoded",
        "payload": "grant_type=password&username={$inputs.name}",
    }
    seen = _run(generate, body, ("application/x-www-form-urlencoded",), name="rex")
    assert parse_qsl(seen.body.decode()) == [("grant_type", "password"), ("username", "rex")]


def test_multipart_form_data_payload(generate: Generate) -> None:
    body = {
        "contentType": "multipart/form-data",
        "payload": {
            "name": "$inputs.name",
            "count": "$inputs.count",
            "meta": {"seed": "$steps.seed.outputs.id"},
        },
    }
    seen = _run(generate, body, ("multipart/form-data",), name="Rex", count=5)
    assert seen.headers["content-type"].startswith("multipart/form-data; boundary=")
    message = email.message_from_bytes(
        b"Content-Type: " + seen.headers["content-type"].encode() + b"\r\n\r\n" + seen.body,
        policy=email.policy.HTTP,
    )
    assert message.is_multipart()
    parts = {
        part.get_param("name", header="content-disposition"): cast(
            bytes, part.get_payload(decode=True)
        ).decode()
        for part in message.iter_parts()
    }
    assert parts["name"] == "Rex" and parts["count"] == "5"
    assert parts["meta"].replace(" ", "") == '{"seed":41}'


def test_plain_text_payload(generate: Generate) -> None:
    body = {
        "contentType": "text/plain",
        "payload": "count={$inputs.count} seed={$steps.seed.outputs.id}",
    }
    seen = _run(generate, body, ("text/plain",), count=4)
    assert seen.headers["content-type"].startswith("text/plain")
    assert seen.body == b"count=4 seed=41"


def test_content_type_defaults_to_the_operations_media_type(generate: Generate) -> None:
    seen = _run(generate, {"payload": "hello {$inputs.name}"}, ("text/plain",), name="you")
    assert seen.headers["content-type"].startswith("text/plain") and seen.body == b"hello you"


def test_replacements_into_objects_and_arrays(generate: Generate) -> None:
    body = {
        "contentType": "application/json",
        "payload": {
            "pet": {"name": "placeholder", "tags": ["a", "b", "c"]},
            "a/b": 0,
            "m~n": 0,
            "keep": True,
        },
        "replacements": [
            {"target": "/pet/name", "value": "$inputs.name"},
            {"target": "/pet/tags/1", "value": "$steps.seed.outputs.id"},
            {
                "target": "/pet/owner",
                "value": "$inputs.owner",
            },  # a value is a string (the schema's rule)
            {"target": "/a~1b", "value": "$inputs.count"},
            {"target": "/m~0n", "value": "{$inputs.count}"},
            {"target": "/pet/tags/-", "value": "d"},
        ],
    }
    seen = _run(generate, body, name="Rex", count=7, owner={"id": 7})
    assert seen.json() == {
        "pet": {"name": "Rex", "tags": ["a", 41, "c", "d"], "owner": {"id": 7}},
        "a/b": 7,
        "m~n": 7,
        "keep": True,
    }
