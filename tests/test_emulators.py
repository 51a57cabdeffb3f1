"""Tests of the loopback emulators themselves, driven with httpx directly."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import httpx
import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate as validate_openapi

from emulators import (
    BugReplayEmulator,
    HighlightEmulator,
    InvictusEmulator,
    Reply,
    Request,
    SiriusEmulator,
    SpecViolationError,
)
from environment import SCHEMAS, requires_shared

# ---------------------------------------------------------------------------------------- Highlight

INITIALIZE_SESSION = (
    "mutation initializeSession($organization_verbose_id: String!, $enable_strict_privacy: Boolean!, "
    "$client_version: String!, $firstload_version: String!, $client_config: String!, "
    "$environment: String!, $client_id: String!) { initializeSession(organization_verbose_id: "
    "$organization_verbose_id, enable_strict_privacy: $enable_strict_privacy, client_version: "
    "$client_version, firstload_version: $firstload_version, client_config: $client_config, "
    "environment: $environment, client_id: $client_id) { secure_id project_id } }"
)
ADD_TRACK_PROPERTIES = (
    "mutation addTrackProperties($session_secure_id: String!, $properties_object: Any) "
    "{ addTrackProperties(session_secure_id: $session_secure_id, properties_object: $properties_object) }"
)
PUSH_PAYLOAD = (
    "mutation pushPayload($session_secure_id: String!, $events: ReplayEventsInput!, $messages: String!, "
    "$errors: [ErrorObjectInput]!, $payload_id: ID) { pushPayload(session_secure_id: $session_secure_id, "
    "events: $events, messages: $messages, errors: $errors, payload_id: $payload_id) }"
)
MARK_BACKEND_SETUP = (
    "mutation markBackendSetup($project_id: String, $session_secure_id: String, $type: String!) "
    "{ markBackendSetup(project_id: $project_id, session_secure_id: $session_secure_id, type: $type) }"
)
PUSH_BACKEND_PAYLOAD = (
    "mutation pushBackendPayload($project_id: String!, $errors: [BackendErrorObjectInput]!) "
    "{ pushBackendPayload(project_id: $project_id, errors: $errors) }"
)


@pytest.fixture
def highlight() -> Iterator[HighlightEmulator]:
    with HighlightEmulator() as emu:
        yield emu


def gql(emu: HighlightEmulator, name: str, query: str, variables: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        emu.url + "/", json={"operationName": name, "query": query, "variables": variables}
    )


def initialize(emu: HighlightEmulator, org: str = "1jdkoe52") -> str:
    response = gql(
        emu,
        "initializeSession",
        INITIALIZE_SESSION,
        {
            "organization_verbose_id": org,
            "enable_strict_privacy": False,
            "client_version": "9.0.0",
            "firstload_version": "9.0.1",
            "client_config": "{}",
            "environment": "production",
            "client_id": "browser-1",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    secure_id = body["data"]["initializeSession"]["secure_id"]
    assert isinstance(secure_id, str) and len(secure_id) >= 20
    assert body["data"]["initializeSession"]["project_id"] == org
    return secure_id


def test_highlight_session_track_event_chain(highlight: HighlightEmulator) -> None:
    secure_id = initialize(highlight)
    session = highlight.sessions[secure_id]
    assert (session.organization_verbose_id, session.client_version, session.firstload_version) == (
        "1jdkoe52",
        "9.0.0",
        "9.0.1",
    )
    assert (session.environment, session.client_id, session.enable_strict_privacy) == (
        "production",
        "browser-1",
        False,
    )

    track = gql(
        highlight,
        "addTrackProperties",
        ADD_TRACK_PROPERTIES,
        {
            "session_secure_id": secure_id,
            "properties_object": {"event": "signup", "plan": "pro", "seats": 3},
        },
    )
    assert track.status_code == 200
    assert track.json() == {"data": {"addTrackProperties": None}}
    assert highlight.track_properties[secure_id] == [{"event": "signup", "plan": "pro", "seats": 3}]

    events = [
        {"type": 2, "timestamp": 1, "data": {}},
        {"type": 3, "timestamp": 2, "data": {"source": 1}},
    ]
    pushed = gql(
        highlight,
        "pushPayload",
        PUSH_PAYLOAD,
        {
            "session_secure_id": secure_id,
            "events": {"events": events},
            "messages": "[]",
            "errors": [],
            "payload_id": 1,
        },
    )
    assert pushed.json() == {"data": {"pushPayload": 2}}
    [payload] = highlight.payloads[secure_id]
    assert payload.payload_id == "1" and payload.messages == "[]" and payload.errors == []
    assert highlight.events(secure_id) == events

    # a second session gets a different secure id
    assert initialize(highlight) != secure_id
    assert len(highlight.sessions) == 2
    assert [r.body["operationName"] for r in highlight.requests] == [
        "initializeSession",
        "addTrackProperties",
        "pushPayload",
        "initializeSession",
    ]
    assert highlight.requests[0].headers["content-type"] == "application/json"
    assert all(r.validated and not r.violations and r.status == 200 for r in highlight.requests)


def test_highlight_backend_session_payload_chain(highlight: HighlightEmulator) -> None:
    secure_id = highlight.open_session("proj-7")
    setup = gql(
        highlight,
        "markBackendSetup",
        MARK_BACKEND_SETUP,
        {"project_id": "proj-7", "session_secure_id": secure_id, "type": "error"},
    )
    assert setup.json() == {"data": {"markBackendSetup": "proj-7"}}
    # the project is taken from the session when project_id is null
    setup2 = gql(
        highlight,
        "markBackendSetup",
        MARK_BACKEND_SETUP,
        {"session_secure_id": secure_id, "type": "logs"},
    )
    assert setup2.json() == {"data": {"markBackendSetup": "proj-7"}}
    assert [(s.project_id, s.session_secure_id, s.type) for s in highlight.backend_setups] == [
        ("proj-7", secure_id, "error"),
        ("proj-7", secure_id, "logs"),
    ]

    error = {
        "session_secure_id": secure_id,
        "event": "ZeroDivisionError: division by zero",
        "type": "BACKEND",
        "source": "billing.py",
        "stackTrace": '[{"fileName": "billing.py", "lineNumber": 12}]',
        "timestamp": "2024-05-01T12:00:00Z",
        "service": {"name": "billing", "version": "1.2.3"},
        "environment": "production",
    }
    pushed = gql(
        highlight,
        "pushBackendPayload",
        PUSH_BACKEND_PAYLOAD,
        {"project_id": "proj-7", "errors": [error]},
    )
    assert pushed.json() == {"data": {"pushBackendPayload": None}}
    assert highlight.backend_errors["proj-7"] == [error]


def test_highlight_invalid_documents_answer_graphql_errors(highlight: HighlightEmulator) -> None:
    syntax = httpx.post(highlight.url + "/", json={"query": "mutation { markBackendSetup(type: "})
    assert syntax.status_code == 200
    body = syntax.json()
    assert body["data"] is None
    assert "Syntax Error" in body["errors"][0]["message"]
    assert body["errors"][0]["locations"]

    unknown_field = httpx.post(highlight.url + "/", json={"query": "mutation { deleteEverything }"})
    assert unknown_field.status_code == 200
    assert unknown_field.json()["data"] is None
    assert "deleteEverything" in unknown_field.json()["errors"][0]["message"]

    # a required argument missing from the document
    missing_arg = httpx.post(
        highlight.url + "/", json={"query": 'mutation { markBackendSetup(project_id: "p") }'}
    )
    assert missing_arg.json()["data"] is None
    assert "type" in missing_arg.json()["errors"][0]["message"]

    # a variable of the wrong type: the seed's default `events: {}` lacks ReplayEventsInput.events
    secure_id = highlight.open_session()
    wrong_type = gql(
        highlight,
        "pushPayload",
        PUSH_PAYLOAD,
        {"session_secure_id": secure_id, "events": {}, "messages": "[]", "errors": []},
    )
    assert wrong_type.status_code == 200
    assert wrong_type.json()["data"] is None
    assert "events" in wrong_type.json()["errors"][0]["message"]

    bad_timestamp = gql(
        highlight,
        "pushBackendPayload",
        PUSH_BACKEND_PAYLOAD,
        {
            "project_id": "p",
            "errors": [
                {
                    "event": "e",
                    "type": "t",
                    "source": "s",
                    "stackTrace": "",
                    "timestamp": "yesterday",
                }
            ],
        },
    )
    assert bad_timestamp.json()["data"] is None
    assert "Timestamp" in bad_timestamp.json()["errors"][0]["message"]
    assert highlight.payloads[secure_id] == [] and highlight.backend_errors == {}


def test_highlight_unknown_session_is_a_graphql_error(highlight: HighlightEmulator) -> None:
    track = gql(
        highlight,
        "addTrackProperties",
        ADD_TRACK_PROPERTIES,
        {"session_secure_id": "nope", "properties_object": {}},
    )
    assert track.status_code == 200
    body = track.json()
    assert body["data"] == {"addTrackProperties": None}
    assert body["errors"][0]["message"] == "session not found: nope"
    assert body["errors"][0]["path"] == ["addTrackProperties"]

    pushed = gql(
        highlight,
        "pushPayload",
        PUSH_PAYLOAD,
        {"session_secure_id": "nope", "events": {"events": []}, "messages": "[]", "errors": []},
    )
    assert pushed.json()["data"] == {"pushPayload": None}
    assert pushed.json()["errors"][0]["path"] == ["pushPayload"]

    setup = gql(
        highlight,
        "markBackendSetup",
        MARK_BACKEND_SETUP,
        {"session_secure_id": "nope", "type": "error"},
    )
    assert setup.json()["data"] == {"markBackendSetup": None}
    no_project = gql(highlight, "markBackendSetup", MARK_BACKEND_SETUP, {"type": "error"})
    assert no_project.json()["data"] == {"markBackendSetup": None}
    assert (
        highlight.track_properties == {}
        and highlight.payloads == {}
        and highlight.backend_setups == []
    )


def test_highlight_known_projects() -> None:
    with HighlightEmulator(projects=["good"]) as emu:
        initialize(emu, "good")
        response = gql(
            emu,
            "initializeSession",
            INITIALIZE_SESSION,
            {
                "organization_verbose_id": "bad",
                "enable_strict_privacy": True,
                "client_version": "1",
                "firstload_version": "1",
                "client_config": "{}",
                "environment": "dev",
                "client_id": "",
            },
        )
        # initializeSession is non-null: the whole data becomes null
        assert response.json()["data"] is None
        assert response.json()["errors"][0]["message"] == "project not found: bad"
        pushed = gql(
            emu, "pushBackendPayload", PUSH_BACKEND_PAYLOAD, {"project_id": "bad", "errors": []}
        )
        assert pushed.json()["data"] == {"pushBackendPayload": None}
        assert len(emu.sessions) == 1


def test_highlight_spec_violations_are_recorded_and_fail_the_exit() -> None:
    emu = HighlightEmulator()
    with pytest.raises(SpecViolationError, match="'query' is a required property"):
        with emu:
            no_query = httpx.post(emu.url + "/", json={"operationName": "x", "variables": {}})
            assert no_query.status_code == 400
            assert no_query.json()["violations"] == emu.spec_violations
            wrong_method = httpx.get(emu.url + "/")
            assert wrong_method.status_code == 400
            wrong_path = httpx.post(emu.url + "/graphql", json={"query": "{ ignore }"})
            assert wrong_path.status_code == 400
            not_json = httpx.post(
                emu.url + "/", content=b"query=x", headers={"Content-Type": "text/plain"}
            )
            assert not_json.status_code == 400
            bad_variables = httpx.post(
                emu.url + "/", json={"query": "{ ignore }", "variables": [1]}
            )
            assert bad_variables.status_code == 400
            assert len(emu.spec_violations) == 5
            assert [r.status for r in emu.requests] == [400] * 5
            assert all(r.violations for r in emu.requests)
    assert "/variables" in emu.spec_violations[4]


def test_highlight_take_violations_clears(highlight: HighlightEmulator) -> None:
    assert httpx.post(highlight.url + "/", json={}).status_code == 400
    with pytest.raises(SpecViolationError):
        highlight.assert_no_violations()
    [violation] = highlight.take_violations()
    assert "query" in violation
    highlight.assert_no_violations()


def test_highlight_skip_validation_reaches_the_handler(highlight: HighlightEmulator) -> None:
    highlight.skip_validation()
    response = httpx.post(highlight.url + "/", json={"variables": {}})
    assert response.status_code == 400
    assert response.json() == {
        "data": None,
        "errors": [{"message": "the request has no GraphQL query"}],
    }
    assert highlight.requests[-1].validated is False
    # only one request was let through
    assert httpx.post(highlight.url + "/", json={}).status_code == 400
    assert len(highlight.take_violations()) == 1


def test_highlight_forced_responses(highlight: HighlightEmulator) -> None:
    highlight.force(503, {"message": "try later"}, {"Retry-After": "2"})
    highlight.force(200, "plain text")
    assert highlight.pending_forced == 2
    query = {"query": 'mutation { markBackendSetup(project_id: "p", type: "error") }'}
    first = httpx.post(highlight.url + "/", json=query)
    assert (first.status_code, first.json(), first.headers["retry-after"]) == (
        503,
        {"message": "try later"},
        "2",
    )
    second = httpx.post(highlight.url + "/", json=query)
    assert (second.status_code, second.text) == (200, "plain text")
    assert highlight.backend_setups == []  # forced answers do not run the handler
    third = httpx.post(highlight.url + "/", json=query)
    assert third.json() == {"data": {"markBackendSetup": "p"}}
    assert len(highlight.backend_setups) == 1
    assert [r.status for r in highlight.requests] == [503, 200, 200]

    # an invalid request is answered 400 and does not consume the forced response
    highlight.force(500, {"boom": True}, times=2)
    assert httpx.post(highlight.url + "/", json={}).status_code == 400
    highlight.take_violations()
    assert httpx.post(highlight.url + "/", json=query).status_code == 500
    assert httpx.post(highlight.url + "/", json=query).status_code == 500
    assert httpx.post(highlight.url + "/", json=query).status_code == 200


def test_highlight_forced_drop_and_delay(highlight: HighlightEmulator) -> None:
    query = {"query": "{ ignore }"}
    highlight.force_drop()
    with pytest.raises(httpx.TransportError):
        httpx.post(highlight.url + "/", json=query)
    assert highlight.requests[-1].status is None
    highlight.force(200, {"data": None}, delay=0.5)
    with pytest.raises(httpx.TimeoutException):
        httpx.post(highlight.url + "/", json=query, timeout=0.1)
    assert httpx.post(highlight.url + "/", json=query).json() == {"data": {"ignore": True}}


def test_emulator_responses_are_checked_against_the_spec() -> None:
    class Broken(HighlightEmulator):
        def handle(self, request: Request) -> Reply:
            return Reply(
                200, {"data": {"pushPayload": "many", "initializeSession": {"secure_id": 1}}}
            )

    with pytest.raises(SpecViolationError, match="emulator bug"):
        with Broken() as emu:
            assert httpx.post(emu.url + "/", json={"query": "{ ignore }"}).status_code == 200


def test_emulator_keep_alive_and_concurrency(highlight: HighlightEmulator) -> None:
    import concurrent.futures

    with httpx.Client(base_url=highlight.url) as client:
        ids = [
            client.post(
                "/",
                json={
                    "query": INITIALIZE_SESSION,
                    "variables": {
                        "organization_verbose_id": "p",
                        "enable_strict_privacy": False,
                        "client_version": "1",
                        "firstload_version": "1",
                        "client_config": "{}",
                        "environment": "e",
                        "client_id": "c",
                    },
                },
            ).json()["data"]["initializeSession"]["secure_id"]
            for _ in range(3)
        ]
    assert len(set(ids)) == 3

    def track(i: int) -> int:
        return gql(
            highlight,
            "addTrackProperties",
            ADD_TRACK_PROPERTIES,
            {"session_secure_id": ids[0], "properties_object": {"i": i}},
        ).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert list(pool.map(track, range(16))) == [200] * 16
    assert sorted(p["i"] for p in highlight.track_properties[ids[0]]) == list(range(16))


# =============================================================================== specs under specs/

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
ARAZZO_SCHEMA = SCHEMAS / "arazzo-1.0-schema.yaml"


def _documents(top_key: str) -> list[Path]:
    found = []
    for path in sorted(SPECS.rglob("*")):
        if path.suffix in (".yml", ".yaml", ".json") and path.is_file():
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and top_key in data:
                found.append(path)
    return found


ARAZZO_DOCS = _documents("arazzo")
OPENAPI_DOCS = _documents("openapi")


def test_every_system_has_its_documents() -> None:
    names = {p.relative_to(SPECS).as_posix() for p in ARAZZO_DOCS + OPENAPI_DOCS}
    assert {
        "highlight/openapi/highlight-session-ingestion-api-openapi.yml",
        "invictus/openapi/invictus-flow-trace-import-openapi.yml",
        "invictus/arazzo/invictus-flow-trace-import.arazzo.yml",
        "bugreplay/openapi/bugreplay-fullstack-api-openapi.yml",
        "bugreplay/arazzo/bugreplay-fullstack-send.arazzo.yml",
        "sirius/openapi/sirius-public-graphql-api-openapi.yml",
        "sirius/arazzo/sirius-status-update.arazzo.yml",
    } <= names


@requires_shared
@pytest.mark.parametrize("path", ARAZZO_DOCS, ids=lambda p: p.relative_to(SPECS).as_posix())
def test_arazzo_documents_validate_against_the_schema(path: Path) -> None:
    schema = yaml.safe_load(ARAZZO_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]
    assert errors == []
    assert document["arazzo"] == "1.0.1"


@pytest.mark.parametrize("path", OPENAPI_DOCS, ids=lambda p: p.relative_to(SPECS).as_posix())
def test_openapi_documents_validate(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    validate_openapi(document, base_uri=path.as_uri())
    assert document["openapi"].startswith("3.1")


@pytest.mark.parametrize("path", ARAZZO_DOCS, ids=lambda p: p.relative_to(SPECS).as_posix())
def test_arazzo_steps_name_operations_of_their_source(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    operation_ids = set()
    for source in document["sourceDescriptions"]:
        openapi = yaml.safe_load((path.parent / source["url"]).read_text(encoding="utf-8"))
        for item in openapi["paths"].values():
            operation_ids |= {
                op["operationId"]
                for op in item.values()
                if isinstance(op, dict) and "operationId" in op
            }
    for workflow in document["workflows"]:
        for step in workflow["steps"]:
            assert step["operationId"] in operation_ids, (workflow["workflowId"], step["stepId"])


# ----------------------------------------------- a reference runner for the Arazzo subset the specs use
#
# Enough of Arazzo to check, before the generator exists, that each workflow document
# drives its emulator correctly: operationId steps, JSON payloads with whole-string
# `$inputs.x` / `$steps.s.outputs.o` values (absent values drop the member) and
# embedded `{$inputs.x}`, header/query/path parameters, simple conditions over
# `$statusCode` / `$response.body#/pointer`, the `$.a.b != null` jsonpath form, outputs.


class WorkflowFailed(Exception):
    def __init__(self, step_id: str, status: int, body: Any) -> None:
        super().__init__(f"step {step_id} failed: {status} {body!r}")
        self.step_id, self.status, self.body = step_id, status, body


_ABSENT = object()
_EXPR = re.compile(r"^\$(inputs|steps)\.([A-Za-z0-9_\-]+)(?:\.outputs\.([A-Za-z0-9_\-]+))?(#/.*)?$")


def _pointer(value: Any, pointer: str) -> Any:
    for token in pointer.lstrip("/").split("/") if pointer not in ("", "/") else []:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return _ABSENT
    return value


def _evaluate(expression: str, context: dict[str, Any]) -> Any:
    match = _EXPR.match(expression)
    if match is None:
        raise ValueError(f"unsupported expression {expression!r}")
    kind, name, output, pointer = match.groups()
    if kind == "inputs":
        value = context["inputs"].get(name, _ABSENT)
    else:
        value = context["steps"].get(name, {}).get(output, _ABSENT)
    return value if value is _ABSENT or not pointer else _pointer(value, pointer[1:])


def _resolve(value: Any, context: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return _evaluate(value, context)
    if isinstance(value, str) and "{$" in value:
        return re.sub(r"\{(\$[^}]+)\}", lambda m: str(_evaluate(m.group(1), context)), value)
    if isinstance(value, dict):
        resolved = {k: _resolve(v, context) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not _ABSENT and v is not None}
    if isinstance(value, list):
        return [v for v in (_resolve(item, context) for item in value) if v is not _ABSENT]
    return value


def _literal(text: str) -> Any:
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1]
    return json.loads(text)


def _condition_holds(criterion: dict[str, Any], status: int, body: Any) -> bool:
    matched = re.match(r"^(\S+)\s*(==|!=)\s*(.+)$", criterion["condition"].strip())
    assert matched is not None, criterion["condition"]
    left, operator, right = matched.groups()
    if criterion.get("type") == "jsonpath":
        assert criterion["context"] == "$response.body" and left.startswith("$.")
        value = _pointer(body, "/" + left[2:].replace(".", "/"))
    elif left == "$statusCode":
        value = status
    elif left.startswith("$response.body#"):
        value = _pointer(body, left.split("#", 1)[1])
    else:
        raise ValueError(f"unsupported condition {criterion['condition']!r}")
    value = None if value is _ABSENT else value
    expected = _literal(right)
    if isinstance(value, str) and isinstance(expected, str):
        value, expected = value.lower(), expected.lower()
    return bool(value == expected) if operator == "==" else bool(value != expected)


def run_workflow(
    document_path: Path,
    workflow_id: str,
    inputs: dict[str, Any],
    base_url: str,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    document = yaml.safe_load(document_path.read_text(encoding="utf-8"))
    [source] = document["sourceDescriptions"]
    openapi = yaml.safe_load((document_path.parent / source["url"]).read_text(encoding="utf-8"))
    operations = {
        op["operationId"]: (method.upper(), path)
        for path, item in openapi["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }
    [workflow] = [w for w in document["workflows"] if w["workflowId"] == workflow_id]
    schema = workflow.get("inputs", {})
    full_inputs = {
        k: v["default"] for k, v in schema.get("properties", {}).items() if "default" in v
    }
    full_inputs.update(inputs)
    jsonschema.validate(full_inputs, schema)
    context: dict[str, Any] = {"inputs": full_inputs, "steps": {}}
    for step in workflow["steps"]:
        method, path = operations[step["operationId"]]
        params: dict[str, dict[str, Any]] = {"header": dict(headers or {}), "query": {}, "path": {}}
        for parameter in step.get("parameters", []):
            value = _resolve(parameter["value"], context)
            if value is not _ABSENT and value is not None:
                params[parameter["in"]][parameter["name"]] = value
        url = base_url + re.sub(
            r"\{([^}]+)\}", lambda m: str(params["path"][m.group(1)]), path  # noqa: B023
        )
        request_body = step.get("requestBody")
        json_payload = _resolve(request_body["payload"], context) if request_body else None
        response = httpx.request(
            method, url, params=params["query"], headers=params["header"], json=json_payload
        )
        body = (
            response.json() if "json" in response.headers.get("content-type", "") else response.text
        )
        criteria = step.get("successCriteria") or [{"condition": "$statusCode == 200"}]
        if not all(_condition_holds(c, response.status_code, body) for c in criteria):
            raise WorkflowFailed(step["stepId"], response.status_code, body)
        outputs = {}
        for name, expression in step.get("outputs", {}).items():
            value = _pointer(body, expression.split("#", 1)[1])
            outputs[name] = None if value is _ABSENT else value
        context["steps"][step["stepId"]] = outputs
    results = {}
    for name, expression in workflow.get("outputs", {}).items():
        value = _evaluate(expression, context)
        results[name] = None if value is _ABSENT else value
    return results


# ===================================================================================== Invictus

INVICTUS_DOC = SPECS / "invictus" / "arazzo" / "invictus-flow-trace-import.arazzo.yml"


@pytest.fixture
def invictus() -> Iterator[InvictusEmulator]:
    with InvictusEmulator() as emu:
        yield emu


def event(
    chain: str, step: str, status: str, time: str, name: str = "Invoice", **extra: Any
) -> dict[str, Any]:
    step_info = {"Id": step, "Name": name, "Status": status}
    if "parent" in extra:
        step_info["ParentId"] = extra.pop("parent")
    return {"Time": time, "ChainId": chain, "Step": step_info, **extra}


def test_invictus_single_operation(invictus: InvictusEmulator) -> None:
    events = [
        event(
            "c1",
            "s1",
            "Started",
            "2019-07-23 08:55:04.0500000 +00:00",
            Mappings={
                "Domain": "Invoicing",
                "Action": "New invoice",
                "Service": "Invoice system",
                "Version": "v1.2.3",
            },
        ),
        event(
            "c1",
            "s1",
            "Completed",
            "2019-07-23 08:55:05.0000000 +00:00",
            Properties={
                "Milestone": "LA-A-Reached",
                "EventText": "Line1-A",
                "Data": {"MyKey1": "MyValue1"},
            },
            Azure={"ResourceId": "/subscriptions/x", "PortalLink": "https://portal.azure.com/x"},
        ),
    ]
    response = httpx.post(invictus.url + "/", json=events)
    assert response.status_code == 202
    assert response.json() == {"accepted": 2, "chainIds": ["c1"]}
    step = invictus.chains["c1"].steps["s1"]
    assert (step.name, step.statuses, step.status, step.finished) == (
        "Invoice",
        ["Started", "Completed"],
        "Completed",
        True,
    )
    assert step.mappings == {
        "Domain": "Invoicing",
        "Action": "New invoice",
        "Service": "Invoice system",
        "Version": "v1.2.3",
    }
    assert step.properties == [
        {"Milestone": "LA-A-Reached", "EventText": "Line1-A", "Data": {"MyKey1": "MyValue1"}}
    ]
    assert step.error is None
    assert invictus.batches == [events]


def test_invictus_orders_by_time_and_builds_the_tree(invictus: InvictusEmulator) -> None:
    # deliberately shuffled: the child's and parent's final events come first in the array
    events = [
        event(
            "c2",
            "child",
            "Failed",
            "2024-01-01T10:00:03Z",
            name="Line",
            parent="parent",
            Error={"Code": "123", "Description": "there was a failure during this operation"},
        ),
        event("c2", "parent", "Completed", "2024-01-01T10:00:04Z"),
        event("c2", "child", "Started", "2024-01-01T10:00:02Z", name="Line", parent="parent"),
        event("c2", "parent", "Started", "2024-01-01 10:00:01.5 +00:00"),
    ]
    assert httpx.post(invictus.url + "/", json=events).status_code == 202
    chain = invictus.chains["c2"]
    assert list(chain.steps) == ["parent", "child"]
    assert [(e["Step"]["Id"], e["Step"]["Status"]) for e in chain.events] == [
        ("parent", "Started"),
        ("child", "Started"),
        ("child", "Failed"),
        ("parent", "Completed"),
    ]
    assert chain.tree() == [
        {
            "id": "parent",
            "name": "Invoice",
            "status": "Completed",
            "children": [{"id": "child", "name": "Line", "status": "Failed", "children": []}],
        },
    ]
    assert chain.steps["child"].error == {
        "Code": "123",
        "Description": "there was a failure during this operation",
    }
    # offsets are honoured: 12:00+02:00 is before 10:00:05Z
    more = [
        event("c3", "s", "Started", "2024-01-01T12:00:00+02:00"),
        event("c3", "s", "Completed", "2024-01-01T10:00:05Z"),
    ]
    more.reverse()
    assert httpx.post(invictus.url + "/", json=more).status_code == 202
    assert invictus.chains["c3"].steps["s"].statuses == ["Started", "Completed"]


def test_invictus_rejects_a_step_that_does_not_start_with_started(
    invictus: InvictusEmulator,
) -> None:
    events = [
        event("c4", "ok", "Started", "2024-01-01T10:00:00Z"),
        event("c4", "bad", "Started", "2024-01-01T10:00:05Z"),
        event("c4", "bad", "Active", "2024-01-01T10:00:01Z"),  # earliest event of `bad`
    ]
    response = httpx.post(invictus.url + "/", json=events)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "InvalidEventSequence"
    assert "'bad'" in body["details"][0] and "'Active'" in body["details"][0]
    assert invictus.chains == {} and invictus.batches == []  # nothing stored

    only_completed = [event("c5", "s", "Completed", "2024-01-01T10:00:00Z")]
    assert httpx.post(invictus.url + "/", json=only_completed).status_code == 400
    # a step started by an earlier request can be finished by a later one
    assert (
        httpx.post(
            invictus.url + "/", json=[event("c5", "s", "Started", "2024-01-01T09:00:00Z")]
        ).status_code
        == 202
    )
    assert httpx.post(invictus.url + "/", json=only_completed).status_code == 202
    assert invictus.chains["c5"].steps["s"].statuses == ["Started", "Completed"]


def test_invictus_bad_time_with_validation_skipped(invictus: InvictusEmulator) -> None:
    invictus.skip_validation()
    response = httpx.post(invictus.url + "/", json=[event("c", "s", "Started", "yesterday")])
    assert response.status_code == 400
    assert response.json()["error"] == "InvalidTime"


def test_invictus_spec_violations() -> None:
    emu = InvictusEmulator()
    with emu:
        no_name = [
            {
                "Time": "2024-01-01T10:00:00Z",
                "ChainId": "c",
                "Step": {"Id": "s", "Status": "Started"},
            }
        ]
        assert httpx.post(emu.url + "/", json=no_name).status_code == 400
        bad_status = [event("c", "s", "Begun", "2024-01-01T10:00:00Z")]
        assert httpx.post(emu.url + "/", json=bad_status).status_code == 400
        not_an_array = event("c", "s", "Started", "2024-01-01T10:00:00Z")
        assert httpx.post(emu.url + "/", json=not_an_array).status_code == 400
        bad_data = [
            event("c", "s", "Started", "2024-01-01T10:00:00Z", Properties={"Data": {"n": 1}})
        ]
        assert httpx.post(emu.url + "/", json=bad_data).status_code == 400
        assert httpx.post(emu.url + "/", json=[]).status_code == 400
        violations = emu.take_violations()
    assert len(violations) == 5
    assert (
        "Name" in violations[0]
        and "Begun" in violations[1]
        and "/Properties/Data/n" in violations[3]
    )
    assert emu.chains == {}


def test_invictus_workflows_drive_the_emulator(invictus: InvictusEmulator) -> None:
    outputs = run_workflow(
        INVICTUS_DOC,
        "import-operation-trace",
        {
            "chainId": "edbd5ddb",
            "stepId": "8ecd1ea4",
            "stepName": "Invoice",
            "startedAt": "2019-07-23 08:55:04.0500000 +00:00",
            "finishedAt": "2019-07-23 08:55:06.0000000 +00:00",
            "mappings": {"Domain": "Invoicing", "Action": "New invoice"},
        },
        invictus.url,
    )
    assert outputs == {"acceptedEvents": 2, "chainId": "edbd5ddb"}
    step = invictus.chains["edbd5ddb"].steps["8ecd1ea4"]
    assert step.statuses == ["Started", "Completed"] and step.error is None
    # absent optional inputs drop their members entirely
    assert "Error" not in invictus.batches[0][1] and "Properties" not in invictus.batches[0][1]

    failed = run_workflow(
        INVICTUS_DOC,
        "import-operation-trace",
        {
            "chainId": "c-failed",
            "stepId": "s",
            "stepName": "Invoice",
            "startedAt": "2024-01-01T10:00:00Z",
            "finishedAt": "2024-01-01T10:00:01Z",
            "outcome": "Failed",
            "error": {"Code": "500", "Description": "boom"},
            "trackedProperties": {"Milestone": "M1", "Data": {"k": "v"}},
        },
        invictus.url,
    )
    assert failed["acceptedEvents"] == 2
    step = invictus.chains["c-failed"].steps["s"]
    assert step.status == "Failed" and step.error == {"Code": "500", "Description": "boom"}
    assert step.properties == [{"Milestone": "M1", "Data": {"k": "v"}}]

    with pytest.raises(jsonschema.ValidationError):  # the inputs' enum keeps unknown statuses out
        run_workflow(
            INVICTUS_DOC,
            "import-operation-trace",
            {
                "chainId": "c",
                "stepId": "s",
                "stepName": "n",
                "startedAt": "2024-01-01T10:00:00Z",
                "finishedAt": "2024-01-01T10:00:01Z",
                "outcome": "Done",
            },
            invictus.url,
        )

    tree = run_workflow(
        INVICTUS_DOC,
        "import-parent-child-trace",
        {
            "chainId": "c-tree",
            "parentStepId": "p",
            "parentStepName": "Order",
            "childStepId": "c",
            "childStepName": "Payment",
            "parentStartedAt": "2024-01-01T10:00:00Z",
            "childStartedAt": "2024-01-01T10:00:01Z",
            "childFinishedAt": "2024-01-01T10:00:02Z",
            "parentFinishedAt": "2024-01-01T10:00:03Z",
            "childOutcome": "Failed",
        },
        invictus.url,
    )
    assert tree == {"acceptedEvents": 4}
    assert invictus.chains["c-tree"].tree() == [
        {
            "id": "p",
            "name": "Order",
            "status": "Completed",
            "children": [{"id": "c", "name": "Payment", "status": "Failed", "children": []}],
        },
    ]
    assert len(invictus.batches[-1]) == 4


def test_invictus_workflow_fails_on_a_rejected_sequence(invictus: InvictusEmulator) -> None:
    # the child finishing before the parent started would still be fine; a child that
    # "starts" after it finished is not: its first event in Time order is its outcome
    with pytest.raises(WorkflowFailed) as failure:
        run_workflow(
            INVICTUS_DOC,
            "import-parent-child-trace",
            {
                "chainId": "c",
                "parentStepId": "p",
                "parentStepName": "P",
                "childStepId": "c1",
                "childStepName": "C",
                "parentStartedAt": "2024-01-01T10:00:00Z",
                "childStartedAt": "2024-01-01T10:00:05Z",
                "childFinishedAt": "2024-01-01T10:00:02Z",
                "parentFinishedAt": "2024-01-01T10:00:06Z",
            },
            invictus.url,
        )
    assert failure.value.status == 400 and failure.value.body["error"] == "InvalidEventSequence"


# ===================================================================================== BugReplay

BUGREPLAY_DOC = SPECS / "bugreplay" / "arazzo" / "bugreplay-fullstack-send.arazzo.yml"
SEND = "/api/fullstack/v1/send"
AUTH = {"Authorization": "Bearer test-api-key"}


@pytest.fixture
def bugreplay() -> Iterator[BugReplayEmulator]:
    with BugReplayEmulator(
        api_keys=["test-api-key", "other-key"],
        recordings={"asdf-ghjk-klzx-1234": "test-api-key", "other-recording": "other-key"},
        first_id=18,
    ) as emu:
        yield emu


def send_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "uuid": "asdf-ghjk-klzx-1234",
        "type": "log",
        "payload": '{"a":1,"b":"a sample log text"}',
        "level": "info",
        "timestamp": 1622706694345,
        "metadata": '{"anything_useful":"can be added here"}',
        "title": "sample log today",
        "origin": "Wonderful Linux Server #2",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def test_bugreplay_success_echoes_the_record(bugreplay: BugReplayEmulator) -> None:
    first = httpx.post(bugreplay.url + SEND, json=send_body(), headers=AUTH)
    assert first.status_code == 200
    assert first.json() == {
        "success": "true",
        "data": {
            "data": {
                "ok": {
                    "id": 18,
                    "timestamp": 1622706694345,
                    "type": "log",
                    "title": "sample log today",
                    "payload": '{"a":1,"b":"a sample log text"}',
                    "uuid": "asdf-ghjk-klzx-1234",
                    "metadata": '{"anything_useful":"can be added here"}',
                    "origin": "Wonderful Linux Server #2",
                }
            },
            "success": True,
        },
    }
    second = httpx.post(
        bugreplay.url + SEND,
        json=send_body(type="exception", title=None, level="error"),
        headers=AUTH,
    )
    assert second.json()["data"]["data"]["ok"]["id"] == 19
    assert second.json()["data"]["data"]["ok"]["title"] == ""
    assert [(r.id, r.type, r.level) for r in bugreplay.records_for("asdf-ghjk-klzx-1234")] == [
        (18, "log", "info"),
        (19, "exception", "error"),
    ]


def test_bugreplay_documented_failures(bugreplay: BugReplayEmulator) -> None:
    not_logged_in = {
        "success": "false",
        "error": [{"error_name": "ErrUserNotLoggedIn", "message": "User is not logged in!"}],
    }
    no_recording = {
        "success": "false",
        "error": [{"error_name": "", "message": "No BugReplay-Recording-UUID, doing nothing"}],
    }
    bad_type = {
        "success": "false",
        "error": [{"error_name": "", "message": "Type must be 'log' or 'exception'"}],
    }

    wrong_key = httpx.post(
        bugreplay.url + SEND, json=send_body(), headers={"Authorization": "Bearer nope"}
    )
    assert (wrong_key.status_code, wrong_key.json()) == (200, not_logged_in)
    other_account = httpx.post(
        bugreplay.url + SEND, json=send_body(uuid="other-recording"), headers=AUTH
    )
    assert other_account.json() == not_logged_in
    unknown = httpx.post(bugreplay.url + SEND, json=send_body(uuid="not-recording"), headers=AUTH)
    assert (unknown.status_code, unknown.json()) == (200, no_recording)

    bugreplay.skip_validation(2)
    something = httpx.post(bugreplay.url + SEND, json=send_body(type="something"), headers=AUTH)
    assert (something.status_code, something.json()) == (200, bad_type)
    missing_key = httpx.post(bugreplay.url + SEND, json=send_body())
    assert missing_key.json() == not_logged_in
    assert bugreplay.records == []


def test_bugreplay_spec_violations() -> None:
    emu = BugReplayEmulator()
    with emu:
        assert (
            httpx.post(emu.url + SEND, json=send_body(type="something"), headers=AUTH).status_code
            == 400
        )
        assert httpx.post(emu.url + SEND, json=send_body()).status_code == 400  # no Authorization
        assert (
            httpx.post(
                emu.url + SEND, json=send_body(timestamp="2021-06-03"), headers=AUTH
            ).status_code
            == 400
        )
        assert (
            httpx.post(emu.url + SEND, json=send_body(uuid=None), headers=AUTH).status_code == 400
        )
        assert (
            httpx.post(
                emu.url + "/api/fullstack/v2/send", json=send_body(), headers=AUTH
            ).status_code
            == 400
        )
        violations = emu.take_violations()
    assert len(violations) == 5
    assert "something" in violations[0]
    assert "uthorization" in violations[1] or "ecurity" in violations[1]
    assert emu.records == []


def test_bugreplay_workflows_drive_the_emulator(bugreplay: BugReplayEmulator) -> None:
    log = run_workflow(
        BUGREPLAY_DOC,
        "send-log",
        {"recordingUuid": "asdf-ghjk-klzx-1234", "payload": "hello", "timestamp": 1625655368523},
        bugreplay.url,
        AUTH,
    )
    assert log == {"recordId": 18, "recordedTimestamp": 1625655368523}
    exception = run_workflow(
        BUGREPLAY_DOC,
        "send-exception",
        {
            "recordingUuid": "asdf-ghjk-klzx-1234",
            "stackTrace": "Traceback ...",
            "timestamp": 1,
            "title": "KeyError",
        },
        bugreplay.url,
        AUTH,
    )
    assert exception == {"recordId": 19, "recordedTimestamp": 1}
    assert [(r.type, r.level, r.payload, r.title) for r in bugreplay.records] == [
        ("log", "info", "hello", ""),
        ("exception", "error", "Traceback ...", "KeyError"),
    ]
    assert "metadata" not in bugreplay.requests[0].body  # absent optional inputs are left out

    # an HTTP 200 with success "false" fails the step
    with pytest.raises(WorkflowFailed) as failure:
        run_workflow(
            BUGREPLAY_DOC,
            "send-log",
            {"recordingUuid": "gone", "payload": "x", "timestamp": 1},
            bugreplay.url,
            AUTH,
        )
    assert failure.value.status == 200
    assert failure.value.body["error"][0]["message"] == "No BugReplay-Recording-UUID, doing nothing"
    with pytest.raises(WorkflowFailed):
        run_workflow(
            BUGREPLAY_DOC,
            "send-log",
            {"recordingUuid": "asdf-ghjk-klzx-1234", "payload": "x", "timestamp": 1},
            bugreplay.url,
            {"Authorization": "Bearer wrong"},
        )


# ======================================================================================= Sirius

SIRIUS_DOC = SPECS / "sirius" / "arazzo" / "sirius-status-update.arazzo.yml"
GRAPHQL = "/api/public/graphql"
TOKEN = {"Authorization": "Bearer test-token"}
UPDATE_STATUS = (
    "mutation ($statusId: ID!, $conclusion: StatusConclusion!, $output: UpdateStatusOutputInput!) "
    "{ updateStatus(input: {id: $statusId, status: completed, conclusion: $conclusion, output: $output}) { id } }"
)


@pytest.fixture
def sirius() -> Iterator[SiriusEmulator]:
    with SiriusEmulator(tokens=["test-token"], statuses=["status-1", "status-2"]) as emu:
        yield emu


def update(
    emu: SiriusEmulator,
    status_id: str,
    conclusion: str = "success",
    headers: dict[str, str] = TOKEN,
    **output: Any,
) -> httpx.Response:
    variables = {
        "statusId": status_id,
        "conclusion": conclusion,
        "output": output or {"title": "Live saved"},
    }
    return httpx.post(
        emu.url + GRAPHQL, json={"query": UPDATE_STATUS, "variables": variables}, headers=headers
    )


def test_sirius_update_status(sirius: SiriusEmulator) -> None:
    response = update(sirius, "status-1")
    assert (response.status_code, response.json()) == (
        200,
        {"data": {"updateStatus": {"id": "status-1"}}},
    )
    status = sirius.statuses["status-1"]
    assert (status.status, status.conclusion, status.output) == (
        "completed",
        "success",
        {"title": "Live saved", "summary": None},
    )
    failed = update(
        sirius, "status-2", "failure", title="Error while saving live", summary="disk full"
    )
    assert failed.json()["data"]["updateStatus"]["id"] == "status-2"
    assert sirius.statuses["status-2"].output == {
        "title": "Error while saving live",
        "summary": "disk full",
    }
    assert [(u.token, u.input["id"], u.input["conclusion"]) for u in sirius.updates] == [
        ("test-token", "status-1", "success"),
        ("test-token", "status-2", "failure"),
    ]
    in_progress = httpx.post(
        sirius.url + GRAPHQL,
        json={
            "query": 'mutation { updateStatus(input: {id: "%s", status: in_progress}) { id status conclusion } }'
            % sirius.add_status("s3")
        },
        headers=TOKEN,
    )
    assert in_progress.json() == {
        "data": {"updateStatus": {"id": "s3", "status": "in_progress", "conclusion": None}}
    }


def test_sirius_graphql_errors(sirius: SiriusEmulator) -> None:
    unknown = update(sirius, "nope")
    assert unknown.status_code == 200
    assert unknown.json()["data"] == {"updateStatus": None}
    assert unknown.json()["errors"][0]["extensions"] == {"code": "NOT_FOUND"}

    assert update(sirius, "status-1").status_code == 200
    again = update(sirius, "status-1", "failure")
    assert again.json()["data"] == {"updateStatus": None}
    assert "final state" in again.json()["errors"][0]["message"]

    bad_conclusion = update(sirius, "status-2", "maybe")
    assert (
        bad_conclusion.json()["data"] is None
        and "maybe" in bad_conclusion.json()["errors"][0]["message"]
    )
    missing_title = update(sirius, "status-2", summary="no title")
    assert (
        missing_title.json()["data"] is None
        and "title" in missing_title.json()["errors"][0]["message"]
    )
    no_conclusion = httpx.post(
        sirius.url + GRAPHQL,
        json={
            "query": 'mutation { updateStatus(input: {id: "status-2", status: completed}) { id } }'
        },
        headers=TOKEN,
    )
    assert "conclusion" in no_conclusion.json()["errors"][0]["message"]
    syntax = httpx.post(sirius.url + GRAPHQL, json={"query": "mutation {"}, headers=TOKEN)
    assert syntax.status_code == 200 and syntax.json()["data"] is None
    assert sirius.statuses["status-2"].status == "queued" and len(sirius.updates) == 1


def test_sirius_bad_token_is_401(sirius: SiriusEmulator) -> None:
    response = update(sirius, "status-1", headers={"Authorization": "Bearer stolen"})
    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"message": "Invalid API token", "extensions": {"code": "UNAUTHENTICATED"}}]
    }
    sirius.skip_validation()
    assert update(sirius, "status-1", headers={}).status_code == 401
    assert sirius.statuses["status-1"].status == "queued"


def test_sirius_spec_violations() -> None:
    emu = SiriusEmulator()
    with emu:
        assert update(emu, "status-1", headers={}).status_code == 400
        assert (
            update(emu, "status-1", headers={"Authorization": "Basic dXNlcjpwdw=="}).status_code
            == 400
        )
        assert (
            httpx.post(emu.url + GRAPHQL, json={"variables": {}}, headers=TOKEN).status_code == 400
        )
        assert (
            httpx.post(
                emu.url + "/graphql", json={"query": "{ status(id: 1) { id } }"}, headers=TOKEN
            ).status_code
            == 400
        )
        violations = emu.take_violations()
    assert len(violations) == 4
    assert emu.updates == []


def test_sirius_workflow_drives_the_emulator(sirius: SiriusEmulator) -> None:
    outputs = run_workflow(
        SIRIUS_DOC,
        "complete-status",
        {"statusId": "status-1", "conclusion": "success", "outputTitle": "Live saved"},
        sirius.url,
        TOKEN,
    )
    assert outputs == {"statusId": "status-1"}
    assert sirius.updates[0].input == {
        "id": "status-1",
        "status": "completed",
        "conclusion": "success",
        "output": {"title": "Live saved"},
    }
    run_workflow(
        SIRIUS_DOC,
        "complete-status",
        {
            "statusId": "status-2",
            "conclusion": "timed_out",
            "outputTitle": "Too slow",
            "outputSummary": "after 30 s",
        },
        sirius.url,
        TOKEN,
    )
    assert sirius.statuses["status-2"].output == {"title": "Too slow", "summary": "after 30 s"}
    # a GraphQL error in a 200 fails the step
    with pytest.raises(WorkflowFailed) as failure:
        run_workflow(
            SIRIUS_DOC,
            "complete-status",
            {"statusId": "nope", "conclusion": "failure", "outputTitle": "x"},
            sirius.url,
            TOKEN,
        )
    assert failure.value.status == 200 and failure.value.body["data"] == {"updateStatus": None}
    with pytest.raises(WorkflowFailed) as unauthorized:
        run_workflow(
            SIRIUS_DOC,
            "complete-status",
            {"statusId": "status-1", "conclusion": "failure", "outputTitle": "x"},
            sirius.url,
            {"Authorization": "Bearer stolen"},
        )
    assert unauthorized.value.status == 401


# ===================================================================== Highlight seed workflows

HIGHLIGHT_ARAZZO = SPECS / "highlight" / "arazzo"


@pytest.mark.skipif(
    not (HIGHLIGHT_ARAZZO / "highlight-io-session-track-event-workflow.yml").exists(),
    reason="seed workflow not in specs/",
)
def test_highlight_seed_workflows_drive_the_emulator(highlight: HighlightEmulator) -> None:
    track = run_workflow(
        HIGHLIGHT_ARAZZO / "highlight-io-session-track-event-workflow.yml",
        "session-track-event",
        {
            "organizationVerboseId": "1jdkoe52",
            "trackProperties": {"event": "signup", "plan": "pro"},
            "events": {"events": [{"type": 4, "timestamp": 1}]},
        },
        highlight.url,
    )
    secure_id = track["sessionSecureId"]
    assert track == {"sessionSecureId": secure_id, "trackResult": None, "payloadResult": 1}
    assert highlight.track_properties[secure_id] == [{"event": "signup", "plan": "pro"}]
    assert highlight.sessions[secure_id].client_version == "9.0.0"

    # with the seed's default `events: {}` the pushPayload variables do not validate:
    # HTTP 200 with a GraphQL error, which the seed's `$statusCode == 200` accepts
    default_events = run_workflow(
        HIGHLIGHT_ARAZZO / "highlight-io-session-track-event-workflow.yml",
        "session-track-event",
        {"organizationVerboseId": "1jdkoe52", "trackProperties": {"event": "x"}},
        highlight.url,
    )
    assert default_events["payloadResult"] is None
    assert highlight.payloads[default_events["sessionSecureId"]] == []

    backend = run_workflow(
        HIGHLIGHT_ARAZZO / "highlight-io-backend-session-payload-workflow.yml",
        "backend-session-payload",
        {
            "projectVerboseId": "1jdkoe52",
            "sessionSecureId": secure_id,
            "errors": [
                {
                    "event": "boom",
                    "type": "BACKEND",
                    "source": "api",
                    "stackTrace": "[]",
                    "timestamp": "2024-05-01T12:00:00Z",
                }
            ],
        },
        highlight.url,
    )
    assert backend == {"setupResult": "1jdkoe52", "pushResult": None}
    assert highlight.backend_setups[0].type == "error"
    assert highlight.backend_errors["1jdkoe52"][0]["event"] == "boom"
