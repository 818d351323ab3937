"""The solute problem both transport engines solve, as plain arrays (m, d, g, mg/L = g/m³).

:func:`gwsim.transport` validates its inputs once into a :class:`SoluteProblem`; the MODFLOW 6
GWT and MT3D-USGS engines translate the same object into their own packages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CellId = tuple[int, int, int]


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
