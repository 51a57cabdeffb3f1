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


from ..diagnostics import Diagnostics, Location, one_line
from ..loading.positioned import LoadError, Positioned, parse_positioned, read_limited
from ..model.dialect_edits import Edit
from ..pipeline import discover
from .fix import fix_text
from .upgrade_rules import Plan, empty_criteria, notes, replacements

RULE = "upgrade"
TARGET_VERSION = "1.1.0"
_V10 = re.compile(r"1\.0\.\d+")
_V11 = re.compile(r"1\.1\.\d+")


class _Unsafe(Exception):
    """A change that cannot be made in the text without touching anything else."""


def _rewrite(body: str, doc: Positioned, edits: list[Edit]) -> str:
    """``body`` with ``edits`` made (by ``fix``'s splicer, which reads the result back to check it)."""
    try:
        return fix_text(body, doc.file, edits)[0]
    except ValueError as exc:
        raise _Unsafe(str(exc)) from None


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
    removal_edits = [
        Edit(str(file), at, "remove-key", doc.key_loc(at), "empty successCriteria")
        for at in removals
    ]
    try:
        new_body = _rewrite(body, doc, edits + removal_edits)
    except _Unsafe as exc:  # the version alone, and each other change left to a person
        for at in removals:
            plan.manual.append((doc.key_loc(at), f"remove this empty successCriteria ({exc})"))
        plan.changes = [c for c in plan.changes if c[0] == version_edit.location]
        plan.manual.extend(
            (e.location, f"add {e.new}: {e.value} ({exc})") for e in edits if e is not version_edit
        )
        removals = []
        try:
            new_body = _rewrite(body, doc, [version_edit])
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
