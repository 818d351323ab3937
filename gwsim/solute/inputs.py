"""The inputs a planner gives a transport run: point sources and a dual (fracture-matrix) domain."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Source:
    """A point (cell) source of solute, active from ``start`` to ``stop`` (d).

    Give exactly one of ``mass_rate`` (g/d, added to the cell's water) or ``concentration``
    (mg/L). A concentration source is the concentration of the water that the flow model brings
    into the source's cell (an injection well, recharge, an inflowing boundary): its mass rate is
    that inflow (m³/d) times ``concentration``. Where the flow model brings no water into the cell,
    or with ``fixed=True``, the cell is instead held at ``concentration`` (a constant-concentration
    cell, which may add any mass needed).

    Parameters
    ----------
    x, y : float
        Position in model coordinates, m.
    z : float, optional
        Elevation, m; ``None`` puts the source in the uppermost active layer.
    mass_rate : float, optional
        Mass added, g/d (≥ 0).
    concentration : float, optional
        Concentration of the water entering, or of the fixed cell, mg/L (≥ 0).
    start, stop : float
        Simulation times at which the source switches on and off, d; ``stop=None`` keeps it on.
    fixed : bool, optional
        ``True`` holds the cell at ``concentration``; ``False`` requires inflowing water;
        ``None`` (default) chooses by the flow, as above. Only for concentration sources.
    """

    x: float
    y: float
    z: float | None = None
    mass_rate: float | None = None
    concentration: float | None = None
    start: float = 0.0
    stop: float | None = None
    fixed: bool | None = None


@dataclass(frozen=True)
class DualDomain:
    """Immobile (matrix) pore space exchanging solute with the mobile (fracture) pore space.

    Parameters
    ----------
    immobile_porosity : float or numpy.ndarray
        Immobile pore volume per cell volume θ_im (-), a scalar or (nlay, nrow, ncol); the mobile
        porosity is the flow field's (or ``transport``'s) effective porosity.
    transfer_rate : float
        First-order mass-transfer rate coefficient ζ, 1/d: the immobile domain gains
        ζ·(c_mobile − c_immobile) g/m³ of cell volume per day (MODFLOW 6 IST package).
    """

    immobile_porosity: float | np.ndarray
    transfer_rate: float
