"""The example Sirius webhook receiver, driven over HTTP, completing statuses in the Sirius emulator.

httpx plays Sirius' webhook sender; the receiver updates statuses only through the generated
``complete_status`` function, which the emulator checks against the OpenAPI document.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulators import SiriusEmulator
from generated import Client
from examples.sirius_webhook import SiriusWebhookReceiver

TOKEN = "sirius-webhook-token-91b2c3"
ROOT = Path(__file__).resolve().parent.parent


class Recorder:
    """A live handler that remembers its payloads and fails when the payload asks to."""

    def __init__(self) -> None:
        self.payloads: list[Any] = []

    def __call__(self, payload: Any) -> None:
        self.payloads.append(payload)
        if isinstance(payload, dict) and "fail" in payload:
            raise RuntimeError(payload["fail"])


@pytest.fixture
def sirius() -> Iterator[SiriusEmulator]:
    emu = SiriusEmulator(tokens=(TOKEN,), statuses=("status-ok", "status-ko", "status-other"))
    with emu:
        yield emu


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def receiver(sirius: SiriusEmulator, recorder: Recorder) -> Iterator[SiriusWebhookReceiver]:
    with SiriusWebhookReceiver(recorder, sirius_url=sirius.url, token=TOKEN) as running:
        yield running


def _post(
    receiver: SiriusWebhookReceiver,
    payload: Any,
    *,
    event: str | None = "live",
    status_id: str | None = None,
) -> httpx.Response:
    headers = {}
    if event is not None:
        headers["x-sirius-event"] = event
    if status_id is not None:
        headers["x-sirius-status-id"] = status_id
    return httpx.post(receiver.url, json=payload, headers=headers, timeout=10)


def test_live_event_completes_the_status_with_success(
    receiver: SiriusWebhookReceiver, sirius: SiriusEmulator, recorder: Recorder
) -> None:
    response = _post(
        receiver, {"live": {"id": "live-1", "title": "Élections"}}, status_id="status-ok"
    )
    assert (response.status_code, response.text) == (200, "OK")
    assert recorder.payloads == [{"live": {"id": "live-1", "title": "Élections"}}]

    status = sirius.statuses["status-ok"]
    assert (status.status, status.conclusion) == ("completed", "success")
    assert status.output == {"title": "Live saved", "summary": None}
    [update] = sirius.updates
    assert update.token == TOKEN
    assert update.input == {
        "id": "status-ok",
        "status": "completed",
        "conclusion": "success",
        "output": {"title": "Live saved"},
    }
    assert sirius.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_failing_handler_completes_the_status_with_failure(
    receiver: SiriusWebhookReceiver, sirius: SiriusEmulator, recorder: Recorder
) -> None:
    response = _post(receiver, {"fail": "disk full while saving live-2"}, status_id="status-ko")
    assert response.status_code == 200
    assert len(recorder.payloads) == 1

    status = sirius.statuses["status-ko"]
    assert (status.status, status.conclusion) == ("completed", "failure")
    assert status.output == {
        "title": "Error while saving live",
        "summary": "disk full while saving live-2",
    }
    assert [u.input["id"] for u in sirius.updates] == ["status-ko"]


def test_each_event_completes_its_own_status(
    receiver: SiriusWebhookReceiver, sirius: SiriusEmulator
) -> None:
    _post(receiver, {"fail": "boom"}, status_id="status-ko")
    _post(receiver, {"live": {"id": "live-3"}}, status_id="status-ok")
    assert [(u.input["id"], u.input["conclusion"]) for u in sirius.updates] == [
        ("status-ko", "failure"),
        ("status-ok", "success"),
    ]
    assert sirius.statuses["status-other"].status == "queued"


def test_without_status_header_sirius_is_not_called(
    receiver: SiriusWebhookReceiver, sirius: SiriusEmulator, recorder: Recorder
) -> None:
    assert _post(receiver, {"live": {"id": "live-4"}}).status_code == 200
    assert _post(receiver, {"fail": "no status to report to"}).status_code == 200
    assert len(recorder.payloads) == 2  # the handler ran both times
    assert sirius.requests == [] and sirius.updates == []


def test_other_events_are_acknowledged_and_ignored(
    receiver: SiriusWebhookReceiver, sirius: SiriusEmulator, recorder: Recorder
) -> None:
    assert (
        _post(
            receiver, {"article": {}}, event="article.published", status_id="status-ok"
        ).status_code
        == 200
    )
    assert _post(receiver, {}, event=None, status_id="status-ok").status_code == 200
    assert recorder.payloads == []
    assert sirius.requests == [] and sirius.statuses["status-ok"].status == "queued"


def test_unknown_status_id_is_logged_and_the_webhook_still_answered(
    receiver: SiriusWebhookReceiver, sirius: SiriusEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("ERROR", logger="sirius_webhook"):
        response = _post(receiver, {"live": {}}, status_id="status-unknown")
    assert response.status_code == 200
    assert len(sirius.requests) == 1 and sirius.updates == []
    assert any("status-unknown" in record.getMessage() for record in caplog.records)
    assert all(TOKEN not in record.getMessage() for record in caplog.records)


def test_invalid_json_body_fails_the_action(
    receiver: SiriusWebhookReceiver, sirius: SiriusEmulator, recorder: Recorder
) -> None:
    response = httpx.post(
        receiver.url,
        content=b"{not json",
        headers={
            "x-sirius-event": "live",
            "x-sirius-status-id": "status-ko",
            "Content-Type": "application/json",
        },
        timeout=10,
    )
    assert response.status_code == 200
    assert recorder.payloads == []
    status = sirius.statuses["status-ko"]
    assert status.conclusion == "failure" and status.output is not None
    assert status.output["title"] == "Error while saving live"
    assert status.output["summary"]  # the JSON decoder's message


def test_unknown_path_is_not_found(receiver: SiriusWebhookReceiver, sirius: SiriusEmulator) -> None:
    url = receiver.url.rsplit("/", 1)[0] + "/elsewhere"
    response = httpx.post(
        url, json={}, headers={"x-sirius-event": "live", "x-sirius-status-id": "status-ok"}
    )
    assert response.status_code == 404
    assert sirius.requests == []


def test_sirius_url_and_token_from_the_environment(
    sirius: SiriusEmulator, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIRIUS_URL", sirius.url)
    monkeypatch.setenv("SIRIUS_TOKEN", TOKEN)
    with SiriusWebhookReceiver(recorder) as receiver:
        assert TOKEN not in repr(receiver)
        assert _post(receiver, {"live": {}}, status_id="status-ok").status_code == 200
    assert sirius.statuses["status-ok"].conclusion == "success"
    assert sirius.updates[0].token == TOKEN


def test_a_given_client_is_used(sirius: SiriusEmulator, recorder: Recorder) -> None:
    with Client(base_url=sirius.url, credentials={"bearerAuth": TOKEN}) as client:
        with SiriusWebhookReceiver(recorder, client=client) as receiver:
            _post(receiver, {"fail": "nope"}, status_id="status-ko")
    assert sirius.statuses["status-ko"].conclusion == "failure"


def test_runnable_as_a_module() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.examples.sirius_webhook", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "--sirius-url" in done.stdout and "SIRIUS_TOKEN" in done.stdout
