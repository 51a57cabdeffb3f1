"""Arazzo 1.1 ``$self``: the document's base URI (RFC 3986 section 5) for relative source ``url``s, and the
value of the ``$self`` runtime expression. A source ``$self`` makes remote follows ``--allow-remote``; one it
keeps local (a ``file:`` result) is read from disk; ``$self`` compiles to the declared, resolved URI.
"""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generation import Generate
from generator.diagnostics import Diagnostics
from generator.loading.base_uri import declared_base, file_path, resolve
from generator.pipeline import generate_files
from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen

# RFC 3986 section 5.4: every reference resolved against the base "http://a/b/c/d;p?q"
RFC_BASE = "http://a/b/c/d;p?q"
RFC_NORMAL = [
    ("g:h", "g:h"),
    ("g", "http://a/b/c/g"),
    ("./g", "http://a/b/c/g"),
    ("g/", "http://a/b/c/g/"),
    ("/g", "http://a/g"),
    ("//g", "http://g"),
    ("?y", "http://a/b/c/d;p?y"),
    ("g?y", "http://a/b/c/g?y"),
    ("#s", "http://a/b/c/d;p?q#s"),
    ("g#s", "http://a/b/c/g#s"),
    ("g?y#s", "http://a/b/c/g?y#s"),
    (";x", "http://a/b/c/;x"),
    ("g;x", "http://a/b/c/g;x"),
    ("g;x?y#s", "http://a/b/c/g;x?y#s"),
    ("", "http://a/b/c/d;p?q"),
    (".", "http://a/b/c/"),
    ("./", "http://a/b/c/"),
    ("..", "http://a/b/"),
    ("../", "http://a/b/"),
    ("../g", "http://a/b/g"),
    ("../..", "http://a/"),
    ("../../", "http://a/"),
    ("../../g", "http://a/g"),
]
RFC_ABNORMAL = [
    ("../../../g", "http://a/g"),
    ("../../../../g", "http://a/g"),
    ("/./g", "http://a/g"),
    ("/../g", "http://a/g"),
    ("g.", "http://a/b/c/g."),
    (".g", "http://a/b/c/.g"),
    ("g..", "http://a/b/c/g.."),
    ("..g", "http://a/b/c/..g"),
    ("./../g", "http://a/b/g"),
    ("./g/.", "http://a/b/c/g/"),
    ("g/./h", "http://a/b/c/g/h"),
    ("g/../h", "http://a/b/c/h"),
    ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
    ("g;x=1/../y", "http://a/b/c/y"),
    ("g?y/./x", "http://a/b/c/g?y/./x"),
    ("g?y/../x", "http://a/b/c/g?y/../x"),
    ("g#s/./x", "http://a/b/c/g#s/./x"),
    ("g#s/../x", "http://a/b/c/g#s/../x"),
    ("http:g", "http:g"),  # strict parsers (section 5.4.2): a reference with a scheme is absolute
]


@pytest.mark.parametrize("reference, target", RFC_NORMAL + RFC_ABNORMAL)
def test_references_resolve_as_rfc_3986_section_5_4_says(reference: str, target: str) -> None:
    assert resolve(RFC_BASE, reference) == target


def test_a_relative_self_resolves_against_the_retrieval_uri(tmp_path: Path) -> None:
    doc = tmp_path / "flows" / "flow.arazzo.yaml"
    assert declared_base({"$self": "../specs/"}, "flows/flow.arazzo.yaml", doc) == (
        (tmp_path / "specs").resolve().as_uri() + "/"
    )
    fetched = "https://example.com/a/b/flow.yaml"
    assert declared_base({"$self": "../c/"}, fetched, doc) == "https://example.com/a/c/"
    assert declared_base({"$self": "https://x.test/"}, fetched, doc) == "https://x.test/"
    assert declared_base({}, fetched, doc) is None
    assert file_path("file:///tmp/a%20b/api.yaml") == Path("/tmp/a b/api.yaml")
    assert file_path("https://example.com/api.yaml") is None


API = openapi(
    {
        "/ping": {
            "get": {
                "operationId": "ping",
                "parameters": [{"name": "base", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
)
FLOW: dict[str, Any] = {
    "workflowId": "ping",
    "steps": [
        {
            "stepId": "ping",
            "operationId": "ping",
            "parameters": [{"name": "base", "in": "query", "value": "$self"}],
            "successCriteria": [{"condition": "$statusCode == 200"}],
        }
    ],
    "outputs": {"base": "$self"},
}


def _doc(self_uri: str, url: str) -> dict[str, Any]:
    doc = arazzo([FLOW], sources=[{"name": "api", "url": url, "type": "openapi"}])
    doc["arazzo"] = "1.1.0"
    doc["$self"] = self_uri
    return doc


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _run(module: Any, runtime: Any, url: str) -> tuple[Any, Any]:
    result = module.ping(client=runtime.Client(base_url=url))

    async def main() -> Any:
        async with runtime.AsyncClient(base_url=url) as client:
            return await module.ping_async(client=client)

    return result, asyncio.run(main())


def test_self_makes_a_relative_source_remote_only_with_allow_remote(tmp_path: Path) -> None:
    (tmp_path / "flow.arazzo.yaml").write_text(
        yaml.safe_dump(_doc("https://example.com/flows/", "api.yaml"), sort_keys=False)
    )
    (tmp_path / "api.yaml").write_text(
        yaml.safe_dump(API)
    )  # beside the document: not what $self names
    copy = _cli("validate", "flow.arazzo.yaml", cwd=tmp_path)
    assert copy.returncode == 0 and "Traceback" not in copy.stderr
    lines = (tmp_path / "flow.arazzo.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.strip() == "url: api.yaml")
    at = f"flow.arazzo.yaml:{line}:{lines[line - 1].index('api.yaml') + 1}"
    assert f"{at}: warning: remote source description 'https://example.com/flows/api.yaml'" in (
        copy.stderr
    )  # the same-named local copy is read, with the warning a remote url gets
    (tmp_path / "api.yaml").unlink()
    refused = _cli("validate", "flow.arazzo.yaml", cwd=tmp_path)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert (
        f"{at}: error: remote source description 'https://example.com/flows/api.yaml' is not "
        "fetched: pass --allow-remote" in refused.stderr
    )


def test_self_remote_source_is_fetched_with_allow_remote_and_the_package_runs(
    tmp_path: Path,
) -> None:
    served = yaml.safe_dump(API)

    def answer(seen: Seen) -> Answer:
        if seen.path == "/flows/api.yaml":
            return Answer(200, served, content_type="application/yaml")
        return Answer(200, {"ok": True})

    with Loopback(answer) as host:
        base = f"{host.url}/flows/"
        (tmp_path / "flow.arazzo.yaml").write_text(
            yaml.safe_dump(_doc(base, "api.yaml"), sort_keys=False)
        )
        package = "self_remote_pkg"
        result = _cli("generate", "flow.arazzo.yaml", "-o", package, "--allow-remote", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert [s.path for s in host.seen] == ["/flows/api.yaml"]
        sys.path.insert(0, str(tmp_path))
        try:
            module = importlib.import_module(f"{package}.flow")
            runtime = importlib.import_module(package)
        finally:
            sys.path.remove(str(tmp_path))
        sync, asynchronous = _run(module, runtime, host.url)
        assert (sync.base, asynchronous.base) == (base, base)
        assert [s.query for s in host.seen[1:]] == [[("base", base)], [("base", base)]]


def test_self_that_keeps_sources_local_and_its_expression_value(
    generate: Generate, tmp_path: Path
) -> None:
    (tmp_path / "specs").mkdir()
    source = (tmp_path / "specs" / "api.openapi.yaml").as_uri()
    # an absolute http(s) $self, an absolute file: source url: local, and $self is the declared URI
    gen = generate(
        {
            "flows.arazzo.yaml": _doc("https://example.com/flows/", source),
            "specs/api.openapi.yaml": API,
        }
    )
    with Loopback() as host:
        sync, asynchronous = _run(gen.modules["flows"], gen.rt, host.url)
        assert (sync.base, asynchronous.base) == ("https://example.com/flows/",) * 2
        assert [s.query for s in host.seen] == [[("base", "https://example.com/flows/")]] * 2


def test_a_relative_self_in_a_local_document_reads_local_sources(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "api.openapi.yaml").write_text(yaml.safe_dump(API))
    doc = _doc("specs/", "api.openapi.yaml")
    doc["workflows"][0] = {**FLOW, "outputs": {}}
    doc["workflows"][0]["steps"] = [{**FLOW["steps"][0], "parameters": []}]
    (tmp_path / "flow.arazzo.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    diagnostics = Diagnostics()
    out = generate_files([str(tmp_path / "flow.arazzo.yaml")], tmp_path / "out", diagnostics)
    assert out is not None, [str(d) for d in diagnostics.sorted()]
    assert str(tmp_path) not in "".join(out.values())  # no file: URI of this machine in the output
    # $self would be this machine's file: URI: a located unsupported error, nothing written
    (tmp_path / "flow.arazzo.yaml").write_text(yaml.safe_dump(_doc("specs/", "api.openapi.yaml")))
    diagnostics = Diagnostics()
    out = generate_files([str(tmp_path / "flow.arazzo.yaml")], tmp_path / "out2", diagnostics)
    assert out is None and not (tmp_path / "out2").exists()
    errors = [str(d) for d in diagnostics.sorted()]
    assert errors and all("$self is not supported yet here" in e for e in errors)
    assert all(e.endswith("[unsupported]") and ": error: " in e for e in errors)


def test_a_missing_file_self_names_is_a_located_load_error(tmp_path: Path) -> None:
    (tmp_path / "flow.arazzo.yaml").write_text(
        yaml.safe_dump(_doc("elsewhere/", "api.openapi.yaml"), sort_keys=False)
    )
    (tmp_path / "api.openapi.yaml").write_text(yaml.safe_dump(API))  # beside: not where $self says
    diagnostics = Diagnostics()
    out = generate_files([str(tmp_path / "flow.arazzo.yaml")], tmp_path / "out", diagnostics)
    assert out is None
    errors = [str(d) for d in diagnostics.sorted() if d.level == "error"]
    assert any("elsewhere" in e and "[load]" in e for e in errors), errors


def test_a_fetched_document_is_the_base_of_its_relative_sources(tmp_path: Path) -> None:
    """Without ``$self`` a fetched document's relative urls resolve against the URL it came from; with a
    relative ``$self``, against that resolved first; other schemes are located errors."""
    pets = _doc("../specs/", "api.yaml")
    pets["workflows"][0] = {**FLOW, "outputs": {}}
    pets["workflows"][0]["steps"] = [{**FLOW["steps"][0], "parameters": []}]
    plain = {**pets, "arazzo": "1.0.1"}
    del plain["$self"]
    served = {
        "/a/pets.arazzo.yaml": yaml.safe_dump(pets),
        "/a/plain.arazzo.yaml": yaml.safe_dump(plain),
        "/specs/api.yaml": yaml.safe_dump(API),
        "/a/api.yaml": yaml.safe_dump(API),
    }

    def answer(seen: Seen) -> Answer:
        if seen.path in served:
            return Answer(200, served[seen.path], content_type="application/yaml")
        return Answer(404, {})

    for name, fetched in (("pets", "/specs/api.yaml"), ("plain", "/a/api.yaml")):
        with Loopback(answer) as host:
            main = arazzo(
                [
                    {
                        "workflowId": "go",
                        "steps": [{"stepId": "go", "workflowId": "$sourceDescriptions.pets.ping"}],
                    }
                ],
                sources=[
                    {"name": "pets", "url": f"{host.url}/a/{name}.arazzo.yaml", "type": "arazzo"}
                ],
            )
            (tmp_path / "main.arazzo.yaml").write_text(yaml.safe_dump(main, sort_keys=False))
            result = _cli("validate", "main.arazzo.yaml", "--allow-remote", cwd=tmp_path)
            assert result.returncode == 0, result.stderr
            assert [s.path for s in host.seen] == [f"/a/{name}.arazzo.yaml", fetched]
    doc = _doc("https://example.com/", "urn:example:api")
    (tmp_path / "flow.arazzo.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    result = _cli("validate", "flow.arazzo.yaml", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "error: source description url 'urn:example:api' resolves to 'urn:example:api'" in (
        result.stderr
    )
    assert "[load]" in result.stderr


def test_self_in_a_1_0_document_is_still_a_structure_error(tmp_path: Path) -> None:
    doc = {**_doc("https://example.com/flows/", "api.openapi.yaml"), "arazzo": "1.0.1"}
    (tmp_path / "flow.arazzo.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    (tmp_path / "api.openapi.yaml").write_text(yaml.safe_dump(API))
    diagnostics = Diagnostics()
    out = generate_files([str(tmp_path / "flow.arazzo.yaml")], tmp_path / "out", diagnostics)
    assert out is None
    errors = [str(d) for d in diagnostics.sorted()]
    assert any("'$self' is new in Arazzo 1.1" in e and e.endswith("[structure]") for e in errors)
