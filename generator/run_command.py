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

from .diagnostics import Diagnostics
from .emit import write_package
from .pipeline import generate_files
from .plan import module_name


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


def run_command(args: argparse.Namespace) -> int:
    try:
        inputs = _inputs(args)
        servers = _pairs(args.server, "--server")
        credentials = _pairs(args.credential, "--credential")
    except ValueError as exc:
        print(f"arazzo-codegen: error: {exc}", file=sys.stderr)
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
            module = importlib.import_module(f"{package}.{module_name(Path(args.spec).name)}")
            registry = module._REGISTRY
            try:
                registry.workflow(args.workflow_id)
            except KeyError:
                known = ", ".join(sorted(registry.workflows))
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
