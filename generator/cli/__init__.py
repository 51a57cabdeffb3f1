"""The command line: generate | validate | fix | run."""

from .main import main

__all__ = ["main"]
