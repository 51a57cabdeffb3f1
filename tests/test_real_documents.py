"""benchmarks/real_documents.py: statuses, limits, the report and --json/--compare on a small folder."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import real_documents  # noqa: E402

OPENAPI = """\
openapi: 3.1.0
info: {title: t, version: '1'}
servers: [{url: 'http://127.0.0.1:9'}]
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {name: {type: string}}}
"""

ARAZZO = """\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: api, url: ../api.openapi.yaml, type: openapi}
workflows:
  - workflowId: get-item
    inputs: {type: object, properties: {id: {type: string}}}
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: $inputs.id}
        outputs:
          name: {output}
    outputs:
      name: $steps.get.outputs.name
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "repo-a" / "flows").mkdir(parents=True)
    (tmp_path / "repo-b").mkdir()
    (tmp_path / "repo-a" / "api.openapi.yaml").write_text(OPENAPI)
    (tmp_path / "repo-a" / "flows" / "good.arazzo.yaml").write_text(
        ARAZZO.replace("{output}", "$response.body#/name")
    )
    (tmp_path / "repo-a" / "flows" / "dotted.arazzo.yaml").write_text(
        ARAZZO.replace("{output}", "$statusCode.name")  # no reading at all, not even a dialect one
    )
    (tmp_path / "repo-b" / "api.openapi.yaml").write_text(OPENAPI)
    (tmp_path / "repo-b" / "missing.arazzo.yaml").write_text(
        ARAZZO.replace("../api.openapi.yaml", "nowhere.yaml").replace(
            "{output}", "$response.body#/name"
        )
    )
    return tmp_path


def test_statuses_and_diagnostics(folder: Path) -> None:
    documents = real_documents.find_documents(folder)
    assert documents == [
        "repo-a/flows/dotted.arazzo.yaml",
        "repo-a/flows/good.arazzo.yaml",
        "repo-b/missing.arazzo.yaml",
    ]
    results = real_documents.run_all(folder, documents, 2, 60, True, 2048)
    assert {d: r["status"] for d, r in results.items()} == {
        "repo-a/flows/dotted.arazzo.yaml": "invalid",
        "repo-a/flows/good.arazzo.yaml": "valid",
        "repo-b/missing.arazzo.yaml": "invalid",
    }
    dotted = results["repo-a/flows/dotted.arazzo.yaml"]["diagnostics"]
    assert [(d["rule"], d["location"]) for d in dotted if d["level"] == "error"] == [
        ("expression", "repo-a/flows/dotted.arazzo.yaml:14:17")
    ]
    missing = results["repo-b/missing.arazzo.yaml"]["diagnostics"]
    assert [d["rule"] for d in missing if d["level"] == "error"] == ["load"]


def _slow_or_broken(document: str, render: bool) -> real_documents.Result:
    if "good" in document:
        time.sleep(30)
    if "dotted" in document:
        os._exit(3)
    raise KeyError("boom")


def test_timeouts_dead_workers_and_exceptions_are_counted(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = real_documents.find_documents(folder)
    monkeypatch.setattr(real_documents, "check", _slow_or_broken)  # inherited by forked workers
    started = time.monotonic()
    results = real_documents.run_all(folder, documents, 1, 2, False, 2048)
    assert time.monotonic() - started < 20
    assert {d: (r["status"], r["crash"]["type"]) for d, r in results.items()} == {
        "repo-a/flows/dotted.arazzo.yaml": ("crash", "WorkerDied"),
        "repo-a/flows/good.arazzo.yaml": ("timeout", "Timeout"),
        "repo-b/missing.arazzo.yaml": ("crash", "WorkerDied"),
    }


def test_a_generator_exception_is_a_crash_with_its_frame(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.pipeline

    def explode(*args: object, **kwargs: object) -> None:
        raise RecursionError("too deep")

    monkeypatch.setattr(generator.pipeline, "plan_all", explode)
    monkeypatch.chdir(folder)
    result = real_documents.check("repo-a/flows/good.arazzo.yaml", False)
    assert result["status"] == "crash"
    assert result["crash"]["type"] == "RecursionError"
    assert "explode" in result["crash"]["where"]


def test_report_json_and_compare(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tmp_path / "before.json"
    assert real_documents.main([str(folder), "--json", str(before), "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "documents: 3" in out
    assert "valid (would generate): 1 (33.3 %)" in out
    assert "crash (traceback): 0" in out
    assert "     2     1  repo-a" in out
    assert "[expression] output '…': unexpected '…' after $…" in out
    assert "e.g. repo-a/flows/dotted.arazzo.yaml:14:17:" in out
    saved = json.loads(before.read_text())
    assert saved["documents"]["repo-a/flows/good.arazzo.yaml"]["status"] == "valid"

    (folder / "repo-a" / "flows" / "dotted.arazzo.yaml").write_text(
        ARAZZO.replace("{output}", "$response.body#/name")
    )
    assert real_documents.main([str(folder), "--compare", str(before)]) == 0
    out = capsys.readouterr().out
    assert "valid: 1 -> 2" in out
    assert "invalid -> valid: 1" in out


def test_normalise() -> None:
    assert (
        real_documents.normalise(
            "$steps.a.outputs.b: step 'a' declares no output 'b.c' (at character 12) in x/1.0/y.yaml"
        )
        == "$…: step '…' declares no output '…' (at character N) in FILE"
    )


def test_a_file_name_with_brackets_is_the_document_not_a_pattern(folder: Path) -> None:
    (folder / "repo-a" / "flows" / "good.arazzo.yaml").rename(
        folder / "repo-a" / "flows" / "[v2]good.arazzo.yaml"
    )
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.chdir(folder)
    try:
        result = real_documents.check("repo-a/flows/[v2]good.arazzo.yaml", False)
    finally:
        monkeypatch.undo()
    assert result["status"] == "valid", result["diagnostics"]
