"""Provenance of gwsim outputs: versions, a hash of the inputs, creation time.

Every file gwsim writes carries the gwsim, flopy and executable versions, a hash of the inputs
that produced it and its creation time (UTC). Writing the files (atomically) is
:mod:`gwsim.writers`' job.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from gwsim._version import __version__


def gwsim_version() -> str:
    return __version__


def flopy_version() -> str:
    """flopy's installed version, from its metadata (importing flopy takes about a second)."""
    from importlib.metadata import version

    return version("flopy")


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
