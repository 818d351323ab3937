"""What every transport engine receives and returns, as plain arrays (m, d, g, mg/L = g/m³).

:func:`gwsim.transport` validates its inputs once into a :class:`SoluteProblem` (porosity,
dispersion, reactions, sources) and a :class:`StepSchedule` (stress periods, time steps, output
times); an engine (:mod:`gwsim.engines.mf6_gwt`, :mod:`gwsim.engines.mt3d`) translates both into
its own packages, runs its programs and returns a :class:`TransportRun`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CellId = tuple[int, int, int]


# Cells saturated below this fraction of their thickness hold almost no water: MT3D-USGS treats them
# as inactive (its THKMIN, default 0.01), so they neither set the transport step
# (gwsim.solute.schedule) nor take a leak (gwsim.risk.leaks.leak_cells, gwsim.solute.checks).
# 0.05 (MT3D's largest) made Chajia's MT3D run 22 % cheaper, but it silently inactivated the
# electroplating footprint's barely wet cap cells: that enterprise's plume vanished.
THIN_CELL_FRACTION = 0.01


@dataclass
class ImmobileDomain:
    """Immobile (matrix) domain of a dual-domain model, per cell.

    ``porosity``: immobile pore volume per cell volume, θ_im (-), beside the mobile porosity per
    cell volume in :attr:`SoluteProblem.porosity`; ``rate``: first-order mass-transfer rate
    coefficient ζ between the domains (1/d).
    """

    porosity: np.ndarray
    rate: np.ndarray


@dataclass
class SoluteProblem:
    """Porosity, dispersion, reactions and sources of one transport run.

    Stress dictionaries map a 0-based stress period to ``[(cellid, value), ...]``; every period
    has an entry (possibly empty), so a source switches off by being absent from a period.
    """

    porosity: np.ndarray  # (nlay, nrow, ncol) mobile porosity, -
    dispersivity: tuple[float, float, float]  # alpha_L, alpha_TH, alpha_TV, m
    mass_sources: dict[int, list[tuple[CellId, float]]]  # g/d
    fixed_concentrations: dict[int, list[tuple[CellId, float]]]  # mg/L
    decay: float | np.ndarray = 0.0  # first-order rate, 1/d (scalar or per cell), both phases
    bulk_density: np.ndarray | None = None  # kg/m³ (with distcoef: linear sorption)
    distcoef: np.ndarray | None = None  # m³/kg
    immobile: ImmobileDomain | None = None
    concentration_scale: float = 1.0  # mg/L, largest source concentration (solver closures)
    # cells the plume can reach (bool, gwsim.solute.domain); None: every active cell
    domain: np.ndarray | None = None


@dataclass
class StepSchedule:
    """Stress periods, time steps and outputs of a transport run (d).

    Period ``p`` runs from ``edges[p]`` to ``edges[p + 1]`` in ``nstp[p]`` steps growing by
    ``tsmult[p]``; ``save_steps[p]`` lists its 0-based steps that end at an output time, and
    ``flow_steps[p]`` the flow field's saved steps it spans (``[0]`` for a steady flow field).
    ``courant`` is the largest Courant number of a step (MT3D-USGS, which sizes its own advection
    steps, keeps to it).
    """

    edges: np.ndarray  # (nper+1,) d
    nstp: np.ndarray  # (nper,)
    tsmult: np.ndarray  # (nper,)
    save_steps: list[list[int]]
    times: np.ndarray  # (nt,) output times, d
    courant: float
    flow_steps: list[list[int]] = field(default_factory=list)

    @property
    def perlen(self) -> np.ndarray:
        """(nper,) period lengths, d."""
        return np.diff(self.edges)

    def longest_steps(self) -> np.ndarray:
        """(nper,) the longest time step of each period, d (the first or last one)."""
        growth = [m ** np.arange(n) for n, m in zip(self.nstp, self.tsmult, strict=True)]
        return np.array(
            [length * g.max() / g.sum() for length, g in zip(self.perlen, growth, strict=True)]
        )


@dataclass
class TransportRun:
    """What a transport engine returns: saved concentrations and the run's mass balance.

    ``executables`` names the programs that ran (for provenance); ``workspace`` is the folder
    the engine wrote and ran in; ``edge_loss`` is the share of the mass that entered which left
    through the edge of :attr:`SoluteProblem.domain` (None where the engine solves every cell);
    ``advection`` names the advection scheme where the engine chose it (MT3D-USGS: "TVD", or
    "upstream FD" after a TVD failure), None otherwise.
    """

    concentration: np.ndarray  # (nt, nlay, nrow, ncol) mg/L; NaN where inactive or dry
    times: np.ndarray  # (nt,) d, the saved times
    percent_discrepancy: float | None  # largest |mass-balance discrepancy| of the run, %
    workspace: Path
    executables: tuple[str, ...]
    edge_loss: float | None = None
    advection: str | None = None
