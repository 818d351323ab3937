"""HJ 164-2020 layout rules as constraints on the well choice, well purposes and sampling frequency.

HJ 164-2020 (and HJ 610-2016) ask, for a single enterprise, for one control (background) well
30–50 m upgradient and at least three wells downgradient and on both sides; around a drinking-water
source, early-warning wells upgradient in its recharge area (``shared/DOMAIN.md``). Each rule a
planner switches on becomes a set of candidates of which the design must take at least one
(:func:`gwsim.monitoring.design.choose_wells`):

* ``control``: candidates 30–50 m (``control_distance``) from the footprint, within
  ``max_angle`` of straight upgradient of its centroid;
* ``flanks``: within ``flank_radius`` of the footprint, three sets: downgradient (within
  ``max_angle`` of the flow direction), and the left and right sides (the rest of the ring on
  either side of the flow line, leaving out the upgradient cone);
* ``early_warning``: inside each given recharge area of a drinking-water source.

The flow direction at an enterprise is that of the water table path leaving its centroid (forward
Pollock tracking over ``direction_distance`` m). Sampling frequencies follow DOMAIN.md's reading of
HJ 164: at least twice a year (dry and wet season), quarterly for high-risk sources *(verify against
the standard's text)*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from gwsim.flowfield import FlowField
from gwsim.monitoring.errors import MonitoringError
from gwsim.monitoring.sources import source_points
from gwsim.solute import Source
from gwsim.tracking import track

PURPOSES = ("control", "spread", "early_warning")
# samples per year and the reason (DOMAIN.md reading of HJ 164-2020; verify)
SAMPLING = {
    "control": (2, "twice a year, dry and wet season (HJ 164; verify)"),
    "spread": (2, "twice a year, dry and wet season (HJ 164; verify)"),
    "spread_high_risk": (4, "quarterly, downgradient of a high-risk enterprise (HJ 164; verify)"),
    "early_warning": (4, "quarterly, early warning of a drinking-water source (HJ 164; verify)"),
}


@dataclass(frozen=True)
class LayoutRules:
    """Which HJ 164 layout rules to apply, and their geometry (m, degrees)."""

    control: bool = True
    flanks: bool = False
    early_warning: bool = False
    control_distance: tuple[float, float] = (30.0, 50.0)
    flank_radius: float = 500.0
    max_angle: float = 45.0
    direction_distance: float = 50.0


def flow_direction(flow: FlowField, x: float, y: float, distance: float = 50.0) -> np.ndarray:
    """Unit horizontal direction (2,) of the groundwater flow leaving (x, y) at the water table."""
    start = source_points(flow, [Source(float(x), float(y))])
    path = track(flow, start, "forward", pathlines=True).pathlines[0]
    d = np.hypot(path["x"] - x, path["y"] - y)
    far = np.flatnonzero(d >= distance)
    i = far[0] if far.size else len(d) - 1
    vector = np.array([path["x"][i] - x, path["y"][i] - y])
    if not np.hypot(*vector) > 0:
        raise MonitoringError(
            f"no flow leaves ({x:.1f}, {y:.1f}): the upgradient direction is undefined there"
        )
    return vector / np.hypot(*vector)


def _angles(points: np.ndarray, origin, direction) -> tuple[np.ndarray, np.ndarray]:
    """Angle (degrees, 0..180) between ``direction`` and origin→point, and the side (+1 left)."""
    rel = points[:, :2] - np.asarray(origin)[None]
    norm = np.maximum(np.hypot(rel[:, 0], rel[:, 1]), 1e-12)
    cos = (rel @ direction) / norm
    side = np.sign(direction[0] * rel[:, 1] - direction[1] * rel[:, 0])
    return np.degrees(np.arccos(np.clip(cos, -1, 1))), side


def layout_sets(
    flow: FlowField,
    candidates: np.ndarray,
    enterprises: dict[str, object],
    rules: LayoutRules,
    recharge_areas: dict[str, object] | None = None,
) -> dict[str, np.ndarray]:
    """{rule label: candidate indices}, e.g. ``"control:chem_plant"``; see the module docstring."""
    pts = np.asarray(candidates, float)
    points = shapely.points(pts[:, 0], pts[:, 1])
    sets = {}
    for name, footprint in enterprises.items():
        centre = footprint.centroid
        direction = flow_direction(flow, centre.x, centre.y, rules.direction_distance)
        distance = shapely.distance(footprint, points)
        angle, side = _angles(pts, (centre.x, centre.y), direction)
        if rules.control:
            lo, hi = rules.control_distance
            near = (distance >= lo) & (distance <= hi)
            sets[f"control:{name}"] = np.flatnonzero(near & (angle >= 180 - rules.max_angle))
        if rules.flanks:
            around = (distance > 0) & (distance <= rules.flank_radius)
            down = angle <= rules.max_angle
            flank = around & ~down & (angle < 180 - rules.max_angle)
            sets[f"downgradient:{name}"] = np.flatnonzero(around & down)
            sets[f"left:{name}"] = np.flatnonzero(flank & (side > 0))
            sets[f"right:{name}"] = np.flatnonzero(flank & (side < 0))
    if rules.early_warning:
        if not recharge_areas:
            raise MonitoringError(
                "the early_warning rule needs the recharge areas of the drinking-water sources"
            )
        for name, area in recharge_areas.items():
            sets[f"early_warning:{name}"] = np.flatnonzero(shapely.contains(area, points))
    return sets


def control_points(
    flow: FlowField, enterprises: dict[str, object], distance: float = 40.0, spread: float = 20.0
) -> np.ndarray:
    """Suggested control-well positions (3 per enterprise, m): ``distance`` beyond the footprint
    straight upgradient of its centroid, and ``spread`` degrees to either side."""
    out = []
    for footprint in enterprises.values():
        centre = footprint.centroid
        up = -flow_direction(flow, centre.x, centre.y)
        reach = np.sqrt(footprint.area) + footprint.length  # a ray long enough to leave it
        for turn in (0.0, spread, -spread):
            a = np.radians(turn)
            d = np.array(
                [up[0] * np.cos(a) - up[1] * np.sin(a), up[0] * np.sin(a) + up[1] * np.cos(a)]
            )
            ray = shapely.LineString(
                [(centre.x, centre.y), (centre.x + reach * d[0], centre.y + reach * d[1])]
            )
            inside = ray.intersection(footprint)
            exit_length = inside.length if not inside.is_empty else 0.0
            out.append(
                [
                    centre.x + (exit_length + distance) * d[0],
                    centre.y + (exit_length + distance) * d[1],
                ]
            )
    return np.array(out).reshape(-1, 2)


def well_purposes(
    network: np.ndarray,
    candidates: np.ndarray,
    sets: dict[str, np.ndarray],
    enterprises: dict[str, object] | None = None,
    recharge_areas: dict[str, object] | None = None,
    spread_radius: float = 500.0,
) -> list[str]:
    """Purpose of each well of ``network`` (candidate indices): "control" if it meets a control
    rule; "spread" within ``spread_radius`` m of an enterprise footprint; "early_warning" in a
    recharge area of a drinking-water source; "spread" otherwise."""
    control = {int(c) for k, s in sets.items() if k.startswith("control:") for c in s}
    footprints = list((enterprises or {}).values())
    areas = list((recharge_areas or {}).values())
    purposes = []
    for c in np.asarray(network, int):
        point = shapely.Point(candidates[c, 0], candidates[c, 1])
        if c in control:
            purposes.append("control")
        elif any(f.distance(point) <= spread_radius for f in footprints):
            purposes.append("spread")
        elif any(area.contains(point) for area in areas):
            purposes.append("early_warning")
        else:
            purposes.append("spread")
    return purposes


def sampling_frequency(purpose: str, high_risk: bool = False) -> tuple[int, str]:
    """(samples per year, reason) of a well of ``purpose`` (see :data:`SAMPLING`)."""
    if purpose not in PURPOSES:
        raise MonitoringError(f"purpose must be one of {PURPOSES}, not {purpose!r}")
    key = "spread_high_risk" if purpose == "spread" and high_risk else purpose
    return SAMPLING[key]
