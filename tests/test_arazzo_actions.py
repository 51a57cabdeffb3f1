"""Arazzo actions: end, goto (step, workflow), retry (retryAfter, retryLimit, Retry-After, stepId/workflowId),
action criteria, precedence between step and workflow actions, and the step budget."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Callable
from typing import Any

import pytest

from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen

API = openapi(
    {
        f"/{name}": {"get": {"operationId": name, "responses": {"200": {"description": "ok"}}}}
        for name in ("a", "b", "c", "d", "login")
    }
)



def _script(*answers: Answer | tuple[int, Any]) -> Callable[[Seen], Answer]:
    """Answer requests in order; after the script, 200 {}."""
    queue = [a if isinstance(a, Answer) else Answer(a[0], a[1]) for a in answers]
    return lambda seen: queue.pop(0) if queue else Answer(200, {})


def _run(generate, flows: list[dict[str, Any]], handler: Callable[[Seen], Answer], entry: str, **kwargs: Any):  # type: ignore[no-untyped-def]
    """Generate ``flows``, run workflow ``entry``; (result or raised error, paths the server saw)."""
    gen = generate({"flows.arazzo.yaml": arazzo(flows), "api.openapi.yaml": API})
    max_steps = kwargs.pop("max_steps", 1000)
    with Loopback(handler) as server:
        try:
            outcome: Any = getattr(gen, entry.replace("-", "_"))(
                client=gen.rt.Client(base_url=server.url, max_steps=max_steps), **kwargs
            )
        except gen.rt.ArazzoError as error:
            outcome = error
    return outcome, [seen.path.lstrip("/") for seen in server.seen]


def _step(step_id: str, operation: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"stepId": step_id, "operationId": operation or step_id, **extra}


# -- end and goto ---------------------------------------------------------------------------------------


def test_end_on_success_skips_the_remaining_steps_and_keeps_outputs(generate) -> None:  # type: ignore[no-untyped-def]
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
    result, paths = _run(generate, [flow], _script((200, {"v": 1})), "w")
    assert paths == ["a"]
    assert (result.v, result.b) == (1, None)


def test_end_on_failure_ends_without_an_error(generate) -> None:  # type: ignore[no-untyped-def]
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "quit", "type": "end"}]), _step("b")],
    }
    result, paths = _run(generate, [flow], _script((500, {})), "w")
    assert paths == ["a"] and [r.status_code for r in result.trace] == [500]


def test_goto_a_step_backwards_until_done(generate) -> None:  # type: ignore[no-untyped-def]
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
    result, paths = _run(
        generate,
        [flow],
        lambda seen: Answer(200, {"n": next(counter)} if seen.path == "/b" else {}),
        "w",
    )
    assert paths == ["a", "b", "a", "b", "a", "b", "c"]
    assert result.n == 3


def test_goto_a_workflow_transfers_control(generate) -> None:  # type: ignore[no-untyped-def]
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
    result, paths = _run(generate, [target, caller], _script(), "caller", shared="S", other="O")
    assert paths == ["a", "c"]  # b is skipped; the target runs next
    assert (result.from_target, result.mine) == ("S", "O")
    assert [(r.workflow_id, r.step_id) for r in result.trace] == [("caller", "a"), ("target", "c")]


def test_failure_goto_a_workflow_by_workflows_expression(generate) -> None:  # type: ignore[no-untyped-def]
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
    result, paths = _run(generate, [target, caller], _script((500, {})), "caller")
    assert paths == ["a", "c"]
    assert result.ok == 200


# -- retry ----------------------------------------------------------------------------------------------


def test_retry_limit_defaults_to_one(generate) -> None:  # type: ignore[no-untyped-def]
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "again", "type": "retry"}])],
    }
    error, paths = _run(generate, [flow], _script((500, {}), (500, {"why": "still"})), "w")
    assert paths == ["a", "a"]
    assert isinstance(error, Exception) and error.attempts == 2 and error.body == {"why": "still"}


def test_retry_after_seconds_waits_between_attempts(generate) -> None:  # type: ignore[no-untyped-def]
    times: list[float] = []

    def handler(seen: Seen) -> Answer:
        times.append(time.monotonic())
        return Answer(503 if len(times) < 3 else 200, {})

    flow = {
        "workflowId": "w",
        "steps": [
            _step(
                "a",
                onFailure=[{"name": "again", "type": "retry", "retryAfter": 0.15, "retryLimit": 3}],
            )
        ],
    }
    result, paths = _run(generate, [flow], handler, "w")
    assert paths == ["a", "a", "a"] and [r.attempt for r in result.trace] == [1, 2, 3]
    assert all(later - earlier >= 0.14 for earlier, later in zip(times, times[1:]))


def test_retry_after_header_in_seconds_wins_over_retry_after(generate) -> None:  # type: ignore[no-untyped-def]
    flow = {
        "workflowId": "w",
        "steps": [
            _step(
                "a",
                onFailure=[{"name": "again", "type": "retry", "retryAfter": 5, "retryLimit": 1}],
            )
        ],
    }
    started = time.monotonic()
    result, paths = _run(generate, [flow], _script(Answer(429, {}, {"Retry-After": "0"})), "w")
    assert paths == ["a", "a"] and time.monotonic() - started < 3


def test_retry_after_header_as_http_date(generate) -> None:  # type: ignore[no-untyped-def]
    times: list[float] = []
    # Half a second ahead, rounded up to the next whole second (HTTP dates have no fractions): at most 1.5 s.
    when = email.utils.formatdate(time.time() + 0.5, usegmt=True)

    def handler(seen: Seen) -> Answer:
        times.append(time.time())
        return Answer(503, {}, {"Retry-After": when}) if len(times) == 1 else Answer(200, {})

    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "again", "type": "retry", "retryAfter": 5}])],
    }
    result, paths = _run(generate, [flow], handler, "w")
    assert paths == ["a", "a"]
    target = email.utils.parsedate_to_datetime(when).timestamp()
    assert times[1] >= target - 0.05 and times[1] - times[0] < 2.5


def test_retry_after_header_http_date_in_the_past_means_now(generate) -> None:  # type: ignore[no-untyped-def]
    past = email.utils.formatdate(time.time() - 3600, usegmt=True)
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "again", "type": "retry", "retryAfter": 5}])],
    }
    started = time.monotonic()
    _, paths = _run(generate, [flow], _script(Answer(503, {}, {"Retry-After": past})), "w")
    assert paths == ["a", "a"] and time.monotonic() - started < 3


def test_retry_with_step_id_runs_that_step_first(generate) -> None:  # type: ignore[no-untyped-def]
    tokens = iter(["t1", "t2"])

    def handler(seen: Seen) -> Answer:
        if seen.path == "/login":
            return Answer(200, {"token": next(tokens)})
        return Answer(200 if seen.headers.get("x-token") == "t2" else 401, {})

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
    result, paths = _run(generate, [flow], handler, "w")
    assert paths == ["login", "a", "login", "a"]
    assert result.token == "t2"


def test_retry_with_workflow_id_runs_that_workflow_first(generate) -> None:  # type: ignore[no-untyped-def]
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
    seen_who: list[str | None] = []

    def handler(seen: Seen) -> Answer:
        if seen.path == "/login":
            seen_who.append(seen.headers.get("x-who"))
        return Answer(500 if len(seen_who) == 0 else 200, {})

    result, paths = _run(generate, [refresh, flow], handler, "w", who="me")
    assert paths == ["a", "login", "a"] and seen_who == ["me"]
    assert [(r.workflow_id, r.step_id) for r in result.trace] == [
        ("w", "a"),
        ("refresh", "login"),
        ("w", "a"),
    ]


# -- choosing actions -----------------------------------------------------------------------------------


def test_action_criteria_see_the_response_and_the_first_match_wins(generate) -> None:  # type: ignore[no-untyped-def]
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
    _, paths = _run(generate, [flow], _script((503, {"busy": True}), (404, {})), "w")
    assert paths == ["a", "a", "c"]
    _, paths = _run(generate, [flow], _script((500, {"busy": False})), "w")
    assert paths == ["a"]  # "other" (end)


def test_step_actions_override_workflow_actions_of_the_same_name_and_come_first(generate) -> None:  # type: ignore[no-untyped-def]
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
    answers = _script((500, {}), (500, {}), (200, {"last": True}))
    _, paths = _run(generate, [flow], answers, "w")
    assert paths == ["a", "a", "c"]
    # Steps without their own actions use the workflow's: b fails 5 times and is retried 5 times.
    answers = _script((200, {}), *[(500, {})] * 6)
    _, paths = _run(generate, [flow], answers, "w")
    assert paths == ["a"] + ["b"] * 6 + ["c"] + ["d"]


def test_retry_limit_is_exhausted_before_later_failure_actions(generate) -> None:  # type: ignore[no-untyped-def]
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
    result, paths = _run(generate, [flow], _script((500, {}), (500, {}), (500, {})), "w")
    assert paths == ["a", "a", "a", "c"]
    assert [r.attempt for r in result.trace] == [1, 2, 3, 1]


def test_step_budget_stops_a_retry_loop(generate) -> None:  # type: ignore[no-untyped-def]
    flow = {
        "workflowId": "w",
        "steps": [_step("a", onFailure=[{"name": "again", "type": "retry", "retryLimit": 100}])],
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": API})
    with Loopback(lambda seen: Answer(500, {})) as server:
        with pytest.raises(gen.rt.WorkflowLimitError) as limit:
            gen.w(client=gen.rt.Client(base_url=server.url, max_steps=5))
        assert len(server.seen) == 5
    assert (limit.value.workflow_id, limit.value.steps_run) == ("w", 5)


def test_workflows_that_goto_each_other_stop_at_the_step_budget(generate) -> None:  # type: ignore[no-untyped-def]
    # At the default budget of 1000 step attempts: the goto chain must not exhaust Python's recursion limit.
    ping = {
        "workflowId": "ping",
        "steps": [_step("a", onSuccess=[{"name": "go", "type": "goto", "workflowId": "pong"}])],
    }
    pong = {
        "workflowId": "pong",
        "steps": [_step("b", onSuccess=[{"name": "go", "type": "goto", "workflowId": "ping"}])],
    }
    error, paths = _run(generate, [ping, pong], lambda seen: Answer(200, {}), "ping")
    assert type(error).__name__ == "WorkflowLimitError", repr(error)
    assert (error.workflow_id, error.steps_run, len(paths)) == ("ping", 1000, 1000)
    assert paths[:4] == ["a", "b", "a", "b"]


def test_goto_workflow_chain_outputs_are_evaluated_last_first(generate) -> None:  # type: ignore[no-untyped-def]
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
    result, paths = _run(
        generate, [first, second, third], lambda seen: Answer(200, {"v": seen.path}), "first"
    )
    assert paths == ["a", "b", "c"]
    assert (result.from_second, result.from_third) == ("/c", "/c")


def test_retry_a_failed_workflow_step_runs_the_child_again(generate) -> None:  # type: ignore[no-untyped-def]
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
    result, paths = _run(
        generate, [child, top], _script((500, {}), (500, {}), (200, {"v": "ok"})), "top"
    )
    assert paths == ["b", "b", "b"] and result.v == "ok"
    assert [(r.workflow_id, r.status_code) for r in result.trace] == [
        ("child", 500),
        ("child", 500),
        ("child", 200),
    ]


def test_async_client_retries_after_the_header_and_follows_a_workflow_goto(generate) -> None:  # type: ignore[no-untyped-def]
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
    gen = generate({"flows.arazzo.yaml": arazzo([target, caller]), "api.openapi.yaml": API})
    handler = _script(Answer(503, {}, {"Retry-After": "0"}), (200, {}), (200, {"v": "done"}))

    async def main(url: str) -> Any:
        async with gen.rt.AsyncClient(base_url=url) as client:
            return await gen.caller_async(client=client)

    started = time.monotonic()
    with Loopback(handler) as server:
        result = asyncio.run(main(server.url))
        assert [seen.path for seen in server.seen] == ["/a", "/a", "/c"]
    assert result.v == "done" and time.monotonic() - started < 3
    assert [(r.step_id, r.attempt) for r in result.trace] == [("a", 1), ("a", 2), ("c", 1)]
