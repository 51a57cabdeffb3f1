"""The step driver: runs workflows step by step (criteria, actions, retries, goto, budgets) without doing I/O.

It is a generator that yields :class:`Send` and :class:`Sleep` instructions; the sync and async clients pump it,
so control flow exists once for both.
"""

from __future__ import annotations

import email.utils
import importlib
import re
import time
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .context import Context, Exchange, Frame, MalformedBody, RunState, parse_body
from .errors import InputError, RequestValidationError, StepFailedError, WorkflowLimitError
from .spec import Action, Check, Registry, Step, Workflow, workflow_ref
from .trace import StepRecord
from .transmit import Reply
from .values import MISSING, present
from .wire import Prepared, Settings, Unsendable, build, request_problems, scrub, scrub_value

T = TypeVar("T")

# Imported by name so type checkers of generated packages need no stubs for it.
jsonschema: Any = importlib.import_module("jsonschema")


@dataclass(frozen=True)
class Send:
    """Send this request; its credentials are applied by the client, in the frame that sends it.

    ``timeout`` bounds the attempt (seconds) instead of the client's ``timeout`` when not None.
    """

    prepared: Prepared
    timeout: float | None = None


@dataclass(frozen=True)
class Sleep:
    seconds: float


Instruction = Send | Sleep
Driver = Generator[Instruction, Reply | None, T]


@dataclass(frozen=True)
class _End:
    pass


@dataclass(frozen=True)
class _GotoWorkflow:
    workflow_id: str
    source: str | None = None


_END = _End()
Outcome = int | _End | _GotoWorkflow


def check_inputs(workflow: Workflow[Any, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """Drop absent (None) inputs, fill schema defaults, validate; InputError lists every violation."""
    inputs = {
        name: value for name, value in given.items() if value is not None and value is not MISSING
    }
    schema = workflow.inputs_schema
    if not schema:
        return inputs
    for name, prop in (schema.get("properties") or {}).items():
        if name not in inputs and isinstance(prop, Mapping) and "default" in prop:
            inputs[name] = prop["default"]
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(inputs), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        messages = []
        for error in errors:
            where = ".".join(str(part) for part in error.absolute_path)
            messages.append(
                f"input {where}: {error.message}" if where else f"inputs: {error.message}"
            )
        raise InputError(workflow.workflow_id, messages)
    return inputs


def typed_inputs(workflow: Workflow[Any, Any], inputs: dict[str, Any]) -> Any:
    """The typed inputs object step functions read as ``c.inputs`` (None for a workflow without one)."""
    return None if workflow.inputs is None else workflow.inputs(inputs)


def _matched(workflow: Workflow[Any, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
    """A called workflow's inputs taken by name from the caller's."""
    wanted = (workflow.inputs_schema or {}).get("properties") or {}
    return {name: value for name, value in inputs.items() if name in wanted}


_SECONDS = re.compile(r"[0-9]{1,9}")  # up to ~31 years; anything longer is not a real delay


def retry_after_header(reply: Reply | None) -> float | None:
    """The response's ``Retry-After`` in seconds (delta-seconds or HTTP date); None when absent or unusable.

    A huge number, a malformed date or non-ASCII text is ignored rather than trusted.
    """
    header = reply.headers.get("retry-after") if reply is not None else None
    if not header:
        return None
    header = header.strip()
    if _SECONDS.fullmatch(header):
        return float(header)
    if not header.isascii():
        return None
    try:
        when = email.utils.parsedate_to_datetime(header)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError, IndexError, OSError):
        return None


def _judge(check: Check | None, context: Context[Any]) -> str | None:
    """None when the criteria hold (or there are none), else why the step fails."""
    if check is None:
        return None
    try:
        return None if check(context) else "success criteria not met"
    except MalformedBody as error:
        return error.reason


def _combined(own: tuple[Action, ...], inherited: tuple[Action, ...]) -> tuple[Action, ...]:
    names = {action.name for action in own}
    return own + tuple(action for action in inherited if action.name not in names)


class Run:
    """One call of a generated workflow function: its state, trace and step budget."""

    def __init__(self, registry: Registry, settings: Settings, entry: str) -> None:
        self.registry = registry
        self.settings = settings
        self.state = RunState(registry)
        self.trace: list[StepRecord] = []
        self.steps_run = 0
        self.entry = entry
        self._child_failure: StepFailedError | None = None
        self._last: tuple[Exchange, Reply] | None = None

    def workflow(
        self,
        workflow_id: str,
        given: Mapping[str, Any],
        scope: Registry | None = None,
        source: str | None = None,
    ) -> Driver[dict[str, Any]]:
        """Run a workflow and every workflow a ``goto`` hands control to, then their outputs.

        ``workflow_id`` (of the ``arazzo`` source description ``source``, when given) resolves in the
        document scope ``scope`` (the entry registry by default); the workflow's own references then
        resolve in the scope of the document that defines it.

        A goto chain runs in this loop rather than by recursion, so workflows that goto each other stop
        at the step budget (WorkflowLimitError), however long the chain. Outputs are evaluated from the
        last workflow of the chain back to the first, so each may read the next one's.
        """
        chain: list[tuple[Workflow[Any, Any], Frame, dict[str, dict[str, Any]]]] = []
        owner, workflow = (scope or self.registry).find(workflow_id, source)
        current_inputs = given
        while True:
            inputs = check_inputs(workflow, current_inputs)
            for dependency in workflow.depends_on:
                dependency_id, dependency_source = workflow_ref(dependency)
                holder, target = owner.find(dependency_id, dependency_source)
                if (holder, dependency_id) not in self.state.workflows:
                    yield from self.workflow(
                        dependency_id, _matched(target, inputs), owner, dependency_source
                    )
            frame = Frame(workflow.workflow_id, inputs, owner, typed=typed_inputs(workflow, inputs))
            record: dict[str, dict[str, Any]] = {"inputs": inputs, "outputs": {}}
            self.state.workflows[(owner, workflow.workflow_id)] = record
            chain.append((workflow, frame, record))
            goto = yield from self._steps(workflow, frame)
            if goto is None:
                break
            owner, workflow = owner.find(goto.workflow_id, goto.source)
            current_inputs = _matched(workflow, inputs)
        outputs: dict[str, Any] = {}
        for workflow, frame, record in reversed(chain):
            outputs = {
                name: present(value)
                for name, value in workflow.outputs(Context(self.state, frame)).items()
            }
            record["outputs"] = outputs
        return outputs

    def _steps(self, workflow: Workflow[Any, Any], frame: Frame) -> Driver[_GotoWorkflow | None]:
        """Run a workflow's steps; the workflow a ``goto`` hands control to, if any."""
        index = 0
        while index < len(workflow.steps):
            outcome = yield from self.step(workflow, frame, index)
            if isinstance(outcome, _End):
                return None
            if isinstance(outcome, _GotoWorkflow):
                return outcome
            index = outcome
        return None

    def _index(self, workflow: Workflow[Any, Any], step_id: str) -> int:
        return next(i for i, step in enumerate(workflow.steps) if step.step_id == step_id)

    def _goto(self, workflow: Workflow[Any, Any], action: Action) -> Outcome:
        if action.workflow_id is not None:
            return _GotoWorkflow(action.workflow_id, action.workflow_source)
        return self._index(workflow, action.step_id or "")

    def step(self, workflow: Workflow[Any, Any], frame: Frame, index: int) -> Driver[Outcome]:
        step = workflow.steps[index]
        retries: dict[str, int] = {}
        attempt = 0
        while True:
            attempt += 1
            if self.steps_run >= self.settings.max_steps:
                raise WorkflowLimitError(self.entry, self.steps_run)
            self.steps_run += 1
            self._child_failure = None
            if step.workflow_id is not None:
                exchange, reply, child, failure = yield from self._call(step, frame)
            else:
                exchange, reply, failure = yield from self._send(workflow, step, frame, attempt)
                child = None
            context: Context[Any] = Context(self.state, frame, exchange, child)
            if failure is None:
                failure = _judge(step.success, context)
            if failure is None:
                try:
                    outputs = step.outputs(context)
                except MalformedBody as error:
                    failure = error.reason
            if failure is None:
                frame.steps[step.step_id] = outputs
                context = Context(self.state, frame, exchange, outputs if child is None else child)
                action = self._choose(
                    _combined(step.on_success, workflow.success_actions), context, retries
                )
                if action is None:
                    return index + 1
                return _END if action.type == "end" else self._goto(workflow, action)
            action = self._choose(
                _combined(step.on_failure, workflow.failure_actions), context, retries
            )
            delay = 0.0
            if action is not None and action.type == "retry":
                header = retry_after_header(reply)
                delay = float(action.retry_after or 0.0) if header is None else header
                if header is not None and header > self.settings.max_retry_after:
                    failure = (
                        f"{failure}; the server asks to retry after {header:.0f} s, more than "
                        f"max_retry_after ({self.settings.max_retry_after:g} s)"
                    )
                    action = None
            if action is None:
                if self._child_failure is not None:
                    raise self._child_failure
                raise StepFailedError(
                    workflow_id=workflow.workflow_id,
                    step_id=step.step_id,
                    status_code=None if exchange is None else exchange.status_code,
                    body=(
                        None
                        if exchange is None
                        else scrub_value(present(exchange.response_body), self.settings)
                    ),
                    attempts=attempt,
                    reason=failure,
                    trace=tuple(self.trace),
                )
            if action.type == "end":
                return _END
            if action.type == "goto":
                return self._goto(workflow, action)
            retries[action.name] = retries.get(action.name, 0) + 1
            if delay > 0:
                yield Sleep(delay)
            if action.workflow_id is not None:
                _, target = frame.scope.find(action.workflow_id, action.workflow_source)
                yield from self.workflow(
                    action.workflow_id,
                    _matched(target, frame.inputs),
                    frame.scope,
                    action.workflow_source,
                )
            elif action.step_id is not None:
                yield from self.step(workflow, frame, self._index(workflow, action.step_id))

    def _choose(
        self, actions: tuple[Action, ...], context: Context[Any], retries: dict[str, int]
    ) -> Action | None:
        for action in actions:
            if action.criteria is not None and _judge(action.criteria, context) is not None:
                continue
            if action.type == "retry" and retries.get(action.name, 0) >= action.retry_limit:
                continue
            return action
        return None

    def _send(
        self, workflow: Workflow[Any, Any], step: Step, frame: Frame, attempt: int
    ) -> Driver[tuple[Exchange | None, Reply | None, str | None]]:
        assert step.operation is not None
        compiled = step.request(Context(self.state, frame))
        try:
            prepared, exchange, shown = build(step.operation, compiled, self.settings, frame.scope)
        except Unsendable as error:
            return None, None, error.reason
        if self.settings.validate_requests and compiled.has_body:
            problems = request_problems(step.operation, exchange.body)
            if problems:
                raise RequestValidationError(workflow.workflow_id, step.step_id, problems)
        reply = yield Send(prepared, step.timeout)
        assert reply is not None
        self._last = (exchange, reply)
        self.trace.append(
            StepRecord(
                workflow.workflow_id,
                step.step_id,
                attempt,
                exchange.method,
                shown,
                reply.status_code,
                reply.elapsed,
            )
        )
        if reply.reason is not None:
            exchange.status_code = reply.status_code
            return exchange, reply, reply.reason
        if reply.error is not None:
            return (
                exchange,
                reply,
                f"request could not be sent: {scrub(reply.error, self.settings)}",
            )
        exchange.status_code = reply.status_code
        exchange.response_headers = reply.headers
        exchange.response_body, exchange.body_error = parse_body(
            reply.content, reply.headers.get("content-type", "")
        )
        status = reply.status_code or 0
        if step.success is None and not 200 <= status < 300:
            return exchange, reply, f"status {status} is not 2xx"
        return exchange, reply, None

    def _call(
        self, step: Step, frame: Frame
    ) -> Driver[tuple[Exchange | None, Reply | None, dict[str, Any] | None, str | None]]:
        """Run a step's workflow; its last HTTP exchange is the step's request and response
        (so ``$statusCode`` and ``$response`` in the step's criteria see the child's final response).
        """
        assert step.workflow_id is not None
        compiled = step.request(Context(self.state, frame))
        inputs = {name: value for _, name, value in compiled.params if value is not MISSING}
        self._last = None
        try:
            outputs = yield from self.workflow(
                step.workflow_id, inputs, frame.scope, step.workflow_source
            )
        except StepFailedError as error:
            self._child_failure = error
            exchange, reply = self._last or (None, None)
            return exchange, reply, None, f"workflow {step.workflow_id!r} failed: {error.reason}"
        exchange, reply = self._last or (None, None)
        return exchange, reply, outputs, None
