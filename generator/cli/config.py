"""``[tool.arazzo-codegen]`` in ./pyproject.toml: the specs to generate and the output folder."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Config:
    specs: tuple[str, ...]
    output: str


def load_config(path: Path = Path("pyproject.toml")) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no SPEC given and no pyproject.toml here") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    tool = data.get("tool")
    section = tool.get("arazzo-codegen") if isinstance(tool, dict) else None
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: no SPEC given and no [tool.arazzo-codegen] section")
    specs = section.get("specs", [])
    if isinstance(specs, str):
        specs = [specs]
    if not isinstance(specs, list) or not specs or not all(isinstance(s, str) for s in specs):
        raise ConfigError(f"{path}: [tool.arazzo-codegen] 'specs' must be a list of paths or globs")
    output = section.get("output", "generated")
    if not isinstance(output, str) or not output:
        raise ConfigError(f"{path}: [tool.arazzo-codegen] 'output' must be a folder path")
    return Config(tuple(specs), output)
