"""Problems found on public Arazzo documents (issue 8): dialect spellings of what steps name, inputs
declared through allOf/$ref, percent-encoded source urls, the local-copy fallback, and a helpful message for
source urls written relative to the repository root."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.model.dialect_targets import canonical_prefix, canonical_target, qualified_operation
from generator.diagnostics import Diagnostics
from generator.pipeline import generate_files
from inline import openapi
from loopback import Answer, Loopback, Seen
from generation import Generate

API = openapi(
    {
        "/items/{id}": {
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "X-User", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/dotted": {
            "get": {"operationId": "api.dotted", "responses": {"200": {"description": "ok"}}}
        },
    }
)


def _serve(seen: Seen) -> Answer:
    return Answer(200, {"path": seen.path, "user": seen.headers.get("x-user")})


def diagnose(folder: Path, entry: str) -> list[str]:
    diagnostics = Diagnostics()
    generate_files([entry], folder / "out", diagnostics)
    return [str(item) for item in diagnostics.sorted()]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(folder: Path, files: dict[str, Any]) -> None:
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        )


# -- dialect spellings of step targets ----------------------------------------------------------------

CHILD = """\
arazzo: 1.0.1
info: {title: child, version: '1'}
sourceDescriptions:
  - {name: api, url: api.openapi.yaml}
workflows:
  - workflowId: fetch
    inputs: {type: object, properties: {id: {type: integer}}}
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: $inputs.id}]
        outputs: {path: $response.body#/path}
    outputs: {path: $steps.get.outputs.path}
"""

PARENT = """\
arazzo: 1.0.1
info: {title: targets, version: '1'}
sourceDescriptions:
  - {name: api, url: api.openapi.yaml, type: openapi}
  - {name: kids, url: child.yaml, type: arazzo}
workflows:
  - workflowId: first
    steps:
      - stepId: one
        operationId: api.getItem
        parameters: [{name: id, in: path, value: 1}]
        outputs: {path: $response.body#/path}
    outputs: {path: $steps.one.outputs.path}
  - workflowId: second
    inputs: {type: object, properties: {id: {type: integer}}}
    dependsOn: [first, $sourceDescription.kids.fetch]
    steps:
      - stepId: two
        workflowId: $sourceDescriptions.kids.workflows.fetch
        parameters: [{name: id, value: 2}]
        outputs: {path: $outputs.path}
      - stepId: three
        operationId: $sourceDescription.api.getItem
        parameters:
          - {name: id, in: path, value: 3}
          - {name: X-User, in: header, value: $workflow.first.outputs.path}
      - stepId: dotted
        operationId: api.dotted
    outputs:
      path: $steps.two.outputs.path
      earlier: $workflow.first.outputs.path
"""

EXPECTED_WARNINGS = [
    "flows.arazzo.yaml:10:22: warning: 'api.getItem' is not the specification's spelling (an operationId "
    "of a named source is written '$sourceDescriptions.<name>.<operationId>'); read as "
    "'$sourceDescriptions.api.getItem' [dialect]",
    "flows.arazzo.yaml:16:24: warning: '$sourceDescription.kids.fetch' is not the specification's "
    "spelling (a source description is named '$sourceDescriptions.<name>'); read as "
    "'$sourceDescriptions.kids.fetch' [dialect]",
    "flows.arazzo.yaml:19:21: warning: '$sourceDescriptions.kids.workflows.fetch' is not the "
    "specification's spelling (a workflow of a source is named '$sourceDescriptions.<name>.<workflowId>'); "
    "read as '$sourceDescriptions.kids.fetch' [dialect]",
    "flows.arazzo.yaml:23:22: warning: '$sourceDescription.api.getItem' is not the specification's "
    "spelling (a source description is named '$sourceDescriptions.<name>'); read as "
    "'$sourceDescriptions.api.getItem' [dialect]",
    "flows.arazzo.yaml:26:47: warning: '$workflow.first.outputs.path' is not the specification's "
    "spelling (workflows are read with '$workflows.<workflowId>'); read as "
    "'$workflows.first.outputs.path' [dialect]",
    "flows.arazzo.yaml:31:16: warning: '$workflow.first.outputs.path' is not the specification's "
    "spelling (workflows are read with '$workflows.<workflowId>'); read as "
    "'$workflows.first.outputs.path' [dialect]",
]


def test_target_spellings_run_as_their_canonical_reading(generate: Generate, here: Path) -> None:
    files = {"flows.arazzo.yaml": PARENT, "child.yaml": CHILD, "api.openapi.yaml": API}
    gen = generate(files, entry="flows.arazzo.yaml")
    with Loopback(_serve) as server:
        result = gen.second(id=5, client=gen.rt.Client(base_url=server.url))
    # dependsOn: first, then the child's fetch (its id matched by name); then the steps
    assert [s.path for s in server.seen] == [
        "/items/1",
        "/items/5",
        "/items/2",
        "/items/3",
        "/dotted",
    ]
    assert server.seen[3].headers["x-user"] == "/items/1"  # $workflow.first.outputs.path
    assert (result.path, result.earlier) == ("/items/2", "/items/1")
    assert diagnose(here, "flows.arazzo.yaml") == EXPECTED_WARNINGS


def test_fix_rewrites_target_spellings(here: Path) -> None:
    _write(here, {"flows.arazzo.yaml": PARENT, "child.yaml": CHILD, "api.openapi.yaml": API})
    result = subprocess.run(
        [sys.executable, "-m", "generator", "fix", "flows.arazzo.yaml"],
        cwd=here,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    fixed = (here / "flows.arazzo.yaml").read_text()
    assert fixed == (
        PARENT.replace("operationId: api.getItem", "operationId: $sourceDescriptions.api.getItem")
        .replace("$sourceDescription.", "$sourceDescriptions.")
        .replace("kids.workflows.fetch", "kids.fetch")
        .replace("$workflow.", "$workflows.")
    )
    assert diagnose(here, "flows.arazzo.yaml") == []


@pytest.mark.parametrize(
    ("text", "sources", "expected"),
    [
        ("$sourceDescriptions.kids.workflows.fetch", {"kids"}, "$sourceDescriptions.kids.fetch"),
        ("$sourceDescription.kids.fetch", {"kids"}, "$sourceDescriptions.kids.fetch"),
        ("$sourceDescription.kids.workflows.fetch", {"kids"}, "$sourceDescriptions.kids.fetch"),
        ("$sourceDescriptions.other.workflows.fetch", {"kids"}, None),  # not a declared source
        ("$sourceDescription.other.fetch", {"kids"}, None),
        ("$sourceDescriptions.kids.fetch", {"kids"}, None),  # already canonical
        ("kids.fetch", {"kids"}, None),  # workflows are named by id; no operation reading here
    ],
)
def test_target_readings(text: str, sources: set[str], expected: str | None) -> None:
    found = canonical_target(text, sources)
    assert (found[0] if found else None) == expected


def test_prefix_readings_need_a_declared_name() -> None:
    assert canonical_prefix("$sourceDescription.api.url", {"api"}, ()) == (
        "$sourceDescriptions.api.url",
        "source descriptions are read with '$sourceDescriptions.<name>'",
    )
    assert canonical_prefix("$sourceDescription.other.url", {"api"}, ()) is None
    assert canonical_prefix("$workflow.w.outputs.x", (), {"w"}) is not None
    assert (
        canonical_prefix("$workflow.inputs.x", (), {"w"}) is None
    )  # no workflow 'inputs': no reading


def test_qualified_operation_needs_the_source_and_the_operation() -> None:
    assert qualified_operation("api.getItem", {"api"}, ["getItem"]) is not None
    assert qualified_operation("api.getItem", {"other"}, ["getItem"]) is None
    assert qualified_operation("api.nothing", {"api"}, ["getItem"]) is None
    assert qualified_operation("getItem", {"api"}, ["getItem"]) is None


def test_an_operation_id_containing_a_dot_is_read_as_written(here: Path) -> None:
    _write(here, {"flows.arazzo.yaml": PARENT, "child.yaml": CHILD, "api.openapi.yaml": API})
    # 'api.dotted' is itself an operationId: no dialect warning for it
    assert not [line for line in diagnose(here, "flows.arazzo.yaml") if "api.dotted" in line]


# -- inputs declared through allOf / $ref ---------------------------------------------------------------

ALL_OF = """\
arazzo: 1.0.1
info: {title: inputs, version: '1'}
sourceDescriptions:
  - {name: api, url: api.openapi.yaml}
workflows:
  - workflowId: get-as
    inputs:
      allOf:
        - $ref: '#/components/inputs/who'
        - type: object
          properties:
            item: {type: integer}
          required: [item]
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: $inputs.item}
          - {name: X-User, in: header, value: $inputs.user.name}
        outputs: {user: $response.body#/user}
    outputs: {user: $steps.get.outputs.user}
components:
  inputs:
    who:
      type: object
      properties:
        user:
          type: object
          properties: {name: {type: string}}
          required: [name]
      required: [user]
"""


def test_inputs_through_all_of_and_ref_are_parameters(generate: Generate, here: Path) -> None:
    gen = generate({"flows.arazzo.yaml": ALL_OF, "api.openapi.yaml": API})
    with Loopback(_serve) as server:
        client = gen.rt.Client(base_url=server.url)
        result = gen.get_as(item=7, user={"name": "ann"}, client=client)
        with pytest.raises(gen.rt.InputError) as raised:
            gen.get_as(item=7, user={}, client=client)  # the $ref'd schema's own 'required'
        with pytest.raises(TypeError):
            gen.get_as(item=7, client=client)  # user is required by the $ref'd member
    assert result.user == "ann"
    assert [s.path for s in server.seen] == ["/items/7"]
    assert "name" in str(raised.value.errors)
    # the $inputs.user.name reading (a dialect) sees the input declared through the $ref
    assert diagnose(here, "flows.arazzo.yaml") == [
        "flows.arazzo.yaml:19:47: warning: '$inputs.user.name' is not the specification's spelling "
        "(a property path after a value is written as a JSON pointer); read as '$inputs.user#/name' [dialect]"
    ]


# -- source urls ----------------------------------------------------------------------------------------


def _flow(url: str, kind: str = "openapi") -> str:
    return yaml.safe_dump(
        {
            "arazzo": "1.0.1",
            "info": {"title": "t", "version": "1"},
            "sourceDescriptions": [{"name": "api", "url": url, "type": kind}],
            "workflows": [
                {
                    "workflowId": "get",
                    "steps": [
                        {
                            "stepId": "get",
                            "operationId": "getItem",
                            "parameters": [{"name": "id", "in": "path", "value": 4}],
                        }
                    ],
                }
            ],
        },
        sort_keys=False,
    )


def test_a_percent_encoded_url_names_the_decoded_file(generate: Generate, here: Path) -> None:
    url = "./v4%20-%20Hunt%20Valley/2.27%2B0/api.openapi.yaml"
    files = {"flows.arazzo.yaml": _flow(url), "v4 - Hunt Valley/2.27+0/api.openapi.yaml": API}
    gen = generate(files, entry="flows.arazzo.yaml")
    with Loopback(_serve) as server:
        gen.get(client=gen.rt.Client(base_url=server.url))
    assert [s.path for s in server.seen] == ["/items/4"]
    assert diagnose(here, "flows.arazzo.yaml") == []  # correct as written: no warning


def test_the_local_copy_fallback_never_picks_the_document_itself(here: Path) -> None:
    url = "https://example.test/specs/flows.arazzo.yaml"  # the document's own file name
    _write(here, {"flows.arazzo.yaml": _flow(url, "arazzo")})
    assert diagnose(here, "flows.arazzo.yaml") == [
        f"flows.arazzo.yaml:7:8: error: remote source description {url!r} is not fetched: pass "
        "--allow-remote to fetch it, or save it beside this document and refer to the local file "
        "[remote-source]"
    ]


def test_a_url_relative_to_the_repository_root_gets_a_suggestion(here: Path) -> None:
    url = "./apis/openapi/x%20y/api.openapi.yaml"
    files = {
        "repo/workflows/x/flows.arazzo.yaml": _flow(url),
        "repo/apis/openapi/x y/api.openapi.yaml": API,
    }
    _write(here, files)
    (here / "repo" / ".git").mkdir()
    assert diagnose(here, "repo/workflows/x/flows.arazzo.yaml") == [
        "repo/workflows/x/flows.arazzo.yaml:7:8: error: file not found: "
        "repo/workflows/x/apis/openapi/x y/api.openapi.yaml; did you mean "
        "'../../apis/openapi/x%20y/api.openapi.yaml'? [load]"
    ]
    # fix does not touch it: a person decides
    before = (here / files_path(files)).read_text()
    result = subprocess.run(
        [sys.executable, "-m", "generator", "fix", "repo/workflows/x/flows.arazzo.yaml"],
        cwd=here,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "did you mean" in result.stderr
    assert (here / files_path(files)).read_text() == before


def files_path(files: dict[str, Any]) -> str:
    return next(name for name in files if name.endswith(".arazzo.yaml"))


def test_the_suggestion_stops_at_the_repository_root(here: Path) -> None:
    # the file exists above the folder holding .git: outside the repository, no suggestion
    _write(
        here,
        {
            "repo/workflows/x/flows.arazzo.yaml": _flow("./apis/api.openapi.yaml"),
            "apis/api.openapi.yaml": API,
        },
    )
    (here / "repo" / ".git").mkdir()
    assert diagnose(here, "repo/workflows/x/flows.arazzo.yaml") == [
        "repo/workflows/x/flows.arazzo.yaml:7:8: error: file not found: "
        "repo/workflows/x/apis/api.openapi.yaml [load]"
    ]


def test_the_suggestion_looks_up_at_most_six_levels(here: Path) -> None:
    deep = "a/b/c/d/e/f/g"
    _write(
        here,
        {f"{deep}/flows.arazzo.yaml": _flow("apis/api.openapi.yaml"), "apis/api.openapi.yaml": API},
    )
    assert "did you mean" not in diagnose(here, f"{deep}/flows.arazzo.yaml")[0]
    _write(here, {"a/apis/api.openapi.yaml": API})  # six levels up from g
    assert diagnose(here, f"{deep}/flows.arazzo.yaml")[0].endswith(
        "; did you mean '../../../../../../apis/api.openapi.yaml'? [load]"
    )


def test_the_suggestion_does_not_climb_out_of_a_folder_it_enters_again(here: Path) -> None:
    # pyarazzo's examples/pet-coupons-example.yaml names 'examples/pet-coupons.openapi.yaml'
    _write(
        here,
        {
            "repo/examples/flows.arazzo.yaml": _flow("examples/api.openapi.yaml"),
            "repo/examples/api.openapi.yaml": API,
        },
    )
    assert diagnose(here, "repo/examples/flows.arazzo.yaml") == [
        "repo/examples/flows.arazzo.yaml:7:8: error: file not found: repo/examples/examples/api.openapi.yaml; "
        "did you mean 'api.openapi.yaml'? [load]"
    ]
