"""Arazzo actions: end, goto (step, workflow), retry (retryAfter, retryLimit, Retry-After, stepId/workflowId),
action criteria, precedence between step and workflow actions, and the step budget.

The behaviour is checked by pumping the generated package's step driver directly (tests/driver_pump.py): every
request is answered by a script and every delay is recorded instead of slept, so the tests assert the exact
sleeps. A few loopback tests at the end check the same behaviour over real sockets and the real clock.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Callable
from typing import Any

from driver_pump import (
    Outcome,
    Package,
    Packages,
    Sent,
    async_client,
    client,
    packages,
    pump,
    script,
)
from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen

__all__ = ["packages"]  # the module-scoped fixture, imported for pytest

API = openapi(
    {
        f"/{name}": {"get": {"operationId": name, "responses": {"200": {"description": "ok"}}}}
        for name in ("a", "b", "c", "d", "login")
    }
)


def _gen(packages: Packages, flows: list[dict[str, Any]]) -> Package:
    return packages({"flows.arazzo.yaml": arazzo(flows), "api.openapi.yaml": API})


def _run(
    packages: Packages,
    flows: list[dict[str, Any]],
    replies: Callable[[Sent], Any],
    entry: str,
    inputs: dict[str, Any] | None = None,
    **options: Any,
) -> Outcome:
    """Generate ``flows`` (once per module), pump workflow ``entry`` with ``replies``."""
    return pump(_gen(packages, flows), entry, inputs, replies, **options)


def _step(step_id: str, operation: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"stepId": step_id, "operationId": operation or step_id, **extra}


# -- end and goto ---------------------------------------------------------------------------------------


def test_end_on_success_skips_the_remaining_steps_and_keeps_outputs(packages: Packages) -> None:
    flow = {
        "workflowId": "w",
        "steps": [
            _step(
                "a", outputs={"v": "$response.body#/v"}, onSuccess=[{"name": "stop", "type": "end"}]
            ),
            _step("b", outputs={"v": "$response.body#/v"}),
        ],
        "outputs": {"v": "$steps.a.outputs.v", "b": "$steps.b.outputs.v"},
    }
    outcome = _run(packages, [flow], script(200, {"v": 1}), "w")
    assert outcome.error is None and outcome.paths == ["a"]
    assert outcome.outputs == {"v": 1, "b": None}
    # The same through the generated function and its result class.
    gen = _gen(packages, [flow])
    scripted = client(gen, script(200, {"v": 1}))
    result = gen.w(client=scripted)
    assert (result.v, result.b) == (1, None)
    assert [(r.step_id, r.method, r.url, r.status_code) for r in result.trace] == [
        ("a", "GET", "http://api.test/a", 200)
    ]


def test_end_on_failure_ends_without_an_error(packages: Packages) -> None:
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "quit", "type": "end"}]), _step("b")],
    }
    outcome = _run(packages, [flow], script(500, {}), "w")
    assert outcome.error is None and outcome.outputs == {}
    assert outcome.paths == ["a"] and [r.status_code for r in outcome.trace] == [500]


def test_goto_a_step_backwards_until_done(packages: Packages) -> None:
    flow = {
        "workflowId": "w",
        "steps": [
            _step("a"),
            _step(
                "b",
                outputs={"n": "$response.body#/n"},
                onSuccess=[
                    {
                        "name": "again",
                        "type": "goto",
                        "stepId": "a",
                        "criteria": [{"condition": "$response.body#/n < 3"}],
                    }
                ],
            ),
            _step("c"),
        ],
        "outputs": {"n": "$steps.b.outputs.n"},
    }
    counter = iter(range(1, 100))
    outcome = _run(
        packages,
        [flow],
        lambda sent: (200, {"n": next(counter)} if sent.path == "/b" else {}),
        "w",
    )
    assert outcome.paths == ["a", "b", "a", "b", "a", "b", "c"]
    assert outcome.outputs == {"n": 3}
    assert outcome.sleeps == []
    # A goto starts the step afresh: every attempt is its step's first.
    assert [r.attempt for r in outcome.trace] == [1] * 7


def test_goto_a_workflow_transfers_control(packages: Packages) -> None:
    target = {
        "workflowId": "target",
        "inputs": {"type": "object", "properties": {"shared": {"type": "string"}}},
        "steps": [_step("c", outputs={"seen": "$inputs.shared"})],
        "outputs": {"got": "$steps.c.outputs.seen"},
    }
    caller = {
        "workflowId": "caller",
        "inputs": {
            "type": "object",
            "properties": {"shared": {"type": "string"}, "other": {"type": "string"}},
        },
        "steps": [
            _step("a", onSuccess=[{"name": "jump", "type": "goto", "workflowId": "target"}]),
            _step("b"),
        ],
        "outputs": {"fromTarget": "$workflows.target.outputs.got", "mine": "$inputs.other"},
    }
    outcome = _run(packages, [target, caller], script(), "caller", {"shared": "S", "other": "O"})
    assert outcome.paths == ["a", "c"]  # b is skipped; the target runs next
    assert outcome.outputs == {"fromTarget": "S", "mine": "O"}
    assert [(r.workflow_id, r.step_id) for r in outcome.trace] == [
        ("caller", "a"),
        ("target", "c"),
    ]
    # Through the generated function: the result class carries the same outputs and trace.
    gen = _gen(packages, [target, caller])
    scripted = client(gen, script())
    result = gen.caller(shared="S", other="O", client=scripted)
    assert (result.from_target, result.mine) == ("S", "O")
    assert [sent.path for sent in scripted.wire.sent] == ["/a", "/c"]
    assert [(r.workflow_id, r.step_id) for r in result.trace] == [("caller", "a"), ("target", "c")]


def test_failure_goto_a_workflow_by_workflows_expression(packages: Packages) -> None:
    target = {
        "workflowId": "recover",
        "steps": [_step("c", outputs={"status": "$statusCode"})],
        "outputs": {"ok": "$steps.c.outputs.status"},
    }
    caller = {
        "workflowId": "caller",
        "steps": [
            _step(
                "a",
                onFailure=[{"name": "jump", "type": "goto", "workflowId": "$workflows.recover"}],
            ),
            _step("b"),
        ],
        "outputs": {"ok": "$workflows.recover.outputs.ok"},
    }
    outcome = _run(packages, [target, caller], script((500, {})), "caller")
    assert outcome.error is None and outcome.paths == ["a", "c"]
    assert outcome.outputs == {"ok": 200}


# -- retry ----------------------------------------------------------------------------------------------


def test_retry_limit_defaults_to_one(packages: Packages) -> None:
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "again", "type": "retry"}])],
    }
    outcome = _run(packages, [flow], script((500, {}), (500, {"why": "still"})), "w")
    assert outcome.paths == ["a", "a"] and outcome.sleeps == []
    error = outcome.error
    assert type(error).__name__ == "StepFailedError", repr(error)
    assert (error.step_id, error.status_code, error.attempts, error.body) == (
        "a",
        500,
        2,
        {"why": "still"},
    )
    assert [r.attempt for r in error.trace] == [1, 2]


def test_retry_after_seconds_waits_between_attempts(packages: Packages) -> None:
    flow = {
        "workflowId": "w",
        "steps": [
            _step(
                "a",
                onFailure=[{"name": "again", "type": "retry", "retryAfter": 0.15, "retryLimit": 3}],
            )
        ],
    }
    outcome = _run(packages, [flow], script((503, {}), (503, {})), "w")
    assert outcome.error is None
    assert outcome.paths == ["a", "a", "a"] and [r.attempt for r in outcome.trace] == [1, 2, 3]
    assert outcome.sleeps == [0.15, 0.15]


def test_retry_after_header_in_seconds_wins_over_retry_after(packages: Packages) -> None:
    flow = {
        "workflowId": "w",
        "steps": [
            _step(
                "a",
                onFailure=[{"name": "again", "type": "retry", "retryAfter": 5, "retryLimit": 2}],
            )
        ],
    }
    replies = script((429, {}, {"Retry-After": "0"}), (429, {}, {"Retry-After": "2"}))
    outcome = _run(packages, [flow], replies, "w")
    assert outcome.error is None and outcome.paths == ["a", "a", "a"]
    assert outcome.sleeps == [2.0]  # "0" means at once: no sleep at all, not retryAfter's 5 s
    # Without the header, retryAfter applies.
    outcome = _run(packages, [flow], script((429, {})), "w")
    assert outcome.paths == ["a", "a"] and outcome.sleeps == [5.0]


def test_retry_after_header_as_http_date(packages: Packages) -> None:
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "again", "type": "retry", "retryAfter": 5}])],
    }
    # HTTP dates have whole seconds: 30 s ahead, truncated, is between 29 and 30 s from now.
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    outcome = _run(packages, [flow], script((503, {}, {"Retry-After": when})), "w")
    assert outcome.error is None and outcome.paths == ["a", "a"]
    [slept] = outcome.sleeps
    assert 28.5 < slept <= 30.0


def test_retry_after_header_http_date_in_the_past_means_now(packages: Packages) -> None:
    past = email.utils.formatdate(time.time() - 3600, usegmt=True)
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "again", "type": "retry", "retryAfter": 5}])],
    }
    outcome = _run(packages, [flow], script((503, {}, {"Retry-After": past})), "w")
    assert outcome.error is None and outcome.paths == ["a", "a"] and outcome.sleeps == []


def test_retry_after_header_unusable_falls_back_to_retry_after(packages: Packages) -> None:
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "again", "type": "retry", "retryAfter": 5}])],
    }
    for unusable in ("soon", "99999999999", "1.5", "Mon, 99 Foo 2020 00:00:00 GMT"):
        outcome = _run(packages, [flow], script((503, {}, {"Retry-After": unusable})), "w")
        assert (outcome.paths, outcome.sleeps) == (["a", "a"], [5.0]), unusable


def test_retry_after_header_beyond_max_retry_after_fails_the_step(packages: Packages) -> None:
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "again", "type": "retry", "retryAfter": 1}])],
    }
    replies = script((503, {}, {"Retry-After": "300"}))
    outcome = _run(packages, [flow], replies, "w", max_retry_after=60)
    assert outcome.paths == ["a"] and outcome.sleeps == []
    assert type(outcome.error).__name__ == "StepFailedError"
    assert "retry after 300 s, more than max_retry_after (60 s)" in outcome.error.reason
    # At the bound, the server is obeyed.
    outcome = _run(
        packages, [flow], script((503, {}, {"Retry-After": "60"})), "w", max_retry_after=60
    )
    assert outcome.error is None and outcome.sleeps == [60.0]


def test_retry_with_step_id_runs_that_step_first(packages: Packages) -> None:
    tokens = iter(["t1", "t2"])

    def answer(sent: Sent) -> Any:
        if sent.path == "/login":
            return (200, {"token": next(tokens)})
        return (200 if sent.headers.get("x-token") == "t2" else 401, {})

    flow = {
        "workflowId": "w",
        "steps": [
            _step("login", outputs={"token": "$response.body#/token"}),
            _step(
                "a",
                parameters=[
                    {"name": "X-Token", "in": "header", "value": "$steps.login.outputs.token"}
                ],
                onFailure=[
                    {
                        "name": "relogin",
                        "type": "retry",
                        "stepId": "login",
                        "criteria": [{"condition": "$statusCode == 401"}],
                    }
                ],
            ),
        ],
        "outputs": {"token": "$steps.login.outputs.token"},
    }
    outcome = _run(packages, [flow], answer, "w")
    assert outcome.paths == ["login", "a", "login", "a"]
    assert [sent.headers.get("x-token") for sent in outcome.sent] == [None, "t1", None, "t2"]
    assert outcome.outputs == {"token": "t2"}


def test_retry_with_workflow_id_runs_that_workflow_first(packages: Packages) -> None:
    refresh = {
        "workflowId": "refresh",
        "inputs": {"type": "object", "properties": {"who": {"type": "string"}}},
        "steps": [
            _step("login", parameters=[{"name": "X-Who", "in": "header", "value": "$inputs.who"}])
        ],
    }
    flow = {
        "workflowId": "w",
        "inputs": {"type": "object", "properties": {"who": {"type": "string"}}},
        "steps": [
            _step("a", onFailure=[{"name": "refresh", "type": "retry", "workflowId": "refresh"}])
        ],
    }
    outcome = _run(packages, [refresh, flow], script(500, {}), "w", {"who": "me"})
    assert outcome.error is None and outcome.paths == ["a", "login", "a"]
    assert [sent.headers.get("x-who") for sent in outcome.sent] == [None, "me", None]
    assert [(r.workflow_id, r.step_id) for r in outcome.trace] == [
        ("w", "a"),
        ("refresh", "login"),
        ("w", "a"),
    ]


# -- choosing actions -----------------------------------------------------------------------------------


def test_action_criteria_see_the_response_and_the_first_match_wins(packages: Packages) -> None:
    flow = {
        "workflowId": "w",
        "steps": [
            _step(
                "a",
                onFailure=[
                    {
                        "name": "gone",
                        "type": "goto",
                        "stepId": "c",
                        "criteria": [{"condition": "$statusCode == 404"}],
                    },
                    {
                        "name": "busy",
                        "type": "retry",
                        "retryLimit": 3,
                        "criteria": [{"condition": "$response.body#/busy == true"}],
                    },
                    {
                        "name": "busy-too",
                        "type": "end",
                        "criteria": [{"condition": "$response.body#/busy == true"}],
                    },
                    {"name": "other", "type": "end"},
                ],
            ),
            _step("b"),
            _step("c"),
        ],
    }
    outcome = _run(packages, [flow], script((503, {"busy": True}), (404, {})), "w")
    assert outcome.error is None and outcome.paths == ["a", "a", "c"]
    outcome = _run(packages, [flow], script((500, {"busy": False})), "w")
    assert outcome.error is None and outcome.paths == ["a"]  # "other" (end)
    # busy four times: three retries, then "busy-too" (end), before "other" is considered.
    outcome = _run(packages, [flow], script(*[(503, {"busy": True})] * 4), "w")
    assert outcome.error is None and outcome.paths == ["a"] * 4


def test_step_actions_override_workflow_actions_of_the_same_name_and_come_first(
    packages: Packages,
) -> None:
    flow = {
        "workflowId": "w",
        "failureActions": [
            {"name": "again", "type": "retry", "retryLimit": 5},
            {"name": "fallback", "type": "goto", "stepId": "c"},
        ],
        "successActions": [
            {
                "name": "finish",
                "type": "end",
                "criteria": [{"condition": "$response.body#/last == true"}],
            }
        ],
        "steps": [
            _step("a", onFailure=[{"name": "again", "type": "retry", "retryLimit": 1}]),
            _step("b"),
            _step("c"),
            _step("d"),
        ],
    }
    # a fails twice: the step's "again" (limit 1) replaces the workflow's (limit 5), then the workflow's fallback.
    # c answers last == true: the workflow's success action ends the run before d.
    outcome = _run(packages, [flow], script((500, {}), (500, {}), (200, {"last": True})), "w")
    assert outcome.error is None and outcome.paths == ["a", "a", "c"]
    # Steps without their own actions use the workflow's: b fails 6 times, is retried 5 times, then goes to c.
    outcome = _run(packages, [flow], script((200, {}), *[(500, {})] * 6), "w")
    assert outcome.error is None and outcome.paths == ["a"] + ["b"] * 6 + ["c"] + ["d"]


def test_retry_limit_is_exhausted_before_later_failure_actions(packages: Packages) -> None:
    flow = {
        "workflowId": "w",
        "steps": [
            _step(
                "a",
                onFailure=[
                    {"name": "again", "type": "retry", "retryLimit": 2},
                    {"name": "elsewhere", "type": "goto", "stepId": "c"},
                ],
            ),
            _step("b"),
            _step("c"),
        ],
    }
    outcome = _run(packages, [flow], script((500, {}), (500, {}), (500, {})), "w")
    assert outcome.error is None and outcome.paths == ["a", "a", "a", "c"]
    assert [r.attempt for r in outcome.trace] == [1, 2, 3, 1]


def test_step_budget_stops_a_retry_loop(packages: Packages) -> None:
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "again", "type": "retry", "retryLimit": 100}])],
    }
    outcome = _run(packages, [flow], lambda sent: (500, {}), "w", max_steps=5)
    assert type(outcome.error).__name__ == "WorkflowLimitError", repr(outcome.error)
    assert (outcome.error.workflow_id, outcome.error.steps_run) == ("w", 5)
    assert outcome.paths == ["a"] * 5


def test_workflows_that_goto_each_other_stop_at_the_step_budget(packages: Packages) -> None:
    # At the default budget of 1000 step attempts: the goto chain must not exhaust Python's recursion limit.
    ping = {
        "workflowId": "ping",
        "steps": [_step("a", onSuccess=[{"name": "go", "type": "goto", "workflowId": "pong"}])],
    }
    pong = {
        "workflowId": "pong",
        "steps": [_step("b", onSuccess=[{"name": "go", "type": "goto", "workflowId": "ping"}])],
    }
    outcome = _run(packages, [ping, pong], lambda sent: (200, {}), "ping")
    error = outcome.error
    assert type(error).__name__ == "WorkflowLimitError", repr(error)
    assert (error.workflow_id, error.steps_run, len(outcome.paths)) == ("ping", 1000, 1000)
    assert outcome.paths == ["a", "b"] * 500


def test_goto_workflow_chain_outputs_are_evaluated_last_first(packages: Packages) -> None:
    first = {
        "workflowId": "first",
        "steps": [_step("a", onSuccess=[{"name": "go", "type": "goto", "workflowId": "second"}])],
        "outputs": {
            "fromSecond": "$workflows.second.outputs.fromThird",
            "fromThird": "$workflows.third.outputs.v",
        },
    }
    second = {
        "workflowId": "second",
        "steps": [_step("b", onSuccess=[{"name": "go", "type": "goto", "workflowId": "third"}])],
        "outputs": {"fromThird": "$workflows.third.outputs.v"},
    }
    third = {
        "workflowId": "third",
        "steps": [_step("c", outputs={"v": "$response.body#/v"})],
        "outputs": {"v": "$steps.c.outputs.v"},
    }
    outcome = _run(packages, [first, second, third], lambda sent: (200, {"v": sent.path}), "first")
    assert outcome.paths == ["a", "b", "c"]
    assert outcome.outputs == {"fromSecond": "/c", "fromThird": "/c"}


def test_retry_a_failed_workflow_step_runs_the_child_again(packages: Packages) -> None:
    child = {
        "workflowId": "child",
        "steps": [_step("b", outputs={"v": "$response.body#/v"})],
        "outputs": {"v": "$steps.b.outputs.v"},
    }
    top = {
        "workflowId": "top",
        "steps": [
            {
                "stepId": "call",
                "workflowId": "child",
                "outputs": {"v": "$outputs.v"},
                "onFailure": [{"name": "again", "type": "retry", "retryLimit": 2}],
            }
        ],
        "outputs": {"v": "$steps.call.outputs.v"},
    }
    outcome = _run(packages, [child, top], script((500, {}), (500, {}), (200, {"v": "ok"})), "top")
    assert outcome.paths == ["b", "b", "b"] and outcome.outputs == {"v": "ok"}
    assert [(r.workflow_id, r.status_code) for r in outcome.trace] == [
        ("child", 500),
        ("child", 500),
        ("child", 200),
    ]


def test_async_functions_follow_the_same_actions(packages: Packages) -> None:
    """The coroutine twin, pumped by the AsyncClient's own loop: the same retry delays and workflow goto."""
    target = {
        "workflowId": "target",
        "steps": [_step("c", outputs={"v": "$response.body#/v"})],
        "outputs": {"v": "$steps.c.outputs.v"},
    }
    caller = {
        "workflowId": "caller",
        "steps": [
            _step(
                "a",
                onFailure=[{"name": "again", "type": "retry", "retryAfter": 5, "retryLimit": 2}],
                onSuccess=[{"name": "jump", "type": "goto", "workflowId": "target"}],
            ),
            _step("b"),
        ],
        "outputs": {"v": "$workflows.target.outputs.v"},
    }
    gen = _gen(packages, [target, caller])
    replies = script((503, {}, {"Retry-After": "3"}), (503, {}), (200, {}), (200, {"v": "done"}))
    scripted = async_client(gen, replies)
    result = asyncio.run(gen.caller_async(client=scripted))
    assert result.v == "done" and scripted.wire.sleeps == [3.0, 5.0]
    assert [sent.path for sent in scripted.wire.sent] == ["/a", "/a", "/a", "/c"]
    assert [(r.step_id, r.attempt) for r in result.trace] == [
        ("a", 1),
        ("a", 2),
        ("a", 3),
        ("c", 1),
    ]


# -- the same over real sockets and the real clock ------------------------------------------------------


def test_wire_retry_honours_the_retry_after_header(packages: Packages) -> None:
    """A real server's Retry-After reaches the driver, and the sync client really waits that long."""
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "again", "type": "retry", "retryAfter": 30}])],
    }
    gen = _gen(packages, [flow])
    times: list[float] = []

    def handler(seen: Seen) -> Answer:
        times.append(time.monotonic())
        return Answer(503, {}, {"Retry-After": "1"}) if len(times) == 1 else Answer(200, {})

    with Loopback(handler) as server:
        result = gen.w(client=gen.rt.Client(base_url=server.url, max_retry_after=2))
    assert [(r.attempt, r.status_code) for r in result.trace] == [(1, 503), (2, 200)]
    assert 0.95 <= times[1] - times[0] < 2.5  # the header's 1 s, not retryAfter's 30 s


def test_wire_async_client_retries_after_the_header_and_follows_a_workflow_goto(
    packages: Packages,
) -> None:
    target = {
        "workflowId": "target",
        "steps": [_step("c", outputs={"v": "$response.body#/v"})],
        "outputs": {"v": "$steps.c.outputs.v"},
    }
    caller = {
        "workflowId": "caller",
        "steps": [
            _step(
                "a",
                onFailure=[{"name": "again", "type": "retry", "retryAfter": 5}],
                onSuccess=[{"name": "jump", "type": "goto", "workflowId": "target"}],
            ),
            _step("b"),
        ],
        "outputs": {"v": "$workflows.target.outputs.v"},
    }
    gen = _gen(packages, [target, caller])
    answers = [Answer(503, {}, {"Retry-After": "0"}), Answer(200, {}), Answer(200, {"v": "done"})]

    async def main(url: str) -> Any:
        async with gen.rt.AsyncClient(base_url=url) as scripted:
            return await gen.caller_async(client=scripted)

    started = time.monotonic()
    with Loopback(lambda seen: answers.pop(0)) as server:
        result = asyncio.run(main(server.url))
        assert [seen.path for seen in server.seen] == ["/a", "/a", "/c"]
    assert result.v == "done" and time.monotonic() - started < 3
    assert [(r.step_id, r.attempt) for r in result.trace] == [("a", 1), ("a", 2), ("c", 1)]


def test_wire_transport_error_fails_the_step_then_a_retry_recovers(packages: Packages) -> None:
    """A refused connection is a failed step (no status) that failure actions see; here a retry to
    another step whose server answers."""
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "again", "type": "retry", "retryLimit": 1}])],
    }
    gen = _gen(packages, [flow])
    with Loopback() as closed:
        url = closed.url  # nothing listens there once the server is closed
    with gen.rt.Client(base_url=url, timeout=5) as real:
        try:
            gen.w(client=real)
        except gen.rt.StepFailedError as error:
            failure = error
    assert (failure.step_id, failure.status_code, failure.attempts) == ("a", None, 2)
    assert failure.reason.startswith("request could not be sent: ConnectError")
    assert [(r.attempt, r.status_code) for r in failure.trace] == [(1, None), (2, None)]
