"""Positioned Arazzo documents → the model, resolving sources, operations and components."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..loading.structure import check_structure
from .dialects import Normalised, normalise
from ..diagnostics import Diagnostics
from .input_schema import merged_inputs
from ..loading.openapi_usage import OpenApiLedger
from ..loading.openapi import default_server, operations
from ..loading.positioned import JsonPath, Positioned
from ..loading.source_files import ancestor_hint, local_source
from ..loading.refs import RefError, inline
from ..loading.workspace import Workspace
from .lookup import Catalog, Lookup
from .nodes import (
    Action,
    Criterion,
    Document,
    Output,
    Parameter,
    Replacement,
    RequestBody,
    Source,
    Step,
    Workflow,
)
from ..loading.reader import Reader

_CRITERION_TYPES = ("simple", "regex", "jsonpath", "xpath")


class Builder(Reader):
    def __init__(
        self,
        workspace: Workspace,
        doc: Positioned,
        diagnostics: Diagnostics,
        active: tuple[Path, ...],
        ledger: OpenApiLedger,
    ) -> None:
        super().__init__(doc, diagnostics)
        self.ws = workspace
        self.ledger = ledger
        self.active = active
        self.components: dict[str, dict[str, Any]] = {}
        self.lookup = Lookup(doc, diagnostics)
        self.catalog = self.lookup.catalog
        self.unloaded = self.lookup.unloaded

    # -- reading helpers -------------------------------------------------------------------------------
    # -- document --------------------------------------------------------------------------------------
    def build(self) -> Document | None:
        self.doc = normalise(
            self.doc, self.diags
        )  # dialect spellings read canonically, with warnings
        self.lookup.doc = self.doc
        if not check_structure(self.doc, self.diags):
            return None
        root = self.obj(self.doc.data, (), "an Arazzo document")
        version = root.get("arazzo")
        if not isinstance(version, str) or not re.match(r"^1\.0\.\d+$", version):
            self.error(
                ("arazzo",), "'arazzo' must be a 1.0.x version string such as '1.0.1'", "structure"
            )
        info = self.obj(root.get("info"), ("info",), "'info'")
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
            sources=tuple(self.catalog.sources.values()),
            workflows=tuple(workflows),
            components=self.components,
            imported=tuple(self.catalog.imported.values()),
            unloaded=tuple(self.unloaded),
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
        if url.startswith(("http://", "https://")):
            fetched = self.ws.remote(url, self.doc.file.parent, where, self.active)
            if fetched is None:
                self.unloaded.append(name)
                return
            file, shown = fetched, (url if self.ws.allow_remote else None)
        else:
            file, shown = local_source(self.doc.file.parent, url), None
        folder = self.doc.file.parent
        loaded = self.ws.load(file, shown, referrer=where, hint=lambda: ancestor_hint(folder, url))
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

    def outputs(self, raw: dict[str, Any], at: JsonPath) -> tuple[Output, ...]:
        found = self.obj(raw.get("outputs") or {}, at + ("outputs",), "'outputs'")
        result = []
        constants = self.doc.constants if isinstance(self.doc, Normalised) else {}
        for name, value in found.items():
            if (
                at + ("outputs", name) in constants
            ):  # a literal output (a dialect), kept as a constant
                constant = constants[at + ("outputs", name)]
                result.append(
                    Output(name, "", self.doc.loc(at + ("outputs", name)), constant, True)
                )
                continue
            if not isinstance(value, str):
                self.error(
                    at + ("outputs", name),
                    f"output {name!r} must be a runtime expression string",
                    "structure",
                )
                continue
            result.append(Output(name, value, self.doc.loc(at + ("outputs", name))))
        return tuple(result)

    def parameter(self, at: JsonPath, raw: Any) -> Parameter | None:
        raw = self.obj(raw, at, "a parameter")
        value_at = at + ("value",)
        if "reference" in raw:
            ref = str(raw["reference"])
            component = self.component(ref, "parameters", at + ("reference",))
            if component is None:
                return None
            merged = dict(component)
            if "value" in raw:
                merged["value"] = raw["value"]
            else:
                value_at = (
                    "components",
                    "parameters",
                    ref.removeprefix("$components.parameters."),
                    "value",
                )
            raw = merged
        name = self.text(raw, "name", at, required=True)
        if "value" not in raw:
            self.error(at, f"parameter {name!r} has no 'value'", "structure")
        location = raw.get("in")
        if location is not None and location not in ("path", "query", "header", "cookie"):
            self.error(
                at + ("in",),
                f"parameter 'in' must be path, query, header or cookie, not {location!r}",
                "structure",
            )
            location = None
        return Parameter(name, location, raw.get("value"), self.doc.loc(at), self.doc.loc(value_at))

    def unique_parameters(self, parameters: list[Parameter | None]) -> None:
        self.unique(
            [(f"{p.name!r} (in: {p.location or '-'})", p.where) for p in parameters if p],
            "parameter",
        )

    def component(self, ref: str, kind: str, at: JsonPath) -> dict[str, Any] | None:
        prefix = f"$components.{kind}."
        if not ref.startswith(prefix):
            self.error(at, f"reference {ref!r} must point into $components.{kind}", "reference")
            return None
        name = ref[len(prefix) :]
        found = self.components.get(kind, {}).get(name)
        if not isinstance(found, dict):
            self.error(
                at, f"reference {ref!r} does not resolve: no component {kind}.{name}", "reference"
            )
            return None
        return found

    def actions(self, raw: dict[str, Any], key: str, at: JsonPath, kind: str) -> tuple[Action, ...]:
        result = []
        for a_at, item in self.items(raw, key, at):
            item = self.obj(item, a_at, "an action")
            if "reference" in item:
                found = self.component(str(item["reference"]), kind, a_at + ("reference",))
                if found is None:
                    continue
                item = found
            action_type = item.get("type")
            allowed = ("end", "goto") if kind == "successActions" else ("end", "goto", "retry")
            if action_type not in allowed or not isinstance(action_type, str):
                self.error(
                    a_at + ("type",),
                    f"action type must be one of {', '.join(allowed)}, not {action_type!r}",
                    "structure",
                )
                continue
            step_id = item.get("stepId")
            workflow_id = item.get("workflowId")
            target = (
                self.lookup.workflow_ref(str(workflow_id), a_at + ("workflowId",))
                if workflow_id is not None
                else None
            )
            if step_id is not None and workflow_id is not None:
                self.error(
                    a_at, "an action names either 'stepId' or 'workflowId', not both", "structure"
                )
            if action_type == "goto" and step_id is None and workflow_id is None:
                self.error(a_at, "a 'goto' action needs 'stepId' or 'workflowId'", "structure")
            retry_after = item.get("retryAfter")
            retry_limit = item.get("retryLimit", 1)
            if retry_after is not None and (
                not isinstance(retry_after, (int, float)) or retry_after < 0
            ):
                self.error(
                    a_at + ("retryAfter",),
                    "'retryAfter' must be a non-negative number",
                    "structure",
                )
                retry_after = None
            if not isinstance(retry_limit, int) or retry_limit < 0:
                self.error(
                    a_at + ("retryLimit",),
                    "'retryLimit' must be a non-negative integer",
                    "structure",
                )
                retry_limit = 1
            result.append(
                Action(
                    name=self.text(item, "name", a_at, required=True),
                    type=(
                        "end"
                        if action_type == "end"
                        else "goto" if action_type == "goto" else "retry"
                    ),
                    step_id=str(step_id) if step_id is not None else None,
                    workflow_id=target[0] if target else None,
                    workflow_source=target[1] if target else None,
                    retry_after=float(retry_after) if retry_after is not None else None,
                    retry_limit=retry_limit,
                    criteria=self.criteria(item, "criteria", a_at),
                    where=self.doc.loc(a_at),
                    target_where=self.doc.loc(
                        a_at + ("stepId" if step_id is not None else "workflowId",)
                    ),
                )
            )
        self.unique([(repr(a.name), a.where) for a in result], "action name")
        return tuple(result)

    def criteria(self, raw: dict[str, Any], key: str, at: JsonPath) -> tuple[Criterion, ...]:
        result = []
        for c_at, item in self.items(raw, key, at):
            item = self.obj(item, c_at, "a criterion")
            kind: Any = item.get("type", "simple")
            version = ""
            if isinstance(kind, dict):
                version = str(kind.get("version", ""))
                kind = kind.get("type")
            if kind not in _CRITERION_TYPES:
                self.error(
                    c_at + ("type",),
                    f"criterion type must be one of {', '.join(_CRITERION_TYPES)}, not {kind!r}",
                    "structure",
                )
                continue
            context = item.get("context")
            if kind != "simple" and context is None:
                self.error(c_at, f"a {kind} criterion needs a 'context'", "structure")
            result.append(
                Criterion(
                    condition=self.text(item, "condition", c_at, required=True),
                    type=kind,
                    version=version,
                    context=str(context) if context is not None else None,
                    where=self.doc.loc(c_at + ("condition",)),
                    context_where=self.doc.loc(c_at + ("context",)),
                )
            )
        return tuple(result)

    def step(self, at: JsonPath, raw: dict[str, Any], shared: list[Parameter | None]) -> Step:
        step_id = self.text(raw, "stepId", at, required=True)
        targets = [key for key in ("operationId", "operationPath", "workflowId") if key in raw]
        if len(targets) != 1:
            self.error(
                at,
                "a step names exactly one of 'operationId', 'operationPath' or 'workflowId'",
                "structure",
            )
        operation = None
        workflow_id = workflow_source = None
        if "operationId" in raw:
            operation = self.lookup.find_operation(str(raw["operationId"]), at + ("operationId",))
        elif "operationPath" in raw:
            operation = self.lookup.find_operation_path(
                str(raw["operationPath"]), at + ("operationPath",)
            )
        elif "workflowId" in raw:
            target = self.lookup.workflow_ref(str(raw["workflowId"]), at + ("workflowId",))
            workflow_id, workflow_source = target if target else (None, None)
            # a workflow parameter with an `in` is for the operations the workflow calls, not an input
            # of the workflows its steps run (a step's parameters are that workflow's inputs)
            shared = [p for p in shared if p and p.location is None]
        own = [self.parameter(p_at, p) for p_at, p in self.items(raw, "parameters", at)]
        self.unique_parameters(own)
        keys = {(p.name, p.location) for p in own if p}
        parameters = tuple(p for p in shared if p and (p.name, p.location) not in keys) + tuple(
            p for p in own if p
        )
        body = None
        if "requestBody" in raw:
            b_raw = self.obj(raw["requestBody"], at + ("requestBody",), "'requestBody'")
            replacements = tuple(
                Replacement(
                    str(r.get("target", "")),
                    r.get("value"),
                    self.doc.loc(r_at),
                    self.doc.loc(r_at + ("value",)),
                )
                for r_at, r in self.items(b_raw, "replacements", at + ("requestBody",))
                if isinstance(r, dict)
            )
            body = RequestBody(
                content_type=b_raw.get("contentType"),
                payload=b_raw.get("payload"),
                has_payload="payload" in b_raw,
                replacements=replacements,
                where=self.doc.loc(at + ("requestBody",)),
                payload_at=self.subtree_locations(
                    b_raw.get("payload"), at + ("requestBody", "payload")
                ),
            )
        return Step(
            step_id=step_id,
            description=self.text(raw, "description", at),
            operation=operation,
            workflow_id=workflow_id,
            workflow_source=workflow_source,
            parameters=parameters,
            request_body=body,
            success_criteria=self.criteria(raw, "successCriteria", at),
            on_success=self.actions(raw, "onSuccess", at, "successActions"),
            on_failure=self.actions(raw, "onFailure", at, "failureActions"),
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
