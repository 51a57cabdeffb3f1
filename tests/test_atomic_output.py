"""The output folder is swapped in atomically: a process killed (SIGKILL) at any point of a write
leaves the old package or the new one, and the next run removes what the killed one left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from generator.emit import atomic
from generator.emit.writer import HEADER_PREFIX, OutputError, write_package

ROOT = Path(__file__).resolve().parents[1]

# The child replaces a folder's content with version N and kills itself (a real SIGKILL: no
# cleanup code runs) at a named step, or while writing or removing the n-th file.
CHILD = r"""
import os, shutil, signal, sys
from pathlib import Path
from generator.emit import atomic

point, mode, out, version = sys.argv[1:]
if mode == "fallback":
    atomic._RENAMEAT2[:] = [None]
else:
    assert atomic._renameat2() is not None, "renameat2 is missing"

def die():
    os.kill(os.getpid(), signal.SIGKILL)

atomic._checkpoint = lambda name: die() if name == point else None
written = []

def fill(staging):
    for index, name in enumerate(["__init__.py", "a.py", "sub/b.py", "py.typed"]):
        if point == f"write{index}":
            die()
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{name} version {version}\n")

if point == "remove":  # killed half-way through removing the old content
    real = shutil.rmtree
    def partial(path, *args, **kwargs):
        files = sorted(p for p in Path(path).rglob("*") if p.is_file())
        files[0].unlink()
        die()
    atomic.shutil.rmtree = partial

atomic.replace_folder(Path(out), fill)
"""

NAMES = ["__init__.py", "a.py", "py.typed", "sub/b.py"]
POINTS = ["write0", "write2", "filled", "moved-aside", "moved-in", "swapped", "remove", "done"]


def _content(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _version(version: int) -> dict[str, str]:
    return {name: f"{name} version {version}\n" for name in NAMES}


def _child(point: str, mode: str, out: Path, version: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, point, mode, str(out), str(version)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
@pytest.mark.parametrize("point", POINTS)
def test_killed_write_leaves_old_or_new_and_the_next_run_cleans_up(
    tmp_path: Path, point: str, mode: str
) -> None:
    out = tmp_path / "pkg"
    assert _child("never", mode, out, 1) == 0
    assert _content(out) == _version(1)
    code = _child(point, mode, out, 2)
    reached = {
        "exchange": {"write0", "write2", "filled", "swapped", "remove", "done"},
        "fallback": set(POINTS),
    }[mode]
    assert code == (-signal.SIGKILL if point in reached else 0)
    if point == "moved-aside" and mode == "fallback":
        # the one moment the fallback has no folder under the name; the next run restores it
        assert not out.exists()
        atomic.recover(out)
    expected_new = point in {"moved-in", "swapped", "remove", "done"} or point not in reached
    assert _content(out) == _version(2 if expected_new else 1), point
    # the next run finishes cleanly and leaves nothing beside the folder
    assert _child("never", mode, out, 3) == 0
    assert _content(out) == _version(3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


def test_swap_exchanges_in_one_step_on_linux(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux-only")
    assert atomic._renameat2() is not None
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "x").write_text("a")
    assert atomic._exchange(first, second)
    assert (second / "x").read_text() == "a" and not (first / "x").exists()


def test_write_package_recovers_a_backup_left_by_a_killed_run(tmp_path: Path) -> None:
    """A folder moved aside by a run killed before the new one was moved in is restored, then
    replaced; an unrelated hidden folder beside it is left alone."""
    out = tmp_path / "pkg"
    backup = tmp_path / ".pkg.arazzo-codegen-old-0123456789ab"
    backup.mkdir()
    (backup / "__init__.py").write_text(HEADER_PREFIX + " from x. Do not edit.\n")
    staging = tmp_path / ".pkg.arazzo-codegen-new-0123456789ab"
    (staging / "sub").mkdir(parents=True)
    (tmp_path / ".pkg.mine").mkdir()
    write_package({"__init__.py": HEADER_PREFIX + " from y. Do not edit.\n"}, out)
    assert _content(out) == {"__init__.py": HEADER_PREFIX + " from y. Do not edit.\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".pkg.mine", "pkg"]


def test_write_package_still_refuses_a_folder_it_did_not_generate(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError):
        write_package({"__init__.py": HEADER_PREFIX + "\n"}, out)
    assert _content(out) == {"notes.txt": "mine"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


def test_generated_folder_is_readable_by_others(tmp_path: Path) -> None:
    """The staging folder is made with the usual permissions (not mkdtemp's 0700)."""
    out = tmp_path / "pkg"
    old = os.umask(0o022)
    try:
        write_package({"__init__.py": HEADER_PREFIX + "\n"}, out)
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o755 == 0o755
