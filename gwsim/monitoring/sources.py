"""Leak sources and receptors as the monitoring analyses see them: start points and cell sets (m).

A leak (:class:`gwsim.Source`) starts where it enters the saturated aquifer: at its ``z``, or, when
``z`` is None, at mid saturated depth of the uppermost wet cell of its column (where seepage from a
surface facility reaches the water table, as :func:`gwsim.risk.leak_sources` places leaks). A
receptor is what a plume must not reach before it is detected: a supply well (its pumping cells)
or an area such as a source's class-2 protection zone (every active cell under it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from gwsim.flowfield import FlowField
from gwsim.monitoring.errors import MonitoringError
from gwsim.solute import Source
from gwsim.wells import resolve_wells


def source_points(flow: FlowField, sources: Sequence[Source]) -> np.ndarray:
    """(n, 3) start points of the leaks (x, y, elevation; m); raises for leaks outside the grid or
    over no wet active cell."""
    if len(sources) == 0:
        raise MonitoringError("no sources given: pass gwsim.Source leak locations")
    pts = np.empty((len(sources), 3))
    wet = (flow.grid.idomain > 0) & (flow.saturation[0] > 0)
    for i, src in enumerate(sources):
        if not isinstance(src, Source):
            raise MonitoringError(f"sources[{i}] is a {type(src).__name__}: give gwsim.Source")
        lay, row, col = flow.grid.locate(src.x, src.y, src.z)
        r, c = int(row[0]), int(col[0])
        if r < 0 or (src.z is not None and lay[0] < 0):
            raise MonitoringError(
                f"sources[{i}] at ({src.x:.1f}, {src.y:.1f}) is outside the model grid: move it "
                "into the model area or drop it"
            )
        if src.z is not None:
            if not wet[lay[0], r, c]:
                raise MonitoringError(
                    f"sources[{i}] at z = {src.z:.2f} m is in an inactive or dry cell: give z "
                    "within the saturated aquifer, or None for the water table"
                )
            pts[i] = (src.x, src.y, src.z)
            continue
        if not wet[:, r, c].any():
            raise MonitoringError(
                f"sources[{i}] at ({src.x:.1f}, {src.y:.1f}) lies over no wet active cell: move "
                "it over the aquifer"
            )
        k = int(np.argmax(wet[:, r, c]))
        z = flow.grid.botm[k, r, c] + 0.5 * flow.saturated_thickness[0, k, r, c]
        pts[i] = (src.x, src.y, z)
    return pts


def receptor_nodes(flow: FlowField, receptors: Sequence) -> np.ndarray:
    """Node numbers of the cells of ``receptors``: well names or (x, y) of pumping wells (their
    pumping cells), or shapely polygons (every active cell of the columns under them)."""
    nodes = []
    for i, receptor in enumerate(receptors):
        if hasattr(receptor, "geom_type"):
            inside = shapely.contains_xy(receptor, flow.grid.xcenters, flow.grid.ycenters)
            if not inside.any():
                point = receptor.representative_point()
                _, row, col = flow.grid.locate(point.x, point.y)
                if row[0] < 0:
                    raise MonitoringError(
                        f"receptors[{i}] lies outside the model grid: drop it or enlarge the model"
                    )
                inside[row[0], col[0]] = True
            cells = np.argwhere(inside[None] & (flow.grid.idomain > 0))
        else:
            cells = resolve_wells(flow, [receptor])[0].cells
        nodes.append(np.ravel_multi_index(tuple(np.asarray(cells).T), flow.shape))
    return np.unique(np.concatenate(nodes)) if nodes else np.empty(0, np.int64)


def mass_rates(sources: Sequence[Source]) -> np.ndarray:
    """(n,) leak mass rates, g/d; raises when a source has none (a detection limit needs them)."""
    missing = [i for i, s in enumerate(sources) if s.mass_rate is None or not s.mass_rate > 0]
    if missing:
        raise MonitoringError(
            f"sources {missing[:8]} have no positive mass_rate: a detection limit in mg/L needs "
            "each leak's mass rate in g/d (seepage m³/d × concentration mg/L), or leave "
            "detection_limit=None to detect by the share of particles (min_share)"
        )
    return np.array([float(s.mass_rate) for s in sources])
