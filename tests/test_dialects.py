"""Dialect spellings: each is read one way, reported as a `dialect` warning naming the canonical
spelling, and the generated code does what the canonical spelling does against a real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.diagnostics import Diagnostics
from generator.model.dialect_readings import Scope, canonical, canonical_operation_path
from generator.pipeline import discover, plan_all
from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen
from generation import Generate

API = openapi(
    {
        "/items/{id}": {
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "X-Token", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/items": {
            "post": {
                "operationId": "addItem",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"201": {"description": "created"}},
            }
        },
    }
)

BODY = {"data": {"name": "n"}, "items": [{"id": 4}, {"id": 5}]}


def _serve(seen: Seen) -> Answer:
    if seen.method == "POST":
        return Answer(201, {"echo": seen.json()}, headers={"X-Id": "new-1"})
    return Answer(200, BODY, headers={"X-Id": "abc"})


SCOPE = Scope(
    inputs=frozenset({"cfg", "plain"}),
    steps={"first": frozenset({"body", "id"}), "Search Stations_0": frozenset({"id"})},
    workflow_outputs={"w": frozenset({"result"})},
    workflow_inputs={"w": frozenset({"cfg"})},
)

# (written, canonical, a phrase of the reason)
READINGS = [
    ("$response.body.id", "$response.body#/id", "property path"),
    ("$response.body.a.b[0]", "$response.body#/a/b/0", "property path"),
    ("$response.body[2]", "$response.body#/2", "property path"),
    ("$request.body.a", "$request.body#/a", "property path"),
    ("$inputs.cfg.a.b", "$inputs.cfg#/a/b", "property path"),
    ("$inputs.cfg[0]", "$inputs.cfg#/0", "property path"),
    ("$steps.first.outputs.body.a", "$steps.first.outputs.body#/a", "property path"),
    ("$steps.first.outputs.body[1].x", "$steps.first.outputs.body#/1/x", "property path"),
    ("$workflows.w.outputs.result.a", "$workflows.w.outputs.result#/a", "property path"),
    ("$steps.first.id", "$steps.first.outputs.id", "'.outputs.'"),
    ("$steps.first.body.a", "$steps.first.outputs.body#/a", "'.outputs.'"),
    ("$steps.Search Stations_0.id", "$steps.Search Stations_0.outputs.id", "'.outputs.'"),
    ("$response.headers.X-Id", "$response.header.X-Id", "'$response.header.<name>'"),
    ("$request.headers.X-Id", "$request.header.X-Id", "'$request.header.<name>'"),
    ("$response.body#id", "$response.body#/id", "starts with '/'"),
    ("$inputs.cfg#a/b", "$inputs.cfg#/a/b", "starts with '/'"),
]

# one reading is not possible, or the spelling is already the specification's: left alone
NOT_READ = [
    "$response.body#/id",
    "$steps.first.outputs.id",
    "$inputs.undeclared.a",  # 'undeclared' is not an input: no reading
    "$steps.other.id",  # no step 'other'
    "$steps.first.nope",  # 'nope' is not an output of 'first'
    "$steps.Search Stations_0.outputs.id",
    "$response.header.X.y",  # header names may contain '.'
    "$statusCode.x",
    "$inputs.cfg",
]


@pytest.mark.parametrize(("written", "expected", "why"), READINGS, ids=[r[0] for r in READINGS])
def test_each_spelling_has_one_reading(written: str, expected: str, why: str) -> None:
    reading = canonical(written, SCOPE)
    assert reading is not None and reading.text == expected
    assert why in reading.why


@pytest.mark.parametrize("written", NOT_READ)
def test_spellings_without_a_dialect_reading_are_left_alone(written: str) -> None:
    assert canonical(written, SCOPE) is None


def test_property_paths_in_simple_conditions_are_valid_and_not_dialects() -> None:
    reading = canonical("$inputs.cfg.a", SCOPE, in_condition=True)
    assert reading is not None and reading.text == "$inputs.cfg#/a" and reading.why == ""
    reading = canonical("$response.body.data", SCOPE, in_condition=True)
    assert reading is not None and reading.text == "$response.body#/data" and reading.why == ""


@pytest.mark.parametrize(
    ("written", "sources", "expected"),
    [
        ("api#/paths/~1a/get", {"api": "api.yaml"}, "{$sourceDescriptions.api.url}#/paths/~1a/get"),
        (
            "api.yaml#/paths/~1a/get",
            {"api": "api.yaml", "b": "b.yaml"},
            "{$sourceDescriptions.api.url}#/paths/~1a/get",
        ),
        (
            "./api.yaml#/paths/~1a/get",
            {"api": "api.yaml"},
            "{$sourceDescriptions.api.url}#/paths/~1a/get",
        ),
        (
            "$sourceDescriptions.api.url#/paths/~1a/get",
            {"api": "x"},
            "{$sourceDescriptions.api.url}#/paths/~1a/get",
        ),
        ("#/paths/~1a/get", {"api": "x"}, "{$sourceDescriptions.api.url}#/paths/~1a/get"),
        (
            "$sourceDescriptions.api#/paths/~1a/get",
            {"api": "x", "b": "y"},
            "{$sourceDescriptions.api.url}#/paths/~1a/get",
        ),
        ("#/paths/~1a/get", {"api": "x", "b": "y"}, None),  # two descriptions: two readings
        ("same.yaml#/paths/~1a/get", {"a": "same.yaml", "b": "same.yaml"}, None),
        ("{$sourceDescriptions.api.url}#/paths/~1a/get", {"api": "x"}, None),
    ],
)
def test_operation_path_readings(
    written: str, sources: dict[str, str], expected: str | None
) -> None:
    reading = canonical_operation_path(written, sources)
    assert (reading.text if reading else None) == expected


DOC = """\
arazzo: 1.0.1
$schema: https://spec.openapis.org/arazzo/1.0/schema/2024-08-01
info: {title: dialects, version: '1'}
sourceDescriptions:
  - name: api
    url: api.openapi.yaml
workflows:
  - workflowId: w
    inputs:
      type: object
      properties:
        cfg: {type: object}
    steps:
      - stepId: Search Stations_0
        operationPath: api#/paths/~1items~1{id}/get
        parameters:
          - {name: id, in: path, value: $inputs.cfg.id}
          - {name: X-Token, in: header, value: 'tok-{$inputs.cfg.token}'}
        successCriteria:
          - condition: $statusCode == 200 && $response.body.data != null
          - condition: $response.body.items[1].id == 5
          - condition: $response.headers.X-Id == 'abc'
        onFailure:
          - type: end
        outputs:
          second: $response.body.items[1].id
          name: $response.body#data/name
          body: $response.body
          kind: search
          version: 2
      - stepId: add
        operationId: addItem
        requestBody:
          contentType: application/json
          payload:
            from: $steps.Search Stations_0.second
            deep: $steps.Search Stations_0.outputs.body.items[0].id
        successCriteria:
          - condition: $statusCode == 201
        outputs:
          created: $response.headers.X-Id
          echoed: $response.body.echo
    outputs:
      second: $steps.Search Stations_0.outputs.second
      name: $steps.Search Stations_0.name
      created: $steps.add.outputs.created
      echoed: $steps.add.outputs.echoed
      kind: $steps.Search Stations_0.outputs.kind
      version: $steps.Search Stations_0.outputs.version
      fixed: true
"""


def _diagnostics(tmp_path: Path, strict: bool = False) -> Diagnostics:
    diagnostics = Diagnostics(strict=strict)
    plan_all(
        discover([str(tmp_path / "flows.arazzo.yaml")], diagnostics), tmp_path / "out", diagnostics
    )
    return diagnostics


def test_dialects_warn_and_the_generated_code_reads_them_canonically(
    generate: Generate, tmp_path: Path
) -> None:
    gen = generate({"flows.arazzo.yaml": DOC, "api.openapi.yaml": API})
    with Loopback(_serve) as server:
        result = gen.w(cfg={"id": 7, "token": "t1"}, client=gen.rt.Client(base_url=server.url))
    assert server.seen[0].path == "/items/7"
    assert server.seen[0].headers["x-token"] == "tok-t1"
    assert server.seen[1].json() == {"from": 5, "deep": 4}
    assert (result.second, result.name, result.created) == (5, "n", "new-1")
    assert result.echoed == {"from": 5, "deep": 4}
    assert (result.kind, result.version, result.fixed) == ("search", 2, True)

    diagnostics = _diagnostics(tmp_path)
    assert not diagnostics.has_errors
    lines = [str(d).split(": ", 1)[1] for d in diagnostics.sorted()]
    assert all(line.endswith("[dialect]") and ": warning: " in ": " + line for line in lines), lines
    shown = "\n".join(lines)
    for written, canonical_text in [
        ("$inputs.cfg.id", "$inputs.cfg#/id"),
        ("$inputs.cfg.token", "$inputs.cfg#/token"),
        ("api#/paths/~1items~1{id}/get", "{$sourceDescriptions.api.url}#/paths/~1items~1{id}/get"),
        ("$response.headers.X-Id", "$response.header.X-Id"),
        ("$response.body.items[1].id", "$response.body#/items/1/id"),
        ("$response.body#data/name", "$response.body#/data/name"),
        ("$steps.Search Stations_0.second", "$steps.Search Stations_0.outputs.second"),
        (
            "$steps.Search Stations_0.outputs.body.items[0].id",
            "$steps.Search Stations_0.outputs.body#/items/0/id",
        ),
        ("$steps.Search Stations_0.name", "$steps.Search Stations_0.outputs.name"),
        ("$response.body.echo", "$response.body#/echo"),
    ]:
        assert f"{written!r} is not the specification's spelling" in shown
        assert f"read as {canonical_text!r}" in shown
    assert "'$schema' is not a field of an Arazzo document; ignored" in shown
    assert "an action has a required 'name'; this one is named 'onFailure-1'" in shown
    assert (
        "output 'kind' is the constant 'search', not a runtime expression; kept as a constant"
        in shown
    )
    assert "output 'fixed' is the constant True" in shown
    # valid 1.0.1: the condition operators '.' and '[n]', and a stepId with a space, are not warned about
    assert "$response.body.data" not in shown
    assert "'$response.body.items[1].id == 5'" not in shown
    # each warning is at the offending value's own node
    located = {
        d.message.split("'")[1]: (d.location.line, d.location.col) for d in diagnostics.items
    }
    assert located["$inputs.cfg.id"] == (17, 41)
    assert located["$response.body.items[1].id"] == (26, 19)


def test_strict_makes_every_dialect_warning_an_error(tmp_path: Path) -> None:
    (tmp_path / "flows.arazzo.yaml").write_text(DOC)
    (tmp_path / "api.openapi.yaml").write_text(yaml.safe_dump(API))
    diagnostics = _diagnostics(tmp_path, strict=True)
    dialect = [d for d in diagnostics.items if d.rule == "dialect"]
    assert dialect and all(d.level == "error" and d.message.endswith("(--strict)") for d in dialect)
    assert all(d.level == "error" for d in diagnostics.items)


def test_ambiguous_spellings_stay_errors(tmp_path: Path) -> None:
    doc: dict[str, Any] = arazzo(
        [
            {
                "workflowId": "w",
                "steps": [
                    {
                        "stepId": "s",
                        "operationId": "addItem",
                        "outputs": {"a": "$response.body"},
                    },
                    {
                        "stepId": "t",
                        "operationId": "addItem",
                        "requestBody": {"payload": {"x": "$steps.s.b"}},
                    },
                ],
            }
        ]
    )
    (tmp_path / "flows.arazzo.yaml").write_text(yaml.safe_dump(doc))
    (tmp_path / "api.openapi.yaml").write_text(yaml.safe_dump(API))
    diagnostics = _diagnostics(tmp_path)
    assert diagnostics.has_errors
    assert not [d for d in diagnostics.items if d.rule == "dialect"]


ODD_NAMES = """\
arazzo: 1.0.1
info: {title: odd output names, version: '1'}
sourceDescriptions:
  - {name: api, url: api.openapi.yaml}
workflows:
  - workflowId: odd
    steps:
      - stepId: get-employee
        operationId: getItem
        parameters: [{name: id, in: path, value: 1}]
        outputs:
          Employee object: $response.body
          items: $response.body#/items
    outputs:
      Employee object: $steps.get-employee.outputs.Employee object
      items[1].id: $steps.get-employee.outputs.items[1].id
"""


def test_output_names_that_break_the_pattern_are_read_as_written(
    generate: Generate, tmp_path: Path
) -> None:
    gen = generate({"flows.arazzo.yaml": ODD_NAMES, "api.openapi.yaml": API})
    with Loopback(_serve) as server:
        result = gen.odd(client=gen.rt.Client(base_url=server.url))
    assert result.employee_object == BODY
    assert result.items_1_id == 5
    diagnostics = _diagnostics(tmp_path)
    assert not diagnostics.has_errors
    shown = [str(d).removeprefix(f"{tmp_path}/") for d in diagnostics.sorted()]
    assert shown == [
        "flows.arazzo.yaml:12:11: warning: output name 'Employee object' does not match "
        "^[a-zA-Z0-9.\\-_]+$ (a MUST of the specification); accepted as written (rename it and every "
        "reference to it) [dialect]",
        "flows.arazzo.yaml:15:7: warning: output name 'Employee object' does not match "
        "^[a-zA-Z0-9.\\-_]+$ (a MUST of the specification); accepted as written (rename it and every "
        "reference to it) [dialect]",
        "flows.arazzo.yaml:16:7: warning: output name 'items[1].id' does not match "
        "^[a-zA-Z0-9.\\-_]+$ (a MUST of the specification); accepted as written (rename it and every "
        "reference to it) [dialect]",
        "flows.arazzo.yaml:16:20: warning: '$steps.get-employee.outputs.items[1].id' is not the "
        "specification's spelling (a property path after a value is written as a JSON pointer); read as "
        "'$steps.get-employee.outputs.items#/1/id' [dialect]",
    ]
