"""Small inline OpenAPI and Arazzo documents for functional tests."""

from __future__ import annotations

from typing import Any


def openapi(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A minimal OpenAPI 3.1 document around ``paths``."""
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Test API", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.test"}],
        "paths": paths,
    }
    doc.update(extra)
    return doc


def arazzo(
    workflows: list[dict[str, Any]], sources: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "arazzo": "1.0.1",
        "info": {"title": "Test workflows", "version": "1.0.0"},
        "sourceDescriptions": sources
        or [{"name": "api", "url": "api.openapi.yaml", "type": "openapi"}],
        "workflows": workflows,
    }
    doc.update(extra)
    return doc
