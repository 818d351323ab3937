"""Geometry of a structured (MODFLOW DIS) grid: the one place gwsim computes where cells are.

A :class:`StructuredGrid` holds full arrays (column widths ``delr``, row widths ``delc``, the top of
layer 0, layer bottoms, ``idomain``) and the grid's placement (lower-left corner ``xorigin``,
``yorigin`` and rotation ``angrot`` in degrees counter-clockwise, as flopy's modelgrid), in metres.
Everything else derives from them: cell tops, edges, centres, rotation between model and grid-local
coordinates, and vectorised point location.

Conventions (MODFLOW's): row 0 is the northern (top) row, layer 0 the uppermost; grid-local
coordinates are metres from the lower-left corner along the rows (x) and columns (y).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

DRY_VALUE_LIMIT = (
    1e29  # MODFLOW writes ±1e30 for inactive and dry cells in head/concentration files
)


def mask_dry(values: np.ndarray) -> np.ndarray:
    """``values`` with MODFLOW's inactive/dry markers (|v| > 1e29) replaced by NaN (in place)."""
    values[np.abs(values) > DRY_VALUE_LIMIT] = np.nan
    return values


def stacked_tops(top: np.ndarray, botm: np.ndarray) -> np.ndarray:
    """(nlay, nrow, ncol) top elevation of every cell from the model top and the layer bottoms."""
    return np.concatenate([np.asarray(top, float)[None], np.asarray(botm, float)[:-1]], axis=0)


@dataclass(frozen=True, eq=False)
class StructuredGrid:
    """Geometry of a structured grid (m). Build it from full arrays; it never changes."""

    delr: np.ndarray  # (ncol,) column widths along x, m
    delc: np.ndarray  # (nrow,) row widths along y, m
    top: np.ndarray  # (nrow, ncol) top of layer 0, m
    botm: np.ndarray  # (nlay, nrow, ncol) layer bottoms, m
    idomain: np.ndarray  # (nlay, nrow, ncol) >0 active, 0 inactive, <0 vertical pass-through
    xorigin: float = 0.0  # x of the lower-left corner in the CRS, m
    yorigin: float = 0.0  # y of the lower-left corner in the CRS, m
    angrot: float = 0.0  # rotation, degrees counter-clockwise
    crs: str | None = None  # e.g. "EPSG:4548"

    # ------------------------------------------------------------------ shape
    @property
    def shape(self) -> tuple[int, int, int]:
        """(nlay, nrow, ncol)."""
        return self.botm.shape

    @property
    def nlay(self) -> int:
        return self.botm.shape[0]

    @property
    def nrow(self) -> int:
        return self.botm.shape[1]

    @property
    def ncol(self) -> int:
        return self.botm.shape[2]

    @property
    def active(self) -> np.ndarray:
        """(nlay, nrow, ncol) True where idomain > 0."""
        return self.idomain > 0

    # ------------------------------------------------------------------ vertical
    @cached_property
    def cell_top(self) -> np.ndarray:
        """(nlay, nrow, ncol) top elevation of every cell, m."""
        return stacked_tops(self.top, self.botm)

    @cached_property
    def thickness(self) -> np.ndarray:
        """(nlay, nrow, ncol) cell thickness top − bottom, m."""
        return self.cell_top - self.botm

    @cached_property
    def cell_area(self) -> np.ndarray:
        """(nrow, ncol) plan area of every cell, m²."""
        return np.outer(self.delc, self.delr)

    # ------------------------------------------------------------------ horizontal
    @cached_property
    def x_edges_local(self) -> np.ndarray:
        """(ncol+1,) column edges, m from the grid's left edge (increasing)."""
        return np.concatenate([[0.0], np.cumsum(self.delr)])

    @cached_property
    def y_edges_local(self) -> np.ndarray:
        """(nrow+1,) row edges, m from the grid's bottom edge (row 0 first, so decreasing)."""
        return np.concatenate([[0.0], np.cumsum(self.delc)])[::-1].copy()

    @property
    def extent_local(self) -> tuple[float, float]:
        """(width along rows, height along columns) of the grid, m."""
        return float(self.x_edges_local[-1]), float(self.y_edges_local[0])

    def to_model(self, xl, yl) -> tuple[np.ndarray, np.ndarray]:
        """Grid-local coordinates (m from the lower-left corner) to model coordinates."""
        a = np.deg2rad(self.angrot)
        xl, yl = np.asarray(xl, float), np.asarray(yl, float)
        return (
            self.xorigin + xl * np.cos(a) - yl * np.sin(a),
            self.yorigin + xl * np.sin(a) + yl * np.cos(a),
        )

    def to_local(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Model coordinates to grid-local ones (m from the lower-left corner, along the grid)."""
        a = np.deg2rad(self.angrot)
        dx, dy = np.asarray(x, float) - self.xorigin, np.asarray(y, float) - self.yorigin
        return dx * np.cos(a) + dy * np.sin(a), -dx * np.sin(a) + dy * np.cos(a)

    @cached_property
    def _centres(self) -> tuple[np.ndarray, np.ndarray]:
        xe, ye = self.x_edges_local, self.y_edges_local
        xc, yc = np.meshgrid(0.5 * (xe[1:] + xe[:-1]), 0.5 * (ye[1:] + ye[:-1]))
        return self.to_model(xc, yc)

    @property
    def xcenters(self) -> np.ndarray:
        """(nrow, ncol) model x of cell centres, m."""
        return self._centres[0]

    @property
    def ycenters(self) -> np.ndarray:
        """(nrow, ncol) model y of cell centres, m."""
        return self._centres[1]

    def corners(self) -> tuple[np.ndarray, np.ndarray]:
        """(nrow+1, ncol+1) model x and y of the cell corners, m (row 0 = northern edge)."""
        xe, ye = np.meshgrid(self.x_edges_local, self.y_edges_local)
        return self.to_model(xe, ye)

    # ------------------------------------------------------------------ location
    def locate_local(self, xl, yl) -> tuple[np.ndarray, np.ndarray]:
        """Row and column (0-based) of grid-local points; -1 where outside the grid.

        Points on an interior edge belong to the cell of higher column / lower row index; points on
        the outer edges belong to the edge cells.
        """
        xl, yl = np.atleast_1d(np.asarray(xl, float)), np.atleast_1d(np.asarray(yl, float))
        xe = self.x_edges_local
        ye = np.concatenate([[0.0], np.cumsum(self.delc)])  # from the northern edge
        yfrom_top = ye[-1] - yl
        col = np.searchsorted(xe, xl, side="right") - 1
        row = np.searchsorted(ye, yfrom_top, side="right") - 1
        col = np.where(xl == xe[-1], self.ncol - 1, col)
        row = np.where(yfrom_top == ye[-1], self.nrow - 1, row)
        inside = (col >= 0) & (col < self.ncol) & (row >= 0) & (row < self.nrow)
        return np.where(inside, row, -1), np.where(inside, col, -1)

    def locate(self, x, y, z=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Layer, row and column (0-based) of the cells containing model points; -1 where outside.

        ``z`` (elevation, m) picks the layer; without it the layer is -1. Vectorised: memory grows
        with the number of points times the number of layers, never with the grid's size.
        """
        row, col = self.locate_local(*self.to_local(np.atleast_1d(x), np.atleast_1d(y)))
        lay = np.full(col.shape, -1)
        if z is not None:
            inside = col >= 0
            z = np.broadcast_to(np.asarray(z, float), col.shape)
            r, c = row[inside], col[inside]
            tops, bots = self.cell_top[:, r, c], self.botm[:, r, c]  # (nlay, m)
            within = (z[inside] <= tops) & (z[inside] >= bots)
            lay[inside] = np.where(within.any(axis=0), within.argmax(axis=0), -1)
        return lay, row, col

    # ------------------------------------------------------------------ export
    def coords(self) -> dict:
        """xarray coordinates for (layer, y, x) of the cell centres (model CRS, m).

        Unrotated grids get 1-D ``x``/``y``; rotated grids 2-D ``xc``/``yc`` on (y, x).
        """
        return {
            "layer": ("layer", np.arange(self.nlay)),
            **xy_coords(self.xcenters, self.ycenters, rotated=self.angrot != 0),
        }

    def crs_wkt(self) -> str:
        """WKT of the grid's CRS ('' when unknown)."""
        return crs_wkt(self.crs)


def xy_coords(x: np.ndarray, y: np.ndarray, rotated: bool) -> dict:
    """xarray coordinates of (rows, cols) point centres x, y (model CRS, m): 1-D ``x``/``y`` on an
    unrotated grid, 2-D ``xc``/``yc`` on (y, x) on a rotated one."""
    xattrs = {"units": "m", "standard_name": "projection_x_coordinate"}
    yattrs = {"units": "m", "standard_name": "projection_y_coordinate"}
    if not rotated:
        return {"x": ("x", x[0], xattrs), "y": ("y", y[:, 0], yattrs)}
    return {"xc": (("y", "x"), x, xattrs), "yc": (("y", "x"), y, yattrs)}


def crs_wkt(crs: str | None) -> str:
    """WKT of a CRS string such as ``"EPSG:4548"`` ('' when unknown)."""
    if not crs:
        return ""
    import pyproj

    return pyproj.CRS.from_user_input(crs).to_wkt()
