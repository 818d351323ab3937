"""Provenance of gwsim outputs and atomic file writing.

Every file gwsim writes carries the gwsim, flopy and executable versions, a hash of the inputs
that produced it and its creation time (UTC), and is written to a temporary name in the target
folder and renamed into place, so a failed run never leaves a half-written result.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np


def gwsim_version() -> str:
    from gwsim import __version__

    return __version__


def flopy_version() -> str:
    import flopy

    return flopy.__version__


def hash_inputs(items: Iterable[object]) -> str:
    """SHA-256 (hex) of a sequence of inputs: files (by content), arrays (by bytes) or values."""
    digest = hashlib.sha256()
    for item in items:
        if isinstance(item, Path) and item.is_file():
            digest.update(item.read_bytes())
        elif isinstance(item, np.ndarray):
            digest.update(np.ascontiguousarray(item).tobytes())
        else:
            digest.update(repr(item).encode())
    return digest.hexdigest()


# Suffixes of files MODFLOW-family programs write (outputs, not inputs).
OUTPUT_SUFFIXES = (".hds", ".cbc", ".bud", ".lst", ".grb", ".ucn", ".cbb", ".mpend", ".mppth")


def hash_folder(folder: Path, exclude_suffixes: tuple[str, ...] = OUTPUT_SUFFIXES) -> str:
    """SHA-256 of the files in ``folder`` (sorted by name), skipping ``exclude_suffixes``."""
    files = sorted(p for p in Path(folder).iterdir() if p.is_file())
    files = [p for p in files if p.suffix.lower() not in exclude_suffixes]
    return hash_inputs(p for f in files for p in (f.name, f))


def provenance_attrs(inputs_hash: str = "", executables: Iterable[str] = ()) -> dict[str, str]:
    """Attributes for an output file: versions, inputs hash and creation time.

    ``executables`` names the MODFLOW-family programs involved (e.g. ``["mf6"]``); their version
    and sha256 come from the installed-executables manifest when one is found.
    """
    from gwsim.executables import describe_executable

    attrs = {
        "gwsim_version": gwsim_version(),
        "flopy_version": flopy_version(),
        "inputs_sha256": inputs_hash,
        "date_created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    for name in executables:
        attrs[f"{name}_version"] = describe_executable(name)
    return attrs


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)  # mkstemp makes 0600; results are ordinary files
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
