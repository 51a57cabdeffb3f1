"""Highlight's two seed workflows, end to end through the committed generated package and the emulator."""

from __future__ import annotations

import asyncio
import inspect
import typing
from collections.abc import Iterator
from typing import Any

import pytest

from emulators import HighlightEmulator
from generated import AsyncClient, Client, InputError, StepFailedError
from generated.highlight_io_backend_session_payload_workflow import (
    BackendSessionPayloadResult,
    backend_session_payload,
    backend_session_payload_async,
)
from generated.highlight_io_session_track_event_workflow import (
    SessionTrackEventResult,
    session_track_event,
    session_track_event_async,
)

BACKEND_ERROR = {
    "event": "ZeroDivisionError: division by zero",
    "type": "ZeroDivisionError",
    "source": "checkout-service",
    "stackTrace": "Traceback (most recent call last): ...",
    "timestamp": "2026-11-22T08:00:00Z",
}


@pytest.fixture
def highlight() -> Iterator[HighlightEmulator]:
    with HighlightEmulator() as emu:
        yield emu


def test_generated_signatures_follow_the_contract() -> None:
    params = inspect.signature(session_track_event).parameters
    assert list(params) == [
        "organization_verbose_id",
        "track_properties",
        "client_version",
        "firstload_version",
        "environment",
        "client_id",
        "events",
        "messages",
        "client",
    ]
    assert params["client_version"].default == "9.0.0" and params["events"].default == {}
    assert params["organization_verbose_id"].default is inspect.Parameter.empty
    hints = typing.get_type_hints(SessionTrackEventResult)
    assert hints["session_secure_id"] == str | None
    assert hints["payload_result"] == int | None
    backend = inspect.signature(backend_session_payload).parameters
    assert list(backend) == ["project_verbose_id", "session_secure_id", "errors", "type", "client"]
    assert backend["type"].default == "error"
    assert set(typing.get_type_hints(BackendSessionPayloadResult)) == {
        "setup_result",
        "push_result",
        "trace",
    }


def test_session_track_event_chains_the_secure_id(highlight: HighlightEmulator) -> None:
    with Client(base_url=highlight.url) as client:
        result = session_track_event(
            organization_verbose_id="1jdkoe52",
            track_properties={"event": "signup", "plan": "pro"},
            events={"events": [{"type": 2, "data": {}}]},
            client_id="browser-7",
            client=client,
        )
    assert result.session_secure_id in highlight.sessions
    session = highlight.sessions[result.session_secure_id]
    assert (session.organization_verbose_id, session.client_id, session.environment) == (
        "1jdkoe52",
        "browser-7",
        "production",
    )
    assert highlight.track_properties[result.session_secure_id] == [
        {"event": "signup", "plan": "pro"}
    ]
    assert highlight.events(result.session_secure_id) == [{"type": 2, "data": {}}]
    assert result.payload_result == 1
    assert [r.step_id for r in result.trace] == [
        "initializeSession",
        "addTrackProperties",
        "flushPayload",
    ]
    assert all(
        r.status_code == 200 and r.method == "POST" and r.url == highlight.url + "/"
        for r in result.trace
    )


def test_backend_session_payload_marks_setup_then_pushes_errors(
    highlight: HighlightEmulator,
) -> None:
    secure_id = highlight.open_session("proj-1")
    with Client(base_url=highlight.url) as client:
        result = backend_session_payload(
            project_verbose_id="proj-1",
            session_secure_id=secure_id,
            errors=[BACKEND_ERROR],
            client=client,
        )
    assert result.setup_result == "proj-1"
    assert result.push_result is None
    assert [(s.project_id, s.session_secure_id, s.type) for s in highlight.backend_setups] == [
        ("proj-1", secure_id, "error")
    ]
    assert highlight.backend_errors["proj-1"][0]["event"] == BACKEND_ERROR["event"]
    assert len(result.trace) == 2


def test_async_twins(highlight: HighlightEmulator) -> None:
    async def main() -> tuple[Any, Any]:
        async with AsyncClient(servers={"sessionIngestionApi": highlight.url}) as client:
            tracked = await session_track_event_async(
                organization_verbose_id="org-a", track_properties={"event": "click"}, client=client
            )
            assert tracked.session_secure_id is not None
            backend = await backend_session_payload_async(
                project_verbose_id="org-a",
                session_secure_id=tracked.session_secure_id,
                errors=[BACKEND_ERROR],
                type="logs",
                client=client,
            )
        return tracked, backend

    tracked, backend = asyncio.run(main())
    assert tracked.session_secure_id in highlight.sessions
    assert highlight.backend_setups[-1].type == "logs"
    assert backend.setup_result == "org-a"


def test_initialize_without_secure_id_fails_the_jsonpath_criterion(
    highlight: HighlightEmulator,
) -> None:
    highlight.force(
        200, {"data": {"initializeSession": None}, "errors": [{"message": "project not found"}]}
    )
    with pytest.raises(StepFailedError) as failure:
        session_track_event(
            organization_verbose_id="nope",
            track_properties={},
            client=Client(base_url=highlight.url),
        )
    error = failure.value
    assert (error.step_id, error.status_code, error.attempts) == ("initializeSession", 200, 1)
    assert error.body["errors"][0]["message"] == "project not found"
    assert len(highlight.requests) == 1


def test_inputs_are_checked_before_any_request(highlight: HighlightEmulator) -> None:
    with pytest.raises(InputError) as bad:
        backend_session_payload(
            project_verbose_id="p",
            session_secure_id="s",
            errors="not a list",  # type: ignore[arg-type]  # deliberately a string: refused
            client=Client(base_url=highlight.url),
        )
    assert any("errors" in message for message in bad.value.errors)
    assert highlight.requests == []
