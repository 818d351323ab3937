"""The empirical method of HJ 338-2018: R = α·K·I·T/n around each production well (m, d).

One circle per production well (a column of the model with pumped cells; a WEL boundary listing
several wells gives several circles); a source's zone is the union of its wells' circles. K, I and
n come from the flow model at each well unless the scenario gives them, and each value records
where it came from, so R can be checked by hand:

* K: horizontal K of the flow field (the model's NPF input), averaged over the well's pumped
  cells weighted by their saturated thickness (transmissivity-weighted, m/d);
* I: mean head-gradient magnitude of the pumped layers in a ring two to four cells from the well
  (inside its cone of depression), at the last saved step, weighted like K;
* n: effective porosity of the flow field in the pumped cells, weighted like K;
* T: 100 d (class 1) and 1000 d (class 2); α: the safety factor (HJ 338 commonly 150 %).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from gwsim.errors import ProtectionZoneError
from gwsim.flowfield import FlowField

CLASS1_DAYS = 100.0
CLASS2_DAYS = 1000.0
SAFETY_FACTOR = 1.5  # α, HJ 338-2018 commonly 150 % (verify)

# HJ 338-2018 empirical radii for unconfined porous aquifers, small/medium sources, m:
# medium -> ((class 1 min, max), (class 2 min, max)). Values from DOMAIN.md, marked "verify".
EMPIRICAL_RADII_M = {
    "fine sand": ((30, 50), (300, 500)),
    "medium sand": ((50, 100), (500, 1000)),
    "coarse sand": ((100, 200), (1000, 2000)),
    "gravel": ((200, 500), (2000, 5000)),
    "cobbles": ((500, 1000), (5000, 10000)),
}


def empirical_radius(
    k: float, gradient: float, travel_time: float, porosity: float, alpha: float = SAFETY_FACTOR
) -> float:
    """Empirical protection radius R = α·K·I·T/n (m), HJ 338-2018.

    Parameters
    ----------
    k : hydraulic conductivity, m/d. gradient : hydraulic gradient I, -.
    travel_time : T, d (100 for class 1, 1000 for class 2). porosity : effective porosity n, -.
    alpha : safety factor α (1.5 = 150 %).
    """
    for name, value in (
        ("k", k),
        ("gradient", gradient),
        ("travel_time", travel_time),
        ("porosity", porosity),
        ("alpha", alpha),
    ):
        if not (np.isfinite(value) and value > 0):
            raise ProtectionZoneError(f"empirical radius: {name} must be > 0, got {value}")
    if porosity > 1:
        raise ProtectionZoneError(f"empirical radius: porosity {porosity} > 1; give a fraction")
    return alpha * k * gradient * travel_time / porosity


@dataclass
class WellParameters:
    """K (m/d), I (-), n (-), α (-) of one production well, its radii (m), and where each value
    came from (``origin``: {"k", "gradient", "porosity", "alpha"} -> text)."""

    name: str
    x: float
    y: float
    k: float
    gradient: float
    porosity: float
    radius_class1: float
    radius_class2: float
    alpha: float = SAFETY_FACTOR
    origin: dict[str, str] = field(default_factory=dict)
    thickness: float = 0.0  # saturated thickness of the pumped cells, m


def _ring_gradient(flow: FlowField, layer: int, row: int, col: int, step: int) -> float:
    """Mean |∇h| (-) of ``layer`` over cells two to four cells from (row, col)."""
    head = flow.head[step, layer]
    yc, xc = flow.grid.ycenters[:, 0], flow.grid.xcenters[0]
    gy, gx = np.gradient(head, yc, xc)
    magnitude = np.hypot(gx, gy)
    rr, cc = np.meshgrid(np.arange(flow.grid.nrow), np.arange(flow.grid.ncol), indexing="ij")
    ring = np.maximum(np.abs(rr - row), np.abs(cc - col))
    values = magnitude[(ring >= 2) & (ring <= 4) & np.isfinite(magnitude)]
    if values.size == 0:
        raise ProtectionZoneError(
            f"no heads around the well at row {row}, col {col} to take a gradient from: "
            "give gradient= explicitly"
        )
    return float(values.mean())


def _layers(cells: np.ndarray) -> str:
    layers = sorted({int(c[0]) + 1 for c in cells})
    return f"layer {layers[0]}" if len(layers) == 1 else f"layers {', '.join(map(str, layers))}"


def _production_wells(capture) -> list[tuple[str, np.ndarray]]:
    """(name, pumped cells) of each production well: each model column with pumped cells."""
    wells = []
    for well in capture.wells:
        columns = sorted({(int(r), int(c)) for _, r, c in well.cells}, key=lambda rc: rc[::-1])
        for i, (row, col) in enumerate(columns, 1):
            cells = np.array([c for c in well.cells if (c[1], c[2]) == (row, col)], int)
            wells.append((well.name if len(columns) == 1 else f"{well.name} {i}", cells))
    return wells


def well_parameters(
    flow: FlowField, capture, k=None, gradient=None, porosity=None, alpha=SAFETY_FACTOR
) -> list[WellParameters]:
    """K, I, n and the empirical class-1/class-2 radii of each production well of a source."""
    step = flow.ntimes - 1
    if k is None and flow.k is None:
        raise ProtectionZoneError(
            "the flow field's K is unknown (its model's NPF input could not be read): give k= "
            "(m/d) for the empirical radii"
        )
    params = []
    for name, cells in _production_wells(capture):
        idx = tuple(cells.T)
        b = np.maximum(flow.saturated_thickness[step][idx], 1e-6)

        def mean(values, b=b):  # weighted by saturated thickness
            return float(np.sum(values * b) / np.sum(b))

        row, col = int(cells[0, 1]), int(cells[0, 2])
        where = _layers(cells)
        k_w = float(k) if k is not None else mean(flow.k[idx])
        i_w = (
            float(gradient)
            if gradient is not None
            else mean(np.array([_ring_gradient(flow, int(c[0]), row, col, step) for c in cells]))
        )
        n_w = float(porosity) if porosity is not None else mean(flow.porosity[idx])
        ring = 2 * float(flow.grid.delr[col]), 4 * float(flow.grid.delr[col])
        origin = {
            "k": "scenario [protection] k"
            if k is not None
            else f"flow model K (NPF input), {where}, transmissivity-weighted",
            "gradient": "scenario [protection] gradient"
            if gradient is not None
            else f"mean |∇h| {ring[0]:g}-{ring[1]:g} m from the well, {where}, "
            f"t = {flow.times[step]:g} d",
            "porosity": "scenario [protection] porosity"
            if porosity is not None
            else f"flow model porosity, {where}",
            "alpha": "scenario [protection] alpha"
            if alpha != SAFETY_FACTOR
            else "HJ 338-2018 commonly 150 % (verify)",
        }
        params.append(
            WellParameters(
                name=name,
                x=float(flow.grid.xcenters[row, col]),
                y=float(flow.grid.ycenters[row, col]),
                k=k_w,
                gradient=i_w,
                porosity=n_w,
                radius_class1=empirical_radius(k_w, i_w, CLASS1_DAYS, n_w, alpha),
                radius_class2=empirical_radius(k_w, i_w, CLASS2_DAYS, n_w, alpha),
                alpha=alpha,
                origin=origin,
                thickness=float(b.sum()),
            )
        )
    return params


def circles(params: list[WellParameters], key: str):
    """Union of the wells' circles of radius ``key`` ("radius_class1" or "radius_class2")."""
    return shapely.union_all([shapely.Point(p.x, p.y).buffer(getattr(p, key), 64) for p in params])


def rounded_radius(value: float) -> float:
    """A radius as tables and maps print it (m, 0.1 m), so both show the same number."""
    return round(float(value), 1)
