"""What the tests need from outside the clone, in one place, and how they skip without it.

``../shared`` (beside the project, never copied into it) holds the official Arazzo examples and JSON
schemas. A fresh clone has nothing beside it, so every test that reads ``../shared`` takes its paths from
here and carries :data:`requires_shared`: it is skipped with :data:`SHARED_REASON` when ``../shared`` is
absent. Parameter lists built from ``../shared`` at collection time are empty then, never an error. When
``../shared`` is there, a file missing from it is a failure, not a skip. ``ARAZZO_CODEGEN_SHARED=DIR``
reads it from DIR instead (the tests of this module use it to prove a clone without it passes).

A test that runs a program other than Python carries :func:`requires_tool`, which skips naming the package
that provides the program.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: ``../shared`` (or ``$ARAZZO_CODEGEN_SHARED``) and the folders the tests read in it.
SHARED = Path(os.environ.get("ARAZZO_CODEGEN_SHARED") or ROOT.parent / "shared")
ARAZZO = SHARED / "arazzo"
EXAMPLES = ARAZZO / "examples"
SCHEMAS = ARAZZO / "schema"

SHARED_PRESENT = SHARED.is_dir()
SHARED_REASON = "../shared is not beside the project (the official Arazzo examples and schemas)"

#: Marks a test (or, as ``pytestmark``, a module) that reads ``../shared``.
requires_shared = pytest.mark.skipif(not SHARED_PRESENT, reason=SHARED_REASON)


def requires_tool(program: str, package: str) -> pytest.MarkDecorator:
    """Marks a test that runs ``program``: skipped, naming ``package``, when it is not on PATH."""
    return pytest.mark.skipif(
        shutil.which(program) is None,
        reason=f"{program!r} is not on PATH (install the {package} package)",
    )
