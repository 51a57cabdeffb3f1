"""Problems in OpenAPI descriptions: an error when they touch an operation a workflow uses, else a warning;
free-form values (x- extensions, examples) are never searched for references; messages give the real reason
at the offending node."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.pipeline import generate_files

FLOWS = """\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
- name: api
  url: api.yaml
  type: openapi
workflows:
- workflowId: list
  steps:
  - stepId: s
    operationId: listPets
"""


def diagnose(folder: Path, files: dict[str, str]) -> tuple[bool, list[str]]:
    for name, text in {"flows.arazzo.yaml": FLOWS, **files}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    diagnostics = Diagnostics()
    files_out = generate_files(["flows.arazzo.yaml"], folder / "out", diagnostics)
    return files_out is not None, [str(item) for item in diagnostics.sorted()]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


UNUSED = " (in a part of the description that no workflow uses)"


def test_references_inside_extensions_and_examples_are_not_followed(here: Path) -> None:
    api = """\
openapi: 3.1.0
info: {title: t, version: '1'}
x-topics:
  $ref: ./topics/missing.yaml
paths:
  /pets:
    get:
      operationId: listPets
      x-ms-examples:
        first: {$ref: ./examples/missing.json}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                x-doc: {$ref: '#/nowhere'}
                examples:
                - {$ref: '#/not/a/target'}
                example: {$ref: '#/neither'}
              examples:
                one:
                  value: {$ref: '#/also/nowhere'}
"""
    ok, lines = diagnose(here, {"api.yaml": api})
    assert ok and lines == []


def test_a_property_named_like_an_extension_is_still_a_schema(here: Path) -> None:
    api = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  x-id: {$ref: '#/components/schemas/Missing'}
"""
    ok, lines = diagnose(here, {"api.yaml": api})
    assert not ok
    assert lines == [
        "api.yaml:15:32: error: invalid OpenAPI description: reference "
        "'#/components/schemas/Missing' does not resolve [openapi-ref]"
    ]


API_30 = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - name: limit
          in: query
          schema:
            type: integer
            minimum: "zero"
      responses:
        '200':
          description: ok
  /other/{id}:
    get:
      operationId: other
      responses:
        '200': {description: ok}
components:
  schemas:
    Bad:
      type: object
      properties:
        a: {type: strin}
        b: {nullable: "yes"}
"""


def test_problems_outside_used_operations_are_warnings_and_generation_goes_on(here: Path) -> None:
    fixed = API_30.replace('minimum: "zero"', "minimum: 0")
    ok, lines = diagnose(here, {"api.yaml": fixed})
    assert ok, lines
    assert lines == [
        "api.yaml:18:7: warning: invalid OpenAPI description: Path parameter 'id' for 'get' operation "
        f"in '/other/{{id}}' was not resolved{UNUSED} [openapi-valid]",
        "api.yaml:26:19: warning: invalid OpenAPI description: 'strin' is not one of "
        f"['array', 'boolean', 'integer', 'number', 'object', 'string']{UNUSED} [openapi-valid]",
        f"api.yaml:27:23: warning: invalid OpenAPI description: 'yes' is not of type 'boolean'{UNUSED} "
        "[openapi-valid]",
    ]


def test_a_problem_in_a_used_operation_is_an_error_with_the_real_reason(here: Path) -> None:
    ok, lines = diagnose(here, {"api.yaml": API_30})
    assert not ok
    # Not "'$ref' is a required property": the Schema Object branch says what is wrong, at its node.
    assert (
        "api.yaml:12:22: error: invalid OpenAPI description: 'zero' is not of type 'number' [openapi-valid]"
        in lines
    )
    assert not any("'$ref' is a required property" in line for line in lines)
    assert sum(": error: " in line for line in lines) == 1


def test_a_problem_reached_through_a_reference_is_an_error(here: Path) -> None:
    api = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pets'}
components:
  schemas:
    Pets:
      type: array
      items: {$ref: '#/components/schemas/Pet'}
    Pet:
      type: object
      required: yes
    Unused:
      type: object
      required: yes
"""
    ok, lines = diagnose(here, {"api.yaml": api})
    assert not ok
    assert lines == [
        "api.yaml:20:17: error: invalid OpenAPI description: True is not of type 'array' [openapi-valid]",
        f"api.yaml:23:17: warning: invalid OpenAPI description: True is not of type 'array'{UNUSED} "
        "[openapi-valid]",
    ]


def test_a_missing_referenced_file_is_reported_at_the_ref_that_names_it(here: Path) -> None:
    api = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'schemas.yaml#/Pet'}
  /unused:
    get:
      operationId: unused
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'gone.yaml#/Pet'}
"""
    schemas = """\
Pet:
  type: object
  properties:
    id: {$ref: 'ids.yaml#/Id'}
"""
    ok, lines = diagnose(here, {"api.yaml": api, "schemas.yaml": schemas})
    assert not ok
    assert lines == [
        f"api.yaml:21:30: warning: file not found: gone.yaml{UNUSED} [load]",
        "schemas.yaml:4:16: error: file not found: ids.yaml [load]",
    ]
    assert not any("<missing file>" in line or "operationId" in line for line in lines)


def test_a_broken_file_behind_an_unused_reference_is_a_warning(here: Path) -> None:
    api = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200': {description: ok}
  /unused:
    $ref: 'items.yaml#/Unused'
components:
  schemas:
    Unused: {$ref: 'bad.yaml#/Thing'}
"""
    ok, lines = diagnose(
        here, {"api.yaml": api, "bad.yaml": "Thing: [unclosed\n", "items.yaml": "Unused: {}\n"}
    )
    assert ok, lines
    assert len(lines) == 1 and lines[0].startswith("bad.yaml:") and ": warning: " in lines[0], lines
    assert lines[0].endswith(f"{UNUSED} [load]")


def test_an_unreadable_path_item_hides_operations_and_is_an_error(here: Path) -> None:
    api = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /pets:
    $ref: '#/components/pathItems/Pets'
"""
    ok, lines = diagnose(here, {"api.yaml": api})
    assert not ok
    assert lines[0] == (
        "api.yaml:5:11: error: invalid OpenAPI description: reference '#/components/pathItems/Pets' "
        "does not resolve [openapi-ref]"
    )


def test_a_parameter_with_an_invalid_location_is_not_asked_for(here: Path) -> None:
    api = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
      - name: limit
        in: body
        required: true
        schema: {type: integer}
      responses:
        '200': {description: ok}
"""
    ok, lines = diagnose(here, {"api.yaml": api})
    assert not ok
    assert lines == [
        "api.yaml:9:13: error: invalid OpenAPI description: 'body' is not one of "
        "['query', 'header', 'path', 'cookie'] [openapi-valid]"
    ]
