"""Secrets held out of sight: a credential is kept masked in memory and shown as ``***`` everywhere.

Whatever keeps a :class:`Secret` (a client, its settings, a request plan, a traceback's rendered locals)
shows ``***``; the clear text exists only for the moment a request is built and sent, or text masked.
"""

from __future__ import annotations

import base64
import os
from urllib.parse import quote, quote_plus

from .params import cookie_text

MASK = "***"


class Secret:
    """A credential, stored XOR-ed with a random pad so no attribute holds it in clear."""

    __slots__ = ("_pad", "_data", "__weakref__")

    def __init__(self, value: str) -> None:
        raw = value.encode("utf-8", "surrogatepass")
        pad = os.urandom(len(raw)) if raw else b""
        self._pad = pad
        self._data = bytes(a ^ b for a, b in zip(raw, pad))

    def reveal(self) -> str:
        """The clear text; call it only where the value is used at once, never to keep it."""
        return bytes(a ^ b for a, b in zip(self._data, self._pad)).decode("utf-8", "surrogatepass")

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return MASK

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


def secret_forms(secret: str) -> set[str]:
    """The ways a secret can appear in text: as is, encoded on the wire, or escaped in a repr."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        cookie_text(secret),
        repr(secret)[1:-1],
        repr(secret.encode("utf-8", "surrogatepass"))[2:-1],
        base64.b64encode(secret.encode("utf-8", "surrogatepass")).decode("ascii"),
    }
    if ":" in secret:  # http basic user:password: the password alone may be echoed on its own
        password = secret.split(":", 1)[1]
        if password:
            forms |= secret_forms(password)
    return {form for form in forms if form}


def _forms_of(vault: tuple[Secret, ...]) -> list[str]:
    forms = {form for secret in vault for form in secret_forms(secret.reveal())}
    return sorted(forms, key=len, reverse=True)


def mask_text(text: str, vault: tuple[Secret, ...]) -> str:
    """``text`` with every form of every secret in ``vault`` replaced by ``***``."""
    for form in _forms_of(vault):
        text = text.replace(form, MASK)
    return text


def mask_bytes(data: bytes, vault: tuple[Secret, ...]) -> bytes:
    """``data`` with every form of every secret replaced by ``***`` (a reply may echo a credential)."""
    if not data or not vault:
        return data
    for form in _forms_of(vault):
        data = data.replace(form.encode("utf-8", "surrogatepass"), b"***")
    return data
