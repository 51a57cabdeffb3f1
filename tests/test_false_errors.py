"""Cascades report the root cause only, and diagnostics about a value point at the value's own node."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.pipeline import generate_files
from generation import Generate

API = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
      - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        '200': {description: ok}
"""


def diagnose(folder: Path, files: dict[str, str], entry: str = "flows.arazzo.yaml") -> list[str]:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    diagnostics = Diagnostics()
    generate_files([entry], folder / "out", diagnostics)
    return [str(item) for item in diagnostics.sorted()]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_source_that_cannot_be_loaded_is_the_only_error(here: Path) -> None:
    flows = """\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
- name: primary
  url: missing.openapi.yaml
  type: openapi
workflows:
- workflowId: w
  steps:
  - stepId: plain
    operationId: getPet
  - stepId: qualified
    operationId: $sourceDescriptions.primary.getPet
  - stepId: by-path
    operationPath: '{$sourceDescriptions.primary.url}#/paths/~1pets/get'
  outputs:
    where: $sourceDescriptions.primary.url
"""
    assert diagnose(here, {"flows.arazzo.yaml": flows}) == [
        "flows.arazzo.yaml:5:8: error: file not found: missing.openapi.yaml [load]"
    ]


def test_a_broken_arazzo_source_is_the_only_error(here: Path) -> None:
    child = """\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
- {name: api, url: api.yaml, type: openapi}
workflows:
- workflowId: child
  steps: oops
"""
    flows = """\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
- {name: sub, url: child.arazzo.yaml, type: arazzo}
workflows:
- workflowId: w
  dependsOn: [child]
  steps:
  - stepId: run
    workflowId: $sourceDescriptions.sub.child
  outputs:
    out: $workflows.child.outputs.x
"""
    lines = diagnose(
        here, {"flows.arazzo.yaml": flows, "child.arazzo.yaml": child, "api.yaml": API}
    )
    assert lines and all(line.startswith("child.arazzo.yaml:") for line in lines), lines


def test_an_unreadable_path_item_does_not_make_its_operations_undefined(here: Path) -> None:
    api = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /pets/{petId}:
    $ref: 'items.yaml#/nowhere'
"""
    flows = """\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
- {name: api, url: api.yaml, type: openapi}
workflows:
- workflowId: w
  steps:
  - stepId: get
    operationId: getPet
"""
    lines = diagnose(here, {"flows.arazzo.yaml": flows, "api.yaml": api, "items.yaml": "{}\n"})
    assert lines == [
        "api.yaml:5:11: error: invalid OpenAPI description: reference 'items.yaml#/nowhere' does not "
        "resolve [openapi-ref]"
    ]


FLOWS_WITH_MISTAKES = """\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
- {name: api, url: api.yaml, type: openapi}
workflows:
- workflowId: w
  inputs:
    type: object
    properties:
      petId: {type: integer}
  steps:
  - stepId: get
    operationId: getPet
    parameters:
    - name: petId
      in: path
      value: $inputs.petID
    onFailure:
    - name: again
      type: goto
      stepId: gett
  - stepId: check
    operationId: getPet
    parameters:
    - {name: petId, in: path, value: 1}
    successCriteria:
    - context: $steps.nope.outputs.body
      condition: $.id
      type: jsonpath
"""


def test_diagnostics_about_values_point_at_the_value(here: Path) -> None:
    lines = diagnose(here, {"flows.arazzo.yaml": FLOWS_WITH_MISTAKES, "api.yaml": API})
    assert lines == [
        "flows.arazzo.yaml:17:14: error: $inputs.petID: workflow 'w' declares no input 'petID'; "
        "did you mean 'petId'? [reference]",
        "flows.arazzo.yaml:21:15: error: action 'again' names step 'gett', which workflow 'w' does not "
        "have; did you mean 'get'? [reference]",
        "flows.arazzo.yaml:27:16: error: $steps.nope: workflow 'w' has no step 'nope' [reference]",
    ]


def test_an_output_name_outside_the_rule_is_a_dialect_warning_and_still_works(
    generate: Generate,
) -> None:
    from inline import arazzo, openapi
    from loopback import Answer, Loopback

    api = openapi(
        {"/pets": {"get": {"operationId": "listPets", "responses": {"200": {"description": "ok"}}}}}
    )
    flows = arazzo(
        [
            {
                "workflowId": "list",
                "steps": [
                    {
                        "stepId": "s",
                        "operationId": "listPets",
                        "outputs": {"count": "$response.body#/n"},
                    }
                ],
                "outputs": {"Pet count!": "$steps.s.outputs.count"},
            }
        ]
    )
    gen = generate({"flows.arazzo.yaml": flows, "api.openapi.yaml": api})
    with Loopback(lambda seen: Answer(200, {"n": 3})) as server:
        result = gen.list_(client=gen.rt.Client(base_url=server.url))
    assert result.pet_count == 3

    diagnostics = Diagnostics()
    generate_files(["flows.arazzo.yaml"], Path("out2"), diagnostics)
    assert [str(d) for d in diagnostics.sorted()] == [
        "flows.arazzo.yaml:17:5: warning: output name 'Pet count!' does not match ^[a-zA-Z0-9.\\-_]+$ "
        "(a MUST of the specification); accepted as written (rename it and every reference to it) "
        "[dialect]"
    ]


def test_a_missing_inputs_file_is_reported_once_at_the_ref(here: Path) -> None:
    flows = """\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
- {name: api, url: api.yaml, type: openapi}
workflows:
- workflowId: w
  inputs:
    $ref: 'schemas/missing.yaml#/Inputs'
  steps:
  - stepId: get
    operationId: getPet
    parameters:
    - {name: petId, in: path, value: 1}
"""
    assert diagnose(here, {"flows.arazzo.yaml": flows, "api.yaml": API}) == [
        "flows.arazzo.yaml:8:11: error: file not found: schemas/missing.yaml [load]"
    ]
