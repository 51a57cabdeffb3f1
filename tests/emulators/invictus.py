"""Emulator of the Invictus HTTP receiver (``POST /`` with a JSON array of flow trace events).

Behaviour:

* the events of a request are ordered by ``Time`` (stable: equal times keep their
  array order) before they are applied;
* a step (``ChainId`` + ``Step.Id``) must begin with a ``Started`` event: a
  request whose first event for a step not seen before is anything else is
  rejected with 400 ``InvalidEventSequence`` and nothing of it is stored;
* a ``Time`` that cannot be read (possible only with validation skipped) is
  rejected with 400 ``InvalidTime``;
* accepted requests answer 202 ``{"accepted": <events>, "chainIds": [...]}``.

Steps started in an earlier request may be continued by later ones. A step's
``ParentId`` links it to its parent in the chain's execution tree.

State for assertions:

* ``chains``: ``dict[str, InvictusChain]`` by ChainId;
* ``batches``: ``list[list[dict]]``: accepted requests' events, as received.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from .base import SPECS_DIR, Emulator, Reply, Request

__all__ = ["InvictusEmulator", "InvictusChain", "InvictusStep", "parse_invictus_time"]

FINAL_STATUSES = frozenset({"Completed", "Failed", "Cancelled"})

_TIME_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?"
    r" ?(?P<offset>Z|[+-]\d{2}:?\d{2})?$"
)


def parse_invictus_time(value: Any) -> datetime:
    """Read an event ``Time`` (``2019-07-23 08:55:04.0500000 +00:00`` or ISO 8601); no offset means UTC."""
    match = _TIME_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"cannot read Time {value!r}")
    fraction = (match["fraction"] or "0")[:6].ljust(6, "0")
    moment = datetime.fromisoformat(f"{match['date']}T{match['time']}.{fraction}")
    offset = match["offset"]
    if offset is None or offset == "Z":
        tz = timezone.utc
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return moment.replace(tzinfo=tz)


@dataclass
class InvictusStep:
    chain_id: str
    id: str
    name: str
    parent_id: str | None
    events: list[dict[str, Any]] = field(default_factory=list)  #: in Time order
    times: list[datetime] = field(default_factory=list)

    @property
    def statuses(self) -> list[str]:
        return [event["Step"]["Status"] for event in self.events]

    @property
    def status(self) -> str:
        """The latest status (by Time)."""
        return self.statuses[-1]

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def error(self) -> dict[str, Any] | None:
        """The ``Error`` of the latest event that has one."""
        for event in reversed(self.events):
            if event.get("Error") is not None:
                return dict(event["Error"])
        return None

    @property
    def mappings(self) -> dict[str, Any] | None:
        for event in reversed(self.events):
            if event.get("Mappings") is not None:
                return dict(event["Mappings"])
        return None

    @property
    def properties(self) -> list[dict[str, Any]]:
        """The ``Properties`` of every event that has them, in Time order."""
        return [
            dict(event["Properties"])
            for event in self.events
            if event.get("Properties") is not None
        ]


@dataclass
class InvictusChain:
    chain_id: str
    steps: dict[str, InvictusStep] = field(
        default_factory=dict
    )  #: by Step.Id, in order of first event

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event of the chain, in Time order."""
        pairs = [
            (t, i, e)
            for step in self.steps.values()
            for i, (t, e) in enumerate(zip(step.times, step.events))
        ]
        return [event for _, _, event in sorted(pairs, key=lambda p: (p[0], p[1]))]

    def children(self, step_id: str) -> list[InvictusStep]:
        return [step for step in self.steps.values() if step.parent_id == step_id]

    @property
    def roots(self) -> list[InvictusStep]:
        """Steps without a parent in this chain."""
        return [
            step
            for step in self.steps.values()
            if step.parent_id is None or step.parent_id not in self.steps
        ]

    def tree(self) -> list[dict[str, Any]]:
        """The execution tree: ``[{"id", "name", "status", "children": [...]}, ...]``."""

        def node(step: InvictusStep) -> dict[str, Any]:
            return {
                "id": step.id,
                "name": step.name,
                "status": step.status,
                "children": [node(child) for child in self.children(step.id)],
            }

        return [node(step) for step in self.roots]


class InvictusEmulator(Emulator):
    """``InvictusEmulator()``: no configuration; see the module docstring for the behaviour."""

    spec_path = SPECS_DIR / "invictus" / "openapi" / "invictus-flow-trace-import-openapi.yml"

    def __init__(self) -> None:
        super().__init__()
        self.chains: dict[str, InvictusChain] = {}
        self.batches: list[list[dict[str, Any]]] = []

    @staticmethod
    def _error(code: str, message: str, details: list[str]) -> Reply:
        return Reply(400, {"error": code, "message": message, "details": details})

    def handle(self, request: Request) -> Reply:
        events = request.body
        if not isinstance(events, list) or not all(
            isinstance(e, dict) and isinstance(e.get("Step"), dict) for e in events
        ):
            return self._error("InvalidRequest", "the body must be a JSON array of events", [])

        timed: list[tuple[datetime, int, dict[str, Any]]] = []
        bad_times = []
        for index, event in enumerate(events):
            try:
                timed.append((parse_invictus_time(event.get("Time")), index, event))
            except ValueError as error:
                bad_times.append(f"event {index}: {error}")
        if bad_times:
            return self._error(
                "InvalidTime", "some events have a Time that cannot be read", bad_times
            )
        timed.sort(key=lambda item: (item[0], item[1]))

        # check the sequence first, so a rejected request stores nothing
        seen: set[tuple[str, str]] = set()
        problems = []
        for _, index, event in timed:
            key = (str(event.get("ChainId")), str(event["Step"].get("Id")))
            known = key in seen or (key[0] in self.chains and key[1] in self.chains[key[0]].steps)
            if not known and event["Step"].get("Status") != "Started":
                problems.append(
                    f"event {index}: the first event of step {key[1]!r} in chain {key[0]!r} is "
                    f"{event['Step'].get('Status')!r}, not 'Started'"
                )
            seen.add(key)
        if problems:
            return self._error(
                "InvalidEventSequence",
                "a Started event is required before any other event of a step",
                problems,
            )

        chain_ids: list[str] = []
        for moment, _, event in timed:
            chain_id = event["ChainId"]
            if chain_id not in chain_ids:
                chain_ids.append(chain_id)
            chain = self.chains.setdefault(chain_id, InvictusChain(chain_id))
            info = event["Step"]
            step = chain.steps.get(info["Id"])
            if step is None:
                step = chain.steps[info["Id"]] = InvictusStep(
                    chain_id=chain_id,
                    id=info["Id"],
                    name=info.get("Name", ""),
                    parent_id=info.get("ParentId"),
                )
            elif info.get("ParentId") is not None:
                step.parent_id = info["ParentId"]
            # keep the step's events in Time order across requests
            position = len(step.times)
            while position > 0 and step.times[position - 1] > moment:
                position -= 1
            step.times.insert(position, moment)
            step.events.insert(position, event)
        self.batches.append(events)
        return Reply(202, {"accepted": len(events), "chainIds": chain_ids})
