"""Emulator of BugReplay's Fullstack "send" method (``POST /api/fullstack/v1/send``).

Every documented answer is HTTP 200. The checks run in this order:

1. the bearer API key is missing or unknown -> "not logged in"
   (``ErrUserNotLoggedIn`` / "User is not logged in!"); a missing
   ``Authorization`` header also breaks the OpenAPI document's security
   requirement, so it only reaches this answer with :meth:`skip_validation`;
2. the recording uuid is unknown (no recording running) -> "No BugReplay-Recording-UUID, doing nothing";
3. the recording belongs to another account than the API key -> "not logged in";
4. ``type`` is not ``log``/``exception`` -> "Type must be 'log' or 'exception'" (the OpenAPI
   enum makes such a request a violation: post it after :meth:`skip_validation`);
5. otherwise the record is stored and echoed with an incrementing id.

State for assertions:

* ``records``: ``list[BugReplayRecord]``: stored records, in order;
* ``records_for(uuid)``: the records of one recording.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable, Mapping

from .base import SPECS_DIR, Emulator, Reply, Request, json_body

__all__ = ["BugReplayEmulator", "BugReplayRecord"]

NO_RECORDING = {"error_name": "", "message": "No BugReplay-Recording-UUID, doing nothing"}
NOT_LOGGED_IN = {"error_name": "ErrUserNotLoggedIn", "message": "User is not logged in!"}
BAD_TYPE = {"error_name": "", "message": "Type must be 'log' or 'exception'"}


@dataclass(frozen=True)
class BugReplayRecord:
    id: int
    timestamp: int
    type: str
    title: str
    payload: str
    uuid: str
    metadata: str
    origin: str
    level: str  #: stored, not echoed
    api_key: str

    def echoed(self) -> dict[str, Any]:
        """The record as the success answer shows it."""
        data = asdict(self)
        del data["level"], data["api_key"]
        return data


def _failure(error: Mapping[str, str]) -> Reply:
    return Reply(200, {"success": "false", "error": [dict(error)]})


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


class BugReplayEmulator(Emulator):
    """``BugReplayEmulator(api_keys=("test-api-key",), recordings=("asdf-ghjk-klzx-1234",), first_id=1)``.

    ``api_keys``: the valid Fullstack API keys. ``recordings``: the uuids of running
    recordings, either an iterable (reachable with any valid key) or a mapping of
    uuid -> the API key of the account that owns the recording. ``first_id``: the id
    of the first stored record.
    """

    spec_path = SPECS_DIR / "bugreplay" / "openapi" / "bugreplay-fullstack-api-openapi.yml"

    def __init__(
        self,
        api_keys: Iterable[str] = ("test-api-key",),
        recordings: Iterable[str] | Mapping[str, str] = ("asdf-ghjk-klzx-1234",),
        first_id: int = 1,
    ) -> None:
        super().__init__()
        self.api_keys: set[str] = set(api_keys)
        if isinstance(recordings, Mapping):
            self.recordings: dict[str, str | None] = dict(recordings)
        else:
            self.recordings = {uuid: None for uuid in recordings}
        self.next_id = first_id
        self.records: list[BugReplayRecord] = []

    def records_for(self, uuid: str) -> list[BugReplayRecord]:
        with self.lock:
            return [record for record in self.records if record.uuid == uuid]

    def handle(self, request: Request) -> Reply:
        api_key = request.bearer_token
        if api_key is None or api_key not in self.api_keys:
            return _failure(NOT_LOGGED_IN)
        body = json_body(request)
        uuid = body.get("uuid")
        if not isinstance(uuid, str) or uuid not in self.recordings:
            return _failure(NO_RECORDING)
        owner = self.recordings[uuid]
        if owner is not None and owner != api_key:
            return _failure(NOT_LOGGED_IN)
        if body.get("type") not in ("log", "exception"):
            return _failure(BAD_TYPE)
        timestamp = body.get("timestamp")
        record = BugReplayRecord(
            id=self.next_id,
            timestamp=(
                timestamp if isinstance(timestamp, int) and not isinstance(timestamp, bool) else 0
            ),
            type=body["type"],
            title=_text(body.get("title")),
            payload=_text(body.get("payload")),
            uuid=uuid,
            metadata=_text(body.get("metadata")),
            origin=_text(body.get("origin")),
            level=_text(body.get("level")),
            api_key=api_key,
        )
        self.next_id += 1
        self.records.append(record)
        return Reply(
            200, {"success": "true", "data": {"data": {"ok": record.echoed()}, "success": True}}
        )
