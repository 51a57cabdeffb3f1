"""Resolving what steps and actions name: operations (by id or path) and workflows (local or imported)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from .dialect_targets import qualified_operation
from .dialect_edits import RULE, Edit
from ..diagnostics import Diagnostics
from ..loading.positioned import JsonPath, Positioned
from .nodes import ApiOperation, Document, Source, Workflow

_OPERATION_PATH = re.compile(r"^\{\$sourceDescriptions\.([^.}]+)\.url\}#(/.*)$")
QUALIFIED = re.compile(r"^\$sourceDescriptions\.([^.]+)\.(.+)$")


@dataclass
class Catalog:
    """What an Arazzo document can reach: its sources' operations and the documents it imports."""

    sources: dict[str, Source] = field(default_factory=dict)
    operations: dict[str, tuple[ApiOperation, ...]] = field(default_factory=dict)
    imported: dict[str, Document] = field(default_factory=dict)


class Lookup:
    """Finds operations and workflows for one document, reporting unknown, ambiguous and near-miss names."""

    def __init__(self, doc: Positioned, diagnostics: Diagnostics) -> None:
        self.doc = doc
        self.diags = diagnostics
        self.catalog = Catalog()
        self.unloaded: list[str] = []  # sources that could not be loaded (reported where they fail)
        self.incomplete: set[str] = (
            set()
        )  # sources with path items that could not be read (reported)
        self.kinds: dict[str, str] = {}  # the type of every declared source
        self.workflow_refs: list[tuple[str, JsonPath]] = []

    def error(self, at: JsonPath, message: str, rule: str) -> None:
        self.diags.error(self.doc.loc(at), message, rule)

    def workflow_ref(self, text: str, at: JsonPath) -> tuple[str, str | None] | None:
        """A workflow reference as (id, None) for a plain ``id``, or (id, name) for
        ``$sourceDescriptions.<name>.<id>`` (an ``arazzo`` source); existence of plain ids is checked
        once every workflow is known."""
        qualified = QUALIFIED.match(text)
        if not qualified:
            self.workflow_refs.append((text.removeprefix("$workflows."), at))
            return text.removeprefix("$workflows."), None
        name, workflow_id = qualified.groups()
        imported = self.catalog.imported.get(name)
        if imported is None and name in self.unloaded:
            return None  # why the source could not be loaded is reported where it fails
        if imported is None:
            source = self.catalog.sources.get(name)
            why = (
                "is not an 'arazzo' source description" if source else "is not a source description"
            )
            self.error(
                at, f"{name!r} {why}; cannot take workflow {workflow_id!r} from it", "reference"
            )
            return None
        if all(wf.workflow_id != workflow_id for wf in imported.workflows):
            known = [wf.workflow_id for wf in imported.workflows]
            close = difflib.get_close_matches(workflow_id, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.error(at, f"source {name!r} has no workflow {workflow_id!r}{hint}", "reference")
            return None
        return workflow_id, name

    def check_workflow_refs(self, local: list[Workflow]) -> None:
        if any(self.kinds.get(name) == "arazzo" for name in self.unloaded):
            return  # a workflow may be in an 'arazzo' source that could not be loaded
        own = {wf.workflow_id for wf in local}
        known = set(own)
        holders: dict[str, list[str]] = {}
        for name, doc in self.catalog.imported.items():
            for workflow_id in dict.fromkeys(wf.workflow_id for wf in doc.workflows):
                holders.setdefault(workflow_id, []).append(name)
        known.update(holders)
        for workflow_id, at in self.workflow_refs:
            if workflow_id not in own and len(holders.get(workflow_id, ())) > 1:
                names = " and ".join(repr(name) for name in holders[workflow_id])
                self.error(
                    at,
                    f"workflow {workflow_id!r} is defined by the arazzo sources {names}; name one as "
                    f"$sourceDescriptions.<name>.{workflow_id}",
                    "duplicate",
                )
            elif workflow_id not in known:
                close = difflib.get_close_matches(workflow_id, sorted(known), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.error(
                    at,
                    f"no workflow {workflow_id!r} in this document or its arazzo sources{hint}",
                    "reference",
                )

    def find_operation(self, operation_id: str, at: JsonPath) -> ApiOperation | None:
        qualified = QUALIFIED.match(operation_id)
        pools = self.catalog.operations
        if qualified:
            name, operation_id = qualified.groups()
            if name in self.unloaded:
                return None
            if name not in self.catalog.sources:
                self.error(at, f"unknown source description {name!r}", "reference")
                return None
            pools = {name: pools.get(name, ())}
        matches = [op for ops in pools.values() for op in ops if op.operation_id == operation_id]
        dotted = None if matches or qualified else self._source_dot_operation(operation_id)
        if dotted is not None:
            return self._dialect_operation(operation_id, dotted, at)
        if not matches:
            folded = [
                op
                for ops in pools.values()
                for op in ops
                if op.operation_id and op.operation_id.casefold() == operation_id.casefold()
            ]
            if len(folded) == 1:
                self.diags.warning(
                    self.doc.loc(at),
                    f"operationId {operation_id!r} matches {folded[0].operation_id!r} only when case is ignored; "
                    f"using {folded[0].operation_id!r} (write it exactly)",
                    "reference",
                )
                return folded[0]
        if len(matches) == 1:
            return matches[0]
        if not matches and (self.unloaded or self.incomplete.intersection(pools)):
            return None  # a source that could not be (wholly) read is already reported
        if not matches:
            known = sorted(
                {op.operation_id for ops in pools.values() for op in ops if op.operation_id}
            )
            close = difflib.get_close_matches(operation_id, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.error(
                at,
                f"operationId {operation_id!r} is not defined in any OpenAPI source description{hint}",
                "reference",
            )
        else:
            names = ", ".join(sorted({op.source for op in matches}))
            self.error(
                at,
                f"operationId {operation_id!r} is ambiguous (sources {names}); "
                f"qualify it as $sourceDescriptions.<name>.{operation_id}",
                "reference",
            )
        return None

    def _source_dot_operation(self, text: str) -> tuple[str, str] | None:
        pool = self.catalog.operations.get(text.partition(".")[0], ())
        return qualified_operation(
            text, self.catalog.sources, (op.operation_id for op in pool if op.operation_id)
        )

    def _dialect_operation(
        self, text: str, found: tuple[str, str], at: JsonPath
    ) -> ApiOperation | None:
        """``<source>.<operationId>`` (a dialect) read as ``$sourceDescriptions.<source>.<operationId>``."""
        canonical, why = found
        location = self.doc.loc(at)
        message = f"{text!r} is not the specification's spelling ({why}); read as {canonical!r}"
        self.diags.warning(location, message, RULE)
        self.diags.edits.append(
            Edit(str(self.doc.file), at, "text", location, message, 0, len(text), text, canonical)
        )
        return self.find_operation(canonical, at)  # read exactly as the canonical spelling

    def find_operation_path(self, text: str, at: JsonPath) -> ApiOperation | None:
        match = _OPERATION_PATH.match(text)
        if not match:
            self.error(
                at,
                "operationPath must look like '{$sourceDescriptions.<name>.url}#/paths/<escaped path>/<method>'",
                "reference",
            )
            return None
        name, fragment = match.groups()
        # A URI fragment is percent-encoded (RFC 6901 section 6): decode, then split and unescape.
        parts = [p.replace("~1", "/").replace("~0", "~") for p in unquote(fragment)[1:].split("/")]
        if len(parts) != 3 or parts[0] != "paths":
            self.error(
                at, f"operationPath {text!r} must point at /paths/<path>/<method>", "reference"
            )
            return None
        if name in self.unloaded or name in self.incomplete:
            return None
        if name not in self.catalog.sources:
            self.error(at, f"unknown source description {name!r}", "reference")
            return None
        for op in self.catalog.operations.get(name, ()):
            if op.path == parts[1] and op.method == parts[2].upper():
                return op
        self.error(
            at,
            f"operationPath {text!r} does not point at an operation of source {name!r}",
            "reference",
        )
        return None
