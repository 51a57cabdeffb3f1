"""Concurrency benchmark: N runs of a one-step workflow, one by one and all at once, sync and async.

    python benchmarks/concurrency.py [--runs 1000] [--rounds 3] [--latency 0] [--max-connections N]

The server is an asyncio HTTP/1.1 keep-alive server in its own process (listen backlog 4096) that serves
every connection concurrently and answers after ``--latency`` seconds, so what is measured is the client.
Each mode runs ``--rounds`` times; one line per mode gives the median round's wall time, runs per second,
the client process's CPU time and the errors of all rounds. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import multiprocessing
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BODY = b'{"id": 1, "name": "pet"}'
ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
    + BODY
)


LATENCY = 0.0


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            if LATENCY:
                await asyncio.sleep(LATENCY)
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _serve(sock: socket.socket, latency: float) -> None:
    global LATENCY
    LATENCY = latency

    async def main() -> None:
        server = await asyncio.start_server(_handle, sock=sock, backlog=4096)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _package(folder: Path) -> Any:
    api = {
        "openapi": "3.1.0",
        "info": {"title": "bench", "version": "1"},
        "servers": [{"url": "http://127.0.0.1:1"}],
        "paths": {
            "/pets/{id}": {
                "get": {
                    "operationId": "getPet",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    flow = {
        "arazzo": "1.0.1",
        "info": {"title": "bench", "version": "1"},
        "sourceDescriptions": [{"name": "api", "url": "api.yaml", "type": "openapi"}],
        "workflows": [
            {
                "workflowId": "fetch-pet",
                "inputs": {"type": "object", "properties": {"id": {"type": "integer"}}},
                "steps": [
                    {
                        "stepId": "get",
                        "operationId": "getPet",
                        "parameters": [{"name": "id", "in": "path", "value": "$inputs.id"}],
                        "successCriteria": [{"condition": "$statusCode == 200"}],
                        "outputs": {"name": "$response.body#/name"},
                    }
                ],
                "outputs": {"name": "$steps.get.outputs.name"},
            }
        ],
    }
    (folder / "api.yaml").write_text(yaml.safe_dump(api))
    (folder / "bench.arazzo.yaml").write_text(yaml.safe_dump(flow))
    from generator.diagnostics import Diagnostics
    from generator.emit.writer import write_package
    from generator.pipeline import generate_files

    diagnostics = Diagnostics()
    out = generate_files([str(folder / "bench.arazzo.yaml")], folder / "benchpkg", diagnostics)
    assert out is not None, [str(d) for d in diagnostics.sorted()]
    write_package(out, folder / "benchpkg")
    sys.path.insert(0, str(folder))
    return importlib.import_module("benchpkg.bench"), importlib.import_module("benchpkg")


class _Rounds:
    """Wall and CPU time of each round of one mode, and the errors of all rounds."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.rounds: list[tuple[float, float]] = []
        self.errors: Counter[str] = Counter()

    def timed(self, body: Any) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        body()
        self.rounds.append((time.perf_counter() - wall, time.process_time() - cpu))

    def median(self) -> tuple[float, float]:
        return statistics.median(self.rounds)

    def report(self, runs: int) -> None:
        wall, cpu = self.median()
        failed = sum(self.errors.values())
        detail = ", ".join(f"{k}: {v}" for k, v in self.errors.most_common()) or "none"
        print(
            f"{self.mode:<22} {wall:7.2f} s {runs / wall:7.0f} runs/s  cpu {cpu:6.2f} s  "
            f"errors {failed} ({detail})",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.0, help="server delay per request (s)")
    parser.add_argument("--max-connections", type=int, default=None, help="the clients' setting")
    args = parser.parse_args()
    runs = args.runs
    options = {} if args.max_connections is None else {"max_connections": args.max_connections}
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = multiprocessing.get_context("fork").Process(
        target=_serve, args=(sock, args.latency), daemon=True
    )
    server.start()
    modes: dict[str, _Rounds] = {}
    with tempfile.TemporaryDirectory() as scratch:
        module, package = _package(Path(scratch))

        def one(client: Any, errors: Counter[str], i: int) -> None:
            try:
                assert module.fetch_pet(id=i, client=client).name == "pet"
            except Exception as error:  # noqa: BLE001 - counted and reported
                errors[type(error).__name__] += 1

        def sequential(client: Any, mode: _Rounds) -> None:
            for i in range(runs):
                one(client, mode.errors, i)

        def threads(client: Any, mode: _Rounds) -> None:
            started = [
                threading.Thread(target=one, args=(client, mode.errors, i)) for i in range(runs)
            ]
            for thread in started:
                thread.start()
            for thread in started:
                thread.join()

        with package.Client(base_url=url, **options) as client:
            one(client, Counter(), 0)  # warm up
            for name, body in (("sync sequential", sequential), (f"sync {runs} threads", threads)):
                mode = modes[name] = _Rounds(name)
                for _ in range(args.rounds):
                    mode.timed(lambda: body(client, mode))  # noqa: B023 - called at once
                mode.report(runs)

        async def one_async(client: Any, errors: Counter[str], i: int) -> None:
            try:
                assert (await module.fetch_pet_async(id=i, client=client)).name == "pet"
            except Exception as error:  # noqa: BLE001 - counted and reported
                errors[type(error).__name__] += 1

        async def run_async() -> None:
            async with package.AsyncClient(base_url=url, **options) as client:
                await one_async(client, Counter(), 0)
                for name in ("async sequential", f"async {runs} tasks"):
                    mode = modes[name] = _Rounds(name)
                    for _ in range(args.rounds):
                        wall, cpu = time.perf_counter(), time.process_time()
                        if name == "async sequential":
                            for i in range(runs):
                                await one_async(client, mode.errors, i)
                        else:
                            await asyncio.gather(
                                *(one_async(client, mode.errors, i) for i in range(runs))
                            )
                        mode.rounds.append((time.perf_counter() - wall, time.process_time() - cpu))
                    mode.report(runs)

        asyncio.run(run_async())
    server.terminate()
    server.join(5)
    ratio = {
        kind: modes[f"{kind} {runs} {unit}"].median()[0] / modes[f"{kind} sequential"].median()[0]
        for kind, unit in (("sync", "threads"), ("async", "tasks"))
    }
    print(
        f"concurrent / sequential time (median): sync {ratio['sync']:.2f}, async {ratio['async']:.2f}"
    )


if __name__ == "__main__":
    main()
