"""The command line: generate | validate | fix | run, with the contract's exit codes."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .config import ConfigError, load_config
from .diagnostics import Diagnostics
from .emit import OutputError, drift, write_package
from .pipeline import discover, generate_files, plan_all


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="arazzo-codegen", description="Typed Python functions from Arazzo workflows."
    )
    parser.add_argument("--version", action="version", version=f"arazzo-codegen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    gen = commands.add_parser("generate", help="validate the documents and write the package")
    gen.add_argument("specs", nargs="*", metavar="SPEC")
    gen.add_argument("-o", "--output", metavar="DIR")
    gen.add_argument(
        "--check", action="store_true", help="write nothing; fail when DIR is not up to date"
    )
    val = commands.add_parser("validate", help="print every diagnostic")
    val.add_argument("specs", nargs="+", metavar="SPEC")
    fix = commands.add_parser(
        "fix",
        help="rewrite every 'dialect' spelling into the specification's, in place",
        description="Rewrite every spelling reported as a 'dialect' warning into the specification's "
        "own, in place, changing nothing else in the file (comments, order, quoting and layout "
        "kept). Exit status: 0 nothing (left) to fix; 1 --check found something, or errors or "
        "edits needing a person remain.",
    )
    fix.add_argument("specs", nargs="+", metavar="SPEC")
    fix.add_argument(
        "--check", action="store_true", help="change nothing; list what would change (exit 1 if anything)"
    )
    for sub in (gen, val, fix):
        sub.add_argument(
            "--allow-remote", action="store_true", help="fetch http(s) source descriptions"
        )
    for sub in (gen, val):
        sub.add_argument(
            "--strict",
            action="store_true",
            help="treat every 'dialect' warning (a spelling the specification does not use) as an error",
        )
    run = commands.add_parser("run", help="generate in memory and execute one workflow")
    run.add_argument("spec", metavar="SPEC")
    run.add_argument("workflow_id", metavar="WORKFLOW_ID")
    run.add_argument("--input", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("--inputs", metavar="FILE.json")
    run.add_argument("--base-url", metavar="URL")
    run.add_argument("--server", action="append", default=[], metavar="SOURCE=URL")
    run.add_argument("--credential", action="append", default=[], metavar="SCHEME=VALUE")
    run.add_argument(
        "--allow-remote", action="store_true", help="fetch http(s) source descriptions"
    )
    return parser


def _print(diagnostics: Diagnostics) -> None:
    for item in diagnostics.sorted():
        print(item, file=sys.stderr)


def _generate(args: argparse.Namespace) -> int:
    specs, output = list(args.specs), args.output
    if not specs:  # the contract: with no SPEC, both come from [tool.arazzo-codegen]
        try:
            config = load_config()
        except ConfigError as exc:
            print(f"arazzo-codegen: error: {exc}", file=sys.stderr)
            return 2
        specs = list(config.specs)
        output = output or config.output
    out_dir = Path(output or "generated")
    diagnostics = Diagnostics(strict=args.strict)
    files = generate_files(specs, out_dir, diagnostics, args.allow_remote)
    _print(diagnostics)
    if files is None:
        return 1
    if args.check:
        problems = drift(files, out_dir)
        for line in problems:
            print(line, file=sys.stderr)
        if problems:
            print(f"{out_dir} is out of date: run 'arazzo-codegen generate'", file=sys.stderr)
            return 1
        print(f"{out_dir} is up to date ({len(files)} files)")
        return 0
    try:
        write_package(files, out_dir)
    except (OutputError, OSError) as exc:
        print(f"arazzo-codegen: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(files)} files to {out_dir}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    diagnostics = Diagnostics(strict=args.strict)
    entries = discover(list(args.specs), diagnostics)
    plan_all(entries, Path("generated"), diagnostics, args.allow_remote)
    _print(diagnostics)
    if diagnostics.has_errors:
        return 1
    print(f"{len(entries)} document(s) valid")
    return 0


def _tolerant_output() -> None:
    """A path that is not UTF-8 (an undecodable byte from the file system) is printed escaped
    rather than failing with UnicodeEncodeError on a strict stdout."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_output()
    args = _parser().parse_args(argv)
    if args.command == "generate":
        return _generate(args)
    if args.command == "validate":
        return _validate(args)
    if args.command == "fix":
        from .fix_command import fix_command

        return fix_command(list(args.specs), args.check, args.allow_remote)
    from .run_command import run_command

    return run_command(args)
