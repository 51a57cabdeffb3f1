"""Snapshot corpus: each invalid document with the exact diagnostics `validate` prints for it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.pipeline import discover, plan_all

CORPUS = Path(__file__).resolve().parent / "corpus" / "references"
DOCUMENTS = sorted(p.name for p in CORPUS.glob("*.arazzo.yaml"))


def diagnostics_for(name: str) -> list[str]:
    here = Path.cwd()
    os.chdir(CORPUS)
    try:
        diagnostics = Diagnostics()
        plan_all(discover([name], diagnostics), CORPUS / "generated", diagnostics)
    finally:
        os.chdir(here)
    return [str(item) for item in diagnostics.sorted()]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_exact_diagnostics(name: str) -> None:
    expected = (
        (CORPUS / name.replace(".arazzo.yaml", ".expected"))
        .read_text(encoding="utf-8")
        .splitlines()
    )
    assert diagnostics_for(name) == expected


def test_corpus_covers_every_rule() -> None:
    rules = set()
    for name in DOCUMENTS:
        for line in (CORPUS / name.replace(".arazzo.yaml", ".expected")).read_text().splitlines():
            rules.add(line.rsplit("[", 1)[1].rstrip("]"))
    assert {
        "reference",
        "expression",
        "duplicate",
        "cycle",
        "required-parameter",
        "undeclared-parameter",
        "request-body",
        "response-pointer",
        "status-code",
        "remote-source",
        "load",
        "openapi-valid",
    } <= rules
    assert len(DOCUMENTS) >= 25
