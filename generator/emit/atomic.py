"""Replacing a folder so that, even if the process is killed at any moment, it holds either its old
content or its new content, and a later run cleans up whatever an earlier one left beside it.

The new content is written into a staging folder beside the target. On Linux the two are then
swapped with one ``renameat2(RENAME_EXCHANGE)`` call, so the target's name never stops naming a
complete folder. Where that call is missing (other systems, some file systems), the target is
renamed to a backup and the staging folder to the target; a run killed between the two renames
leaves no target, and the next run renames the backup back first. Runs on one parent folder take an
advisory lock (bounded wait) so that one run's cleanup never touches another's staging folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

LOCK_SECONDS = 60.0  # waiting for another run writing beside the same folder
_NEW = "arazzo-codegen-new"
_OLD = "arazzo-codegen-old"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class SwapError(Exception):
    pass


def _checkpoint(name: str) -> None:
    """A named point between two file-system steps (tests kill the process here)."""


def replace_folder(target: Path, fill: Callable[[Path], None]) -> None:
    """Make ``target`` a folder holding what ``fill(staging)`` writes, atomically as seen above."""
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    with _locked(parent, target.name):
        recover(target)
        staging = parent / f".{target.name}.{_NEW}-{uuid.uuid4().hex[:12]}"
        staging.mkdir()
        try:
            fill(staging)
            _checkpoint("filled")
            if target.exists():
                _swap_in(staging, target)
            else:
                os.rename(staging, target)
            _checkpoint("swapped")
        finally:
            _remove(staging)
        _checkpoint("done")


def recover(target: Path) -> None:
    """Undo what a killed run left beside ``target``: restore its backup when ``target`` is missing,
    then remove staging and backup folders."""
    parent = target.parent
    new_prefix, old_prefix = f".{target.name}.{_NEW}-", f".{target.name}.{_OLD}-"
    try:
        leftovers = [p for p in parent.iterdir() if p.name.startswith((new_prefix, old_prefix))]
    except OSError:
        return
    backups = sorted(
        (p for p in leftovers if p.name.startswith(old_prefix)), key=_mtime, reverse=True
    )
    if backups and not os.path.lexists(target):
        os.rename(backups[0], target)
        leftovers.remove(backups[0])
    for leftover in leftovers:
        _remove(leftover)


def _swap_in(staging: Path, target: Path) -> None:
    if _exchange(staging, target):
        return  # staging now holds the old content; the caller removes it
    backup = target.parent / f".{target.name}.{_OLD}-{uuid.uuid4().hex[:12]}"
    os.rename(target, backup)
    _checkpoint("moved-aside")
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(backup, target)
        raise
    _checkpoint("moved-in")
    _remove(backup)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    function = _renameat2()
    if function is None:
        return False
    result = function(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(second))


_RENAMEAT2: list[Callable[..., int] | None] = []


def _renameat2() -> Callable[..., int] | None:
    if not _RENAMEAT2:
        function = None
        if os.name == "posix":
            with contextlib.suppress(OSError, AttributeError):
                libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
                function = libc.renameat2
                function.argtypes = [
                    ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint
                ]  # fmt: skip
                function.restype = ctypes.c_int
        _RENAMEAT2.append(function)
    return _RENAMEAT2[0]


@contextlib.contextmanager
def _locked(parent: Path, name: str) -> Iterator[None]:
    """An exclusive advisory lock on ``parent`` (flock on the folder itself: no lock file is left)."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no lock
        yield
        return
    handle = os.open(parent, os.O_RDONLY)
    try:
        deadline = time.monotonic() + LOCK_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SwapError(
                        f"another arazzo-codegen run is writing beside {name} in {parent} "
                        f"(waited {LOCK_SECONDS:g} s)"
                    ) from None
                time.sleep(0.05)
            except OSError:  # the file system has no locks
                break
        yield
    finally:
        os.close(handle)  # releases the lock


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        with contextlib.suppress(OSError):
            path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return 0.0
