"""Workflows taken from 'arazzo' source descriptions, with OpenAPI sources on different servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from inline import arazzo, openapi
from loopback import Answer, Loopback
from generation import Generate

TOKENS = openapi(
    {"/token": {"post": {"operationId": "issueToken", "responses": {"200": {"description": "ok"}}}}}
)
PETS = openapi(
    {
        "/pets": {
            "get": {
                "operationId": "listPets",
                "parameters": [
                    {"name": "Authorization", "in": "header", "schema": {"type": "string"}},
                    {"name": "X-Token", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
)

CHILD = arazzo(
    [
        {
            "workflowId": "get-token",
            "inputs": {
                "type": "object",
                "required": ["user"],
                "properties": {"user": {"type": "string"}},
            },
            "steps": [
                {
                    "stepId": "issue",
                    "operationId": "issueToken",
                    "requestBody": {
                        "contentType": "application/json",
                        "payload": {"user": "$inputs.user"},
                    },
                    "outputs": {"token": "$response.body#/token"},
                }
            ],
            "outputs": {"token": "$steps.issue.outputs.token"},
        }
    ],
    sources=[{"name": "tokens", "url": "tokens.openapi.yaml", "type": "openapi"}],
)

PARENT = arazzo(
    [
        {
            "workflowId": "list-with-token",
            "inputs": {"type": "object", "properties": {"user": {"type": "string"}}},
            "steps": [
                {
                    "stepId": "login",
                    "workflowId": "$sourceDescriptions.auth.get-token",
                    "parameters": [{"name": "user", "value": "$inputs.user"}],
                    "outputs": {"token": "$outputs.token"},
                },
                {
                    "stepId": "list",
                    "operationId": "$sourceDescriptions.pets.listPets",
                    "parameters": [
                        {
                            "name": "X-Token",
                            "in": "header",
                            "value": "$workflows.get-token.outputs.token",
                        }
                    ],
                    "outputs": {
                        "seen": "$response.body#/token",
                        "again": "$steps.login.outputs.token",
                    },
                },
            ],
            "outputs": {
                "seen": "$steps.list.outputs.seen",
                "again": "$steps.list.outputs.again",
                "src": "$steps.list.outputs.again",
            },
        }
    ],
    sources=[
        {"name": "pets", "url": "pets.openapi.yaml", "type": "openapi"},
        {"name": "auth", "url": "child.arazzo.yaml", "type": "arazzo"},
    ],
)


def test_workflow_from_an_arazzo_source_runs_on_its_own_server(generate: Generate) -> None:
    gen = generate(
        {
            "child.arazzo.yaml": CHILD,
            "parent.arazzo.yaml": PARENT,
            "tokens.openapi.yaml": TOKENS,
            "pets.openapi.yaml": PETS,
        },
        entry="parent.arazzo.yaml",
    )
    with Loopback(lambda seen: Answer(200, {"token": "t-" + seen.json()["user"]})) as tokens:
        with Loopback(lambda seen: Answer(200, {"token": seen.headers["x-token"]})) as pets:
            client = gen.rt.Client(servers={"tokens": tokens.url, "pets": pets.url})
            result = gen.list_with_token(user="ann", client=client)
    assert (result.seen, result.again) == ("t-ann", "t-ann")
    assert [(r.workflow_id, r.step_id) for r in result.trace] == [
        ("get-token", "issue"),
        ("list-with-token", "list"),
    ]
    assert result.trace[0].url.startswith(tokens.url) and result.trace[1].url.startswith(pets.url)


def test_unknown_workflow_in_an_arazzo_source_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from generator.diagnostics import Diagnostics
    from generator.pipeline import generate_files

    monkeypatch.chdir(tmp_path)
    parent = yaml.safe_load(yaml.safe_dump(PARENT))
    parent["workflows"][0]["steps"][0]["workflowId"] = "$sourceDescriptions.auth.get-tokn"
    for name, doc in {
        "child.arazzo.yaml": CHILD,
        "parent.arazzo.yaml": parent,
        "tokens.openapi.yaml": TOKENS,
        "pets.openapi.yaml": PETS,
    }.items():
        (tmp_path / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    diagnostics = Diagnostics()
    assert generate_files(["parent.arazzo.yaml"], tmp_path / "out", diagnostics) is None
    messages = [str(d) for d in diagnostics.sorted()]
    assert any(
        "no workflow 'get-tokn'" in m and "did you mean 'get-token'" in m for m in messages
    ), messages
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("target", ["missing-flow", "$sourceDescriptions.pets.listPets"])
def test_bad_workflow_references(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    import yaml

    from generator.diagnostics import Diagnostics
    from generator.pipeline import generate_files

    monkeypatch.chdir(tmp_path)
    parent = yaml.safe_load(yaml.safe_dump(PARENT))
    parent["workflows"][0]["steps"][0]["workflowId"] = target
    for name, doc in {
        "child.arazzo.yaml": CHILD,
        "parent.arazzo.yaml": parent,
        "tokens.openapi.yaml": TOKENS,
        "pets.openapi.yaml": PETS,
    }.items():
        (tmp_path / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    diagnostics = Diagnostics()
    assert generate_files(["parent.arazzo.yaml"], tmp_path / "out", diagnostics) is None
    assert any(
        d.rule == "reference" and d.location.path == "parent.arazzo.yaml" for d in diagnostics.items
    )
