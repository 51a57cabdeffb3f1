"""``arazzo-codegen run``: generate into a temporary package, import it, execute one workflow."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import httpx

from ..diagnostics import Diagnostics
from ..emit.writer import write_package
from ..pipeline import generate_files


def _pairs(values: list[str], what: str) -> dict[str, str]:
    result = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name:
            raise ValueError(f"{what} must look like NAME=VALUE, not {value!r}")
        result[name] = rest
    return result


def _inputs(args: argparse.Namespace) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    if args.inputs:
        try:
            loaded = json.loads(Path(args.inputs).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"--inputs {args.inputs}: {exc}") from None
        if not isinstance(loaded, dict):
            raise ValueError(f"--inputs {args.inputs}: must hold a JSON object")
        inputs.update(loaded)
    for name, text in _pairs(args.input, "--input").items():
        try:
            inputs[name] = json.loads(text)
        except ValueError:
            inputs[name] = text
    return inputs


def _defines(registry: Any, workflow_id: str) -> bool:
    try:
        registry.workflow(workflow_id)
    except KeyError:
        return False
    return True


def run_command(args: argparse.Namespace) -> int:
    try:
        inputs = _inputs(args)
        servers = _pairs(args.server, "--server")
        credentials = _pairs(args.credential, "--credential")
    except ValueError as exc:
        print(f"arazzo-codegen: error: {exc}", file=sys.stderr)
        return 2
    for url in ([args.base_url] if args.base_url else []) + list(servers.values()):
        try:
            httpx.URL(url)
        except httpx.InvalidURL as exc:
            print(f"arazzo-codegen: error: invalid URL: {exc}", file=sys.stderr)
            return 2
    diagnostics = Diagnostics()
    with tempfile.TemporaryDirectory(prefix="arazzo-run-") as scratch:
        package = f"_arazzo_run_{uuid.uuid4().hex}"
        out_dir = Path(scratch) / package
        files = generate_files([args.spec], out_dir, diagnostics, args.allow_remote)
        for item in diagnostics.sorted():
            print(item, file=sys.stderr)
        if files is None:
            return 2
        write_package(files, out_dir)
        sys.path.insert(0, scratch)
        try:
            runtime = importlib.import_module(f"{package}._runtime")
            # a folder SPEC gives several modules: the first that defines the workflow runs it
            registries = [
                importlib.import_module(f"{package}.{name.removesuffix('.py')}")._REGISTRY
                for name in sorted(files)
                if name.endswith(".py") and "/" not in name and name != "__init__.py"
            ]
            registry = next((r for r in registries if _defines(r, args.workflow_id)), None)
            if registry is None:
                known = ", ".join(sorted({w for r in registries for w in r.workflows}))
                print(
                    f"arazzo-codegen: error: no workflow {args.workflow_id!r} (known: {known})",
                    file=sys.stderr,
                )
                return 2
            with runtime.Client(args.base_url, servers=servers, credentials=credentials) as client:
                try:
                    outputs, _ = client.run(registry, args.workflow_id, inputs)
                except runtime.InputError as exc:
                    print(f"arazzo-codegen: error: {exc}", file=sys.stderr)
                    return 2
                except runtime.ArazzoError as exc:
                    print(f"arazzo-codegen: workflow failed: {exc}", file=sys.stderr)
                    return 1
        finally:
            sys.path.remove(scratch)
    print(json.dumps(outputs, indent=2, sort_keys=False))
    return 0
