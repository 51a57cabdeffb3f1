"""A seeded mutator for the generator's input: valid documents get random structural edits at the
value level and raw-text damage, and every run must end in diagnostics
(``PATH:LINE:COL: error|warning: MESSAGE [RULE]``) or in a package whose modules compile.

tests/test_robustness.py runs a bounded number of cases on every test run. Run it by hand for
longer hunts; each crasher is saved as a folder that tests/fuzz/test_fuzz_corpus.py then replays
(reduce it by hand to the few lines that matter, and fix the cause):

    PYTHONPATH=. python tests/fuzz/mutate.py --seed 7 --iterations 3000 --save tests/fuzz/corpus
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Sequence
from typing import Any

import yaml

from generator.diagnostics import Diagnostics
from generator.pipeline import generate_files

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, when run by hand
from environment import EXAMPLES, ROOT  # noqa: E402 - the one place that locates ../shared

DIAGNOSTIC = re.compile(r"[^\n]+:\d+:\d+: (error|warning): [^\n]+ \[[a-z-]+\]")


# -- the valid documents ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bundle:
    """A set of documents (relative path → text) with one Arazzo entry document."""

    name: str
    files: dict[str, str]
    entry: str

    @property
    def sources(self) -> list[str]:
        """The documents the entry document refers to (OpenAPI and Arazzo source descriptions)."""
        entry = self.files[self.entry]
        return [p for p in self.files if p != self.entry and Path(p).name in entry]


def _is_openapi(text: str) -> bool:
    return re.search(r"""^["']?openapi["']?\s*:""", text, re.MULTILINE) is not None


def _folder_bundle(name: str, folder: Path, entry: Path) -> Bundle:
    files = {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".yaml", ".yml", ".json")
    }
    return Bundle(name, files, entry.relative_to(folder).as_posix())


_API: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Fuzz API", "version": "1.0.0"},
    "servers": [{"url": "https://{region}.api.example.test/v1", "variables": {"region": {"default": "eu"}}}],
    "security": [{"bearer": []}, {}],
    "paths": {
        "/pets/{petId}": {
            "parameters": [{"$ref": "#/components/parameters/PetId"}],
            "get": {
                "operationId": "getPet",
                "parameters": [
                    {"name": "fields", "in": "query", "style": "form", "explode": False,
                     "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                    {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {"$ref": "#/components/responses/Pet"},
                    "404": {"description": "missing"},
                },
            },
            "put": {
                "operationId": "putPet",
                "security": [{"key": []}],
                "requestBody": {"$ref": "#/components/requestBodies/Pet"},
                "responses": {"200": {"$ref": "#/components/responses/Pet"}},
            },
        },
        "/pets": {
            "post": {
                "operationId": "addPet",
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Pet"}},
                        "text/plain": {"schema": {"type": "string"}},
                    }
                },
                "responses": {"201": {"$ref": "#/components/responses/Pet"}},
            }
        },
    },
    "components": {
        "parameters": {
            "PetId": {"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}
        },
        "requestBodies": {
            "Pet": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}
        },
        "responses": {
            "Pet": {
                "description": "a pet",
                "headers": {"X-Rate": {"schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
            }
        },
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                    "status": {"type": "string", "enum": ["available", "sold"]},
                    "parent": {"$ref": "#/components/schemas/Pet"},
                },
            },
            "Tag": {"type": "object", "properties": {"label": {"type": ["string", "null"]}}},
        },
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "key": {"type": "apiKey", "in": "query", "name": "api_key"},
        },
    },
}  # fmt: skip

_CHILD: dict[str, Any] = {
    "arazzo": "1.0.1",
    "info": {"title": "Child", "version": "1"},
    "sourceDescriptions": [{"name": "api", "url": "api.openapi.yaml", "type": "openapi"}],
    "workflows": [
        {
            "workflowId": "fetchPet",
            "inputs": {"type": "object", "properties": {"id": {"type": "integer"}}},
            "steps": [
                {
                    "stepId": "get",
                    "operationId": "getPet",
                    "parameters": [{"name": "petId", "in": "path", "value": "$inputs.id"}],
                    "outputs": {"name": "$response.body#/name"},
                }
            ],
            "outputs": {"name": "$steps.get.outputs.name"},
        }
    ],
}

_FLOWS: dict[str, Any] = {
    "arazzo": "1.0.1",
    "info": {"title": "Fuzz flows", "summary": "s", "description": "d", "version": "1.0.0"},
    "sourceDescriptions": [
        {"name": "api", "url": "api.openapi.yaml", "type": "openapi"},
        {"name": "child", "url": "child.arazzo.yaml", "type": "arazzo"},
    ],
    "workflows": [
        {
            "workflowId": "adoptPet",
            "summary": "Adopt a pet",
            "inputs": {"$ref": "#/components/inputs/adoption"},
            "parameters": [{"reference": "$components.parameters.trace"}],
            "dependsOn": ["prepare"],
            "successActions": [{"reference": "$components.successActions.done"}],
            "failureActions": [{"reference": "$components.failureActions.again"}],
            "steps": [
                {
                    "stepId": "get",
                    "operationId": "$sourceDescriptions.api.getPet",
                    "parameters": [
                        {"name": "petId", "in": "path", "value": "$inputs.petId"},
                        {"name": "fields", "in": "query", "value": ["name", "tags"]},
                        {"name": "session", "in": "cookie", "value": "id-{$inputs.name}"},
                    ],
                    "successCriteria": [
                        {"condition": "$statusCode == 200"},
                        {"context": "$response.body", "condition": "^\\{", "type": "regex"},
                        {"context": "$response.body", "condition": "$.tags[?@.label == 'x']",
                         "type": "jsonpath"},
                        {"context": "$response.body", "condition": "//name",
                         "type": {"type": "xpath", "version": "xpath-30"}},
                    ],
                    "onSuccess": [
                        {"name": "sold", "type": "goto", "stepId": "update",
                         "criteria": [{"condition": "$response.body#/status == 'sold'"}]}
                    ],
                    "onFailure": [
                        {"name": "retry", "type": "retry", "retryAfter": 1.5, "retryLimit": 2},
                        {"name": "stop", "type": "end"},
                    ],
                    "outputs": {
                        "name": "$response.body#/name",
                        "tag": "$response.body#/tags/0/label",
                        "rate": "$response.header.X-Rate",
                        "everything": "$response.body",
                    },
                },
                {
                    "stepId": "update",
                    "operationPath": "{$sourceDescriptions.api.url}#/paths/~1pets~1{petId}/put",
                    "parameters": [{"name": "petId", "in": "path", "value": "$inputs.petId"}],
                    "requestBody": {
                        "contentType": "application/json",
                        "payload": {"name": "$steps.get.outputs.name", "tags": [{"label": "{$inputs.name}!"}],
                                    "status": "sold"},
                        "replacements": [{"target": "/tags/0/label", "value": "$inputs.name"}],
                    },
                    "successCriteria": [{"condition": "$statusCode == 200 && $response.body#/id > 0"}],
                    "outputs": {"id": "$response.body#/id"},
                },
                {
                    "stepId": "add",
                    "operationId": "addPet",
                    "requestBody": {"contentType": "application/x-www-form-urlencoded",
                                    "payload": {"name": "$inputs.name", "status": "available"}},
                },
                {
                    "stepId": "child",
                    "workflowId": "$sourceDescriptions.child.fetchPet",
                    "parameters": [{"name": "id", "value": "$steps.update.outputs.id"}],
                    "outputs": {"childName": "$outputs.name"},
                },
            ],
            "outputs": {
                "name": "$steps.get.outputs.name",
                "id": "$steps.update.outputs.id",
                "childName": "$steps.child.outputs.childName",
                "url": "$sourceDescriptions.api.url",
                "limit": "$components.parameters.trace#/value",
            },
        },
        {
            "workflowId": "prepare",
            "inputs": {"type": "object", "properties": {"petId": {"type": "integer", "default": 1}}},
            "steps": [
                {
                    "stepId": "peek",
                    "operationId": "getPet",
                    "parameters": [{"name": "petId", "in": "path", "value": "$inputs.petId"}],
                    "onSuccess": [{"name": "next", "type": "goto", "workflowId": "adoptPet"}],
                }
            ],
            "outputs": {"peeked": "$inputs.petId"},
        },
    ],
    "components": {
        "inputs": {
            "adoption": {
                "type": "object",
                "required": ["petId"],
                "properties": {
                    "petId": {"type": "integer", "minimum": 1},
                    "name": {"type": "string", "default": "Rex"},
                    "tags": {"type": "array", "items": {"type": "string"}, "default": []},
                    "mode": {"enum": ["a", "b", 3, None]},
                    "meta": {"type": "object", "additionalProperties": {"type": "number"}},
                },
            }
        },
        "parameters": {"trace": {"name": "X-Trace", "in": "header", "value": "fuzz"}},
        "successActions": {"done": {"name": "done", "type": "end"}},
        "failureActions": {
            "again": {"name": "again", "type": "retry", "retryAfter": 0, "retryLimit": 1,
                      "criteria": [{"condition": "$statusCode == 503"}]}
        },
    },
}  # fmt: skip


def _dump(name: str, data: Any) -> str:
    if name.endswith(".json"):
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if re.search("[\ud800-\udfff]", text):  # a lone surrogate: only as an escape
            text = json.dumps(data, indent=2)
        return text
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def _inline_bundles() -> list[Bundle]:
    api = _dump("api.openapi.yaml", _API)
    json_flows = copy.deepcopy(_CHILD)
    json_flows["sourceDescriptions"][0]["url"] = "api.openapi.json"
    return [
        Bundle(
            "inline-flows",
            {
                "flows.arazzo.yaml": _dump("flows.arazzo.yaml", _FLOWS),
                "child.arazzo.yaml": _dump("child.arazzo.yaml", _CHILD),
                "api.openapi.yaml": api,
            },
            "flows.arazzo.yaml",
        ),
        Bundle(
            "inline-json",
            {
                "child.arazzo.json": _dump("child.arazzo.json", json_flows),
                "api.openapi.json": _dump("api.openapi.json", _API),
            },
            "child.arazzo.json",
        ),
    ]


def bundles() -> list[Bundle]:
    found: list[Bundle] = []
    for entry in sorted((ROOT / "specs").glob("*/arazzo/*")):
        system = entry.parents[1]
        found.append(_folder_bundle(f"specs/{system.name}/{entry.name}", system, entry))
    for entry in sorted(EXAMPLES.glob("*.yaml")):
        if re.search(r"^arazzo\s*:", entry.read_text(encoding="utf-8"), re.MULTILINE):
            found.append(_folder_bundle(f"examples/{entry.name}", EXAMPLES, entry))
    return found + _inline_bundles()


def folder_bundles(root: Path, max_bytes: int = 2_000_000) -> list[Bundle]:
    """More seeds: every Arazzo document under ``root`` with the documents of its own folder (folders
    holding more than ``max_bytes`` of YAML/JSON, or text that is not UTF-8, are skipped)."""
    found: list[Bundle] = []
    for entry in sorted(root.rglob("*")):
        if entry.suffix not in (".yaml", ".yml", ".json") or not entry.is_file():
            continue
        try:
            head = entry.read_text(encoding="utf-8")[:4000]
            if not re.search(r"""^\s*\{?\s*["']?arazzo["']?\s*:""", head, re.MULTILINE):
                continue
            siblings = [
                p for p in entry.parent.rglob("*") if p.suffix in (".yaml", ".yml", ".json")
            ]
            if sum(p.stat().st_size for p in siblings if p.is_file()) > max_bytes:
                continue
            bundle = _folder_bundle(entry.relative_to(root).as_posix(), entry.parent, entry)
        except (OSError, UnicodeDecodeError):
            continue
        found.append(bundle)
    return found


# -- mutations --------------------------------------------------------------------------------------

_STRINGS = [
    "",
    "x" * 5000,
    "\"'\\\"\\'\"\"\"'''\\\\",
    "{$",
    "{$}",
    "{$inputs.",
    "{$steps.a.outputs.b",
    "$steps.",
    "$steps.get.outputs.",
    "$steps..outputs.x",
    "$inputs.",
    "$inputs.nope",
    "$inputs.petId.deeper",
    "$response.body#/",
    "$response.body#",
    "$response.header.",
    "$request.body#/a~2b",
    "$workflows.",
    "$workflows.x.outputs.y",
    "$sourceDescriptions.",
    "$sourceDescriptions.api.",
    "$components.",
    "$components.parameters.nope.value",
    "$statusCode ==",
    "$statusCode == 200 &&",
    "$statusCode == '",
    "((($statusCode",
    "#/",
    "#/paths/~1nope/get",
    "{$sourceDescriptions.api.url}#/paths",
    "{$sourceDescriptions.api.url}#/paths/%zz/get",
    "{$sourceDescriptions.nope.url}#/paths/~1pets/post",
    "[unclosed",
    "(?P<x",
    "$[?(@.a ==",
    "//*[",
    "ünïcödé ☃ \u202e\u200b 𝔘",
    "lone \ud800 surrogate",
    "\udfff",
    "pair \ud83d\ude00 joined",
    "\x00nul",
    "line\nbreak\r\n\ttab",
    "\"\"\" ''' {{ }} {% %} \\N{BULLET} \\u0000",
    "class",
    "__init__",
    "None",
    "1abc",
    "a-b c.d",
    "-",
    "_",
    ".",
    "..",
    "/",
    "nonexistent.yaml",
    "file://",
    "https://example.invalid/api.yaml",
    "~/x.yaml",
]

_SCHEMAS: list[Any] = [
    True,
    False,
    {"type": "strange"},
    {"type": ["integer", "string", "null"]},
    {"type": []},
    {"enum": []},
    {"enum": [1, "a", None, {"x": 1}, [2], 1.5, True]},
    {"const": {"a": [1, None]}},
    {"type": "array", "items": True},
    {"type": "array", "items": [{"type": "string"}]},
    {"type": "array", "prefixItems": [{"type": "string"}], "items": False},
    {"type": "object", "properties": [], "required": "x"},
    {"type": "object", "additionalProperties": {"$ref": "#/nowhere"}},
    {"allOf": [{"$ref": "#/components/inputs/nope"}]},
    {"anyOf": []},
    {"oneOf": [{"type": "string"}, {"type": "object", "properties": {"a": {"type": "integer"}}}]},
    {"$ref": "#/"},
    {"$ref": ""},
    {"$ref": 7},
    {"$ref": "#"},
    {"$ref": "#/workflows/0/inputs"},
    {"default": {"a": []}, "type": "integer"},
    {
        "type": "object",
        "properties": {
            "": {},
            "class": {"type": "string", "default": "x"},
            "a b": {"type": "integer", "default": "not a number"},
            "1": {},
            "fooBar": {},
            "foo_bar": {},
            "ünï": {},
            "None": {},
            "client": {},
            "x" * 300: {},
            "\"'\\": {"default": "\"'\\{$"},
        },
        "required": ["class", "missing", 3],
    },
]

_VALUES: list[Any] = [
    None, 0, -1, 1.5, 10**30, -(10**30), float("inf"), True, False, [], [1, "a"], {}, {"a": 1}
]  # fmt: skip

# Keys whose values get shape-changing replacements (Arazzo and OpenAPI).
_SHAPE_KEYS = {
    "parameters", "outputs", "successCriteria", "inputs", "components", "paths", "schema",
    "servers", "requestBody", "payload", "replacements", "onSuccess", "onFailure", "criteria",
    "successActions", "failureActions", "steps", "workflows", "sourceDescriptions", "dependsOn",
    "responses", "content", "properties", "items", "security", "securitySchemes", "variables",
    "type", "in", "value", "url", "name", "style", "explode", "required", "enum", "default",
    "operationId", "operationPath", "workflowId", "stepId", "context", "condition", "target",
    "contentType", "retryAfter", "retryLimit", "reference", "allOf", "anyOf", "oneOf", "$ref",
    "headers", "additionalProperties", "info", "arazzo", "openapi",
}  # fmt: skip


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    found = [(path, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _nodes(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _nodes(item, path + (index,))
    return found


def _weird(rnd: random.Random) -> Any:
    roll = rnd.random()
    if roll < 0.55:
        text = rnd.choice(_STRINGS)
        return text if rnd.random() < 0.7 else text + rnd.choice(_STRINGS)
    if roll < 0.8:
        return copy.deepcopy(rnd.choice(_VALUES))
    return copy.deepcopy(rnd.choice(_SCHEMAS))


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return doc


def _mutate_value(doc: Any, rnd: random.Random, openapi: bool) -> Any:
    """One structural edit of a parsed document."""
    nodes = _nodes(doc)
    path, node = rnd.choice(nodes)
    kind = rnd.random()
    if kind < 0.1 and isinstance(node, dict) and node:
        del node[rnd.choice(list(node))]
    elif kind < 0.18 and isinstance(node, list) and node:
        node.insert(rnd.randrange(len(node) + 1), copy.deepcopy(rnd.choice(node)))
    elif kind < 0.34:
        # a string leaf gets hostile text: the types stay valid, so the edit reaches deep
        leaves = [(p, v) for p, v in nodes if isinstance(v, str) and p]
        if leaves:
            leaf_path, _ = rnd.choice(leaves)
            doc = _set(doc, leaf_path, rnd.choice(_STRINGS))
    elif kind < 0.46:
        doc = _plausible(doc, rnd, nodes)
    elif kind < 0.62:
        # a well-known field changes shape
        keyed = [(p, v) for p, v in nodes if p and p[-1] in _SHAPE_KEYS]
        if keyed:
            key_path, value = rnd.choice(keyed)
            if isinstance(value, dict) and rnd.random() < 0.3:
                replaced: Any = list(value.values())
            elif isinstance(value, list) and rnd.random() < 0.3:
                replaced = {str(i): v for i, v in enumerate(value)}
            elif key_path[-1] in ("schema", "inputs", "items", "additionalProperties"):
                replaced = copy.deepcopy(rnd.choice(_SCHEMAS))
            else:
                replaced = _weird(rnd)
            doc = _set(doc, key_path, replaced)
    elif kind < 0.67 and isinstance(node, dict):
        node[rnd.choice(sorted(_SHAPE_KEYS) + _STRINGS[:12])] = _weird(rnd)
    elif kind < 0.72 and isinstance(node, dict) and node:
        # a key renamed to hostile text (order kept)
        old_key = rnd.choice(list(node))
        new_key = rnd.choice(_STRINGS)
        items = [(new_key if k == old_key else k, v) for k, v in node.items()]
        node.clear()
        node.update(items)
    elif openapi and kind < 0.9:
        doc = _mutate_openapi(doc, rnd, nodes)
    elif path:
        doc = _set(doc, path, _weird(rnd))
    return doc


_ENUMS: dict[str, list[Any]] = {
    "type": ["openapi", "arazzo", "simple", "regex", "jsonpath", "xpath", "end", "goto", "retry",
             "string", "object", "array", "integer", "number", "boolean", "null", "http", "apiKey",
             {"type": "jsonpath", "version": "draft-goessner-dispatch-jsonpath-00"},
             {"type": "xpath", "version": "xpath-10"}],
    "in": ["path", "query", "header", "cookie", "body"],
    "contentType": ["application/json", "application/x-www-form-urlencoded", "multipart/form-data",
                    "text/plain", "application/xml", "application/merge-patch+json", "*/*"],
    "style": ["form", "simple", "label", "matrix", "spaceDelimited", "pipeDelimited", "deepObject"],
    "explode": [True, False],
    "required": [True, False],
    "retryLimit": [0, 1, 5],
    "retryAfter": [0, 0.5, 2],
}  # fmt: skip


def _plausible(doc: Any, rnd: random.Random, nodes: list[tuple[tuple[Any, ...], Any]]) -> Any:
    """An edit that keeps the document's shape: another valid enum value, or a string (an id, an
    expression, a URL) copied from elsewhere in the document, so the edit passes structural checks.
    """
    enums = [p for p, _ in nodes if p and p[-1] in _ENUMS]
    if enums and rnd.random() < 0.4:
        at = rnd.choice(enums)
        return _set(doc, at, copy.deepcopy(rnd.choice(_ENUMS[str(at[-1])])))
    leaves = [(p, v) for p, v in nodes if isinstance(v, str) and p]
    if len(leaves) >= 2:
        (target, _), (_, value) = rnd.sample(leaves, 2)
        return _set(doc, target, value)
    return doc


def _mutate_openapi(doc: Any, rnd: random.Random, nodes: list[tuple[tuple[Any, ...], Any]]) -> Any:
    dicts = [(p, v) for p, v in nodes if isinstance(v, dict) and p]
    if not dicts or not isinstance(doc, dict):
        return doc
    path, _ = rnd.choice(dicts)
    roll = rnd.random()
    if roll < 0.3:
        target = rnd.choice(
            ["#/components/schemas/Nowhere", "#/nowhere/at/all", "missing.yaml#/x", "#/paths/~1x",
             "#/components/parameters/0", "#", "#/", "#components", "other.yaml", "./",
             "https://example.invalid/x.yaml#/a", "#/paths/%7B%7D/get", "#/info/title"]
        )  # fmt: skip
        return _set(doc, path, {"$ref": target})
    components = doc.setdefault("components", {})
    if not isinstance(components, dict):
        return doc
    if roll < 0.6:
        # a recursive reference: the node points at a schema that points back at itself
        components.setdefault("schemas", {})
        if isinstance(components["schemas"], dict):
            components["schemas"]["Loop"] = {"$ref": "#/components/schemas/Loop2"}
            components["schemas"]["Loop2"] = {"$ref": "#/components/schemas/Loop"}
        return _set(
            doc, path, {"$ref": rnd.choice(["#/components/schemas/Loop", "#" + _pointer(path)])}
        )
    # a reference to the node itself or to its parent (a loop through a path item or operation)
    return _set(doc, path, {"$ref": "#" + _pointer(path[: rnd.randint(0, len(path) - 1)])})


def _pointer(path: tuple[Any, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _mutate_text(text: str, rnd: random.Random) -> bytes:
    """Raw damage that a parser has to report."""
    data = text.encode("utf-8")
    roll = rnd.randrange(12)
    if roll == 0:
        return data[: rnd.randrange(len(data) + 1)]
    if roll == 1:
        at = rnd.randrange(len(data) + 1)
        return data[:at] + b"\t" + data[at:]
    if roll == 2:
        at = rnd.randrange(len(data) + 1)
        return data[:at] + rnd.choice([b"\xff\xfe", b"\xc3", b"\x80", b"\xed\xa0\x80"]) + data[at:]
    if roll == 3:
        return b""
    if roll == 4:
        return rnd.choice([b"- a\n- b\n", b"42\n", b"~\n", b"'just text'\n", b"[]", b"---\n...\n"])
    if roll == 5:
        lines = ["a: &a [x, x, x, x]"] + [
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
            for i in range(5)
        ]
        return ("\n".join(lines) + "\n").encode() + data
    if roll == 6:
        depth = rnd.choice([50, 500, 5000])
        return b"arazzo: " + b"[" * depth + b"]" * depth + b"\n"
    if roll == 7:
        return data + rnd.choice(
            [
                b"\n---\nsecond: doc\n",
                b"\n%YAML 1.1\n",
                b"\n: :\n",
                b"\x00",
                b"\nx-n: " + b"9" * 5000,
            ]
        )
    if roll == 8:
        return b"\xef\xbb\xbf" + data  # a byte order mark
    if roll == 9:
        return data.replace(b"\n", b"\r", rnd.randint(1, 20))
    if roll == 10:
        return rnd.choice(
            [b"x: &x {a: *x}\n", b"x: !!python/object:os.system {}\n", b"x: !!set {a, b}\n",
             b"x: !!python/object/apply:os.system [true]\n", b"x: !!binary aGk=\n"]
        ) + data  # fmt: skip
    # a lone surrogate escape, or a pair, in a string or a key (YAML and JSON alike)
    escape = rnd.choice([b"\\ud800", b"\\udfff", b"\\ud83d\\ude00", b"\\ude00\\ud83d"])
    if data.lstrip().startswith(b"{"):
        at = data.index(b"{") + 1
        member = rnd.choice([b'"x-k": "' + escape + b'", ', b'"' + escape + b'": 1, '])
        return data[:at] + member + data[at:]
    return data + rnd.choice([b'\nx-k: "' + escape + b'"\n', b'\n"' + escape + b'": 1\n'])


# -- running ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    bundle: Bundle
    mutated: str
    content: bytes
    how: str


def make_case(rnd: random.Random, pool: list[Bundle]) -> Case:
    # the inline documents use most features, so they are picked more often
    bundle = rnd.choices(pool, [3 if b.name.startswith("inline") else 1 for b in pool])[0]
    candidates = [bundle.entry] + bundle.sources
    name = rnd.choice(candidates) if rnd.random() < 0.75 else bundle.entry
    text = bundle.files[name]
    if rnd.random() < 0.15:
        return Case(bundle, name, _mutate_text(text, rnd), "text")
    data = yaml.safe_load(text)
    openapi = _is_openapi(text)
    for _ in range(rnd.choice([1, 1, 1, 2, 3])):
        data = _mutate_value(data, rnd, openapi)
    return Case(bundle, name, _dump(name, data).encode("utf-8"), "value")


def write_case(case: Case, folder: Path) -> Path:
    for name, text in case.bundle.files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(case.content if name == case.mutated else text.encode("utf-8"))
    return folder / case.bundle.entry


def check_generation(entry: Path, out: Path) -> str:
    """Run the pipeline in process; raise AssertionError (never anything else) on a broken promise."""
    diagnostics = Diagnostics()
    files = generate_files([str(entry)], out, diagnostics)
    for item in diagnostics.items:
        assert DIAGNOSTIC.fullmatch(str(item)) and len(str(item).splitlines()) == 1, repr(str(item))
    if files is None:
        assert diagnostics.has_errors, "no files and no error"
        return "invalid"
    assert not diagnostics.has_errors
    for name, source in files.items():
        if name.endswith(".py"):
            compile(ast.parse(source, filename=name), name, "exec")
    assert not out.exists(), "generate_files wrote something"
    return "generated"


def _describe(case: Case) -> str:
    shown = case.content[:3000].decode("utf-8", errors="replace")
    return f"{case.bundle.name}: {case.how} mutation of {case.mutated}:\n{shown}"


# -- by hand: a longer hunt that saves each crasher -----------------------------------------------


def hunt(
    seed: int, iterations: int, save: Path | None, budget: float, seeds: Sequence[Path] = ()
) -> int:
    """Run ``iterations`` cases from ``seed``; return the number of crashers (saved under ``save``)."""
    pool = bundles() + [b for root in seeds for b in folder_bundles(root)]
    print(f"{len(pool)} seed bundles", file=sys.stderr)
    rnd = random.Random(seed)
    started = time.monotonic()
    crashes = 0
    with tempfile.TemporaryDirectory(prefix="arazzo-fuzz-") as scratch:
        for index in range(iterations):
            try:
                case = make_case(rnd, pool)
            except (yaml.YAMLError, RecursionError, ValueError):  # a seed PyYAML cannot re-read
                continue
            folder = Path(scratch) / f"case{index}"
            entry = write_case(case, folder)
            try:
                check_generation(entry, folder / "out")
            except BaseException as exc:  # noqa: BLE001 - the point of the hunt
                if isinstance(exc, KeyboardInterrupt):
                    raise
                crashes += 1
                print(f"case {index}: {type(exc).__name__}: {exc}", file=sys.stderr)
                print("".join(traceback.format_exception(exc)[-3:]), file=sys.stderr)
                if save is not None:
                    kept = save / f"crash-{seed}-{index}"
                    shutil.rmtree(kept, ignore_errors=True)
                    shutil.copytree(folder, kept, ignore=shutil.ignore_patterns("out"))
                    print(f"saved {kept}", file=sys.stderr)
            shutil.rmtree(folder, ignore_errors=True)
            if (index + 1) % 100 == 0:
                print(f"{index + 1} cases, {crashes} crash(es)", file=sys.stderr, flush=True)
            if time.monotonic() - started > budget:
                print(f"time budget spent after {index + 1} cases", file=sys.stderr)
                break
    return crashes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=1, help="random seed (cases are reproducible)")
    parser.add_argument("--iterations", type=int, default=1000, help="number of mutated cases")
    parser.add_argument("--save", type=Path, help="folder to copy each crashing case into")
    parser.add_argument("--budget", type=float, default=3600.0, help="stop after this many seconds")
    parser.add_argument(
        "--seeds",
        type=Path,
        action="append",
        default=[],
        help="a folder of more valid documents to mutate (e.g. a collection of public ones)",
    )
    args = parser.parse_args(argv)
    crashes = hunt(args.seed, args.iterations, args.save, args.budget, args.seeds)
    print(f"{crashes} crash(es)")
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
