"""Problems in OpenAPI descriptions, weighed by use: an error when it touches an operation a workflow uses
(its parameters, request body, responses, security schemes and the schemas they reach), else a warning.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..diagnostics import Diagnostics
from .openapi import OperationNodes, validate_openapi
from .positioned import JsonPath, Positioned
from .refs import DocLoader, RefError, Referring, references, resolve_ref, walk
from .validation import Finding, finding
from .workspace import Workspace
from .api import ApiOperation

UNUSED = " (in a part of the description that no workflow uses)"


class OpenApiLedger:
    """The OpenAPI findings of one run: each description validated once, each finding reported once, when
    every workflow of the run is known (``report``)."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self.load: DocLoader = workspace.quiet_loader
        self.validated: dict[str, tuple[bool, list[Finding]]] = {}
        self.nodes: OperationNodes = {}
        self.reached: set[tuple[str, JsonPath]] = set()

    def validate(self, doc: Positioned) -> bool:
        """Whether ``doc`` is an OpenAPI description whose operations can be indexed."""
        key = str(doc.file)
        if key not in self.validated:
            found: list[Finding] = []
            self.validated[key] = (False, found)  # a description that references itself
            usable, findings = validate_openapi(doc, self.load, self._referring(found))
            self.validated[key] = (usable, found + findings)
        return self.validated[key][0]

    def _referring(self, found: list[Finding]) -> Referring:
        """Loads a file a ``$ref`` names; its load problems become findings at that ``$ref`` node (or, for
        a file that is there but broken, at the file's own offending node)."""

        def load(file: Path, doc: Positioned, at: JsonPath) -> Positioned | None:
            scratch = Diagnostics()
            saved, self.ws.diagnostics = self.ws.diagnostics, scratch
            try:
                loaded = self.ws.load(file, referrer=doc.loc(at))
            finally:
                self.ws.diagnostics = saved
            for item in scratch.items:
                found.append(
                    replace(finding(doc, at, item.message, item.rule), location=item.location)
                )
            return loaded

        return load

    def use(self, operation: ApiOperation | None) -> None:
        """Mark everything ``operation`` is made of, following references, as used by a workflow."""
        entry = self.nodes.get(id(operation)) if operation is not None else None
        pending = list(entry[1]) if entry else []
        while pending:
            doc, at = pending.pop()
            key = (str(doc.file), at)
            if key in self.reached:
                continue
            self.reached.add(key)
            try:
                value = walk(doc.data, at)
            except KeyError:
                continue
            for ref_at, ref in references(value, at):
                try:
                    target, path, _ = resolve_ref(doc, ref, self.load, ref_at)
                except RefError:
                    continue
                pending.append((target, path))

    def touches(self, item: Finding) -> bool:
        if item.at[:1] == ("paths",) and item.at[2:] == ("$ref",):
            return True  # a path item that cannot be read may hold any operation
        return any((item.file, item.at[:cut]) in self.reached for cut in range(len(item.at) + 1))

    def report(self, diagnostics: Diagnostics) -> None:
        for usable, findings in self.validated.values():
            for item in findings:
                if not usable or self.touches(item):
                    diagnostics.error(item.location, item.message, item.rule)
                else:
                    diagnostics.warning(item.location, item.message + UNUSED, item.rule)
