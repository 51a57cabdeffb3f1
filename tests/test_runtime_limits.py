"""The runtime's safety and bounds: secrets out of every kept object, bounded waits, body caps, concurrency,
and the smaller request-building rules (unfilled path parameters, server URLs ending in '/')."""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import httpx
import pytest

from driver_pump import Package, Packages, packages, pump, script
from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen
from generation import Generate, Generated

__all__ = ["packages"]  # the module-scoped fixture, imported for pytest

SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer"},
    "basic": {"type": "http", "scheme": "basic"},
    "headerKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
    "queryKey": {"type": "apiKey", "in": "query", "name": "api_key"},
    "cookieKey": {"type": "apiKey", "in": "cookie", "name": "sid"},
}
SECRETS = {
    "bearer": "b3arer-s3cret",
    "basic": "alice:pa55w0rd-only",
    "headerKey": "h3ader-s3cret",
    "queryKey": "qu3ry-s3cret",
    "cookieKey": "c00kie-s3cret",
}
CLEAR = [*SECRETS.values(), "pa55w0rd-only", base64.b64encode(b"alice:pa55w0rd-only").decode()]


def _secured(generate: Generate, outputs: dict[str, str] | None = None) -> Generated:
    api = openapi(
        {
            f"/{name}": {
                "get": {
                    "operationId": name,
                    "security": [{name: []}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
            for name in SECRETS
        },
        components={"securitySchemes": SCHEMES},
    )
    flow = {
        "workflowId": "calls",
        "steps": [
            {"stepId": name, "operationId": name, "outputs": outputs or {"echo": "$response.body"}}
            for name in SECRETS
        ],
        "outputs": {name: f"$steps.{name}.outputs.echo" for name in SECRETS},
    }
    return generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})


def _echo(status_for_last: int) -> Callable[[Seen], Answer]:
    """A server that echoes every credential it receives, in the body and in headers, and the basic
    password on its own."""

    def handler(seen: Seen) -> Answer:
        auth = seen.headers.get("authorization", "")
        password = ""
        if auth.startswith("Basic "):
            password = base64.b64decode(auth[6:]).decode().split(":", 1)[1]
        body = {
            "authorization": auth,
            "password": password,
            "key": seen.headers.get("x-api-key", ""),
            "cookie": seen.headers.get("cookie", ""),
            "query": dict(seen.query),
            "raw": f"{auth} {password} {seen.headers.get('cookie', '')}",
        }
        status = status_for_last if seen.path == "/cookieKey" else 200
        headers = {"X-Echo": f"{password}|{seen.headers.get('x-api-key', '')}"}
        return Answer(status, body, headers)

    return handler


def _rendered(value: Any, depth: int = 0, seen: set[int] | None = None) -> Iterator[str]:
    """repr of ``value`` and of everything reachable through its attributes, items and slots."""
    seen = set() if seen is None else seen
    if id(value) in seen or depth > 12:
        return
    seen.add(id(value))
    try:
        yield repr(value)
    except Exception:  # pragma: no cover - a repr that fails shows nothing
        return
    if isinstance(value, (str, bytes, int, float, bool, type(None))):
        if isinstance(value, bytes):
            yield value.decode("latin-1")
        return
    children: list[Any] = []
    if isinstance(value, dict):
        children += list(value.keys()) + list(value.values())
    elif isinstance(value, (list, tuple, set, frozenset)):
        children += list(value)
    elif isinstance(value, httpx.Headers):
        children += [f"{k}: {v}" for k, v in value.multi_items()]
    if hasattr(value, "__dict__") and not isinstance(value, type):
        children += list(vars(value).values())
    for slot in getattr(type(value), "__slots__", ()):
        if hasattr(value, slot):
            children.append(getattr(value, slot))
    for child in children:
        yield from _rendered(child, depth + 1, seen)


def _library_frames(error: BaseException) -> str:
    """The error's traceback rendered with every frame's locals, as Sentry does, minus the test's own frame
    (which holds the loopback server's record of what was sent)."""
    tb = error.__traceback__
    assert tb is not None and tb.tb_next is not None
    rendered = traceback.TracebackException(
        type(error), error, tb.tb_next, capture_locals=True
    ).format()
    return "".join(rendered)


def _assert_no_secret(texts: Any) -> None:
    for text in texts:
        for secret in CLEAR:
            assert secret not in text, f"{secret!r} in {text[:300]!r}"


def test_secrets_are_absent_from_traceback_locals_error_client_and_result(
    generate: Generate,
) -> None:
    gen = _secured(generate)
    with Loopback(_echo(500)) as server:
        client = gen.rt.Client(base_url=server.url, credentials=SECRETS)
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.calls(client=client)
        sent = server.seen
    # the credentials did go out, in clear, on the wire
    assert sent[0].headers["authorization"] == "Bearer b3arer-s3cret"
    assert dict(sent[3].query)["api_key"] == "qu3ry-s3cret"
    error = failure.value
    rendered = _library_frames(error)
    assert "client" in rendered and "reply" in rendered  # locals were rendered
    _assert_no_secret([rendered])
    _assert_no_secret(_rendered(error))
    _assert_no_secret(_rendered(error.body))
    _assert_no_secret(_rendered(client))
    assert error.body["cookie"] == "sid=***" and error.body["raw"] == "  sid=***"


def test_secrets_are_absent_from_a_successful_result(generate: Generate) -> None:
    gen = _secured(generate)
    with Loopback(_echo(200)) as server:
        client = gen.rt.Client(base_url=server.url, credentials=SECRETS)
        result = gen.calls(client=client)
    assert result.basic["password"] == "***"
    _assert_no_secret(_rendered(result))
    _assert_no_secret(_rendered(client))


def test_secrets_are_absent_from_async_traceback_locals(generate: Generate) -> None:
    gen = _secured(generate)
    with Loopback(_echo(500)) as server:

        async def main() -> BaseException:
            async with gen.rt.AsyncClient(base_url=server.url, credentials=SECRETS) as client:
                try:
                    await gen.calls_async(client=client)
                except gen.rt.StepFailedError as error:
                    _assert_no_secret(_rendered(client))
                    return cast(
                        BaseException, error
                    )  # the except clause names a class of the generated runtime
            raise AssertionError("the run should fail")

        error = asyncio.run(main())
    rendered = _library_frames(error)
    assert "reply" in rendered
    _assert_no_secret([rendered])


# --- bounded waits -------------------------------------------------------------------------------


@contextmanager
def _raw_server(serve: Any) -> Iterator[str]:
    """A TCP server on 127.0.0.1 whose connections are handled by ``serve(conn)`` in threads."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(conn, stop), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        listener.close()


def _trickle(conn: socket.socket, stop: threading.Event) -> None:
    """Answers 200 with a 1,000-byte body sent one byte every 0.25 s (never idle long enough for a
    per-read timeout)."""
    with conn:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(1000):
            if stop.is_set():
                return
            try:
                conn.sendall(b"x")
            except OSError:
                return
            time.sleep(0.25)


def _one_step(generate: Generate, path: str = "/op", **step: Any) -> Generated:
    return generate(_one_step_files(path, **step))


def _one_step_files(path: str = "/op", **step: Any) -> dict[str, Any]:
    params = [
        {"name": part[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
        for part in path.split("/")
        if part.startswith("{")
    ]
    op: dict[str, Any] = {"operationId": "op", "responses": {"200": {"description": "ok"}}}
    if params:
        op["parameters"] = params
    api = openapi({path: {"get": op}})
    flow = {
        "workflowId": "w",
        "inputs": {"type": "object", "properties": {"id": {"type": "string"}}},
        "steps": [{"stepId": "s", "operationId": "op", **step}],
        "outputs": {"out": "$steps.s.outputs.out"} if "outputs" in step else {},
    }
    return {"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api}


def test_timeout_bounds_the_whole_attempt_sync(generate: Generate) -> None:
    gen = _one_step(generate)
    with _raw_server(_trickle) as url:
        started = time.monotonic()
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.w(client=gen.rt.Client(base_url=url, timeout=1.0))
        took = time.monotonic() - started
    assert failure.value.reason == "timeout" and failure.value.status_code is None
    assert took < 2.0, took


def test_timeout_bounds_the_whole_attempt_async(generate: Generate) -> None:
    gen = _one_step(generate)
    with _raw_server(_trickle) as url:

        async def main() -> None:
            async with gen.rt.AsyncClient(base_url=url, timeout=1.0) as client:
                await gen.w_async(client=client)

        started = time.monotonic()
        with pytest.raises(gen.rt.StepFailedError) as failure:
            asyncio.run(main())
        took = time.monotonic() - started
    assert failure.value.reason == "timeout" and failure.value.status_code is None
    assert took < 2.0, took


def _trickled(part: str) -> Any:
    """A server whose answer trickles one byte every 0.25 s from the start of ``part``: the status line or
    the headers (each byte arrives well within a per-read timeout)."""
    status = b"HTTP/1.1 200 OK\r\n"
    headers = (
        b"Content-Type: text/plain\r\nX-Slow: " + b"a" * 1000 + b"\r\nContent-Length: 0\r\n\r\n"
    )

    def serve(conn: socket.socket, stop: threading.Event) -> None:
        with conn:
            conn.recv(65536)
            slow = status + headers
            if part == "headers":
                conn.sendall(status)
                slow = headers
            for byte in slow:
                if stop.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.25)

    return serve


@pytest.mark.parametrize("part", ["status line", "headers"])
@pytest.mark.parametrize("kind", ["sync", "sync with its own httpx.Client", "async"])
def test_timeout_bounds_a_trickled_status_line_or_headers(
    generate: Generate, part: str, kind: str
) -> None:
    gen = _one_step(generate)
    with _raw_server(_trickled(part.split()[0])) as url:
        started = time.monotonic()
        with pytest.raises(gen.rt.StepFailedError) as failure:
            if kind == "async":

                async def main() -> None:
                    async with gen.rt.AsyncClient(base_url=url, timeout=1.0) as client:
                        await gen.w_async(client=client)

                asyncio.run(main())
            elif kind == "sync":
                with gen.rt.Client(base_url=url, timeout=1.0) as client:
                    gen.w(client=client)
            else:
                with httpx.Client() as http:
                    gen.w(client=gen.rt.Client(base_url=url, timeout=1.0, http=http))
        took = time.monotonic() - started
    assert failure.value.reason == "timeout" and failure.value.status_code is None
    assert took < 2.0, took


def test_the_attempt_deadline_leaves_other_uses_of_a_shared_httpx_client_alone(
    generate: Generate,
) -> None:
    """Outside a workflow's attempt, the user's httpx.Client keeps its own per-read timeouts: an answer
    whose last bytes trickle in for longer than the workflow's timeout (never idle for 0.5 s) completes.
    """
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    def serve(conn: socket.socket, stop: threading.Event) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(answer[:-8])
            for byte in answer[-8:]:
                time.sleep(0.15)
                conn.sendall(bytes([byte]))

    gen = _one_step(generate)
    with _raw_server(serve) as url, httpx.Client(timeout=0.5) as http:
        gen.rt.Client(base_url=url, timeout=0.3, http=http)
        started = time.monotonic()
        response = http.get(url)
        took = time.monotonic() - started
    assert response.content == b"ok" and took > 0.9, took


def test_a_timeout_is_a_failure_that_failure_actions_see(generate: Generate) -> None:
    gen = _one_step(generate, onFailure=[{"name": "stop", "type": "end"}])
    with _raw_server(_trickle) as url:
        result = gen.w(client=gen.rt.Client(base_url=url, timeout=0.5))
    assert len(result.trace) == 1 and result.trace[0].status_code is None


def _retry_flow(packages: Packages) -> Package:
    return packages(
        _one_step_files(
            onFailure=[{"name": "again", "type": "retry", "retryAfter": 0.1, "retryLimit": 1}]
        )
    )


# The retry decisions below are checked by pumping the step driver (no server, no clock); that the client
# really waits a Retry-After over the wire is test_arazzo_actions.py::test_wire_retry_honours_the_retry_after_header.


@pytest.mark.parametrize("value", ["9" * 400, "1e999", "\u00b2", "Tue, 99 Foo 99999 25:61:61 GMT"])
def test_unusable_retry_after_falls_back_to_retry_after(packages: Packages, value: str) -> None:
    gen = _retry_flow(packages)
    outcome = pump(gen, "w", None, script((503, {}, {"Retry-After": value})))
    assert [r.status_code for r in outcome.trace] == [503, 200]
    assert outcome.sleeps == [0.1]  # the action's retryAfter, the header ignored


def test_retry_after_longer_than_the_cap_fails_the_step(packages: Packages) -> None:
    gen = _retry_flow(packages)
    outcome = pump(gen, "w", None, lambda sent: (503, {}, {"Retry-After": "86400"}))
    assert len(outcome.sent) == 1 and outcome.sleeps == []
    assert type(outcome.error).__name__ == "StepFailedError"
    assert "86400" in outcome.error.reason and "max_retry_after" in outcome.error.reason


def test_retry_after_within_the_cap_waits_and_beyond_a_lowered_cap_fails(
    packages: Packages,
) -> None:
    gen = _retry_flow(packages)
    outcome = pump(
        gen, "w", None, lambda sent: (503, {}, {"Retry-After": "2"}), max_retry_after=1.0
    )
    assert "max_retry_after (1 s)" in outcome.error.reason
    assert len(outcome.sent) == 1 and outcome.sleeps == []
    replies = script((503, {}, {"Retry-After": "1"}))
    outcome = pump(gen, "w", None, replies, max_retry_after=1.0)
    assert outcome.sleeps == [1.0] and [r.status_code for r in outcome.trace] == [503, 200]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_response_bodies_are_capped(generate: Generate, kind: str) -> None:
    gen = _one_step(generate)
    with Loopback(lambda seen: Answer(200, "x" * 5000, content_type="text/plain")) as server:
        if kind == "sync":
            with pytest.raises(gen.rt.StepFailedError) as failure:
                gen.w(client=gen.rt.Client(base_url=server.url, max_body_size=1000))
            small = gen.w(client=gen.rt.Client(base_url=server.url, max_body_size=5000))
        else:

            async def main(limit: int) -> Any:
                async with gen.rt.AsyncClient(base_url=server.url, max_body_size=limit) as client:
                    return await gen.w_async(client=client)

            with pytest.raises(gen.rt.StepFailedError) as failure:
                asyncio.run(main(1000))
            small = asyncio.run(main(5000))
    assert "max_body_size (1000 bytes)" in failure.value.reason
    assert failure.value.status_code == 200
    assert small.trace[0].status_code == 200


def test_a_chunked_body_over_the_cap_fails_while_streaming(generate: Generate) -> None:
    def chunked(conn: socket.socket, stop: threading.Event) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            try:
                for _ in range(100):
                    conn.sendall(b"400\r\n" + b"y" * 1024 + b"\r\n")
                conn.sendall(b"0\r\n\r\n")
            except OSError:
                return

    gen = _one_step(generate)
    with _raw_server(chunked) as url:
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.w(client=gen.rt.Client(base_url=url, max_body_size=10_000))
    assert "max_body_size" in failure.value.reason


# --- concurrency ------------------------------------------------------------------------------


def test_waiting_for_a_pooled_connection_does_not_count_against_the_timeout(
    generate: Generate,
) -> None:
    def slow(seen: Seen) -> Answer:
        time.sleep(0.3)
        return Answer(200, {})

    gen = _one_step(generate)
    with Loopback(slow) as server:

        async def main() -> list[Any]:
            limits = httpx.Limits(max_connections=1)
            async with httpx.AsyncClient(limits=limits) as http:
                client = gen.rt.AsyncClient(base_url=server.url, timeout=0.6, http=http)
                return await asyncio.gather(*(gen.w_async(client=client) for _ in range(5)))

        results = asyncio.run(main())
        sync_client = gen.rt.Client(
            base_url=server.url,
            timeout=0.6,
            http=httpx.Client(limits=httpx.Limits(max_connections=1)),
        )
        threads = [
            threading.Thread(target=lambda: results.append(gen.w(client=sync_client)))
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert len(results) == 9 and all(r.trace[0].status_code == 200 for r in results)


def _counting(delay: float) -> tuple[Any, list[int]]:
    """A keep-alive HTTP server (``_raw_server``, whose backlog takes a burst of connections) that answers
    every GET after ``delay`` seconds and records the most requests it ever had in progress at once.
    """
    lock = threading.Lock()
    state = {"now": 0}
    peak = [0]

    def serve(conn: socket.socket, stop: threading.Event) -> None:
        with conn:
            pending = b""
            while not stop.is_set():
                while b"\r\n\r\n" not in pending:
                    data = conn.recv(65536)
                    if not data:
                        return
                    pending += data
                pending = pending.split(b"\r\n\r\n", 1)[1]
                with lock:
                    state["now"] += 1
                    peak[0] = max(peak[0], state["now"])
                time.sleep(delay)
                with lock:
                    state["now"] -= 1
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                )

    return serve, peak


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("limit", [None, 3])
def test_max_connections_bounds_the_requests_in_flight(
    generate: Generate, kind: str, limit: int | None
) -> None:
    gen = _one_step(generate)
    serve, peak = _counting(0.3)
    options = {} if limit is None else {"max_connections": limit}
    expected = limit or gen.rt.Client.__init__.__kwdefaults__["max_connections"]
    runs = expected * 2
    with _raw_server(serve) as url:
        if kind == "sync":
            client = gen.rt.Client(base_url=url, **options)
            results: list[Any] = []
            threads = [
                threading.Thread(target=lambda: results.append(gen.w(client=client)))
                for _ in range(runs)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        else:

            async def main() -> list[Any]:
                async with gen.rt.AsyncClient(base_url=url, **options) as client:
                    return await asyncio.gather(*(gen.w_async(client=client) for _ in range(runs)))

            results = asyncio.run(main())
    assert len(results) == runs and all(r.trace[0].status_code == 200 for r in results)
    assert peak[0] == expected, peak


@pytest.mark.parametrize("value", [0, -1, 2.5, True, "4"])
def test_max_connections_must_be_a_positive_int(generate: Generate, value: Any) -> None:
    gen = _one_step(generate)
    for kind in (gen.rt.Client, gen.rt.AsyncClient):
        with pytest.raises(ValueError, match="max_connections"):
            kind(base_url="http://127.0.0.1:1", max_connections=value)


def test_a_missing_sniffio_is_looked_up_once(generate: Generate) -> None:
    """httpcore imports sniffio for every lock and event; without it installed, each of those imports
    would search sys.path again. The async client records its absence once."""
    import importlib.util
    import sys

    if "sniffio" in sys.modules and sys.modules["sniffio"] is not None:
        pytest.skip("sniffio is installed")
    gen = _one_step(generate)
    sys.modules.pop("sniffio", None)
    if importlib.util.find_spec("sniffio") is not None:
        pytest.skip("sniffio is installed")
    gen.rt.AsyncClient(base_url="http://127.0.0.1:1")
    assert "sniffio" in sys.modules and sys.modules["sniffio"] is None
    with pytest.raises(ImportError):
        import sniffio  # type: ignore[import-not-found, unused-ignore]  # noqa: F401 - absent on purpose


# --- the wrong client, malformed JSON ---------------------------------------------------------------


def test_a_sync_client_given_to_an_async_function_fails_before_sending(generate: Generate) -> None:
    gen = _one_step(generate)
    with Loopback() as server:
        with pytest.raises(TypeError, match="AsyncClient") as failure:
            asyncio.run(gen.w_async(client=gen.rt.Client(base_url=server.url)))
        assert isinstance(failure.value, gen.rt.ArazzoError)

        async def wrong() -> None:
            async with gen.rt.AsyncClient(base_url=server.url) as client:
                gen.w(client=client)

        with pytest.raises(TypeError, match="_async") as failure:
            asyncio.run(wrong())
        assert isinstance(failure.value, gen.rt.ArazzoError)
        assert server.seen == []
    with pytest.raises(TypeError, match="httpx.AsyncClient"):
        gen.rt.Client(http=httpx.AsyncClient())


def test_malformed_json_read_by_outputs_fails_the_step(generate: Generate) -> None:
    gen = _one_step(generate, outputs={"out": "$response.body#/id"})
    with Loopback(lambda seen: Answer(200, '{"id": 1,')) as server:
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.w(client=gen.rt.Client(base_url=server.url))
    assert "not valid JSON" in failure.value.reason and failure.value.status_code == 200
    assert failure.value.body == '{"id": 1,'
    # a step that does not read the body succeeds
    gen2 = _one_step(generate, outputs={"out": "$statusCode"})
    with Loopback(lambda seen: Answer(200, '{"id": 1,')) as server:
        assert gen2.w(client=gen2.rt.Client(base_url=server.url)).out == 200


def test_malformed_json_read_by_criteria_fails_the_step(generate: Generate) -> None:
    gen = _one_step(generate, successCriteria=[{"condition": "$response.body#/ok == true"}])
    with Loopback(lambda seen: Answer(200, "{oops")) as server:
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.w(client=gen.rt.Client(base_url=server.url))
    assert "not valid JSON" in failure.value.reason


# --- request building ---------------------------------------------------------------------------


def test_a_path_parameter_without_value_fails_the_step_unsent(generate: Generate) -> None:
    gen = _one_step(
        generate,
        path="/pet/{petId}/coupons",
        parameters=[{"name": "petId", "in": "path", "value": "$inputs.id"}],
    )
    with Loopback() as server:
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.w(client=gen.rt.Client(base_url=server.url))
        assert server.seen == []
        assert (
            gen.w(id="7", client=gen.rt.Client(base_url=server.url))
            .trace[0]
            .url.endswith("/pet/7/coupons")
        )
    assert "'petId'" in failure.value.reason and failure.value.status_code is None


@pytest.mark.parametrize("suffix", ["/v1/", "/v1", "/"])
def test_a_server_url_ending_in_a_slash_is_joined_without_a_double_slash(
    generate: Generate, suffix: str
) -> None:
    gen = _one_step(generate, path="/pets")
    with Loopback() as server:
        gen.w(client=gen.rt.Client(servers={"api": server.url + suffix}))
        gen.w(client=gen.rt.Client(base_url=server.url + suffix))
        paths = [seen.path for seen in server.seen]
    expected = suffix.rstrip("/") + "/pets"
    assert paths == [expected, expected]
