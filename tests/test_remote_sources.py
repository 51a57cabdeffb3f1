"""Remote source descriptions: fetched only with --allow-remote (here from a loopback server)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from inline import arazzo, openapi
from loopback import Answer, Loopback

API = openapi(
    {"/ping": {"post": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}}
)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _flow(url: str) -> dict[str, Any]:
    return arazzo(
        [{"workflowId": "ping", "steps": [{"stepId": "ping", "operationId": "ping"}]}],
        sources=[{"name": "api", "url": url, "type": "openapi"}],
    )


def test_allow_remote_fetches_the_description(tmp_path: Path) -> None:
    served = yaml.safe_dump(API)
    with Loopback(lambda seen: Answer(200, served, content_type="application/yaml")) as host:
        url = f"{host.url}/specs/api.openapi.yaml"
        (tmp_path / "flow.arazzo.yaml").write_text(yaml.safe_dump(_flow(url), sort_keys=False))
        refused = _cli("validate", "flow.arazzo.yaml", cwd=tmp_path)
        fetched = _cli("generate", "flow.arazzo.yaml", "-o", "out", "--allow-remote", cwd=tmp_path)
        assert [s.path for s in host.seen] == ["/specs/api.openapi.yaml"]
    assert refused.returncode == 1 and "--allow-remote" in refused.stderr and url in refused.stderr
    assert fetched.returncode == 0, fetched.stderr
    module = (tmp_path / "out" / "flow.py").read_text()
    assert repr(url) in module or f'"{url}"' in module  # $sourceDescriptions.api.url as written
    assert "https://api.example.test" in module  # the fetched description's server


def test_allow_remote_reports_a_fetch_failure(tmp_path: Path) -> None:
    with Loopback(lambda seen: Answer(404, {"error": "gone"})) as host:
        url = f"{host.url}/missing.yaml"
        (tmp_path / "flow.arazzo.yaml").write_text(yaml.safe_dump(_flow(url), sort_keys=False))
        result = _cli("validate", "flow.arazzo.yaml", "--allow-remote", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"flow.arazzo.yaml:7:8: error: cannot fetch {url!r}" in result.stderr


def test_a_local_copy_beside_the_document_is_read_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "api.openapi.yaml").write_text(yaml.safe_dump(API))
    doc = _flow("https://unreachable.example/specs/api.openapi.yaml")
    (tmp_path / "flow.arazzo.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    result = _cli("generate", "flow.arazzo.yaml", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "warning: remote source description" in result.stderr
        and "local copy 'api.openapi.yaml'" in result.stderr
    )
