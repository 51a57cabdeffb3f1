"""How the generator fares on real Arazzo documents: validate each one, tally what stops it.

    python benchmarks/real_documents.py [FOLDER] [--timeout S] [--jobs N] [--render]
                                        [--json FILE] [--compare OLD.json] [--top N]

FOLDER (default /work/corpus) is searched recursively for documents whose top-level key is
``arazzo``, exactly as ``arazzo-codegen validate FOLDER`` would find them. Each document is
validated on its own, in process, inside a worker process that is killed when the document takes
longer than ``--timeout`` seconds (or exceeds ``--memory`` MiB), so one hostile document cannot
stall or sink the run. ``--render`` also renders and formats the modules of every valid document,
which is what ``generate`` does on top of ``validate``.

The report: documents, how many validate without errors (would generate), how many crash
(traceback) or time out, a per-folder breakdown (the first path component, one per repository in
the corpus), the most common error categories (rule plus the message with quoted names and numbers
normalised) with the number of documents each one blocks and one example location, and the number
of ``dialect`` warnings. ``--json`` writes the per-document results; ``--compare`` reads such a file
from an earlier run and lists what changed.
"""

from __future__ import annotations

import argparse
import glob
import json
import multiprocessing
import multiprocessing.connection
import os
import re
import resource
import sys
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

Result = dict[str, Any]

_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)*\b")
_EXPRESSION = re.compile(r"\$[A-Za-z][\w.#/~{}\[\]-]*")
_FILE = re.compile(r"[\w./~-]+\.(?:ya?ml|json)\b")


def normalise(message: str) -> str:
    """The message with quoted names and numbers replaced, so one mistake gives one category."""
    message = _QUOTED.sub("'…'", message)
    message = _FILE.sub("FILE", _EXPRESSION.sub("$…", message))
    return _NUMBER.sub("N", message)


def find_documents(folder: Path) -> list[str]:
    """Arazzo documents under ``folder`` (relative POSIX paths), found as ``validate`` finds them."""
    from generator.diagnostics import Diagnostics
    from generator.pipeline import discover

    entries = discover([str(folder)], Diagnostics())
    return sorted(
        entry.file.resolve().relative_to(folder.resolve()).as_posix() for entry in entries
    )


def check(document: str, render: bool) -> Result:
    """Validate one document (its path relative to the current folder); never raises."""
    from generator.diagnostics import Diagnostics
    from generator.pipeline import discover, plan_all

    diagnostics = Diagnostics()
    started = time.perf_counter()
    crash = None
    try:
        # escaped: a file named like '[GIT]x.arazzo.yaml' is the document itself, not a glob pattern
        entries = discover([glob.escape(document)], diagnostics)
        plans = plan_all(entries, Path("generated"), diagnostics)
        if render and not diagnostics.has_errors:
            from generator.emit.writer import format_python
            from generator.codegen.render import render as render_template

            for plan in plans:
                format_python(render_template("workflow_module.py.jinja", module=plan))
    except Exception as exc:  # the point of the benchmark: count them, do not stop
        frames = traceback.extract_tb(exc.__traceback__)
        own = [f for f in frames if "/generator/" in f.filename.replace(os.sep, "/")]
        where = own[-1] if own else frames[-1]
        crash = {
            "type": type(exc).__name__,
            "message": str(exc)[:300],
            "where": f"{Path(where.filename).name}:{where.lineno} in {where.name}",
        }
    items = [
        {
            "level": d.level,
            "rule": d.rule,
            "message": d.message,
            "location": str(d.location),
        }
        for d in diagnostics.sorted()
    ]
    if crash:
        status = "crash"
    elif any(d["level"] == "error" for d in items):
        status = "invalid"
    else:
        status = "valid"
    return {
        "status": status,
        "seconds": round(time.perf_counter() - started, 3),
        "diagnostics": items,
        "crash": crash,
    }


def _worker(
    conn: multiprocessing.connection.Connection, folder: str, render: bool, mib: int
) -> None:
    os.chdir(folder)
    limit = mib * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.stdout = sys.stderr = open(os.devnull, "w")  # a stray print must not garble the report
    while True:
        document = conn.recv()
        if document is None:
            return
        try:
            conn.send(check(document, render))
        except MemoryError:
            conn.send(_failure("crash", "MemoryError", f"over {mib} MiB"))


def _failure(status: str, kind: str, message: str) -> Result:
    return {
        "status": status,
        "seconds": None,
        "diagnostics": [],
        "crash": {"type": kind, "message": message, "where": ""},
    }


class _Slot:
    """One worker process and the document it is busy with."""

    def __init__(self, context: Any, folder: Path, render: bool, mib: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker, args=(child, str(folder), render, mib), daemon=True
        )
        self.process.start()
        child.close()
        self.document: str | None = None
        self.started = 0.0

    def give(self, document: str) -> None:
        self.document, self.started = document, time.monotonic()
        self.conn.send(document)

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            self.conn.send(None)
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(10)


def run_all(
    folder: Path, documents: list[str], jobs: int, timeout: float, render: bool, mib: int
) -> dict[str, Result]:
    context = multiprocessing.get_context("fork")
    slots = [_Slot(context, folder, render, mib) for _ in range(max(1, jobs))]
    todo = list(reversed(documents))
    results: dict[str, Result] = {}
    done = 0

    def finished(slot: _Slot, result: Result) -> None:
        nonlocal done
        assert slot.document is not None
        results[slot.document] = result
        slot.document = None
        done += 1
        if done % 50 == 0:
            print(f"  … {done}/{len(documents)}", file=sys.stderr, flush=True)

    while todo or any(s.document for s in slots):
        for slot in slots:
            if slot.document is None and todo:
                slot.give(todo.pop())
        busy = [s for s in slots if s.document]
        now = time.monotonic()
        wait = max(0.0, min(s.started + timeout - now for s in busy))
        ready = multiprocessing.connection.wait([s.conn for s in busy], timeout=wait)
        for i, slot in enumerate(slots):
            if slot.document is None:
                continue
            if slot.conn in ready:
                try:
                    finished(slot, slot.conn.recv())
                    continue
                except (EOFError, OSError):
                    result = _failure("crash", "WorkerDied", "the worker process died")
            elif time.monotonic() - slot.started >= timeout:
                result = _failure("timeout", "Timeout", f"over {timeout:g} s")
            else:
                continue
            finished(slot, result)
            slot.stop(kill=True)
            slots[i] = _Slot(context, folder, render, mib)
    for slot in slots:
        slot.stop()
    return results


def _group(document: str) -> str:
    return document.split("/", 1)[0]


def report(results: dict[str, Result], top: int) -> None:
    statuses = Counter(r["status"] for r in results.values())
    total = len(results)
    valid = statuses["valid"]
    print(f"documents: {total}")
    print(f"valid (would generate): {valid} ({100 * valid / max(total, 1):.1f} %)")
    print(f"invalid: {statuses['invalid']}")
    print(f"crash (traceback): {statuses['crash']}")
    print(f"timeout: {statuses['timeout']}")
    dialect = sum(
        1
        for r in results.values()
        for d in r["diagnostics"]
        if d["rule"] == "dialect" and d["level"] == "warning"
    )
    dialect_docs = sum(
        1 for r in results.values() if any(d["rule"] == "dialect" for d in r["diagnostics"])
    )
    print(f"dialect warnings: {dialect} in {dialect_docs} documents")
    seconds = sorted(r["seconds"] for r in results.values() if r["seconds"] is not None)
    if seconds:
        print(
            f"seconds per document: median {seconds[len(seconds) // 2]:.2f}, "
            f"max {seconds[-1]:.2f}, total {sum(seconds):.0f}"
        )

    print("\nby folder (documents, valid):")
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for document, r in results.items():
        groups[_group(document)][r["status"]] += 1
    for name, counts in sorted(groups.items(), key=lambda kv: -sum(kv[1].values())):
        n = sum(counts.values())
        extra = "".join(f", {counts[s]} {s}" for s in ("crash", "timeout") if counts[s])
        print(f"  {n:5d} {counts['valid']:5d}  {name}{extra}")

    print(f"\ntop {top} error categories (documents blocked, occurrences, rule, message, example):")
    blocked: dict[tuple[str, str], set[str]] = defaultdict(set)
    occurrences: Counter[tuple[str, str]] = Counter()
    example: dict[tuple[str, str], str] = {}
    for document, r in sorted(results.items()):
        for d in r["diagnostics"]:
            if d["level"] != "error":
                continue
            key = (d["rule"], normalise(d["message"]))
            blocked[key].add(document)
            occurrences[key] += 1
            example.setdefault(key, f"{d['location']}: {d['message']}")
    ranked = sorted(blocked, key=lambda k: (-len(blocked[k]), -occurrences[k], k))
    for key in ranked[:top]:
        print(f"  {len(blocked[key]):4d} {occurrences[key]:5d}  [{key[0]}] {key[1]}")
        print(f"             e.g. {example[key][:240]}")

    crashes = Counter(
        (r["crash"]["type"], r["crash"]["where"])
        for r in results.values()
        if r["status"] in ("crash", "timeout")
    )
    if crashes:
        print("\ncrashes and timeouts (documents, exception, innermost generator frame, example):")
        for (kind, where), n in crashes.most_common():
            first = next(
                d
                for d, r in sorted(results.items())
                if r["crash"] and (r["crash"]["type"], r["crash"]["where"]) == (kind, where)
            )
            print(f"  {n:4d}  {kind} at {where or '-'}  e.g. {first}")


def compare(old: dict[str, Result], new: dict[str, Result]) -> None:
    print("\ncompared with the earlier run:")
    common = sorted(set(old) & set(new))
    print(f"  documents: {len(old)} before, {len(new)} now, {len(common)} in both")
    for status in ("valid", "crash"):
        was = sum(1 for d in common if old[d]["status"] == status)
        now = sum(1 for d in common if new[d]["status"] == status)
        print(f"  {status}: {was} -> {now}")
    changes = Counter((old[d]["status"], new[d]["status"]) for d in common)
    for (a, b), n in sorted(changes.items()):
        if a != b:
            print(f"  {a} -> {b}: {n}")
    worse = [d for d in common if old[d]["status"] == "valid" and new[d]["status"] != "valid"]
    for d in worse[:20]:
        first = next((x for x in new[d]["diagnostics"] if x["level"] == "error"), None)
        reason = f"{first['location']}: {first['message']}" if first else new[d]["crash"]
        print(f"  no longer valid: {d}: {reason}")

    def categories(results: dict[str, Result]) -> Counter[tuple[str, str]]:
        counts: Counter[tuple[str, str]] = Counter()
        for d in common:
            keys = {
                (x["rule"], normalise(x["message"]))
                for x in results[d]["diagnostics"]
                if x["level"] == "error"
            }
            counts.update(keys)
        return counts

    before, after = categories(old), categories(new)
    deltas = sorted(
        (after[k] - before[k], k) for k in set(before) | set(after) if after[k] != before[k]
    )
    if deltas:
        print("  error categories that changed (documents before -> after):")
        for _, key in deltas[:15] + [d for d in deltas[15:] if d[0] > 0][-10:]:
            print(f"    {before[key]:4d} -> {after[key]:4d}  [{key[0]}] {key[1][:150]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default="/work/corpus", type=Path)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per document")
    parser.add_argument("--memory", type=int, default=2048, help="MiB per worker")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--render", action="store_true", help="also render valid documents")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write per-document results")
    parser.add_argument("--compare", type=Path, metavar="OLD.json", help="an earlier --json file")
    parser.add_argument("--top", type=int, default=30, help="error categories to list")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"not a folder: {args.folder}")
    old = None
    if args.compare:
        old = json.loads(args.compare.read_text(encoding="utf-8"))["documents"]
    documents = find_documents(args.folder)
    print(f"validating {len(documents)} documents under {args.folder}", file=sys.stderr)
    started = time.monotonic()
    results = run_all(args.folder, documents, args.jobs, args.timeout, args.render, args.memory)
    results = dict(sorted(results.items()))
    report(results, args.top)
    print(f"\nwall time: {time.monotonic() - started:.0f} s")
    if old is not None:
        compare(old, results)
    if args.json:
        payload = {
            "folder": str(args.folder),
            "render": args.render,
            "timeout": args.timeout,
            "documents": results,
        }
        args.json.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main())
