"""``arazzo-codegen fix``: rewrite every ``dialect`` spelling into the specification's, in place.

Only the text of the nodes a dialect edit names changes: a scalar keeps its quoting style (re-quoted for
that style when the new text needs it), a missing action ``name`` is inserted beside the action's first
key, a top-level ``$schema`` line is removed. Edits are applied from the end of the file backwards; the
result is parsed again and must equal the original document with exactly those edits applied, else the
file is left alone and the edits are listed as needing a person.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Diagnostics, Location, one_line
from ..model.dialect_edits import RULE, Edit, apply_edits
from ..loading.positioned import JsonPath, LoadError, parse_positioned
from ..pipeline import discover, plan_all

_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


class _Unsafe(Exception):
    """An edit that cannot be made in the text without changing something else."""


@dataclass(frozen=True)
class _Splice:
    start: int
    end: int
    text: str


def _node_at(root: yaml.Node, at: JsonPath) -> tuple[yaml.Node, yaml.Node | None]:
    """The node at ``at`` and, for a mapping member, its key node."""
    node, key_node = root, None
    for step in at:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            found = [
                (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step
            ]
            if not found:
                raise _Unsafe(f"no member {step!r}")
            key_node, node = found[-1]  # the last of duplicate keys, as the loader keeps
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value)
        ):
            key_node, node = None, node.value[step]
        else:
            raise _Unsafe("the document's shape changed")
    return node, key_node


def _quoted(value: str, style: str | None, is_json: bool) -> str:
    """``value`` as a flow scalar of ``style`` (plain only when it reads back as the same string)."""
    if is_json or style == '"':
        return json.dumps(value, ensure_ascii=False)
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    try:
        if "\n" not in value and yaml.safe_load(f"k: {value}") == {"k": value}:
            return value
    except yaml.YAMLError:
        pass
    return "'" + value.replace("'", "''") + "'"


class _FileFixer:
    def __init__(self, text: str, is_json: bool, requote: bool = False) -> None:
        self.text = text
        self.is_json = is_json
        self.requote = requote  # quote rewritten plain scalars whole instead of editing inside them
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is None:
            raise _Unsafe("an empty document")
        self.root: yaml.Node = root

    def splices(self, edits: list[Edit], original: Any) -> list[_Splice]:
        by_node: dict[JsonPath, list[Edit]] = defaultdict(list)
        result: list[_Splice] = []
        for edit in edits:
            if edit.kind == "text":
                by_node[edit.at].append(edit)
            elif edit.kind == "add-key":
                result.append(self.add_key(edit))
            elif edit.kind == "remove-key":
                result.append(self.remove_key(edit))
        for at, group in by_node.items():
            result.append(self.scalar(at, group, original))
        return result

    def scalar(self, at: JsonPath, edits: list[Edit], original: Any) -> _Splice:
        node, _ = _node_at(self.root, at)
        if not isinstance(node, yaml.ScalarNode):
            raise _Unsafe("not a scalar")
        old_value = original
        for step in at:
            old_value = old_value[step]
        new_value = apply_edits({"v": old_value}, [_moved(e) for e in edits])["v"]
        start, end = node.start_mark.index, node.end_mark.index
        source = self.text[start:end]
        style = node.style
        if style is None and self.requote and not self.is_json:
            style = "'"
            return _Splice(start, end, _quoted(new_value, style, False))
        if style in ("|", ">"):
            return _Splice(start, end, self.block(source, old_value, new_value, edits))
        # keep the layout: replace each old spelling where it is written verbatim, else re-quote
        replaced = source
        for edit in edits:
            if source.count(edit.old) != old_value.count(edit.old):
                break
            if style is None and not self.is_json and _quoted(edit.new, None, False) != edit.new:
                break
            escaped = _quoted(edit.new, style, self.is_json)
            escaped = escaped[1:-1] if style in ("'", '"') or self.is_json else escaped
            replaced = replaced.replace(edit.old, escaped)
        else:
            return _Splice(start, end, replaced)
        return _Splice(start, end, _quoted(new_value, style, self.is_json))

    def block(self, source: str, old: str, new: str, edits: list[Edit]) -> str:
        for edit in edits:
            if source.count(edit.old) != old.count(edit.old) or "\n" in edit.new:
                raise _Unsafe("a block scalar whose text cannot be matched")
            source = source.replace(edit.old, edit.new)
        return source

    def add_key(self, edit: Edit) -> _Splice:
        node, _ = _node_at(self.root, edit.at)
        if not isinstance(node, yaml.MappingNode) or not node.value:
            raise _Unsafe("not a mapping")
        name, value = str(edit.new), str(edit.value)
        if not _PLAIN_SAFE.fullmatch(value):
            raise _Unsafe("a name that needs quoting")
        first = node.value[0][0]
        at = first.start_mark.index
        if self.is_json:
            return _Splice(at, at, f"{json.dumps(name)}: {json.dumps(value)}, ")
        if node.flow_style:
            return _Splice(at, at, f"{name}: {value}, ")
        if first.start_mark.line == node.value[-1][0].start_mark.line and len(node.value) > 1:
            raise _Unsafe("a one-line block mapping")
        indent = " " * first.start_mark.column
        return _Splice(at, at, f"{name}: {value}\n{indent}")

    def remove_key(self, edit: Edit) -> _Splice:
        node, key = _node_at(self.root, edit.at)
        if key is None:
            raise _Unsafe("not a mapping member")
        start, end = key.start_mark.index, node.end_mark.index
        text = self.text
        if self.is_json:
            after = re.compile(r"\s*,\s*").match(text, end)
            if after:
                return _Splice(start, after.end(), "")
            before = re.compile(r",\s*$").search(text, 0, start)
            if before is None:
                raise _Unsafe("the only member")
            return _Splice(before.start(), end, "")
        # a block member alone on its one line (at any indent; not the first member of "- " item)
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip() or "\n" in text[start:end]:
            raise _Unsafe("a member that is not alone on one line")
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end + 1
        rest = text[end:line_end].strip()
        if rest and not rest.startswith("#"):
            raise _Unsafe("more text on the line")
        return _Splice(line_start, line_end, "")


def _moved(edit: Edit) -> Edit:
    from dataclasses import replace

    return replace(edit, at=("v",))


def fix_text(text: str, file: Path, edits: list[Edit]) -> tuple[str, list[Edit]]:
    """``text`` with ``edits`` made; raises ValueError (a reason) when it cannot be done safely."""
    try:
        return _fix_text(text, file, edits, requote=False)
    except ValueError:
        return _fix_text(text, file, edits, requote=True)


def _fix_text(text: str, file: Path, edits: list[Edit], requote: bool) -> tuple[str, list[Edit]]:
    shown = str(file)
    try:
        original = parse_positioned(text, file, shown).data
        fixer = _FileFixer(text, file.suffix.lower() == ".json", requote)
        splices = fixer.splices(edits, original)
    except (_Unsafe, LoadError, yaml.YAMLError, KeyError, IndexError, TypeError) as exc:
        raise ValueError(str(exc)) from None
    spans = sorted(splices, key=lambda s: (s.start, s.end), reverse=True)
    for later, earlier in zip(spans, spans[1:]):
        if earlier.end > later.start:
            raise ValueError("overlapping edits")
    result = text
    for splice in spans:  # from the end of the file backwards: earlier offsets stay valid
        result = result[: splice.start] + splice.text + result[splice.end :]
    try:
        fixed = parse_positioned(result, file, shown).data
    except LoadError as exc:
        raise ValueError(exc.message) from None
    if fixed != apply_edits(original, edits):
        raise ValueError("the rewritten text would not read back as intended")
    return result, edits


def _describe(edit: Edit) -> str:
    if edit.kind == "text":
        return f"rewrite {edit.old!r} as {edit.new!r}"
    if edit.kind == "add-key":
        return f"add {edit.new}: {edit.value}"
    if edit.kind == "remove-key":
        return f"remove {edit.at[-1]!r}"
    return f"needs a person: {edit.message}"


def _report(edit: Edit, prefix: str) -> None:
    print(one_line(f"{edit.location}: {prefix}{_describe(edit)} [{RULE}]"))


def fix_command(specs: list[str], check: bool, allow_remote: bool = False) -> int:
    diagnostics = Diagnostics()
    entries = discover(specs, diagnostics)
    plan_all(entries, Path("generated"), diagnostics, allow_remote)
    files = {str(entry.file.resolve()): entry for entry in entries}
    by_file: dict[str, list[Edit]] = defaultdict(list)
    for edit in diagnostics.edits:
        if isinstance(edit, Edit) and edit.file in files and edit not in by_file[edit.file]:
            by_file[edit.file].append(edit)
    if check or not by_file:
        for item in diagnostics.sorted():
            if item.level == "error":
                print(item, file=sys.stderr)
        for file_edits in by_file.values():
            for edit in sorted(file_edits, key=lambda e: e.location):
                _report(edit, "would " if edit.kind != "manual" else "")
        return 1 if by_file or diagnostics.has_errors else 0
    left = 0
    for file, file_edits in by_file.items():
        path = Path(file)
        doable = [e for e in file_edits if e.kind != "manual"]
        manual = [e for e in file_edits if e.kind == "manual"]
        if doable:
            try:
                text = path.read_text(encoding="utf-8")
                fixed, _ = fix_text(text, path, doable)
                path.write_text(fixed, encoding="utf-8")
            except (ValueError, OSError) as exc:
                shown = files[file].shown
                print(f"{shown}: cannot rewrite safely ({exc}); nothing changed", file=sys.stderr)
                manual.extend(doable)
            else:
                for edit in sorted(doable, key=lambda e: e.location):
                    _report(edit, "")
        for edit in sorted(manual, key=lambda e: e.location):
            print(one_line(f"{edit.location}: needs a person: {edit.message} [{RULE}]"))
            left += 1
    after = Diagnostics()
    plan_all(discover(specs, after), Path("generated"), after, allow_remote)
    for item in after.sorted():
        if item.level == "error":
            print(item, file=sys.stderr)
    return 1 if left or after.has_errors else 0


__all__ = ["Location", "fix_command", "fix_text"]
