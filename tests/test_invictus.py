"""Invictus flow trace import, end to end through the committed generated package and the emulator.

Every call goes through ``generated.invictus_flow_trace_import``; the emulator checks each
request against the project's Invictus OpenAPI document (a violation fails the test at
teardown) and builds the execution tree the Invictus backend would store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from emulators import InvictusEmulator
from emulators.invictus import parse_invictus_time
from generated import AsyncClient, Client, InputError, StepFailedError
from generated.invictus_flow_trace_import import (
    ImportOperationTraceInputMappings,
    ImportOperationTraceResult,
    ImportParentChildTraceResult,
    import_operation_trace,
    import_operation_trace_async,
    import_parent_child_trace,
    import_parent_child_trace_async,
)

CHAIN = "edbd5ddb-b206-4437-8ac3-5401b148c8cb"
STEP = "8ecd1ea4-de94-4741-9c4a-a18477398299"
MAPPINGS: ImportOperationTraceInputMappings = {
    "Domain": "Invoicing",
    "Action": "New invoice",
    "Service": "Invoice system",
    "Version": "v1.2.3",
}
T0 = "2019-07-23 08:55:04.0500000 +00:00"
T1 = "2019-07-23 08:55:06.1000000 +00:00"


@pytest.fixture
def invictus() -> Iterator[InvictusEmulator]:
    emu = InvictusEmulator()
    with emu:
        yield emu


def _statuses(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(event["Step"]["Id"], event["Step"]["Status"]) for event in events]


def _assert_time_ordered(events: list[dict[str, Any]]) -> None:
    times = [parse_invictus_time(event["Time"]) for event in events]
    assert times == sorted(times)


# ---------------------------------------------------------------------- one operation


def test_started_then_completed(invictus: InvictusEmulator) -> None:
    with Client(base_url=invictus.url) as client:
        result = import_operation_trace(
            chain_id=CHAIN,
            step_id=STEP,
            step_name="Invoice",
            started_at=T0,
            finished_at=T1,
            mappings=MAPPINGS,
            tracked_properties={
                "Milestone": "LA-A-Reached",
                "EventText": "Line1-A",
                "Data": {"MyKey1": "MyValue1", "MyKey2": "MyValue2"},
            },
            client=client,
        )

    assert isinstance(result, ImportOperationTraceResult)
    assert (result.accepted_events, result.chain_id) == (2, CHAIN)
    assert len(result.trace) == 1
    record = result.trace[0]
    assert (record.workflow_id, record.step_id, record.attempt) == (
        "import-operation-trace",
        "importTrace",
        1,
    )
    assert (record.method, record.url, record.status_code) == ("POST", invictus.url + "/", 202)

    chain = invictus.chains[CHAIN]
    step = chain.steps[STEP]
    assert (step.name, step.parent_id) == ("Invoice", None)
    assert step.statuses == ["Started", "Completed"]
    assert step.status == "Completed" and step.finished
    assert step.error is None
    assert step.mappings == MAPPINGS
    # tracked properties only on the final event
    assert step.properties == [
        {
            "Milestone": "LA-A-Reached",
            "EventText": "Line1-A",
            "Data": {"MyKey1": "MyValue1", "MyKey2": "MyValue2"},
        }
    ]
    assert chain.tree() == [{"id": STEP, "name": "Invoice", "status": "Completed", "children": []}]
    assert [event["Time"] for event in chain.events] == [T0, T1]

    # one request, two events, mappings on both, absent optional members left out
    assert len(invictus.requests) == 1 and len(invictus.batches) == 1
    started, completed = invictus.batches[0]
    assert started["Mappings"] == completed["Mappings"] == MAPPINGS
    assert "Properties" not in started and "Error" not in started
    assert "Error" not in completed


def test_started_then_failed_with_error(invictus: InvictusEmulator) -> None:
    result = import_operation_trace(
        chain_id=CHAIN,
        step_id=STEP,
        step_name="Invoice",
        started_at=T0,
        finished_at=T1,
        outcome="Failed",
        error={"Code": "123", "Description": "there was a failure during this operation"},
        client=Client(servers={"invictusHttpReceiver": invictus.url}),
    )

    assert (result.accepted_events, result.chain_id) == (2, CHAIN)
    assert result.trace[0].status_code == 202
    step = invictus.chains[CHAIN].steps[STEP]
    assert step.statuses == ["Started", "Failed"]
    assert step.status == "Failed" and step.finished
    assert step.error == {"Code": "123", "Description": "there was a failure during this operation"}
    assert step.mappings is None and step.properties == []
    # the error rides on the final event only
    started, failed = invictus.batches[0]
    assert "Error" not in started and failed["Error"]["Code"] == "123"


def test_events_are_ordered_by_time_not_by_format(invictus: InvictusEmulator) -> None:
    # the same instant-ordering whatever the notation: ISO 8601 with Z, then an offset time
    import_operation_trace(
        chain_id=CHAIN,
        step_id=STEP,
        step_name="Invoice",
        started_at="2019-07-23T08:55:04.05Z",
        finished_at="2019-07-23 10:55:05.0000000 +02:00",  # 08:55:05 UTC
        client=Client(base_url=invictus.url),
    )
    events = invictus.chains[CHAIN].events
    assert _statuses(events) == [(STEP, "Started"), (STEP, "Completed")]
    _assert_time_ordered(events)


def test_outcome_enum_violation_raises_input_error_and_sends_nothing(
    invictus: InvictusEmulator,
) -> None:
    with pytest.raises(InputError) as bad:
        import_operation_trace(
            chain_id=CHAIN,
            step_id=STEP,
            step_name="Invoice",
            started_at=T0,
            finished_at=T1,
            outcome="Finished",  # type: ignore[arg-type]  # deliberately outside the enum: refused
            client=Client(base_url=invictus.url),
        )
    assert bad.value.workflow_id == "import-operation-trace"
    assert any("outcome" in message and "Finished" in message for message in bad.value.errors)
    assert invictus.requests == []
    assert invictus.chains == {} and invictus.batches == []


def test_error_without_description_raises_input_error(invictus: InvictusEmulator) -> None:
    with pytest.raises(InputError) as bad:
        import_operation_trace(
            chain_id=CHAIN,
            step_id=STEP,
            step_name="Invoice",
            started_at=T0,
            finished_at=T1,
            outcome="Failed",
            error={"Code": "123"},  # type: ignore[arg-type]  # deliberately without Description: refused
            client=Client(base_url=invictus.url),
        )
    assert any("Description" in message for message in bad.value.errors)
    assert invictus.requests == []


def test_final_event_before_started_is_rejected_and_nothing_stored(
    invictus: InvictusEmulator,
) -> None:
    # finishedAt earlier than startedAt: by Time, the step's first event is not Started
    with pytest.raises(StepFailedError) as failure:
        import_operation_trace(
            chain_id=CHAIN,
            step_id=STEP,
            step_name="Invoice",
            started_at=T1,
            finished_at=T0,
            client=Client(base_url=invictus.url),
        )
    error = failure.value
    assert (error.workflow_id, error.step_id, error.status_code, error.attempts) == (
        "import-operation-trace",
        "importTrace",
        400,
        1,
    )
    assert error.body["error"] == "InvalidEventSequence"
    assert "Started" in error.body["message"]
    assert [(r.step_id, r.status_code) for r in error.trace] == [("importTrace", 400)]
    assert invictus.chains == {} and invictus.batches == []
    assert len(invictus.requests) == 1


def test_unreadable_time_is_rejected_by_the_receiver(invictus: InvictusEmulator) -> None:
    # The workflow's inputs only say "string"; the OpenAPI document's Time pattern forbids
    # this value, so the receiver's documented InvalidTime answer is reached past validation.
    invictus.skip_validation()
    with pytest.raises(StepFailedError) as failure:
        import_operation_trace(
            chain_id=CHAIN,
            step_id=STEP,
            step_name="Invoice",
            started_at="yesterday",
            finished_at=T1,
            client=Client(base_url=invictus.url),
        )
    assert failure.value.status_code == 400
    assert failure.value.body["error"] == "InvalidTime"
    assert invictus.chains == {}


# ---------------------------------------------------------------------- parent and child


def test_parent_with_child_builds_the_execution_tree(invictus: InvictusEmulator) -> None:
    with Client(base_url=invictus.url) as client:
        result = import_parent_child_trace(
            chain_id=CHAIN,
            parent_step_id="parent-run",
            parent_step_name="Order",
            child_step_id="child-run",
            child_step_name="Invoice",
            parent_started_at="2019-07-23 08:55:04.0000000 +00:00",
            child_started_at="2019-07-23 08:55:05.0000000 +00:00",
            child_finished_at="2019-07-23 08:55:06.0000000 +00:00",
            parent_finished_at="2019-07-23 08:55:07.0000000 +00:00",
            mappings={"Domain": "Sales", "Service": "Order system"},
            client=client,
        )

    assert isinstance(result, ImportParentChildTraceResult)
    assert result.accepted_events == 4
    assert [(r.step_id, r.method, r.url, r.status_code) for r in result.trace] == [
        ("importTree", "POST", invictus.url + "/", 202)
    ]

    chain = invictus.chains[CHAIN]
    parent, child = chain.steps["parent-run"], chain.steps["child-run"]
    assert parent.parent_id is None
    assert child.parent_id == "parent-run"
    assert [step.id for step in chain.children("parent-run")] == ["child-run"]
    assert [step.id for step in chain.roots] == ["parent-run"]
    assert parent.statuses == child.statuses == ["Started", "Completed"]
    assert parent.mappings == child.mappings == {"Domain": "Sales", "Service": "Order system"}
    assert chain.tree() == [
        {
            "id": "parent-run",
            "name": "Order",
            "status": "Completed",
            "children": [
                {"id": "child-run", "name": "Invoice", "status": "Completed", "children": []}
            ],
        }
    ]
    assert _statuses(chain.events) == [
        ("parent-run", "Started"),
        ("child-run", "Started"),
        ("child-run", "Completed"),
        ("parent-run", "Completed"),
    ]
    _assert_time_ordered(chain.events)


def test_failed_child_under_failed_parent(invictus: InvictusEmulator) -> None:
    import_parent_child_trace(
        chain_id="chain-2",
        parent_step_id="p",
        parent_step_name="Parent",
        child_step_id="c",
        child_step_name="Child",
        parent_started_at="2026-11-22T08:00:00Z",
        child_started_at="2026-11-22T08:00:01Z",
        child_finished_at="2026-11-22T08:00:02Z",
        parent_finished_at="2026-11-22T08:00:03Z",
        child_outcome="Failed",
        parent_outcome="Failed",
        client=Client(base_url=invictus.url),
    )
    chain = invictus.chains["chain-2"]
    assert chain.tree() == [
        {
            "id": "p",
            "name": "Parent",
            "status": "Failed",
            "children": [{"id": "c", "name": "Child", "status": "Failed", "children": []}],
        }
    ]
    assert chain.steps["c"].parent_id == "p"


def test_parent_child_enum_violation_sends_nothing(invictus: InvictusEmulator) -> None:
    with pytest.raises(InputError) as bad:
        import_parent_child_trace(
            chain_id=CHAIN,
            parent_step_id="p",
            parent_step_name="Parent",
            child_step_id="c",
            child_step_name="Child",
            parent_started_at=T0,
            child_started_at=T0,
            child_finished_at=T1,
            parent_finished_at=T1,
            child_outcome="Cancelled",  # type: ignore[arg-type]  # deliberately an OpenAPI status, not a workflow outcome: refused
            client=Client(base_url=invictus.url),
        )
    assert any("childOutcome" in message for message in bad.value.errors)
    assert invictus.requests == [] and invictus.chains == {}


# ---------------------------------------------------------------------- async twins


def test_async_twins(invictus: InvictusEmulator) -> None:
    async def main() -> tuple[ImportOperationTraceResult, ImportParentChildTraceResult]:
        async with AsyncClient(servers={"invictusHttpReceiver": invictus.url}) as client:
            return await asyncio.gather(
                import_operation_trace_async(
                    chain_id="async-1",
                    step_id="op",
                    step_name="Operation",
                    started_at=T0,
                    finished_at=T1,
                    outcome="Failed",
                    error={"Code": "E42", "Description": "boom"},
                    client=client,
                ),
                import_parent_child_trace_async(
                    chain_id="async-2",
                    parent_step_id="p",
                    parent_step_name="Parent",
                    child_step_id="c",
                    child_step_name="Child",
                    parent_started_at="2019-07-23 08:55:01 +00:00",
                    child_started_at="2019-07-23 08:55:02 +00:00",
                    child_finished_at="2019-07-23 08:55:03 +00:00",
                    parent_finished_at="2019-07-23 08:55:04 +00:00",
                    child_outcome="Failed",
                    client=client,
                ),
            )

    single, tree = asyncio.run(main())
    assert (single.accepted_events, single.chain_id) == (2, "async-1")
    assert single.trace[0].status_code == 202
    assert tree.accepted_events == 4 and tree.trace[0].step_id == "importTree"

    op = invictus.chains["async-1"].steps["op"]
    assert op.statuses == ["Started", "Failed"]
    assert op.error == {"Code": "E42", "Description": "boom"}
    chain = invictus.chains["async-2"]
    assert chain.tree() == [
        {
            "id": "p",
            "name": "Parent",
            "status": "Completed",
            "children": [{"id": "c", "name": "Child", "status": "Failed", "children": []}],
        }
    ]
    _assert_time_ordered(chain.events)


def test_async_failures(invictus: InvictusEmulator) -> None:
    async def main() -> tuple[InputError, StepFailedError]:
        async with AsyncClient(base_url=invictus.url) as client:
            with pytest.raises(InputError) as bad:
                await import_operation_trace_async(
                    chain_id=CHAIN,
                    step_id=STEP,
                    step_name="Invoice",
                    started_at=T0,
                    finished_at=T1,
                    outcome="Done",  # type: ignore[arg-type]  # deliberately outside the enum: refused
                    client=client,
                )
            assert invictus.requests == []
            with pytest.raises(StepFailedError) as failed:
                await import_operation_trace_async(
                    chain_id=CHAIN,
                    step_id=STEP,
                    step_name="Invoice",
                    started_at=T1,
                    finished_at=T0,
                    client=client,
                )
        return bad.value, failed.value

    bad, failed = asyncio.run(main())
    assert any("outcome" in message for message in bad.errors)
    assert (failed.step_id, failed.status_code) == ("importTrace", 400)
    assert failed.body["error"] == "InvalidEventSequence"
    assert invictus.chains == {}
    assert len(invictus.requests) == 1
