"""The sans-IO step driver of a generated package, pumped by hand (tests/driver_pump.py): the requests it asks
for, the replies it is given, the sleeps it asks for, and what it makes of them. One test checks the pump
against a real server, so what holds here holds on the wire."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import driver_pump
from driver_pump import (
    BASE_URL,
    Package,
    client,
    packages,
    pump,
    reply,
    script,
    timed_out,
    transport_error,
)
from inline import arazzo, openapi
from loopback import Answer, Loopback

__all__ = ["packages"]  # the module-scoped fixture, imported for pytest

Packages = Callable[[dict[str, Any]], Package]

API = openapi(
    {
        "/pets/{petId}": {
            "post": {
                "operationId": "updatePet",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "petId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "X-Request-Id", "in": "header", "schema": {"type": "string"}},
                ],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"name": {"type": "string"}},
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/pets": {
            "get": {
                "operationId": "listPets",
                "security": [{"key": []}],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/login": {
            "post": {
                "operationId": "login",
                "security": [{"basic": []}],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
    components={
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "basic": {"type": "http", "scheme": "basic"},
            "key": {"type": "apiKey", "in": "query", "name": "api_key"},
        }
    },
)

UPDATE = {
    "workflowId": "update",
    "inputs": {
        "type": "object",
        "required": ["petId"],
        "properties": {"petId": {"type": "integer"}, "name": {"type": "string"}},
    },
    "steps": [
        {
            "stepId": "update",
            "operationId": "updatePet",
            "parameters": [
                {"name": "petId", "in": "path", "value": "$inputs.petId"},
                {"name": "verbose", "in": "query", "value": True},
                {"name": "X-Request-Id", "in": "header", "value": "req-1"},
            ],
            "requestBody": {"payload": {"name": "$inputs.name", "kind": "dog"}},
            "successCriteria": [{"condition": "$statusCode == 200"}],
            "outputs": {"id": "$response.body#/id", "etag": "$response.header.ETag"},
        },
        {
            "stepId": "list",
            "operationId": "listPets",
            "outputs": {"first": "$response.body#/0/name"},
        },
    ],
    "outputs": {
        "id": "$steps.update.outputs.id",
        "etag": "$steps.update.outputs.etag",
        "first": "$steps.list.outputs.first",
    },
}

PLAIN = {
    "workflowId": "plain",
    "steps": [{"stepId": "login", "operationId": "login", "outputs": {"body": "$response.body"}}],
    "outputs": {"body": "$steps.login.outputs.body"},
}

SECRETS = {"bearer": "b3arer-s3cret", "basic": "alice:pa55-s3cret", "key": "k3y-s3cret"}


def _gen(packages: Packages) -> Package:
    return packages({"flows.arazzo.yaml": arazzo([UPDATE, PLAIN]), "api.openapi.yaml": API})


def _ok() -> Any:
    return script((200, {"id": 7}, {"ETag": '"v2"'}), (200, [{"name": "Rex"}]))


def test_the_requests_asked_for_carry_parameters_body_and_credentials(packages: Packages) -> None:
    outcome = pump(
        _gen(packages), "update", {"petId": 7, "name": "Rex"}, _ok(), credentials=SECRETS
    )
    assert outcome.error is None, outcome.error
    update, listing = outcome.sent
    assert (update.method, update.url) == ("POST", f"{BASE_URL}/pets/7?verbose=true")
    assert update.headers["x-request-id"] == "req-1"
    assert update.headers["authorization"] == "Bearer b3arer-s3cret"
    assert update.headers["content-type"] == "application/json"
    assert update.json() == {"name": "Rex", "kind": "dog"}
    assert (listing.method, listing.path, listing.query) == (
        "GET",
        "/pets",
        [("api_key", "k3y-s3cret")],
    )
    assert "authorization" not in listing.headers and listing.body == b""
    assert outcome.outputs == {"id": 7, "etag": '"v2"', "first": "Rex"}
    # The trace shows the URLs as sent, the query secret masked.
    assert [(r.step_id, r.method, r.url, r.status_code) for r in outcome.trace] == [
        ("update", "POST", f"{BASE_URL}/pets/7?verbose=true", 200),
        ("list", "GET", f"{BASE_URL}/pets?api_key=***", 200),
    ]
    assert "s3cret" not in repr(outcome.trace)


def test_basic_credentials_and_client_headers(packages: Packages) -> None:
    outcome = pump(
        _gen(packages),
        "plain",
        None,
        script(200, {"ok": True}),
        credentials=SECRETS,
        headers={"User-Agent": "tests/1"},
    )
    [sent] = outcome.sent
    token = base64.b64encode(b"alice:pa55-s3cret").decode()
    assert sent.headers["authorization"] == f"Basic {token}"
    assert sent.headers["user-agent"] == "tests/1"
    assert outcome.outputs == {"body": {"ok": True}}


def test_an_absent_input_omits_the_member_it_feeds(packages: Packages) -> None:
    outcome = pump(_gen(packages), "update", {"petId": 1}, _ok())
    assert outcome.sent[0].json() == {"kind": "dog"}
    assert "authorization" not in outcome.sent[0].headers  # no credentials given: nothing applied


def test_inputs_violating_the_schema_send_nothing(packages: Packages) -> None:
    outcome = pump(_gen(packages), "update", {"petId": "seven"}, _ok())
    assert type(outcome.error).__name__ == "InputError"
    assert outcome.error.errors == ["input petId: 'seven' is not of type 'integer'"]
    assert outcome.sent == [] and outcome.trace == ()


def test_failed_criteria_raise_step_failed_with_the_reply(packages: Packages) -> None:
    outcome = pump(_gen(packages), "update", {"petId": 7}, script(201, {"id": 7, "why": "new"}))
    error = outcome.error
    assert type(error).__name__ == "StepFailedError"
    assert (error.workflow_id, error.step_id, error.status_code) == ("update", "update", 201)
    assert (error.attempts, error.reason, error.body) == (
        1,
        "success criteria not met",
        {"id": 7, "why": "new"},
    )
    assert [r.step_id for r in error.trace] == ["update"]
    assert len(outcome.sent) == 1


def test_without_success_criteria_a_step_needs_a_2xx(packages: Packages) -> None:
    gen = _gen(packages)
    outcome = pump(gen, "plain", None, script(302, {}))
    assert outcome.error.reason == "status 302 is not 2xx"
    outcome = pump(gen, "plain", None, script(reply(299, "text", content_type="text/plain")))
    assert outcome.error is None and outcome.outputs == {"body": "text"}


def test_a_transport_error_is_a_failed_step_without_status(packages: Packages) -> None:
    outcome = pump(_gen(packages), "plain", None, script(transport_error("ConnectError: refused")))
    error = outcome.error
    assert type(error).__name__ == "StepFailedError"
    assert (error.status_code, error.body, error.reason) == (
        None,
        None,
        "request could not be sent: ConnectError: refused",
    )
    assert [r.status_code for r in outcome.trace] == [None]


def test_a_timeout_is_a_failed_step_with_reason_timeout(packages: Packages) -> None:
    outcome = pump(_gen(packages), "plain", None, script(timed_out()))
    assert outcome.error.reason == "timeout"


def test_a_transport_error_secret_is_masked(packages: Packages) -> None:
    replies = script(transport_error("ConnectError: cannot reach alice:pa55-s3cret@host"))
    outcome = pump(_gen(packages), "plain", None, replies, credentials=SECRETS)
    assert "s3cret" not in outcome.error.reason


def test_malformed_json_fails_a_step_that_reads_the_body(packages: Packages) -> None:
    outcome = pump(_gen(packages), "plain", None, script(200, b"{not json"))
    assert type(outcome.error).__name__ == "StepFailedError"
    assert "JSON" in outcome.error.reason


def test_the_script_is_followed_in_order_then_200(packages: Packages) -> None:
    """The helper itself: replies are consumed in order and the default follows; nothing is slept."""
    replies = script(500, {})
    first = pump(_gen(packages), "plain", None, replies)
    second = pump(_gen(packages), "plain", None, replies)
    assert type(first.error).__name__ == "StepFailedError" and first.error.status_code == 500
    assert second.error is None and second.sleeps == []


def test_the_scripted_client_runs_generated_functions(packages: Packages) -> None:
    gen = _gen(packages)
    scripted = client(gen, _ok(), credentials=SECRETS)
    result = gen.update(pet_id=7, name="Rex", client=scripted)
    assert (result.id, result.etag, result.first) == (7, '"v2"', "Rex")
    assert [sent.path for sent in scripted.wire.sent] == ["/pets/7", "/pets"]
    assert "s3cret" not in repr(scripted)


def test_the_pump_matches_a_real_server(packages: Packages) -> None:
    """The same run pumped by hand and over a loopback server: the same requests, outputs and trace."""
    gen = _gen(packages)
    pumped = pump(gen, "update", {"petId": 7, "name": "Rex"}, _ok(), credentials=SECRETS)
    answers = [Answer(200, {"id": 7}, {"ETag": '"v2"'}), Answer(200, [{"name": "Rex"}])]
    with Loopback(lambda seen: answers.pop(0)) as server:
        with gen.rt.Client(base_url=server.url, credentials=SECRETS) as real:
            result = gen.update(pet_id=7, name="Rex", client=real)
    assert pumped.outputs == {"id": result.id, "etag": result.etag, "first": result.first}
    wire = [(s.method, s.path, s.query, s.body) for s in server.seen]
    assert wire == [(s.method, s.path, s.query, s.body) for s in pumped.sent]
    for seen, sent in zip(server.seen, pumped.sent, strict=True):
        assert {k: v for k, v in seen.headers.items() if k != "host"} == {
            k: v for k, v in sent.headers.items() if k != "host"
        }
    assert [
        (r.step_id, r.attempt, r.method, r.url.replace(server.url, BASE_URL), r.status_code)
        for r in result.trace
    ] == [(r.step_id, r.attempt, r.method, r.url, r.status_code) for r in pumped.trace]


def test_pump_uses_the_runtime_pump_with_no_socket(packages: Packages) -> None:
    """Replies are the generated runtime's own Reply; the unused http client never sees a request."""
    gen = _gen(packages)
    replies = script(reply(200, {"ok": 1}, elapsed=0.25))
    outcome = pump(gen, "plain", None, replies)
    assert [r.elapsed for r in outcome.trace] == [0.25]
    assert isinstance(driver_pump.client(gen, replies).wire.runtime.transmit.Reply, type)
    assert driver_pump.unsent == []
