"""Replays tests/fuzz/corpus: small documents that each crashed the generator once or stand for a
class of hostile input. Each folder holds the documents and ``EXPECTED``: the outcome
(``generated`` or ``invalid``) on its first line, then text that some diagnostic must contain.
Every folder goes through ``validate`` and ``generate`` in process and through the command line:
exit status 0 or 1, no traceback, every diagnostic one ``PATH:LINE:COL: level: message [rule]`` line.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.pipeline import discover, generate_files, plan_all

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())
DIAGNOSTIC = re.compile(r"[^\n]+:\d+:\d+: (error|warning): [^\n]+ \[[a-z-]+\]")


def _expected(case: Path) -> tuple[str, list[str]]:
    outcome, *fragments = (case / "EXPECTED").read_text(encoding="utf-8").splitlines()
    assert outcome in ("generated", "invalid"), outcome
    return outcome, [f for f in fragments if f]


def _copy(case: Path, into: Path) -> Path:
    target = into / case.name
    shutil.copytree(case, target, symlinks=True)  # symlinks to devices stay symlinks
    return target


def _lines(diagnostics: Diagnostics) -> list[str]:
    lines = [str(item) for item in diagnostics.sorted()]
    for line in lines:
        assert DIAGNOSTIC.fullmatch(line) and len(line.splitlines()) == 1, repr(line)
    return lines


def test_the_corpus_is_not_empty() -> None:
    assert len(CASES) >= 20
    for case in CASES:
        _expected(case)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case_in_process(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _copy(case, tmp_path)
    outcome, fragments = _expected(case)

    validated = Diagnostics()
    plan_all(discover([case.name], validated), Path("generated"), validated)
    validate_lines = _lines(validated)

    generated = Diagnostics()
    files = generate_files([case.name], tmp_path / "out", generated)
    lines = _lines(generated)
    assert not (tmp_path / "out").exists()
    if outcome == "generated":
        assert files is not None and not generated.has_errors, lines
        assert not validated.has_errors, validate_lines
        for name, source in files.items():
            if name.endswith(".py"):
                compile(ast.parse(source, filename=name), name, "exec")
                source.encode("utf-8")  # the output is valid UTF-8
    else:
        assert files is None and generated.has_errors and validated.has_errors
    for fragment in fragments:
        assert any(fragment in line for line in lines), (fragment, lines)
        assert any(fragment in line for line in validate_lines), (fragment, validate_lines)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        errors="backslashreplace",
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_every_case_through_the_command_line(tmp_path: Path, command: str) -> None:
    """One run over all cases (a generate over all of them fails: several are invalid)."""
    for case in CASES:
        _copy(case, tmp_path)
    extra = ["-o", "pkg"] if command == "generate" else []
    done = _cli(command, *(case.name for case in CASES), *extra, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert lines and all(DIAGNOSTIC.fullmatch(line) for line in lines), done.stderr
    reported = {line.split("/", 1)[0] for line in lines}
    invalid = {case.name for case in CASES if _expected(case)[0] == "invalid"}
    assert invalid <= reported, invalid - reported
    assert not (tmp_path / "pkg").exists()


@pytest.mark.parametrize(
    "case", [c for c in CASES if _expected(c)[0] == "generated"], ids=lambda p: p.name
)
def test_valid_cases_generate_through_the_command_line(case: Path, tmp_path: Path) -> None:
    _copy(case, tmp_path)
    done = _cli("generate", case.name, "-o", "pkg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "pkg" / "__init__.py").is_file()
