"""Dialect spellings of what a step or action names (``operationId``, ``workflowId``, ``dependsOn``) and of
the expression prefixes ``$sourceDescription.`` and ``$workflow.``: each read one way, only where that is
the only reading.

- ``$sourceDescription.<name>...`` (singular), where ``<name>`` is a declared source:
  ``$sourceDescriptions.<name>...``;
- ``$workflow.<id>.<rest>`` (singular), where ``<id>`` is a workflowId of the document:
  ``$workflows.<id>.<rest>``;
- ``workflowId: $sourceDescriptions.<name>.workflows.<id>`` (Redocly), where ``<name>`` is a declared source:
  ``$sourceDescriptions.<name>.<id>`` (workflowIds have no '.' in the specification's pattern);
- ``operationPath: name#/paths/...`` and the other short forms :func:`operation_path` lists:
  ``{$sourceDescriptions.<name>.url}#/paths/...``;
- ``operationId: <name>.<operationId>`` (Redocly Respect), where ``<name>`` is a declared source, the text
  is no operationId, and ``<operationId>`` is one in that source: ``$sourceDescriptions.<name>.<operationId>``.
  Only the operations tell, so :func:`qualified_operation` is asked once they are loaded.

Each function gives the canonical text and the reason, or None.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

_SINGULAR_SOURCE = re.compile(r"^\$sourceDescription\.([^.#{}]+)(?=[.#]|$)")
_SINGULAR_WORKFLOW = re.compile(r"^\$workflow\.([^.#{}]+)\.")
_WORKFLOWS_SEGMENT = re.compile(r"^\$sourceDescriptions\.([^.#{}]+)\.workflows\.([^.#{}]+)$")
_OPERATION_PATH = re.compile(r"^\{\$sourceDescriptions\.[^.}]+\.url\}#/")
_BARE_SOURCE_PATH = re.compile(r"^\$sourceDescriptions\.([^.#{}]+)(?:\.url)?#(/.*)$")
_HEAD_PATH = re.compile(r"^([^#{}$]*)#(/.*)$")

Found = tuple[str, str]  # (canonical text, why)


def canonical_prefix(
    text: str, sources: Collection[str], workflows: Collection[str]
) -> Found | None:
    """A runtime expression starting ``$sourceDescription.<source>`` or ``$workflow.<workflowId>.``."""
    single = _SINGULAR_SOURCE.match(text)
    if single and single.group(1) in sources:
        return (
            "$sourceDescriptions." + text[len("$sourceDescription.") :],
            "source descriptions are read with '$sourceDescriptions.<name>'",
        )
    single = _SINGULAR_WORKFLOW.match(text)
    if single and single.group(1) in workflows:
        return (
            "$workflows." + text[len("$workflow.") :],
            "workflows are read with '$workflows.<workflowId>'",
        )
    return None


def canonical_target(text: str, sources: Collection[str]) -> Found | None:
    """An ``operationId``/``workflowId``/``dependsOn`` value naming a source another way."""
    whys = []
    current = text
    single = _SINGULAR_SOURCE.match(current)
    if single and single.group(1) in sources:
        current = "$sourceDescriptions." + current[len("$sourceDescription.") :]
        whys.append("a source description is named '$sourceDescriptions.<name>'")
    segment = _WORKFLOWS_SEGMENT.match(current)
    if segment and segment.group(1) in sources:
        current = f"$sourceDescriptions.{segment.group(1)}.{segment.group(2)}"
        whys.append("a workflow of a source is named '$sourceDescriptions.<name>.<workflowId>'")
    return (current, "; ".join(whys)) if whys else None


def qualified_operation(
    text: str, sources: Collection[str], operation_ids: Iterable[str]
) -> Found | None:
    """``<source>.<operationId>`` as ``$sourceDescriptions.<source>.<operationId>``; ``operation_ids``
    are those of ``<source>`` (the caller has checked that ``text`` itself is no operationId)."""
    name, dot, rest = text.partition(".")
    if not dot or not rest or name not in sources or rest not in set(operation_ids):
        return None
    return (
        f"$sourceDescriptions.{name}.{rest}",
        "an operationId of a named source is written '$sourceDescriptions.<name>.<operationId>'",
    )


def operation_path(text: str, sources: Mapping[str, str]) -> Found | None:
    """``name#/paths/...``, ``<the description's url>#/paths/...``, ``$sourceDescriptions.name[.url]#/...``
    or (with one source) ``#/paths/...`` as ``{$sourceDescriptions.<name>.url}#/paths/...``."""
    if _OPERATION_PATH.match(text):
        return None
    bare = _BARE_SOURCE_PATH.match(text)
    if bare and bare.group(1) in sources:
        name, fragment = bare.group(1), bare.group(2)
    else:
        head = _HEAD_PATH.match(text)
        if head is None:
            return None
        written, fragment = head.group(1), head.group(2)
        if written in sources:
            name = written
        else:
            same = [n for n, url in sources.items() if _same_url(url, written)]
            if not written and len(sources) == 1:
                same = list(sources)
            if len(same) != 1:
                return None
            name = same[0]
    why = "an operationPath names its description as '{$sourceDescriptions.<name>.url}'"
    return "{$sourceDescriptions." + name + ".url}#" + fragment, why


def _same_url(a: str, b: str) -> bool:
    return bool(b) and a.removeprefix("./") == b.removeprefix("./")
