"""Sub-cells: the s x s split of every grid cell on which capture zones are resolved (m).

Sub-cell edges are grid-local (x increasing, y from the top row down); polygons made from sub-cell
masks come back in model coordinates.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely import affinity

from gwsim.flowfield import FlowField


def subcell_edges(flow: FlowField, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Grid-local x edges (increasing) and y edges (from the top row down) of an s x s split, m."""

    def split(edges):
        frac = np.arange(s) / s
        inner = edges[:-1, None] + frac[None, :] * np.diff(edges)[:, None]
        return np.concatenate([inner.ravel(), edges[-1:]])

    return split(flow.grid.x_edges_local), split(flow.grid.y_edges_local)


def subcell_index(flow: FlowField, s: int, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the sub-cells holding model points (x, y); -1 outside."""
    return subcell_index_local(flow, s, *flow.grid.to_local(x, y))


def subcell_index_local(flow: FlowField, s: int, xl, yl) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the sub-cells holding grid-local points (xl, yl); -1 outside."""
    xe, ye = subcell_edges(flow, s)
    col = np.searchsorted(xe, xl, side="right") - 1
    row = np.searchsorted(-ye, -yl, side="right") - 1
    inside = (col >= 0) & (col < xe.size - 1) & (row >= 0) & (row < ye.size - 1)
    return np.where(inside, row, -1), np.where(inside, col, -1)


def mask_to_polygon(flow: FlowField, mask: np.ndarray, xe: np.ndarray, ye: np.ndarray):
    """Union of the sub-cells where ``mask`` is True, in model coordinates, lightly simplified."""
    boxes = []
    for r in np.flatnonzero(mask.any(axis=1)):
        run = np.diff(np.concatenate([[0], mask[r].astype(np.int8), [0]]))
        starts, stops = np.flatnonzero(run == 1), np.flatnonzero(run == -1)
        boxes.append(shapely.box(xe[starts], ye[r + 1], xe[stops], ye[r]))
    if not boxes:
        return shapely.Polygon()
    merged = shapely.union_all(np.concatenate(boxes))
    tolerance = 0.25 * min(np.diff(xe).min(), -np.diff(ye).max())
    merged = shapely.simplify(merged, tolerance, preserve_topology=True)
    a = np.deg2rad(flow.grid.angrot)
    return affinity.affine_transform(
        merged, [np.cos(a), -np.sin(a), np.sin(a), np.cos(a), flow.grid.xorigin, flow.grid.yorigin]
    )


def touched_edges(mask: np.ndarray) -> list[str]:
    """Model edges ("north", "south", "west", "east") a sub-cell mask reaches."""
    edges = {
        "north": mask[0].any(),
        "south": mask[-1].any(),
        "west": mask[:, 0].any(),
        "east": mask[:, -1].any(),
    }
    return [name for name, hit in edges.items() if hit]
