"""Run folders: a run writes into a fresh folder beside its target and swaps it in on success.

``with fresh_run_folder(target) as staging: ...`` creates ``.<name>.partial-<pid>-<random>`` in
the target's parent folder and yields it. When the block succeeds, the staging folder replaces the
target in one step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames) and the previous
results are removed; when it fails, the staging folder is removed and the target is untouched. A
run killed outright (SIGKILL, power loss) leaves only its hidden staging folder, never a partial
file in the target; the next run into the same target removes such leftovers (those whose process
is gone). Runs into different targets use different staging folders and never interfere.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(partial|old)-(?P<pid>\d+)-[^.]+$")


def _exchange(a: Path, b: Path) -> bool:
    """Swap the paths ``a`` and ``b`` atomically; False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(target: Path) -> list[Path]:
    """Remove staging and previous-result folders of ``target`` left by runs that were killed
    (their process is gone); returns the folders removed. A previous-result folder whose target
    is missing (a run killed between the two renames of the fallback swap) is put back."""
    removed = []
    if not target.parent.is_dir():
        return removed
    for path in sorted(target.parent.iterdir()):
        match = _LEFTOVER.match(path.name)
        if not match or match["name"] != target.name or _alive(int(match["pid"])):
            continue
        if ".old-" in path.name and not target.exists():
            path.rename(target)
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _swap_in(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``; the previous target (if any) is removed."""
    if not target.exists():
        staging.rename(target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous results
        return
    old = target.parent / staging.name.replace(".partial-", ".old-", 1)
    target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def fresh_run_folder(target: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty staging folder beside ``target``; swap it in if the block succeeds, remove
    it (leaving ``target`` untouched) if the block raises."""
    target = Path(target).absolute()
    if target.exists() and not target.is_dir():
        from gwsim.errors import SpecError

        raise SpecError(str(target), "is a file, not an output folder", "choose another --out")
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.partial-{os.getpid()}-", dir=target.parent)
    )
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes 0700; results are an ordinary folder
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_in(staging, target)


def moved(paths: list[Path], staging: Path, target: Path) -> list[Path]:
    """``paths`` under ``staging`` as they are after the swap, under ``target``."""
    staging, target = Path(staging), Path(target)
    result = []
    for p in paths:
        p = Path(p)
        try:
            result.append(target / p.relative_to(staging))
        except ValueError:
            result.append(p)
    return result
