"""Drive a generated package's sans-IO step driver by hand: no sockets, no clock.

    replies = script((503, {}, {"Retry-After": "2"}), (200, {"id": 1}))
    outcome = pump(gen, "flow-id", {"petId": 7}, replies)
    outcome.paths, outcome.sent[0].headers, outcome.sleeps, outcome.outputs, outcome.trace, outcome.error

Each ``Send`` the driver yields is turned into the request as sent by the runtime's own ``authorize`` (so
credentials are applied exactly as on the wire) and answered by the script; each ``Sleep`` is recorded, never
slept. The run is built from a real ``Client``'s settings and pumped by the runtime's own ``pump``, so budgets
(``max_steps``), ``max_retry_after``, credentials and headers behave as with a real client.
"""

from __future__ import annotations

import importlib
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import yaml

from generator.diagnostics import Diagnostics
from generator.emit.writer import write_package
from generator.pipeline import generate_files
from shared_runtime import remember_runtime, reuse_runtime

BASE_URL = "http://api.test"

# A reply given to a script: a status; (status, body); (status, body, headers); or a Scripted answer
# (from reply(), transport_error(), timed_out()).
Given = Any


@dataclass(frozen=True)
class Sent:
    """One request as it left the runtime (credentials applied)."""

    method: str
    url: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    # the step's own bound of the attempt (seconds); None: the Client's
    timeout: float | None = None

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body)


Responder = Callable[[Sent], Given]


def _runtime(gen: Any, module: str) -> ModuleType:
    package: ModuleType = getattr(gen.rt, "_runtime")  # noqa: B009
    found: ModuleType = getattr(package, module)
    return found


def _raw(text: str) -> bytes:
    """A header as bytes on the wire: Latin-1 as http.server writes it, UTF-8 beyond."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


@dataclass(frozen=True)
class Scripted:
    """One scripted answer; becomes the generated runtime's own ``Reply`` when it is given to the driver."""

    status_code: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes = b""
    error: str | None = None
    reason: str | None = None
    elapsed: float = 0.001

    def to_reply(self, runtime: ModuleType) -> Any:
        return runtime.transmit.Reply(
            self.elapsed,
            self.status_code,
            httpx.Headers([(_raw(k), _raw(v)) for k, v in self.headers]),
            self.content,
            self.error,
            self.reason,
        )


def reply(
    status: int = 200,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    *,
    content_type: str = "application/json",
    elapsed: float = 0.001,
) -> Scripted:
    """A response: ``body`` as JSON unless it is bytes or text."""
    if isinstance(body, bytes):
        content = body
    elif isinstance(body, str):
        content = body.encode()
    else:
        content = json.dumps(body).encode()
    all_headers = {"content-type": content_type, "content-length": str(len(content))}
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    return Scripted(status, tuple(all_headers.items()), content, elapsed=elapsed)


def transport_error(text: str = "ConnectError: [Errno 111] Connection refused") -> Scripted:
    """A request that could not be sent or answered."""
    return Scripted(error=text)


def timed_out() -> Scripted:
    """An attempt that ran out of its timeout."""
    return Scripted(reason="timeout")


def _as_reply(given: Given) -> Scripted:
    if isinstance(given, Scripted):
        return given
    if isinstance(given, int) and not isinstance(given, bool):
        return reply(given, {})
    if isinstance(given, tuple):
        return reply(*given)
    if given is None:
        return reply(200, {})
    raise TypeError(f"not a scripted reply: {given!r}")


class Script:
    """Replies in order, then ``then`` (200 {} by default) for every further request."""

    def __init__(self, replies: Iterable[Given], then: Given = None) -> None:
        self.queue = [_as_reply(given) for given in replies]
        self.then = _as_reply(then)

    def __call__(self, sent: Sent) -> Scripted:
        return self.queue.pop(0) if self.queue else self.then


def script(*replies: Given, then: Given = None) -> Script:
    """``script(200, {"id": 1})`` is one reply; ``script((503, {}), (200, {"v": 1}))`` two, in order."""
    if replies and isinstance(replies[0], int) and not isinstance(replies[0], bool):
        return Script([tuple(replies)], then)
    return Script(replies, then)


@dataclass
class Wire:
    """Stands in for the network and the clock: answers each Send, records each Sleep."""

    runtime: ModuleType
    responder: Responder
    sent: list[Sent] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def send(self, instruction: Any) -> Any:
        request = self.runtime.wire.authorize(instruction.prepared)
        sent = Sent(
            request.method,
            str(request.url),
            {k.lower(): v for k, v in request.headers.multi_items()},
            request.content,
            instruction.timeout,
        )
        self.sent.append(sent)
        return _as_reply(self.responder(sent)).to_reply(self.runtime)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def send_async(self, instruction: Any) -> Any:
        return self.send(instruction)

    async def sleep_async(self, seconds: float) -> None:
        self.sleep(seconds)


_unused_http: httpx.Client | None = None
unsent: list[httpx.Request] = (
    []
)  # requests that reached the stand-in http client: there must be none


def _refuse(request: httpx.Request) -> httpx.Response:
    unsent.append(request)
    raise httpx.ConnectError("a scripted client sends nothing", request=request)


def _http() -> httpx.Client:
    """One never-used httpx client for every scripted Client (building one per test costs an SSL context)."""
    global _unused_http
    if _unused_http is None:
        _unused_http = httpx.Client(transport=httpx.MockTransport(_refuse))
    return _unused_http


def _async_http() -> httpx.AsyncClient:
    """A never-used httpx.AsyncClient (requests reaching it are recorded in ``unsent`` and refused)."""
    return httpx.AsyncClient(transport=httpx.MockTransport(_refuse))


def client(gen: Any, replies: Responder, **options: Any) -> Any:
    """A real ``gen.rt.Client`` whose requests are answered by ``replies`` and whose sleeps are recorded:
    pass it to a generated function (``gen.flow(client=c)``); then ``c.wire.sent``, ``c.wire.sleeps``.
    """
    base: type = gen.rt.Client
    client_module = _runtime(gen, "client")

    class ScriptedClient(base):  # type: ignore[misc]  # base: the generated package's Client, typed Any
        def __init__(self) -> None:
            options.setdefault("base_url", BASE_URL)
            super().__init__(http=_http(), **options)
            self.wire = Wire(getattr(gen.rt, "_runtime"), replies)  # noqa: B009

        def _pump(self, driver: Any) -> Any:
            return client_module.pump(driver, self.wire.send, self.wire.sleep)

    return ScriptedClient()


def async_client(gen: Any, replies: Responder, **options: Any) -> Any:
    """:func:`client` for the ``_async`` functions: a real ``gen.rt.AsyncClient`` pumped by the runtime's
    ``apump`` with the script's answers and recorded sleeps."""
    base: type = gen.rt.AsyncClient
    client_module = _runtime(gen, "client")

    class ScriptedAsyncClient(base):  # type: ignore[misc]  # base: the generated package's AsyncClient, typed Any
        def __init__(self) -> None:
            options.setdefault("base_url", BASE_URL)
            super().__init__(http=_async_http(), **options)
            self.wire = Wire(getattr(gen.rt, "_runtime"), replies)  # noqa: B009

        async def _pump(self, driver: Any) -> Any:
            return await client_module.apump(driver, self.wire.send_async, self.wire.sleep_async)

    return ScriptedAsyncClient()


@dataclass
class Outcome:
    outputs: dict[str, Any] | None
    error: Any  # the exception raised (its class lives in the generated package), or None
    trace: tuple[Any, ...]
    sent: list[Sent]
    sleeps: list[float]

    @property
    def paths(self) -> list[str]:
        """The request paths, without their leading slash (``["a", "a", "c"]``)."""
        return [sent.path.lstrip("/") for sent in self.sent]


def registry_of(gen: Any, workflow_id: str) -> Any:
    for module in gen.modules.values():
        registry = getattr(module, "_REGISTRY", None)
        if registry is not None and workflow_id in registry.workflows:
            return registry
    raise KeyError(workflow_id)


def pump(
    gen: Any,
    workflow_id: str,
    inputs: Mapping[str, Any] | None = None,
    replies: Responder | None = None,
    **options: Any,
) -> Outcome:
    """Run workflow ``workflow_id`` of ``gen`` with ``inputs`` (by their Arazzo names) through the driver,
    answering requests from ``replies`` (default: 200 {} to all). ``options`` are ``Client`` keywords
    (``max_steps``, ``credentials``, ``headers``, ``max_retry_after``...). An ``ArazzoError`` the run raises is
    returned as ``outcome.error``; anything else propagates."""
    scripted = client(gen, replies or script(), **options)
    run = _runtime(gen, "driver").Run(
        registry_of(gen, workflow_id), scripted._settings, workflow_id
    )
    outputs: dict[str, Any] | None = None
    error: Exception | None = None
    try:
        outputs = scripted._pump(run.workflow(workflow_id, dict(inputs or {})))
    except gen.rt.ArazzoError as raised:
        error = raised
    return Outcome(outputs, error, tuple(run.trace), scripted.wire.sent, scripted.wire.sleeps)


# -- generating each set of documents once per test module -------------------------------------------------

_packages = itertools.count()


class Package:
    """A generated package (the ``generate`` fixture's interface: ``gen.rt``, ``gen.modules``, ``gen.<name>``)."""

    def __init__(self, package: str, modules: dict[str, ModuleType], runtime: ModuleType) -> None:
        self.package = package
        self.modules = modules
        self.rt = runtime

    def __getattr__(self, name: str) -> Any:
        for module in self.modules.values():
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(name)


def build(folder: Path, files: Mapping[str, Any]) -> Package:
    """Write ``files`` (name → document or text) into ``folder``, generate their package and import it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        target.write_text(text)
    package = f"pumped_{next(_packages)}"
    diagnostics = Diagnostics()
    entries = [str(folder / name) for name in files if "arazzo" in name]
    out = generate_files(entries, folder / "out" / package, diagnostics)
    assert out is not None, "\n".join(str(d) for d in diagnostics.sorted())
    write_package(out, folder / "out" / package)
    reuse_runtime(package, out)
    sys.path.insert(0, str(folder / "out"))
    try:
        modules = {
            name[:-3]: importlib.import_module(f"{package}.{name[:-3]}")
            for name in out
            if name.endswith(".py") and "/" not in name and name != "__init__.py"
        }
        runtime = importlib.import_module(package)
    finally:
        sys.path.remove(str(folder / "out"))
    remember_runtime(package, out)
    return Package(package, modules, runtime)


Packages = Callable[[Mapping[str, Any]], Package]
"""The ``packages`` fixture: documents → their generated package, built once per module."""


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Packages:
    """``packages({"flows.arazzo.yaml": doc, "api.openapi.yaml": doc})``: the package, generated once per
    module for each distinct set of documents."""
    cache: dict[str, Package] = {}

    def _package(files: Mapping[str, Any]) -> Package:
        key = json.dumps(files, sort_keys=True, default=str)
        if key not in cache:
            cache[key] = build(tmp_path_factory.mktemp("pumped"), files)
        return cache[key]

    return _package
