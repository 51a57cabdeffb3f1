"""YAML/JSON documents parsed into plain values, with the line and column of every node kept aside."""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Location

JsonPath = tuple[str | int, ...]
MAX_DEPTH = 100  # nesting levels: deeper documents are refused (generated code nests as deep)
MAX_NODES = 1_000_000  # values after alias expansion; more is an alias bomb, not a description
MAX_FILE_BYTES = 10 * 1024 * 1024  # one document; parsing more would take minutes and gigabytes
_JSON_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay strings, as JSON would have them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _libyaml_loader() -> type[yaml.CSafeLoader] | None:
    """libyaml's parser with the same resolvers, when PyYAML was built with it."""
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    members = {"yaml_implicit_resolvers": _Loader.yaml_implicit_resolvers}
    return type("_CLoader", (yaml.CSafeLoader,), members)


_CLoader = _libyaml_loader()


class LoadError(Exception):
    """``whole_file``: the problem is the file itself (missing, not a regular file, too big), best
    reported where another document names it."""

    def __init__(self, location: Location, message: str, whole_file: bool = False) -> None:
        super().__init__(message)
        self.location = location
        self.message = message
        self.whole_file = whole_file


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


def resolved(path: Path) -> Path:
    """``path.resolve()``; a path in a symlink loop (RuntimeError before Python 3.13) stays absolute."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def read_limited(file: Path, shown: str, limit: int | None = None, prefix: bool = False) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else a LoadError (with ``prefix``,
    the first ``limit`` bytes of a longer one). Nothing else is opened (a FIFO would block, a
    device never end), and the file is read no further than the limit (default MAX_FILE_BYTES)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        info = os.stat(file)
    except FileNotFoundError:
        raise LoadError(Location(shown), f"file not found: {shown}", whole_file=True) from None
    except (OSError, ValueError) as exc:
        raise LoadError(Location(shown), _unreadable(shown, exc), whole_file=True) from None
    _check_regular(info, shown, None if prefix else limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        handle = os.open(file, flags | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:
        raise LoadError(Location(shown), _unreadable(shown, exc), whole_file=True) from None
    try:
        _check_regular(os.fstat(handle), shown, None if prefix else limit)  # replaced meanwhile?
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(handle, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise LoadError(Location(shown), _unreadable(shown, exc), whole_file=True) from None
    finally:
        os.close(handle)
    if prefix:
        return b"".join(chunks)[:limit]
    if size > limit:  # it grew while being read
        raise LoadError(Location(shown), _too_big(shown, limit), whole_file=True)
    return b"".join(chunks)


def _check_regular(info: os.stat_result, shown: str, limit: int | None) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise LoadError(Location(shown), f"{shown} is a folder, not a file", whole_file=True)
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode)
            else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
            else "a socket" if stat.S_ISSOCK(info.st_mode)
            else "not a regular file"
        )  # fmt: skip
        raise LoadError(
            Location(shown), f"{shown} is {kind}; only regular files are read", whole_file=True
        )
    if limit is not None and info.st_size > limit:
        raise LoadError(Location(shown), _too_big(shown, limit), whole_file=True)


def _too_big(shown: str, limit: int) -> str:
    return f"{shown} is larger than {size_text(limit)}, the limit for one document"


def size_text(limit: int) -> str:
    """``10 MiB`` for a whole number of mebibytes, else bytes."""
    mib, rest = divmod(limit, 1024 * 1024)
    return f"{mib} MiB" if mib and not rest else f"{limit} bytes"


def _unreadable(shown: str, exc: Exception) -> str:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"cannot read {shown}: {reason}"


def load_positioned(file: Path, shown: str | None = None) -> Positioned:
    shown = shown if shown is not None else display_path(file)
    data = read_limited(file, shown)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        bad = data[exc.start : exc.end].hex(" ")
        raise LoadError(
            Location(shown, line, col), f"{shown} is not UTF-8 text: {exc.reason} (bytes {bad})"
        ) from None
    return parse_positioned(text, file, shown)


def parse_positioned(text: str, file: Path, shown: str) -> Positioned:
    if file.suffix.lower() == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(
                Location(shown, exc.lineno, exc.colno), f"invalid JSON: {exc.msg}"
            ) from None
        except RecursionError:
            raise LoadError(Location(shown), _too_deep()) from None
        except ValueError as exc:  # a number with more digits than int() converts
            raise LoadError(Location(shown), f"invalid JSON: {_first_clause(exc)}") from None
    loader: yaml.SafeLoader | yaml.CSafeLoader
    fast = _fast_compose(text)
    if fast is not None:
        node, loader = fast
    else:
        node, loader = _compose(text, shown)
    converter = _Converter(loader, shown)
    data = None if node is None else converter.convert(node, (), frozenset())
    return Positioned(
        shown, file, data, converter.positions, tuple(converter.duplicates), converter.keys
    )


def _fast_compose(text: str) -> tuple[yaml.Node | None, yaml.CSafeLoader] | None:
    """The node tree from libyaml (about three times faster), or None when it is missing or finds
    a problem: the pure-Python parser then reports it with its own messages and positions. (libyaml
    refuses nesting deeper than 1000 levels itself, so its recursion stays bounded.)"""
    if _CLoader is None:
        return None
    loader = _CLoader(text)
    try:
        return loader.get_single_node(), loader
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    finally:
        loader.dispose()


def _compose(text: str, shown: str) -> tuple[yaml.Node | None, _Loader]:
    try:
        loader = _Loader(text)  # the reader refuses control characters here, before parsing
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise LoadError(
            Location(shown, line, col),
            f"invalid YAML: unacceptable character #x{exc.character:04x}: {exc.reason}",
        ) from None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "malformed document"
        raise LoadError(Location(shown, line, col), f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise LoadError(Location(shown), f"invalid YAML: {exc}") from None
    except RecursionError:
        raise LoadError(Location(shown), _too_deep()) from None
    finally:
        loader.dispose()
    return node, loader


def _first_clause(exc: Exception) -> str:
    return str(exc).split(";")[0]


def _too_deep() -> str:
    return f"the document is nested more than {MAX_DEPTH} levels deep"


class _Converter:
    """YAML nodes → plain values, recording positions; aliases that contain themselves or expand
    beyond MAX_NODES values are load errors."""

    def __init__(self, loader: yaml.SafeLoader | yaml.CSafeLoader, shown: str) -> None:
        self.loader = loader
        self.shown = shown
        self.positions: dict[JsonPath, tuple[int, int]] = {}
        self.duplicates: list[JsonPath] = []
        self.keys: dict[JsonPath, tuple[int, int]] = {}

    def fail(self, at: JsonPath, message: str) -> LoadError:
        return LoadError(Location(self.shown, *self.positions[at]), message)

    def convert(self, node: yaml.Node, at: JsonPath, inside: frozenset[int]) -> Any:
        self.positions[at] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if len(self.positions) > MAX_NODES:
            raise self.fail(at, f"the document expands to more than {MAX_NODES} values")
        if len(at) > MAX_DEPTH:
            raise self.fail(at, _too_deep())
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if node.tag not in _JSON_COLLECTIONS:  # e.g. !!python/object/apply on a list
                raise self.fail(at, f"invalid YAML value: the tag {node.tag!r} is not JSON")
            if id(node) in inside:
                raise self.fail(at, "a YAML alias refers to a node that contains it")
            inside = inside | {id(node)}
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.key(key_node, at)
                if key in result:
                    self.duplicates.append(at + (key,))
                self.keys[at + (key,)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                result[key] = self.convert(value_node, at + (key,), inside)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [
                self.convert(item, at + (index,), inside) for index, item in enumerate(node.value)
            ]
        value = self.scalar(node, at)
        if isinstance(value, str) and _SURROGATE.search(value):
            value = _pair_surrogates(value, lambda message: self.fail(at, message))
        if isinstance(value, (bytes, bytearray)):
            raise self.fail(at, "binary YAML values are not JSON")
        if isinstance(value, float) and value != value:
            raise self.fail(at, "NaN is not a JSON number")
        if isinstance(value, float) and value in (math.inf, -math.inf):
            raise self.fail(at, "infinity is not a JSON number")
        return value

    def scalar(self, node: yaml.Node, at: JsonPath) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self.fail(at, f"invalid YAML value: {exc}") from None
        except ValueError as exc:  # a number with more digits than int() converts
            raise self.fail(at, f"invalid YAML value: {_first_clause(exc)}") from None

    def key(self, node: yaml.Node, at: JsonPath) -> str:
        if not isinstance(node, yaml.ScalarNode):
            where = Location(self.shown, node.start_mark.line + 1, node.start_mark.column + 1)
            raise LoadError(where, "a mapping key must be a string, not a list or mapping")
        key = self.scalar(node, at)
        if isinstance(key, str):
            if _SURROGATE.search(key):
                where = Location(self.shown, node.start_mark.line + 1, node.start_mark.column + 1)
                return _pair_surrogates(key, lambda message: LoadError(where, message))
            return key
        return json.dumps(key) if key is None or isinstance(key, bool) else str(key)


def _pair_surrogates(text: str, error: Callable[[str], LoadError]) -> str:
    """``text`` with each escaped UTF-16 surrogate pair (JSON's ``"\\ud83d\\ude00"``) joined into
    its character; a lone surrogate is not a character, so it is an error."""
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    found = _SURROGATE.search(joined)
    if found is None:
        return joined
    raise error(
        f"the escape \\u{ord(found.group()):04x} is a lone surrogate, not a Unicode character "
        "(generated code must be valid UTF-8)"
    )


def has_surrogate(text: str) -> bool:
    """True for text that cannot be encoded as UTF-8 (a lone surrogate, an undecodable file name)."""
    return _SURROGATE.search(text) is not None
