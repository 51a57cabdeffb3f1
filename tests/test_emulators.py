"""Tests of the loopback emulators themselves, driven with httpx directly."""

from __future__ import annotations

from typing import Any, Iterator

import httpx
import pytest

from emulators import HighlightEmulator, Reply, Request, SpecViolationError

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
    return httpx.post(emu.url + "/", json={"operationName": name, "query": query, "variables": variables})


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
    assert (session.environment, session.client_id, session.enable_strict_privacy) == ("production", "browser-1", False)

    track = gql(
        highlight,
        "addTrackProperties",
        ADD_TRACK_PROPERTIES,
        {"session_secure_id": secure_id, "properties_object": {"event": "signup", "plan": "pro", "seats": 3}},
    )
    assert track.status_code == 200
    assert track.json() == {"data": {"addTrackProperties": None}}
    assert highlight.track_properties[secure_id] == [{"event": "signup", "plan": "pro", "seats": 3}]

    events = [{"type": 2, "timestamp": 1, "data": {}}, {"type": 3, "timestamp": 2, "data": {"source": 1}}]
    pushed = gql(
        highlight,
        "pushPayload",
        PUSH_PAYLOAD,
        {"session_secure_id": secure_id, "events": {"events": events}, "messages": "[]", "errors": [], "payload_id": 1},
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
    setup2 = gql(highlight, "markBackendSetup", MARK_BACKEND_SETUP, {"session_secure_id": secure_id, "type": "logs"})
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
    pushed = gql(highlight, "pushBackendPayload", PUSH_BACKEND_PAYLOAD, {"project_id": "proj-7", "errors": [error]})
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
    missing_arg = httpx.post(highlight.url + "/", json={"query": 'mutation { markBackendSetup(project_id: "p") }'})
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
        {"project_id": "p", "errors": [{"event": "e", "type": "t", "source": "s", "stackTrace": "", "timestamp": "yesterday"}]},
    )
    assert bad_timestamp.json()["data"] is None
    assert "Timestamp" in bad_timestamp.json()["errors"][0]["message"]
    assert highlight.payloads[secure_id] == [] and highlight.backend_errors == {}


def test_highlight_unknown_session_is_a_graphql_error(highlight: HighlightEmulator) -> None:
    track = gql(
        highlight, "addTrackProperties", ADD_TRACK_PROPERTIES, {"session_secure_id": "nope", "properties_object": {}}
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

    setup = gql(highlight, "markBackendSetup", MARK_BACKEND_SETUP, {"session_secure_id": "nope", "type": "error"})
    assert setup.json()["data"] == {"markBackendSetup": None}
    no_project = gql(highlight, "markBackendSetup", MARK_BACKEND_SETUP, {"type": "error"})
    assert no_project.json()["data"] == {"markBackendSetup": None}
    assert highlight.track_properties == {} and highlight.payloads == {} and highlight.backend_setups == []


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
        pushed = gql(emu, "pushBackendPayload", PUSH_BACKEND_PAYLOAD, {"project_id": "bad", "errors": []})
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
            not_json = httpx.post(emu.url + "/", content=b"query=x", headers={"Content-Type": "text/plain"})
            assert not_json.status_code == 400
            bad_variables = httpx.post(emu.url + "/", json={"query": "{ ignore }", "variables": [1]})
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
    assert response.json() == {"data": None, "errors": [{"message": "the request has no GraphQL query"}]}
    assert highlight.requests[-1].validated is False
    # only one request was let through
    assert httpx.post(highlight.url + "/", json={}).status_code == 400
    assert len(highlight.take_violations()) == 1


def test_highlight_forced_responses(highlight: HighlightEmulator) -> None:
    highlight.force(503, {"message": "try later"}, {"Retry-After": "2"})
    highlight.force(200, "plain text")
    assert highlight.pending_forced == 2
    query = {"query": "mutation { markBackendSetup(project_id: \"p\", type: \"error\") }"}
    first = httpx.post(highlight.url + "/", json=query)
    assert (first.status_code, first.json(), first.headers["retry-after"]) == (503, {"message": "try later"}, "2")
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
            return Reply(200, {"data": {"pushPayload": "many", "initializeSession": {"secure_id": 1}}})

    with pytest.raises(SpecViolationError, match="emulator bug"):
        with Broken() as emu:
            assert httpx.post(emu.url + "/", json={"query": "{ ignore }"}).status_code == 200


def test_emulator_keep_alive_and_concurrency(highlight: HighlightEmulator) -> None:
    import concurrent.futures

    with httpx.Client(base_url=highlight.url) as client:
        ids = [
            client.post("/", json={"query": INITIALIZE_SESSION, "variables": {
                "organization_verbose_id": "p", "enable_strict_privacy": False, "client_version": "1",
                "firstload_version": "1", "client_config": "{}", "environment": "e", "client_id": "c",
            }}).json()["data"]["initializeSession"]["secure_id"]
            for _ in range(3)
        ]
    assert len(set(ids)) == 3

    def track(i: int) -> int:
        return gql(
            highlight, "addTrackProperties", ADD_TRACK_PROPERTIES, {"session_secure_id": ids[0], "properties_object": {"i": i}}
        ).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert list(pool.map(track, range(16))) == [200] * 16
    assert sorted(p["i"] for p in highlight.track_properties[ids[0]]) == list(range(16))
