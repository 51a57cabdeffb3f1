"""Concurrency benchmark: N runs of a one-step workflow, one by one and all at once, sync and async.

    python benchmarks/concurrency.py [--runs 1000]

The server is an asyncio HTTP/1.1 keep-alive server in its own process with a listen backlog of 4096, so
it can take the load and what is measured is the client. Prints one line per mode: wall time, runs per
second and errors. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import multiprocessing
import socket
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
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _serve(sock: socket.socket) -> None:
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
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
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
    from generator.emit import write_package
    from generator.pipeline import generate_files

    diagnostics = Diagnostics()
    out = generate_files([str(folder / "bench.arazzo.yaml")], folder / "benchpkg", diagnostics)
    assert out is not None, [str(d) for d in diagnostics.sorted()]
    write_package(out, folder / "benchpkg")
    sys.path.insert(0, str(folder))
    return importlib.import_module("benchpkg.bench"), importlib.import_module("benchpkg")


def _report(mode: str, runs: int, took: float, errors: Counter[str]) -> None:
    failed = sum(errors.values())
    detail = ", ".join(f"{k}: {v}" for k, v in errors.most_common()) or "none"
    print(f"{mode:<28} {took:7.2f} s  {runs / took:8.0f} runs/s  errors {failed} ({detail})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    runs = args.runs
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = multiprocessing.get_context("fork").Process(target=_serve, args=(sock,), daemon=True)
    server.start()
    with tempfile.TemporaryDirectory() as scratch:
        module, package = _package(Path(scratch))
        times: dict[str, float] = {}

        def one(client: Any, errors: Counter[str], i: int) -> None:
            try:
                assert module.fetch_pet(id=i, client=client).name == "pet"
            except Exception as error:  # noqa: BLE001 - counted and reported
                errors[type(error).__name__] += 1

        with package.Client(base_url=url) as client:
            one(client, Counter(), 0)  # warm up
            errors: Counter[str] = Counter()
            started = time.perf_counter()
            for i in range(runs):
                one(client, errors, i)
            times["sync sequential"] = time.perf_counter() - started
            _report("sync sequential", runs, times["sync sequential"], errors)
            errors = Counter()
            threads = [
                threading.Thread(target=one, args=(client, errors, i)) for i in range(runs)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            times["sync threads"] = time.perf_counter() - started
            _report(f"sync {runs} threads", runs, times["sync threads"], errors)

        async def one_async(client: Any, errors: Counter[str], i: int) -> None:
            try:
                assert (await module.fetch_pet_async(id=i, client=client)).name == "pet"
            except Exception as error:  # noqa: BLE001 - counted and reported
                errors[type(error).__name__] += 1

        async def run_async() -> None:
            async with package.AsyncClient(base_url=url) as client:
                await one_async(client, Counter(), 0)
                errors: Counter[str] = Counter()
                started = time.perf_counter()
                for i in range(runs):
                    await one_async(client, errors, i)
                times["async sequential"] = time.perf_counter() - started
                _report("async sequential", runs, times["async sequential"], errors)
                errors = Counter()
                started = time.perf_counter()
                await asyncio.gather(*(one_async(client, errors, i) for i in range(runs)))
                times["async tasks"] = time.perf_counter() - started
                _report(f"async {runs} tasks", runs, times["async tasks"], errors)

        asyncio.run(run_async())
    server.terminate()
    server.join(5)
    print(
        f"concurrent / sequential time: sync {times['sync threads'] / times['sync sequential']:.2f}, "
        f"async {times['async tasks'] / times['async sequential']:.2f}"
    )


if __name__ == "__main__":
    main()
