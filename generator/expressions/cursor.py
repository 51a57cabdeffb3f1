"""The runtime-expression lexer: its error, the character classes of names, a cursor reading them, and
JSON pointers (RFC 6901) checked and split."""

from __future__ import annotations

import string


class ExpressionError(ValueError):
    """A malformed expression or condition; ``offset`` is the 0-based index of the problem in the text.

    ``rule`` is the diagnostic rule: ``expression`` for a mistake, ``unsupported`` for a well-formed
    expression the generator cannot compile yet (``$message`` outside message steps).
    """

    def __init__(self, message: str, offset: int, rule: str = "expression") -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.rule = rule

    def shifted(self, delta: int) -> ExpressionError:
        """The same error with its offset moved by ``delta`` (for text embedded in a larger string)."""
        return ExpressionError(self.message, self.offset + delta, self.rule)

    def __repr__(self) -> str:
        return f"ExpressionError({self.message!r}, {self.offset!r})"


ALNUM = frozenset(string.ascii_letters + string.digits)
TCHAR = ALNUM | frozenset("!#$%&'*+-.^_`|~")
KEY = ALNUM | frozenset(".-_")
ID = ALNUM | frozenset("-_")
FREE = frozenset(chr(c) for c in range(0x21, 0x7F)) - frozenset("#{}")
STEP_ID_STOP = frozenset(".#{}")
# Output names: the ABNF's name is *( CHAR ); names that break the Outputs pattern still occur
# ('Employee object', 'items[0].id') and are read to the end, or to '#'.
OUTPUT = frozenset(chr(c) for c in range(0x20, 0x7F)) - frozenset("#{}")

CLASS_TEXT = {
    TCHAR: "letters, digits and !#$%&'*+-.^_`|~",
    KEY: "letters, digits, '.', '-' and '_'",
    ID: "letters, digits, '-' and '_'",
    FREE: "visible ASCII characters other than '#', '{' and '}'",
    OUTPUT: "ASCII characters other than '#', '{' and '}'",
}


def show(ch: str) -> str:
    return repr(ch) if ch.isprintable() and ch != " " else f"U+{ord(ch):04X}"


class Cursor:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def fail(self, message: str, offset: int | None = None) -> ExpressionError:
        return ExpressionError(message, self.pos if offset is None else offset)

    def read(self, chars: frozenset[str], what: str) -> str:
        start = self.pos
        while not self.at_end() and self.peek() in chars:
            self.pos += 1
        if self.pos == start:
            found = "end of expression" if self.at_end() else show(self.peek())
            raise self.fail(f"expected {what} ({CLASS_TEXT[chars]}), found {found}")
        return self.text[start : self.pos]

    def expect(self, literal: str, message: str) -> None:
        if not self.text.startswith(literal, self.pos):
            raise self.fail(message)
        self.pos += len(literal)

    def word(self, choices: tuple[str, ...], context: str) -> str:
        start = self.pos
        while not self.at_end() and self.peek() in ALNUM:
            self.pos += 1
        found = self.text[start : self.pos]
        if found in choices:
            return found
        listed = (
            repr(choices[0])
            if len(choices) == 1
            else "one of " + ", ".join(repr(c) for c in choices)
        )
        shown = (
            repr(found) if found else ("end of expression" if self.at_end() else show(self.peek()))
        )
        raise self.fail(f"expected {listed} after {context}, found {shown}", start)

    def end(self, what: str, chars: frozenset[str] | None = None, pointer_ok: bool = False) -> None:
        if self.at_end():
            return
        ch = self.peek()
        if ch == "#" and not pointer_ok:
            hint = f"; {what} cannot be followed by a JSON pointer"
        elif ch in ".[" and pointer_ok:
            hint = "; to reach into the value use a JSON pointer after '#', e.g. '#/items/0/id'"
        elif chars is not None:
            hint = f"; {what} may contain only {CLASS_TEXT[chars]}"
        else:
            hint = ""
        raise self.fail(f"unexpected {show(ch)} after {what}{hint}")

    def pointer(self, what: str, chars: frozenset[str] | None) -> str:
        """An optional ``#`` JSON pointer running to the end of the text."""
        if self.at_end():
            return ""
        if self.peek() != "#":
            self.end(what, chars, pointer_ok=True)
        self.pos += 1
        start = self.pos
        pointer = self.text[start:]
        check_pointer(pointer, start)
        self.pos = len(self.text)
        return pointer


def check_pointer(pointer: str, offset: int) -> None:
    if pointer and not pointer.startswith("/"):
        raise ExpressionError(
            f"a JSON pointer after '#' must be empty or start with '/', found {show(pointer[0])}",
            offset,
        )
    for i, ch in enumerate(pointer):
        if ch == "~" and pointer[i + 1 : i + 2] not in ("0", "1"):
            message = "in a JSON pointer '~' must be followed by '0' (for '~') or '1' (for '/')"
            raise ExpressionError(message, offset + i)


def unescape_pointer(pointer: str) -> list[str]:
    """Split a JSON pointer (RFC 6901) into its unescaped reference tokens."""
    if not pointer:
        return []
    check_pointer(pointer, 0)
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]
