"""numpy reader of MT3D's binary concentration file (``MT3D001.UCN``), without flopy.

The layout is that of a MODFLOW head file (:func:`gwsim.engines.mf6_binary.read_layer_records`)
in single precision, with its own header: transport step, flow step, stress period, time (d,
single), text ``CONCENTRATION``, ncol, nrow, layer. Reading it touches no global state (flopy's
reader needs a warnings filter around it, which is not thread-safe), so runs side by side can
read their files at the same time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gwsim.engines.mf6_binary import read_layer_records
from gwsim.errors import EngineError

_UCN_HEADER = [
    ("ntrans", "<i4"),
    ("kstp", "<i4"),
    ("kper", "<i4"),
    ("totim", "<f4"),
    ("text", "S16"),
    ("ncol", "<i4"),
    ("nrow", "<i4"),
    ("ilay", "<i4"),
]


def read_ucn(path: Path, shape: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(times (nt,) d, concentration (nt, nlay, nrow, ncol) mg/L) of an MT3D ``.UCN`` file,
    as float64 (the file's values are single precision)."""
    steps = read_layer_records(
        path, _UCN_HEADER, "<f4", shape, "single-precision MT3D concentration file", EngineError
    )
    return steps[:, 0]["totim"].astype(float), steps["data"].astype(float)
