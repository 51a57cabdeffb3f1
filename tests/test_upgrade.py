"""`arazzo-codegen upgrade`: Arazzo 1.0.x documents rewritten as 1.1.0 in place, only what must change."""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from generator.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
HIGHLIGHT = ROOT / "specs" / "highlight"


def _diff(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.fixture
def highlight(tmp_path: Path) -> Path:
    shutil.copytree(HIGHLIGHT, tmp_path / "highlight")
    return tmp_path / "highlight" / "arazzo"


def test_highlight_changes_only_the_version_line(
    highlight: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {f.name: f.read_bytes() for f in sorted(highlight.glob("*.yml"))}
    assert main(["upgrade", str(highlight)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(before) == 2
    for name, old in before.items():
        new = (highlight / name).read_bytes()
        assert _diff(old.decode(), new.decode()) == ["-arazzo: 1.0.1", "+arazzo: 1.1.0"]
        assert old.replace(b"arazzo: 1.0.1\n", b"arazzo: 1.1.0\n", 1) == new
        assert f"{highlight / name}:1:9: rewrite arazzo '1.0.1' as '1.1.0' [upgrade]" in out
    # idempotent: the second run has nothing to do and changes nothing
    assert main(["upgrade", str(highlight)]) == 0
    assert capsys.readouterr().out == ""
    assert all((highlight / n).read_bytes().startswith(b"arazzo: 1.1.0\n") for n in before)
    assert main(["upgrade", "--check", str(highlight)]) == 0


def test_upgraded_highlight_generates_the_same_code(
    highlight: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The 1.1 Highlight documents give the committed modules, byte for byte but the document path (the
    1.1.0 reading of everything Highlight uses is the 1.0.1 one), so its end-to-end tests hold for both.
    """
    assert main(["upgrade", str(highlight)]) == 0
    monkeypatch.chdir(tmp_path)
    assert main(["generate", "highlight", "-o", "out"]) == 0
    capsys.readouterr()
    modules = sorted((tmp_path / "out").glob("highlight_*.py"))
    assert len(modules) == 2
    for module in modules:
        committed = (ROOT / "generated" / module.name).read_text(encoding="utf-8")
        assert (
            module.read_text(encoding="utf-8")
            .replace("from highlight/arazzo/", "from specs/highlight/arazzo/")
            .replace("(highlight/arazzo/", "(specs/highlight/arazzo/")
            == committed
        )


def test_check_writes_nothing_and_fails(
    highlight: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = next(highlight.glob("*.yml"))
    before = file.read_bytes()
    assert main(["upgrade", "--check", str(file)]) == 1
    assert file.read_bytes() == before
    assert (
        capsys.readouterr().out
        == f"{file}:1:9: would rewrite arazzo '1.0.1' as '1.1.0' [upgrade]\n"
    )
    assert sorted(p.name for p in highlight.iterdir()) == sorted(
        p.name for p in (HIGHLIGHT / "arazzo").iterdir()
    )  # no temporary file left beside it


DOC = """\
# a hand-written 1.0 document
arazzo: "1.0.0"   # quoted version, kept quoted
info: {title: t, version: '1'}
sourceDescriptions:
  - name: api
    url: api.yaml
workflows:
  - workflowId: w
    steps:
      - stepId: a
        operationId: getItem
        successCriteria: []   # no assertions
        outputs:
          id: $response.body#/id
      - stepId: b
        operationId: getItem
        successCriteria:
          - condition: $statusCode == 200
"""


def test_empty_success_criteria_removed_comments_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "doc.arazzo.yaml"
    file.write_text(DOC)
    assert main(["upgrade", str(file)]) == 0
    after = file.read_text()
    assert _diff(DOC, after) == [
        '-arazzo: "1.0.0"   # quoted version, kept quoted',
        '+arazzo: "1.1.0"   # quoted version, kept quoted',
        "-        successCriteria: []   # no assertions",
    ]
    out = capsys.readouterr().out
    assert (
        f"{file}:12:9: remove the empty successCriteria (1.1 requires at least one) [upgrade]"
        in out
    )
    assert main(["upgrade", str(file)]) == 0  # idempotent
    assert file.read_text() == after


def test_json_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = yaml.safe_load(DOC)
    text = json.dumps(data, indent=2) + "\n"
    file = tmp_path / "doc.arazzo.json"
    file.write_text(text)
    assert main(["upgrade", str(file)]) == 0
    after = file.read_text()
    assert json.loads(after) == {
        **data,
        "arazzo": "1.1.0",
        "workflows": [
            {
                **data["workflows"][0],
                "steps": [
                    {
                        k: v
                        for k, v in data["workflows"][0]["steps"][0].items()
                        if k != "successCriteria"
                    },
                    data["workflows"][0]["steps"][1],
                ],
            }
        ],
    }
    assert _diff(text, after) == [
        '-  "arazzo": "1.0.0",',
        '+  "arazzo": "1.1.0",',
        '-          "successCriteria": [],',
    ]
    assert "1:" in capsys.readouterr().out


PERSON = """\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - name: my.api
    url: api.yaml
workflows:
  - workflowId: w
    steps:
      - stepId: step.one
        operationId: getItem
        parameters:
          - name: filter
            in: query
            value: {context: a, selector: b, type: c}
        requestBody:
          contentType: text/plain
          payload: hello
          replacements:
            - target: /x
              value: 1
        successCriteria:
          - context: $response.body
            condition: '^{$inputs.x}$'
            type: regex
        outputs:
          odd: $response.body#/a{b}
          first item: $response.body#/0
    inputs:
      type: object
      properties:
        first name: {type: string}
  - workflowId: forward
    steps:
      - stepId: c
        operationId: getItem
        parameters: [{name: id, in: path, value: $steps.d.outputs.id}]
      - stepId: d
        operationId: getItem
  - workflowId: ordered
    steps:
      - stepId: c
        operationId: getItem
        dependsOn: [d]
        parameters: [{name: id, in: path, value: "{$steps.d.outputs.id}"}]
      - stepId: d
        operationId: getItem
"""


def test_needs_a_person(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "doc.arazzo.yaml"
    file.write_text(PERSON)
    assert main(["upgrade", str(file)]) == 1  # manual fixes remain
    assert file.read_text() == PERSON.replace("arazzo: 1.0.1", "arazzo: 1.1.0", 1)
    lines = capsys.readouterr().out.splitlines()
    notes = [line for line in lines if ": needs a person: " in line]
    assert all(line.endswith("[upgrade]") for line in lines)
    assert [n.split(": needs a person:")[0] for n in notes] == [
        f"{file}:4:11",  # source name with a dot
        f"{file}:9:17",  # stepId with a dot
        f"{file}:14:20",  # a literal that 1.1 reads as a Selector Object
        f"{file}:19:23",  # replacement target in a text/plain payload
        f"{file}:23:24",  # {$...} in a regex condition
        f"{file}:26:16",  # an output whose pointer holds a brace
        f"{file}:27:11",  # an output name with a space
        f"{file}:31:9",  # an input name with a space
        f"{file}:36:50",  # a forward reference without dependsOn
    ]
    assert "rename 'my.api'" in notes[0] and "rename 'step.one'" in notes[1]
    assert "Selector Object" in notes[2] and "targetSelectorType" in notes[3]
    assert "substitutes" in notes[4] and "'{' or '}'" in notes[5]
    assert "rename 'first item'" in notes[6] and "rename 'first name'" in notes[7]
    assert "outputs of step 'd', placed after this one" in notes[8]
    # the version is already rewritten; the notes stay until a person acts
    assert main(["upgrade", str(file)]) == 0
    assert capsys.readouterr().out == ""


def test_one_point_one_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "doc.arazzo.yaml"
    text = PERSON.replace("1.0.1", "1.1.0")
    file.write_text(text)
    assert main(["upgrade", "--check", str(file)]) == 0
    assert main(["upgrade", str(file)]) == 0
    assert file.read_text() == text
    assert capsys.readouterr().out == ""


def test_all_or_nothing_and_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.arazzo.yaml"
    good.write_text(DOC)
    bad = tmp_path / "bad.arazzo.yaml"
    bad.write_text("arazzo: 1.0.1\ninfo: [unclosed\n")
    assert main(["upgrade", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{bad}:") and ": error: " in err and "[load]" in err
    assert "Traceback" not in err
    assert good.read_text() == DOC  # nothing written
    missing = tmp_path / "missing.yaml"
    assert main(["upgrade", str(good), str(missing)]) == 1
    assert f"{missing}:1:1: error: no such file or folder" in capsys.readouterr().err
    assert good.read_text() == DOC
    other = tmp_path / "other.arazzo.yaml"
    other.write_text("arazzo: 2.0.0\ninfo: {title: t, version: '1'}\n")
    assert main(["upgrade", str(other)]) == 1
    assert f"{other}:1:9: error: cannot upgrade Arazzo '2.0.0'" in capsys.readouterr().err
    binary = tmp_path / "binary.arazzo.yaml"
    binary.write_bytes(b"arazzo: 1.0.1\ninfo: \xff\n")
    assert main(["upgrade", str(binary)]) == 1
    assert capsys.readouterr().err.startswith(f"{binary}:1:1: error: not UTF-8 text")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.arazzo.yaml",
        "binary.arazzo.yaml",
        "good.arazzo.yaml",
        "other.arazzo.yaml",
    ]


def test_usage_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["upgrade"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["upgrade", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--check" in out and "1.1.0" in out


FORM = """\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml}]
workflows:
  - workflowId: w
    steps:
      - stepId: form
        operationId: postForm
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload: {a: 1, b: 2}
          replacements:
            # the pointer reading of 1.0, made explicit
            - target: /a
              value: $inputs.a
            - {target: /b, value: 3}
      - stepId: json
        operationId: postJson
        requestBody:
          contentType: application/json
          payload: {a: 1}
          replacements:
            - target: /a
              value: 2
      - stepId: xml
        operationId: postXml
        requestBody:
          contentType: application/xml
          payload: <a>1</a>
          replacements:
            - target: /a
              value: 2
"""


def test_replacement_target_reading_made_explicit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "form.arazzo.yaml"
    file.write_text(FORM)
    assert main(["upgrade", str(file)]) == 0
    after = file.read_text()
    assert _diff(FORM, after) == [
        "-arazzo: 1.0.1",
        "+arazzo: 1.1.0",
        "-            - target: /a",
        "+            - targetSelectorType: jsonpointer",
        "+              target: /a",
        "-            - {target: /b, value: 3}",
        "+            - {targetSelectorType: jsonpointer, target: /b, value: 3}",
    ]
    out = capsys.readouterr().out
    assert f"{file}:14:15: add targetSelectorType: jsonpointer" in out
    assert out.count("targetSelectorType") == 2  # JSON and XML payloads: 1.1's default reading
    assert main(["upgrade", "--check", str(file)]) == 0


def test_a_failed_rename_restores_the_files_already_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.arazzo.yaml", tmp_path / "b.arazzo.yaml"
    first.write_text(DOC)
    second.write_text(DOC)
    real_replace = os.replace
    calls: list[str] = []

    def replace(source: str, target: Path) -> None:
        calls.append(str(target))
        if Path(target) == second and len(calls) == 2:
            raise PermissionError(13, "Permission denied")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    assert main(["upgrade", str(tmp_path)]) == 1
    assert "cannot write" in capsys.readouterr().err
    assert first.read_text() == DOC and second.read_text() == DOC
    assert calls[:2] == [str(first), str(second)] and str(first) in calls[2:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.arazzo.yaml", "b.arazzo.yaml"]


def test_a_change_the_text_cannot_take_is_left_to_a_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nworkflows:\n  - workflowId: w\n"
        "    steps:\n      - {stepId: a, operationId: x, successCriteria: []}\n"
    )
    file = tmp_path / "flow.arazzo.yaml"
    file.write_text(text)
    assert main(["upgrade", str(file)]) == 1
    assert file.read_text() == text.replace("1.0.1", "1.1.0")
    assert capsys.readouterr().out.splitlines() == [
        f"{file}:1:9: rewrite arazzo '1.0.1' as '1.1.0' [upgrade]",
        f"{file}:6:37: needs a person: remove this empty successCriteria (a member that is not alone on one line)"
        " [upgrade]",
    ]
