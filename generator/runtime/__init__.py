"""The runtime of generated workflow code: clients, the step driver, errors and value helpers."""

from .client import AsyncClient, Client
from .context import Context
from .errors import (
    ArazzoError,
    InputError,
    RequestValidationError,
    StepFailedError,
    WorkflowLimitError,
)
from .params import ParamStyle
from .run import run, run_async
from .spec import (
    Action,
    Operation,
    Registry,
    Request,
    SecurityScheme,
    Source,
    Step,
    Workflow,
    request,
)
from .trace import StepRecord
from .values import (
    MISSING,
    eq,
    ge,
    gt,
    jsonpath_any,
    jsonpath_value,
    le,
    lt,
    ne,
    present,
    regex,
    replace,
    text,
    truthy,
    xpath_any,
)

__all__ = [
    "MISSING",
    "Action",
    "ArazzoError",
    "AsyncClient",
    "Client",
    "Context",
    "InputError",
    "Operation",
    "ParamStyle",
    "Registry",
    "Request",
    "RequestValidationError",
    "SecurityScheme",
    "Source",
    "Step",
    "StepFailedError",
    "StepRecord",
    "Workflow",
    "WorkflowLimitError",
    "eq",
    "ge",
    "gt",
    "jsonpath_any",
    "jsonpath_value",
    "le",
    "lt",
    "ne",
    "present",
    "regex",
    "replace",
    "request",
    "run",
    "run_async",
    "text",
    "truthy",
    "xpath_any",
]
