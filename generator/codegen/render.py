"""The Jinja environment: strict, no autoescape, and the only ways spec text enters source.

``code`` (``ast`` nodes, rendered by :func:`generator.pycode.render`, the one place code becomes text),
``py`` (values), ``docstring`` and ``comment`` (text), ``type`` (type nodes, rendered through ``code``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2

from .literals import py_literal
from .pycode import render as render_code
from .schema_types import render_type

# control characters, and lone surrogates (generated source must be valid UTF-8)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\x85\ud800-\udfff]")


def docstring(text: str, indent: str = "    ") -> str:
    """A triple-quoted string literal whose value is ``text`` (escaped so nothing can end it early)."""
    body = text.replace("\\", "\\\\")
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    body = _CONTROL.sub(
        lambda m: (
            "\\x%02x" % ord(m.group()) if ord(m.group()) < 256 else "\\u%04x" % ord(m.group())
        ),
        body,
    )
    lines = [line.rstrip() for line in body.strip().split("\n")]
    joined = lines[0] + "".join("\n" + (indent + line if line else "") for line in lines[1:])
    core = joined.rstrip('"')
    quotes = len(joined) - len(core)
    return '"""' + core.replace('"""', '\\"\\"\\"') + '\\"' * quotes + '"""'


# What makes a comment in a file's first two lines a source-encoding declaration (PEP 263).
_CODING = re.compile(r"coding([:=])")


def comment(text: str) -> str:
    """Text safe to place after ``#`` on one line, which never declares the file's source encoding.

    A document path such as ``coding=utf-7/flows.arazzo.yaml`` in the header would otherwise make Python
    decode the module as UTF-7, where ``+ACIAIgAi-`` inside a docstring is three double quotes.
    """
    safe = py_literal(text)[1:-1] if not text.isprintable() else text
    return _CODING.sub(lambda m: "coding\\x%02x" % ord(m.group(1)), safe)


def _template_dir() -> Path:
    package = Path(__file__).resolve().parent.parent  # generator/
    packaged = package / "templates"
    return packaged if packaged.is_dir() else package.parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_template_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["py"] = py_literal
    env.filters["docstring"] = docstring
    env.filters["comment"] = comment
    env.filters["type"] = render_type
    env.filters["code"] = render_code
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
