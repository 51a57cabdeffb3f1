"""Structural validation: our rules accept and reject what the official Arazzo schema does, with exact,
plain-word diagnostics.

The corpus test reads the official schema and examples from ../shared at test time (they are not
shipped); without ../shared the tests comparing with the official schema are skipped (``environment``).
Snapshots: ``tests/corpus/structure/NAME.yaml`` → ``NAME.expected``, one ``str(diagnostic)`` a line (empty for a
valid document). Set ``UPDATE_STRUCTURE_SNAPSHOTS=1`` to rewrite them after an intended message change.
"""

from __future__ import annotations

import copy
import json
import os
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from environment import ARAZZO, SCHEMAS, SHARED_PRESENT, requires_shared
from generator.loading.structure import check_structure, rules, validator
from generator.diagnostics import Diagnostics
from generator.loading.positioned import Positioned, load_positioned

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "structure"
OFFICIAL = SCHEMAS / "arazzo-1.0-schema.yaml"
OFFICIAL_2024 = SCHEMAS / "arazzo-1.0-schema-2024-08-01.json"

# Documents where our rules intentionally differ from the official schema, because the specification text
# allows what the schema rejects (the contract: the text wins):
# - a Criterion's `type` given as a Criterion Expression Type Object;
# - a Payload Replacement `value` that is not a string (the text: "Any | {expression}").
EXCEPTIONS = {
    "tests/corpus/structure/expression-type-object.yaml",
    "tests/corpus/structure/replacement-literal-value.yaml",
}


def _shown(file: Path) -> str:
    try:
        return file.relative_to(ROOT).as_posix()
    except ValueError:
        return file.as_posix()


def _arazzo_specs() -> list[Path]:
    found = []
    for file in sorted((ROOT / "specs").rglob("*")):
        if file.suffix.lower() in (".yaml", ".yml", ".json") and file.is_file():
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
            if isinstance(data, dict) and "arazzo" in data:
                found.append(file)
    return found


def _corpus() -> list[Path]:
    shared: list[Path] = []
    if SHARED_PRESENT:
        shared = sorted((ARAZZO / "schema-tests").glob("*/*"))
        shared += sorted((ARAZZO / "examples").glob("*.arazzo.yaml"))
        shared += [ARAZZO / "examples" / "bnpl-arazzo.yaml"]
    return shared + _arazzo_specs() + sorted(CORPUS.glob("*.yaml"))


def _check(file: Path) -> tuple[bool, Diagnostics, Positioned]:
    doc = load_positioned(file, _shown(file))
    diagnostics = Diagnostics()
    return check_structure(doc, diagnostics), diagnostics, doc


@pytest.fixture(scope="module")
def official() -> jsonschema.Draft202012Validator:
    assert OFFICIAL.is_file(), f"the official Arazzo schema belongs at {OFFICIAL}"
    schema: Any = yaml.safe_load(OFFICIAL.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@requires_shared
@pytest.mark.parametrize("file", _corpus(), ids=_shown)
def test_same_verdict_as_the_official_schema(
    file: Path, official: jsonschema.Draft202012Validator
) -> None:
    ok, diagnostics, doc = _check(file)
    theirs = official.is_valid(doc.data)
    if _shown(file) in EXCEPTIONS:
        assert ok and not theirs, "an intended difference should still differ"
        return
    assert ok == theirs, [str(d) for d in diagnostics.sorted()]
    assert ok == (not diagnostics.items)


def test_corpus_covers_enough_rules() -> None:
    invalid = [f for f in CORPUS.glob("*.yaml") if f.with_suffix(".expected").read_text().strip()]
    assert len(invalid) >= 15
    assert len(_arazzo_specs()) >= 4
    assert {CORPUS / Path(name).name for name in EXCEPTIONS} <= set(CORPUS.glob("*.yaml"))


@pytest.mark.parametrize("file", sorted(CORPUS.glob("*.yaml")), ids=lambda f: f.stem)
def test_diagnostic_snapshot(file: Path) -> None:
    _ok, diagnostics, _doc = _check(file)
    lines = [str(d) for d in diagnostics.sorted()]
    expected_file = file.with_suffix(".expected")
    if os.environ.get("UPDATE_STRUCTURE_SNAPSHOTS"):
        expected_file.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    assert lines == expected_file.read_text(encoding="utf-8").splitlines()
    assert all(d.rule == "structure" and d.level == "error" for d in diagnostics.items)


# values and keys the mutation test plants into valid documents
_VALUES: list[Any] = [
    None, True, 0, -1, 2.5, "", "goto", "retry", "end", "jsonpath", "xpath", "simple", "xpath-30",
    "draft-goessner-dispatch-jsonpath-00", "query", "1.0.1", "openapi", "bad name", [], [1], {},
    {"type": "xpath"}, {"reference": "$components.parameters.a"}, {"name": "n", "value": 1},
    {"name": "a", "type": "goto", "stepId": "s"},
]  # fmt: skip
_KEYS = [
    "x-ext", "X-ext", "stepId", "workflowId", "operationId", "operationPath", "in", "version", "type",
    "context", "reference", "value", "name", "criteria", "retryAfter", "retryLimit", "foo", "bad key",
    "inputs", "parameters", "outputs", "replacements",
]  # fmt: skip


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    found = [(path, value)]
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value) if isinstance(value, list) else []
    )
    for key, item in items:
        found += _nodes(item, path + (key,))
    return found


def _mutate(doc: Any, rnd: random.Random) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(rnd.randint(1, 3)):
        path, node = rnd.choice(_nodes(doc))
        planted = copy.deepcopy(rnd.choice(_VALUES))
        if isinstance(node, dict) and node and rnd.random() < 0.3:
            del node[rnd.choice(list(node))]
        elif isinstance(node, dict) and rnd.random() < 0.6:
            node[rnd.choice(_KEYS)] = planted
        elif isinstance(node, list) and node and rnd.random() < 0.4:
            node.append(copy.deepcopy(node[0]) if rnd.random() < 0.5 else planted)
        elif path:
            parent = doc
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = planted
    return doc


@requires_shared
def test_mutated_documents_get_the_official_verdict(
    official: jsonschema.Draft202012Validator,
) -> None:
    """Seeded random edits of valid documents: our rules and the official schema agree on every one."""
    docs = [load_positioned(f).data for f in _corpus() if _shown(f) not in EXCEPTIONS]
    seeds = [doc for doc in docs if official.is_valid(doc)]
    rnd = random.Random(20241122)
    for _ in range(50):
        doc = _mutate(rnd.choice(seeds), rnd)
        assert validator().is_valid(doc) == official.is_valid(doc), json.dumps(doc)[:2000]


def test_rules_are_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(rules())
    assert rules()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_rules_are_our_own_file() -> None:
    """We ship our rules, not the official schema file (different text, no official $id)."""
    ours = (ROOT / "generator" / "loading" / "arazzo_rules.yaml").read_text(encoding="utf-8")
    assert "spec.openapis.org/arazzo/1.0/schema" not in ours
    if SHARED_PRESENT:
        assert ours != OFFICIAL.read_text(encoding="utf-8")


@requires_shared
def test_newer_official_iteration_is_stricter_about_retry() -> None:
    """The 2024-08-01 iteration also wants retryAfter and a target on retry actions; the YAML one is our reference."""
    assert OFFICIAL_2024.is_file(), f"the 2024-08-01 schema belongs at {OFFICIAL_2024}"
    newer = jsonschema.Draft202012Validator(json.loads(OFFICIAL_2024.read_text(encoding="utf-8")))
    older: Any = yaml.safe_load(OFFICIAL.read_text(encoding="utf-8"))
    retry_without_target = {"name": "again", "type": "retry", "retryAfter": 1}
    doc = {
        "arazzo": "1.0.1",
        "info": {"title": "t", "version": "1"},
        "sourceDescriptions": [{"name": "api", "url": "api.yaml"}],
        "workflows": [
            {
                "workflowId": "w",
                "steps": [
                    {"stepId": "s", "operationId": "op", "onFailure": [retry_without_target]}
                ],
            }
        ],
    }
    assert jsonschema.Draft202012Validator(older).is_valid(doc)
    assert not newer.is_valid(
        doc
    )  # the newer iteration wants a stepId or workflowId on every retry


def test_locations_point_at_the_offending_node(tmp_path: Path) -> None:
    file = tmp_path / "flow.arazzo.yaml"
    file.write_text(
        "arazzo: 1.0.1\n"
        "info: {title: t, version: '1'}\n"
        "sourceDescriptions: [{name: api, url: api.yaml}]\n"
        "workflows:\n"
        "  - workflowId: w\n"
        "    steps:\n"
        "      - stepId: s\n"
        "        operationId: op\n"
        "        stepid: typo\n",
        encoding="utf-8",
    )
    diagnostics = Diagnostics()
    assert not check_structure(load_positioned(file, "flow.arazzo.yaml"), diagnostics)
    assert [str(d) for d in diagnostics.items] == [
        "flow.arazzo.yaml:9:9: error: unknown field 'stepid' in step; did you mean 'stepId'?"
        " (extension fields must start with x-) [structure]"
    ]
