"""No traceback for a user's mistake, ever: seeded, bounded fuzzing of the whole pipeline.

Valid documents (the seed systems under specs/, the official examples under ../shared, a few inline
ones) and their OpenAPI descriptions get random structural edits at the value level and raw-text
damage; every run must end either in diagnostics (``PATH:LINE:COL: error|warning: MESSAGE [RULE]``)
or in a package whose modules compile. No exception may escape. Focused regression tests for each
crash the fuzzing found follow at the end.
"""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from environment import ROOT, SHARED_PRESENT
from generator import cli
from generator.diagnostics import Diagnostics
from generator.loading import positioned, refs
from generator.pipeline import generate_files

from fuzz.mutate import (  # noqa: E402 - the mutator lives beside its corpus
    _API,
    DIAGNOSTIC,
    Case,
    _describe,
    _dump,
    bundles,
    check_generation,
    make_case,
    write_case,
)

SEED = 20250611


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_bundles_are_valid_to_start_with(in_tmp: Path) -> None:
    pool = bundles()
    assert len(pool) >= (10 if SHARED_PRESENT else 7)  # the official examples are in ../shared
    outcomes = {}
    for index, bundle in enumerate(pool):
        case = Case(bundle, bundle.entry, bundle.files[bundle.entry].encode("utf-8"), "none")
        entry = write_case(case, in_tmp / str(index))
        outcomes[bundle.name] = check_generation(entry, in_tmp / str(index) / "out")
    # the inline documents exercise most of the generator: they generate a package
    assert outcomes["inline-flows"] == outcomes["inline-json"] == "generated"


FUZZ_CASES = 250
FUZZ_BUDGET_SECONDS = 35.0


def test_mutated_documents_never_crash(in_tmp: Path) -> None:
    """Seeded random edits: diagnostics or compiling modules, never an exception, within a time budget."""
    pool = bundles()
    rnd = random.Random(SEED)
    started = time.monotonic()
    outcomes: dict[str, int] = {}
    for index in range(FUZZ_CASES):
        case = make_case(rnd, pool)
        folder = in_tmp / f"case{index}"
        entry = write_case(case, folder)
        try:
            outcome = check_generation(entry, folder / "out")
        except AssertionError as exc:
            raise AssertionError(f"case {index}: {exc}\n{_describe(case)}") from None
        except BaseException as exc:  # noqa: BLE001 - the point of the test
            raise AssertionError(
                f"case {index}: {type(exc).__name__}: {exc}\n{_describe(case)}"
            ) from exc
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        shutil.rmtree(folder)
        if time.monotonic() - started > FUZZ_BUDGET_SECONDS:
            break
    assert outcomes.get("invalid", 0) > 0
    assert sum(outcomes.values()) >= 20, outcomes  # the time budget cuts a busy machine short


def test_cli_never_prints_a_traceback(in_tmp: Path) -> None:
    pool = bundles()
    rnd = random.Random(SEED + 1)
    for index in range(6):
        case = make_case(rnd, pool)
        folder = in_tmp / f"cli{index}"
        entry = write_case(case, folder)
        command = "validate" if index % 2 == 0 else "generate"
        extra = [] if command == "validate" else ["-o", str(folder / "pkg")]
        done = subprocess.run(
            [sys.executable, "-m", "generator", command, str(entry), *extra],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert done.returncode in (0, 1), (done.returncode, done.stderr, _describe(case))
        assert "Traceback" not in done.stderr, done.stderr
        for line in done.stderr.splitlines():
            assert DIAGNOSTIC.fullmatch(line) or line.startswith("arazzo-codegen: error:"), line
        if done.returncode == 1:
            assert done.stderr.strip()
            assert not (folder / "pkg").exists()


_RAW = {
    "empty.arazzo.yaml": b"",
    "junk.arazzo.yaml": bytes(range(256)),
    "latin1.arazzo.yaml": "arazzo: 1.0.1\ninfo: {title: caf\u00e9}\n".encode("latin-1"),
    "list.arazzo.yaml": b"- arazzo: 1.0.1\n",
    "scalar.arazzo.json": b'"arazzo"',
    "tabs.arazzo.yaml": b"arazzo: 1.0.1\ninfo:\n\ttitle: t\n",
    "cut.arazzo.json": b'{"arazzo": "1.0.1", "info": {"title": ',
    "alias.arazzo.yaml": b"arazzo: &a [*a]\n",
}


def test_cli_reports_unreadable_documents_in_one_run(in_tmp: Path) -> None:
    for name, content in _RAW.items():
        (in_tmp / name).write_bytes(content)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", *_RAW],
        capture_output=True,
        text=True,
        cwd=in_tmp,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert all(DIAGNOSTIC.fullmatch(line) for line in lines), done.stderr
    assert {line.split(":", 1)[0] for line in lines} == set(_RAW), done.stderr


# -- regressions: one per crash the fuzzing found ---------------------------------------------------


def _diagnose(folder: Path, files: dict[str, str | bytes], entry: str) -> tuple[bool, list[str]]:
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    diagnostics = Diagnostics()
    result = generate_files([entry], folder / "out", diagnostics)
    lines = [str(item) for item in diagnostics.sorted()]
    for line in lines:
        assert DIAGNOSTIC.fullmatch(line) and len(line.splitlines()) == 1, line
    return result is not None, lines


def _flows(payload: Any = None) -> str:
    step: dict[str, Any] = {"stepId": "s", "operationId": "putPet"}
    step["parameters"] = [{"name": "petId", "in": "path", "value": 1}]
    if payload is not None:
        step["requestBody"] = {"contentType": "application/json", "payload": payload}
    doc = {
        "arazzo": "1.0.1",
        "info": {"title": "t", "version": "1"},
        "sourceDescriptions": [{"name": "api", "url": "api.openapi.yaml", "type": "openapi"}],
        "workflows": [{"workflowId": "w", "steps": [step]}],
    }
    return _dump("flows.arazzo.yaml", doc)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "None"},  # jsonschema: UnknownType
        {"type": "object", "properties": []},  # jsonschema: AttributeError
        {"type": "object", "properties": {"name": {"pattern": "[unclosed"}}},  # re.error
    ],
)
def test_request_schema_that_is_not_json_schema(in_tmp: Path, schema: dict[str, Any]) -> None:
    """The literal body check skips a request schema the validator cannot apply; the OpenAPI
    description's findings name the broken schema."""
    api = copy.deepcopy(_API)
    api["components"]["schemas"]["Pet"] = schema
    ok, lines = _diagnose(
        in_tmp,
        {"flows.arazzo.yaml": _flows({"name": "Rex"}), "api.openapi.yaml": _dump("a.yaml", api)},
        "flows.arazzo.yaml",
    )
    assert not any("request-body" in line for line in lines), lines


def test_request_schema_check_still_reports_literal_mistakes(in_tmp: Path) -> None:
    ok, lines = _diagnose(
        in_tmp,
        {"flows.arazzo.yaml": _flows({"name": 5}), "api.openapi.yaml": _dump("a.yaml", _API)},
        "flows.arazzo.yaml",
    )
    assert not ok and any("request body /name: 5 is not of type 'string'" in x for x in lines)


def _nested(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels // 2):
        value = {"a": [value]}
    return value


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_deeply_nested_document_is_a_load_error(in_tmp: Path, suffix: str) -> None:
    """YAML's composer and json.loads recurse per level: RecursionError before; now a load error."""
    text = '{"arazzo": ' + "[" * 5000 + "]" * 5000 + "}"
    ok, lines = _diagnose(in_tmp, {f"deep.arazzo{suffix}": text}, f"deep.arazzo{suffix}")
    assert lines == [
        f"deep.arazzo{suffix}:1:1: error: the document is nested more than 100 levels deep [load]"
    ]


def test_nesting_within_the_limit_still_generates(in_tmp: Path) -> None:
    """A payload as deep as the limit allows becomes code Python still compiles (it allows 200 levels of
    brackets)."""
    (in_tmp / "flows.arazzo.yaml").write_text(_flows(_nested(94)), encoding="utf-8")
    (in_tmp / "api.openapi.yaml").write_text(_dump("a.yaml", _API), encoding="utf-8")
    assert check_generation(in_tmp / "flows.arazzo.yaml", in_tmp / "out") == "generated"
    ok, lines = _diagnose(in_tmp, {"f.arazzo.json": json.dumps(_nested(400))}, "f.arazzo.json")
    assert lines == [
        "f.arazzo.json:1:357: error: the document is nested more than 100 levels deep [load]"
    ]


def test_control_character_is_a_load_error_at_its_position(in_tmp: Path) -> None:
    """PyYAML's reader rejects control characters when the loader is made: ReaderError escaped."""
    ok, lines = _diagnose(
        in_tmp, {"x.arazzo.yaml": b"arazzo: 1.0.1\ninfo:\n  title: a\x01b\n"}, "x.arazzo.yaml"
    )
    assert lines == [
        "x.arazzo.yaml:3:11: error: invalid YAML: unacceptable character #x0001: "
        "special characters are not allowed [load]"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a recursive alias: RecursionError (or exponential work) before
        ("arazzo: &x [a, *x]\n", "1:9: error: a YAML alias refers to a node that contains it"),
        ("x: &x {a: *x, b: *x}\n", "1:4: error: a YAML alias refers to a node that contains it"),
        # a list or mapping as a key
        ("? [a, b]\n: c\n", "1:3: error: a mapping key must be a string, not a list or mapping"),
        # an alias bomb
        (
            "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
            + "".join(
                f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcdef", "bcdefg")
            ),
            "error: the document expands to more than 10000 values",
        ),
    ],
)
def test_hostile_yaml_aliases_are_load_errors(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    monkeypatch.setattr(positioned, "MAX_NODES", 10_000)
    ok, lines = _diagnose(in_tmp, {"x.arazzo.yaml": text}, "x.arazzo.yaml")
    assert (
        not ok and len(lines) == 1 and expected in lines[0] and lines[0].endswith("[load]")
    ), lines


def test_server_variables_that_are_not_a_mapping(in_tmp: Path) -> None:
    """default_server() called .items() on a list: AttributeError escaped."""
    api = copy.deepcopy(_API)
    api["servers"] = [{"url": "https://{region}.example.test", "variables": ["region"]}]
    ok, lines = _diagnose(
        in_tmp,
        {"flows.arazzo.yaml": _flows(), "api.openapi.yaml": _dump("a.yaml", api)},
        "flows.arazzo.yaml",
    )
    assert not ok and any("[openapi-valid]" in line for line in lines), lines


def test_line_breaks_in_a_diagnostic_are_escaped(in_tmp: Path) -> None:
    """A source url with a line break made a diagnostic span several lines."""
    flows = _flows().replace("url: api.openapi.yaml", 'url: "no\\nsuch\\u2028file.yaml"')
    assert "no\\nsuch" in flows
    ok, lines = _diagnose(in_tmp, {"flows.arazzo.yaml": flows}, "flows.arazzo.yaml")
    assert lines == [
        "flows.arazzo.yaml:7:8: error: file not found: no\\nsuch\\u2028file.yaml [load]"
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("\0nul.yaml", "embedded null byte"),  # Path.resolve(): ValueError escaped
        ("x" * 5000 + ".yaml", "File name too long"),  # Path.exists(): OSError escaped
    ],
    ids=["nul", "too-long"],
)
def test_source_url_the_system_refuses(in_tmp: Path, url: str, expected: str) -> None:
    flows = yaml.safe_load(_flows())
    flows["sourceDescriptions"][0]["url"] = url
    ok, lines = _diagnose(
        in_tmp, {"flows.arazzo.yaml": _dump("f.yaml", flows)}, "flows.arazzo.yaml"
    )
    assert not ok and lines[0].startswith("flows.arazzo.yaml:7:8: error: cannot read "), lines
    assert expected in lines[0] and lines[0].endswith("[load]")


def test_ref_to_a_file_name_with_a_nul_character(in_tmp: Path) -> None:
    flows = yaml.safe_load(_flows())
    flows["workflows"][0]["inputs"] = {"$ref": "inputs%00.yaml#/x"}
    ok, lines = _diagnose(
        in_tmp,
        {"flows.arazzo.yaml": _dump("f.yaml", flows), "api.openapi.yaml": _dump("a.yaml", _API)},
        "flows.arazzo.yaml",
    )
    assert not ok and any("embedded null byte" in line for line in lines), lines


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        # int() refuses more than 4300 digits: ValueError escaped from PyYAML and json.loads
        (
            "x.arazzo.yaml",
            "arazzo: " + "9" * 5000,
            "1:9: error: invalid YAML value: Exceeds the limit",
        ),
        (
            "x.arazzo.json",
            '{"arazzo": ' + "9" * 5000 + "}",
            "1:1: error: invalid JSON: Exceeds the limit",
        ),
        # a float that overflows has no Python literal in generated code
        ("x.arazzo.yaml", "arazzo: 1.0e+400", "1:9: error: infinity is not a JSON number"),
        ("x.arazzo.yaml", "arazzo: -.inf", "1:9: error: infinity is not a JSON number"),
    ],
)
def test_numbers_python_cannot_hold_exactly(
    in_tmp: Path, name: str, text: str, expected: str
) -> None:
    ok, lines = _diagnose(in_tmp, {name: text}, name)
    assert not ok and len(lines) == 1 and f"{name}:{expected}" in lines[0], lines


def _chain_api(count: int, fanout: int) -> dict[str, Any]:
    """Schemas S0 → S1 → ... → S<count> (a string), each referring to the next ``fanout`` times."""
    api = copy.deepcopy(_API)
    schemas = {
        f"S{i}": {
            "type": "object",
            "properties": {
                f"p{k}": {"$ref": f"#/components/schemas/S{i + 1}"} for k in range(fanout)
            },
        }
        for i in range(count)
    }
    schemas[f"S{count}"] = {"type": "string"}
    api["components"]["schemas"].update(schemas)
    api["components"]["requestBodies"]["Pet"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/S0"
    }
    return api


def test_long_reference_chain_is_inlined_up_to_the_depth_limit(in_tmp: Path) -> None:
    """300 schemas each referring to the next: _inline recursed per level (RecursionError); now the
    part deeper than the nesting limit is left unconstrained."""
    flows = yaml.safe_load(_flows({"p0": {"p0": {}}}))
    flows["workflows"][0]["inputs"] = {"$ref": "api.openapi.yaml#/components/schemas/S0"}
    files = {
        "flows.arazzo.yaml": _dump("f.yaml", flows),
        "api.openapi.yaml": _dump("a.yaml", _chain_api(300, 1)),
    }
    for name, text in files.items():
        (in_tmp / name).write_text(text, encoding="utf-8")
    assert check_generation(in_tmp / "flows.arazzo.yaml", in_tmp / "out") == "generated"


def test_shared_references_expand_within_a_budget(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each schema referring to the next twice expands to 2**40 nodes; inlining stops at the budget."""
    monkeypatch.setattr(refs, "MAX_INLINED", 500)
    doc = positioned.parse_positioned(
        _dump("a.yaml", _chain_api(40, 2)), in_tmp / "a.yaml", "a.yaml"
    )
    started = time.monotonic()
    schema = refs.inline(doc, {"$ref": "#/components/schemas/S0"}, lambda path: None)
    assert time.monotonic() - started < 5
    assert schema["properties"]["p0"]["properties"]["p0"]["type"] == "object"
    objects = len(json.dumps(schema).split("{")) - 1
    assert 100 <= objects <= 1000, objects


def test_invalid_utf8_is_reported_at_its_line_and_column(in_tmp: Path) -> None:
    text = 'arazzo: 1.0.1\ninfo:\n  title: "café \xff"\n'.encode("utf-8").replace(
        b"\xc3\xbf", b"\xff"
    )
    ok, lines = _diagnose(in_tmp, {"u.arazzo.yaml": text}, "u.arazzo.yaml")
    assert lines == [
        "u.arazzo.yaml:3:16: error: u.arazzo.yaml is not UTF-8 text: invalid start byte (bytes ff) [load]"
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b'tool = "x"\n',
            "no SPEC given and no [tool.arazzo-codegen] section",
        ),  # AttributeError: str.get
        (b'[tool.arazzo-codegen]\nspecs = ["caf\xe9"]\n', "cannot read: 'utf-8' codec"),
        (None, "cannot read: [Errno 21] Is a directory"),  # IsADirectoryError
    ],
    ids=["tool-not-a-table", "not-utf8", "directory"],
)
def test_unusable_pyproject_is_a_usage_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, expected: str
) -> None:
    if content is None:
        (in_tmp / "pyproject.toml").mkdir()
    else:
        (in_tmp / "pyproject.toml").write_bytes(content)
    assert cli.main(["generate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"arazzo-codegen: error: pyproject.toml: {expected}"), err


_SEND_LOG = [
    "send-log",
    "--input",
    "recordingUuid=u",
    "--input",
    "payload=p",
    "--input",
    "timestamp=1",
]


def test_run_with_a_folder_spec_finds_the_workflow(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """run imported the module named after the SPEC, so a folder raised ModuleNotFoundError."""
    shutil.copytree(ROOT / "specs" / "bugreplay", in_tmp / "bugreplay")
    code = cli.main(["run", "bugreplay", *_SEND_LOG, "--base-url", "http://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 1 and "workflow failed: step 'sendLog'" in err and "Connection refused" in err
    assert cli.main(["run", "bugreplay", "nope"]) == 2
    assert "no workflow 'nope' (known: send-exception, send-log)" in capsys.readouterr().err


def test_run_with_an_invalid_base_url(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """httpx.InvalidURL escaped from the request."""
    shutil.copytree(ROOT / "specs" / "bugreplay", in_tmp / "bugreplay")
    spec = "bugreplay/arazzo/bugreplay-fullstack-send.arazzo.yml"
    assert cli.main(["run", spec, *_SEND_LOG, "--base-url", ":::"]) == 2
    assert capsys.readouterr().err == (
        "arazzo-codegen: error: invalid URL: Relative URLs cannot have a path starting with ':'\n"
    )


def test_symlink_loops_as_a_source_and_as_the_output(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Path.resolve() raises RuntimeError on a symlink loop (Python < 3.13): it escaped from the
    workspace (a source url) and from the pipeline and the writer (-o)."""
    (in_tmp / "loop.yaml").symlink_to("loop.yaml")
    flows = _flows().replace("url: api.openapi.yaml", "url: loop.yaml")
    ok, lines = _diagnose(in_tmp, {"flows.arazzo.yaml": flows}, "flows.arazzo.yaml")
    assert lines == [
        f"flows.arazzo.yaml:7:8: error: cannot read loop.yaml: Symlink loop from "
        f"'{in_tmp.resolve() / 'loop.yaml'}' [load]"
    ]
    (in_tmp / "api.openapi.yaml").write_text(_dump("a.yaml", _API), encoding="utf-8")
    (in_tmp / "flows.arazzo.yaml").write_text(_flows(), encoding="utf-8")
    assert cli.main(["generate", "flows.arazzo.yaml", "-o", "loop.yaml"]) == 1
    assert "arazzo-codegen: error: [Errno 20] Not a directory" in capsys.readouterr().err
    assert (in_tmp / "loop.yaml").is_symlink()


def test_regex_future_warning_stays_out_of_the_output(in_tmp: Path) -> None:
    """re.compile('[[a]') warns 'Possible nested set': the warning reached stderr (and was an exception
    under -W error)."""
    flows = yaml.safe_load(_flows())
    flows["workflows"][0]["steps"][0]["successCriteria"] = [
        {"context": "$response.body", "condition": "[[robustness]", "type": "regex"}
    ]
    files = {"flows.arazzo.yaml": _dump("f.yaml", flows), "api.openapi.yaml": _dump("a.yaml", _API)}
    for name, text in files.items():
        (in_tmp / name).write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_generation(in_tmp / "flows.arazzo.yaml", in_tmp / "out") == "generated"
