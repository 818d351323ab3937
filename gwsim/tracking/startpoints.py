"""Start points for :func:`gwsim.track`: lattices in cells, points on cell faces, rings at wells.

Every helper returns an (n, 3) array of x, y (model coordinates) and z (elevation), m. Cells are
given as (layer, row, col) tuples (0-based); vertical positions span the saturated thickness of
convertible cells at time step ``step``. Faces are numbered as in MODPATH 7: 1 west, 2 east,
3 south, 4 north, 5 bottom, 6 top.
"""

from __future__ import annotations

import numpy as np

from gwsim.flowfield import FlowField
from gwsim.tracking.arrays import local_z_span


def _cell_boxes(flow: FlowField, cells, step: int) -> np.ndarray:
    """(m, 6) west, south, bottom edges and widths (x, y, saturated z) of cells, grid-local m."""
    lay, row, col = np.asarray(cells, int).reshape(-1, 3).T
    node = np.ravel_multi_index((lay, row, col), flow.shape)
    x_west = flow.grid.x_edges_local[:-1][col]
    y_south = flow.grid.y_edges_local[1:][row]
    bottom = flow.grid.botm.ravel()[node]
    return np.column_stack(
        [
            x_west,
            y_south,
            bottom,
            flow.grid.delr[col],
            flow.grid.delc[row],
            local_z_span(flow, step)[node],
        ]
    )


def _to_model(flow: FlowField, local: np.ndarray) -> np.ndarray:
    x, y = flow.grid.to_model(local[:, 0], local[:, 1])
    return np.column_stack([x, y, local[:, 2]])


def cell_lattice_points(flow: FlowField, cells, n=(2, 2, 2), step: int = 0) -> np.ndarray:
    """``nx * ny * nz`` points per cell at the centres of a regular ``n = (nx, ny, nz)`` split.

    Points of one cell are consecutive, x fastest, then y, then z.
    """
    nx, ny, nz = n
    gz, gy, gx = np.meshgrid(*((np.arange(k) + 0.5) / k for k in (nz, ny, nx)), indexing="ij")
    frac = np.column_stack([gx.ravel(), gy.ravel(), gz.ravel()])  # (nx*ny*nz, 3)
    box = _cell_boxes(flow, cells, step)
    local = box[:, None, :3] + frac[None] * box[:, None, 3:]
    return _to_model(flow, local.reshape(-1, 3))


def cell_face_points(
    flow: FlowField, cells, faces=(1, 2, 3, 4, 5, 6), n: int = 2, step: int = 0
) -> np.ndarray:
    """``n x n`` points on each listed face of each cell (centres of an even split of the face).

    This is how MODPATH 7 places particles on the faces of a well cell for backward tracking.
    """
    g = (np.arange(n) + 0.5) / n
    a, b = (u.ravel() for u in np.meshgrid(g, g, indexing="ij"))
    box = _cell_boxes(flow, cells, step)
    parts = []
    for face in faces:
        if face not in (1, 2, 3, 4, 5, 6):
            raise ValueError(
                f"faces are numbered 1 to 6 (west, east, south, north, bottom, top), not {face}"
            )
        axis, side = (face - 1) // 2, float((face - 1) % 2)
        frac = np.empty((a.size, 3))
        frac[:, axis] = side
        frac[:, [i for i in range(3) if i != axis]] = np.column_stack([a, b])
        parts.append(box[:, None, :3] + frac[None] * box[:, None, 3:])
    return _to_model(flow, np.concatenate(parts, axis=1).reshape(-1, 3))


def well_screen_points(
    flow: FlowField, screen, radius: float, n_around: int = 12, n_vertical: int = 5
) -> np.ndarray:
    """Points on a cylinder around a well screen, for backward tracking from a well.

    Parameters
    ----------
    screen : (x, y, z_bottom, z_top) of the screen (model coordinates, elevations; m).
    radius : cylinder radius (m), e.g. the well radius or a fraction of the cell width.
    n_around : points on each ring (evenly spaced in angle, the first toward +x of the grid).
    n_vertical : rings, evenly spaced from the bottom to the top of the screen (inclusive).
    """
    x, y, z_bottom, z_top = screen
    xl, yl = flow.grid.to_local(x, y)
    angle = 2.0 * np.pi * np.arange(n_around) / n_around
    zs = np.linspace(z_bottom, z_top, n_vertical) if n_vertical > 1 else np.array([z_bottom])
    ring = np.column_stack([xl + radius * np.cos(angle), yl + radius * np.sin(angle)])
    local = np.column_stack([np.tile(ring, (zs.size, 1)), np.repeat(zs, n_around)])
    return _to_model(flow, local)
