"""The Arazzo 1.1 schema's test documents: the product accepts every ``pass`` document and rejects every
``fail`` one at the structure stage, with located errors, and agrees with the published 1.1 schema.

No exception is needed today: every ``fail`` document breaks a rule the 1.1.0 text states for its
structure, so ``arazzo_rules_1_1.yaml`` rejects it (the published schema's looser or stricter spots, each
a "# schema:" note in the rules file, do not show in these documents).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from environment import ARAZZO, SHARED_PRESENT, requires_shared
from generator.diagnostics import Diagnostics
from generator.loading.positioned import load_positioned
from generator.loading.structure import check_structure

pytestmark = requires_shared

V11 = ARAZZO / "1.1"
TESTS = V11 / "schema-tests"


def _documents(kind: str) -> list[Path]:
    return sorted((TESTS / kind).glob("*.yaml")) if SHARED_PRESENT else []


def _published() -> Draft202012Validator:
    schema = yaml.safe_load((V11 / "arazzo-1.1-schema.yaml").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _check(file: Path) -> tuple[bool, Diagnostics]:
    diagnostics = Diagnostics()
    return check_structure(load_positioned(file, file.name), diagnostics), diagnostics


def test_the_corpus_is_all_there() -> None:
    assert (len(_documents("pass")), len(_documents("fail"))) == (35, 27)


@pytest.mark.parametrize("file", _documents("pass"), ids=lambda f: f.name)
def test_pass_documents_are_accepted(file: Path) -> None:
    ok, diagnostics = _check(file)
    assert ok, "\n".join(str(d) for d in diagnostics.sorted())
    assert not diagnostics.sorted()


@pytest.mark.parametrize("file", _documents("fail"), ids=lambda f: f.name)
def test_fail_documents_are_rejected_with_located_structure_errors(file: Path) -> None:
    ok, diagnostics = _check(file)
    assert not ok
    found = diagnostics.sorted()
    assert found and all(d.rule == "structure" and d.level == "error" for d in found)
    lines = len(file.read_text(encoding="utf-8").splitlines())
    assert all(d.location.path == file.name and 1 <= d.location.line <= lines for d in found)


@pytest.mark.parametrize("file", _documents("pass") + _documents("fail"), ids=lambda f: f.name)
def test_the_published_schema_agrees(file: Path) -> None:
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    assert _published().is_valid(data) == (file.parent.name == "pass") == _check(file)[0]
