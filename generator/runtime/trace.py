"""One record per HTTP request a run makes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepRecord:
    workflow_id: str
    step_id: str
    attempt: int
    method: str
    url: str
    status_code: int | None
    elapsed: float
