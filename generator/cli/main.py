"""The command line: generate | validate | fix | upgrade | run, with the contract's exit codes."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from .config import ConfigError, load_config
from ..diagnostics import Diagnostics
from ..emit.writer import OutputError, drift, write_package
from ..pipeline import discover, generate_files, plan_all


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
    gen = commands.add_parser(
        "generate",
        help="validate the documents and write the package",
        description="Validate every SPEC with the documents it references, then write the typed "
        "package to DIR (completely, or not at all). Without SPEC, 'specs' and 'output' come from "
        "[tool.arazzo-codegen] in ./pyproject.toml. Exit status: 0 written or up to date; 1 invalid "
        "input or drift; 2 usage error.",
    )
    gen.add_argument(
        "specs",
        nargs="*",
        metavar="SPEC",
        help="an Arazzo document (YAML or JSON), a folder searched for them, or a glob",
    )
    gen.add_argument(
        "-o", "--output", metavar="DIR", help="the package folder to write (default: generated)"
    )
    gen.add_argument(
        "--check", action="store_true", help="write nothing; fail when DIR is not up to date"
    )
    val = commands.add_parser(
        "validate",
        help="print every diagnostic",
        description="Check every SPEC and the documents it references; print every diagnostic as "
        "PATH:LINE:COL: error|warning: MESSAGE [RULE]. Exit status: 0 no errors; 1 errors.",
    )
    val.add_argument(
        "specs",
        nargs="+",
        metavar="SPEC",
        help="an Arazzo document (YAML or JSON), a folder searched for them, or a glob",
    )
    fix = commands.add_parser(
        "fix",
        help="rewrite every 'dialect' spelling into the specification's, in place",
        description="Rewrite every spelling reported as a 'dialect' warning into the specification's "
        "own, in place, changing nothing else in the file (comments, order, quoting and layout "
        "kept). Exit status: 0 nothing (left) to fix; 1 --check found something, or errors or "
        "edits needing a person remain.",
    )
    fix.add_argument(
        "specs", nargs="+", metavar="SPEC", help="an Arazzo document or a folder searched for them"
    )
    fix.add_argument(
        "--check",
        action="store_true",
        help="change nothing; list what would change (exit 1 if anything)",
    )
    upgrade = commands.add_parser(
        "upgrade",
        help="rewrite Arazzo 1.0.x documents as 1.1.0, in place",
        description="Rewrite each Arazzo 1.0.x SPEC as 1.1.0 in place, changing only what 1.1 "
        "requires (the version; an empty successCriteria) and nothing else in the file (comments, "
        "order, quoting and layout kept); list what 1.1 reads differently and needs a person. Only "
        "the files named (or found in the folders named) change, not the documents they "
        "reference; 1.1.x documents are left alone. Every file is checked before any is written. "
        "Exit status: 0 upgraded or nothing to do; 1 --check found something, changes needing a "
        "person remain, or a document does not load (nothing written); 2 usage error.",
    )
    upgrade.add_argument(
        "specs",
        nargs="+",
        metavar="SPEC",
        help="an Arazzo document (YAML or JSON), a folder searched for them, or a glob",
    )
    upgrade.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list what would change (exit 1 if any file would change)",
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
    run = commands.add_parser(
        "run",
        help="generate in memory and execute one workflow",
        description="Generate SPEC in memory, run workflow WORKFLOW_ID and print its outputs as one "
        "JSON object on stdout. Exit status: 0 success; 1 the workflow failed (the failing step and "
        "reason on stderr); 2 usage or input error.",
    )
    run.add_argument("spec", metavar="SPEC", help="the Arazzo document (or folder) defining it")
    run.add_argument("workflow_id", metavar="WORKFLOW_ID", help="the workflowId to run")
    run.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="one workflow input by its Arazzo name; VALUE is JSON when it parses, else a string "
        "(repeatable)",
    )
    run.add_argument(
        "--inputs", metavar="FILE.json", help="a JSON object of inputs (--input values win)"
    )
    run.add_argument(
        "--base-url", metavar="URL", help="replace the server URL of every source description"
    )
    run.add_argument(
        "--server",
        action="append",
        default=[],
        metavar="SOURCE=URL",
        help="the server URL of one source description, by name (wins over --base-url; repeatable)",
    )
    run.add_argument(
        "--credential",
        action="append",
        default=[],
        metavar="SCHEME=VALUE",
        help="the secret for one OpenAPI security scheme, by name (never printed; repeatable)",
    )
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
        from .fix import fix_command

        return fix_command(list(args.specs), args.check, args.allow_remote)
    if args.command == "upgrade":
        from .upgrade import upgrade_command

        return upgrade_command(list(args.specs), args.check)
    from .run import run_command

    return run_command(args)
