"""Credentials from OpenAPI securitySchemes, applied per operation; secrets never in traces, errors or repr."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen
from generation import Generate, Generated

SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer"},
    "basic": {"type": "http", "scheme": "basic"},
    "headerKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
    "queryKey": {"type": "apiKey", "in": "query", "name": "api_key"},
    "cookieKey": {"type": "apiKey", "in": "cookie", "name": "sid"},
}
SECRETS = {
    "bearer": "b3arer-s3cret",
    "basic": "alice:pa55-s3cret",
    "headerKey": "h3ader-s3cret",
    "queryKey": "qu3ry-s3cret",
    "cookieKey": "c00kie-s3cret",
}


def _op(name: str, security: list[dict[str, list[str]]] | None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": name,
        "parameters": [{"name": "page", "in": "query", "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "ok"}},
    }
    if security is not None:
        op["security"] = security
    return op


def _generate(
    generate: Generate, operations: dict[str, list[dict[str, list[str]]] | None], **root: Any
) -> Generated:
    api = openapi(
        {f"/{name}": {"get": _op(name, security)} for name, security in operations.items()},
        components={"securitySchemes": SCHEMES},
        **root,
    )
    flow = {
        "workflowId": "calls",
        "steps": [
            {
                "stepId": name,
                "operationId": name,
                "parameters": [{"name": "page", "in": "query", "value": 1}],
                "outputs": {"url": "$url"},
            }
            for name in operations
        ],
    }
    return generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})


def _calls(
    generate: Generate,
    operations: dict[str, list[dict[str, list[str]]] | None],
    credentials: dict[str, str] | None = None,
    **root: Any,
) -> tuple[dict[str, Seen], Any]:
    gen = _generate(generate, operations, **root)
    with Loopback(lambda seen: Answer(200, {})) as server:
        result = gen.calls(
            client=gen.rt.Client(
                base_url=server.url, credentials=SECRETS if credentials is None else credentials
            )
        )
    return {seen.path.lstrip("/"): seen for seen in server.seen}, result


def _cookies(seen: Seen) -> dict[str, str]:
    pairs = [
        part.strip().split("=", 1)
        for part in seen.headers.get("cookie", "").split(";")
        if part.strip()
    ]
    return {k: v for k, v in pairs}


def _assert_hidden(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS.values():
            assert secret not in text
        assert base64.b64encode(SECRETS["basic"].encode()).decode() not in text


def test_http_bearer(generate: Generate) -> None:
    seen, result = _calls(generate, {"op": [{"bearer": []}]})
    assert seen["op"].headers["authorization"] == "Bearer b3arer-s3cret"
    _assert_hidden(repr(result.trace))


def test_http_basic_user_password(generate: Generate) -> None:
    seen, _ = _calls(generate, {"op": [{"basic": []}]})
    scheme, token = seen["op"].headers["authorization"].split(" ", 1)
    assert scheme == "Basic" and base64.b64decode(token).decode() == "alice:pa55-s3cret"


def test_api_key_in_header_query_and_cookie(generate: Generate) -> None:
    seen, result = _calls(
        generate, {"h": [{"headerKey": []}], "q": [{"queryKey": []}], "c": [{"cookieKey": []}]}
    )
    assert seen["h"].headers["x-api-key"] == "h3ader-s3cret"
    assert "api_key" not in dict(seen["h"].query) and "cookie" not in seen["h"].headers
    assert seen["q"].query == [("page", "1"), ("api_key", "qu3ry-s3cret")]
    assert "x-api-key" not in seen["q"].headers
    assert _cookies(seen["c"]) == {"sid": "c00kie-s3cret"}
    _assert_hidden(repr(result.trace), str(result.trace))
    assert "api_key=***" in result.trace[1].url or "api_key=%2A%2A%2A" in result.trace[1].url


def test_credentials_only_where_the_operation_requires_them(generate: Generate) -> None:
    seen, _ = _calls(
        generate,
        {"secured": [{"headerKey": []}], "open": None, "optedOut": []},
        security=[
            {"bearer": []}
        ],  # the document's default, for operations without their own 'security'
    )
    assert (
        seen["secured"].headers["x-api-key"] == "h3ader-s3cret"
        and "authorization" not in seen["secured"].headers
    )
    assert seen["open"].headers["authorization"] == "Bearer b3arer-s3cret"
    assert (
        "authorization" not in seen["optedOut"].headers
        and "x-api-key" not in seen["optedOut"].headers
    )


def test_no_credential_for_an_operation_without_security(generate: Generate) -> None:
    seen, _ = _calls(generate, {"plain": None})
    headers = seen["plain"].headers
    assert "authorization" not in headers and "x-api-key" not in headers and "cookie" not in headers
    assert seen["plain"].query == [("page", "1")]


def test_alternatives_and_combined_requirements(generate: Generate) -> None:
    operations: dict[str, list[dict[str, list[str]]] | None] = {
        "either": [
            {"queryKey": []},
            {"bearer": []},
        ],  # the first alternative the client has credentials for
        "both": [{"headerKey": [], "cookieKey": []}],
    }
    seen, _ = _calls(
        generate,
        operations,
        credentials={
            "bearer": "b3arer-s3cret",
            "headerKey": "h3ader-s3cret",
            "cookieKey": "c00kie-s3cret",
        },
    )
    assert seen["either"].headers["authorization"] == "Bearer b3arer-s3cret" and seen[
        "either"
    ].query == [("page", "1")]
    assert seen["both"].headers["x-api-key"] == "h3ader-s3cret" and _cookies(seen["both"]) == {
        "sid": "c00kie-s3cret"
    }


def test_secrets_never_in_errors_traces_or_repr(generate: Generate) -> None:
    gen = _generate(generate, {name: [{name: []}] for name in SECRETS})
    with Loopback(
        lambda seen: Answer(500 if seen.path == "/cookieKey" else 200, {"error": "nope"})
    ) as server:
        client = gen.rt.Client(base_url=server.url, credentials=SECRETS)
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.calls(client=client)
        assert len(server.seen) == 5
    error = failure.value
    _assert_hidden(str(error), repr(error), repr(error.trace), repr(client), str(error.args))
    assert [r.step_id for r in error.trace] == list(SECRETS)
    with Loopback() as server:
        dead = server.url
    with pytest.raises(gen.rt.StepFailedError) as transport:
        gen.calls(client=gen.rt.Client(base_url=dead, credentials=SECRETS, timeout=2))
    _assert_hidden(str(transport.value), repr(transport.value.trace), transport.value.reason)


def test_secrets_are_scrubbed_from_transport_errors(generate: Generate) -> None:
    # A secret httpx refuses to send (a newline in a header) is quoted, escaped, in httpx's error text.
    gen = _generate(generate, {"op": [{"bearer": []}]})
    with Loopback(lambda seen: Answer(200, {})) as server:
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.calls(
                client=gen.rt.Client(base_url=server.url, credentials={"bearer": "bad\nsecret-XYZ"})
            )
        assert server.seen == []
    error = failure.value
    assert error.status_code is None and "could not be sent" in error.reason
    for text in (str(error), error.reason, repr(error.args)):
        assert "secret-XYZ" not in text


def test_expressions_see_credentials_masked(generate: Generate) -> None:
    # Credentials come from the client, not the document: $request.* show *** in their place, while
    # $url is the URL as sent (contract section 4); the trace URL is masked.
    api = openapi(
        {
            "/op": {
                "get": _op("op", [{"bearer": [], "queryKey": [], "headerKey": [], "cookieKey": []}])
            }
        },
        components={"securitySchemes": SCHEMES},
    )
    outputs = {
        "url": "$url",
        "auth": "$request.header.Authorization",
        "key": "$request.header.X-Api-Key",
        "cookie": "$request.header.Cookie",
        "query": "$request.query.api_key",
        "page": "$request.query.page",
    }
    flow = {
        "workflowId": "calls",
        "steps": [
            {
                "stepId": "op",
                "operationId": "op",
                "parameters": [{"name": "page", "in": "query", "value": 1}],
                "outputs": outputs,
            }
        ],
        "outputs": {name: f"$steps.op.outputs.{name}" for name in outputs},
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": api})
    with Loopback(lambda seen: Answer(200, {})) as server:
        result = gen.calls(client=gen.rt.Client(base_url=server.url, credentials=SECRETS))
        sent = server.seen[0]
    assert (
        sent.headers["authorization"] == "Bearer b3arer-s3cret"
        and dict(sent.query)["api_key"] == "qu3ry-s3cret"
    )
    assert "api_key=qu3ry-s3cret" in result.url and "api_key=***" in result.trace[0].url
    assert (result.auth, result.key, result.cookie) == ("Bearer ***", "***", "sid=***")
    assert (result.query, result.page) == ("***", "1")
    _assert_hidden(repr(result.trace), result.auth, result.key, result.cookie, result.query)


def test_optional_security_sends_a_credential_the_client_has(generate: Generate) -> None:
    operations: dict[str, list[dict[str, list[str]]] | None] = {
        "optional": [{}, {"bearer": []}],
        "missing": [{}, {"basic": []}],
    }
    seen, _ = _calls(generate, operations, credentials={"bearer": "b3arer-s3cret"})
    assert seen["optional"].headers["authorization"] == "Bearer b3arer-s3cret"
    assert "authorization" not in seen["missing"].headers  # {} allows the call without one
