"""OpenAPI parameter serialization (style / explode) for path, query, header and cookie parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .values import MISSING


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


def serialize_query(value: Any, spec: ParamStyle) -> list[tuple[str, str]]:
    """(name, value) pairs, not yet percent-encoded (httpx encodes them)."""
    style, explode, name = spec.effective_style, spec.effective_explode, spec.name
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = _items(value)
        if style == "form" and explode:
            return [(name, item) for item in items]
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, separator.join(items))]
    if isinstance(value, Mapping):
        pairs = _pairs(value)
        if style == "deepObject":
            return [(f"{name}[{key}]", item) for key, item in pairs]
        if explode:
            return pairs
        return [(name, ",".join(f"{key},{item}" for key, item in pairs))]
    return [(name, scalar_text(value))]


def serialize_header(value: Any, spec: ParamStyle) -> str:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ",".join(_items(value))
    if isinstance(value, Mapping):
        separator = "=" if spec.effective_explode else ","
        return ",".join(f"{key}{separator}{item}" for key, item in _pairs(value))
    return scalar_text(value)


def serialize_cookie(value: Any, spec: ParamStyle) -> list[tuple[str, str]]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = _items(value)
        if spec.effective_explode:
            return [(spec.name, item) for item in items]
        return [(spec.name, ",".join(items))]
    if isinstance(value, Mapping):
        pairs = _pairs(value)
        if spec.effective_explode:
            return pairs
        return [(spec.name, ",".join(f"{key},{item}" for key, item in pairs))]
    return [(spec.name, scalar_text(value))]
