"""Arazzo 1.1 step ``timeout`` (milliseconds): it bounds each attempt of an HTTP step instead of the Client's
``timeout``; an attempt that runs out fails with reason "timeout" and status None, and the failure actions
apply. The driver carries the bound on its ``Send``; both clients honour it against a slow loopback server;
a timeout that is not a positive integer, or on a step that runs a workflow, is a located error."""

from __future__ import annotations

import asyncio
import copy
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from driver_pump import Package, packages, pump, registry_of, script, timed_out
from generation import Generate
from generator.diagnostics import Diagnostics
from generator.pipeline import generate_files
from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen

__all__ = ["packages"]  # the module-scoped fixture, imported for pytest

Packages = Callable[[dict[str, Any]], Package]

API = openapi(
    {
        "/pets/{petId}": {
            "get": {
                "operationId": "getPet",
                "parameters": [
                    {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
)


def _get(step_id: str, pet: str, **extra: Any) -> dict[str, Any]:
    return {
        "stepId": step_id,
        "operationId": "getPet",
        "parameters": [{"name": "petId", "in": "path", "value": pet}],
        "successCriteria": [{"condition": "$statusCode == 200"}],
        "outputs": {"name": "$response.body#/name"},
        **extra,
    }


RETRY = [{"name": "again", "type": "retry", "retryAfter": 0, "retryLimit": 1}]
FLOW = {
    "workflowId": "fetchPets",
    "steps": [
        _get("quick", "a", timeout=200, onFailure=RETRY),
        _get("patient", "b"),
    ],
    "outputs": {"a": "$steps.quick.outputs.name", "b": "$steps.patient.outputs.name"},
}
STRICT = {"workflowId": "strict", "steps": [_get("quick", "a", timeout=200)]}


def _files(*flows: dict[str, Any]) -> dict[str, Any]:
    doc = arazzo([copy.deepcopy(flow) for flow in flows])
    doc["arazzo"] = "1.1.0"
    return {"flows.arazzo.yaml": doc, "api.openapi.yaml": API}


# -- the driver ----------------------------------------------------------------------------------------------


def test_the_send_carries_the_step_timeout_and_a_timeout_is_a_failure(packages: Packages) -> None:
    gen = packages(_files(FLOW))
    outcome = pump(
        gen, "fetchPets", {}, script(timed_out(), (200, {"name": "A"}), (200, {"name": "B"}))
    )
    assert outcome.error is None and outcome.outputs == {"a": "A", "b": "B"}
    assert outcome.paths == ["pets/a", "pets/a", "pets/b"]
    assert [sent.timeout for sent in outcome.sent] == [0.2, 0.2, None]
    assert [(r.step_id, r.attempt, r.status_code) for r in outcome.trace] == [
        ("quick", 1, None),
        ("quick", 2, 200),
        ("patient", 1, 200),
    ]


def test_a_timed_out_step_without_failure_actions_fails_with_reason_timeout(
    packages: Packages,
) -> None:
    outcome = pump(packages(_files(STRICT)), "strict", {}, script(timed_out()))
    assert outcome.error is not None
    assert (outcome.error.reason, outcome.error.status_code) == ("timeout", None)
    assert outcome.sent[0].timeout == 0.2


def test_the_step_table_holds_the_timeout_in_seconds(packages: Packages) -> None:
    gen = packages(_files(FLOW))
    workflow = registry_of(gen, "fetchPets").workflows["fetchPets"]
    steps = {step.step_id: step for step in workflow.steps}
    assert (steps["quick"].timeout, steps["patient"].timeout) == (0.2, None)


# -- both clients against a slow server ----------------------------------------------------------------------


class _Slow:
    """The first request for /pets/a hangs (until released, at most 3 s); /pets/b answers after 0.4 s."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.hung = 0
        self.lock = threading.Lock()

    def __call__(self, seen: Seen) -> Answer:
        pet = seen.path.rsplit("/", 1)[-1]
        with self.lock:
            hang = pet == "a" and self.hung == 0
            self.hung += hang
        if hang:
            self.release.wait(3)
        elif pet == "b":
            time.sleep(0.4)
        return Answer(200, {"name": pet.upper()})


def _check(result: Any, took: float) -> None:
    assert (result.a, result.b) == ("A", "B")
    quick = [r for r in result.trace if r.step_id == "quick"]
    assert [(r.attempt, r.status_code) for r in quick] == [(1, None), (2, 200)]
    assert 0.15 <= quick[0].elapsed < 1.0
    assert (
        took < 2.5
    )  # the hung attempt ended at 0.2 s, not at the Client's 10 s or the server's 3 s


def test_the_sync_client_ends_an_attempt_at_the_step_timeout(generate: Generate) -> None:
    gen = generate(_files(FLOW, STRICT))
    slow = _Slow()
    with Loopback(slow) as server:
        try:
            with gen.rt.Client(base_url=server.url, timeout=10) as client:
                started = time.monotonic()
                result = gen.fetch_pets(client=client)
                _check(result, time.monotonic() - started)
                slow.hung = 0
                started = time.monotonic()
                with pytest.raises(gen.rt.StepFailedError) as failed:
                    gen.strict(client=client)
                assert time.monotonic() - started < 1.0
        finally:
            slow.release.set()
    assert (failed.value.reason, failed.value.status_code) == ("timeout", None)


def test_the_async_client_ends_an_attempt_at_the_step_timeout(generate: Generate) -> None:
    gen = generate(_files(FLOW, STRICT))
    slow = _Slow()

    async def main() -> tuple[Any, float, BaseException, float]:
        async with gen.rt.AsyncClient(base_url=server.url, timeout=10) as client:
            started = time.monotonic()
            result = await gen.fetch_pets_async(client=client)
            took = time.monotonic() - started
            slow.hung = 0
            started = time.monotonic()
            try:
                await gen.strict_async(client=client)
            except gen.rt.StepFailedError as error:
                return result, took, error, time.monotonic() - started
            raise AssertionError("the strict workflow did not fail")

    with Loopback(slow) as server:
        try:
            result, took, error, failed_in = asyncio.run(main())
        finally:
            slow.release.set()
    _check(result, took)
    assert failed_in < 1.0
    assert isinstance(error, gen.rt.StepFailedError)
    assert (error.reason, error.status_code) == ("timeout", None)


# -- located errors ------------------------------------------------------------------------------------------


def _errors(tmp_path: Path, files: dict[str, Any]) -> list[str]:
    for name, content in files.items():
        (tmp_path / name).write_text(yaml.safe_dump(content, sort_keys=False))
    diagnostics = Diagnostics()
    out = generate_files([str(tmp_path / "flows.arazzo.yaml")], tmp_path / "out", diagnostics)
    assert out is None and not (tmp_path / "out").exists()
    return [str(d).split("flows.arazzo.yaml:", 1)[1] for d in diagnostics.sorted()]


def _line_of(tmp_path: Path, text: str) -> int:
    lines = (tmp_path / "flows.arazzo.yaml").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize("value", [0, -5])
def test_a_timeout_that_is_not_positive_is_a_located_error(tmp_path: Path, value: int) -> None:
    errors = _errors(tmp_path, _files({**STRICT, "steps": [_get("quick", "a", timeout=value)]}))
    assert len(errors) == 1 and errors[0].startswith(f"{_line_of(tmp_path, 'timeout:')}:")
    assert errors[0].endswith(
        "error: step 'timeout' must be a positive integer (milliseconds) [structure]"
    )


def test_a_timeout_on_a_step_that_runs_a_workflow_is_unsupported(tmp_path: Path) -> None:
    caller = {
        "workflowId": "caller",
        "steps": [{"stepId": "call", "workflowId": "strict", "timeout": 500}],
    }
    errors = _errors(tmp_path, _files(STRICT, caller))
    assert len(errors) == 1 and errors[0].startswith(f"{_line_of(tmp_path, 'timeout: 500')}:")
    assert errors[0].endswith("not supported yet by arazzo-codegen (Arazzo 1.1) [unsupported]")
