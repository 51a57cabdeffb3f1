"""A fresh clone with nothing beside it passes: what the tests read from outside the clone comes from
``environment`` only, and without it they skip with a reason instead of failing or erroring."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


import environment
from environment import ROOT, SHARED_REASON, requires_tool

TESTS = ROOT / "tests"

#: A path into ``../shared`` built by hand: ``/ "shared"``, ``"../shared"``, ``parents[N] / "shared"``.
_SHARED_PATH = re.compile(r"""/\s*["']shared["']|["']\.\./shared\b""")


def _test_sources() -> list[Path]:
    """Every test module and helper but ``environment`` and this module (which check it)."""
    own = {TESTS / "environment.py", Path(__file__).resolve()}
    return [p for p in sorted(TESTS.rglob("*.py")) if p not in own]


def test_only_the_environment_module_locates_shared() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _test_sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _SHARED_PATH.search(line)
    ]
    assert offenders == [], "take ../shared paths from tests/environment.py"


def _files_reading_shared() -> list[str]:
    return [
        path.relative_to(ROOT).as_posix()
        for path in _test_sources()
        if path.name.startswith("test_") and "requires_shared" in path.read_text(encoding="utf-8")
    ]


def test_without_shared_the_tests_that_read_it_skip_with_the_reason(tmp_path: Path) -> None:
    files = _files_reading_shared()
    assert {"tests/test_structure.py", "tests/test_official_examples.py"} <= set(files)
    # the fuzz pool shrinks without the official examples; its sanity check must hold anyway
    targets = files + ["tests/test_robustness.py::test_bundles_are_valid_to_start_with"]
    env = dict(os.environ, ARAZZO_CODEGEN_SHARED=str(tmp_path / "nothing-here"))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         f"--basetemp={tmp_path / 'inner'}", *targets],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    summary = done.stdout.strip().splitlines()[-1]
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    counts = dict((word, int(n)) for n, word in re.findall(r"(\d+) (\w+)", summary))
    assert counts.get("skipped", 0) >= 50 and counts.get("passed", 0) >= 1, summary
    assert not {"failed", "error", "errors"} & set(counts), summary
    reasons = re.findall(r"^SKIPPED \[\d+\] [^:]+:\d+: (.*)$", done.stdout, re.MULTILINE)
    assert reasons and set(reasons) == {SHARED_REASON}, reasons


def test_shared_is_beside_the_project_by_default() -> None:
    if "ARAZZO_CODEGEN_SHARED" not in os.environ:
        assert environment.SHARED == ROOT.parent / "shared"
    assert environment.EXAMPLES == environment.SHARED / "arazzo" / "examples"
    assert environment.SHARED_PRESENT == environment.SHARED.is_dir()


def test_a_missing_program_skips_naming_its_package() -> None:
    missing = requires_tool("arazzo-codegen-no-such-program", "no-such-package")
    present = requires_tool(sys.executable, "python3")
    [missing_condition] = missing.mark.args
    [present_condition] = present.mark.args
    assert missing_condition is True and present_condition is False
    assert missing.mark.kwargs["reason"] == (
        "'arazzo-codegen-no-such-program' is not on PATH (install the no-such-package package)"
    )
