"""Arazzo parameters: path, query, header and cookie, serialized per the OpenAPI parameter's style/explode."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen
from generation import Generate

ARRAY = [3, 4, 5]
OBJECT = {"role": "admin", "firstName": "Alex"}


def _param(
    name: str,
    where: str,
    style: str | None = None,
    explode: bool | None = None,
    kind: str = "array",
) -> dict[str, Any]:
    schema: dict[str, Any] = (
        {"type": "array", "items": {"type": "integer"}} if kind == "array" else {"type": kind}
    )
    param: dict[str, Any] = {"name": name, "in": where, "schema": schema}
    if where == "path":
        param["required"] = True
    if style is not None:
        param["style"] = style
    if explode is not None:
        param["explode"] = explode
    return param


def _run(
    generate: Generate,
    path: str,
    params: list[dict[str, Any]],
    values: dict[str, Any],
    **flow_extra: Any,
) -> tuple[Seen, Any]:
    """Generate one GET operation with ``params``, one step passing ``values`` literally; run it once."""
    api = openapi(
        {
            path: {
                "get": {
                    "operationId": "op",
                    "parameters": params,
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
    )
    where = {p["name"]: p["in"] for p in params}
    flow = {
        "workflowId": "call",
        "steps": [
            {
                "stepId": "s",
                "operationId": "op",
                "parameters": [
                    {"name": name, "in": where[name], "value": value}
                    for name, value in values.items()
                ],
            }
        ],
        **flow_extra,
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
    with Loopback(lambda seen: Answer(200, {})) as server:
        result = gen.call(client=gen.rt.Client(base_url=server.url))
    return server.seen[0], result


def test_path_styles_simple_label_matrix(generate: Generate) -> None:
    params = [
        _param("a", "path"),  # simple array
        _param("b", "path", kind="object"),  # simple object, not exploded
        _param("c", "path", explode=True, kind="object"),
        _param("d", "path", "label", True),
        _param("e", "path", "label", False),
        _param("f", "path", "label", True, kind="object"),
        _param("g", "path", "matrix", True),
        _param("h", "path", "matrix", False, kind="object"),
        _param("i", "path", "matrix", True, kind="object"),
        _param("j", "path", "label", kind="integer"),
        _param("k", "path", "matrix", kind="integer"),
    ]
    values: dict[str, Any] = {
        name: OBJECT if p["schema"]["type"] == "object" else ARRAY
        for name, p in zip("abcdefghijk", params)
    }
    values["j"] = values["k"] = 9
    seen, _ = _run(generate, "/p/" + "/".join("{" + n + "}" for n in "abcdefghijk"), params, values)
    assert seen.path.split("/")[2:] == [
        "3,4,5",
        "role,admin,firstName,Alex",
        "role=admin,firstName=Alex",
        ".3.4.5",
        ".3,4,5",
        ".role=admin.firstName=Alex",
        ";g=3;g=4;g=5",
        ";h=role,admin,firstName,Alex",
        ";role=admin;firstName=Alex",
        ".9",
        ";k=9",
    ]


def test_query_styles_form_delimited_deep_object(generate: Generate) -> None:
    params = [
        _param("fe", "query"),  # form, explode by default
        _param("fn", "query", "form", False),
        _param("oe", "query", kind="object"),
        _param("on", "query", "form", False, kind="object"),
        _param("sp", "query", "spaceDelimited", False),
        _param("pi", "query", "pipeDelimited", False),
        _param("dp", "query", "deepObject", True, kind="object"),
        _param("n", "query", kind="integer"),
        _param("t", "query", kind="boolean"),
    ]
    values: dict[str, Any] = {
        p["name"]: OBJECT if p["schema"]["type"] == "object" else ARRAY for p in params
    }
    values.update(n=0, t=False)
    seen, result = _run(generate, "/q", params, values)
    assert seen.query == [
        ("fe", "3"), ("fe", "4"), ("fe", "5"),
        ("fn", "3,4,5"),
        ("role", "admin"), ("firstName", "Alex"),
        ("on", "role,admin,firstName,Alex"),
        ("sp", "3 4 5"),
        ("pi", "3|4|5"),
        ("dp[role]", "admin"), ("dp[firstName]", "Alex"),
        ("n", "0"),
        ("t", "false"),
    ]  # fmt: skip
    raw = result.trace[0].url.split("?", 1)[1]
    assert "sp=3%204%205" in raw or "sp=3+4+5" in raw


def test_header_styles_simple(generate: Generate) -> None:
    params = [
        _param("X-Arr", "header"),
        _param("X-Obj", "header", kind="object"),
        _param("X-Obj-Exploded", "header", explode=True, kind="object"),
        _param("X-Num", "header", kind="integer"),
        _param("X-Flag", "header", kind="boolean"),
    ]
    values = {
        "X-Arr": ARRAY,
        "X-Obj": OBJECT,
        "X-Obj-Exploded": OBJECT,
        "X-Num": 12,
        "X-Flag": True,
    }
    seen, _ = _run(generate, "/h", params, values)
    assert seen.headers["x-arr"] == "3,4,5"
    assert seen.headers["x-obj"] == "role,admin,firstName,Alex"
    assert seen.headers["x-obj-exploded"] == "role=admin,firstName=Alex"
    assert seen.headers["x-num"] == "12"
    assert seen.headers["x-flag"] == "true"


def test_cookie_parameters_form(generate: Generate) -> None:
    params = [
        _param("session", "cookie", kind="string"),
        _param("ids", "cookie", "form", False),
        _param("prefs", "cookie", "form", False, kind="object"),
    ]
    seen, _ = _run(generate, "/c", params, {"session": "abc", "ids": ARRAY, "prefs": OBJECT})
    cookies = [part.strip() for part in seen.headers["cookie"].split(";")]
    assert cookies == ["session=abc", "ids=3,4,5", "prefs=role,admin,firstName,Alex"]


def test_values_are_url_encoded(generate: Generate) -> None:
    params = [
        _param("id", "path", kind="string"),
        _param("q", "query", kind="string"),
        _param("tags", "query", "form", False),
    ]
    params[2]["schema"] = {"type": "array", "items": {"type": "string"}}
    tricky = "a b/c?d#e&f=g%h ü"
    seen, result = _run(
        generate, "/e/{id}", params, {"id": tricky, "q": tricky, "tags": ["x y", "z&w"]}
    )
    segment = seen.path.split("/")[2]
    assert "/" not in segment and "?" not in segment and "#" not in segment and " " not in segment
    assert unquote(segment) == tricky
    assert seen.query == [("q", tricky), ("tags", "x y,z&w")]
    assert "#" not in result.trace[0].url


def test_workflow_parameters_merge_with_step_parameters(generate: Generate) -> None:
    params = [
        _param("X-Shared", "header", kind="string"),
        _param("X-Both", "header", kind="string"),
        _param("X-Both", "query", kind="string"),
    ]
    api = openapi(
        {
            "/m": {
                "get": {
                    "operationId": "op",
                    "parameters": params,
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
    )
    flow = {
        "workflowId": "merged",
        "parameters": [
            {"name": "X-Shared", "in": "header", "value": "from-workflow"},
            {"name": "X-Both", "in": "header", "value": "from-workflow"},
            {"name": "X-Both", "in": "query", "value": "from-workflow"},
        ],
        "steps": [
            {
                "stepId": "one",
                "operationId": "op",
                "parameters": [{"name": "X-Both", "in": "header", "value": "from-step"}],
            },
            {"stepId": "two", "operationId": "op"},
        ],
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
    with Loopback(lambda seen: Answer(200, {})) as server:
        gen.merged(client=gen.rt.Client(base_url=server.url))
    first, second = server.seen
    assert first.headers["x-shared"] == "from-workflow"
    assert first.headers["x-both"] == "from-step"
    assert first.query == [
        ("X-Both", "from-workflow")
    ]  # same name, other 'in': the workflow's still applies
    assert (
        second.headers["x-both"] == "from-workflow"
        and second.headers["x-shared"] == "from-workflow"
    )


def test_delimiters_stay_literal_while_item_text_is_encoded(generate: Generate) -> None:
    strings = {"type": "array", "items": {"type": "string"}}
    params = [
        _param("fn", "query", "form", False),
        _param("pi", "query", "pipeDelimited", False),
        _param("sp", "query", "spaceDelimited", False),
        _param("on", "query", "form", False, kind="object"),
        _param("dp", "query", "deepObject", True, kind="object"),
        _param("ck", "cookie", "form", False),
        _param("cs", "cookie", kind="string"),
    ]
    for param in params:
        if param["schema"]["type"] == "array":
            param["schema"] = strings
    values = {
        "fn": ["x,y", "z"],
        "pi": ["a|b", "c"],
        "sp": ["a b", "c"],
        "on": {"k,1": "v,2"},
        "dp": {"a b": "c&d"},
        "ck": ["x,y", "z;w"],
        "cs": "a b;c=d",
    }
    seen, result = _run(generate, "/d", params, values)
    raw = result.trace[0].url.split("?", 1)[1].split("&")
    assert raw == [
        "fn=x%2Cy,z",
        "pi=a%7Cb|c",
        "sp=a%20b%20c",
        "on=k%2C1,v%2C2",
        "dp%5Ba%20b%5D=c%26d",
    ]
    assert seen.query == [
        ("fn", "x,y,z"),
        ("pi", "a|b|c"),
        ("sp", "a b c"),
        ("on", "k,1,v,2"),
        ("dp[a b]", "c&d"),
    ]
    cookies = [part.strip() for part in seen.headers["cookie"].split(";")]
    assert cookies == ["ck=x%2Cy,z%3Bw", "cs=a%20b%3Bc=d"]
    assert [unquote(part.split("=", 1)[1]) for part in cookies] == ["x,y,z;w", "a b;c=d"]
