"""The local file a source description's relative ``url`` names, and a hint when that file is missing.

A source ``url`` is a URI reference (RFC 3986): ``%20`` in it is a space, so the path is percent-decoded
before it is looked up (``v4%20-%20Hunt%20Valley/openapi.json`` names the folder ``v4 - Hunt Valley``).
A relative reference resolves against the document's folder, not against the repository root; when the
file is missing there but exists under an ancestor folder (a url written relative to the repository root),
:func:`ancestor_hint` names the reference that would reach it. A person decides: it is never rewritten.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote

MAX_LEVELS = 6  # ancestor folders looked at for a misplaced relative url


def local_source(folder: Path, url: str) -> Path:
    """The file a relative or ``file:`` source url names, from the document's ``folder``."""
    return folder / unquote(url.removeprefix("file://"))


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def ancestor_hint(folder: Path, url: str) -> str:
    """``"; did you mean '../../x'?"`` when the relative ``url``, missing from ``folder``, names a file under
    one of ``folder``'s ancestors (up to MAX_LEVELS, stopping at the first folder that holds ``.git``, the
    repository root); else ``""``. At most two file-system checks per level."""
    if url.startswith(("/", "file:")) or "://" in url or not url:
        return ""
    written = posixpath.normpath(url.replace("\\", "/"))
    if written.startswith(".."):
        return ""  # already climbs: the writer meant the document's folder as the base
    relative = unquote(written)
    current = folder
    for level in range(1, MAX_LEVELS + 1):
        if _is_dir(current / ".git"):
            return ""
        parent = current.parent
        if parent == current:
            return ""
        current = parent
        if _is_file(current / relative):
            return f"; did you mean {_shortest(folder, level, written)!r}?"
    return ""


def _shortest(folder: Path, level: int, written: str) -> str:
    """``'../' * level + written``, without climbing out of folders the path then enters again
    (``examples/x.yaml`` from ``examples/``: ``x.yaml``, not ``../examples/x.yaml``)."""
    below = folder.parts[
        len(folder.parts) - level :
    ]  # the folders between the ancestor and ``folder``
    parts = written.split("/")
    same = 0
    while same < min(len(below), len(parts) - 1) and unquote(parts[same]) == below[same]:
        same += 1
    if same < len(below):
        return "../" * (level - same) + "/".join(parts[same:])
    return "/".join(parts[same:])
