"""Candidate well positions: where a monitoring well could go, and the cells it samples (m).

A candidate is a point ``(x, y)`` or ``(x, y, z)`` in model coordinates. With ``z`` (elevation, m)
the well is screened in the one cell holding that point; without it the well samples its whole
column (a well screened through the saturated aquifer, or a multi-level sampler). Candidates in the
same cell (or column) sample the same water; :class:`Stations` keeps one station per distinct cell
or column so that detection is computed once for each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from gwsim.flowfield import FlowField
from gwsim.monitoring.errors import MonitoringError


def _listed(mask: np.ndarray, count: int = 8) -> str:
    idx = np.flatnonzero(mask)
    return ", ".join(str(i) for i in idx[:count]) + (", ..." if idx.size > count else "")


def checked_candidates(candidates) -> np.ndarray:
    """Candidates as an (m, 3) float array, z NaN where not given; raises on a bad shape."""
    pts = np.asarray(list(candidates) if not hasattr(candidates, "shape") else candidates, float)
    if pts.ndim == 1 and pts.size in (2, 3):
        pts = pts[None]
    if pts.ndim != 2 or pts.shape[1] not in (2, 3) or len(pts) == 0:
        raise MonitoringError(
            f"candidates must be an (m, 2) or (m, 3) array of x, y[, z] (m); got shape {pts.shape}"
        )
    if pts.shape[1] == 2:
        pts = np.column_stack([pts, np.full(len(pts), np.nan)])
    if not np.isfinite(pts[:, :2]).all():
        raise MonitoringError(
            f"candidates {_listed(~np.isfinite(pts[:, :2]).all(axis=1))} have NaN or infinite x, y"
        )
    return pts


@dataclass
class Stations:
    """Distinct sampled cells or columns of a set of candidates.

    Attributes
    ----------
    points : (m, 3) candidates (x, y, z; z NaN = whole column), model coordinates, m.
    cells : (k, 3) layer, row, col of each station (layer -1 = the whole column).
    of_candidate : (m,) station index of each candidate.
    member_node, member_station : pairs (node number, station index), sorted by node: the active
        cells each station samples.
    """

    points: np.ndarray
    cells: np.ndarray
    of_candidate: np.ndarray
    member_node: np.ndarray
    member_station: np.ndarray

    @property
    def n(self) -> int:
        return len(self.cells)

    def stations_of_nodes(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index into ``nodes``, station) for every station holding each node."""
        lo = np.searchsorted(self.member_node, nodes, side="left")
        hi = np.searchsorted(self.member_node, nodes, side="right")
        count = hi - lo
        which = np.repeat(np.arange(nodes.size), count)
        offset = np.arange(which.size) - np.repeat(np.cumsum(count) - count, count)
        return which, self.member_station[np.repeat(lo, count) + offset]


def resolve_stations(flow: FlowField, candidates, what: str = "candidates") -> Stations:
    """The stations of ``candidates`` in ``flow``; raises :class:`MonitoringError` for points
    outside the grid or in inactive or dry cells, naming them."""
    pts = checked_candidates(candidates)
    has_z = np.isfinite(pts[:, 2])
    lay, row, col = flow.grid.locate(pts[:, 0], pts[:, 1], np.where(has_z, pts[:, 2], 0.0))
    outside = (row < 0) | (has_z & (lay < 0))
    if outside.any():
        raise MonitoringError(
            f"{int(outside.sum())} {what} lie outside the model grid (horizontally, or z above the "
            f"top or below the bottom): indices {_listed(outside)}. Drop them or move them into "
            "the model area (gwsim.monitoring.candidate_lattice clips a lattice to the active area)"
        )
    wet = (flow.grid.idomain > 0) & (flow.saturation.max(axis=0) > 0)
    lay = np.where(has_z, lay, -1)
    dead = np.where(has_z, ~wet[np.maximum(lay, 0), row, col], ~wet[:, row, col].any(axis=0))
    if dead.any():
        raise MonitoringError(
            f"{int(dead.sum())} {what} lie in inactive or dry cells (or columns without a wet "
            f"active cell): indices {_listed(dead)}. Drop them, or give z within the saturated "
            "aquifer"
        )
    cells, of_candidate = np.unique(np.column_stack([lay, row, col]), axis=0, return_inverse=True)
    nodes, owners = [], []
    for k, (layer, r, c) in enumerate(cells):
        layers = [layer] if layer >= 0 else np.flatnonzero(wet[:, r, c])
        nodes += [np.ravel_multi_index((int(k_), r, c), flow.shape) for k_ in layers]
        owners += [k] * len(layers)
    order = np.argsort(nodes, kind="stable")
    return Stations(
        points=pts,
        cells=cells,
        of_candidate=of_candidate.ravel(),
        member_node=np.asarray(nodes, np.int64)[order],
        member_station=np.asarray(owners, np.int64)[order],
    )


def cell_stations(flow: FlowField, nodes: np.ndarray) -> Stations:
    """One station per cell of ``nodes`` (node numbers), e.g. the cells of a receptor."""
    nodes = np.unique(np.asarray(nodes, np.int64))
    lay, row, col = np.unravel_index(nodes, flow.shape)
    x, y = flow.grid.xcenters[row, col], flow.grid.ycenters[row, col]
    z = flow.grid.botm[lay, row, col] + 0.5 * flow.grid.thickness[lay, row, col]
    return Stations(
        points=np.column_stack([x, y, z]),
        cells=np.column_stack([lay, row, col]),
        of_candidate=np.arange(nodes.size),
        member_node=nodes,
        member_station=np.arange(nodes.size),
    )


def candidate_lattice(
    flow: FlowField, spacing: float, area=None, z: float | None = None
) -> np.ndarray:
    """Candidate points on a square lattice (m), clipped to ``area`` and to the active, wet model.

    Parameters
    ----------
    flow : the flow field.
    spacing : lattice spacing, m (aligned with the grid's rotation, from its lower-left corner).
    area : shapely polygon (model coordinates) to clip to; default the whole grid.
    z : screen elevation, m; None gives (m, 2) points (wells sampling the whole column).

    Returns
    -------
    (m, 2) or (m, 3) array of x, y[, z].
    """
    if not spacing > 0:
        raise MonitoringError(f"lattice spacing must be > 0 m, not {spacing!r}")
    width, height = flow.grid.extent_local
    xl, yl = np.meshgrid(
        np.arange(spacing / 2, width, spacing), np.arange(spacing / 2, height, spacing)
    )
    x, y = flow.grid.to_model(xl.ravel(), yl.ravel())
    keep = np.ones(x.size, bool)
    if area is not None:
        keep &= shapely.contains_xy(area, x, y)
    lay, row, col = flow.grid.locate(x, y, None if z is None else np.full(x.size, float(z)))
    wet = (flow.grid.idomain > 0) & (flow.saturation.max(axis=0) > 0)
    inside = row >= 0
    if z is None:
        ok = np.zeros(x.size, bool)
        ok[inside] = wet[:, row[inside], col[inside]].any(axis=0)
    else:
        ok = inside & (lay >= 0)
        ok[ok] = wet[lay[ok], row[ok], col[ok]]
    keep &= ok
    pts = np.column_stack([x[keep], y[keep]])
    return pts if z is None else np.column_stack([pts, np.full(len(pts), float(z))])
