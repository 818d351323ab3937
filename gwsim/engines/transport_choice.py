"""Which transport engine runs, and why: ``engine="auto"`` and the MODFLOW 6 dispersion check.

MODFLOW 6 up to mid-2026 (the PyPI wheel's 6.4.1 included) turns the dispersion tensor wrongly
where the flow has qy < 0 (modflow6 issue #2826, fixed by PR #2849; :mod:`.mf6_probe`), so:

* ``engine="auto"`` runs MODFLOW 6 GWT when the installed mf6 passed gwsim's dispersion probe and
  MT3D-USGS otherwise (also when the probe cannot run). The verdict comes from the executables'
  manifest; when the manifest lacks it the probe runs once (about a second) and is recorded there.
* ``engine="mf6"`` forced on an mf6 that failed the probe runs, and warns
  (:class:`~gwsim.errors.Mf6DispersionWarning`) when the plume reached cells whose flow has
  qy < 0 and is oblique to the grid (elsewhere the bug does not act).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gwsim.engines.mf6_probe import (
    DispersionProbe,
    installed_mf6_probe,
    probe_mf6_dispersion,
    warn_mf6_dispersion,
)
from gwsim.errors import GwsimError
from gwsim.executables import find_executable, record_dispersion_probe
from gwsim.flowfield import FlowField

AUTO = "auto"
ENGINE_NAMES = {"mf6": "MODFLOW 6 GWT", "mt3d": "MT3D-USGS"}
PLUME_FRACTION = 1e-3  # of the peak: cells at least this concentrated are "where the plume goes"
OBLIQUE_MIN = 0.01  # |qx·qy|/|q|²: below it the flow runs along a grid axis and the bug cannot act


@dataclass(frozen=True)
class EngineChoice:
    """The transport engine that runs (``"mf6"`` or ``"mt3d"``), why, and the mf6 probe verdict."""

    engine: str
    reason: str
    probe: DispersionProbe | None


@functools.cache
def _probe_once(path: str) -> DispersionProbe | None:
    try:
        probe = probe_mf6_dispersion(path)
    except GwsimError:
        return None
    record_dispersion_probe(Path(path), probe.to_dict())
    return probe


def mf6_verdict() -> DispersionProbe | None:
    """The installed mf6's dispersion-probe verdict (None: no mf6, or the probe cannot run)."""
    try:
        path = find_executable("mf6")
    except GwsimError:
        return None
    return installed_mf6_probe() or _probe_once(str(path))


def choose_transport_engine(engine: str) -> EngineChoice:
    """Resolve ``engine`` (``"auto"``, ``"mf6"`` or ``"mt3d"``) to the engine that runs."""
    probe = mf6_verdict() if engine in (AUTO, "mf6") else None
    if engine != AUTO:
        return EngineChoice(engine, f"{ENGINE_NAMES[engine]}, as requested", probe)
    if probe is None:
        return EngineChoice(
            "mt3d", "auto: MT3D-USGS; the installed mf6's dispersion probe could not run", None
        )
    if probe.mirrors:
        return EngineChoice(
            "mf6",
            f"auto: MODFLOW 6 GWT; the installed mf6 passed gwsim's dispersion probe "
            f"(mirrored plumes agree within {probe.asymmetry:.1g} of the peak)",
            probe,
        )
    return EngineChoice(
        "mt3d",
        f"auto: MT3D-USGS; the installed mf6 turns the dispersion tensor wrongly where qy < 0 "
        f"(modflow6 issue #2826; mirrored plumes differ by {probe.asymmetry:.0%} of the peak on "
        "gwsim's dispersion probe)",
        probe,
    )


def mirrored_flow_cells(flow: FlowField) -> np.ndarray:
    """(nt, nlay, nrow, ncol) bool: cells whose flow has qy < 0 oblique to the grid (the bug acts).

    Cell-centre qx, qy (grid frame, +y toward row 0) are the means of the flows across a cell's
    two faces per axis.
    """
    right, front = flow.flow_right_face, flow.flow_front_face
    qx = 0.5 * (right + np.concatenate([np.zeros_like(right[..., :1]), right[..., :-1]], -1))
    qy = -0.5 * (front + np.concatenate([np.zeros_like(front[..., :1, :]), front[..., :-1, :]], -2))
    oblique = np.abs(qx * qy) > OBLIQUE_MIN * (qx**2 + qy**2)
    return (qy < 0) & oblique & (flow.grid.idomain > 0)


def warn_if_mirrored(
    choice: EngineChoice, flow: FlowField, concentration: np.ndarray, stacklevel: int = 2
) -> None:
    """Warn once when MODFLOW 6 GWT ran on a failing mf6 and the plume reached mirrored flow.

    ``concentration`` is the run's (nt, nlay, nrow, ncol) field, mg/L (NaN where inactive).
    """
    if choice.engine != "mf6" or choice.probe is None or choice.probe.mirrors:
        return
    conc = np.nan_to_num(concentration)
    peak = conc.max()
    if peak <= 0:
        return
    reached = (conc > PLUME_FRACTION * peak).any(axis=0)
    mirrored = mirrored_flow_cells(flow).any(axis=0)
    if np.any(reached & mirrored):
        warn_mf6_dispersion(choice.probe, stacklevel=stacklevel + 1)
