"""What leaks, how much, and where it reaches the water table (HJ 610-2016 source term).

An :class:`Enterprise` (a footprint polygon or point) leaks :class:`Contaminant` s in one or more
:class:`LeakCase` s. The mass rate of a leak is seepage rate × concentration of the leaking liquid,
ṁ (g/d) = Q (m³/d) × c (mg/L = g/m³), or a given mass rate (g/d); it enters the uppermost wet cell
of every footprint column, shared equally, from ``start`` to ``start + duration`` (abnormal case: a
failed liner leaks until monitoring detects it, e.g. 100 d; normal case: a small continuous seepage
through intact anti-seepage works).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from gwsim.engines.transport_interface import THIN_CELL_FRACTION
from gwsim.errors import SpecError
from gwsim.flowfield import FlowField
from gwsim.solute import Source
from gwsim.standards import class3_limit


@dataclass(frozen=True)
class Contaminant:
    """A contaminant in an enterprise's leaking liquid.

    Parameters
    ----------
    name : str
        GB/T 14848 key (``gwsim.standards``), e.g. ``"trichloroethylene"``, ``"nitrate_n"``.
    concentration : float, optional
        Concentration in the leaking liquid, mg/L; the mass rate is the case's seepage times it.
    mass_rate : float, optional
        Mass released, g/d, in every leak case (the case then sets only the timing).
    decay : float
        First-order decay rate in the aquifer, 1/d (dissolved and sorbed).
    retardation : float
        Retardation factor R ≥ 1.
    """

    name: str
    concentration: float | None = None
    mass_rate: float | None = None
    decay: float = 0.0
    retardation: float = 1.0


@dataclass(frozen=True)
class LeakCase:
    """An HJ 610 leak case: seepage rate (m³/d) from ``start`` for ``duration`` days.

    ``duration=None`` leaks to the end of the run (the normal case's continuous seepage).
    """

    name: str
    seepage: float = 0.0
    start: float = 0.0
    duration: float | None = None

    @property
    def stop(self) -> float | None:
        """Time the leak stops, d (None: never)."""
        return None if self.duration is None else self.start + self.duration


@dataclass
class Enterprise:
    """An enterprise: footprint (shapely Polygon or Point, model coordinates, m), contaminants
    and leak cases."""

    name: str
    footprint: object
    contaminants: list[Contaminant]
    cases: list[LeakCase]


def leak_mass_rate(contaminant: Contaminant, case: LeakCase) -> float:
    """Mass rate of a leak, g/d: seepage (m³/d) × concentration (mg/L = g/m³), or the
    contaminant's mass rate (HJ 610-2016 source term)."""
    if contaminant.mass_rate is not None:
        return float(contaminant.mass_rate)
    return float(case.seepage) * float(contaminant.concentration)


def check_contaminant(c: Contaminant, where: str) -> float:
    """Validate a contaminant; returns its Class III limit (mg/L)."""
    limit = class3_limit(c.name, f"{where}.name")
    if (c.concentration is None) == (c.mass_rate is None):
        raise SpecError(
            where,
            f"{c.name}: give exactly one of concentration and mass_rate",
            "concentration in mg/L of the leaking liquid, or mass_rate in g/d",
        )
    for key, value, minimum in (
        ("concentration", c.concentration, 0.0),
        ("mass_rate", c.mass_rate, 0.0),
        ("decay", c.decay, 0.0),
        ("retardation", c.retardation, 1.0),
    ):
        if value is not None and not (np.isfinite(value) and value >= minimum):
            raise SpecError(f"{where}.{key}", f"is {value}; it must be >= {minimum}", "")
    return limit


def check_case(case: LeakCase, where: str) -> None:
    """Validate a leak case: seepage ≥ 0 m³/d, start ≥ 0 d, duration > 0 d or None."""
    if not (np.isfinite(case.seepage) and case.seepage >= 0):
        raise SpecError(
            f"{where}.seepage", f"is {case.seepage}", "give the leak rate in m³/d, >= 0"
        )
    if not case.start >= 0:
        raise SpecError(f"{where}.start", f"is {case.start}", "give days >= 0")
    if case.duration is not None and not case.duration > 0:
        raise SpecError(f"{where}.duration", f"is {case.duration}", "give days > 0, or omit it")


def footprint_columns(flow: FlowField, footprint, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the grid columns under a footprint (cell centres inside a polygon, or
    the cell holding a point or a polygon too small to hold a centre); raises SpecError when it
    is outside the grid."""
    geom = shapely.Point(footprint) if not hasattr(footprint, "geom_type") else footprint
    ring = np.asarray(geom.exterior.coords if geom.geom_type == "Polygon" else geom.coords)
    _, row, col = flow.grid.locate(ring[:, 0], ring[:, 1])
    if np.any(row < 0):
        x, y = ring[np.argmax(row < 0)]
        raise SpecError(
            where,
            f"({x:.1f}, {y:.1f}) is outside the model grid",
            "move the enterprise into the model area, or enlarge the model",
        )
    if geom.geom_type == "Polygon":
        inside = shapely.contains_xy(geom, flow.grid.xcenters, flow.grid.ycenters)
        if inside.any():
            return np.nonzero(inside)
        point = geom.representative_point()
        _, row, col = flow.grid.locate(point.x, point.y)
    return row[:1], col[:1]


def leak_cells(flow: FlowField, footprint, where: str) -> np.ndarray:
    """(m, 3) uppermost wet cells (layer, row, col) under a footprint: where a leak reaches the
    water table. Raises SpecError for a footprint outside the grid or over a column with no
    active, wet cell."""
    rows, cols = footprint_columns(flow, footprint, where)
    wet = (flow.grid.idomain > 0) & (flow.saturation[0] > THIN_CELL_FRACTION)  # MT3D's THKMIN
    column_wet = wet[:, rows, cols]
    dry = ~column_wet.any(axis=0)
    if dry.any():
        r, c = int(rows[np.argmax(dry)]), int(cols[np.argmax(dry)])
        raise SpecError(
            where,
            f"lies over an inactive or dry column (row {r}, col {c}), which no leak can reach",
            "move the enterprise over the active aquifer",
        )
    return np.column_stack([column_wet.argmax(axis=0), rows, cols])


def leak_sources(
    flow: FlowField, cells: np.ndarray, mass_rate: float, case: LeakCase
) -> list[Source]:
    """One :class:`Source` per leak cell, each ``mass_rate / len(cells)`` g/d, at the middle of
    the cell's saturated thickness, on from ``case.start`` to ``case.stop``."""
    lay, row, col = cells.T
    z = flow.grid.botm[lay, row, col] + 0.5 * flow.saturated_thickness[0][lay, row, col]
    share = mass_rate / len(cells)
    return [
        Source(float(x), float(y), float(zz), mass_rate=share, start=case.start, stop=case.stop)
        for x, y, zz in zip(
            flow.grid.xcenters[row, col], flow.grid.ycenters[row, col], z, strict=True
        )
    ]
