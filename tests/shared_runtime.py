"""One import of each distinct runtime copy for every package generated in a test session.

The runtime a generated package carries is identical for every run (the contract), and importing a fresh
copy compiles ~2,400 lines and builds its dataclasses again (about a third of generating a small package).
A package whose ``_runtime`` files are byte-identical to an already imported copy adopts that copy; any
difference in those files gets a fresh import.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from types import ModuleType

_imported: dict[str, ModuleType] = {}


def _key(files: Mapping[str, str]) -> str:
    return json.dumps(
        sorted((name, text) for name, text in files.items() if name.startswith("_runtime"))
    )


def reuse_runtime(package: str, files: Mapping[str, str]) -> None:
    """Call before importing ``package`` (generated as ``files``): adopt an identical runtime if imported."""
    shared = _imported.get(_key(files))
    if shared is not None:
        sys.modules[f"{package}._runtime"] = shared


def remember_runtime(package: str, files: Mapping[str, str]) -> None:
    """Call after importing ``package``: its runtime serves the next identical packages."""
    runtime = sys.modules[f"{package}._runtime"]
    setattr(sys.modules[package], "_runtime", runtime)  # noqa: B010 (what a first import sets)
    _imported.setdefault(_key(files), runtime)
