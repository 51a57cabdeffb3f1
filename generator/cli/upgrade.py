"""``arazzo-codegen upgrade``: rewrite Arazzo 1.0.x documents as 1.1.0, in place.

Only the files named (or found in the folders named) change; source descriptions they reference are
not followed. What must change is made with positioned edits to the file's text (the machinery of
``fix``), so comments, order, quoting and layout stay byte for byte elsewhere: the ``arazzo``
version, an empty ``successCriteria`` list (1.1 requires at least one criterion; an empty list and
no list both mean "no assertions") and a ``targetSelectorType`` where 1.1 would read a replacement
target otherwise (``upgrade_rules``). Whatever 1.1 reads differently and that cannot be rewritten
with the same meaning is listed as ``needs a person``. Every file is checked before any is written;
each is written atomically (a temporary file beside it, then a rename).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Diagnostics, Location, one_line
from ..loading.positioned import JsonPath, LoadError, Positioned, parse_positioned, read_limited
from ..model.dialect_edits import Edit, apply_edits, node_at
from ..pipeline import discover
from .fix import fix_text
from .upgrade_rules import Plan, empty_criteria, notes, replacements

RULE = "upgrade"
TARGET_VERSION = "1.1.0"
_V10 = re.compile(r"1\.0\.\d+")
_V11 = re.compile(r"1\.1\.\d+")


class _Unsafe(Exception):
    """A change that cannot be made in the text without touching anything else."""


def _remove_members(text: str, is_json: bool, paths: list[JsonPath]) -> str:
    """``text`` without the members at ``paths`` (each ``key: []`` alone on its line, or a JSON member)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    spans: list[tuple[int, int]] = []
    for at in paths:
        node: Any = root
        key: Any = None
        for step in at:
            if isinstance(node, yaml.MappingNode):
                pairs = [(k, v) for k, v in node.value if getattr(k, "value", None) == step]
                if not pairs:
                    raise _Unsafe("the document's shape changed")
                key, node = pairs[-1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                key, node = None, node.value[step]
            else:
                raise _Unsafe("the document's shape changed")
        start, end = key.start_mark.index, node.end_mark.index
        if is_json:
            after = re.compile(r"\s*,\s*").match(text, end)
            before = re.compile(r",\s*$").search(text, 0, start)
            if after:
                spans.append((start, after.end()))
            elif before:
                spans.append((before.start(), end))
            else:
                raise _Unsafe("the only member of its object")
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end + 1
        rest = text[end:line_end].strip()
        if text[line_start:start].strip() or (rest and not rest.startswith("#")):
            raise _Unsafe("more text on the line")
        spans.append((line_start, line_end))
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + text[end:]
    return text


def _rewrite(body: str, doc: Positioned, edits: list[Edit], removals: list[JsonPath]) -> str:
    """``body`` with ``edits`` made and the members at ``removals`` gone, read back to check."""
    try:
        new_body, _ = fix_text(body, doc.file, edits)
        new_body = _remove_members(new_body, doc.file.suffix.lower() == ".json", removals)
        expected = apply_edits(doc.data, edits)
        for at in removals:
            node_at(expected, at[:-1]).pop(at[-1])
        if parse_positioned(new_body, doc.file, doc.path).data != expected:
            raise _Unsafe("the rewritten text would not read back as intended")
    except (ValueError, LoadError, yaml.YAMLError) as exc:
        raise _Unsafe(str(exc)) from None
    return new_body


def _plan_file(file: Path, shown: str, diagnostics: Diagnostics) -> Plan | None:
    plan = Plan(file, shown)
    try:
        raw = read_limited(file, shown)
        try:
            plan.text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            diagnostics.error(Location(shown), f"not UTF-8 text ({exc.reason})", "load")
            return None
        body = plan.text.removeprefix("\ufeff")
        doc = parse_positioned(body, file, shown)
    except LoadError as exc:
        diagnostics.error(exc.location, exc.message, "load")
        return None
    data = doc.data
    version = data.get("arazzo") if isinstance(data, dict) else None
    if not isinstance(version, str):
        diagnostics.error(
            doc.loc(("arazzo",) if isinstance(data, dict) else ()),
            "not an Arazzo document: 'arazzo' must be a version string such as '1.0.1'",
            "structure",
        )
        return None
    plan.new_text = plan.text
    if _V11.fullmatch(version):
        return plan
    if not _V10.fullmatch(version):
        diagnostics.error(
            doc.loc(("arazzo",)),
            f"cannot upgrade Arazzo {version!r}: only 1.0.x documents are rewritten as 1.1.0",
            "structure",
        )
        return None
    version_edit = Edit(
        str(file),
        ("arazzo",),
        "text",
        doc.loc(("arazzo",)),
        "version",
        0,
        len(version),
        version,
        TARGET_VERSION,
    )
    removals = empty_criteria(data)
    plan.changes.append((doc.loc(("arazzo",)), f"rewrite arazzo {version!r} as {TARGET_VERSION!r}"))
    edits = [version_edit] + replacements(doc, plan)
    try:
        new_body = _rewrite(body, doc, edits, removals)
    except _Unsafe as exc:  # the version alone, and each other change left to a person
        for at in removals:
            plan.manual.append((doc.key_loc(at), f"remove this empty successCriteria ({exc})"))
        plan.changes = [c for c in plan.changes if c[0] == version_edit.location]
        plan.manual.extend(
            (e.location, f"add {e.new}: {e.value} ({exc})") for e in edits if e is not version_edit
        )
        removals = []
        try:
            new_body = _rewrite(body, doc, [version_edit], [])
        except _Unsafe as again:
            diagnostics.error(doc.loc(), f"cannot rewrite safely ({again}); nothing changed", RULE)
            return None
    plan.new_text = plan.text[: len(plan.text) - len(body)] + new_body
    for at in removals:
        plan.changes.append(
            (doc.key_loc(at), "remove the empty successCriteria (1.1 requires at least one)")
        )
    notes(doc, plan)
    return plan


def _stage(file: Path, text: str) -> str:
    """A temporary file beside ``file`` holding ``text``, with ``file``'s permissions."""
    handle, temp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".upgrade", dir=file.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, os.stat(file).st_mode & 0o7777)
    except OSError:
        os.unlink(temp)
        raise
    return temp


def _write_all(plans: list[Plan]) -> None:
    """Each changed file replaced atomically. Every temporary file is written before any rename; when
    a rename fails, the files already replaced get their old text back (all or none)."""
    staged: list[tuple[str, Plan]] = []
    done: list[Plan] = []
    try:
        for plan in plans:
            staged.append((_stage(plan.file, plan.new_text), plan))
        for temp, plan in staged:
            os.replace(temp, plan.file)
            done.append(plan)
    except OSError:
        for plan in done:
            with contextlib.suppress(OSError):
                os.replace(_stage(plan.file, plan.text), plan.file)
        raise
    finally:
        for temp, _ in staged:
            if os.path.lexists(temp):
                os.unlink(temp)


def upgrade_command(specs: list[str], check: bool) -> int:
    diagnostics = Diagnostics()
    entries = discover(specs, diagnostics)
    plans = [_plan_file(entry.file, entry.shown, diagnostics) for entry in entries]
    if diagnostics.has_errors:
        for item in diagnostics.sorted():
            print(item, file=sys.stderr)
        return 1
    ready = [plan for plan in plans if plan is not None]
    changed = [plan for plan in ready if plan.new_text != plan.text]
    if not check and changed:
        try:
            _write_all(changed)
        except OSError as exc:
            print(f"arazzo-codegen upgrade: cannot write: {exc}; nothing changed", file=sys.stderr)
            return 1
    prefix = "would " if check else ""
    for plan in ready:
        for location, change in sorted(plan.changes):
            print(one_line(f"{location}: {prefix}{change} [{RULE}]"))
        for location, reason in sorted(plan.manual):
            print(one_line(f"{location}: needs a person: {reason} [{RULE}]"))
    manual = any(plan.manual for plan in ready)
    return 1 if manual or (check and changed) else 0


__all__ = ["upgrade_command"]
