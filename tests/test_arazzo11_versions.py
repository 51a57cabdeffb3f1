"""Arazzo versions: a 1.1 document without the features generation cannot honour yet generates and runs
exactly like its 1.0 twin (sync and async, against a loopback server); one package may mix both versions;
a 1.1 field in a 1.0 document is a structure error naming the version; each 1.1 feature not supported yet
is a located ``unsupported`` error."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from generation import Generate
from generator.diagnostics import Diagnostics
from generator.loading.workspace import Workspace
from generator.model.build import build_document
from generator.pipeline import generate_files
from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen

API = openapi(
    {
        "/pets/{petId}": {
            "get": {
                "operationId": "getPet",
                "parameters": [
                    {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
)
FLOW = {
    "workflowId": "fetchPet",
    "inputs": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
    "steps": [
        {
            "stepId": "get",
            "operationId": "getPet",
            "parameters": [{"name": "petId", "in": "path", "value": "$inputs.id"}],
            "successCriteria": [{"condition": "$statusCode == 200"}],
            "outputs": {"name": "$response.body#/name"},
        }
    ],
    "outputs": {"name": "$steps.get.outputs.name"},
}


def _doc(version: str, flow: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    doc = arazzo([copy.deepcopy(flow or FLOW)], **extra)
    doc["arazzo"] = version
    return doc


def _pet(seen: Seen) -> Answer:
    return Answer(200, {"name": "pet " + seen.path.rsplit("/", 1)[-1]})


def _run(gen: Any, url: str) -> tuple[Any, Any]:
    result = gen.fetch_pet(id="7", client=gen.rt.Client(base_url=url))

    async def main() -> Any:
        async with gen.rt.AsyncClient(base_url=url) as client:
            return await gen.fetch_pet_async(id="8", client=client)

    return result, asyncio.run(main())


def test_a_plain_1_1_document_generates_and_runs_like_its_1_0_twin(generate: Generate) -> None:
    new = generate({"flows.arazzo.yaml": _doc("1.1.0"), "api.openapi.yaml": API})
    old = generate({"flows.arazzo.yaml": _doc("1.0.1"), "api.openapi.yaml": API})
    for name in ("flows.py", "__init__.py"):
        assert (new.root / name).read_text() == (old.root / name).read_text()
    with Loopback(_pet) as server:
        (sync, asynchronous), (old_sync, _) = _run(new, server.url), _run(old, server.url)
        assert [(s.method, s.path) for s in server.seen] == [
            ("GET", "/pets/7"),
            ("GET", "/pets/8"),
            ("GET", "/pets/7"),
            ("GET", "/pets/8"),
        ]
    assert (sync.name, asynchronous.name) == ("pet 7", "pet 8")
    assert sync.name == old_sync.name and len(sync.trace) == len(old_sync.trace) == 1


def test_one_package_mixes_1_0_and_1_1_documents(generate: Generate) -> None:
    caller = {
        "workflowId": "caller",
        "steps": [
            {
                "stepId": "call",
                "workflowId": "$sourceDescriptions.pets.fetchPet",
                "parameters": [{"name": "id", "value": "9"}],
                "outputs": {"name": "$outputs.name"},
            }
        ],
        "outputs": {"name": "$steps.call.outputs.name"},
    }
    sources = [
        {"name": "pets", "url": "pets.arazzo.yaml", "type": "arazzo"},
        {"name": "api", "url": "api.openapi.yaml", "type": "openapi"},
    ]
    files = {
        "main.arazzo.yaml": _doc("1.0.1", caller, sources=sources),
        "pets.arazzo.yaml": _doc("1.1.0"),
        "api.openapi.yaml": API,
    }
    gen = generate(files, entry="main.arazzo.yaml")
    with Loopback(_pet) as server:
        assert gen.caller(client=gen.rt.Client(base_url=server.url)).name == "pet 9"


def _errors(tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    (tmp_path / "flows.arazzo.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    (tmp_path / "api.openapi.yaml").write_text(yaml.safe_dump(API, sort_keys=False))
    diagnostics = Diagnostics()
    out = generate_files([str(tmp_path / "flows.arazzo.yaml")], tmp_path / "out", diagnostics)
    assert out is None and not (tmp_path / "out").exists()
    return [str(d).split("flows.arazzo.yaml:", 1)[1] for d in diagnostics.sorted()]


def _key_at(tmp_path: Path, key: str, value: bool = False) -> str:
    """LINE:COL of the first ``key:`` (or of its value) in the document ``_errors`` wrote."""
    lines = (tmp_path / "flows.arazzo.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.lstrip(" -").startswith(key + ":"))
    column = lines[line - 1].index(key + ":") + 1 + (len(key) + 2 if value else 0)
    return f"{line}:{column}"


def _with(change: Any, version: str = "1.1.0") -> dict[str, Any]:
    doc = _doc(version)
    change(doc, doc["workflows"][0], doc["workflows"][0]["steps"][0])
    return doc


def test_a_1_1_field_in_a_1_0_document_names_the_version_and_upgrade(tmp_path: Path) -> None:
    doc = _with(lambda d, w, s: s.update(timeout=500), "1.0.1")
    [error] = _errors(tmp_path, doc)
    assert error.startswith(
        f"{_key_at(tmp_path, 'timeout')}: error: step 'timeout' is new in Arazzo 1.1"
    )
    assert "Arazzo 1.0.1 document" in error and "`arazzo-codegen upgrade`" in error
    assert error.endswith("[structure]")


def test_other_versions_are_structure_errors(tmp_path: Path) -> None:
    [error] = _errors(tmp_path, _doc("1.2.0"))
    assert error.startswith("1:9: error: 'arazzo' must be an Arazzo version string 1.0.x or 1.1.x")
    # no "new in 1.1" advice for a document that is not 1.0: its fields are unknown, as before
    errors = _errors(tmp_path, _with(lambda d, w, s: s.update(timeout=1), "2.0.0"))
    assert len(errors) == 2 and "unknown field 'timeout' in step" in errors[1]


SELECTOR = {"context": "$response.body", "selector": "/name", "type": "jsonpointer"}
UNSUPPORTED = [
    (lambda d, w, s: s.update(dependsOn=["other"]), "step 'dependsOn'"),
    (lambda d, w, s: s["outputs"].update(name=SELECTOR), "Selector Objects"),
    (lambda d, w, s: s["parameters"][0].update(value=SELECTOR), "Selector Objects"),
    (lambda d, w, s: s["parameters"][0].update({"in": "querystring"}), "'in: querystring'"),
    (
        lambda d, w, s: s.update(requestBody={"payload": {"pet": {"tags": [1, SELECTOR]}}}),
        "Selector Objects",
    ),
    (
        lambda d, w, s: s.update(
            requestBody={"payload": {"a": 1}, "replacements": [{"target": "/a", "value": SELECTOR}]}
        ),
        "Selector Objects",
    ),
    (
        lambda d, w, s: s.update(
            onFailure=[
                {
                    "name": "again",
                    "type": "goto",
                    "workflowId": "fetchPet",
                    "parameters": [{"name": "id", "value": "1"}],
                }
            ]
        ),
        "action 'parameters'",
    ),
    (
        lambda d, w, s: s.update(
            requestBody={
                "payload": {"a": 1},
                "replacements": [{"target": "$.a", "targetSelectorType": "jsonpath", "value": 2}],
            }
        ),
        "'targetSelectorType'",
    ),
    (
        lambda d, w, s: s["successCriteria"].append(
            {"context": "$response.body", "condition": "//name", "type": "xpath"}
        ),
        "XPath 3.1",
    ),
    (
        lambda d, w, s: d["sourceDescriptions"].append(
            {"name": "events", "url": "events.asyncapi.yaml", "type": "asyncapi"}
        ),
        "AsyncAPI source descriptions",
    ),
    (lambda d, w, s: s.update(action="send"), "AsyncAPI step 'action'"),
]


@pytest.mark.parametrize("change, feature", UNSUPPORTED, ids=[f for _, f in UNSUPPORTED])
def test_a_1_1_feature_not_supported_yet_is_a_located_error(
    tmp_path: Path, change: Any, feature: str
) -> None:
    errors = _errors(tmp_path, _with(change))
    assert errors and all(
        e.endswith("not supported yet by arazzo-codegen (Arazzo 1.1) [unsupported]") for e in errors
    )
    assert any(feature in e for e in errors)
    assert all(int(e.split(":")[0]) > 1 for e in errors)


def test_a_payload_object_that_is_not_a_selector_is_a_constant(tmp_path: Path) -> None:
    """A Selector Object has three REQUIRED fields: a payload object without them is a constant, as in 1.0
    (payloads are "Any"; a Selector Object inside one is the unsupported case above)."""
    partial = {"context": "$response.body", "selector": "/name"}  # no 'type'

    def change(d: dict[str, Any], w: dict[str, Any], s: dict[str, Any]) -> None:
        s["requestBody"] = {"payload": {"pet": [partial, {"type": "cat"}]}}

    (tmp_path / "flows.arazzo.yaml").write_text(yaml.safe_dump(_with(change), sort_keys=False))
    (tmp_path / "api.openapi.yaml").write_text(yaml.safe_dump(API, sort_keys=False))
    diagnostics = Diagnostics()
    out = generate_files([str(tmp_path / "flows.arazzo.yaml")], tmp_path / "out", diagnostics)
    assert out is not None and [str(d) for d in diagnostics.sorted() if d.level == "error"] == []


def _structure(tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    return [e for e in _errors(tmp_path, doc) if e.endswith("[structure]")]


def test_1_1_structure_errors_say_what_is_wrong_where(tmp_path: Path) -> None:
    [typo] = _structure(tmp_path, _with(lambda d, w, s: s.update(timeOut=5)))
    assert "unknown field 'timeOut' in step; did you mean 'timeout'?" in typo
    [fragment] = _structure(tmp_path, _with(lambda d, w, s: d.update({"$self": "a.yaml#/x"})))
    at = _key_at(tmp_path, "$self", value=True)
    assert fragment.startswith(f"{at}: error: '$self' must be a URI reference without a fragment")
    [action] = _structure(
        tmp_path,
        _with(
            lambda d, w, s: s.update(workflowId="fetchPet", action="send") or s.pop("operationId")
        ),
    )
    assert "'action' is only allowed in a step that calls an AsyncAPI operation" in action
    wrong = {"context": "$response.body", "selector": "$.a", "type": "jmespath"}
    [selector] = _structure(tmp_path, _with(lambda d, w, s: w["outputs"].update(name=wrong)))
    assert "'type' must be one of jsonpointer, jsonpath, xpath (found 'jmespath')" in selector


def test_the_model_knows_each_document_s_arazzo_version(tmp_path: Path) -> None:
    sources = [
        {"name": "pets", "url": "pets.arazzo.yaml", "type": "arazzo"},
        {"name": "api", "url": "api.openapi.yaml", "type": "openapi"},
    ]
    files = {
        "main.arazzo.yaml": _doc("1.0.1", sources=sources),
        "pets.arazzo.yaml": _doc("1.1.0"),
        "api.openapi.yaml": API,
    }
    for name, content in files.items():
        (tmp_path / name).write_text(yaml.safe_dump(content, sort_keys=False))
    diagnostics = Diagnostics()
    main, _ = build_document(
        Workspace(diagnostics), tmp_path / "main.arazzo.yaml", "main.arazzo.yaml", diagnostics
    )
    assert main is not None, [str(d) for d in diagnostics.sorted()]
    assert main.arazzo_version == "1.0" and main.version == "1.0.0"
    assert [doc.arazzo_version for doc in main.imported] == ["1.1"]
