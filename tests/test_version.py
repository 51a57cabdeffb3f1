"""The version is written once, in generator/__init__.py: the distribution, `--version` and CHANGELOG.md agree."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from generator import __version__

ROOT = Path(__file__).resolve().parent.parent


def test_pyproject_takes_the_version_from_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["hatch"]["version"] == {"path": "generator/__init__.py"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__), __version__


def test_version_command_prints_the_version_the_changelog_is_headed_by(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--version"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout == f"arazzo-codegen {__version__}\n", result
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = next(line for line in changelog.splitlines() if line.startswith("## "))
    assert newest.split()[1] == __version__, newest


def test_installed_distribution_has_the_version_of_its_checkout() -> None:
    try:
        distribution = importlib.metadata.distribution("arazzo-codegen")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("arazzo-codegen is not installed")
    origin = json.loads(distribution.read_text("direct_url.json") or "{}").get("url")
    if origin != ROOT.as_uri():
        pytest.skip(f"arazzo-codegen is installed from {origin}, not from this checkout")
    assert distribution.version == __version__
