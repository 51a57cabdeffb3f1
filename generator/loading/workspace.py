"""Every document a run touches, loaded once, with its load problems reported as diagnostics."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostics, Location
from .positioned import LoadError, Positioned, display_path, load_positioned


class Workspace:
    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        self._docs: dict[Path, Positioned | None] = {}

    def load(
        self, file: Path, shown: str | None = None, referrer: Location | None = None
    ) -> Positioned | None:
        """The parsed document, or None after reporting why it cannot be loaded (at ``referrer`` if missing)."""
        key = file.resolve()
        if key not in self._docs:
            doc: Positioned | None
            try:
                doc = load_positioned(key, shown if shown is not None else display_path(key))
            except LoadError as exc:
                missing = not key.exists()
                where = referrer if (missing and referrer is not None) else exc.location
                self.diagnostics.error(where, exc.message, "load")
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
