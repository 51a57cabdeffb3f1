"""Sirius status update, end to end through the committed generated package and the emulator.

``complete_status`` sends the documented ``updateStatus`` mutation (status ``completed``, a
conclusion, an output). GraphQL reports resolver failures (an unknown status id, a status
already in its final state) inside an HTTP 200, so the step's success criterion is the
updated status coming back: those answers raise :class:`StepFailedError` too, like a bad
token (HTTP 401).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from emulators import SiriusEmulator
from generated import AsyncClient, Client, InputError, StepFailedError
from generated.sirius_status_update import (
    CompleteStatusResult,
    complete_status,
    complete_status_async,
)

TOKEN = "sirius-app-token-3e8a71c0d9"
STATUS = "c4b3a0e2-6f0e-4d7a-9a43-8e3e4f3b2a10"
GRAPHQL_PATH = "/api/public/graphql"


@pytest.fixture
def sirius() -> Iterator[SiriusEmulator]:
    emu = SiriusEmulator(tokens=(TOKEN,), statuses=(STATUS, "status-2", "status-3"))
    with emu:
        yield emu


def _client(emu: SiriusEmulator, token: str | None = TOKEN) -> Client:
    return Client(
        servers={"siriusPublicApi": emu.url},
        credentials={"bearerAuth": token} if token is not None else None,
    )


def _assert_secret_hidden(secret: str, client: Any, error: StepFailedError) -> None:
    assert secret not in str(error) and secret not in repr(error)
    assert secret not in repr(client)
    assert all(secret not in record.url for record in error.trace)


# ---------------------------------------------------------------------- conclusions


def test_success_completes_the_status(sirius: SiriusEmulator) -> None:
    with _client(sirius) as client:
        result = complete_status(
            status_id=STATUS, conclusion="success", output_title="Live saved", client=client
        )
        assert TOKEN not in repr(client)

    assert isinstance(result, CompleteStatusResult)
    assert result.status_id == STATUS
    [record] = result.trace
    assert (record.workflow_id, record.step_id, record.attempt) == (
        "complete-status",
        "updateStatus",
        1,
    )
    assert (record.method, record.url, record.status_code) == (
        "POST",
        sirius.url + GRAPHQL_PATH,
        200,
    )
    assert TOKEN not in record.url

    status = sirius.statuses[STATUS]
    assert (status.status, status.conclusion) == ("completed", "success")
    assert status.output == {"title": "Live saved", "summary": None}
    [update] = sirius.updates
    assert update.token == TOKEN
    assert update.input == {
        "id": STATUS,
        "status": "completed",
        "conclusion": "success",
        "output": {"title": "Live saved"},
    }
    [request] = sirius.requests
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert "updateStatus(input: {id: $statusId, status: completed" in request.body["query"]
    # no summary given: the variable is left out, not sent as null
    assert request.body["variables"] == {
        "statusId": STATUS,
        "conclusion": "success",
        "output": {"title": "Live saved"},
    }
    # the other statuses are untouched
    assert sirius.statuses["status-2"].status == "queued"


def test_failure_with_summary(sirius: SiriusEmulator) -> None:
    result = complete_status(
        status_id="status-2",
        conclusion="failure",
        output_title="Error while saving live",
        output_summary="connection reset by peer",
        client=_client(sirius),
    )
    assert result.status_id == "status-2"
    status = sirius.statuses["status-2"]
    assert (status.status, status.conclusion) == ("completed", "failure")
    assert status.output == {
        "title": "Error while saving live",
        "summary": "connection reset by peer",
    }
    assert sirius.updates[0].input["output"] == status.output


def test_timed_out(sirius: SiriusEmulator) -> None:
    result = complete_status(
        status_id="status-3",
        conclusion="timed_out",
        output_title="Gave up",
        output_summary="no answer after 30 s",
        client=_client(sirius),
    )
    assert result.status_id == "status-3"
    status = sirius.statuses["status-3"]
    assert (status.status, status.conclusion) == ("completed", "timed_out")
    assert [u.input["conclusion"] for u in sirius.updates] == ["timed_out"]


# ---------------------------------------------------------------------- failures


def test_unknown_status_id_is_a_graphql_error_in_a_200(sirius: SiriusEmulator) -> None:
    client = _client(sirius)
    with pytest.raises(StepFailedError) as failure:
        complete_status(
            status_id="no-such-status", conclusion="success", output_title="x", client=client
        )
    error = failure.value
    assert (error.workflow_id, error.step_id, error.status_code, error.attempts) == (
        "complete-status",
        "updateStatus",
        200,
        1,
    )
    assert error.body["data"] == {"updateStatus": None}
    [graphql_error] = error.body["errors"]
    assert graphql_error["message"] == "Status not found: no-such-status"
    assert graphql_error["extensions"] == {"code": "NOT_FOUND"}
    assert graphql_error["path"] == ["updateStatus"]
    assert [(r.step_id, r.status_code) for r in error.trace] == [("updateStatus", 200)]
    _assert_secret_hidden(TOKEN, client, error)
    assert sirius.updates == []


def test_a_completed_status_cannot_be_completed_again(sirius: SiriusEmulator) -> None:
    with _client(sirius) as client:
        complete_status(
            status_id=STATUS, conclusion="success", output_title="Live saved", client=client
        )
        with pytest.raises(StepFailedError) as failure:
            complete_status(
                status_id=STATUS, conclusion="failure", output_title="late", client=client
            )
    assert failure.value.status_code == 200
    assert failure.value.body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert sirius.statuses[STATUS].conclusion == "success"
    assert len(sirius.updates) == 1


def test_bad_token_is_unauthenticated(sirius: SiriusEmulator) -> None:
    wrong = "sirius-revoked-token-55aa"
    client = _client(sirius, wrong)
    with pytest.raises(StepFailedError) as failure:
        complete_status(
            status_id=STATUS, conclusion="success", output_title="Live saved", client=client
        )
    error = failure.value
    assert (error.step_id, error.status_code) == ("updateStatus", 401)
    assert error.body == {
        "errors": [{"message": "Invalid API token", "extensions": {"code": "UNAUTHENTICATED"}}]
    }
    _assert_secret_hidden(wrong, client, error)
    assert sirius.requests[0].headers["authorization"] == f"Bearer {wrong}"
    assert sirius.statuses[STATUS].status == "queued" and sirius.updates == []


def test_missing_token_is_unauthenticated(sirius: SiriusEmulator) -> None:
    # no Authorization header breaks the OpenAPI security requirement: skip validation
    # to reach the documented 401
    sirius.skip_validation()
    with pytest.raises(StepFailedError) as failure:
        complete_status(
            status_id=STATUS, conclusion="success", output_title="x", client=_client(sirius, None)
        )
    assert failure.value.status_code == 401
    assert failure.value.body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "authorization" not in sirius.requests[0].headers
    assert sirius.updates == []


def test_conclusion_outside_the_enum_raises_input_error(sirius: SiriusEmulator) -> None:
    with pytest.raises(InputError) as bad:
        complete_status(
            status_id=STATUS,
            conclusion="cancelled",  # type: ignore[arg-type]  # deliberately outside the enum: refused
            output_title="x",
            client=_client(sirius),
        )
    assert bad.value.workflow_id == "complete-status"
    assert any("conclusion" in message for message in bad.value.errors)
    assert TOKEN not in str(bad.value)
    assert sirius.requests == [] and sirius.updates == []


# ---------------------------------------------------------------------- async twins


def test_async_twins(sirius: SiriusEmulator) -> None:
    async def main() -> tuple[CompleteStatusResult, CompleteStatusResult, CompleteStatusResult]:
        async with AsyncClient(base_url=sirius.url, credentials={"bearerAuth": TOKEN}) as client:
            assert TOKEN not in repr(client)
            return await asyncio.gather(
                complete_status_async(
                    status_id=STATUS, conclusion="success", output_title="Live saved", client=client
                ),
                complete_status_async(
                    status_id="status-2",
                    conclusion="failure",
                    output_title="Error while saving live",
                    output_summary="boom",
                    client=client,
                ),
                complete_status_async(
                    status_id="status-3",
                    conclusion="timed_out",
                    output_title="Too slow",
                    client=client,
                ),
            )

    results = asyncio.run(main())
    assert [r.status_id for r in results] == [STATUS, "status-2", "status-3"]
    assert all(r.trace[0].status_code == 200 for r in results)
    assert {(s.id, s.status, s.conclusion) for s in sirius.statuses.values()} == {
        (STATUS, "completed", "success"),
        ("status-2", "completed", "failure"),
        ("status-3", "completed", "timed_out"),
    }
    assert sirius.statuses["status-2"].output == {
        "title": "Error while saving live",
        "summary": "boom",
    }
    assert sorted(u.input["id"] for u in sirius.updates) == sorted([STATUS, "status-2", "status-3"])


def test_async_failures(sirius: SiriusEmulator) -> None:
    wrong = "sirius-async-wrong-0001"

    async def main() -> tuple[StepFailedError, StepFailedError, InputError]:
        async with AsyncClient(base_url=sirius.url, credentials={"bearerAuth": TOKEN}) as client:
            with pytest.raises(StepFailedError) as unknown:
                await complete_status_async(
                    status_id="missing", conclusion="failure", output_title="x", client=client
                )
            with pytest.raises(InputError) as bad_input:
                await complete_status_async(
                    status_id=STATUS, conclusion="ok", output_title="x", client=client  # type: ignore[arg-type]  # deliberately outside the enum: refused
                )
        async with AsyncClient(
            base_url=sirius.url, credentials={"bearerAuth": wrong}
        ) as bad_client:
            with pytest.raises(StepFailedError) as unauthenticated:
                await complete_status_async(
                    status_id=STATUS, conclusion="success", output_title="x", client=bad_client
                )
            _assert_secret_hidden(wrong, bad_client, unauthenticated.value)
        return unknown.value, unauthenticated.value, bad_input.value

    unknown, unauthenticated, bad_input = asyncio.run(main())
    assert unknown.status_code == 200
    assert unknown.body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert unauthenticated.status_code == 401
    assert any("conclusion" in message for message in bad_input.errors)
    assert len(sirius.requests) == 2  # the InputError sent nothing
    assert sirius.updates == [] and sirius.statuses[STATUS].status == "queued"
