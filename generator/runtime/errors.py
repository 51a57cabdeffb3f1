"""The errors a generated workflow function raises; all are ArazzoError."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .trace import StepRecord


class ArazzoError(Exception):
    """Base class of every error raised by generated workflow code."""


class InputError(ArazzoError, ValueError):
    """The inputs violate the workflow's inputs schema; nothing was sent."""

    def __init__(self, workflow_id: str, errors: list[str]) -> None:
        super().__init__(f"invalid inputs for workflow {workflow_id!r}: " + "; ".join(errors))
        self.workflow_id = workflow_id
        self.errors = errors


class RequestValidationError(ArazzoError, ValueError):
    """With ``Client(validate_requests=True)``: a request body violates its operation's schema; not sent."""

    def __init__(self, workflow_id: str, step_id: str, errors: list[str]) -> None:
        super().__init__(
            f"step {step_id!r} of workflow {workflow_id!r} was not sent: " + "; ".join(errors)
        )
        self.workflow_id = workflow_id
        self.step_id = step_id
        self.errors = errors


class StepFailedError(ArazzoError):
    """A step failed (criteria did not hold, or its request could not be sent) and no action recovered."""

    def __init__(
        self,
        *,
        workflow_id: str,
        step_id: str,
        status_code: int | None,
        body: Any,
        attempts: int,
        reason: str,
        trace: tuple[StepRecord, ...],
    ) -> None:
        where = f"step {step_id!r} of workflow {workflow_id!r}"
        status = "no response" if status_code is None else f"status {status_code}"
        super().__init__(f"{where} failed after {attempts} attempt(s) ({status}): {reason}")
        self.workflow_id = workflow_id
        self.step_id = step_id
        self.status_code = status_code
        self.body = body
        self.attempts = attempts
        self.reason = reason
        self.trace = trace


class WorkflowLimitError(ArazzoError):
    """The run exceeded its step budget (for example a ``goto`` loop)."""

    def __init__(self, workflow_id: str, steps_run: int) -> None:
        super().__init__(
            f"workflow {workflow_id!r} stopped after {steps_run} step attempts (the step budget)"
        )
        self.workflow_id = workflow_id
        self.steps_run = steps_run
