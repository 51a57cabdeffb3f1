"""No traceback for a user's mistake, ever: seeded, bounded fuzzing of the whole pipeline.

Valid documents (the seed systems under specs/, the official examples under ../shared, a few inline
ones) and their OpenAPI descriptions get random structural edits at the value level and raw-text
damage; every run must end either in diagnostics (``PATH:LINE:COL: error|warning: MESSAGE [RULE]``)
or in a package whose modules compile. No exception may escape. Focused regression tests for each
crash the fuzzing found follow at the end.
"""

from __future__ import annotations

import ast
import copy
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from environment import EXAMPLES, SHARED_PRESENT
from generator import cli
from generator.diagnostics import Diagnostics
from generator.loading import positioned, refs
from generator.pipeline import generate_files

ROOT = Path(__file__).resolve().parents[1]

DIAGNOSTIC = re.compile(r"[^\n]+:\d+:\d+: (error|warning): [^\n]+ \[[a-z-]+\]")
SEED = 20250611


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
        return json.dumps(data, indent=2, ensure_ascii=False)
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
    elif kind < 0.72 and isinstance(node, dict):
        node[rnd.choice(sorted(_SHAPE_KEYS) + _STRINGS[:12])] = _weird(rnd)
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
    roll = rnd.randrange(11)
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
    anchor = b"x: &x {a: *x}\n" if rnd.random() < 0.5 else b"x: !!python/object:os.system {}\n"
    return anchor + data


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
    assert sum(outcomes.values()) >= 50, outcomes  # the time budget cuts a slow machine short


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
