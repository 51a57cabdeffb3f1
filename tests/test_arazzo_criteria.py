"""Arazzo success criteria: simple conditions, regex, jsonpath (RFC 9535) and xpath against real responses.

Each test generates one workflow per criterion (one step, that criterion alone) and compares the outcome of
every criterion with the expected one, so a failure lists exactly the criteria that misbehave.
"""

from __future__ import annotations

from typing import Any

import pytest

from inline import arazzo, openapi
from loopback import Answer, Loopback, Seen
from generation import Generate

JSON_BODY = {
    "n": 5,
    "f": 2.5,
    "neg": -3,
    "s": "It's",
    "name": "Rex",
    "flag": True,
    "none": None,
    "items": [{"id": 1, "kind": "a", "price": 5}, {"id": 2, "kind": "b", "price": 15}],
    "data": {"ok": True},
}
XML_BODY = '<?xml version="1.0"?><pets><pet id="1"><name>Rex</name></pet><pet id="2"><name>Tom</name></pet></pets>'

API = openapi(
    {
        "/json": {"get": {"operationId": "getJson", "responses": {"200": {"description": "ok"}}}},
        "/xml": {"get": {"operationId": "getXml", "responses": {"200": {"description": "ok"}}}},
    }
)


def _serve(seen: Seen) -> Answer:
    if seen.path == "/xml":
        return Answer(200, XML_BODY, content_type="application/xml")
    return Answer(200, JSON_BODY, headers={"X-Count": "5"})


def _outcomes(
    generate: Generate, cases: list[tuple[dict[str, Any], bool]], operation: str = "getJson"
) -> tuple[dict[str, bool], dict[str, bool]]:
    """(actual, expected): for each criterion (keyed by its condition), whether the step succeeded."""
    flows = [
        {
            "workflowId": f"w{i}",
            "steps": [{"stepId": "s", "operationId": operation, "successCriteria": [criterion]}],
        }
        for i, (criterion, _) in enumerate(cases)
    ]
    gen = generate({"flows.arazzo.yaml": arazzo(flows), "api.openapi.yaml": API})
    actual: dict[str, bool] = {}
    with Loopback(_serve) as server, gen.rt.Client(base_url=server.url) as client:
        for i, (criterion, _) in enumerate(cases):
            try:
                getattr(gen, f"w{i}")(client=client)
                actual[criterion["condition"]] = True
            except gen.rt.StepFailedError as failure:
                assert failure.reason == "success criteria not met" and failure.status_code == 200
                actual[criterion["condition"]] = False
    return actual, {criterion["condition"]: expected for criterion, expected in cases}


def _simple(condition: str, expected: bool) -> tuple[dict[str, Any], bool]:
    return {"condition": condition}, expected


def test_simple_comparison_operators(generate: Generate) -> None:
    cases = [
        _simple("$statusCode == 200", True),
        _simple("$statusCode != 200", False),
        _simple("$statusCode != 404", True),
        _simple("$response.body#/n < 6", True),
        _simple("$response.body#/n < 5", False),
        _simple("$response.body#/n <= 5", True),
        _simple("$response.body#/n <= 4", False),
        _simple("$response.body#/n > 4", True),
        _simple("$response.body#/n > 5", False),
        _simple("$response.body#/n >= 5", True),
        _simple("$response.body#/n >= 6", False),
        _simple("$response.body#/f == 2.5", True),
        _simple("$response.body#/f > 2.25", True),
        _simple("$response.body#/neg == -3", True),
        _simple("$response.body#/neg < 0", True),
        _simple("$response.header.X-Count == 5", True),
        _simple("$response.header.x-count >= 5", True),
    ]
    actual, expected = _outcomes(generate, cases)
    assert actual == expected


def test_simple_logic_and_parentheses(generate: Generate) -> None:
    cases = [
        _simple("!($statusCode == 404)", True),
        _simple("!($statusCode == 200)", False),
        _simple("!$response.body#/flag", False),
        _simple("!$response.body#/none", True),
        _simple("$statusCode == 200 && $response.body#/n == 5", True),
        _simple("$statusCode == 200 && $response.body#/n == 6", False),
        _simple("$statusCode == 404 || $response.body#/n == 5", True),
        _simple("$statusCode == 404 || $response.body#/n == 6", False),
        # && binds tighter than ||
        _simple(
            "$statusCode == 200 || $response.body#/n == 6 && $response.body#/flag == false", True
        ),
        _simple(
            "($statusCode == 200 || $response.body#/n == 6) && $response.body#/flag == false", False
        ),
        _simple(
            "($statusCode == 404 || $response.body#/n == 5) && ($response.body#/flag == true)", True
        ),
    ]
    actual, expected = _outcomes(generate, cases)
    assert actual == expected


def test_simple_literals_strings_and_null(generate: Generate) -> None:
    cases = [
        _simple("$response.body#/flag == true", True),
        _simple("$response.body#/flag == false", False),
        _simple("$response.body#/flag != false", True),
        _simple("$response.body#/none == null", True),
        _simple("$response.body#/missing == null", True),
        _simple("$response.body#/n == null", False),
        _simple("$response.body#/s == 'It''s'", True),
        _simple("$response.body#/s == 'it''S'", True),  # case-insensitive
        _simple("$response.body#/s == 'Its'", False),
        _simple("$response.body#/name == 'REX'", True),
        _simple("$response.body#/name != 'rex'", False),
        _simple("$response.body#/name == 'Rex '", False),
    ]
    actual, expected = _outcomes(generate, cases)
    assert actual == expected


def test_regex_with_context(generate: Generate) -> None:
    cases = [
        ({"context": "$response.body#/name", "condition": "^R.x$", "type": "regex"}, True),
        ({"context": "$response.body#/name", "condition": "^x", "type": "regex"}, False),
        ({"context": "$statusCode", "condition": "^2\\d\\d$", "type": "regex"}, True),
        (
            {
                "context": "$response.header.content-type",
                "condition": "^application/json",
                "type": "regex",
            },
            True,
        ),
        ({"context": "$response.body#/missing", "condition": ".*", "type": "regex"}, False),
    ]
    actual, expected = _outcomes(generate, cases)
    assert actual == expected


def test_jsonpath_root_is_the_context_value(generate: Generate) -> None:
    def jp(query: str, expected: bool, **extra: Any) -> tuple[dict[str, Any], bool]:
        return {
            "context": "$response.body",
            "condition": query,
            "type": "jsonpath",
            **extra,
        }, expected

    cases = [
        jp("$.items", True),
        jp("$.body", False),  # the root is the body itself, not a wrapper around it
        jp("$.data.ok", True),
        jp("$.data.nope", False),
        jp("$.items[?@.price > 10]", True),
        jp("$.items[?@.price > 100]", False),
        jp("$.items[?@.kind == 'b' && @.id == 2]", True),
        jp("$.items[?@.kind == 'b' && @.id == 1]", False),
        jp("$..price", True),
        jp("$.items[5]", False),
    ]
    actual, expected = _outcomes(generate, cases)
    assert actual == expected


def test_jsonpath_with_context_below_the_body_and_expression_type_object(
    generate: Generate,
) -> None:
    goessner = {"type": "jsonpath", "version": "draft-goessner-dispatch-jsonpath-00"}
    cases: list[tuple[dict[str, Any], bool]] = [
        (
            {"context": "$response.body#/items", "condition": "$[?@.id == 2]", "type": "jsonpath"},
            True,
        ),
        (
            {"context": "$response.body#/items", "condition": "$[?@.id == 3]", "type": "jsonpath"},
            False,
        ),
        (
            {
                "context": "$response.body",
                "condition": "$.items[?(@.price > 10)]",
                "type": goessner,
            },
            True,
        ),
        (
            {
                "context": "$response.body",
                "condition": "$.items[?(@.price > 20)]",
                "type": goessner,
            },
            False,
        ),
    ]
    actual, expected = _outcomes(generate, cases)
    assert actual == expected


@pytest.mark.parametrize("version", ["xpath-10", "xpath-20", "xpath-30"])
def test_xpath_versions_on_an_xml_response(generate: Generate, version: str) -> None:
    def xp(query: str, expected: bool) -> tuple[dict[str, Any], bool]:
        return {
            "context": "$response.body",
            "condition": query,
            "type": {"type": "xpath", "version": version},
        }, expected

    cases = [
        xp("/pets/pet[@id='2']", True),
        xp("/pets/pet[@id='3']", False),
        xp("//pet[name='Tom']/@id", True),
        xp("count(//pet) = 2", True),
        xp("count(//pet) = 3", False),
    ]
    if version == "xpath-30":
        cases.append(xp("//pet[name = 'T' || 'om']", True))  # || is XPath 3.0 string concatenation
    actual, expected = _outcomes(generate, cases, operation="getXml")
    assert actual == expected


def test_xpath_without_version_and_as_plain_type(generate: Generate) -> None:
    cases = [
        (
            {"context": "$response.body", "condition": "/pets/pet[name='Rex']", "type": "xpath"},
            True,
        ),
        ({"context": "$response.body", "condition": "/pets/dog", "type": "xpath"}, False),
    ]
    actual, expected = _outcomes(generate, cases, operation="getXml")
    assert actual == expected


def test_all_criteria_must_hold_and_a_failing_one_fails_the_step(generate: Generate) -> None:
    flow = {
        "workflowId": "strict",
        "steps": [
            {
                "stepId": "s",
                "operationId": "getJson",
                "successCriteria": [
                    {"condition": "$statusCode == 200"},
                    {
                        "context": "$response.body",
                        "condition": "$.items[?@.id == 9]",
                        "type": "jsonpath",
                    },
                ],
                "outputs": {"n": "$response.body#/n"},
            },
            {"stepId": "never", "operationId": "getJson"},
        ],
    }
    gen = generate({"flows.arazzo.yaml": arazzo([flow]), "api.openapi.yaml": API})
    with Loopback(_serve) as server:
        with pytest.raises(gen.rt.StepFailedError) as failure:
            gen.strict(client=gen.rt.Client(base_url=server.url))
        assert len(server.seen) == 1
    error = failure.value
    assert (error.step_id, error.status_code, error.attempts) == ("s", 200, 1)
    assert error.body == JSON_BODY and "criteria" in error.reason
