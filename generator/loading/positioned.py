"""YAML/JSON documents parsed into plain values, with the line and column of every node kept aside."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Location

JsonPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay strings, as JSON would have them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class LoadError(Exception):
    def __init__(self, location: Location, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


@dataclass(frozen=True)
class Positioned:
    """A parsed document: ``data`` as plain JSON-like values, ``positions`` maps a node's path to (line, col)."""

    path: str
    file: Path
    data: Any
    positions: dict[JsonPath, tuple[int, int]] = field(repr=False)
    duplicate_keys: tuple[JsonPath, ...] = ()
    key_positions: dict[JsonPath, tuple[int, int]] = field(default_factory=dict, repr=False)

    def key_loc(self, at: JsonPath) -> Location:
        """The location of the key that names the member at ``at`` (its value's location if unknown)."""
        found = self.key_positions.get(at)
        return Location(self.path, found[0], found[1]) if found else self.loc(at)

    def loc(self, at: JsonPath = ()) -> Location:
        """The location of the deepest known node on ``at`` (a missing member points at its parent)."""
        for cut in range(len(at), -1, -1):
            found = self.positions.get(at[:cut])
            if found is not None:
                return Location(self.path, found[0], found[1])
        return Location(self.path, 1, 1)


def display_path(file: Path) -> str:
    """A path relative to the current folder, with forward slashes."""
    try:
        return Path(os.path.relpath(file)).as_posix()
    except ValueError:  # another drive
        return file.as_posix()


def load_positioned(file: Path, shown: str | None = None) -> Positioned:
    shown = shown if shown is not None else display_path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError(Location(shown), f"file not found: {shown}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(Location(shown), f"cannot read {shown}: {exc}") from None
    return parse_positioned(text, file, shown)


def parse_positioned(text: str, file: Path, shown: str) -> Positioned:
    if file.suffix.lower() == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(
                Location(shown, exc.lineno, exc.colno), f"invalid JSON: {exc.msg}"
            ) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "malformed document"
        raise LoadError(Location(shown, line, col), f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise LoadError(Location(shown), f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    positions: dict[JsonPath, tuple[int, int]] = {}
    duplicates: list[JsonPath] = []
    keys: dict[JsonPath, tuple[int, int]] = {}
    data = None if node is None else _convert(loader, node, (), positions, duplicates, shown, keys)
    return Positioned(shown, file, data, positions, tuple(duplicates), keys)


def _convert(
    loader: _Loader,
    node: yaml.Node,
    at: JsonPath,
    positions: dict[JsonPath, tuple[int, int]],
    duplicates: list[JsonPath],
    shown: str,
    keys: dict[JsonPath, tuple[int, int]],
) -> Any:
    positions[at] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = json.dumps(key) if key is None or isinstance(key, bool) else str(key)
            if key in result:
                duplicates.append(at + (key,))
            keys[at + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _convert(
                loader, value_node, at + (key,), positions, duplicates, shown, keys
            )
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(loader, item, at + (index,), positions, duplicates, shown, keys)
            for index, item in enumerate(node.value)
        ]
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise LoadError(Location(shown, *positions[at]), f"invalid YAML value: {exc}") from None
    if isinstance(value, (bytes, bytearray)):
        raise LoadError(Location(shown, *positions[at]), "binary YAML values are not JSON")
    if isinstance(value, float) and value != value:
        raise LoadError(Location(shown, *positions[at]), "NaN is not a JSON number")
    return value
