"""Module constants for long literals: JSON Schemas and long strings (GraphQL queries), named after their use.

The decision is taken on values and ``ast`` nodes, never on source text; equal values (compared as JSON
values: ``1``, ``1.0`` and ``true`` differ) share one constant.
"""

from __future__ import annotations

import ast
import json
from typing import Any

from . import pycode
from .names import Scope
from .pycode import Identifier

LONG_STRING = 80  # a string constant longer than this becomes a module constant


class Constants:
    """The module's constants in the order they were first needed, as ``NAME = <literal>`` statements."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._names: dict[str, Identifier] = {}
        self.statements: list[ast.stmt] = []

    def name(self, value: Any, use: str) -> ast.Name:
        """A constant holding ``value`` (shared with an equal value), named ``_`` + CONSTANT_CASE(use)."""
        key = json.dumps(value, ensure_ascii=False, default=repr)
        if key not in self._names:
            ident = self.scope.constant(use)
            self._names[key] = ident
            self.statements.append(pycode.assign(ident, pycode.literal(value)))
        return pycode.name(self._names[key])

    def hoist(self, node: ast.expr, use: str) -> ast.expr:
        """``node`` with every string constant longer than :data:`LONG_STRING` made a module constant,
        named after ``use`` and the object member that holds it (``_UPDATE_STATUS_QUERY``)."""
        return _Hoist(self, use).visit(node)  # type: ignore[no-any-return]


class _Hoist(ast.NodeTransformer):
    def __init__(self, constants: Constants, use: str) -> None:
        self.constants = constants
        self.uses = [use]

    def visit_Dict(self, node: ast.Dict) -> ast.Dict:
        values = []
        for key, value in zip(node.keys, node.values):
            named = isinstance(key, ast.Constant) and isinstance(key.value, str)
            if named and isinstance(key, ast.Constant):
                self.uses.append(f"{self.uses[0]} {str(key.value)}")
            values.append(self.visit(value))
            if named:
                self.uses.pop()
        node.values = values
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if isinstance(node.value, str) and len(node.value) > LONG_STRING:
            return self.constants.name(node.value, self.uses[-1])
        return node
