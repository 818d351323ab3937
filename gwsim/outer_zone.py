"""The outer protection zone (准保护区) of HJ 338-2018 by flux: where the wells' water enters.

Definition. Every point where water enters the aquifer (one per sub-cell and kind of entry: rain
recharge, a losing river, an inflowing boundary, an injection well) carries its inflow q (m³/d) and
the fraction f of it that reaches the wells (:class:`gwsim.recharge_area.RechargeEntries`; f < 1 where a
path crosses a gaining river reach or a drain that takes part of the water). For each kind the
entries are ranked by f and taken in that order until the water entering the zone equals the water
of that kind the wells capture, Σ q·f (= share × pumping). The cut-off f* is the fraction at which
the zone's inflow balances the wells' share: where more than f* of the water reaches the wells the
cell is in, where less (most of it drains to a river or leaves the model) it is out. Where each
entry sends all or nothing (steady flow without weak sinks), f* = 1 and the zone is every cell that
sends water to the wells, the classical recharge area. Where f hovers around f* the selected
sub-cells can form a speckle; the area is closed by one sub-cell (dilated, then eroded) and holes
smaller than four model cells are filled, so a planner gets a zone that can be drawn on a map.
The outer zone is this area joined with the class-2 zone (so class 2 ⊂ outer zone).

Closure, per kind: the water entering inside the final outer zone (for recharge, its area × the
recharge rate) against share × pumping; the difference is the class-2 area added for nesting,
sub-cell rounding and the water from below the cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from gwsim.capture import CaptureZone
from gwsim.flowfield import FlowField
from gwsim.subcells import mask_to_polygon

MIN_FRACTION = 1e-6  # an entry sending less of its water to the wells sends none
MIN_SHARE = 1e-3  # a kind of entry supplying less of the captured water gets no zone of its own
COMPASS = ("east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east")


@dataclass
class Closure:
    """Water balance of the outer zone for one kind of entry (m³/d, ha, mm/a).

    ``captured`` the wells' water of this kind (share × pumping); ``in_zone`` water of this kind
    entering inside the outer zone; ``outside`` captured water entering outside it; ``cutoff``
    f*; ``area_ha`` and ``rate_mm_a`` the area of the zone's entries and their mean inflow rate.
    """

    kind: str
    captured: float
    in_zone: float
    outside: float
    cutoff: float
    area_ha: float
    rate_mm_a: float

    @property
    def error_pct(self) -> float:
        """(in_zone − captured) / captured, %."""
        return 100.0 * (self.in_zone / self.captured - 1.0) if self.captured > 0 else 0.0


def flux_zone(capture: CaptureZone, flow: FlowField) -> tuple[object, dict[str, float]]:
    """The entry area whose inflow balances the captured water, per kind; and f* per kind."""
    entries = capture.entries
    xe, ye = capture.subcell_edges
    mask = np.zeros((ye.size - 1, xe.size - 1), bool)
    cutoffs = {}
    if entries is None:
        return shapely.Polygon(), cutoffs
    total = float(np.sum(entries.inflow * entries.fraction))
    for kind in dict.fromkeys(entries.kind):
        idx = np.flatnonzero((entries.kind == kind) & (entries.fraction > MIN_FRACTION))
        target = float(np.sum(entries.inflow[idx] * entries.fraction[idx]))
        if idx.size == 0 or target <= MIN_SHARE * total:
            continue  # this kind sends the wells no water worth a zone
        order = idx[np.argsort(-entries.fraction[idx], kind="stable")]
        reached = np.cumsum(entries.inflow[order]) >= target * (1 - 1e-9)
        taken = order[: int(np.argmax(reached)) + 1 if reached.any() else order.size]
        mask[entries.row[taken], entries.col[taken]] = True
        cutoffs[kind] = float(entries.fraction[taken[-1]])
    sub = float(min(np.diff(xe).min(), -np.diff(ye).max()))
    return _tidy(
        mask_to_polygon(flow, mask, xe, ye), sub, 4 * float(flow.grid.cell_area.max())
    ), cutoffs


def _tidy(zone, width: float, hole_area: float):
    """Close the zone by ``width`` (m) and fill holes smaller than ``hole_area`` (m²)."""
    if zone.is_empty:
        return zone
    closed = zone.buffer(width, join_style="mitre").buffer(-width, join_style="mitre")
    return fill_small_holes(closed, hole_area)


def fill_small_holes(zone, hole_area: float):
    """The zone with its holes smaller than ``hole_area`` (m²) filled (a sub-cell a lattice
    missed is not a gap a planner can map)."""
    if zone.is_empty:
        return zone
    parts = []
    for poly in getattr(zone, "geoms", [zone]):
        keep = [r for r in poly.interiors if shapely.Polygon(r).area >= hole_area]
        parts.append(shapely.Polygon(poly.exterior, keep))
    return shapely.union_all(parts)


def closures(capture: CaptureZone, zone, cutoffs: dict[str, float]) -> list[Closure]:
    """The outer zone's water balance per kind of entry (see the module docstring)."""
    entries = capture.entries
    if entries is None:
        return []
    xe, ye = capture.subcell_edges
    sub_area = np.abs(np.diff(ye))[entries.row] * np.diff(xe)[entries.col]  # m²
    inside = shapely.contains_xy(zone, entries.x, entries.y)
    rows = []
    for kind, cutoff in cutoffs.items():
        of_kind = entries.kind == kind
        captured = entries.inflow * entries.fraction
        zone_in = of_kind & inside
        area = float(sub_area[zone_in].sum())
        in_zone = float(entries.inflow[zone_in].sum())
        rows.append(
            Closure(
                kind=kind,
                captured=float(captured[of_kind].sum()),
                in_zone=in_zone,
                outside=float(captured[of_kind & ~inside].sum()),
                cutoff=cutoff,
                area_ha=area / 1e4,
                rate_mm_a=1000.0 * 365.25 * in_zone / area if area > 0 else 0.0,
            )
        )
    return rows


def reach(zone, points: list[tuple[float, float]]) -> tuple[float, str]:
    """The distance (m) and compass direction from the nearest well to the zone's farthest point."""
    if zone.is_empty:
        return 0.0, ""
    wells = shapely.MultiPoint(points)
    coords = np.concatenate(
        [np.asarray(p.exterior.coords) for p in getattr(zone, "geoms", [zone]) if not p.is_empty]
    )
    dist = np.array([wells.distance(shapely.Point(c)) for c in coords])
    far = coords[int(np.argmax(dist))]
    near = min(points, key=lambda p: np.hypot(p[0] - far[0], p[1] - far[1]))
    angle = np.degrees(np.arctan2(far[1] - near[1], far[0] - near[0])) % 360.0
    return float(dist.max()), COMPASS[int(((angle + 22.5) % 360.0) // 45.0)]


def edges_reached(flow: FlowField, zone, tolerance: float) -> list[str]:
    """Model edges ("north", "south", "west", "east") the zone comes within ``tolerance`` m of."""
    x, y = flow.grid.corners()
    edges = {
        "north": (x[0], y[0]),
        "south": (x[-1], y[-1]),
        "west": (x[:, 0], y[:, 0]),
        "east": (x[:, -1], y[:, -1]),
    }
    return [
        name
        for name, (ex, ey) in edges.items()
        if not zone.is_empty
        and zone.distance(shapely.LineString(np.column_stack([ex, ey]))) <= tolerance
    ]
