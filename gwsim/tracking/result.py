"""What :func:`gwsim.track` returns: end points (:class:`TrackResult`) and :class:`Pathlines`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

from gwsim.tracking.status import Status


class Pathlines:
    """Paths of all particles as one contiguous ragged array (m, d).

    Particle ``p``'s points are ``x[offsets[p]:offsets[p + 1]]`` (and so on): its start, every
    cell-face crossing and the end of every time step it moves through, then its end point.
    ``x, y`` in model coordinates, ``z`` elevation, ``t`` tracking time, ``cell`` 0-based node.

    :func:`gwsim.track` builds it with :meth:`from_local`: ``x, y`` are turned from grid-local
    into model coordinates on first use only (about 0.1 s CPU per million points; the recharge
    area of a capture zone reads the cells of 4.4 million points per Chajia realization).
    """

    def __init__(self, offsets, x, y, z, t, cell) -> None:
        self.offsets, self.z, self.t, self.cell = offsets, z, t, cell
        self._x, self._y = x, y
        self._local = None

    @classmethod
    def from_local(cls, offsets, xl, yl, z, t, cell, to_model: Callable) -> Pathlines:
        """Pathlines from grid-local ``xl, yl`` (m); ``to_model(xl, yl)`` gives ``x, y``."""
        paths = cls(offsets, None, None, z, t, cell)
        paths._local = (xl, yl, to_model)
        return paths

    def _model_xy(self) -> None:
        if self._x is None:
            xl, yl, to_model = self._local
            self._x, self._y = to_model(xl, yl)

    @property
    def x(self) -> np.ndarray:
        """Model x of every point (m)."""
        self._model_xy()
        return self._x

    @property
    def y(self) -> np.ndarray:
        """Model y of every point (m)."""
        self._model_xy()
        return self._y

    def local_xy(self) -> tuple[np.ndarray, np.ndarray]:
        """Grid-local x, y of every point (m from the grid's lower-left corner, along it)."""
        if self._local is None:
            raise AttributeError("pathlines built from model x, y have no grid-local ones")
        return self._local[0], self._local[1]

    def __len__(self) -> int:
        return self.offsets.size - 1

    def __getitem__(self, p: int) -> dict[str, np.ndarray]:
        """The points of particle ``p``: a dict of arrays ``x, y, z, t, cell``."""
        s = slice(self.offsets[p], self.offsets[p + 1])
        return {k: getattr(self, k)[s] for k in ("x", "y", "z", "t", "cell")}


@dataclass
class TrackResult:
    """End points of tracked particles (m, d); pathlines when asked for.

    Attributes
    ----------
    x, y : end points in model coordinates (m); z : end elevation (m).
    t : travel time (d), always >= 0 (backward tracking counts back from the release time).
    cell : 0-based node number ``(layer * nrow + row) * ncol + col`` of the end cell.
    status : why each particle stopped, codes of :class:`gwsim.tracking.Status`.
    start : (n, 3) start points as given; release_time : (n,) simulation time of release (d).
    direction : "forward" or "backward"; shape : (nlay, nrow, ncol) of the grid.
    pathlines : :class:`Pathlines` or None.
    """

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    t: np.ndarray
    cell: np.ndarray
    status: np.ndarray
    start: np.ndarray
    release_time: np.ndarray
    direction: str
    shape: tuple[int, int, int]
    pathlines: Pathlines | None = None
    flow_attrs: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.x.size

    @property
    def layer(self) -> np.ndarray:
        """0-based layer of the end cell."""
        return np.unravel_index(self.cell, self.shape)[0]

    @property
    def row(self) -> np.ndarray:
        """0-based row of the end cell."""
        return np.unravel_index(self.cell, self.shape)[1]

    @property
    def col(self) -> np.ndarray:
        """0-based column of the end cell."""
        return np.unravel_index(self.cell, self.shape)[2]

    @property
    def status_name(self) -> np.ndarray:
        """Status names (e.g. ``"SINK"``) of each particle."""
        names = np.array([""] + [s.name for s in Status])
        return names[self.status]

    def to_dataframe(self):
        """One row per particle: start, end, travel time (d), end cell and status."""
        import pandas as pd

        return pd.DataFrame(
            {
                "x0": self.start[:, 0],
                "y0": self.start[:, 1],
                "z0": self.start[:, 2],
                "release_time": self.release_time,
                "x": self.x,
                "y": self.y,
                "z": self.z,
                "t": self.t,
                "cell": self.cell,
                "layer": self.layer,
                "row": self.row,
                "col": self.col,
                "status": self.status,
                "status_name": self.status_name,
            }
        )

    def to_xarray(self) -> xr.Dataset:
        """End points on a ``particle`` dimension; pathlines (if any) as a CF contiguous ragged
        array on an ``obs`` dimension (``path_count`` gives each particle's number of points)."""
        from gwsim.provenance import provenance_attrs

        m = {"units": "m"}
        data = {
            "x0": ("particle", self.start[:, 0], m),
            "y0": ("particle", self.start[:, 1], m),
            "z0": ("particle", self.start[:, 2], m),
            "release_time": ("particle", self.release_time, {"units": "d"}),
            "x": ("particle", self.x, m),
            "y": ("particle", self.y, m),
            "z": ("particle", self.z, m),
            "t": ("particle", self.t, {"units": "d", "long_name": "travel time"}),
            "cell": ("particle", self.cell, {"long_name": "0-based node number of the end cell"}),
            "status": (
                "particle",
                self.status,
                {
                    "flag_values": np.array([s.value for s in Status], np.int8),
                    "flag_meanings": " ".join(s.name.lower() for s in Status),
                },
            ),
        }
        if self.pathlines is not None:
            pl = self.pathlines
            data["path_count"] = ("particle", np.diff(pl.offsets), {"sample_dimension": "obs"})
            data["path_x"] = ("obs", pl.x, m)
            data["path_y"] = ("obs", pl.y, m)
            data["path_z"] = ("obs", pl.z, m)
            data["path_t"] = ("obs", pl.t, {"units": "d"})
            data["path_cell"] = ("obs", pl.cell)
        import xarray as xr  # loaded when exporting only

        ds = xr.Dataset(data, coords={"particle": np.arange(len(self))})
        ds.attrs.update(provenance_attrs())
        ds.attrs.update({f"flow_{k}": v for k, v in self.flow_attrs.items()})
        ds.attrs["direction"] = self.direction
        ds.attrs["featureType"] = "trajectory"
        return ds
