"""multipart/form-data parts carry what the OpenAPI Encoding Object (or its defaults) says: Content-Type and headers."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest

from generator.loading.multipart import part_encodings
from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen
from generation import Generate

SCHEMA = {
    "type": "object",
    "properties": {
        "note": {"type": "string"},
        "count": {"type": "integer"},
        "file": {"type": "string", "format": "binary"},
        "blob": {"type": "string", "contentEncoding": "base64"},
        "picture": {"type": "string", "contentMediaType": "image/png"},
        "meta": {"type": "object", "properties": {"a": {"type": "integer"}}},
        "tags": {"type": "array", "items": {"type": "string"}},
        "report": {"type": "string"},
    },
}
ENCODING = {
    "report": {
        "contentType": "text/csv, text/plain",
        "headers": {
            "X-Report-Version": {"schema": {"type": "string", "const": "2"}},
            "X-Rate": {"schema": {"type": "integer", "default": 5}},
            "X-Free": {"schema": {"type": "string"}},  # no value to send
            "Content-Type": {"schema": {"type": "string", "const": "ignored/type"}},
        },
    },
    "meta": {"headers": {"X-Ref": {"$ref": "#/components/headers/Ref"}}},
}


def _parts(seen: Seen) -> dict[object, Any]:
    message = email.message_from_bytes(
        b"Content-Type: " + seen.headers["content-type"].encode() + b"\r\n\r\n" + seen.body,
        policy=email.policy.HTTP,
    )
    assert message.is_multipart()
    return {
        part.get_param("name", header="content-disposition"): part for part in message.iter_parts()
    }


def test_encoding_defaults_and_overrides_as_data() -> None:
    parts = part_encodings(SCHEMA, {"report": ENCODING["report"]})
    assert parts == {
        "file": {"content_type": "application/octet-stream", "headers": {}},
        "blob": {"content_type": "application/octet-stream", "headers": {}},
        "picture": {"content_type": "image/png", "headers": {}},
        "meta": {"content_type": "application/json", "headers": {}},
        "tags": {"content_type": "application/json", "headers": {}},
        "report": {"content_type": "text/csv", "headers": {"X-Report-Version": "2", "X-Rate": "5"}},
    }
    assert part_encodings({"type": "object"}, None) == {}


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_parts_are_sent_with_their_content_type_headers_and_file_names(
    generate: Generate, flavour: str
) -> None:
    api = openapi(
        {
            "/upload": {
                "post": {
                    "operationId": "upload",
                    "requestBody": {
                        "content": {"multipart/form-data": {"schema": SCHEMA, "encoding": ENCODING}}
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
    )
    api["components"] = {"headers": {"Ref": {"schema": {"type": "string", "default": "r1"}}}}
    flow = {
        "workflowId": "upload",
        "inputs": {"type": "object", "properties": {"data": {"type": "string"}}},
        "steps": [
            {
                "stepId": "send",
                "operationId": "upload",
                "requestBody": {
                    "contentType": "multipart/form-data",
                    "payload": {
                        "note": "hello",
                        "count": 3,
                        "file": "$inputs.data",
                        "picture": "PNG...",
                        "meta": {"a": 1},
                        "tags": ["x", "y"],
                        "report": "a,b\n1,2\n",
                    },
                },
            }
        ],
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
    with Loopback(lambda seen: Answer(200, {})) as server:
        if flavour == "sync":
            gen.upload(data="raw bytes", client=gen.rt.Client(base_url=server.url))
        else:
            import asyncio

            async def go() -> None:
                async with gen.rt.AsyncClient(base_url=server.url) as client:
                    await gen.upload_async(data="raw bytes", client=client)

            asyncio.run(go())
    parts = _parts(server.seen[0])
    assert parts["note"].get("content-type") is None and parts["note"].get_filename() is None
    assert parts["count"].get_payload(decode=True) == b"3"
    assert parts["file"].get_content_type() == "application/octet-stream"
    assert parts["file"].get_filename() == "file"  # file content carries a file name (RFC 7578 4.2)
    assert parts["file"].get_payload(decode=True) == b"raw bytes"
    assert parts["picture"].get_content_type() == "image/png"
    assert parts["meta"].get_content_type() == "application/json"
    assert parts["meta"].get_filename() is None
    assert parts["meta"]["x-ref"] == "r1"
    assert parts["meta"].get_payload(decode=True).replace(b" ", b"") == b'{"a":1}'
    assert parts["tags"].get_content_type() == "application/json"
    assert parts["report"].get_content_type() == "text/csv"
    assert parts["report"]["x-report-version"] == "2" and parts["report"]["x-rate"] == "5"
    assert "x-free" not in parts["report"]
    assert parts["report"].get_payload(decode=True) == b"a,b\n1,2\n"
