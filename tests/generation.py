"""Types of the ``generate`` fixture (tests/conftest.py): the callable it returns and the package it builds.

Test functions annotate the fixture as ``generate: Generate``; the generated modules are imported at run time, so
what they define is reached through ``Generated`` as ``Any``.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any, Protocol


class Generated:
    """A generated package, imported: its folder, package name, modules by name and the package itself (``rt``).

    ``gen.name`` looks ``name`` up in every generated module (workflow functions, result classes, TypedDicts).
    """

    def __init__(
        self, root: Path, package: str, modules: dict[str, ModuleType], runtime: ModuleType
    ) -> None:
        self.root = root
        self.package = package
        self.modules = modules
        self.rt = runtime

    def __getattr__(self, name: str) -> Any:
        for module in self.modules.values():
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(name)


class Generate(Protocol):
    """``generate({"flows.arazzo.yaml": doc, "api.openapi.yaml": doc}, entry=None) -> Generated``.

    Each value is a document (dumped as YAML) or its text; the entries are ``entry`` or every name containing
    ``arazzo``.
    """

    def __call__(self, files: dict[str, Any], entry: str | None = None) -> Generated: ...
