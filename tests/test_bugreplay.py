"""BugReplay Fullstack "send", end to end through the committed generated package and the emulator.

The four documented behaviours of ``POST /api/fullstack/v1/send`` (all HTTP 200):

1. missing or invalid API key (or a key of another account than the recording) ->
   ``success: "false"``, "User is not logged in!": the generated step's success criteria
   fail, so a :class:`StepFailedError` carries the server's answer in ``.body``;
2. unknown recording uuid -> "No BugReplay-Recording-UUID, doing nothing" (same way);
3. a ``type`` other than ``log``/``exception`` -> "Type must be 'log' or 'exception'".
   The generated functions cannot produce it: ``type`` is not an input, each workflow
   sends its constant (``send_log`` -> ``log``, ``send_exception`` -> ``exception``), so the
   only way to get a bad value into a request is through the inputs, and those are
   checked against the workflow's inputs schema first (:class:`InputError`, nothing sent);
4. success -> the stored record is echoed; its id is the ``record_id`` output.

The bearer API key must never show in an error's text, the client's repr or a trace URL.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from typing import Any

import pytest

from emulators import BugReplayEmulator
from generated import AsyncClient, Client, InputError, StepFailedError, StepRecord
from generated.bugreplay_fullstack_send import (
    SendExceptionResult,
    SendLogResult,
    send_exception,
    send_exception_async,
    send_log,
    send_log_async,
)

SECRET = "br-live-9f3c1d7e2a6b4c58"
OTHER_KEY = "br-live-other-account-0042"
UUID = "033e36dc-bb32-45b7-85c0-89f1dee11238"
SEND_PATH = "/api/fullstack/v1/send"
NOT_LOGGED_IN = {"error_name": "ErrUserNotLoggedIn", "message": "User is not logged in!"}
NO_RECORDING = {"error_name": "", "message": "No BugReplay-Recording-UUID, doing nothing"}


@pytest.fixture
def bugreplay() -> Iterator[BugReplayEmulator]:
    emu = BugReplayEmulator(api_keys=(SECRET,), recordings=(UUID,), first_id=18)
    with emu:
        yield emu


def _client(emu: BugReplayEmulator, key: str | None = SECRET) -> Client:
    return Client(base_url=emu.url, credentials={"bearerAuth": key} if key is not None else None)


def _assert_secret_hidden(
    secret: str,
    *,
    client: Client | AsyncClient,
    error: BaseException | None = None,
    trace: tuple[StepRecord, ...] = (),
) -> None:
    assert secret not in repr(client)
    assert "bearerAuth" in repr(client) or "credentials=[]" in repr(client)
    if error is not None:
        assert secret not in str(error)
        assert secret not in repr(error)
    for record in trace:
        assert secret not in record.url
        assert secret not in repr(record)


def _assert_failure(
    error: StepFailedError, workflow: str, step: str, reason: dict[str, str]
) -> None:
    assert (error.workflow_id, error.step_id, error.status_code, error.attempts) == (
        workflow,
        step,
        200,
        1,
    )
    assert error.body == {"success": "false", "error": [reason]}
    assert [(r.step_id, r.status_code) for r in error.trace] == [(step, 200)]


# ---------------------------------------------------------------------- success


def test_send_log_stores_the_record_and_returns_its_id(bugreplay: BugReplayEmulator) -> None:
    with _client(bugreplay) as client:
        result = send_log(
            recording_uuid=UUID,
            payload='{"a":1,"b":"a sample log text"}',
            timestamp=1622706694345,
            title="sample log today",
            metadata='{"anything_useful":"can be added here"}',
            origin="Wonderful Linux Server #2",
            client=client,
        )
        _assert_secret_hidden(SECRET, client=client, trace=result.trace)

    assert isinstance(result, SendLogResult)
    assert (result.record_id, result.recorded_timestamp) == (18, 1622706694345)
    [record] = result.trace
    assert (record.workflow_id, record.step_id, record.attempt) == ("send-log", "sendLog", 1)
    assert (record.method, record.url, record.status_code) == (
        "POST",
        bugreplay.url + SEND_PATH,
        200,
    )

    [stored] = bugreplay.records
    assert stored.id == result.record_id
    assert (stored.type, stored.uuid, stored.level, stored.api_key) == ("log", UUID, "info", SECRET)
    assert stored.payload == '{"a":1,"b":"a sample log text"}'
    assert (stored.title, stored.origin) == ("sample log today", "Wonderful Linux Server #2")
    assert stored.metadata == '{"anything_useful":"can be added here"}'

    [request] = bugreplay.requests
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    assert request.validated and request.violations == ()


def test_send_exception_after_a_log_gets_the_next_id(bugreplay: BugReplayEmulator) -> None:
    with _client(bugreplay) as client:
        logged = send_log(
            recording_uuid=UUID, payload="GET /checkout", timestamp=1000, client=client
        )
        raised = send_exception(
            recording_uuid=UUID,
            stack_trace="Traceback (most recent call last):\nZeroDivisionError: division by zero",
            timestamp=2000,
            title="ZeroDivisionError",
            client=client,
        )

    assert isinstance(raised, SendExceptionResult)
    assert (logged.record_id, raised.record_id) == (18, 19)
    assert raised.recorded_timestamp == 2000
    assert [r.step_id for r in raised.trace] == ["sendException"]
    log, exception = bugreplay.records_for(UUID)
    assert (log.type, log.level, log.payload) == ("log", "info", "GET /checkout")
    assert (exception.type, exception.level, exception.title) == (
        "exception",
        "error",
        "ZeroDivisionError",
    )
    assert exception.payload.endswith("ZeroDivisionError: division by zero")
    # optional inputs left out are not sent at all (the emulator stores them as "")
    assert set(bugreplay.requests[0].body) == {"uuid", "type", "payload", "level", "timestamp"}
    assert (log.title, log.metadata, log.origin) == ("", "", "")


# ---------------------------------------------------------------------- 1. not logged in


def test_missing_api_key_is_not_logged_in(bugreplay: BugReplayEmulator) -> None:
    # without credentials the request has no Authorization header: the OpenAPI security
    # requirement forbids it, so it reaches the server's documented answer past validation
    bugreplay.skip_validation()
    client = _client(bugreplay, key=None)
    with pytest.raises(StepFailedError) as failure:
        send_log(recording_uuid=UUID, payload="x", timestamp=1, client=client)
    _assert_failure(failure.value, "send-log", "sendLog", NOT_LOGGED_IN)
    assert failure.value.body["error"][0]["message"] == "User is not logged in!"
    [request] = bugreplay.requests
    assert "authorization" not in request.headers
    assert bugreplay.records == []


def test_missing_api_key_breaks_the_security_requirement(bugreplay: BugReplayEmulator) -> None:
    with pytest.raises(StepFailedError) as failure:
        send_log(recording_uuid=UUID, payload="x", timestamp=1, client=_client(bugreplay, key=None))
    assert failure.value.status_code == 400
    violations = bugreplay.take_violations()
    assert len(violations) == 1 and "security" in violations[0].lower()
    assert bugreplay.records == []


def test_invalid_api_key_is_not_logged_in_and_stays_secret(bugreplay: BugReplayEmulator) -> None:
    wrong = "br-live-revoked-7777aaaa"
    client = _client(bugreplay, key=wrong)
    with pytest.raises(StepFailedError) as failure:
        send_exception(recording_uuid=UUID, stack_trace="boom", timestamp=1, client=client)
    _assert_failure(failure.value, "send-exception", "sendException", NOT_LOGGED_IN)
    _assert_secret_hidden(wrong, client=client, error=failure.value, trace=failure.value.trace)
    assert bugreplay.requests[0].headers["authorization"] == f"Bearer {wrong}"
    assert bugreplay.records == []


def test_key_of_another_account_is_not_logged_in() -> None:
    emu = BugReplayEmulator(api_keys=(SECRET, OTHER_KEY), recordings={UUID: OTHER_KEY})
    with emu:
        client = _client(emu)
        with pytest.raises(StepFailedError) as failure:
            send_log(recording_uuid=UUID, payload="x", timestamp=1, client=client)
        _assert_failure(failure.value, "send-log", "sendLog", NOT_LOGGED_IN)
        _assert_secret_hidden(SECRET, client=client, error=failure.value, trace=failure.value.trace)
        assert emu.records == []
        # the owner's key is accepted
        result = send_log(
            recording_uuid=UUID, payload="x", timestamp=1, client=_client(emu, OTHER_KEY)
        )
        assert result.record_id == 1 and emu.records[0].api_key == OTHER_KEY


# ---------------------------------------------------------------------- 2. unknown recording


def test_unknown_recording_uuid_does_nothing(bugreplay: BugReplayEmulator) -> None:
    client = _client(bugreplay)
    with pytest.raises(StepFailedError) as failure:
        send_log(recording_uuid="no-such-recording", payload="x", timestamp=1, client=client)
    _assert_failure(failure.value, "send-log", "sendLog", NO_RECORDING)
    assert failure.value.body["error"][0]["message"] == "No BugReplay-Recording-UUID, doing nothing"
    _assert_secret_hidden(SECRET, client=client, error=failure.value, trace=failure.value.trace)
    assert bugreplay.records == [] and bugreplay.next_id == 18


# ---------------------------------------------------------------------- 3. bad type


def test_type_is_not_an_input_each_workflow_sends_its_constant(
    bugreplay: BugReplayEmulator,
) -> None:
    assert "type" not in inspect.signature(send_log).parameters
    assert "type" not in inspect.signature(send_exception).parameters
    bad: Any = send_log
    with pytest.raises(TypeError):
        bad(recording_uuid=UUID, payload="x", timestamp=1, type="metric", client=_client(bugreplay))
    assert bugreplay.requests == []
    with _client(bugreplay) as client:
        send_log(recording_uuid=UUID, payload="x", timestamp=1, client=client)
        send_exception(recording_uuid=UUID, stack_trace="y", timestamp=2, client=client)
    assert [r.body["type"] for r in bugreplay.requests] == ["log", "exception"]


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("timestamp", {"timestamp": "1622706694345"}),
        ("payload", {"payload": {"a": 1}}),
        ("level", {"level": 3}),
        ("recordingUuid", {"recording_uuid": None}),
    ],
)
def test_malformed_inputs_raise_input_error_and_send_nothing(
    bugreplay: BugReplayEmulator, field: str, overrides: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {"recording_uuid": UUID, "payload": "x", "timestamp": 1}
    arguments.update(overrides)
    with pytest.raises(InputError) as bad:
        send_log(**arguments, client=_client(bugreplay))
    assert bad.value.workflow_id == "send-log"
    assert any(field in message for message in bad.value.errors)
    assert SECRET not in str(bad.value)
    assert bugreplay.requests == [] and bugreplay.records == []


# ---------------------------------------------------------------------- async twins


def test_async_twins(bugreplay: BugReplayEmulator) -> None:
    async def main() -> tuple[SendLogResult, SendExceptionResult, AsyncClient]:
        async with AsyncClient(
            servers={"bugreplayFullstackApi": bugreplay.url}, credentials={"bearerAuth": SECRET}
        ) as client:
            logged = await send_log_async(
                recording_uuid=UUID, payload="async log", timestamp=10, level="debug", client=client
            )
            raised = await send_exception_async(
                recording_uuid=UUID,
                stack_trace="async trace",
                timestamp=11,
                origin="worker-3",
                client=client,
            )
        return logged, raised, client

    logged, raised, client = asyncio.run(main())
    assert (logged.record_id, logged.recorded_timestamp) == (18, 10)
    assert (raised.record_id, raised.recorded_timestamp) == (19, 11)
    assert [r.url for r in logged.trace + raised.trace] == [bugreplay.url + SEND_PATH] * 2
    _assert_secret_hidden(SECRET, client=client, trace=logged.trace + raised.trace)
    log, exception = bugreplay.records
    assert (log.type, log.level, log.payload) == ("log", "debug", "async log")
    assert (exception.type, exception.level, exception.origin) == ("exception", "error", "worker-3")


def test_async_failures(bugreplay: BugReplayEmulator) -> None:
    wrong = "br-live-async-wrong-5150"

    async def main() -> tuple[StepFailedError, StepFailedError, StepFailedError, InputError]:
        async with AsyncClient(
            base_url=bugreplay.url, credentials={"bearerAuth": wrong}
        ) as bad_key:
            with pytest.raises(StepFailedError) as not_logged_in:
                await send_log_async(recording_uuid=UUID, payload="x", timestamp=1, client=bad_key)
            _assert_secret_hidden(wrong, client=bad_key, error=not_logged_in.value)
        bugreplay.skip_validation()
        async with AsyncClient(base_url=bugreplay.url) as no_key:
            with pytest.raises(StepFailedError) as missing:
                await send_exception_async(
                    recording_uuid=UUID, stack_trace="x", timestamp=1, client=no_key
                )
        async with AsyncClient(
            base_url=bugreplay.url, credentials={"bearerAuth": SECRET}
        ) as client:
            with pytest.raises(StepFailedError) as unknown:
                await send_exception_async(
                    recording_uuid="gone", stack_trace="x", timestamp=1, client=client
                )
            _assert_secret_hidden(
                SECRET, client=client, error=unknown.value, trace=unknown.value.trace
            )
            with pytest.raises(InputError) as invalid:
                await send_log_async(recording_uuid=UUID, payload="x", timestamp=1.5, client=client)  # type: ignore[arg-type]  # deliberately a float: refused
        return not_logged_in.value, missing.value, unknown.value, invalid.value

    not_logged_in, missing, unknown, invalid = asyncio.run(main())
    _assert_failure(not_logged_in, "send-log", "sendLog", NOT_LOGGED_IN)
    _assert_failure(missing, "send-exception", "sendException", NOT_LOGGED_IN)
    _assert_failure(unknown, "send-exception", "sendException", NO_RECORDING)
    assert any("timestamp" in message for message in invalid.errors)
    assert len(bugreplay.requests) == 3  # the InputError sent nothing
    assert bugreplay.records == []
