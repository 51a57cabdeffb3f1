"""Every document a run touches, loaded once, with its load problems reported as diagnostics."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import httpx

from ..diagnostics import Diagnostics, Location
from . import positioned
from .positioned import (
    LoadError,
    Positioned,
    display_path,
    has_surrogate,
    load_positioned,
    size_text,
)

FETCH_SECONDS = 30.0  # a whole download, however slowly the server sends it


class Workspace:
    def __init__(self, diagnostics: Diagnostics, allow_remote: bool = False) -> None:
        self.diagnostics = diagnostics
        self.allow_remote = allow_remote
        self._docs: dict[Path, Positioned | None] = {}
        self._downloads: dict[str, Path | None] = {}
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    def remote(
        self, url: str, beside: Path, where: Location, avoid: tuple[Path, ...] = ()
    ) -> Path | None:
        """A local file for a remote source description: downloaded with --allow-remote, else a copy
        with the same file name beside the referring document (with a warning), never one of the
        documents being loaded (``avoid``, resolved paths), else an error."""
        name = PurePosixPath(urlsplit(url).path).name
        if self.allow_remote:
            if url not in self._downloads:
                self._downloads[url] = self._download(url, name or "source.yaml", where)
            return self._downloads[url]
        local = beside / name if name else None
        if local is not None and _is_file(local) and local.resolve() not in avoid:
            self.diagnostics.warning(
                where,
                f"remote source description {url!r} is not fetched; reading the local copy {name!r} "
                "beside this document (pass --allow-remote to fetch it)",
                "remote-source",
            )
            return local.resolve()
        self.diagnostics.error(
            where,
            f"remote source description {url!r} is not fetched: pass --allow-remote to fetch it, "
            "or save it beside this document and refer to the local file",
            "remote-source",
        )
        return None

    def _download(self, url: str, name: str, where: Location) -> Path | None:
        try:
            content = _fetch(url)
        except httpx.HTTPError as exc:
            self.diagnostics.error(where, f"cannot fetch {url!r}: {exc}", "remote-source")
            return None
        except ValueError as exc:
            self.diagnostics.error(where, f"cannot fetch {url!r}: {exc}", "remote-source")
            return None
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="arazzo-remote-")
        folder = Path(self._scratch.name) / str(len(self._downloads))
        folder.mkdir()
        target = folder / name
        target.write_bytes(content)
        return target

    def load(
        self,
        file: Path,
        shown: str | None = None,
        referrer: Location | None = None,
        hint: Callable[[], str] | None = None,
    ) -> Positioned | None:
        """The parsed document, or None after reporting why it cannot be loaded (at ``referrer`` if
        missing, followed by ``hint()``)."""
        try:
            key = file.resolve()
        except (OSError, ValueError, RuntimeError) as exc:  # a NUL character, a symlink loop
            where = referrer or Location(shown if shown is not None else display_path(file))
            self.diagnostics.error(where, f"cannot read {display_path(file)}: {exc}", "load")
            return None
        if key not in self._docs:
            doc: Positioned | None
            shown = shown if shown is not None else display_path(key)
            try:
                if has_surrogate(str(key)) or has_surrogate(shown):
                    raise LoadError(
                        Location(shown),
                        f"the file name {shown!r} is not valid UTF-8 "
                        "(generated code names its document)",
                        whole_file=True,
                    )
                doc = load_positioned(key, shown)
            except LoadError as exc:
                missing = not _exists(key)
                where = (
                    referrer
                    if ((exc.whole_file or missing) and referrer is not None)
                    else exc.location
                )
                extra = hint() if (missing and hint is not None) else ""
                self.diagnostics.error(where, exc.message + extra, "load")
                doc = None
            else:
                for duplicate in doc.duplicate_keys:
                    where = doc.loc(duplicate)
                    self.diagnostics.error(where, f"duplicate key {duplicate[-1]!r}", "load")
            self._docs[key] = doc
        return self._docs[key]

    def quiet_loader(self, file: Path) -> Positioned | None:
        """For ``$ref`` resolution: same cache, problems reported by the caller."""
        return self.load(file)


def _fetch(url: str) -> bytes:
    """The body at ``url``, at most ``limit`` bytes (ValueError beyond), within FETCH_SECONDS."""
    limit = positioned.MAX_FILE_BYTES
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + FETCH_SECONDS
    with httpx.stream("GET", url, follow_redirects=True, timeout=FETCH_SECONDS) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise ValueError(f"larger than {size_text(limit)}, the limit for one document")
            if time.monotonic() > deadline:
                raise ValueError(f"not received within {FETCH_SECONDS:g} s")
            chunks.append(chunk)
    return b"".join(chunks)


def _is_file(path: Path) -> bool:
    """Path.is_file(), False for a name the system refuses (too long, NUL character)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False
