"""Steps and what workflows and steps share, read into the model: parameters (with their components), success
and failure actions, criteria, outputs and request bodies."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Diagnostics
from ..loading.positioned import JsonPath, Positioned
from ..loading.reader import Reader
from .dialect_edits import Normalised
from .lookup import Lookup
from .nodes import (
    Action,
    Criterion,
    Output,
    Parameter,
    Replacement,
    RequestBody,
    Step,
)

_CRITERION_TYPES = ("simple", "regex", "jsonpath", "xpath")


class StepReader(Reader):
    """Reads steps and their parts; ``lookup`` finds their operations and workflows, ``components`` are the
    document's reusable objects (filled in by the document's builder)."""

    def __init__(self, doc: Positioned, diagnostics: Diagnostics, lookup: Lookup) -> None:
        super().__init__(doc, diagnostics)
        self.lookup = lookup
        self.components: dict[str, dict[str, Any]] = {}

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
            timeout_ms=self.timeout(raw, at),
        )

    def timeout(self, raw: dict[str, Any], at: JsonPath) -> int | None:
        """A step's ``timeout`` in milliseconds: a positive integer, on a step that calls an operation."""
        if "timeout" not in raw:
            return None
        value = raw["timeout"]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.error(
                at + ("timeout",),
                "step 'timeout' must be a positive integer (milliseconds)",
                "structure",
            )
            return None
        if "workflowId" in raw:
            self.error(
                at + ("timeout",),
                "step 'timeout' on a step that runs a workflow: not supported yet by arazzo-codegen "
                "(Arazzo 1.1)",
                "unsupported",
            )
            return None
        return value
