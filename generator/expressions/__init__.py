"""Arazzo runtime expressions, criterion conditions (codegen compiles them to Python)."""

from generator.expressions.conditions import (
    And,
    Compare,
    Condition,
    Literal,
    Not,
    Or,
    Ref,
    parse_condition,
)
from generator.expressions.cursor import ExpressionError, unescape_pointer
from generator.expressions.query_checks import (
    check_jsonpath,
    check_regex,
    check_xpath,
    split_query_comparison,
)
from generator.expressions.runtime_expr import (
    ComponentsRef,
    InputsRef,
    Method,
    OutputsRef,
    RequestRef,
    ResponseRef,
    RuntimeExpr,
    SourceDescriptionRef,
    StatusCode,
    StepsRef,
    Url,
    WorkflowsRef,
    parse_expression,
)
from generator.expressions.template_expr import is_expression, parse_template, template_spans

__all__ = [
    "And",
    "Compare",
    "ComponentsRef",
    "Condition",
    "ExpressionError",
    "InputsRef",
    "Literal",
    "Method",
    "Not",
    "Or",
    "OutputsRef",
    "Ref",
    "RequestRef",
    "ResponseRef",
    "RuntimeExpr",
    "SourceDescriptionRef",
    "StatusCode",
    "StepsRef",
    "Url",
    "WorkflowsRef",
    "check_jsonpath",
    "check_regex",
    "check_xpath",
    "is_expression",
    "parse_condition",
    "parse_expression",
    "parse_template",
    "split_query_comparison",
    "template_spans",
    "unescape_pointer",
]
