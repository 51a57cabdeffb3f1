"""An Arazzo 1.1 document's base URI (``$self``) and the resolution of relative source ``url``s against it.

RFC 3986 section 5: ``$self`` is the document's base URI; a relative ``$self`` resolves against the URI the
document was retrieved from (section 5.1.3), and a relative source ``url`` against ``$self`` (section 5.2,
strict: a reference with a scheme is already absolute, so ``http:g`` stays ``http:g``). The result is a
remote ``http(s)`` URL, or a ``file:`` URI that names a local file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

REMOTE_SCHEMES = ("http", "https")


def resolve(base: str, reference: str) -> str:
    """The target URI of ``reference`` against the absolute URI ``base`` (RFC 3986 section 5.2, strict)."""
    if urlsplit(reference).scheme:
        return reference
    return urljoin(base, reference)


def is_remote(uri: str) -> bool:
    return urlsplit(uri).scheme in REMOTE_SCHEMES


def retrieval_uri(shown: str, file: Path) -> str:
    """The URI a document was retrieved from: the URL it was fetched from, else its file's ``file:`` URI."""
    return shown if is_remote(shown) else file.resolve().as_uri()


def declared_base(data: Any, shown: str, file: Path) -> str | None:
    """The document's ``$self`` resolved against its retrieval URI; None when it declares no ``$self``."""
    declared = data.get("$self") if isinstance(data, dict) else None
    if not isinstance(declared, str):
        return None
    return resolve(retrieval_uri(shown, file), declared)


def file_path(uri: str) -> Path | None:
    """The local file a ``file:`` URI names (percent-decoded); None for any other scheme."""
    parts = urlsplit(uri)
    if parts.scheme != "file":
        return None
    return Path(unquote(parts.path))
