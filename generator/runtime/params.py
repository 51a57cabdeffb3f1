"""OpenAPI parameter serialization (style / explode) for path, query, header and cookie parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .values import MISSING

# RFC 3986 reserved characters an ``allowReserved`` parameter sends as they are ('#' would end the URL).
_RESERVED = ":/?[]@!$&'()*+,;="
# RFC 6265 cookie-octets other than '%' (kept apart so encoded text stays reversible).
_COOKIE_SAFE = "!#$&'()*+-./:<=>?@[]^_`{|}~"


@dataclass(frozen=True)
class ParamStyle:
    """How the OpenAPI operation declares one parameter; the defaults follow OpenAPI's."""

    location: str
    name: str
    style: str = ""
    explode: bool | None = None
    allow_reserved: bool = False

    @property
    def effective_style(self) -> str:
        return self.style or {"query": "form", "cookie": "form"}.get(self.location, "simple")

    @property
    def effective_explode(self) -> bool:
        return self.explode if self.explode is not None else self.effective_style == "form"


def scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pairs(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, Mapping):
        return [(str(key), scalar_text(item)) for key, item in value.items() if item is not MISSING]
    return []


def _items(value: Any) -> list[str]:
    return [scalar_text(item) for item in value if item is not MISSING]


def serialize_path(value: Any, spec: ParamStyle) -> str:
    """The text substituted for ``{name}`` in the path, percent-encoded."""
    style, explode = spec.effective_style, spec.effective_explode

    def enc(text: str) -> str:
        return quote(text, safe="")

    if isinstance(value, Sequence) and not isinstance(value, str):
        items = [enc(item) for item in _items(value)]
        if style == "label":
            return "." + (".".join(items) if explode else ",".join(items))
        if style == "matrix":
            name = enc(spec.name)
            if explode:
                return "".join(f";{name}={item}" for item in items)
            return f";{name}=" + ",".join(items)
        return ",".join(items)
    if isinstance(value, Mapping):
        pairs = [(enc(k), enc(v)) for k, v in _pairs(value)]
        joined = ",".join(f"{k}={v}" if explode else f"{k},{v}" for k, v in pairs)
        if style == "label":
            return "." + (".".join(f"{k}={v}" for k, v in pairs) if explode else joined)
        if style == "matrix":
            if explode:
                return "".join(f";{k}={v}" for k, v in pairs)
            return f";{enc(spec.name)}=" + joined
        return joined
    text = enc(scalar_text(value))
    if style == "label":
        return "." + text
    if style == "matrix":
        return f";{enc(spec.name)}={text}"
    return text


def _query(value: Any, spec: ParamStyle, encoded: bool) -> list[tuple[str, str]]:
    style, explode = spec.effective_style, spec.effective_explode
    safe = _RESERVED if spec.allow_reserved else ""

    def enc(text: str) -> str:
        return quote(text, safe=safe) if encoded else text

    name = enc(spec.name)
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = [enc(item) for item in _items(value)]
        if style == "form" and explode:
            return [(name, item) for item in items]
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        if encoded and separator == " ":
            separator = "%20"
        return [(name, separator.join(items))]
    if isinstance(value, Mapping):
        raw = _pairs(value)
        if style == "deepObject":
            return [(enc(f"{spec.name}[{key}]"), enc(item)) for key, item in raw]
        pairs = [(enc(key), enc(item)) for key, item in raw]
        if explode:
            return pairs
        return [(name, ",".join(f"{key},{item}" for key, item in pairs))]
    return [(name, enc(scalar_text(value)))]


def serialize_query(value: Any, spec: ParamStyle) -> list[tuple[str, str]]:
    """(name, value) pairs as the server reads them once decoded (what ``$request.query`` sees)."""
    return _query(value, spec, encoded=False)


def encode_query(value: Any, spec: ParamStyle) -> list[tuple[str, str]]:
    """(name, value) pairs percent-encoded for the query string.

    Item text is encoded (a comma inside an item becomes ``%2C``); the delimiters the style adds stay
    literal, so ``tags=a%2Cb,c`` keeps the items of a non-exploded array apart.
    """
    return _query(value, spec, encoded=True)


def serialize_header(value: Any, spec: ParamStyle) -> str:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ",".join(_items(value))
    if isinstance(value, Mapping):
        separator = "=" if spec.effective_explode else ","
        return ",".join(f"{key}{separator}{item}" for key, item in _pairs(value))
    return scalar_text(value)


def cookie_text(text: str) -> str:
    """Percent-encode what a cookie value may not hold (whitespace, quotes, ``,``, ``;``, ``\\``, ``%``)."""
    return quote(text, safe=_COOKIE_SAFE)


def serialize_cookie(value: Any, spec: ParamStyle) -> list[tuple[str, str]]:
    """(name, value) pairs for the Cookie header; item text encoded, the style's commas literal."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = [cookie_text(item) for item in _items(value)]
        if spec.effective_explode:
            return [(spec.name, item) for item in items]
        return [(spec.name, ",".join(items))]
    if isinstance(value, Mapping):
        pairs = [(cookie_text(key), cookie_text(item)) for key, item in _pairs(value)]
        if spec.effective_explode:
            return pairs
        return [(spec.name, ",".join(f"{key},{item}" for key, item in pairs))]
    return [(spec.name, cookie_text(scalar_text(value)))]
