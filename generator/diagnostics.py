"""Diagnostics as data: a level, a rule, a message and a location, printed as PATH:LINE:COL."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["error", "warning"]

# Characters that would end or garble a line of output (str.splitlines() breaks at most of them),
# and lone surrogates (an undecodable file name), which no output encoding can write.
_LINE_BREAKERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]")


def one_line(text: str) -> str:
    """``text`` with line breaks and control characters escaped, so a diagnostic stays one line."""
    return _LINE_BREAKERS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, order=True)
class Location:
    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    location: Location
    level: Level
    message: str
    rule: str

    def __str__(self) -> str:
        return one_line(f"{self.location}: {self.level}: {self.message} [{self.rule}]")


@dataclass
class Diagnostics:
    """Collects every problem of a run so all of them are reported at once."""

    items: list[Diagnostic] = field(default_factory=list)
    strict: bool = False  # --strict: a `dialect` warning is an error
    edits: list[Any] = field(default_factory=list)  # generator.dialects.Edit, for `fix`

    def error(self, location: Location, message: str, rule: str) -> None:
        self._add(Diagnostic(location, "error", message, rule))

    def warning(self, location: Location, message: str, rule: str) -> None:
        if self.strict and rule == "dialect":
            self._add(Diagnostic(location, "error", f"{message} (--strict)", rule))
            return
        self._add(Diagnostic(location, "warning", message, rule))

    def _add(self, diagnostic: Diagnostic) -> None:
        if diagnostic not in self.items:
            self.items.append(diagnostic)

    @property
    def has_errors(self) -> bool:
        return any(item.level == "error" for item in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.location, d.level, d.message))


class GenerationError(Exception):
    """Raised when collected diagnostics contain errors; carries them for printing."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics
