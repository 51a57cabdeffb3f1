"""Clause-by-clause checks of the public contract (CONTRACT.md), sections 1-6.

Each test names the clause it checks. Where the product deviates from the contract, the test still states
the contract and is marked as a strict expected failure naming the clause.
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import importlib
import importlib.metadata
import inspect
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import textwrap
import typing
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
import yaml

from driver_pump import client as scripted_client
from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen
from generation import Generate, Generated

ROOT = Path(__file__).resolve().parent.parent
DIAGNOSTIC = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<level>error|warning): (?P<message>.+) \[(?P<rule>[a-z-]+)\]$"
)


# --------------------------------------------------------------------------------------------------------
# helpers


def _dump(doc: Any) -> str:
    return doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False)


def _write(folder: Path, files: Mapping[str, Any]) -> None:
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_dump(content))


def cli(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=None if env is None else dict(env),
    )


def script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("arazzo-codegen")
    assert exe is not None, "the arazzo-codegen console script is not installed"
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def diagnostics(stderr: str) -> list[re.Match[str]]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    found = [DIAGNOSTIC.match(line) for line in lines]
    assert all(found), stderr
    return [m for m in found if m]


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


PING_API = openapi(
    {
        "/ping": {
            "post": {
                "operationId": "ping",
                "parameters": [{"name": "tag", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
)
PING_FLOW: dict[str, Any] = {
    "workflowId": "ping",
    "steps": [{"stepId": "ping", "operationId": "ping"}],
}

ITEMS_API = openapi(
    {
        "/items/{id}": {
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    {"name": "X-Note", "in": "header", "schema": {"type": "string"}},
                    {"name": "pref", "in": "cookie", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "an item",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "string"},
                                        "count": {"type": "integer"},
                                        "price": {"type": "number"},
                                        "ok": {"type": "boolean"},
                                        "tags": {"type": "array", "items": {"type": "string"}},
                                        "meta": {"type": "object"},
                                        "status": {"type": "string"},
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
        "/items": {
            "post": {
                "operationId": "createItem",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "ok"}, "201": {"description": "created"}},
            }
        },
    }
)


def _item(seen: Seen) -> Answer:
    item_id = seen.path.rsplit("/", 1)[-1]
    return Answer(
        200,
        {
            "id": item_id,
            "count": 3,
            "price": 1.5,
            "ok": True,
            "tags": ["a"],
            "meta": {"k": 1},
            "status": "OK",
        },
    )


def _get_item_step(**extra: Any) -> dict[str, Any]:
    step: dict[str, Any] = {
        "stepId": "get",
        "operationId": "getItem",
        "parameters": [{"name": "id", "in": "path", "value": "$inputs.id"}],
    }
    step.update(extra)
    return step


# ========================================================================================================
# Section 1: the command line


def test_s1_console_script_and_python_m_are_the_same_program(tmp_path: Path) -> None:
    version = importlib.metadata.version("arazzo-codegen")
    by_module = cli("--version", cwd=tmp_path)
    by_script = script("--version", cwd=tmp_path)
    assert by_module.returncode == 0 and by_script.returncode == 0
    assert version in by_module.stdout and by_module.stdout == by_script.stdout
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": PING_API})
    assert script("generate", "flow.arazzo.yaml", "-o", "a", cwd=tmp_path).returncode == 0
    assert cli("generate", "flow.arazzo.yaml", "-o", "b", cwd=tmp_path).returncode == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert script("generate", "--no-such-flag", cwd=tmp_path).returncode == 2


def test_s1_generate_defaults_to_the_generated_folder(tmp_path: Path) -> None:
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": PING_API})
    result = cli("generate", "flow.arazzo.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "generated").iterdir()) == [
        "__init__.py",
        "_runtime",
        "flow.py",
        "py.typed",
    ]


def test_s1_a_folder_is_searched_recursively_for_arazzo_documents(tmp_path: Path) -> None:
    up = [{"name": "api", "url": "../api.openapi.yaml", "type": "openapi"}]
    _write(
        tmp_path,
        {
            "specs/api.openapi.yaml": PING_API,
            "specs/top.arazzo.yaml": arazzo([PING_FLOW]),
            "specs/deep/plain.yml": "# leading comment\n---\n"
            + _dump(arazzo([dict(PING_FLOW, workflowId="yml-ping")], sources=up)),
            "specs/deep/other.yaml": {"title": "not arazzo", "arazzo_like": True},
            "specs/deep/notes.txt": "arazzo: 1.0.1\n",
        },
    )
    result = cli("generate", "specs", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    modules = sorted(p.name for p in (tmp_path / "out").glob("*.py"))
    assert modules == ["__init__.py", "plain.py", "top.py"]


@pytest.mark.parametrize("indent", [None, 2])
def test_s1_a_folder_search_finds_json_documents(tmp_path: Path, indent: int | None) -> None:
    doc = arazzo(
        [dict(PING_FLOW, workflowId="json-ping")],
        sources=[{"name": "api", "url": "../../api.openapi.yaml", "type": "openapi"}],
    )
    _write(
        tmp_path,
        {
            "specs/api.openapi.yaml": PING_API,
            "specs/deep/er/nested.json": json.dumps(doc, indent=indent),
        },
    )
    result = cli("generate", "specs", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "nested.py").exists()


def test_s1_without_spec_pyproject_gives_specs_globs_and_output(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "flows/api.openapi.yaml": PING_API,
            "flows/one.arazzo.yaml": arazzo([PING_FLOW]),
            "flows/two.arazzo.yaml": arazzo([dict(PING_FLOW, workflowId="pong")]),
            "flows/skip.arazzo.json": "{ not even json",
        },
    )
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.arazzo-codegen]\nspecs = ["flows/*.arazzo.yaml"]\noutput = "pkg/client"\n'
    )
    result = cli("generate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "pkg/client").glob("*.py")) == [
        "__init__.py",
        "one.py",
        "two.py",
    ]
    assert not (tmp_path / "generated").exists()
    check = cli("generate", "--check", cwd=tmp_path)
    assert check.returncode == 0, check.stderr


def test_s1_pyproject_output_with_o_and_no_spec(tmp_path: Path) -> None:
    _write(
        tmp_path, {"flows/api.openapi.yaml": PING_API, "flows/one.arazzo.yaml": arazzo([PING_FLOW])}
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.arazzo-codegen]\nspecs = ["flows"]\noutput = "pkg"\n'
    )
    result = cli("generate", "-o", "chosen", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "chosen" / "one.py").exists() and not (tmp_path / "pkg").exists()


def test_s1_with_a_spec_dir_defaults_to_generated_even_in_a_configured_project(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        {
            "flows/api.openapi.yaml": PING_API,
            "flows/one.arazzo.yaml": arazzo([PING_FLOW]),
            "other.arazzo.yaml": arazzo(
                [dict(PING_FLOW, workflowId="other")],
                sources=[{"name": "api", "url": "flows/api.openapi.yaml", "type": "openapi"}],
            ),
        },
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.arazzo-codegen]\nspecs = ["flows"]\noutput = "pkg"\n'
    )
    assert cli("generate", cwd=tmp_path).returncode == 0
    configured = tree(tmp_path / "pkg")
    result = cli("generate", "other.arazzo.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "generated" / "other.py").exists()
    assert tree(tmp_path / "pkg") == configured


def test_s1_check_writes_nothing_and_lists_missing_files(tmp_path: Path) -> None:
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": PING_API})
    result = cli("generate", "flow.arazzo.yaml", "-o", "out", "--check", cwd=tmp_path)
    assert result.returncode == 1
    assert not (tmp_path / "out").exists()
    for name in ("__init__.py", "flow.py", "py.typed"):
        assert re.search(
            rf"missing\b.*out/{re.escape(name)}", result.stdout + result.stderr
        ), result.stderr
    assert cli("generate", "flow.arazzo.yaml", "-o", "out", cwd=tmp_path).returncode == 0
    before = tree(tmp_path / "out")
    ok = cli("generate", "flow.arazzo.yaml", "-o", "out", "--check", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    # drift in the documents (not in the folder) is drift too, and --check still writes nothing
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([PING_FLOW, dict(PING_FLOW, workflowId="pong")])})
    drift = cli("generate", "flow.arazzo.yaml", "-o", "out", "--check", cwd=tmp_path)
    assert drift.returncode == 1 and re.search(
        r"changed\b.*out/flow\.py", drift.stdout + drift.stderr
    )
    assert tree(tmp_path / "out") == before


def test_s1_check_on_invalid_input_fails_and_writes_nothing(tmp_path: Path) -> None:
    bad = {"workflowId": "ping", "steps": [{"stepId": "ping", "operationId": "nope"}]}
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([bad]), "api.openapi.yaml": PING_API})
    result = cli("generate", "flow.arazzo.yaml", "-o", "out", "--check", cwd=tmp_path)
    assert result.returncode == 1 and not (tmp_path / "out").exists()
    result = cli("generate", "flow.arazzo.yaml", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1 and not (tmp_path / "out").exists()
    assert diagnostics(result.stderr)


def test_s1_validate_exit_codes_and_warning_lines(tmp_path: Path) -> None:
    # a step parameter the operation does not declare is a warning, not an error
    warned = {
        "workflowId": "ping",
        "steps": [
            {
                "stepId": "ping",
                "operationId": "ping",
                "parameters": [{"name": "X-Extra", "in": "header", "value": "1"}],
            }
        ],
    }
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([warned]), "api.openapi.yaml": PING_API})
    result = cli("validate", "flow.arazzo.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    found = diagnostics(result.stderr)
    assert found and all(d["level"] == "warning" for d in found)
    assert found[0]["path"] == "flow.arazzo.yaml"
    gen = cli("generate", "flow.arazzo.yaml", "-o", "out", cwd=tmp_path)
    assert gen.returncode == 0 and (tmp_path / "out" / "flow.py").exists()


def test_s1_diagnostic_paths_are_as_given_or_relative_to_the_current_folder(tmp_path: Path) -> None:
    bad_api = openapi(
        {
            "/ping": {
                "post": {
                    "operationId": "ping",
                    "parameters": [{"name": "x", "in": "pathway", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
    )
    bad_flow = {"workflowId": "ping", "steps": [{"stepId": "ping", "operationId": "nope"}]}
    _write(
        tmp_path,
        {"specs/sub/flow.arazzo.yaml": arazzo([bad_flow]), "specs/sub/api.openapi.yaml": bad_api},
    )
    by_folder = cli("validate", "specs", cwd=tmp_path)
    assert by_folder.returncode == 1
    paths = {d["path"] for d in diagnostics(by_folder.stderr)}
    assert paths == {"specs/sub/flow.arazzo.yaml", "specs/sub/api.openapi.yaml"}, by_folder.stderr
    absolute = str(tmp_path / "specs" / "sub" / "flow.arazzo.yaml")
    by_abs = cli("validate", absolute, cwd=tmp_path)
    assert absolute in {d["path"] for d in diagnostics(by_abs.stderr)}
    dotted = cli("validate", "./specs/sub/flow.arazzo.yaml", cwd=tmp_path)
    assert "./specs/sub/flow.arazzo.yaml" in {d["path"] for d in diagnostics(dotted.stderr)}
    inside = cli("validate", "flow.arazzo.yaml", cwd=tmp_path / "specs" / "sub")
    assert {d["path"] for d in diagnostics(inside.stderr)} == {
        "flow.arazzo.yaml",
        "api.openapi.yaml",
    }
    (tmp_path / "elsewhere").mkdir()
    beside = cli("validate", "../specs/sub/flow.arazzo.yaml", cwd=tmp_path / "elsewhere")
    assert {d["path"] for d in diagnostics(beside.stderr)} == {
        "../specs/sub/flow.arazzo.yaml",
        "../specs/sub/api.openapi.yaml",
    }
    referenced = {d["path"] for d in diagnostics(by_abs.stderr)} - {absolute}
    assert referenced == {
        "specs/sub/api.openapi.yaml"
    }  # not on the command line: relative to the current folder


BROKEN_REF_API = openapi(
    {
        "/ping": {
            "post": {
                "operationId": "ping",
                "parameters": [
                    {"name": "x", "in": "query", "schema": {"$ref": "#/components/schemas/Gone"}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
    components={"schemas": {"Here": {"type": "object"}}},
)


def test_s1_unresolvable_openapi_ref_is_reported_at_its_node(tmp_path: Path) -> None:
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": BROKEN_REF_API})
    result = cli("validate", "flow.arazzo.yaml", cwd=tmp_path)
    assert result.returncode == 1
    [diag] = diagnostics(result.stderr)
    line, col = _node_position(
        (tmp_path / "api.openapi.yaml").read_text(), "'#/components/schemas/Gone'"
    )
    assert diag["path"] == "api.openapi.yaml" and (int(diag["line"]), int(diag["col"])) == (
        line,
        col,
    )
    assert len(diag["message"]) < 200 and "Gone" in diag["message"]


def test_s1_validate_reports_arazzo_errors_beside_a_broken_openapi_ref(tmp_path: Path) -> None:
    bad_flow = {"workflowId": "ping", "steps": [{"stepId": "ping", "operationId": "nope"}]}
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([bad_flow]), "api.openapi.yaml": BROKEN_REF_API})
    result = cli("validate", "flow.arazzo.yaml", cwd=tmp_path)
    assert result.returncode == 1
    found = diagnostics(result.stderr)
    assert any(
        d["path"] == "flow.arazzo.yaml" and "'nope'" in d["message"] for d in found
    ), result.stderr


def _node_position(text: str, needle: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


def test_s1_line_and_column_of_the_deepest_node_yaml_and_json(tmp_path: Path) -> None:
    bad = {"workflowId": "ping", "steps": [{"stepId": "ping", "operationId": "pongUnknown"}]}
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([bad]), "api.openapi.yaml": PING_API})
    (tmp_path / "flow2.arazzo.json").write_text(json.dumps(arazzo([bad]), indent=2))
    for name in ("flow.arazzo.yaml", "flow2.arazzo.json"):
        result = cli("validate", name, cwd=tmp_path)
        assert result.returncode == 1
        [diag] = diagnostics(result.stderr)
        text = (tmp_path / name).read_text()
        line, col = _node_position(text, "pongUnknown")
        if name.endswith(".json"):
            col -= 1  # the JSON string node starts at its opening quote
        assert (int(diag["line"]), int(diag["col"])) == (line, col), (name, diag.group(0))


def test_s1_usage_errors_exit_2(tmp_path: Path) -> None:
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": PING_API})
    assert cli("generate", "--frob", cwd=tmp_path).returncode == 2
    assert cli("run", "flow.arazzo.yaml", cwd=tmp_path).returncode == 2
    assert (
        cli("run", "flow.arazzo.yaml", "ping", "--input", "novalue", cwd=tmp_path).returncode == 2
    )
    assert cli("run", "flow.arazzo.yaml", "ping", "--server", "nourl", cwd=tmp_path).returncode == 2
    assert cli(cwd=tmp_path).returncode == 2


RUN_FLOW = {
    "workflowId": "echo",
    "inputs": {
        "type": "object",
        "properties": {
            "n": {"type": "integer"},
            "s": {"type": "string"},
            "b": {"type": "boolean"},
            "o": {"type": "object"},
            "a": {"type": "array"},
            "z": {"type": "null"},
        },
    },
    "steps": [
        {
            "stepId": "send",
            "operationId": "ping",
            "requestBody": {
                "contentType": "application/json",
                "payload": {
                    "n": "$inputs.n",
                    "s": "$inputs.s",
                    "b": "$inputs.b",
                    "o": "$inputs.o",
                    "a": "$inputs.a",
                },
            },
            "outputs": {"got": "$response.body"},
        }
    ],
    "outputs": {"got": "$steps.send.outputs.got"},
}


def test_s1_run_values_are_json_when_they_parse_else_strings(tmp_path: Path) -> None:
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([RUN_FLOW]), "api.openapi.yaml": PING_API})
    (tmp_path / "inputs.json").write_text(json.dumps({"o": {"k": [1, 2]}, "s": "from-file"}))
    with Loopback(lambda seen: Answer(200, seen.json())) as server:
        result = script(
            "run",
            "flow.arazzo.yaml",
            "echo",
            "--inputs",
            "inputs.json",
            "--input",
            "n=7",
            "--input",
            "s=hello world",
            "--input",
            "b=true",
            "--input",
            'a=[1,"x"]',
            "--base-url",
            server.url,
            cwd=tmp_path,
        )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "got": {"n": 7, "s": "hello world", "b": True, "o": {"k": [1, 2]}, "a": [1, "x"]}
    }
    with Loopback(lambda seen: Answer(200, seen.json())) as server:
        quoted = cli(
            "run",
            "flow.arazzo.yaml",
            "echo",
            "--input",
            's="7"',
            "--base-url",
            server.url,
            cwd=tmp_path,
        )
        wrong = cli(
            "run",
            "flow.arazzo.yaml",
            "echo",
            "--input",
            "s=7",
            "--base-url",
            server.url,
            cwd=tmp_path,
        )
        assert len(server.seen) == 1
    assert json.loads(quoted.stdout) == {"got": {"s": "7"}}
    assert (
        wrong.returncode == 2 and "s" in wrong.stderr
    )  # 7 parses as JSON: an integer, not a string


def test_s1_run_applies_credentials_and_never_prints_them(tmp_path: Path) -> None:
    api = openapi(
        {
            "/ping": {
                "post": {
                    "operationId": "ping",
                    "security": [{"key": []}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        components={"securitySchemes": {"key": {"type": "apiKey", "in": "query", "name": "k"}}},
    )
    flow = dict(
        PING_FLOW,
        steps=[dict(PING_FLOW["steps"][0], successCriteria=[{"condition": "$statusCode == 200"}])],
    )
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
    with Loopback(lambda seen: Answer(403, {"echo": "denied"})) as server:
        failed = cli(
            "run",
            "flow.arazzo.yaml",
            "ping",
            "--credential",
            "key=T0p-s3cr3t",
            "--base-url",
            server.url,
            cwd=tmp_path,
        )
        assert dict(server.seen[0].query) == {"k": "T0p-s3cr3t"}
    assert failed.returncode == 1 and "'ping'" in failed.stderr
    assert "T0p-s3cr3t" not in failed.stderr + failed.stdout
    with Loopback() as server:
        dead = server.url
    transport = cli(
        "run",
        "flow.arazzo.yaml",
        "ping",
        "--credential",
        "key=T0p-s3cr3t",
        "--base-url",
        dead,
        cwd=tmp_path,
    )
    assert transport.returncode == 1 and "T0p-s3cr3t" not in transport.stderr + transport.stdout


# ========================================================================================================
# Section 2: the generated package


def _generate_cli(folder: Path, files: Mapping[str, Any], *specs: str, out: str = "out") -> Path:
    _write(folder, files)
    result = cli("generate", *specs, "-o", out, cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / out


def _import_fresh(package_dir: Path) -> Any:
    sys.path.insert(0, str(package_dir.parent))
    try:
        return importlib.import_module(package_dir.name)
    finally:
        sys.path.remove(str(package_dir.parent))


ERROR_CLASSES = ("ArazzoError", "InputError", "StepFailedError", "WorkflowLimitError")


def test_s2_init_re_exports_client_async_client_and_errors_in_all(generate: Generate) -> None:
    gen = generate({"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": PING_API})
    package = gen.rt
    assert set(package.__all__) >= {"Client", "AsyncClient", *ERROR_CLASSES}
    runtime = importlib.import_module(f"{gen.package}._runtime")
    for name in ("Client", "AsyncClient", *ERROR_CLASSES):
        assert getattr(package, name) is getattr(runtime, name)
    for name in ERROR_CLASSES:
        assert issubclass(getattr(package, name), package.ArazzoError)
    assert issubclass(package.InputError, ValueError)
    assert (gen.root / "py.typed").is_file()
    namespace: dict[str, Any] = {}
    exec(f"from {gen.package} import *", namespace)  # noqa: S102 - checks __all__ names resolve
    assert {"Client", "AsyncClient", *ERROR_CLASSES} <= set(namespace)


@pytest.mark.parametrize(
    ("file_name", "module"),
    [
        ("petStore.arazzo.yaml", "pet_store"),
        ("HTTPServer-Flows.yml", "http_server_flows"),
        ("my.flows.arazzo.json", "my_flows"),
        ("2fa.arazzo.yaml", "_2fa"),
        ("class.arazzo.yaml", "class_"),
        ("match.yaml", "match"),
        ("orders.ARAZZO.YAML", "orders"),
    ],
)
def test_s2_module_name_is_the_snake_cased_file_name(
    tmp_path: Path, file_name: str, module: str
) -> None:
    doc = arazzo([PING_FLOW])
    content = json.dumps(doc) if file_name.lower().endswith(".json") else doc
    out = _generate_cli(tmp_path, {file_name: content, "api.openapi.yaml": PING_API}, file_name)
    assert sorted(p.name for p in out.glob("*.py")) == sorted(["__init__.py", f"{module}.py"])
    assert hasattr(_import_module(out, module), "ping")


def _import_module(package_dir: Path, module: str) -> Any:
    name = f"contract_pkg_{abs(hash((str(package_dir), module)))}"
    target = package_dir.parent / name
    shutil.copytree(package_dir, target)
    sys.path.insert(0, str(target.parent))
    try:
        return importlib.import_module(f"{name}.{module}")
    finally:
        sys.path.remove(str(target.parent))


def test_s2_two_documents_with_one_module_name_are_an_error(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "a/pet-store.arazzo.yaml": arazzo(
                [PING_FLOW],
                sources=[{"name": "api", "url": "../api.openapi.yaml", "type": "openapi"}],
            ),
            "b/pet_store.yaml": arazzo(
                [dict(PING_FLOW, workflowId="pong")],
                sources=[{"name": "api", "url": "../api.openapi.yaml", "type": "openapi"}],
            ),
            "api.openapi.yaml": PING_API,
        },
    )
    result = cli(
        "generate", "a/pet-store.arazzo.yaml", "b/pet_store.yaml", "-o", "out", cwd=tmp_path
    )
    assert result.returncode == 1 and not (tmp_path / "out").exists()
    found = diagnostics(result.stderr)
    assert any(d["level"] == "error" and "pet_store" in d["message"] for d in found), result.stderr


def test_s2_headers_name_the_document_relative_to_the_parent_of_dir(tmp_path: Path) -> None:
    files = {"specs/flow.arazzo.yaml": arazzo([PING_FLOW]), "specs/api.openapi.yaml": PING_API}
    _write(tmp_path, files)
    for spec, out, expected in [
        ("specs/flow.arazzo.yaml", "out", "specs/flow.arazzo.yaml"),
        ("specs/flow.arazzo.yaml", "build/lib/pkg", "../../specs/flow.arazzo.yaml"),
        (
            str(tmp_path / "specs" / "flow.arazzo.yaml"),
            str(tmp_path / "abs" / "pkg"),
            "../specs/flow.arazzo.yaml",
        ),
    ]:
        result = cli("generate", spec, "-o", out, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        module = (tmp_path / out / "flow.py").read_text()
        assert (
            module.splitlines()[0] == f"# Generated by arazzo-codegen from {expected}. Do not edit."
        )
        for path, content in tree(tmp_path / out).items():
            first = content.decode().splitlines()[0]
            assert first.startswith("# Generated by arazzo-codegen from ") and first.endswith(
                ". Do not edit."
            ), path
            assert str(tmp_path) not in content.decode(), path


def test_s2_output_is_byte_identical_wherever_it_is_generated(tmp_path: Path) -> None:
    files = {
        "specs/flow.arazzo.yaml": arazzo([PING_FLOW, RUN_FLOW]),
        "specs/api.openapi.yaml": PING_API,
    }
    outputs = []
    for place in ("one", "elsewhere/two"):
        root = tmp_path / place
        _write(root, files)
        result = cli(
            "generate",
            str(root / "specs"),
            "-o",
            str(root / "gen"),
            cwd=tmp_path,
            env=dict(os.environ, PYTHONHASHSEED=str(len(place))),
        )
        assert result.returncode == 0, result.stderr
        outputs.append(tree(root / "gen"))
    assert outputs[0] == outputs[1]
    runtime = {
        k.removeprefix("_runtime/"): v for k, v in outputs[0].items() if k.startswith("_runtime/")
    }
    sources = {p.name: p.read_bytes() for p in (ROOT / "generator" / "runtime").glob("*.py")}
    assert set(runtime) == set(sources)
    for name, content in runtime.items():  # copied from the generator, below the header line
        assert content.split(b"\n", 1)[1] == sources[name], name


ALLOWED_THIRD_PARTY = {"httpx", "jsonschema"}
QUERY_LIBRARIES = {"jsonpath_rfc9535", "elementpath"}


def _imported_names(package_dir: Path) -> set[str]:
    names: set[str] = set()
    for path in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", ""))
                in ("import_module", "__import__")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and not node.args[0].value.startswith(".")
            ):
                names.add(node.args[0].value.split(".")[0])
    return names


def test_s2_generated_code_imports_only_the_standard_library_httpx_jsonschema_and_query_libraries(
    tmp_path: Path,
) -> None:
    names = _imported_names(ROOT / "generated")
    third_party = {n for n in names if n not in sys.stdlib_module_names and n != "__future__"}
    assert third_party <= ALLOWED_THIRD_PARTY | QUERY_LIBRARIES, third_party


_BLOCKER = textwrap.dedent("""
    import importlib.abc, sys
    BLOCKED = set(sys.argv[1].split(","))
    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError("blocked: " + name)
            return None
    sys.meta_path.insert(0, Block())
    sys.path.insert(0, sys.argv[2])
    import importlib
    package = importlib.import_module(sys.argv[3])
    module = importlib.import_module(sys.argv[3] + "." + sys.argv[4])
    result = getattr(module, sys.argv[5])(client=package.Client(base_url=sys.argv[6]))
    loaded = sorted({m.split(".")[0] for m in sys.modules})
    print(",".join(loaded))
    """)

JSONPATH_FLOW = {
    "workflowId": "queried",
    "steps": [
        {
            "stepId": "ping",
            "operationId": "ping",
            "successCriteria": [
                {"context": "$response.body", "type": "jsonpath", "condition": "$.ok"}
            ],
        }
    ],
}
XPATH_FLOW = {
    "workflowId": "xml-queried",
    "steps": [
        {
            "stepId": "ping",
            "operationId": "ping",
            "successCriteria": [
                {"context": "$response.body", "type": "xpath", "condition": "//ok"}
            ],
        }
    ],
}


@pytest.mark.parametrize(
    ("flows", "function", "blocked_extra"),
    [
        ([PING_FLOW], "ping", QUERY_LIBRARIES),
        ([JSONPATH_FLOW], "queried", {"elementpath"}),
        ([XPATH_FLOW], "xml_queried", {"jsonpath_rfc9535"}),
    ],
)
def test_s2_generated_code_runs_without_the_generator_or_unused_query_libraries(
    tmp_path: Path, flows: list[dict[str, Any]], function: str, blocked_extra: set[str]
) -> None:
    out = _generate_cli(
        tmp_path,
        {"flow.arazzo.yaml": arazzo(flows), "api.openapi.yaml": PING_API},
        "flow.arazzo.yaml",
        out="standalone_pkg",
    )
    blocked = {"generator", "yaml", "jinja2", "black", "openapi_spec_validator", *blocked_extra}
    (tmp_path / "blocker.py").write_text(_BLOCKER)
    body = "<r><ok/></r>" if function == "xml_queried" else {"ok": True}
    ctype = "application/xml" if function == "xml_queried" else "application/json"
    with Loopback(lambda seen: Answer(200, body, content_type=ctype)) as server:
        result = subprocess.run(
            [
                sys.executable,
                str(tmp_path / "blocker.py"),
                ",".join(sorted(blocked)),
                str(tmp_path),
                out.name,
                "flow",
                function,
                server.url,
            ],
            cwd="/",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert len(server.seen) == 1
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.strip().split(","))
    assert not loaded & blocked


def _distribution_closure(names: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = re.split(r"[ ;<>=!\[~(]", todo.pop(), maxsplit=1)[0].strip()
        key = name.lower().replace("_", "-")
        if not key or key in seen:
            continue
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        seen.add(key)
        for requirement in requires:
            if "extra ==" in requirement:
                continue
            marker = requirement.split(";", 1)[1] if ";" in requirement else ""
            if "python_version" in marker:
                # packaging is not a declared dependency: present or not, this stays clean
                from packaging.markers import Marker  # type: ignore[import-not-found, unused-ignore]

                if not Marker(marker).evaluate():
                    continue
            todo.append(requirement)
    return seen


def _minimal_environment(folder: Path, distributions: list[str]) -> Path:
    """A virtual environment holding only ``distributions`` (and what they require), linked from this one."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120
    )
    [site] = list(folder.glob("lib/python*/site-packages"))
    for dist in sorted(_distribution_closure(distributions)):
        for entry in importlib.metadata.distribution(dist).files or []:
            top = entry.parts[0]
            if top in ("..", "__pycache__") or (site / top).exists():
                continue
            source = Path(str(entry.locate())).resolve()
            while source.parent.name != "site-packages" and source.parent != source:
                source = source.parent
            if source.exists() and not (site / source.name).exists():
                (site / source.name).symlink_to(source)
    return folder / "bin" / "python"


MYPY_INPUTS = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string"},
        "count": {"type": "integer", "default": 2},
        "ratio": {"type": "number"},
        "flag": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "owner": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "integer"}, "label": {"type": "string"}},
        },
        "extra": {"type": "object"},
        "mood": {"enum": ["calm", "angry"]},
    },
}


def test_s2_mypy_strict_with_only_the_runtime_dependencies(tmp_path: Path) -> None:
    flow = {
        "workflowId": "typed",
        "inputs": MYPY_INPUTS,
        "steps": [
            {
                "stepId": "get",
                "operationId": "getItem",
                "parameters": [{"name": "id", "in": "path", "value": "$inputs.name"}],
                "successCriteria": [
                    {"context": "$response.body", "type": "jsonpath", "condition": "$.tags[0]"},
                    {"context": "$response.body", "type": "xpath", "condition": "//x"},
                ],
                "outputs": {"tags": "$response.body#/tags", "count": "$response.body#/count"},
            }
        ],
        "outputs": {"tags": "$steps.get.outputs.tags", "count": "$steps.get.outputs.count"},
    }
    _generate_cli(
        tmp_path,
        {"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": ITEMS_API},
        "flow.arazzo.yaml",
        out="typedpkg",
    )
    python = _minimal_environment(
        tmp_path / "venv", ["mypy", "httpx", "jsonschema", "jsonpath-rfc9535", "elementpath"]
    )
    probe = subprocess.run([str(python), "-c", "import yaml"], capture_output=True, text=True)
    assert (
        probe.returncode != 0
    ), "the minimal environment must not hold the generator's own dependencies"
    (tmp_path / "use.py").write_text(
        "from typedpkg import Client, StepFailedError\n"
        "from typedpkg.flow import typed, TypedResult\n"
        "def go() -> list[str] | None:\n"
        "    result: TypedResult = typed(name='x', owner={'id': 1}, mood='calm', client=Client())\n"
        "    return result.tags\n"
    )
    result = subprocess.run(
        [
            str(python),
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--python-version",
            "3.11",
            "typedpkg",
            "use.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ========================================================================================================
# Section 3: one function per workflow


def _echo_flow(
    workflow_id: str, properties: Mapping[str, Any], required: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    """A workflow that posts every input as a JSON member and returns the body the server echoes."""
    flow: dict[str, Any] = {
        "workflowId": workflow_id,
        "inputs": {
            "type": "object",
            "properties": dict(properties),
            **({"required": required} if required else {}),
        },
        "steps": [
            {
                "stepId": "send",
                "operationId": "ping",
                "requestBody": {
                    "contentType": "application/json",
                    "payload": {name: f"$inputs.{name}" for name in properties},
                },
                "outputs": {"body": "$response.body"},
            }
        ],
        "outputs": {"body": "$steps.send.outputs.body"},
    }
    flow.update(extra)
    return flow


def _echo(seen: Seen) -> Answer:
    return Answer(200, seen.json() if seen.body else {})


@pytest.mark.parametrize(
    ("workflow_id", "function", "result_class"),
    [
        ("backend-session-payload", "backend_session_payload", "BackendSessionPayloadResult"),
        ("getPetById", "get_pet_by_id", "GetPetByIdResult"),
        ("HTTPServer", "http_server", "HttpServerResult"),
        ("v2Token", "v2_token", "V2TokenResult"),
        ("2fa-login", "_2fa_login", None),
        ("import", "import_", "ImportResult"),
        ("match", "match", "MatchResult"),
        ("type", "type", "TypeResult"),
        ("none", "none", "NoneResult"),
        ("true", "true", "TrueResult"),
        ("a.b c", "a_b_c", "ABCResult"),
        ("naïve-flow", "na_ve_flow", "NaVeFlowResult"),
        ("---", "_", "Result"),
    ],
)
def test_s3_function_twin_and_result_class_names(
    generate: Generate, workflow_id: str, function: str, result_class: str | None
) -> None:
    gen = generate(
        {
            "flow.arazzo.yaml": arazzo([dict(PING_FLOW, workflowId=workflow_id)]),
            "api.openapi.yaml": PING_API,
        }
    )
    module = gen.modules["flow"]
    sync, twin = getattr(module, function), getattr(module, function + "_async")
    assert inspect.isfunction(sync) and not inspect.iscoroutinefunction(sync)
    assert inspect.iscoroutinefunction(twin)
    assert typing.get_type_hints(twin)["client"] == gen.rt.AsyncClient | None
    assert typing.get_type_hints(sync)["client"] == gen.rt.Client | None
    if result_class is not None:
        cls = getattr(module, result_class)
        assert typing.get_type_hints(sync)["return"] is cls
    with Loopback(lambda seen: Answer(200, {})) as server:
        result = sync(client=gen.rt.Client(base_url=server.url))
        assert (
            asyncio.run(twin(client=gen.rt.AsyncClient(base_url=server.url))).trace[0].workflow_id
            == workflow_id
        )
    assert result.trace[0].workflow_id == workflow_id


def test_s3_colliding_workflow_functions_are_numbered_in_document_order(generate: Generate) -> None:
    flows = [
        dict(PING_FLOW, workflowId="a-b"),
        dict(PING_FLOW, workflowId="a_b"),
        dict(PING_FLOW, workflowId="A.B"),
    ]
    gen = generate({"flow.arazzo.yaml": arazzo(flows), "api.openapi.yaml": PING_API})
    module = gen.modules["flow"]
    with Loopback(lambda seen: Answer(200, {})) as server:
        for function, workflow_id in (("a_b", "a-b"), ("a_b_2", "a_b"), ("a_b_3", "A.B")):
            assert (
                getattr(module, function)(client=gen.rt.Client(base_url=server.url))
                .trace[0]
                .workflow_id
                == workflow_id
            )
            twin = getattr(module, function + "_async")
            assert (
                asyncio.run(twin(client=gen.rt.AsyncClient(base_url=server.url)))
                .trace[0]
                .workflow_id
                == workflow_id
            )


def test_s3_result_class_names_are_not_taken_by_generated_typed_dicts(generate: Generate) -> None:
    inputs = {"type": "object", "properties": {"id": {"type": "string"}}}
    first = {
        "workflowId": "a",
        "inputs": inputs,
        "steps": [_get_item_step(outputs={"result": "$response.body"})],
        "outputs": {"r": "$steps.get.outputs.result"},
    }
    second = {"workflowId": "get", "inputs": inputs, "steps": [_get_item_step()]}
    gen = generate({"flow.arazzo.yaml": arazzo([first, second]), "api.openapi.yaml": ITEMS_API})
    module = gen.modules["flow"]
    assert typing.get_type_hints(module.get)["return"] is module.GetResult
    assert dataclasses.is_dataclass(module.GetResult)


def test_s3_input_names_keywords_reserved_and_collisions(generate: Generate) -> None:
    properties = {
        "petId": {"type": "string"},
        "import": {"type": "string"},
        "Import": {"type": "string"},
        "client": {"type": "string"},
        "type": {"type": "string"},
        "match": {"type": "string"},
        "case": {"type": "string"},
        "2fa": {"type": "string"},
        "HTTPServer": {"type": "string"},
        "x-y": {"type": "string"},
        "x_y": {"type": "string"},
        "class": {"type": "string"},
    }
    gen = generate(
        {
            "flow.arazzo.yaml": arazzo([_echo_flow("names", properties)]),
            "api.openapi.yaml": PING_API,
        }
    )
    expected = {
        "pet_id": "petId",
        "import_": "import",
        "import_2": "Import",
        "client_": "client",
        "type": "type",
        "match": "match",
        "case": "case",
        "_2fa": "2fa",
        "http_server": "HTTPServer",
        "x_y": "x-y",
        "x_y_2": "x_y",
        "class_": "class",
    }
    parameters = inspect.signature(gen.names).parameters
    assert set(parameters) == set(expected) | {"client"}
    assert list(parameters)[-1] == "client"
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())
    with Loopback(_echo) as server:
        result = gen.names(
            client=gen.rt.Client(base_url=server.url),
            **{name: f"v-{key}" for name, key in expected.items()},
        )
    assert result.body == {key: f"v-{key}" for key in expected.values()}


def test_s3_output_names_reserve_trace_and_number_collisions(generate: Generate) -> None:
    flow = _echo_flow(
        "outs",
        {"v": {"type": "string"}},
        outputs={
            "trace": "$steps.send.outputs.body",
            "Trace": "$inputs.v",
            "class": "$inputs.v",
            "petId": "$inputs.v",
            "pet_id": "$steps.send.outputs.body#/v",
            "match": "$inputs.v",
        },
    )
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PING_API})
    fields = [f.name for f in dataclasses.fields(gen.OutsResult)]
    assert sorted(fields) == sorted(
        ["trace_", "trace_2", "class_", "pet_id", "pet_id_2", "match", "trace"]
    )
    with Loopback(_echo) as server:
        result = gen.outs(v="x", client=gen.rt.Client(base_url=server.url))
    assert result.trace_ == {"v": "x"} and result.trace_2 == "x" and result.class_ == "x"
    assert (result.pet_id, result.pet_id_2, result.match) == ("x", "x", "x")
    assert isinstance(result.trace, tuple) and result.trace[0].step_id == "send"


def test_s3_a_workflow_named_like_another_workflows_twin_stays_callable(generate: Generate) -> None:
    flows = [dict(PING_FLOW, workflowId="x"), dict(PING_FLOW, workflowId="x-async")]
    gen = generate({"flow.arazzo.yaml": arazzo(flows), "api.openapi.yaml": PING_API})
    module = gen.modules["flow"]
    functions = {
        name: value
        for name, value in vars(module).items()
        if inspect.isfunction(value) and value.__module__ == module.__name__
    }
    with Loopback(lambda seen: Answer(200, {})) as server:
        ran: set[str] = set()
        for _name, function in functions.items():
            if inspect.iscoroutinefunction(function):
                result = asyncio.run(function(client=gen.rt.AsyncClient(base_url=server.url)))
            else:
                result = function(client=gen.rt.Client(base_url=server.url))
            ran.add(
                ("async " if inspect.iscoroutinefunction(function) else "sync ")
                + result.trace[0].workflow_id
            )
    assert ran == {"sync x", "async x", "sync x-async", "async x-async"}, sorted(functions)
    assert inspect.iscoroutinefunction(
        module.x_async
    )  # document order: x's twin claims the name first
    assert not inspect.iscoroutinefunction(module.x_async_2) and inspect.iscoroutinefunction(
        module.x_async_2_async
    )


def test_s3_an_input_named_like_a_module_level_name_works(generate: Generate) -> None:
    flow = _echo_flow("shadow", {"rt": {"type": "string"}})
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PING_API})
    with Loopback(_echo) as server:
        assert list(inspect.signature(gen.shadow).parameters) == ["rt_", "client"]
        result = gen.shadow(rt_="v", client=gen.rt.Client(base_url=server.url))
    assert result.body == {"rt": "v"}


def test_s3_optional_inputs_default_to_schema_default_else_none(generate: Generate) -> None:
    properties = {
        "need": {"type": "string"},
        "count": {"type": "integer", "default": 3},
        "ratio": {"type": "number", "default": 0.5},
        "flag": {"type": "boolean", "default": False},
        "opts": {"type": "object", "default": {"a": 1}},
        "note": {"type": "string"},
    }
    gen = generate(
        {
            "flow.arazzo.yaml": arazzo([_echo_flow("defaults", properties, ["need"])]),
            "api.openapi.yaml": PING_API,
        }
    )
    parameters = inspect.signature(gen.defaults).parameters
    assert parameters["need"].default is inspect.Parameter.empty
    assert (
        parameters["count"].default,
        parameters["ratio"].default,
        parameters["flag"].default,
    ) == (3, 0.5, False)
    assert parameters["opts"].default == {"a": 1} and parameters["note"].default is None
    assert parameters["client"].default is None
    with Loopback(_echo) as server:
        client = gen.rt.Client(base_url=server.url)
        first = gen.defaults(need="n", client=client)
        second = gen.defaults(need="n", note=None, client=client)
    assert first.body == {"need": "n", "count": 3, "ratio": 0.5, "flag": False, "opts": {"a": 1}}
    assert second.body == first.body  # note=None is absent: the member is left out
    assert parameters["opts"].default == {"a": 1}


def test_s3_required_inputs_have_no_default_even_with_a_schema_default(generate: Generate) -> None:
    flow = _echo_flow("req", {"mode": {"type": "string", "default": "fast"}}, ["mode"])
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PING_API})
    assert inspect.signature(gen.req).parameters["mode"].default is inspect.Parameter.empty
    with pytest.raises(TypeError):
        gen.req(client=gen.rt.Client(base_url="http://127.0.0.1:9"))


def test_s3_parameter_types_follow_the_json_schema(generate: Generate) -> None:
    properties = {
        "s": {"type": "string"},
        "i": {"type": "integer"},
        "n": {"type": "number"},
        "b": {"type": "boolean"},
        "ints": {"type": "array", "items": {"type": "integer"}},
        "nested": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
        "anything": {"type": "object"},
        "owner": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "mood": {"type": "string", "enum": ["calm", "angry"]},
        "level": {"type": "integer", "enum": [1, 2, 3]},
        "opt": {"type": "string"},
    }
    required = [name for name in properties if name != "opt"]
    gen = generate(
        {
            "flow.arazzo.yaml": arazzo([_echo_flow("typed", properties, required)]),
            "api.openapi.yaml": PING_API,
        }
    )
    hints = typing.get_type_hints(gen.typed)
    assert (hints["s"], hints["i"], hints["n"], hints["b"]) == (str, int, float, bool)
    assert hints["ints"] == list[int] and hints["nested"] == list[list[str]]
    assert hints["anything"] == dict[str, Any]
    owner = hints["owner"]
    assert typing.is_typeddict(owner)
    owner_hints = typing.get_type_hints(owner)
    assert owner_hints == {"id": int, "name": str}
    assert owner.__required_keys__ == frozenset({"id"}) and owner.__optional_keys__ == frozenset(
        {"name"}
    )
    assert hints["mood"] == Literal["calm", "angry"] and hints["level"] == Literal[1, 2, 3]
    assert hints["opt"] == str | None


def test_s3_inputs_schema_and_properties_by_ref(generate: Generate) -> None:
    flow = _echo_flow("reffed", {})
    flow["inputs"] = {"$ref": "#/components/inputs/order"}
    flow["steps"][0]["requestBody"]["payload"] = {"owner": "$inputs.owner", "qty": "$inputs.qty"}
    components = {
        "inputs": {
            "order": {
                "type": "object",
                "required": ["owner"],
                "properties": {
                    "owner": {"$ref": "#/components/inputs/owner"},
                    "qty": {"type": "integer"},
                },
            },
            "owner": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "integer"}},
            },
        }
    }
    gen = generate(
        {"flow.arazzo.yaml": arazzo([flow], components=components), "api.openapi.yaml": PING_API}
    )
    hints = typing.get_type_hints(gen.reffed)
    assert typing.is_typeddict(hints["owner"]) and hints["qty"] == int | None
    with Loopback(_echo) as server:
        client = gen.rt.Client(base_url=server.url)
        with pytest.raises(gen.rt.InputError) as missing:
            gen.reffed(owner={}, client=client)
        assert server.seen == []
        assert gen.reffed(owner={"id": 1}, client=client).body == {"owner": {"id": 1}}
    assert any("owner" in message for message in missing.value.errors)


def test_s3_result_is_a_frozen_dataclass_with_outputs_and_trace(generate: Generate) -> None:
    flow = {
        "workflowId": "fetch",
        "inputs": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
        "steps": [
            _get_item_step(
                outputs={
                    "count": "$response.body#/count",
                    "price": "$response.body#/price",
                    "ok": "$response.body#/ok",
                    "tags": "$response.body#/tags",
                    "meta": "$response.body#/meta",
                    "whole": "$response.body",
                    "url": "$url",
                }
            )
        ],
        "outputs": {
            "count": "$steps.get.outputs.count",
            "price": "$steps.get.outputs.price",
            "ok": "$steps.get.outputs.ok",
            "tags": "$steps.get.outputs.tags",
            "meta": "$steps.get.outputs.meta",
            "whole": "$steps.get.outputs.whole",
            "url": "$steps.get.outputs.url",
        },
    }
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": ITEMS_API})
    cls = gen.FetchResult
    frozen = (
        cls.__dataclass_params__.frozen
    )  # read before is_dataclass narrows cls to a protocol without it
    assert dataclasses.is_dataclass(cls) and frozen
    hints = typing.get_type_hints(cls)
    assert (
        hints["count"] == int | None
        and hints["price"] == float | None
        and hints["ok"] == bool | None
    )
    assert hints["tags"] == list[str] | None and hints["meta"] == dict[str, Any] | None
    assert hints["url"] is Any
    assert typing.get_origin(hints["trace"]) is tuple and typing.get_args(hints["trace"]) == (
        gen.rt.StepRecord,
        ...,
    )
    with Loopback(_item) as server:
        result = gen.fetch(id="i1", client=gen.rt.Client(base_url=server.url))
    assert (result.count, result.price, result.ok, result.tags, result.meta) == (
        3,
        1.5,
        True,
        ["a"],
        {"k": 1},
    )
    assert result.whole["id"] == "i1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.count = 4


def test_s3_input_errors_send_nothing_and_name_the_input(generate: Generate) -> None:
    properties = {
        "count": {"type": "integer"},
        "owner": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
        "mood": {"type": "string", "enum": ["calm", "angry"]},
        "tags": {"type": "array", "items": {"type": "string"}},
    }
    gen = generate(
        {
            "flow.arazzo.yaml": arazzo([_echo_flow("checked", properties, ["count"])]),
            "api.openapi.yaml": PING_API,
        }
    )
    cases: list[tuple[dict[str, Any], str]] = [
        ({"count": "1"}, "count"),
        ({"count": True}, "count"),
        ({"count": None}, "count"),
        ({"count": 1, "owner": {"name": "x"}}, "owner"),
        ({"count": 1, "owner": {"id": "x"}}, "owner"),
        ({"count": 1, "mood": "sleepy"}, "mood"),
        ({"count": 1, "tags": [1]}, "tags"),
    ]
    with Loopback(_echo) as server:
        for kwargs, name in cases:
            with pytest.raises(gen.rt.InputError) as error:
                gen.checked(client=gen.rt.Client(base_url=server.url), **kwargs)
            assert error.value.errors and any(name in message for message in error.value.errors), (
                kwargs,
                error.value.errors,
            )
            assert isinstance(error.value, ValueError) and isinstance(
                error.value, gen.rt.ArazzoError
            )
            with pytest.raises(gen.rt.InputError):
                asyncio.run(
                    gen.checked_async(client=gen.rt.AsyncClient(base_url=server.url), **kwargs)
                )
        with pytest.raises(TypeError):
            gen.checked(client=gen.rt.Client(base_url=server.url))
        assert server.seen == []


def test_s3_absent_values_omit_the_parameter_or_member_they_feed(generate: Generate) -> None:
    flow = {
        "workflowId": "absent",
        "inputs": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "q": {"type": "string"},
                "note": {"type": "string"},
                "pref": {"type": "string"},
            },
        },
        "steps": [
            _get_item_step(
                parameters=[
                    {"name": "id", "in": "path", "value": "$inputs.id"},
                    {"name": "q", "in": "query", "value": "$inputs.q"},
                    {"name": "X-Note", "in": "header", "value": "$inputs.note"},
                    {"name": "pref", "in": "cookie", "value": "$inputs.pref"},
                ],
                outputs={"missing": "$response.body#/nothing/here"},
            ),
            {
                "stepId": "post",
                "operationId": "createItem",
                "parameters": [],
                "requestBody": {
                    "contentType": "application/json",
                    "payload": {
                        "q": "$inputs.q",
                        "gone": "$steps.get.outputs.missing",
                        "deep": {"x": "$response.body#/nope"},
                        "kept": 1,
                    },
                },
            },
        ],
    }
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": ITEMS_API})
    with Loopback(lambda seen: _item(seen) if seen.method == "GET" else Answer(201, {})) as server:
        gen.absent(id="i1", client=gen.rt.Client(base_url=server.url))
        get, post = server.seen
    assert get.query == [] and "x-note" not in get.headers and "cookie" not in get.headers
    assert post.json() in ({"deep": {}, "kept": 1}, {"kept": 1})


def test_s3_outputs_of_steps_that_never_ran_are_none(generate: Generate) -> None:
    flow = {
        "workflowId": "short",
        "steps": [
            {
                "stepId": "first",
                "operationId": "ping",
                "onSuccess": [{"name": "stop", "type": "end"}],
                "outputs": {"s": "$statusCode"},
            },
            {
                "stepId": "second",
                "operationId": "ping",
                "outputs": {"s": "$statusCode", "body": "$response.body"},
            },
        ],
        "outputs": {
            "first": "$steps.first.outputs.s",
            "second": "$steps.second.outputs.s",
            "body": "$steps.second.outputs.body",
        },
    }
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PING_API})
    with Loopback(lambda seen: Answer(200, {})) as server:
        result = gen.short(client=gen.rt.Client(base_url=server.url))
    assert (result.first, result.second, result.body) == (200, None, None)


def test_s3_step_record_fields(generate: Generate) -> None:
    flow = {
        "workflowId": "recorded",
        "inputs": {"type": "object", "properties": {"id": {"type": "string"}}},
        "steps": [
            _get_item_step(
                parameters=[
                    {"name": "id", "in": "path", "value": "$inputs.id"},
                    {"name": "q", "in": "query", "value": "a b"},
                ],
                onFailure=[{"name": "again", "type": "retry", "retryLimit": 1}],
            )
        ],
    }
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": ITEMS_API})
    answers = [Answer(503, {}), Answer(200, {})]
    with Loopback(lambda seen: answers.pop(0)) as server:
        result = gen.recorded(id="i1", client=gen.rt.Client(base_url=server.url))
    assert [f.name for f in dataclasses.fields(gen.rt.StepRecord)] == [
        "workflow_id",
        "step_id",
        "attempt",
        "method",
        "url",
        "status_code",
        "elapsed",
    ]
    first, second = result.trace
    assert (first.workflow_id, first.step_id, first.attempt, first.method, first.status_code) == (
        "recorded",
        "get",
        1,
        "GET",
        503,
    )
    assert (second.attempt, second.status_code) == (2, 200)
    assert first.url in (f"{server.url}/items/i1?q=a%20b", f"{server.url}/items/i1?q=a+b")
    assert all(isinstance(r.elapsed, float) and r.elapsed >= 0 for r in result.trace)
    with Loopback() as server:
        dead = server.url
    with pytest.raises(gen.rt.StepFailedError) as failure:
        gen.recorded(id="i1", client=gen.rt.Client(base_url=dead, timeout=2))
    assert [r.status_code for r in failure.value.trace] == [None, None]


# ========================================================================================================
# Section 4: clients


@pytest.mark.parametrize("kind", ["Client", "AsyncClient"])
def test_s4_client_signatures(generate: Generate, kind: str) -> None:
    gen = generate({"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": PING_API})
    cls = getattr(gen.rt, kind)
    parameters = inspect.signature(cls).parameters
    expected = [
        ("base_url", inspect.Parameter.POSITIONAL_OR_KEYWORD, None),
        ("servers", inspect.Parameter.KEYWORD_ONLY, None),
        ("credentials", inspect.Parameter.KEYWORD_ONLY, None),
        ("headers", inspect.Parameter.KEYWORD_ONLY, None),
        ("timeout", inspect.Parameter.KEYWORD_ONLY, 30.0),
        ("http", inspect.Parameter.KEYWORD_ONLY, None),
    ]
    names = list(parameters)
    assert names[: len(expected)] == [name for name, _, _ in expected]
    for name, kind_, default in expected:
        assert parameters[name].kind is kind_ and parameters[name].default == default, name
    for extra in names[
        len(expected) :
    ]:  # extensions must not break calls written against the contract
        assert parameters[extra].kind is inspect.Parameter.KEYWORD_ONLY
        assert parameters[extra].default is not inspect.Parameter.empty
    hints = typing.get_type_hints(cls.__init__)
    assert hints["base_url"] == str | None and hints["timeout"] is float
    assert hints["http"] == (httpx.Client if kind == "Client" else httpx.AsyncClient) | None
    for name in ("servers", "credentials", "headers"):
        assert typing.get_origin(hints[name]) in (typing.Union, __import__("types").UnionType)


TWO_SOURCES_API_A = openapi(
    {"/a": {"get": {"operationId": "opA", "responses": {"200": {"description": "ok"}}}}}
)
TWO_SOURCES_API_B = openapi(
    {"/b": {"get": {"operationId": "opB", "responses": {"200": {"description": "ok"}}}}}
)
OTHER_SERVER_API_B = dict(TWO_SOURCES_API_B, servers=[{"url": "https://other.example.test"}])
TWO_SOURCES_FLOW = {
    "workflowId": "both",
    "steps": [
        {"stepId": "a", "operationId": "$sourceDescriptions.alpha.opA"},
        {"stepId": "b", "operationId": "$sourceDescriptions.beta.opB"},
    ],
}
TWO_SOURCES = [
    {"name": "alpha", "url": "a.openapi.yaml", "type": "openapi"},
    {"name": "beta", "url": "b.openapi.yaml", "type": "openapi"},
]


def test_s4_base_url_replaces_every_server_and_servers_wins(generate: Generate) -> None:
    gen = generate(
        {
            "flow.arazzo.yaml": arazzo([TWO_SOURCES_FLOW], sources=TWO_SOURCES),
            "a.openapi.yaml": TWO_SOURCES_API_A,
            "b.openapi.yaml": TWO_SOURCES_API_B,
        }
    )
    with (
        Loopback(lambda seen: Answer(200, {})) as first,
        Loopback(lambda seen: Answer(200, {})) as second,
    ):
        gen.both(client=gen.rt.Client(base_url=first.url))
        assert [s.path for s in first.seen] == ["/a", "/b"] and second.seen == []
        gen.both(client=gen.rt.Client(first.url, servers={"beta": second.url}))
        assert [s.path for s in first.seen] == ["/a", "/b", "/a"] and [
            s.path for s in second.seen
        ] == ["/b"]
        gen.both(client=gen.rt.Client(servers={"alpha": first.url, "beta": second.url}))
        assert [s.path for s in second.seen] == ["/b", "/b"]


def test_s4_servers_name_sources_of_a_referenced_arazzo_document(generate: Generate) -> None:
    child = arazzo(
        [{"workflowId": "child", "steps": [{"stepId": "b", "operationId": "opB"}]}],
        sources=[{"name": "beta", "url": "b.openapi.yaml", "type": "openapi"}],
    )
    parent = arazzo(
        [
            {
                "workflowId": "parent",
                "steps": [
                    {"stepId": "a", "operationId": "opA"},
                    {"stepId": "c", "workflowId": "$sourceDescriptions.kids.child"},
                ],
            }
        ],
        sources=[
            {"name": "alpha", "url": "a.openapi.yaml", "type": "openapi"},
            {"name": "kids", "url": "child.arazzo.yaml", "type": "arazzo"},
        ],
    )
    gen = generate(
        {
            "parent.arazzo.yaml": parent,
            "child.arazzo.yaml": child,
            "a.openapi.yaml": TWO_SOURCES_API_A,
            "b.openapi.yaml": TWO_SOURCES_API_B,
        },
        entry="parent.arazzo.yaml",
    )
    with (
        Loopback(lambda seen: Answer(200, {})) as first,
        Loopback(lambda seen: Answer(200, {})) as second,
    ):
        result = gen.parent(client=gen.rt.Client(first.url, servers={"beta": second.url}))
        assert [s.path for s in first.seen] == ["/a"] and [s.path for s in second.seen] == ["/b"]
    assert [(r.workflow_id, r.step_id) for r in result.trace] == [("parent", "a"), ("child", "b")]


def _shared_source_name(generate: Generate, api_b: dict[str, Any]) -> Generated:
    child = arazzo(
        [{"workflowId": "child", "steps": [{"stepId": "b", "operationId": "opB"}]}],
        sources=[{"name": "api", "url": "b.openapi.yaml", "type": "openapi"}],
    )
    parent = arazzo(
        [
            {
                "workflowId": "parent",
                "steps": [
                    {"stepId": "a", "operationId": "opA"},
                    {"stepId": "c", "workflowId": "$sourceDescriptions.kids.child"},
                ],
            }
        ],
        sources=[
            {"name": "api", "url": "a.openapi.yaml", "type": "openapi"},
            {"name": "kids", "url": "child.arazzo.yaml", "type": "arazzo"},
        ],
    )
    return generate(
        {
            "parent.arazzo.yaml": parent,
            "child.arazzo.yaml": child,
            "a.openapi.yaml": TWO_SOURCES_API_A,
            "b.openapi.yaml": api_b,
        },
        entry="parent.arazzo.yaml",
    )


@pytest.mark.parametrize(
    "api_b", [OTHER_SERVER_API_B, TWO_SOURCES_API_B], ids=["other-server", "same-server"]
)
def test_s4_a_source_name_of_a_referenced_document_is_scoped_to_it(
    generate: Generate, api_b: dict[str, Any]
) -> None:
    # "Source names are scoped to their document": "<module>.<name>" addresses one, the bare name both.
    gen = _shared_source_name(generate, api_b)
    with (
        Loopback(lambda seen: Answer(200, {})) as first,
        Loopback(lambda seen: Answer(200, {})) as second,
    ):
        result = gen.parent(
            client=gen.rt.Client(servers={"parent.api": first.url, "child.api": second.url})
        )
        assert [s.path for s in first.seen] == ["/a"] and [s.path for s in second.seen] == ["/b"]
        gen.parent(client=gen.rt.Client(servers={"api": first.url}))
        assert [s.path for s in first.seen] == ["/a", "/a", "/b"] and len(second.seen) == 1
        gen.parent(client=gen.rt.Client(servers={"api": first.url, "child.api": second.url}))
        assert [s.path for s in first.seen][3:] == ["/a"] and [s.path for s in second.seen] == [
            "/b",
            "/b",
        ]
    assert [(r.workflow_id, r.step_id) for r in result.trace] == [("parent", "a"), ("child", "b")]


def test_s4_a_source_name_shared_by_two_entry_documents_for_different_descriptions_is_scoped(
    generate: Generate,
) -> None:
    one = arazzo(
        [{"workflowId": "one", "steps": [{"stepId": "a", "operationId": "opA"}]}],
        sources=[{"name": "api", "url": "a.openapi.yaml", "type": "openapi"}],
    )
    two = arazzo(
        [{"workflowId": "two", "steps": [{"stepId": "b", "operationId": "opB"}]}],
        sources=[{"name": "api", "url": "b.openapi.yaml", "type": "openapi"}],
    )
    gen = generate(
        {
            "one.arazzo.yaml": one,
            "two.arazzo.yaml": two,
            "a.openapi.yaml": TWO_SOURCES_API_A,
            "b.openapi.yaml": OTHER_SERVER_API_B,
        }
    )
    with (
        Loopback(lambda seen: Answer(200, {})) as first,
        Loopback(lambda seen: Answer(200, {})) as second,
    ):
        client = gen.rt.Client(servers={"one.api": first.url, "two.api": second.url})
        gen.one(client=client), gen.two(client=client)
        assert [s.path for s in first.seen] == ["/a"] and [s.path for s in second.seen] == ["/b"]
        bare = gen.rt.Client(servers={"api": second.url})
        gen.one(client=bare), gen.two(client=bare)
        assert [s.path for s in second.seen] == ["/b", "/a", "/b"]


def test_s4_without_a_client_the_openapi_servers_are_used(generate: Generate) -> None:
    with Loopback(lambda seen: Answer(200, {"ok": True})) as server:
        api = dict(
            PING_API, servers=[{"url": server.url + "/v1"}, {"url": "http://127.0.0.1:9/unused"}]
        )
        gen = generate({"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": api})
        result = gen.ping()
        asyncio.run(gen.ping_async())
        assert [s.path for s in server.seen] == ["/v1/ping", "/v1/ping"]
    assert result.trace[0].url == f"{server.url}/v1/ping"


def test_s4_openapi_server_variables_take_their_defaults(generate: Generate) -> None:
    with Loopback(lambda seen: Answer(200, {})) as server:
        port = server.url.rsplit(":", 1)[1]
        api = dict(
            PING_API,
            servers=[
                {
                    "url": "http://127.0.0.1:{port}/{base}",
                    "variables": {
                        "port": {"default": port},
                        "base": {"default": "api", "enum": ["api", "beta"]},
                    },
                }
            ],
        )
        gen = generate({"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": api})
        gen.ping()
        assert [s.path for s in server.seen] == ["/api/ping"]


def test_s4_operation_and_path_servers_are_used_without_a_client(generate: Generate) -> None:
    # "without a client, the servers declared in the OpenAPI descriptions are used": an operation's own servers
    # win over its path item's, which win over the document's; base_url and servers still replace them all.
    with (
        Loopback(lambda seen: Answer(200, {})) as root,
        Loopback(lambda seen: Answer(200, {})) as own,
        Loopback(lambda seen: Answer(200, {})) as chosen,
    ):
        api = openapi(
            {
                "/op": {
                    "servers": [{"url": own.url + "/path-level"}],
                    "post": {
                        "operationId": "op",
                        "servers": [{"url": own.url + "/op-level"}],
                        "responses": {"200": {"description": "ok"}},
                    },
                },
                "/path": {
                    "servers": [{"url": own.url + "/path-level"}],
                    "post": {"operationId": "path", "responses": {"200": {"description": "ok"}}},
                },
                "/root": {
                    "post": {"operationId": "root", "responses": {"200": {"description": "ok"}}}
                },
            },
            servers=[{"url": root.url}],
        )
        flow = {
            "workflowId": "where",
            "steps": [{"stepId": name, "operationId": name} for name in ("op", "path", "root")],
        }
        gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
        gen.where()
        assert [s.path for s in own.seen] == ["/op-level/op", "/path-level/path"]
        assert [s.path for s in root.seen] == ["/root"]
        gen.where(client=gen.rt.Client(base_url=chosen.url))
        gen.where(client=gen.rt.Client(servers={"api": chosen.url}))
        assert [s.path for s in chosen.seen] == ["/op", "/path", "/root"] * 2
        assert len(own.seen) == 2 and len(root.seen) == 1


def test_s4_headers_go_with_every_request_of_every_source(generate: Generate) -> None:
    gen = generate(
        {
            "flow.arazzo.yaml": arazzo([TWO_SOURCES_FLOW], sources=TWO_SOURCES),
            "a.openapi.yaml": TWO_SOURCES_API_A,
            "b.openapi.yaml": TWO_SOURCES_API_B,
        }
    )
    with Loopback(lambda seen: Answer(200, {})) as server:
        gen.both(
            client=gen.rt.Client(
                base_url=server.url, headers={"X-Team": "blue", "User-Agent": "contract/1"}
            )
        )
        asyncio.run(
            gen.both_async(
                client=gen.rt.AsyncClient(base_url=server.url, headers={"X-Team": "blue"})
            )
        )
    assert [s.headers.get("x-team") for s in server.seen] == ["blue"] * 4
    assert [s.headers.get("user-agent") for s in server.seen[:2]] == ["contract/1"] * 2


def test_s4_context_managers_and_reuse_across_calls(generate: Generate) -> None:
    gen = generate({"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": PING_API})

    async def twice(url: str) -> int:
        async with gen.rt.AsyncClient(base_url=url) as client:
            assert isinstance(client, gen.rt.AsyncClient)
            first = await gen.ping_async(client=client)
            second = await gen.ping_async(client=client)
        return len(first.trace) + len(second.trace)

    with Loopback(lambda seen: Answer(200, {})) as server:
        with gen.rt.Client(base_url=server.url) as client:
            assert isinstance(client, gen.rt.Client)
            for _ in range(3):
                assert len(gen.ping(client=client).trace) == 1
        assert asyncio.run(twice(server.url)) == 2
        assert len(server.seen) == 5


def test_s4_one_client_shared_by_concurrent_calls_keeps_traces_apart(generate: Generate) -> None:
    flow = {
        "workflowId": "fetch",
        "inputs": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
        "steps": [
            _get_item_step(outputs={"id": "$response.body#/id"}),
            _get_item_step(stepId="again", outputs={"id": "$response.body#/id"}),
        ],
        "outputs": {"first": "$steps.get.outputs.id", "second": "$steps.again.outputs.id"},
    }
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": ITEMS_API})
    ids = [f"i{n}" for n in range(24)]

    async def gathered(url: str) -> list[Any]:
        async with gen.rt.AsyncClient(base_url=url) as client:
            return list(await asyncio.gather(*(gen.fetch_async(id=i, client=client) for i in ids)))

    with Loopback(_item) as server:
        with gen.rt.Client(base_url=server.url) as client, ThreadPoolExecutor(8) as pool:
            threaded = list(pool.map(lambda i: gen.fetch(id=i, client=client), ids))
        awaited = asyncio.run(gathered(server.url))
    for results in (threaded, awaited):
        for item_id, result in zip(ids, results):
            assert (result.first, result.second) == (item_id, item_id)
            assert [r.step_id for r in result.trace] == ["get", "again"]
            assert all(r.url.endswith(f"/items/{item_id}") for r in result.trace)


SECURED_API = openapi(
    {
        "/q": {
            "get": {
                "operationId": "q",
                "security": [{"queryKey": []}],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/h": {
            "get": {
                "operationId": "h",
                "security": [{"bearer": []}],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/b": {
            "get": {
                "operationId": "b",
                "security": [{"basic": []}],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
    components={
        "securitySchemes": {
            "queryKey": {"type": "apiKey", "in": "query", "name": "api_key"},
            "bearer": {"type": "http", "scheme": "bearer"},
            "basic": {"type": "http", "scheme": "basic"},
        }
    },
)
SECURED_FLOW = {
    "workflowId": "secured",
    "steps": [
        {"stepId": "q", "operationId": "q", "outputs": {"url": "$url"}},
        {"stepId": "h", "operationId": "h"},
        {
            "stepId": "b",
            "operationId": "b",
            "successCriteria": [{"condition": "$statusCode == 200"}],
        },
    ],
    "outputs": {"url": "$steps.q.outputs.url"},
}
SECURED_SECRETS = {"queryKey": "Qk-9f8e7d", "bearer": "Br-1a2b3c", "basic": "ann:Pw-4d5e6f"}


def test_s4_secrets_stay_out_of_logs(generate: Generate, caplog: pytest.LogCaptureFixture) -> None:
    gen = generate({"flow.arazzo.yaml": arazzo([SECURED_FLOW]), "api.openapi.yaml": SECURED_API})
    caplog.set_level(logging.DEBUG)
    with Loopback(lambda seen: Answer(200, {})) as server:
        result = gen.secured(client=gen.rt.Client(base_url=server.url, credentials=SECURED_SECRETS))
        asyncio.run(
            gen.secured_async(
                client=gen.rt.AsyncClient(base_url=server.url, credentials=SECURED_SECRETS)
            )
        )
        assert len(server.seen) == 6
    assert any("HTTP Request" in record.getMessage() for record in caplog.records)
    assert "api_key=Qk-9f8e7d" in result.url  # $url is as sent
    assert "Qk-9f8e7d" not in repr(result.trace)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("Qk-9f8e7d", "Br-1a2b3c", "Pw-4d5e6f"):
        assert secret not in logged, logged


def test_s4_secrets_stay_out_of_exceptions_and_repr(generate: Generate) -> None:
    gen = generate({"flow.arazzo.yaml": arazzo([SECURED_FLOW]), "api.openapi.yaml": SECURED_API})
    with Loopback(
        lambda seen: Answer(401 if seen.path == "/b" else 200, "denied", content_type="text/plain")
    ) as server:
        client = gen.rt.Client(base_url=server.url, credentials=SECURED_SECRETS)
        aclient = gen.rt.AsyncClient(base_url=server.url, credentials=SECURED_SECRETS)
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.secured(client=client)
        with pytest.raises(gen.rt.StepFailedError) as afailure:
            asyncio.run(gen.secured_async(client=aclient))
    import base64

    forms = [
        *SECURED_SECRETS.values(),
        base64.b64encode(SECURED_SECRETS["basic"].encode()).decode(),
        "Pw-4d5e6f",
    ]
    for error in (failure.value, afailure.value):
        assert error.body == "denied" and error.status_code == 401
        texts = [
            str(error),
            repr(error),
            repr(error.args),
            error.reason,
            repr(error.trace),
            repr(vars(error)),
            repr(client),
            repr(aclient),
        ]
        for text in texts:
            for form in forms:
                assert form not in text, text
        assert "api_key=***" in error.trace[0].url or "api_key=%2A%2A%2A" in error.trace[0].url


@pytest.mark.parametrize(
    "scheme",
    [
        {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "https://auth.example.test/token",
                    "scopes": {"read": "read"},
                }
            },
        },
        {
            "type": "openIdConnect",
            "openIdConnectUrl": "https://auth.example.test/.well-known/openid-configuration",
        },
    ],
)
def test_s4_credentials_for_oauth2_and_openid_schemes_are_applied(
    generate: Generate, scheme: dict[str, Any]
) -> None:
    # credentials are "applied to each operation that the scheme secures"; nothing is silently dropped (section 6)
    api = openapi(
        {
            "/p": {
                "get": {
                    "operationId": "p",
                    "security": [{"oauth": ["read"]}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        components={"securitySchemes": {"oauth": scheme}},
    )
    flow = {"workflowId": "w", "steps": [{"stepId": "s", "operationId": "p"}]}
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
    with Loopback(lambda seen: Answer(500, {})) as server:
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.w(client=gen.rt.Client(base_url=server.url, credentials={"oauth": "acc3ss-t0ken"}))
        assert server.seen[0].headers.get("authorization") == "Bearer acc3ss-t0ken"
    assert "acc3ss-t0ken" not in str(failure.value) + repr(failure.value.trace)


# ========================================================================================================
# Section 5: errors


def test_s5_step_failed_error_attributes_after_exhausted_retries(generate: Generate) -> None:
    flow = {
        "workflowId": "failing",
        "steps": [
            {"stepId": "first", "operationId": "ping"},
            {
                "stepId": "second",
                "operationId": "ping",
                "successCriteria": [{"condition": "$statusCode == 200"}],
                "onFailure": [
                    {
                        "name": "again",
                        "type": "retry",
                        "retryLimit": 2,
                        "criteria": [{"condition": "$statusCode == 503"}],
                    }
                ],
            },
        ],
    }
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PING_API})
    answers = [
        Answer(200, {}),
        Answer(503, {"error": "busy", "n": 1}, content_type="application/problem+json"),
        Answer(503, {"error": "busy"}),
        Answer(503, {"error": "still", "n": 3}, content_type="application/problem+json"),
    ]
    with Loopback(lambda seen: answers.pop(0)) as server:
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.failing(client=gen.rt.Client(base_url=server.url))
        assert len(server.seen) == 4
    error = failure.value
    assert isinstance(error, gen.rt.ArazzoError)
    assert (error.workflow_id, error.step_id, error.status_code, error.attempts) == (
        "failing",
        "second",
        503,
        3,
    )
    assert error.body == {"error": "still", "n": 3}
    assert isinstance(error.reason, str) and error.reason
    assert [(r.step_id, r.attempt, r.status_code) for r in error.trace] == [
        ("first", 1, 200),
        ("second", 1, 503),
        ("second", 2, 503),
        ("second", 3, 503),
    ]
    assert isinstance(error.trace, tuple)


def test_s5_failure_actions_end_and_goto_recover(generate: Generate) -> None:
    flow = {
        "workflowId": "recovering",
        "steps": [
            {
                "stepId": "a",
                "operationId": "ping",
                "onFailure": [
                    {
                        "name": "toC",
                        "type": "goto",
                        "stepId": "c",
                        "criteria": [{"condition": "$statusCode == 409"}],
                    },
                    {
                        "name": "stop",
                        "type": "end",
                        "criteria": [{"condition": "$statusCode == 410"}],
                    },
                ],
                "outputs": {"s": "$statusCode"},
            },
            {"stepId": "b", "operationId": "ping", "outputs": {"s": "$statusCode"}},
            {"stepId": "c", "operationId": "ping", "outputs": {"s": "$statusCode"}},
        ],
        "outputs": {
            "a": "$steps.a.outputs.s",
            "b": "$steps.b.outputs.s",
            "c": "$steps.c.outputs.s",
        },
    }
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PING_API})
    for first, steps, outputs in [
        (409, ["a", "c"], (None, None, 200)),
        (410, ["a"], (None, None, None)),
    ]:
        answers = [Answer(first, {}), Answer(200, {})]
        with Loopback(lambda seen: answers.pop(0)) as server:  # noqa: B023 - used in this iteration
            result = gen.recovering(client=gen.rt.Client(base_url=server.url))
        assert [r.step_id for r in result.trace] == steps
        assert (result.a, result.b, result.c) == outputs


def test_s5_transport_error_has_no_status_and_text_body_is_text(generate: Generate) -> None:
    gen = generate({"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": PING_API})
    with Loopback() as server:
        dead = server.url
    with pytest.raises(gen.rt.StepFailedError) as failure:
        gen.ping(client=gen.rt.Client(base_url=dead, timeout=2))
    assert (
        failure.value.status_code is None and failure.value.attempts == 1 and failure.value.reason
    )
    with Loopback(
        lambda seen: Answer(500, "<html>oops</html>", content_type="text/html")
    ) as server:
        with pytest.raises(gen.rt.StepFailedError) as text:
            gen.ping(client=gen.rt.Client(base_url=server.url))
    assert text.value.body == "<html>oops</html>" and text.value.status_code == 500


def test_s5_workflow_limit_error_attributes(generate: Generate) -> None:
    flow = {
        "workflowId": "spin",
        "steps": [
            {
                "stepId": "s",
                "operationId": "ping",
                "onSuccess": [{"name": "again", "type": "goto", "stepId": "s"}],
            }
        ],
    }
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PING_API})
    # requests answered by the step driver's pump (tests/driver_pump.py), not a server: 1000 of them
    scripted = scripted_client(gen, lambda sent: (200, {}))
    with pytest.raises(gen.rt.WorkflowLimitError) as limit:
        gen.spin(client=scripted)
    assert len(scripted.wire.sent) == 1000  # section 6: 1000 step attempts by default
    assert isinstance(limit.value, gen.rt.ArazzoError)
    assert (limit.value.workflow_id, limit.value.steps_run) == ("spin", 1000)


# ========================================================================================================
# Section 6: Arazzo semantics


@pytest.mark.parametrize(
    ("status", "ok"),
    [
        (200, True),
        (201, True),
        (204, True),
        (299, True),
        (302, False),
        (304, False),
        (400, False),
        (404, False),
        (500, False),
    ],
)
def test_s6_without_success_criteria_any_2xx_succeeds(
    generate: Generate, status: int, ok: bool
) -> None:
    gen = generate({"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": PING_API})
    body = b"" if status in (204, 304) else {}
    headers = {"Location": "/elsewhere"} if status == 302 else {}
    with Loopback(lambda seen: Answer(status, body, headers)) as server:
        if ok:
            assert (
                gen.ping(client=gen.rt.Client(base_url=server.url)).trace[0].status_code == status
            )
        else:
            with pytest.raises(gen.rt.StepFailedError) as failure:
                gen.ping(client=gen.rt.Client(base_url=server.url))
            assert failure.value.status_code == status
        assert len(server.seen) == 1


def test_s6_success_criteria_replace_the_2xx_rule(generate: Generate) -> None:
    flow = dict(
        PING_FLOW,
        steps=[dict(PING_FLOW["steps"][0], successCriteria=[{"condition": "$statusCode == 404"}])],
    )
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PING_API})
    with Loopback(lambda seen: Answer(404, {})) as server:
        assert gen.ping(client=gen.rt.Client(base_url=server.url)).trace[0].status_code == 404
    with Loopback(lambda seen: Answer(200, {})) as server:
        with pytest.raises(gen.rt.StepFailedError):
            gen.ping(client=gen.rt.Client(base_url=server.url))


def _criteria_outcomes(
    generate: Generate, criteria: list[dict[str, Any]], answer: Answer
) -> list[bool]:
    flows = [
        {
            "workflowId": f"c{i}",
            "steps": [{"stepId": "s", "operationId": "ping", "successCriteria": [criterion]}],
        }
        for i, criterion in enumerate(criteria)
    ]
    gen = generate({"flow.arazzo.yaml": arazzo(flows), "api.openapi.yaml": PING_API})
    outcomes = []
    with Loopback(lambda seen: answer) as server, gen.rt.Client(base_url=server.url) as client:
        for i in range(len(criteria)):
            try:
                getattr(gen, f"c{i}")(client=client)
                outcomes.append(True)
            except gen.rt.StepFailedError:
                outcomes.append(False)
    return outcomes


def test_s6_string_comparisons_are_case_insensitive(generate: Generate) -> None:
    answer = Answer(
        200,
        {
            "status": "OK",
            "mode": "FAST",
            "data": {"name": "Ünïcode Rex", "secure_id": "AbC"},
            "count": 3,
        },
        {"X-Mode": "Fast"},
    )
    cases = [
        ({"condition": "$response.header.X-Mode == $response.body#/mode"}, True),
        ({"condition": "$response.header.X-Mode != $response.body#/mode"}, False),
        ({"condition": "$response.body#/status == 'ok'"}, True),
        ({"condition": "$response.body#/status != 'ok'"}, False),
        ({"condition": "$response.body#/status == 'Ok'"}, True),
        ({"condition": "$response.header.X-Mode == 'FAST'"}, True),
        ({"condition": "$response.header.x-mode == 'fast'"}, True),
        ({"condition": "$response.body#/data/name == 'ÜNÏCODE REX'"}, True),
        ({"condition": "$response.body#/status == 'okay'"}, False),
        (
            {
                "context": "$response.body",
                "type": "jsonpath",
                "condition": "$.data.secure_id == 'abc'",
            },
            True,
        ),
        ({"context": "$response.body", "type": "jsonpath", "condition": "$.status != 'ok'"}, False),
    ]
    assert _criteria_outcomes(generate, [c for c, _ in cases], answer) == [e for _, e in cases]


def test_s6_jsonpath_root_is_the_context_value_and_query_comparisons(generate: Generate) -> None:
    answer = Answer(
        200,
        {
            "data": {
                "initializeSession": {"secure_id": "s1"},
                "items": [{"n": 1}, {"n": 5, "s": "x"}],
                "missing": None,
                "msg": "A == B",
            },
            "count": 3,
            "odd key": "V",
        },
    )
    cases: list[tuple[dict[str, Any], bool]] = [
        (
            {
                "context": "$response.body",
                "type": "jsonpath",
                "condition": "$.data.initializeSession.secure_id != null",
            },
            True,
        ),
        (
            {
                "context": "$response.body",
                "type": "jsonpath",
                "condition": "$.data.nothing.secure_id != null",
            },
            False,
        ),
        (
            {
                "context": "$response.body",
                "type": "jsonpath",
                "condition": "$.data.nothing == null",
            },
            True,
        ),
        ({"context": "$response.body", "type": "jsonpath", "condition": "$.count >= 3"}, True),
        ({"context": "$response.body", "type": "jsonpath", "condition": "$.count > 3"}, False),
        (
            {
                "context": "$response.body",
                "type": "jsonpath",
                "condition": "$.data.items[?@.n > 2]",
            },
            True,
        ),
        (
            {
                "context": "$response.body",
                "type": "jsonpath",
                "condition": "$.data.items[?@.n > 9]",
            },
            False,
        ),
        (
            {"context": "$response.body#/data", "type": "jsonpath", "condition": "$.items[1].n"},
            True,
        ),
        ({"context": "$response.body#/data", "type": "jsonpath", "condition": "$.data"}, False),
        (
            {
                "context": "$response.body#/data/items",
                "type": "jsonpath",
                "condition": "$[0].n == 1",
            },
            True,
        ),
        (
            {
                "context": "$response.body",
                "type": {"type": "jsonpath", "version": "draft-goessner-dispatch-jsonpath-00"},
                "condition": "$.count",
            },
            True,
        ),
        (
            {
                "context": "$response.body",
                "type": "jsonpath",
                "condition": "$.data.msg == 'a == b'",
            },
            True,
        ),
        (
            {"context": "$response.body", "type": "jsonpath", "condition": "$['odd key'] == 'v'"},
            True,
        ),
        (
            {
                "context": "$response.body",
                "type": "jsonpath",
                "condition": "$.data.items[?@.n == 5].s == 'X'",
            },
            True,
        ),
        (
            {
                "context": "$response.body",
                "type": "jsonpath",
                "condition": "$.data.items[?@.n == 7].s == null",
            },
            True,
        ),
    ]
    assert _criteria_outcomes(generate, [c for c, _ in cases], answer) == [e for _, e in cases]


def test_s6_xpath_root_is_the_document(generate: Generate) -> None:
    answer = Answer(
        200,
        "<order><id>7</id><lines><line sku='a'/></lines></order>",
        content_type="application/xml",
    )
    cases = [
        ({"context": "$response.body", "type": "xpath", "condition": "/order/id"}, True),
        (
            {
                "context": "$response.body",
                "type": "xpath",
                "condition": "/order/lines/line[@sku='a']",
            },
            True,
        ),
        ({"context": "$response.body", "type": "xpath", "condition": "/wrapper/order"}, False),
        ({"context": "$response.body", "type": "xpath", "condition": "//line[@sku='b']"}, False),
    ]
    assert _criteria_outcomes(generate, [c for c, _ in cases], answer) == [e for _, e in cases]


def test_s6_action_criteria_see_the_request_and_response(generate: Generate) -> None:
    api = openapi(
        {
            "/ping": {
                "post": {
                    "operationId": "ping",
                    "parameters": [{"name": "X-Try", "in": "header", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
    )
    flow = {
        "workflowId": "acting",
        "inputs": {"type": "object", "properties": {"try": {"type": "string"}}},
        "steps": [
            {
                "stepId": "a",
                "operationId": "ping",
                "parameters": [{"name": "X-Try", "in": "header", "value": "$inputs.try"}],
                "requestBody": {
                    "contentType": "application/json",
                    "payload": {"flag": "$inputs.try"},
                },
                "onSuccess": [
                    {
                        "name": "byHeader",
                        "type": "end",
                        "criteria": [{"condition": "$request.header.X-Try == 'stop'"}],
                    },
                    {
                        "name": "byBody",
                        "type": "end",
                        "criteria": [{"condition": "$request.body#/flag == 'halt'"}],
                    },
                    {
                        "name": "byMethod",
                        "type": "goto",
                        "stepId": "c",
                        "criteria": [
                            {"condition": "$method == 'POST'"},
                            {"condition": "$response.body#/skip == true"},
                        ],
                    },
                ],
            },
            {"stepId": "b", "operationId": "ping"},
            {"stepId": "c", "operationId": "ping"},
        ],
    }
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
    with Loopback(
        lambda seen: Answer(200, {"skip": bool(seen.body) and seen.json().get("flag") == "skip"})
    ) as server:
        client = gen.rt.Client(base_url=server.url)
        assert [r.step_id for r in gen.acting(try_="stop", client=client).trace] == ["a"]
        assert [r.step_id for r in gen.acting(try_="halt", client=client).trace] == ["a"]
        assert [r.step_id for r in gen.acting(try_="skip", client=client).trace] == ["a", "c"]
        assert [r.step_id for r in gen.acting(try_="go", client=client).trace] == ["a", "b", "c"]


def test_s6_depends_on_runs_once_per_call(generate: Generate) -> None:
    def flow(workflow_id: str, **extra: Any) -> dict[str, Any]:
        return {
            "workflowId": workflow_id,
            "inputs": {"type": "object", "properties": {"tag": {"type": "string"}}},
            "steps": [
                {
                    "stepId": "s",
                    "operationId": "ping",
                    "parameters": [{"name": "tag", "in": "query", "value": "$inputs.tag"}],
                }
            ],
            **extra,
        }

    base = flow("base")
    middle = flow("middle", dependsOn=["base"])
    top = flow("top", dependsOn=["base", "middle"])
    top["steps"] = [
        {
            "stepId": "sub",
            "workflowId": "middle",
            "parameters": [{"name": "tag", "value": "$inputs.tag"}],
        }
    ] + top["steps"]
    gen = generate({"flow.arazzo.yaml": arazzo([base, middle, top]), "api.openapi.yaml": PING_API})
    with Loopback(lambda seen: Answer(200, {})) as server:
        client = gen.rt.Client(base_url=server.url)
        first = gen.top(tag="t1", client=client)
        second = gen.top(tag="t2", client=client)
    assert [r.workflow_id for r in first.trace] == ["base", "middle", "middle", "top"]
    assert [r.workflow_id for r in second.trace] == ["base", "middle", "middle", "top"]
    assert [dict(s.query)["tag"] for s in server.seen] == ["t1"] * 4 + ["t2"] * 4


def test_s6_method_url_and_source_description_url(generate: Generate) -> None:
    api = openapi(
        {
            "/things/{id}": {
                "delete": {
                    "operationId": "drop",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "why", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {"204": {"description": "gone"}},
                },
                "patch": {
                    "operationId": "touch",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {"200": {"description": "ok"}},
                },
            }
        }
    )
    flow = {
        "workflowId": "verbs",
        "steps": [
            {
                "stepId": "drop",
                "operationId": "drop",
                "parameters": [
                    {"name": "id", "in": "path", "value": "a b/c"},
                    {"name": "why", "in": "query", "value": "x&y"},
                ],
                "outputs": {
                    "method": "$method",
                    "url": "$url",
                    "src": "$sourceDescriptions.the-api.url",
                },
            },
            {
                "stepId": "touch",
                "operationId": "touch",
                "parameters": [{"name": "id", "in": "path", "value": "1"}],
                "outputs": {"method": "$method"},
            },
        ],
        "outputs": {
            "drop": "$steps.drop.outputs.method",
            "touch": "$steps.touch.outputs.method",
            "url": "$steps.drop.outputs.url",
            "src": "$steps.drop.outputs.src",
        },
    }
    sources = [{"name": "the-api", "url": "./sub/../api.openapi.yaml", "type": "openapi"}]
    gen = generate(
        {
            "flow.arazzo.yaml": arazzo([flow], sources=sources),
            "api.openapi.yaml": api,
            "sub/.keep.yaml": "x: 1",
        }
    )
    with Loopback(
        lambda seen: Answer(
            204 if seen.method == "DELETE" else 200, b"" if seen.method == "DELETE" else {}
        )
    ) as server:
        result = gen.verbs(client=gen.rt.Client(base_url=server.url + "/"))
        raw_path = server.seen[0].path
    assert (result.drop, result.touch) == ("DELETE", "PATCH")
    assert result.src == "./sub/../api.openapi.yaml"
    assert result.url == result.trace[0].url
    assert result.url.startswith(server.url + "/things/a%20b%2Fc?why=x%26y")
    assert raw_path == "/things/a%20b%2Fc"


def test_s6_json_pointer_tails_on_every_root(generate: Generate) -> None:
    child = {
        "workflowId": "child",
        "inputs": {"type": "object", "properties": {"cfg": {"type": "object"}}},
        "steps": [
            {
                "stepId": "post",
                "operationId": "ping",
                "requestBody": {
                    "contentType": "application/json",
                    "payload": {"cfg": "$inputs.cfg", "list": [10, {"deep": "d"}]},
                },
                "outputs": {
                    "inPtr": "$inputs.cfg#/a/1",
                    "reqPtr": "$request.body#/list/1/deep",
                    "resPtr": "$response.body#/echo/cfg/a/0",
                    "whole": "$response.body",
                },
            }
        ],
        "outputs": {
            "whole": "$steps.post.outputs.whole",
            "inPtr": "$steps.post.outputs.inPtr",
            "reqPtr": "$steps.post.outputs.reqPtr",
            "resPtr": "$steps.post.outputs.resPtr",
        },
    }
    parent = {
        "workflowId": "parent",
        "inputs": {"type": "object", "properties": {"cfg": {"type": "object"}}},
        "steps": [
            {
                "stepId": "call",
                "workflowId": "child",
                "parameters": [{"name": "cfg", "value": "$inputs.cfg"}],
                "outputs": {"outPtr": "$outputs.whole#/echo/list/0", "whole": "$outputs.whole"},
            }
        ],
        "outputs": {
            "outPtr": "$steps.call.outputs.outPtr",
            "stepPtr": "$steps.call.outputs.whole#/echo/cfg/a/1",
            "wfPtr": "$workflows.child.outputs.whole#/echo/list/1/deep",
            "inPtr": "$workflows.child.outputs.inPtr",
            "reqPtr": "$workflows.child.outputs.reqPtr",
            "resPtr": "$workflows.child.outputs.resPtr",
            "tilde": "$inputs.cfg#/a~1b~0c",
        },
    }
    gen = generate({"flow.arazzo.yaml": arazzo([child, parent]), "api.openapi.yaml": PING_API})
    with Loopback(lambda seen: Answer(200, {"echo": seen.json()})) as server:
        result = gen.parent(
            cfg={"a": ["x", "y"], "a/b~c": "t"}, client=gen.rt.Client(base_url=server.url)
        )
    assert (result.out_ptr, result.step_ptr, result.wf_ptr) == (10, "y", "d")
    assert (result.in_ptr, result.req_ptr, result.res_ptr, result.tilde) == ("y", "d", "x", "t")


def test_s6_step_budget_counts_retries_and_sub_workflow_steps(generate: Generate) -> None:
    child = {"workflowId": "child", "steps": [{"stepId": "inner", "operationId": "ping"}]}
    looping = {
        "workflowId": "looping",
        "steps": [
            {
                "stepId": "outer",
                "workflowId": "child",
                "onSuccess": [{"name": "again", "type": "goto", "stepId": "outer"}],
            }
        ],
    }
    retrying = {
        "workflowId": "retrying",
        "steps": [
            {
                "stepId": "r",
                "operationId": "ping",
                "onFailure": [{"name": "again", "type": "retry", "retryLimit": 5000}],
            }
        ],
    }
    gen = generate(
        {"flow.arazzo.yaml": arazzo([child, looping, retrying]), "api.openapi.yaml": PING_API}
    )
    # requests answered by the step driver's pump (tests/driver_pump.py), not a server
    ok = scripted_client(gen, lambda sent: (200, {}))
    with pytest.raises(gen.rt.WorkflowLimitError) as loop:
        gen.looping(client=ok)
    assert len(ok.wire.sent) == 500  # every pass: the workflow step and the child's step
    assert loop.value.steps_run == 1000
    failing = scripted_client(gen, lambda sent: (500, {}))
    with pytest.raises(gen.rt.WorkflowLimitError) as retry:
        gen.retrying(client=failing)
    assert len(failing.wire.sent) == 1000 and failing.wire.sleeps == []
    assert retry.value.steps_run == 1000 and retry.value.workflow_id == "retrying"


TEXT_API = openapi(
    {
        "/ping": {
            "post": {
                "operationId": "ping",
                "requestBody": {
                    "content": {
                        "application/xml": {"schema": {"type": "string"}},
                        "text/plain": {"schema": {"type": "string"}},
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
)


def test_s6_xpath_replacement_target_is_an_unsupported_error(tmp_path: Path) -> None:
    flow = {
        "workflowId": "w",
        "steps": [
            {
                "stepId": "s",
                "operationId": "ping",
                "requestBody": {
                    "contentType": "application/xml",
                    "payload": "<a><b>1</b></a>",
                    "replacements": [{"target": "b/text()", "value": "2"}],
                },
            }
        ],
    }
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": TEXT_API})
    result = cli("generate", "flow.arazzo.yaml", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1 and not (tmp_path / "out").exists()
    [diag] = diagnostics(result.stderr)
    assert diag["rule"] == "unsupported" and diag["level"] == "error"
    line, _ = _node_position((tmp_path / "flow.arazzo.yaml").read_text(), "b/text()")
    assert int(diag["line"]) in (line, line - 1)


@pytest.mark.parametrize(
    ("content_type", "payload", "target"),
    [
        ("application/xml", "<a><b>1</b></a>", "//b/text()"),
        ("application/xml", "<a><b>1</b></a>", "/a/b"),
        ("text/plain", "hello", "/x"),
    ],
)
def test_s6_replacements_that_cannot_apply_are_reported(
    tmp_path: Path, content_type: str, payload: str, target: str
) -> None:
    flow = {
        "workflowId": "w",
        "steps": [
            {
                "stepId": "s",
                "operationId": "ping",
                "requestBody": {
                    "contentType": content_type,
                    "payload": payload,
                    "replacements": [{"target": target, "value": "2"}],
                },
            }
        ],
    }
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": TEXT_API})
    result = cli("generate", "flow.arazzo.yaml", "-o", "out", cwd=tmp_path)
    assert (
        result.returncode == 1
    ), "the replacement was accepted and is dropped when the request is sent"
    assert not (tmp_path / "out").exists()
    line, _ = _node_position((tmp_path / "flow.arazzo.yaml").read_text(), "replacements:")
    assert any(d["level"] == "error" and int(d["line"]) > line for d in diagnostics(result.stderr))


def test_s6_request_body_on_a_workflow_step_is_reported(tmp_path: Path) -> None:
    child = {"workflowId": "child", "steps": [{"stepId": "s", "operationId": "ping"}]}
    parent = {
        "workflowId": "parent",
        "steps": [
            {
                "stepId": "call",
                "workflowId": "child",
                "requestBody": {"contentType": "application/json", "payload": {"x": 1}},
            }
        ],
    }
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([child, parent]), "api.openapi.yaml": PING_API})
    result = cli("generate", "flow.arazzo.yaml", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1
    found = diagnostics(result.stderr)
    line, _ = _node_position((tmp_path / "flow.arazzo.yaml").read_text(), "requestBody")
    assert any(d["level"] == "error" and int(d["line"]) >= line for d in found)


# ========================================================================================================
# more of sections 3 and 4


def test_s3_output_types_follow_referenced_response_schemas(generate: Generate) -> None:
    api = openapi(
        {
            "/owners/{id}": {
                "get": {
                    "operationId": "getOwner",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {"200": {"$ref": "#/components/responses/OwnerResponse"}},
                }
            }
        },
        components={
            "responses": {
                "OwnerResponse": {
                    "description": "an owner",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Owner"}}
                    },
                }
            },
            "schemas": {
                "Owner": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
                    },
                },
                "Pet": {
                    "type": "object",
                    "properties": {
                        "age": {"type": "integer"},
                        "kind": {"type": "string", "enum": ["cat", "dog"]},
                    },
                },
            },
        },
    )
    flow = {
        "workflowId": "owner",
        "steps": [
            {
                "stepId": "get",
                "operationId": "getOwner",
                "parameters": [{"name": "id", "in": "path", "value": "o1"}],
                "outputs": {
                    "name": "$response.body#/name",
                    "age": "$response.body#/pets/0/age",
                    "kind": "$response.body#/pets/0/kind",
                },
            }
        ],
        "outputs": {
            "name": "$steps.get.outputs.name",
            "age": "$steps.get.outputs.age",
            "kind": "$steps.get.outputs.kind",
        },
    }
    gen = generate({"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
    hints = typing.get_type_hints(gen.OwnerResult)
    assert hints["name"] == str | None and hints["age"] == int | None
    assert hints["kind"] == Literal["cat", "dog"] | None
    with Loopback(
        lambda seen: Answer(200, {"name": "Ann", "pets": [{"age": 3, "kind": "cat"}]})
    ) as server:
        result = gen.owner(client=gen.rt.Client(base_url=server.url))
    assert (result.name, result.age, result.kind) == ("Ann", 3, "cat")


def test_s2_modules_from_unusual_names_are_black_formatted(tmp_path: Path) -> None:
    import black

    from generator.emit.writer import BLACK_MODE

    flows = [
        _echo_flow(
            "import",
            {
                "class": {"type": "string"},
                "x-y": {"type": "integer"},
                "client": {"type": "boolean"},
            },
        ),
        _echo_flow(
            "getHTTP2Server",
            {
                "o": {
                    "type": "object",
                    "properties": {
                        "a-b": {"type": "string"},
                        "c": {"type": "array", "items": {"enum": ["p", "q"]}},
                    },
                }
            },
        ),
    ]
    out = _generate_cli(
        tmp_path,
        {"Weird-Name.arazzo.yaml": arazzo(flows), "api.openapi.yaml": PING_API},
        "Weird-Name.arazzo.yaml",
    )
    for path in out.rglob("*.py"):
        text = path.read_text()
        assert black.format_str(text, mode=BLACK_MODE) == text, path


def test_s4_the_given_http_client_and_timeout_are_used(generate: Generate) -> None:
    import time

    gen = generate({"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": PING_API})
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={})

    async def handler_async(request: httpx.Request) -> httpx.Response:
        return handler(request)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        gen.ping(client=gen.rt.Client(base_url="http://mock.test", http=http))

    async def run_async() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler_async)) as http:
            await gen.ping_async(
                client=gen.rt.AsyncClient(base_url="http://mock.test/v2", http=http)
            )

    asyncio.run(run_async())
    assert seen == ["http://mock.test/ping", "http://mock.test/v2/ping"]

    import socket

    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        started = time.monotonic()
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.ping(
                client=gen.rt.Client(
                    base_url=f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.3
                )
            )
        assert time.monotonic() - started < 1.8
    assert failure.value.status_code is None


def test_s4_a_credential_echoed_by_the_server_stays_out_of_the_exception(
    generate: Generate,
) -> None:
    gen = generate({"flow.arazzo.yaml": arazzo([SECURED_FLOW]), "api.openapi.yaml": SECURED_API})
    with Loopback(
        lambda seen: Answer(
            401 if seen.path == "/b" else 200, {"rejected": seen.headers.get("authorization", "")}
        )
    ) as server:
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.secured(client=gen.rt.Client(base_url=server.url, credentials=SECURED_SECRETS))
    import base64

    assert base64.b64encode(SECURED_SECRETS["basic"].encode()).decode() not in repr(
        failure.value.body
    )


def test_s1_check_ignores_bytecode_caches_of_an_imported_package(tmp_path: Path) -> None:
    out = _generate_cli(
        tmp_path,
        {"flow.arazzo.yaml": arazzo([PING_FLOW]), "api.openapi.yaml": PING_API},
        "flow.arazzo.yaml",
        out="cachedpkg",
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    compiled = subprocess.run(
        [sys.executable, "-c", "import cachedpkg.flow"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert compiled.returncode == 0, compiled.stderr
    assert list(out.rglob("__pycache__"))
    check = cli("generate", "flow.arazzo.yaml", "-o", "cachedpkg", "--check", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    again = cli("generate", "flow.arazzo.yaml", "-o", "cachedpkg", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_s1_run_input_file_problems_are_input_errors(tmp_path: Path) -> None:
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([RUN_FLOW]), "api.openapi.yaml": PING_API})
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "broken.json").write_text("{")
    for args in (
        ["--inputs", "missing.json"],
        ["--inputs", "list.json"],
        ["--inputs", "broken.json"],
        ["--input", "n=1.5"],
    ):
        result = cli(
            "run",
            "flow.arazzo.yaml",
            "echo",
            *args,
            "--base-url",
            "http://127.0.0.1:9",
            cwd=tmp_path,
        )
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("version", ["1.0.0", "1.0.1"])
def test_s1_arazzo_1_0_x_with_openapi_3_0_json_descriptions(
    generate: Generate, version: str
) -> None:
    api = {
        "openapi": "3.0.3",
        "info": {"title": "Old API", "version": "1"},
        "servers": [{"url": "https://old.example.test"}],
        "paths": {
            "/pets/{id}": {
                "get": {
                    "operationId": "getPet",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "name": {"type": "string", "nullable": True}
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            }
        },
    }
    flow = {
        "workflowId": "old",
        "steps": [
            {
                "stepId": "get",
                "operationId": "getPet",
                "parameters": [{"name": "id", "in": "path", "value": 4}],
                "outputs": {"name": "$response.body#/name"},
            }
        ],
        "outputs": {"name": "$steps.get.outputs.name"},
    }
    doc = arazzo([flow], sources=[{"name": "old", "url": "old.openapi.json", "type": "openapi"}])
    doc["arazzo"] = version
    gen = generate({"flow.arazzo.yaml": doc, "old.openapi.json": json.dumps(api)})
    assert typing.get_type_hints(gen.OldResult)["name"] == str | None
    with Loopback(lambda seen: Answer(200, {"name": seen.path})) as server:
        assert gen.old(client=gen.rt.Client(servers={"old": server.url})).name == "/pets/4"


def test_s1_other_arazzo_versions_are_invalid(tmp_path: Path) -> None:
    # 1.1.x documents follow 1.1.0 (contract section 7, tests/test_arazzo11_versions.py)
    for version in ("1.2.0", "2.0.0", "0.9"):
        doc = arazzo([PING_FLOW])
        doc["arazzo"] = version
        _write(tmp_path, {"flow.arazzo.yaml": doc, "api.openapi.yaml": PING_API})
        result = cli("validate", "flow.arazzo.yaml", cwd=tmp_path)
        assert result.returncode == 1, version
        [diag] = [d for d in diagnostics(result.stderr) if d["level"] == "error"]
        assert (
            int(diag["line"])
            == _node_position((tmp_path / "flow.arazzo.yaml").read_text(), "arazzo:")[0]
        )


def test_s5_a_failing_child_workflow_keeps_the_whole_trace(generate: Generate) -> None:
    child = {
        "workflowId": "child",
        "steps": [
            {
                "stepId": "inner",
                "operationId": "ping",
                "successCriteria": [{"condition": "$statusCode == 200"}],
            }
        ],
    }
    parent = {
        "workflowId": "parent",
        "steps": [
            {"stepId": "first", "operationId": "ping"},
            {"stepId": "call", "workflowId": "child"},
            {"stepId": "never", "operationId": "ping"},
        ],
    }
    gen = generate({"flow.arazzo.yaml": arazzo([child, parent]), "api.openapi.yaml": PING_API})
    answers = [Answer(200, {}), Answer(418, {"teapot": True})]
    with Loopback(lambda seen: answers.pop(0)) as server:
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.parent(client=gen.rt.Client(base_url=server.url))
        assert len(server.seen) == 2
    error = failure.value
    assert [(r.workflow_id, r.step_id) for r in error.trace] == [
        ("parent", "first"),
        ("child", "inner"),
    ]
    assert (error.status_code, error.body, error.attempts) == (418, {"teapot": True}, 1)
    assert error.step_id in ("inner", "call")


def test_s1_run_prints_only_the_outputs_on_stdout_even_with_warnings(tmp_path: Path) -> None:
    flow = {
        "workflowId": "warned",
        "steps": [
            {
                "stepId": "ping",
                "operationId": "ping",
                "parameters": [{"name": "X-Extra", "in": "header", "value": "1"}],
                "outputs": {"status": "$statusCode", "nothing": "$response.body#/missing"},
            },
            {"stepId": "never", "operationId": "ping", "outputs": {"s": "$statusCode"}},
        ],
        "successActions": [{"name": "stop", "type": "end"}],
        "outputs": {
            "status": "$steps.ping.outputs.status",
            "nothing": "$steps.ping.outputs.nothing",
            "never": "$steps.never.outputs.s",
        },
    }
    _write(tmp_path, {"flow.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": PING_API})
    with Loopback(lambda seen: Answer(200, {"x": 1})) as server:
        result = script(
            "run", "flow.arazzo.yaml", "warned", "--server", f"api={server.url}", cwd=tmp_path
        )
        assert len(server.seen) == 1
    assert result.returncode == 0, result.stderr
    assert any(d["level"] == "warning" for d in diagnostics(result.stderr))
    assert json.loads(result.stdout) == {"status": 200, "nothing": None, "never": None}
