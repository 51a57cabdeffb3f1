"""Fixtures: generate a package from inline documents, import it, run it."""

from __future__ import annotations

import importlib
import itertools
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.diagnostics import Diagnostics
from generator.emit.writer import write_package
from generator.pipeline import generate_files
from generation import Generate, Generated
from shared_runtime import remember_runtime, reuse_runtime

ROOT = Path(__file__).resolve().parent.parent
_counter = itertools.count()


@pytest.fixture
def generate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Generate:
    """generate({"flows.arazzo.yaml": doc, "api.openapi.yaml": doc}) → Generated (modules imported)."""
    monkeypatch.chdir(tmp_path)

    def _generate(files: dict[str, Any], entry: str | None = None) -> Generated:
        for name, content in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
            )
        entries = [entry] if entry else [n for n in files if "arazzo" in n]
        package = f"gen_{next(_counter)}_{tmp_path.name.replace('-', '_')}"
        diagnostics = Diagnostics()
        out = generate_files(entries, tmp_path / "out" / package, diagnostics)
        assert out is not None, "\n".join(str(d) for d in diagnostics.sorted())
        write_package(out, tmp_path / "out" / package)
        reuse_runtime(package, out)
        sys.path.insert(0, str(tmp_path / "out"))
        try:
            modules = {
                name[:-3]: importlib.import_module(f"{package}.{name[:-3]}")
                for name in out
                if name.endswith(".py") and "/" not in name and name != "__init__.py"
            }
            runtime = importlib.import_module(package)
        finally:
            sys.path.remove(str(tmp_path / "out"))
        remember_runtime(package, out)
        return Generated(tmp_path / "out" / package, package, modules, runtime)

    return _generate
