"""Python code as ``ast`` nodes: small builders, checked identifiers, and the one place code becomes text.

Every piece of generated code is built here as a node tree and turned into source by :func:`render` alone
(``ast.unparse``). Values from a document enter the tree only as constants (:func:`literal`), names only as
:class:`Identifier` (made by the sanitiser in :mod:`generator.names`, or fixed names of the generated code),
so no document text can become code.
"""

from __future__ import annotations

import ast
import keyword
import math
from collections.abc import Iterable, Sequence
from typing import Any


class LiteralError(ValueError):
    """A value that has no exact Python literal (a non-finite float, a non-string key, an unknown type)."""


class Identifier(str):
    """A Python name: ASCII, ``isidentifier()``, and not a hard keyword (soft keywords such as ``type`` pass)."""

    __slots__ = ()

    def __new__(cls, text: str) -> Identifier:
        if not isinstance(text, str) or not (text.isascii() and text.isidentifier()):
            raise ValueError(f"{text!r} is not a Python identifier")
        if keyword.iskeyword(text):
            raise ValueError(f"{text!r} is a Python keyword")
        return super().__new__(cls, text)


def render(node: ast.AST) -> str:
    """The one function that turns generated code into text."""
    return ast.unparse(ast.fix_missing_locations(node))


def name(ident: Identifier) -> ast.Name:
    if not isinstance(ident, Identifier):
        raise TypeError(f"name() takes an Identifier, not {type(ident).__name__} {ident!r}")
    return ast.Name(id=str(ident), ctx=ast.Load())


def fixed(text: str) -> ast.expr:
    """A dotted name the generated code itself defines or imports (``rt.eq``, ``c``): checked part by part."""
    parts = text.split(".")
    node: ast.expr = name(Identifier(parts[0]))
    for part in parts[1:]:
        node = attr(node, part)
    return node


def attr(value: ast.expr, attribute: str) -> ast.Attribute:
    return ast.Attribute(value=value, attr=str(Identifier(attribute)), ctx=ast.Load())


def call(func: ast.expr | str, *args: ast.expr, **kwargs: ast.expr) -> ast.Call:
    target = fixed(func) if isinstance(func, str) else func
    return ast.Call(
        func=target,
        args=list(args),
        keywords=[
            ast.keyword(arg=str(Identifier(key)), value=value) for key, value in kwargs.items()
        ],
    )


def constant(value: str | int | float | bool | None) -> ast.Constant:
    if isinstance(value, float) and not math.isfinite(value):
        raise LiteralError(f"number {value!r} has no exact literal")
    return ast.Constant(value=value)


def literal(value: Any) -> ast.expr:
    """Nodes that evaluate to ``value`` exactly: dict (str keys), list, tuple, str, int, float, bool, None."""
    if value is None or isinstance(value, (bool, int, str, float)):
        return constant(value)
    if isinstance(value, dict):
        keys: list[ast.expr | None] = []
        for key in value:
            if not isinstance(key, str):
                raise LiteralError(f"object key {key!r} is not a string")
            keys.append(constant(key))
        return ast.Dict(keys=keys, values=[literal(item) for item in value.values()])
    if isinstance(value, list):
        return ast.List(elts=[literal(item) for item in value], ctx=ast.Load())
    if isinstance(value, tuple):
        return ast.Tuple(elts=[literal(item) for item in value], ctx=ast.Load())
    raise LiteralError(f"value of type {type(value).__name__} has no literal")


def dict_of(items: Iterable[tuple[ast.expr, ast.expr]]) -> ast.Dict:
    pairs = list(items)
    return ast.Dict(keys=[key for key, _ in pairs], values=[value for _, value in pairs])


def list_of(items: Iterable[ast.expr]) -> ast.List:
    return ast.List(elts=list(items), ctx=ast.Load())


def tuple_of(items: Iterable[ast.expr]) -> ast.Tuple:
    return ast.Tuple(elts=list(items), ctx=ast.Load())


def subscript(value: ast.expr, *index: ast.expr) -> ast.Subscript:
    slice_: ast.expr = index[0] if len(index) == 1 else tuple_of(index)
    return ast.Subscript(value=value, slice=slice_, ctx=ast.Load())


def union(members: Sequence[ast.expr]) -> ast.expr:
    """``A | B | ...`` (a type union)."""
    node = members[0]
    for member in members[1:]:
        node = ast.BinOp(left=node, op=ast.BitOr(), right=member)
    return node


def both(operands: Sequence[ast.expr]) -> ast.expr:
    """``a and b and ...`` (one operand stays itself)."""
    return operands[0] if len(operands) == 1 else ast.BoolOp(op=ast.And(), values=list(operands))


def either(operands: Sequence[ast.expr]) -> ast.expr:
    return operands[0] if len(operands) == 1 else ast.BoolOp(op=ast.Or(), values=list(operands))


def negate(operand: ast.expr) -> ast.expr:
    return ast.UnaryOp(op=ast.Not(), operand=operand)


def await_(value: ast.expr) -> ast.Await:
    return ast.Await(value=value)


def param(ident: Identifier, annotation: ast.expr | None = None) -> ast.arg:
    name(ident)  # checks the type
    return ast.arg(arg=str(ident), annotation=annotation)


def arguments(
    positional: Sequence[ast.arg] = (),
    keyword_only: Sequence[tuple[ast.arg, ast.expr | None]] = (),
) -> ast.arguments:
    """A parameter list: positional parameters, then keyword-only ones with optional defaults."""
    return ast.arguments(
        posonlyargs=[],
        args=list(positional),
        vararg=None,
        kwonlyargs=[arg for arg, _ in keyword_only],
        kw_defaults=[default for _, default in keyword_only],
        kwarg=None,
        defaults=[],
    )


def function(
    ident: Identifier,
    params: ast.arguments,
    returns: ast.expr | None,
    body: Sequence[ast.stmt],
    *,
    is_async: bool = False,
    decorators: Sequence[ast.expr] = (),
) -> ast.FunctionDef | ast.AsyncFunctionDef:
    name(ident)
    if is_async:
        return ast.AsyncFunctionDef(
            name=str(ident),
            args=params,
            body=list(body),
            decorator_list=list(decorators),
            returns=returns,
            type_comment=None,
        )
    return ast.FunctionDef(
        name=str(ident),
        args=params,
        body=list(body),
        decorator_list=list(decorators),
        returns=returns,
        type_comment=None,
    )


def returns(value: ast.expr) -> ast.Return:
    return ast.Return(value=value)


def assign(ident: Identifier, value: ast.expr, annotation: ast.expr | None = None) -> ast.stmt:
    target = ast.Name(id=str(name(ident).id), ctx=ast.Store())
    if annotation is not None:
        return ast.AnnAssign(target=target, annotation=annotation, value=value, simple=1)
    return ast.Assign(targets=[target], value=value, type_comment=None)


def declare(
    ident: Identifier, annotation: ast.expr, value: ast.expr | None = None
) -> ast.AnnAssign:
    """``name: annotation`` (``= value``), a dataclass field."""
    target = ast.Name(id=str(name(ident).id), ctx=ast.Store())
    return ast.AnnAssign(target=target, annotation=annotation, value=value, simple=1)
