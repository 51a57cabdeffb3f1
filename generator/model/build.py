"""Positioned Arazzo documents → the model: the document, its sources (operations, imported documents) and
workflows; steps are read by :mod:`generator.model.steps`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..loading.structure import check_structure
from ..loading.versions import arazzo_version
from .unsupported import check_unsupported
from .dialects import normalise
from ..diagnostics import Diagnostics
from .input_schema import merged_inputs
from ..loading.openapi_usage import OpenApiLedger
from ..loading.openapi import default_server, operations
from ..loading.positioned import JsonPath, Positioned
from ..loading.base_uri import declared_base, file_path, is_remote, resolve
from ..loading.source_files import ancestor_hint, local_source
from ..loading.refs import RefError, inline
from ..loading.workspace import Workspace
from .lookup import Catalog, Lookup
from .nodes import Document, Source, Workflow
from .steps import StepReader


class Builder(StepReader):
    """One Arazzo document: its sources (OpenAPI operations, imported Arazzo documents) and workflows."""

    def __init__(
        self,
        workspace: Workspace,
        doc: Positioned,
        diagnostics: Diagnostics,
        active: tuple[Path, ...],
        ledger: OpenApiLedger,
    ) -> None:
        super().__init__(doc, diagnostics, Lookup(doc, diagnostics))
        self.ws = workspace
        self.ledger = ledger
        self.active = active
        self.catalog = self.lookup.catalog
        self.unloaded = self.lookup.unloaded
        self.base: str | None = None  # $self, resolved
        self.sources_base: str | None = (
            None  # the base URI of relative source urls; None: the folder
        )

    # -- reading helpers -------------------------------------------------------------------------------
    # -- document --------------------------------------------------------------------------------------
    def build(self) -> Document | None:
        # as written, before the dialect reading (which would take a Selector Object for a constant)
        if not check_unsupported(self.doc, self.diags):
            check_structure(self.doc, self.diags)
            return None
        self.doc = normalise(
            self.doc, self.diags
        )  # dialect spellings read canonically, with warnings
        self.lookup.doc = self.doc
        if not check_structure(self.doc, self.diags):
            return None
        root = self.obj(self.doc.data, (), "an Arazzo document")
        version = root.get("arazzo")
        if not isinstance(version, str) or not re.match(r"^1\.[01]\.\d+$", version):
            self.error(
                ("arazzo",),
                "'arazzo' must be a 1.0.x or 1.1.x version string such as '1.1.0'",
                "structure",
            )
        info = self.obj(root.get("info"), ("info",), "'info'")
        self.base = declared_base(root, self.doc.path, self.doc.file)
        fetched = self.doc.path if is_remote(self.doc.path) else None
        self.sources_base = self.base or fetched  # RFC 3986 5.1: $self, else where it was retrieved
        self.components = {
            kind: dict(value)
            for kind, value in self.obj(
                root.get("components") or {}, ("components",), "'components'"
            ).items()
            if isinstance(value, dict)
        }
        for at, raw in self.items(root, "sourceDescriptions", ()):
            self.source(at, self.obj(raw, at, "a source description"))
        if "sourceDescriptions" not in root:
            self.error((), "missing required field 'sourceDescriptions'", "structure")
        workflows = [
            self.workflow(at, self.obj(raw, at, "a workflow"))
            for at, raw in self.items(root, "workflows", ())
        ]
        self.lookup.check_workflow_refs(workflows)
        for workflow in workflows:
            for step in workflow.steps:
                self.ledger.use(step.operation)
        self.unique([(repr(wf.workflow_id), wf.where) for wf in workflows], "workflowId")
        if "workflows" not in root:
            self.error((), "missing required field 'workflows'", "structure")
        return Document(
            display_path=self.doc.path,
            file=str(self.doc.file),
            title=self.text(info, "title", ("info",), required=True),
            summary=self.text(info, "summary", ("info",)),
            description=self.text(info, "description", ("info",)),
            version=self.text(info, "version", ("info",), required=True),
            arazzo_version=arazzo_version(root),
            sources=tuple(self.catalog.sources.values()),
            workflows=tuple(workflows),
            components=self.components,
            imported=tuple(self.catalog.imported.values()),
            unloaded=tuple(self.unloaded),
            self_uri=self.base,
        )

    def source(self, at: JsonPath, raw: dict[str, Any]) -> None:
        name = self.text(raw, "name", at, required=True)
        url = self.text(raw, "url", at, required=True)
        kind = raw.get("type", "openapi")
        if kind not in ("openapi", "arazzo"):
            self.error(
                at + ("type",),
                f"source description type must be 'openapi' or 'arazzo', not {kind!r}",
                "structure",
            )
            return
        if not name or not url:
            return
        if name in self.catalog.sources:
            self.error(at + ("name",), f"duplicate source description name {name!r}", "duplicate")
            return
        where = self.doc.loc(at + ("url",))
        self.lookup.kinds[name] = kind
        base = self.sources_base
        target = url if base is None else resolve(base, url)  # RFC 3986 section 5.2
        if is_remote(target):
            fetched = self.ws.remote(target, self.doc.file.parent, where, self.active)
            if fetched is None:
                self.unloaded.append(name)
                return
            file, shown = fetched, (target if self.ws.allow_remote else None)
        elif base is None:
            file, shown = local_source(self.doc.file.parent, url), None
        else:
            named = file_path(target)
            if named is None:
                self.error(
                    at + ("url",),
                    f"source description url {url!r} resolves to {target!r} (RFC 3986), "
                    "neither an http(s) URL nor a local file",
                    "load",
                )
                self.unloaded.append(name)
                return
            file, shown = named, None
        folder = self.doc.file.parent
        hint = (lambda: ancestor_hint(folder, url)) if base is None else None
        loaded = self.ws.load(file, shown, referrer=where, hint=hint)
        if loaded is None:
            self.unloaded.append(name)
            return
        file = loaded.file  # resolved
        server = None
        if kind == "openapi":
            try:
                usable = self.ledger.validate(loaded)
                if usable:
                    unreadable: list[JsonPath] = []
                    self.catalog.operations[name] = operations(
                        loaded,
                        name,
                        self.ws.quiet_loader,
                        self.diags,
                        self.ledger.nodes,
                        unreadable,
                    )
                    if unreadable:
                        self.lookup.incomplete.add(name)
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                usable = False  # a description too malformed to index
                self.diags.error(
                    loaded.loc(),
                    f"the operations of this OpenAPI description cannot be read: {exc!r}",
                    "openapi-valid",
                )
            if not usable:
                self.unloaded.append(name)
            server = default_server(loaded)
        elif file in self.active:
            self.error(
                at + ("url",),
                f"source description {name!r} refers back to a document being loaded",
                "cycle",
            )
            self.unloaded.append(name)
        else:
            imported = Builder(
                self.ws, loaded, self.diags, self.active + (file,), self.ledger
            ).build()
            if imported is not None:
                self.catalog.imported[name] = imported
            else:
                self.unloaded.append(name)
        self.catalog.sources[name] = Source(name, url, kind, server, where, str(file))

    # -- workflows -------------------------------------------------------------------------------------
    def workflow(self, at: JsonPath, raw: dict[str, Any]) -> Workflow:
        workflow_id = self.text(raw, "workflowId", at, required=True)
        inputs = None
        if "inputs" in raw:
            try:
                inputs = inline(
                    self.doc,
                    raw["inputs"],
                    self.ws.quiet_loader,
                    at + ("inputs",),
                    referring=lambda file, doc, ref_at: self.ws.load(
                        file, referrer=doc.loc(ref_at)
                    ),
                )
            except RefError as exc:
                if not exc.unloaded:  # a file that cannot be loaded is reported at the $ref
                    self.error(exc.at or at + ("inputs",), str(exc), "reference")
        shared = [self.parameter(p_at, p) for p_at, p in self.items(raw, "parameters", at)]
        steps = tuple(
            self.step(s_at, self.obj(s, s_at, "a step"), shared)
            for s_at, s in self.items(raw, "steps", at)
        )
        if not steps:
            self.error(at, f"workflow {workflow_id!r} has no steps", "structure")
        self.unique([(repr(s.step_id), s.where) for s in steps], "stepId")
        self.unique_parameters(shared)
        depends: list[str | tuple[str, str]] = []
        for d_at, d in self.items(raw, "dependsOn", at):
            ref = self.lookup.workflow_ref(d, d_at) if isinstance(d, str) else None
            if ref is not None:
                depends.append(ref[0] if ref[1] is None else (ref[1], ref[0]))
        return Workflow(
            workflow_id=workflow_id,
            summary=self.text(raw, "summary", at),
            description=self.text(raw, "description", at),
            inputs_schema=merged_inputs(inputs) if isinstance(inputs, dict) else None,
            depends_on=tuple(depends),
            steps=steps,
            success_actions=self.actions(raw, "successActions", at, "successActions"),
            failure_actions=self.actions(raw, "failureActions", at, "failureActions"),
            outputs=self.outputs(raw, at),
            where=self.doc.loc(at),
        )


def build_document(
    workspace: Workspace,
    file: Path,
    shown: str,
    diagnostics: Diagnostics,
    ledger: OpenApiLedger | None = None,
) -> tuple[Document | None, Catalog]:
    """The document's model; OpenAPI findings go to ``ledger`` (reported by the caller once every
    document of the run is built), or without one are reported here."""
    doc = workspace.load(file, shown)
    if doc is None:
        return None, Catalog()
    own = ledger or OpenApiLedger(workspace)
    builder = Builder(workspace, doc, diagnostics, (file.resolve(),), own)
    document = builder.build()
    if ledger is None:
        own.report(diagnostics)
    return document, builder.catalog
