"""Source description names and workflowIds are scoped to their own document (contract section 4).

Three documents of one package: ``a`` and ``b`` each name their own OpenAPI description ``api`` and define a
workflow ``wf``; ``c`` names a third description ``api``, imports ``b`` as ``bee`` and has a ``wf`` of its own
that calls ``bee``'s ``wf``. Every request goes to a real server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.diagnostics import Diagnostics
from generator.emit.writer import write_package
from generator.pipeline import generate_files
from inline import arazzo, openapi
from loopback import Answer, Loopback
from generation import Generate

UNREACHABLE = "http://127.0.0.1:9"


def _api(path: str) -> dict[str, Any]:
    operation = {"operationId": "op", "responses": {"200": {"description": "ok"}}}
    return openapi({path: {"get": operation}}, servers=[{"url": UNREACHABLE}])


def _wf(**extra: Any) -> dict[str, Any]:
    return {
        "workflowId": "wf",
        "steps": [{"stepId": "call", "operationId": "op", "outputs": {"status": "$statusCode"}}],
        "outputs": {"where": "$sourceDescriptions.api.url", "status": "$steps.call.outputs.status"},
        **extra,
    }


A = arazzo([_wf()], sources=[{"name": "api", "url": "a.openapi.yaml", "type": "openapi"}])
B = arazzo([_wf()], sources=[{"name": "api", "url": "b.openapi.yaml", "type": "openapi"}])
C = arazzo(
    [
        {
            "workflowId": "wf",
            "steps": [
                {"stepId": "own", "operationId": "op"},
                {
                    "stepId": "child",
                    "workflowId": "$sourceDescriptions.bee.wf",
                    "outputs": {"where": "$outputs.where"},
                },
            ],
            "outputs": {
                "where": "$sourceDescriptions.api.url",
                "child": "$steps.child.outputs.where",
                # $workflows.<id> resolves in this document's scope: its own wf, not bee's
                "same": "$workflows.wf.inputs.tag",
            },
            "inputs": {"type": "object", "properties": {"tag": {"type": "string"}}},
        },
        {
            "workflowId": "outer",
            "dependsOn": ["wf", "$sourceDescriptions.bee.wf"],
            "steps": [{"stepId": "last", "operationId": "op"}],
            "outputs": {"mine": "$workflows.wf.outputs.where"},
        },
    ],
    sources=[
        {"name": "api", "url": "c.openapi.yaml", "type": "openapi"},
        {"name": "bee", "url": "b.arazzo.yaml", "type": "arazzo"},
    ],
)
FILES = {
    "a.arazzo.yaml": A,
    "b.arazzo.yaml": B,
    "c.arazzo.yaml": C,
    "a.openapi.yaml": _api("/a"),
    "b.openapi.yaml": _api("/b"),
    "c.openapi.yaml": _api("/c"),
}


@pytest.fixture
def servers() -> Iterator[tuple[Loopback, Loopback, Loopback]]:
    with Loopback(lambda s: Answer(200, {})) as one, Loopback(lambda s: Answer(201, {})) as two:
        with Loopback(lambda s: Answer(202, {})) as three:
            yield one, two, three


def _paths(server: Loopback) -> list[str]:
    paths = [seen.path for seen in server.seen]
    server.seen.clear()
    return paths


def test_module_qualified_servers_route_each_document_to_its_own_server(
    generate: Generate, servers: tuple[Loopback, Loopback, Loopback]
) -> None:
    one, two, three = servers
    gen = generate(FILES)
    a, b, c = gen.modules["a"], gen.modules["b"], gen.modules["c"]
    client = gen.rt.Client(servers={"a.api": one.url, "b.api": two.url, "c.api": three.url})
    assert a.wf(client=client).status == 200
    assert b.wf(client=client).status == 201
    assert (_paths(one), _paths(two), _paths(three)) == (["/a"], ["/b"], [])
    result = c.wf(tag="t", client=client)
    # c's wf calls b's wf (not itself): no cycle, each source resolved in its own document
    assert (_paths(one), _paths(two), _paths(three)) == ([], ["/b"], ["/c"])
    assert (result.where, result.child, result.same) == ("c.openapi.yaml", "b.openapi.yaml", "t")
    assert [(r.workflow_id, r.step_id) for r in result.trace] == [("wf", "own"), ("wf", "call")]
    assert [r.url for r in result.trace] == [f"{three.url}/c", f"{two.url}/b"]


def test_a_bare_name_addresses_the_source_of_every_document_and_a_qualified_key_wins(
    generate: Generate, servers: tuple[Loopback, Loopback, Loopback]
) -> None:
    one, two, _ = servers
    gen = generate(FILES)
    a, b, c = gen.modules["a"], gen.modules["b"], gen.modules["c"]
    bare = gen.rt.Client(servers={"api": one.url})
    a.wf(client=bare), b.wf(client=bare), c.wf(client=bare)
    assert _paths(one) == ["/a", "/b", "/c", "/b"] and two.seen == []
    mixed = gen.rt.Client(servers={"api": one.url, "b.api": two.url})
    c.wf(client=mixed)
    a.wf(client=mixed)
    assert (_paths(one), _paths(two)) == (["/c", "/a"], ["/b"])
    # base_url still loses to servers, whichever form the key has
    gen.modules["b"].wf(client=gen.rt.Client(one.url, servers={"b.api": two.url}))
    gen.modules["a"].wf(client=gen.rt.Client(one.url, servers={"b.api": two.url}))
    assert (_paths(one), _paths(two)) == (["/a"], ["/b"])


def test_same_named_workflows_of_two_documents_each_run_once_and_keep_their_outputs(
    generate: Generate, servers: tuple[Loopback, Loopback, Loopback]
) -> None:
    one, two, three = servers
    gen = generate(FILES)
    client = gen.rt.Client(servers={"api": one.url, "b.api": two.url, "c.api": three.url})
    result = gen.modules["c"].outer(client=client)
    # dependsOn wf (c's own, which calls b's) then b's wf, which already ran in this call: run once
    assert [(r.workflow_id, r.step_id, r.status_code) for r in result.trace] == [
        ("wf", "own", 202),
        ("wf", "call", 201),
        ("outer", "last", 202),
    ]
    assert result.mine == "c.openapi.yaml"


def test_scoped_names_with_the_async_client(
    generate: Generate, servers: tuple[Loopback, Loopback, Loopback]
) -> None:
    one, two, three = servers
    gen = generate(FILES)

    async def main() -> Any:
        async with gen.rt.AsyncClient(servers={"b.api": two.url, "api": three.url}) as client:
            return await gen.modules["c"].wf_async(client=client)

    result = asyncio.run(main())
    assert (_paths(one), _paths(two), _paths(three)) == ([], ["/b"], ["/c"])
    assert result.child == "b.openapi.yaml"


@dataclass
class Outcome:
    returncode: int
    stderr: str


def _validate(tmp_path: Path, files: dict[str, Any], *specs: str) -> Outcome:
    """``generate SPEC ... -o out`` in this process: its exit status and diagnostics."""
    for name, doc in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    diagnostics = Diagnostics()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        files_out = generate_files(list(specs), tmp_path / "out", diagnostics)
        if files_out is not None:
            write_package(files_out, tmp_path / "out")
    finally:
        os.chdir(cwd)
    return Outcome(int(files_out is None), "\n".join(str(d) for d in diagnostics.sorted()))


def test_a_workflow_calling_itself_through_a_plain_id_is_still_a_cycle(tmp_path: Path) -> None:
    looping = arazzo(
        [{"workflowId": "wf", "steps": [{"stepId": "again", "workflowId": "wf"}]}],
        sources=[{"name": "api", "url": "b.openapi.yaml", "type": "openapi"}],
    )
    files = dict(FILES, **{"b.arazzo.yaml": looping})
    result = _validate(tmp_path, files, "c.arazzo.yaml")
    assert result.returncode == 1 and not (tmp_path / "out").exists()
    assert "b.arazzo.yaml:" in result.stderr and "[cycle]" in result.stderr, result.stderr
    assert "wf (b.arazzo.yaml) -> wf (b.arazzo.yaml)" in result.stderr, result.stderr


def test_documents_importing_each_other_are_still_a_cycle(tmp_path: Path) -> None:
    back = arazzo(
        [_wf()],
        sources=[
            {"name": "api", "url": "b.openapi.yaml", "type": "openapi"},
            {"name": "sea", "url": "c.arazzo.yaml", "type": "arazzo"},
        ],
    )
    files = dict(FILES, **{"b.arazzo.yaml": back})
    result = _validate(tmp_path, files, "c.arazzo.yaml")
    assert result.returncode == 1 and not (tmp_path / "out").exists()
    assert "[cycle]" in result.stderr, result.stderr


def test_a_plain_id_defined_by_two_imported_documents_is_ambiguous(tmp_path: Path) -> None:
    both = arazzo(
        [{"workflowId": "outer", "steps": [{"stepId": "s", "workflowId": "wf"}]}],
        sources=[
            {"name": "first", "url": "a.arazzo.yaml", "type": "arazzo"},
            {"name": "second", "url": "b.arazzo.yaml", "type": "arazzo"},
        ],
    )
    result = _validate(tmp_path, dict(FILES, **{"d.arazzo.yaml": both}), "d.arazzo.yaml")
    assert result.returncode == 1 and not (tmp_path / "out").exists()
    lines = [line for line in result.stderr.splitlines() if "[duplicate]" in line]
    assert len(lines) == 1 and lines[0].startswith("d.arazzo.yaml:"), result.stderr
    assert "'first' and 'second'" in lines[0] and "$sourceDescriptions.<name>.wf" in lines[0]
    qualified = both["workflows"][0]["steps"][0] | {"workflowId": "$sourceDescriptions.second.wf"}
    both["workflows"][0]["steps"] = [qualified]
    fixed = _validate(tmp_path, dict(FILES, **{"d.arazzo.yaml": both}), "d.arazzo.yaml")
    assert fixed.returncode == 0, fixed.stderr


def test_two_documents_with_one_module_name_may_not_share_a_source_name(tmp_path: Path) -> None:
    # lib/b.arazzo.yaml and b.arazzo.yaml are both module "b": "b.api" would name two descriptions
    other = arazzo(
        [_wf()], sources=[{"name": "api", "url": "../a.openapi.yaml", "type": "openapi"}]
    )
    importer = arazzo(
        [
            {
                "workflowId": "outer",
                "steps": [{"stepId": "s", "workflowId": "$sourceDescriptions.lib.wf"}],
            }
        ],
        sources=[{"name": "lib", "url": "lib/b.arazzo.yaml", "type": "arazzo"}],
    )
    files = dict(FILES, **{"lib/b.arazzo.yaml": other, "d.arazzo.yaml": importer})
    result = _validate(tmp_path, files, "b.arazzo.yaml", "d.arazzo.yaml")
    assert result.returncode == 1 and not (tmp_path / "out").exists()
    assert "'b.api'" in result.stderr and "[duplicate]" in result.stderr, result.stderr


def test_workflows_expression_naming_a_workflow_of_two_imported_documents_is_ambiguous(
    tmp_path: Path,
) -> None:
    reader = arazzo(
        [
            {
                "workflowId": "outer",
                "steps": [{"stepId": "s", "workflowId": "$sourceDescriptions.second.wf"}],
                "outputs": {"where": "$workflows.wf.outputs.where"},
            }
        ],
        sources=[
            {"name": "first", "url": "a.arazzo.yaml", "type": "arazzo"},
            {"name": "second", "url": "b.arazzo.yaml", "type": "arazzo"},
        ],
    )
    result = _validate(tmp_path, dict(FILES, **{"d.arazzo.yaml": reader}), "d.arazzo.yaml")
    assert result.returncode == 1 and not (tmp_path / "out").exists()
    lines = [line for line in result.stderr.splitlines() if "error" in line]
    assert (
        len(lines) == 1 and "$workflows.wf:" in lines[0] and "[duplicate]" in lines[0]
    ), result.stderr
    assert lines[0].startswith("d.arazzo.yaml:"), result.stderr
    reader["workflows"][0]["outputs"] = {"where": "$steps.s.outputs.where"}
    reader["workflows"][0]["steps"][0]["outputs"] = {"where": "$outputs.where"}
    assert (
        _validate(tmp_path, dict(FILES, **{"d.arazzo.yaml": reader}), "d.arazzo.yaml").returncode
        == 0
    )


def test_run_takes_module_qualified_server_keys(
    tmp_path: Path, servers: tuple[Loopback, Loopback, Loopback]
) -> None:
    one, two, three = servers
    _validate(tmp_path, FILES, "c.arazzo.yaml")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "run", "c.arazzo.yaml", "wf", "--input", "tag=x"]
        + ["--server", f"b.api={two.url}", "--server", f"api={three.url}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent)),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "where": "c.openapi.yaml",
        "child": "b.openapi.yaml",
        "same": "x",
    }
    assert (_paths(one), _paths(two), _paths(three)) == ([], ["/b"], ["/c"])


def test_without_a_server_the_error_names_the_source_and_its_module(generate: Generate) -> None:
    serverless = {k: v for k, v in _api("/b").items() if k != "servers"}
    gen = generate(dict(FILES, **{"b.openapi.yaml": serverless}))
    with pytest.raises(gen.rt.ArazzoError, match="'api' of module 'b'"):
        gen.modules["b"].wf(client=gen.rt.Client(servers={"c.api": "http://127.0.0.1:9"}))


def test_goto_and_a_diamond_of_imports_reach_the_named_documents_workflow(
    generate: Generate, servers: tuple[Loopback, Loopback, Loopback]
) -> None:
    one, two, three = servers
    calls_bee = {"stepId": "inner", "workflowId": "$sourceDescriptions.bee.wf"}
    imports_b = [{"name": "bee", "url": "b.arazzo.yaml", "type": "arazzo"}]
    top = arazzo(
        [
            {
                "workflowId": "both",
                "steps": [
                    {"stepId": "x", "workflowId": "$sourceDescriptions.x.wf"},
                    {"stepId": "y", "workflowId": "$sourceDescriptions.y.wf"},
                ],
            },
            {
                "workflowId": "jump",
                "steps": [
                    {
                        "stepId": "first",
                        "workflowId": "$sourceDescriptions.x.wf",
                        "onSuccess": [
                            {
                                "name": "away",
                                "type": "goto",
                                "workflowId": "$sourceDescriptions.y.wf",
                            }
                        ],
                    },
                    {"stepId": "skipped", "workflowId": "$sourceDescriptions.x.wf"},
                ],
            },
        ],
        sources=[
            {"name": "x", "url": "e.arazzo.yaml", "type": "arazzo"},
            {"name": "y", "url": "f.arazzo.yaml", "type": "arazzo"},
        ],
    )
    files = dict(
        FILES,
        **{
            "e.arazzo.yaml": arazzo(
                [{"workflowId": "wf", "steps": [calls_bee]}], sources=imports_b
            ),
            "f.arazzo.yaml": arazzo(
                [{"workflowId": "wf", "steps": [calls_bee]}], sources=imports_b
            ),
            "d.arazzo.yaml": top,
        },
    )
    gen = generate(files, entry="d.arazzo.yaml")
    d = gen.modules["d"]
    registries = [value for name, value in vars(d).items() if name.startswith("_IMPORTED_")]
    assert sorted(r.name for r in registries) == ["b", "e", "f"]  # b once, shared by e and f
    assert d._REGISTRY.imports["x"].imports["bee"] is d._REGISTRY.imports["y"].imports["bee"]
    client = gen.rt.Client(servers={"b.api": two.url, "api": one.url})
    result = d.both(client=client)
    assert [(r.workflow_id, r.step_id) for r in result.trace] == [("wf", "call")] * 2
    assert _paths(two) == ["/b", "/b"] and one.seen == [] and three.seen == []
    jumped = d.jump(client=client)
    assert [(r.workflow_id, r.step_id) for r in jumped.trace] == [("wf", "call")] * 2
    assert _paths(two) == ["/b", "/b"]
