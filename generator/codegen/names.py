"""The one sanitiser for generated names: snake / Pascal case, keywords, reserved names, collisions."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

from .pycode import Identifier

_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _parts(text: str) -> list[str]:
    """Split at every non-alphanumeric ASCII character and at camelCase boundaries.

    ``petId`` → pet, Id; ``HTTPServer`` → HTTP, Server; ``v2Token`` → v2, Token.
    """
    return [part for word in _SPLIT.split(text) for part in _CAMEL.split(word) if part]


def _finish(name: str, reserved: frozenset[str]) -> Identifier:
    if not name:
        name = "_"
    if name[0].isdigit():
        name = "_" + name
    if keyword.iskeyword(name) or name in reserved:
        name += "_"
    return Identifier(name)


def snake(text: str, reserved: frozenset[str] = frozenset()) -> Identifier:
    return _finish("_".join(part.lower() for part in _parts(text)), reserved)


def pascal(text: str, reserved: frozenset[str] = frozenset()) -> Identifier:
    return _finish("".join(part[0].upper() + part[1:].lower() for part in _parts(text)), reserved)


@dataclass
class Scope:
    """Allocates unique names within one scope in document order: ``import_``, ``import_2``, ..."""

    reserved: frozenset[str] = frozenset()
    taken: set[str] = field(default_factory=set)

    def snake(self, text: str) -> Identifier:
        return self._claim(snake(text, self.reserved))

    def pascal(self, text: str) -> Identifier:
        return self._claim(pascal(text, self.reserved))

    def constant(self, text: str) -> Identifier:
        """``_`` + CONSTANT_CASE of ``text`` (a module-private constant)."""
        return self._claim(Identifier("_" + "_".join(part.upper() for part in _parts(text))))

    def claim(self, name: str) -> Identifier:
        return self._claim(Identifier(name))

    def _claim(self, base: str) -> Identifier:
        name, counter = base, 1
        while name in self.taken or name in self.reserved:
            counter += 1
            name = f"{base.rstrip('_')}_{counter}"
        self.taken.add(name)
        return Identifier(name)
