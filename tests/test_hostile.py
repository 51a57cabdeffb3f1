"""Spec text full of quotes, backslashes, newlines, template braces, keywords and non-ASCII stays inside strings."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from inline import arazzo, openapi
from generation import Generate

CANARY = "__import__('os').system('echo pwned')"
NASTY = [
    "quote \" and ' and \"\"\" triple and ''' too",
    "back\\slash at the end\\",
    "new\nline\r\nand\ttab",
    "{{ jinja }} {% block %} {# note #}",
    "ünïcödé ✓ — 日本語",
    CANARY,
    '"""; ' + CANARY + '; """',
    "') or __import__('os') #",
]
HOSTILE_INPUTS: dict[str, dict[str, Any]] = {
    "class": {"type": "string", "description": NASTY[0], "default": NASTY[1]},
    "import": {"type": "string", "description": NASTY[2], "default": NASTY[6]},
    "Import": {"type": "string", "default": NASTY[3]},
    "client": {"type": "string", "default": NASTY[4]},
    'we"ird\nname': {"type": "string", "default": NASTY[7]},
    "trace": {"type": "object", "default": {'k"ey': [NASTY[5], 1, None, True]}},
    "ünï": {"type": "array", "items": {"type": "string"}, "default": NASTY},
    "2fast": {"type": "string", "enum": [NASTY[0], NASTY[5]], "default": NASTY[5]},
}


def _doc() -> dict[str, Any]:
    return arazzo(
        [
            {
                "workflowId": "class",
                "summary": NASTY[6],
                "description": "\n".join(NASTY),
                "inputs": {"type": "object", "properties": HOSTILE_INPUTS},
                "steps": [
                    {
                        "stepId": "st" + NASTY[0][:5],
                        "description": NASTY[6],
                        "operationId": "ping",
                        "parameters": [
                            {
                                "name": NASTY[7],
                                "in": "query",
                                "value": NASTY[5] + " {$inputs.import}",
                            }
                        ],
                        "requestBody": {
                            "contentType": "application/json",
                            "payload": {NASTY[6]: NASTY[2], "n": "$inputs.Import"},
                        },
                        "successCriteria": [
                            {
                                "condition": "$statusCode == 200 && $response.body#/x != '"
                                + NASTY[5].replace("'", "''")
                                + "'"
                            }
                        ],
                        "outputs": {
                            "trace": "$statusCode",
                            NASTY[3]: "$response.body#/x",
                            "trace ": "$response.body#/y",
                        },
                    }
                ],
                "outputs": {
                    NASTY[6]: "$inputs.class",
                    "trace": "$inputs.import",
                    "import": "$inputs.trace",
                },
            }
        ],
        info={"title": NASTY[6], "version": "1", "summary": NASTY[0], "description": NASTY[2]},
    )


def test_hostile_text_only_reaches_string_constants(generate: Generate) -> None:
    api = openapi(
        {"/ping": {"post": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}}
    )
    gen = generate({"hostile.arazzo.yaml": _doc(), "api.openapi.yaml": api})
    source = (gen.root / "hostile.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    constants = {
        id(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    # The canary may appear in the source only inside string constants: strip them and it must be gone.
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"__import__", "eval", "exec", "system"}
        if isinstance(node, ast.Name):
            assert node.id not in {"__import__", "os"}
        if isinstance(node, ast.Attribute):
            assert node.attr != "system"
    assert any(
        CANARY in node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) in constants
    )
    stripped = ast.unparse(_blank_strings(tree))
    assert CANARY not in stripped and "__import__" not in stripped and "system(" not in stripped

    function = gen.class_
    params = inspect.signature(function).parameters
    assert list(params) == [
        "class_",
        "import_",
        "import_2",
        "client_",
        "we_ird_name",
        "trace",
        "n",
        "_2fast",
        "client",
    ]
    defaults = {name: p.default for name, p in params.items() if name != "client"}
    assert list(defaults.values()) == [spec["default"] for spec in HOSTILE_INPUTS.values()]
    fields = list(inspect.signature(gen.ClassResult).parameters)
    assert fields == ["import_os_system_echo_pwned", "trace_", "import_", "trace"]


def _blank_strings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return tree


def test_hostile_workflow_runs(generate: Generate) -> None:
    from loopback import Answer, Loopback

    api = openapi(
        {"/ping": {"post": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}}
    )
    gen = generate({"hostile.arazzo.yaml": _doc(), "api.openapi.yaml": api})
    with Loopback(lambda seen: Answer(200, {"x": "ok", "y": 2})) as server:
        result = gen.class_(client=gen.rt.Client(base_url=server.url))
        seen = server.seen[0]
    assert seen.json() == {NASTY[6]: NASTY[2], "n": NASTY[3]}
    assert seen.query == [(NASTY[7], NASTY[5] + " " + NASTY[6])]
    assert result.import_os_system_echo_pwned == HOSTILE_INPUTS["class"]["default"]
    assert result.trace_ == NASTY[6]
    assert result.import_ == HOSTILE_INPUTS["trace"]["default"]


# -- hostile files: only regular files within the size limit are read; text must be UTF-8 ----------

import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
import yaml  # noqa: E402

from generator.diagnostics import Diagnostics  # noqa: E402
from generator.emit.writer import write_package  # noqa: E402
from generator.loading import positioned  # noqa: E402
from generator.loading.positioned import MAX_FILE_BYTES  # noqa: E402
from generator.pipeline import generate_files  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DIAGNOSTIC = re.compile(r"[^\n]+:\d+:\d+: (error|warning): [^\n]+ \[[a-z-]+\]")
BUDGET = 10.0  # seconds: the bound for every hostile input
PING = openapi(
    {"/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}}
)


def _flows(url: str = "api.openapi.yaml") -> dict[str, Any]:
    steps = [{"stepId": "s", "operationId": "ping"}]
    return arazzo(
        [{"workflowId": "w", "steps": steps}], [{"name": "api", "url": url, "type": "openapi"}]
    )


def _write(folder: Path, files: dict[str, Any]) -> None:
    for name, content in files.items():
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        elif isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")


def _generate_within_budget(folder: Path, entry: str) -> tuple[dict[str, str] | None, list[str]]:
    """generate_files in process, in a thread that must finish within BUDGET seconds."""
    diagnostics = Diagnostics()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["files"] = generate_files([entry], folder / "out", diagnostics)
        except BaseException as exc:  # noqa: BLE001 - reported below
            box["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(BUDGET)
    assert not thread.is_alive(), f"still loading after {BUDGET} s"
    assert "error" not in box, repr(box["error"])
    assert time.monotonic() - started < BUDGET
    lines = [str(item) for item in diagnostics.sorted()]
    for line in lines:
        assert DIAGNOSTIC.fullmatch(line), line
    return box["files"], lines


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "/dev/urandom", "folder", "too-big"])
def test_source_url_naming_something_not_readable(here: Path, kind: str) -> None:
    """A FIFO (would block for ever), an endless device (would fill memory), a folder and an
    oversized file are load errors at the ``url`` node that names them, within the time budget."""
    if kind == "fifo":
        os.mkfifo(here / "api.openapi.yaml")
    elif kind == "folder":
        (here / "api.openapi.yaml").mkdir()
    elif kind == "too-big":
        with open(here / "api.openapi.yaml", "wb") as sparse:  # 50 MB without writing them
            sparse.truncate(50 * 1024 * 1024)
    else:
        os.symlink(kind, here / "api.openapi.yaml")
    _write(here, {"flows.arazzo.yaml": _flows()})
    files, lines = _generate_within_budget(here, "flows.arazzo.yaml")
    expected = {
        "fifo": "is a named pipe (FIFO); only regular files are read",
        "/dev/zero": "is a device; only regular files are read",
        "/dev/urandom": "is a device; only regular files are read",
        "folder": "is a folder, not a file",
        "too-big": "is larger than 10 MiB, the limit for one document",
    }[kind]
    assert files is None
    assert lines[0].startswith("flows.arazzo.yaml:7:8: error: ") and expected in lines[0], lines
    assert lines[0].endswith("[load]")


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_ref_naming_something_not_readable(here: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(here / "schemas.yaml")
    else:
        os.symlink(kind, here / "schemas.yaml")
    api = json.loads(json.dumps(PING))
    api["paths"]["/ping"]["get"]["responses"]["200"] = {"$ref": "schemas.yaml#/Ok"}
    _write(here, {"flows.arazzo.yaml": _flows(), "api.openapi.yaml": api})
    files, lines = _generate_within_budget(here, "flows.arazzo.yaml")
    assert files is None and any("only regular files are read" in line for line in lines), lines


@pytest.mark.parametrize("limit", [MAX_FILE_BYTES, 100_000])
def test_document_at_the_size_limit_is_read_and_one_byte_more_is_not(
    here: Path, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    """At the real limit only the refusal is tried (parsing 10 MiB takes a while); a small limit
    shows that a document of exactly that size is read."""
    monkeypatch.setattr(positioned, "MAX_FILE_BYTES", limit)
    doc = json.dumps(_flows())
    padded = doc[:-1] + ', "x-pad": "' + "p" * (limit - len(doc) - 13) + '"}'
    assert len(padded.encode()) == limit
    _write(here, {"flows.arazzo.json": padded, "api.openapi.yaml": PING})
    if limit < MAX_FILE_BYTES:
        files, lines = _generate_within_budget(here, "flows.arazzo.json")
        assert files is not None and lines == [], lines
    _write(here, {"flows.arazzo.json": padded[:-1] + " }"})
    files, lines = _generate_within_budget(here, "flows.arazzo.json")
    size = "10 MiB" if limit == MAX_FILE_BYTES else f"{limit} bytes"
    assert files is None and lines == [
        f"flows.arazzo.json:1:1: error: flows.arazzo.json is larger than {size}, "
        "the limit for one document [load]"
    ]


_LONE = "\\ud800"  # as written in a document: an escape, the text itself is valid UTF-8


def _with_surrogate(where: str) -> dict[str, str]:
    """A JSON (json) or YAML document with a lone surrogate escape at ``where``."""
    flows = _flows()
    if where == "description":
        flows["info"]["description"] = "before MARK after"
    elif where == "value":
        flows["workflows"][0]["steps"][0]["parameters"] = [
            {"name": "q", "in": "query", "value": "MARK"}
        ]
    elif where == "key":
        flows["workflows"][0]["inputs"] = {"type": "object", "properties": {"MARK": {}}}
    text = json.dumps(flows, indent=2).replace("MARK", _LONE)
    return {"flows.arazzo.json": text, "flows.arazzo.yaml": text}


@pytest.mark.parametrize("suffix", ["json", "yaml"])
@pytest.mark.parametrize(
    ("where", "position"), [("description", "6:20"), ("value", "25:24"), ("key", "26:11")]
)
def test_lone_surrogate_is_a_load_error_at_its_node(
    here: Path, suffix: str, where: str, position: str
) -> None:
    name = f"flows.arazzo.{suffix}"
    _write(here, {name: _with_surrogate(where)[name], "api.openapi.yaml": PING})
    files, lines = _generate_within_budget(here, name)
    assert files is None
    assert lines == [
        f"{name}:{position}: error: the escape \\ud800 is a lone surrogate, not a Unicode "
        "character (generated code must be valid UTF-8) [load]"
    ]


def test_escaped_surrogate_pair_is_one_character(here: Path) -> None:
    flows = _flows()
    flows["info"]["description"] = "MARK"
    text = json.dumps(flows).replace("MARK", "smile \\ud83d\\ude00")
    _write(here, {"flows.arazzo.json": text, "api.openapi.yaml": PING})
    files, lines = _generate_within_budget(here, "flows.arazzo.json")
    assert files is not None and lines == []
    assert "smile \U0001f600" in files["flows.py"]
    write_package(files, here / "out")
    assert "smile \U0001f600" in (here / "out" / "flows.py").read_text(encoding="utf-8")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode("utf-8", "replace")
    return done


def test_lone_surrogate_through_the_cli(here: Path) -> None:
    _write(here, {"flows.arazzo.yaml": _with_surrogate("value")["flows.arazzo.yaml"]})
    _write(here, {"api.openapi.yaml": PING})
    for command in (["validate"], ["generate", "-o", "pkg"]):
        done = _cli(*command, "flows.arazzo.yaml", cwd=here)
        assert done.returncode == 1
        assert done.stderr.decode("utf-8").startswith("flows.arazzo.yaml:25:24: error: the escape")
    assert not (here / "pkg").exists()


def test_non_utf8_file_name(here: Path) -> None:
    """A file name that is not UTF-8 would make the generated header undecodable: a load error
    naming the file with the undecodable byte escaped, on one line, without a traceback."""
    name = os.fsdecode(b"flows\xff.arazzo.yaml")
    _write(here, {name: _flows(), "api.openapi.yaml": PING})
    files, lines = _generate_within_budget(here, name)
    assert files is None
    assert lines == [
        "flows\\udcff.arazzo.yaml:1:1: error: the file name 'flows\\udcff.arazzo.yaml' is not "
        "valid UTF-8 (generated code names its document) [load]"
    ]
    for spec in (name, "."):  # named, and found by searching a folder
        done = _cli("generate", spec, "-o", "pkg", cwd=here)
        assert done.returncode == 1, done.stderr
        assert done.stderr.decode("ascii").splitlines() == [
            f"{'./' if spec == '.' else ''}flows\\udcff.arazzo.yaml:1:1: error: the file name "
            f"'{'./' if spec == '.' else ''}flows\\udcff.arazzo.yaml' is not valid UTF-8 "
            "(generated code names its document) [load]"
        ]
        assert not (here / "pkg").exists()


def test_spec_path_with_glob_characters_is_taken_literally(here: Path) -> None:
    """An existing file named with ``[...]`` is that file; only a path that does not exist is a glob."""
    _write(here, {"flows[v1].arazzo.yaml": _flows(), "api.openapi.yaml": PING})
    _write(here, {"flowsv.arazzo.yaml": "arazzo: broken: [", "flows1.arazzo.yaml": "x: ["})
    done = _cli("validate", "flows[v1].arazzo.yaml", cwd=here)
    assert done.returncode == 0, done.stderr
    done = _cli("validate", "flow[s].arazzo.yaml", cwd=here)  # no such file: a glob, no match
    assert done.returncode == 1 and b"no file or folder matches" in done.stderr
    done = _cli("validate", "flows[1].arazzo.yaml", cwd=here)  # a glob matching flows1
    assert done.returncode == 1 and done.stderr.startswith(b"flows1.arazzo.yaml:1:")


def test_spec_that_is_not_a_regular_file(here: Path) -> None:
    """A SPEC naming a FIFO, a device or a symlink loop is a load error naming it, not 'no such file'."""
    os.mkfifo(here / "pipe.arazzo.yaml")
    os.symlink("loop.arazzo.yaml", here / "loop.arazzo.yaml")
    done = _cli("validate", "pipe.arazzo.yaml", "loop.arazzo.yaml", "/dev/zero", cwd=here)
    assert done.returncode == 1
    zero, loop, pipe = done.stderr.decode("utf-8").splitlines()
    assert zero == "/dev/zero:1:1: error: /dev/zero is a device; only regular files are read [load]"
    # the reason's wording depends on the Python version (Path.resolve() or open())
    assert loop.startswith("loop.arazzo.yaml:1:1: error: cannot read loop.arazzo.yaml: ")
    assert loop.endswith(" [load]")
    assert pipe == (
        "pipe.arazzo.yaml:1:1: error: pipe.arazzo.yaml is a named pipe (FIFO); only regular "
        "files are read [load]"
    )


def test_output_folder_name_that_is_not_utf8(here: Path) -> None:
    """Generating into a folder whose name is not UTF-8 works, and its name is printed escaped
    even where standard output is strict UTF-8."""
    _write(here, {"flows.arazzo.yaml": _flows(), "api.openapi.yaml": PING})
    out = os.fsdecode(b"pkg\xff")
    done = subprocess.run(
        [sys.executable, "-m", "generator", "generate", "flows.arazzo.yaml", "-o", out],
        capture_output=True,
        cwd=here,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8:strict"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("ascii").strip().endswith("files to pkg\\udcff")
    assert (here / out / "flows.py").is_file()


@pytest.mark.parametrize("text", ["lone \ud800 surrogate", "\udfff", 'quote """ \udc80'])
def test_escaping_keeps_generated_source_utf8(text: str) -> None:
    """Loading refuses lone surrogates; the two escaping functions would still write them as
    escapes, so generated source stays valid UTF-8 whatever reaches them."""
    from generator.codegen.literals import py_literal
    from generator.codegen.render import docstring

    for source in (py_literal(text), docstring(text)):
        source.encode("utf-8")
        assert ast.literal_eval(source) == text
