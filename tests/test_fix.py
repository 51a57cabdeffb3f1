"""`arazzo-codegen fix`: dialect spellings rewritten in place, everything else kept byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from generator.cli.main import main
from inline import openapi

API = openapi(
    {
        "/items/{id}": {
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
)

BEFORE = """\
# A document written by hand: comments, odd quoting and layout stay as they are.
arazzo: 1.0.1
$schema: https://spec.openapis.org/arazzo/1.0/schema/2024-08-01
info: {title: "fix me", version: '1'}   # flow mapping
sourceDescriptions:
  - name: api
    url: api.openapi.yaml
workflows:
  - workflowId: w   # the one workflow
    inputs:
      type: object
      properties:
        cfg: {type: object}
    steps:
      - stepId: first
        operationPath: api#/paths/~1items~1{id}/get     # plain, needs quotes once rewritten
        parameters:
          - {name: id, in: path, value: $inputs.cfg.id}  # flow mapping, plain
        successCriteria:
          - condition: "$statusCode == 200 && $response.headers.X-Id != null"  # double-quoted
          - condition: '$response.body#ok == true'  # single-quoted
          - context: $response.body
            condition: |
              $response.headers.X-Id == 'a' || $statusCode == 200
        onFailure:
          - type: end
            # a comment inside the action
        outputs:
          id: $response.body.items[0].id
          ok: >-
            $response.body#ok
      - stepId: second
        operationId: getItem
        parameters:
          - name: id
            in: path
            value: "{$steps.first.id}"
    outputs:
      id: $steps.first.id    # bare step output
"""

AFTER = """\
# A document written by hand: comments, odd quoting and layout stay as they are.
arazzo: 1.0.1
info: {title: "fix me", version: '1'}   # flow mapping
sourceDescriptions:
  - name: api
    url: api.openapi.yaml
workflows:
  - workflowId: w   # the one workflow
    inputs:
      type: object
      properties:
        cfg: {type: object}
    steps:
      - stepId: first
        operationPath: '{$sourceDescriptions.api.url}#/paths/~1items~1{id}/get'     # plain, needs quotes once rewritten
        parameters:
          - {name: id, in: path, value: $inputs.cfg#/id}  # flow mapping, plain
        successCriteria:
          - condition: "$statusCode == 200 && $response.header.X-Id != null"  # double-quoted
          - condition: '$response.body#/ok == true'  # single-quoted
          - context: $response.body
            condition: |
              $response.header.X-Id == 'a' || $statusCode == 200
        onFailure:
          - name: onFailure-1
            type: end
            # a comment inside the action
        outputs:
          id: $response.body#/items/0/id
          ok: >-
            $response.body#/ok
      - stepId: second
        operationId: getItem
        parameters:
          - name: id
            in: path
            value: "{$steps.first.outputs.id}"
    outputs:
      id: $steps.first.outputs.id    # bare step output
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "api.openapi.yaml").write_text(yaml.safe_dump(API))
    return tmp_path


def test_fix_rewrites_only_the_dialect_spellings_byte_for_byte(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "flows.arazzo.yaml").write_text(BEFORE)
    assert main(["fix", "flows.arazzo.yaml"]) == 0
    assert (folder / "flows.arazzo.yaml").read_text() == AFTER
    out = capsys.readouterr().out
    assert "flows.arazzo.yaml:3:1: remove '$schema' [dialect]" in out
    assert "rewrite '$inputs.cfg.id' as '$inputs.cfg#/id' [dialect]" in out
    # idempotent: nothing is left, and a second run changes nothing
    assert main(["fix", "flows.arazzo.yaml"]) == 0
    assert (folder / "flows.arazzo.yaml").read_text() == AFTER
    assert main(["fix", "--check", "flows.arazzo.yaml"]) == 0
    assert main(["validate", "--strict", "flows.arazzo.yaml"]) == 0


def test_check_lists_what_would_change_and_changes_nothing(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "flows.arazzo.yaml").write_text(BEFORE)
    assert main(["fix", "--check", "flows.arazzo.yaml"]) == 1
    assert (folder / "flows.arazzo.yaml").read_text() == BEFORE
    out = capsys.readouterr().out
    assert (
        "flows.arazzo.yaml:16:24: would rewrite 'api#/paths/~1items~1{id}/get' as "
        "'{$sourceDescriptions.api.url}#/paths/~1items~1{id}/get' [dialect]"
    ) in out
    assert "flows.arazzo.yaml:26:13: would add name: onFailure-1 [dialect]" in out
    assert len(out.splitlines()) == 11


def test_strict_refuses_what_plain_validate_accepts(folder: Path) -> None:
    (folder / "flows.arazzo.yaml").write_text(BEFORE)
    assert main(["validate", "flows.arazzo.yaml"]) == 0
    assert main(["validate", "--strict", "flows.arazzo.yaml"]) == 1
    assert main(["generate", "--strict", "flows.arazzo.yaml", "-o", "out"]) == 1
    assert not (folder / "out").exists()
    assert main(["generate", "flows.arazzo.yaml", "-o", "out"]) == 0


def test_json_documents_keep_their_layout(folder: Path) -> None:
    doc = {
        "$schema": "https://spec.openapis.org/arazzo/1.0/schema/2024-08-01",
        "arazzo": "1.0.1",
        "info": {"title": "json", "version": "1"},
        "sourceDescriptions": [{"name": "api", "url": "api.openapi.yaml"}],
        "workflows": [
            {
                "workflowId": "w",
                "steps": [
                    {
                        "stepId": "s",
                        "operationPath": "api.openapi.yaml#/paths/~1items~1{id}/get",
                        "parameters": [{"name": "id", "in": "path", "value": 3}],
                        "onSuccess": [{"type": "end"}],
                        "outputs": {"id": "$response.body.id"},
                    }
                ],
                "outputs": {"id": "$steps.s.id"},
            }
        ],
    }
    text = json.dumps(doc, indent=2) + "\n"
    (folder / "flows.arazzo.json").write_text(text)
    assert main(["fix", "flows.arazzo.json"]) == 0
    expected = (
        text.replace('  "$schema": "https://spec.openapis.org/arazzo/1.0/schema/2024-08-01",\n', "")
        .replace('"api.openapi.yaml#/paths', '"{$sourceDescriptions.api.url}#/paths')
        .replace('"$response.body.id"', '"$response.body#/id"')
        .replace('"$steps.s.id"', '"$steps.s.outputs.id"')
        .replace('"type": "end"', '"name": "onSuccess-1", "type": "end"')
    )
    assert (folder / "flows.arazzo.json").read_text() == expected
    assert json.loads(expected)["arazzo"] == "1.0.1"
    assert main(["fix", "--check", "flows.arazzo.json"]) == 0


def test_a_constant_output_needs_a_person(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BEFORE.replace(
        "      id: $steps.first.id    # bare step output\n", "      kind: search\n"
    )
    (folder / "flows.arazzo.yaml").write_text(text)
    assert main(["fix", "flows.arazzo.yaml"]) == 1  # something is left that needs a person
    out = capsys.readouterr().out
    assert "needs a person: output 'kind' is the constant 'search'" in out
    fixed = (folder / "flows.arazzo.yaml").read_text()
    assert fixed == AFTER.replace(
        "      id: $steps.first.outputs.id    # bare step output\n", "      kind: search\n"
    )
    assert main(["fix", "--check", "flows.arazzo.yaml"]) == 1


def test_nothing_to_fix_and_invalid_input(folder: Path) -> None:
    (folder / "flows.arazzo.yaml").write_text(AFTER)
    assert main(["fix", "--check", "flows.arazzo.yaml"]) == 0
    assert main(["fix", "flows.arazzo.yaml"]) == 0
    broken = AFTER.replace("operationId: getItem", "operationId: nope")
    (folder / "flows.arazzo.yaml").write_text(broken)
    assert main(["fix", "flows.arazzo.yaml"]) == 1  # errors remain
    assert (folder / "flows.arazzo.yaml").read_text() == broken


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("value: $inputs.cfg.id", "value: $inputs.cfg#/id"),
        ("value: '$inputs.cfg.id'", "value: '$inputs.cfg#/id'"),
        ('value: "$inputs.cfg.id"', 'value: "$inputs.cfg#/id"'),
        ("value: 'it''s {$inputs.cfg.id}'", "value: 'it''s {$inputs.cfg#/id}'"),
        ('value: "tab\\t{$inputs.cfg.id}"', 'value: "tab\\t{$inputs.cfg#/id}"'),
        ("value: |-\n              {$inputs.cfg.id}", "value: |-\n              {$inputs.cfg#/id}"),
        (
            "value: >-\n              x {$inputs.cfg.id}",
            "value: >-\n              x {$inputs.cfg#/id}",
        ),
        # rewritten text that a plain scalar cannot hold is quoted for the scalar alone
        ("value: x {$inputs.cfg.id}", "value: x {$inputs.cfg#/id}"),
    ],
)
def test_each_scalar_style_stays_valid(folder: Path, written: str, expected: str) -> None:
    def doc(value: str) -> str:
        return AFTER.replace(
            '          - name: id\n            in: path\n            value: "{$steps.first.outputs.id}"',
            "          - name: id\n            in: path\n            " + value,
        )

    (folder / "flows.arazzo.yaml").write_text(doc(written))
    assert main(["fix", "flows.arazzo.yaml"]) == 0
    assert (folder / "flows.arazzo.yaml").read_text() == doc(expected)
