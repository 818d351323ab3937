"""The flow field of a MODFLOW 6 groundwater-flow (GWF) model on a structured (DIS) grid.

:class:`FlowField` is what every analysis in gwsim works on (particle tracking, capture zones,
transport set-up): plain numpy arrays of heads, cell-face flows and per-package sources and sinks for
every saved time step, read from the binary grid (``.dis.grb``), head and budget files that MODFLOW 6
writes. It works for any GWF model on a DIS grid, steady or transient, whether gwsim built it or not.

Conventions (those of MODFLOW and MODPATH):

* arrays are indexed ``[time step, layer, row, column]``; row 0 is the northern (top) row, layer 0
  the uppermost layer;
* ``flow_right_face[t, k, i, j]`` is the flow (m³/d) from cell (k, i, j) to (k, i, j+1), positive
  in the +column direction; ``flow_front_face`` to (k, i+1, j) (+row, i.e. southward);
  ``flow_lower_face`` to the next active cell below (+layer, downward); the last column/row/layer
  holds 0;
* ``sources[name]`` is the net flow (m³/d) from package ``name`` *into* each cell (negative where the
  package removes water: pumping wells, drains, gaining rivers); storage terms are sources too,
  positive where water is released from storage;
* ``boundary_cells[name]`` lists every cell package ``name`` applies to (also where it moves no
  water), so maps can draw rivers, drains and wells; ``boundary_levels[name]`` the river stage,
  drain or general-head elevation of those cells at each saved step;
* ``k``, ``k22``, ``k33`` (m/d) and ``angle1`` (deg) are the NPF input of the model, as MODFLOW 6
  reads it; ``None`` when the model's NPF input could not be read. :meth:`FlowField.from_mf6`
  parses them when first used (tracking never needs them; parsing is most of a large model's
  reading time).

Cell balance: inflow from neighbours through faces + sum of ``sources`` = 0 (to solver accuracy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

from gwsim.errors import FlowFieldError
from gwsim.grid import StructuredGrid
from gwsim.writers import atomic_path


class ReadOnFirstUse:
    """A :class:`FlowField` field that may be given as a reader: a callable returning
    ``{field name: value}``, called on the field's first use; its value then replaces it."""

    def __set_name__(self, owner, name: str):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return None  # the dataclass default
        value = obj.__dict__[self.name]
        if callable(value):
            value = obj.__dict__[self.name] = value()[self.name]
        return value

    def __set__(self, obj, value):
        obj.__dict__[self.name] = value


@dataclass
class FlowField:
    """Heads, face flows and sources/sinks of a structured MODFLOW 6 flow model (m, d, m³/d).

    Build it with :meth:`FlowField.from_mf6`; the attributes are plain numpy arrays. Change the
    porosity with :meth:`with_porosity` (a new flow field sharing the other arrays).
    """

    grid: StructuredGrid  # geometry: widths, elevations, idomain, placement, CRS
    icelltype: np.ndarray  # (nlay, nrow, ncol) 0 confined, >0 convertible
    porosity: np.ndarray  # (nlay, nrow, ncol) effective porosity, -
    times: np.ndarray  # (nt,) simulation time at the end of each saved step, d
    kstpkper: np.ndarray  # (nt, 2) 0-based time step and stress period
    head: np.ndarray  # (nt, nlay, nrow, ncol) m; NaN where inactive or dry
    saturation: np.ndarray  # (nt, nlay, nrow, ncol) saturated fraction of each cell, 0..1
    flow_right_face: np.ndarray  # (nt, nlay, nrow, ncol) m³/d
    flow_front_face: np.ndarray  # (nt, nlay, nrow, ncol) m³/d
    flow_lower_face: np.ndarray  # (nt, nlay, nrow, ncol) m³/d
    sources: dict[str, np.ndarray]  # name -> (nt, nlay, nrow, ncol) m³/d into the cell
    source_types: dict[str, str]  # name -> budget type ("WEL", "RIV", "RCH", "STO-SS", ...)
    percent_discrepancy: float | None = None  # largest |budget discrepancy| in the listing, %
    attrs: dict[str, str] = field(default_factory=dict)  # provenance of the source model
    saturation_saved: bool = False  # the budget file holds DATA-SAT (MF6 GWT/PRT FMI need it)
    model_name: str | None = None  # GWF model name in the source simulation
    files: dict[str, Path] = field(default_factory=dict)  # "grb", "head", "budget", "listing"
    k: np.ndarray | None = ReadOnFirstUse()  # (nlay, nrow, ncol) K along rows, m/d
    k22: np.ndarray | None = ReadOnFirstUse()  # (nlay, nrow, ncol) K across rows, m/d
    k33: np.ndarray | None = ReadOnFirstUse()  # (nlay, nrow, ncol) vertical K, m/d
    angle1: np.ndarray | None = ReadOnFirstUse()  # (nlay, nrow, ncol) K's main axis, deg
    boundary_cells: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (m, 3) cells
    boundary_levels: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (nt, m) m
    # arrays that analyses derive once per flow field (e.g. tracking velocities); not copied by
    # dataclasses.replace. Derived arrays assume the flow arrays are not modified in place.
    derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_mf6(
        cls,
        sim_ws: str | Path,
        model: str | None = None,
        porosity: float | np.ndarray = 0.25,
        crs: str | None = None,
        conductivity: Mapping[str, np.ndarray] | None = None,
    ) -> FlowField:
        """Read a MODFLOW 6 GWF model's grid, heads, budget and NPF input from its simulation folder.

        Parameters
        ----------
        sim_ws : folder with ``mfsim.nam`` and the model's ``.dis.grb``, head and budget files.
        model : GWF model name; ``None`` takes the only GWF model in the simulation.
        porosity : effective porosity (-), a scalar or an array shaped (nlay, nrow, ncol).
        crs : coordinate reference system of the grid (e.g. ``"EPSG:4548"``); by default the one
            recorded in the binary grid file, if any.
        conductivity : ``k`` (and ``k22``, ``k33``, m/d; ``angle1``, deg) as written to the
            model's NPF input, to skip reading it back (an engine passes what it wrote).
        """
        from gwsim.engines.mf6_output import read_gwf_output  # numpy readers, loaded when used

        fields = read_gwf_output(Path(sim_ws), model, crs, conductivity)
        return cls(porosity=porosity, **fields)

    def __post_init__(self):
        self.porosity = checked_porosity(self.porosity, self.shape)

    def __getstate__(self) -> dict:
        """Pickled (e.g. for a dask worker) with every field read, so the copy needs no files."""
        for name in ("k", "k22", "k33", "angle1"):
            getattr(self, name)
        return self.__dict__

    def with_porosity(self, porosity: float | np.ndarray) -> FlowField:
        """This flow field with another effective porosity (-), checked once; arrays are shared."""
        return replace(self, porosity=porosity)

    # ------------------------------------------------------------------ grid geometry
    @property
    def shape(self) -> tuple[int, int, int]:
        """(nlay, nrow, ncol)."""
        return self.grid.shape

    @property
    def ntimes(self) -> int:
        return len(self.times)

    @property
    def saturated_thickness(self) -> np.ndarray:
        """(nt, nlay, nrow, ncol) saturated thickness of each cell, m (0 where dry or inactive)."""
        return self.saturation * self.grid.thickness[None]

    @property
    def step_start_times(self) -> np.ndarray:
        """(nt,) simulation time at the start of each saved step, d."""
        return np.concatenate([[0.0], self.times[:-1]])

    @property
    def steady(self) -> bool:
        """True when no saved step exchanges water with storage (a steady-state field)."""
        storage = [v for k, v in self.sources.items() if self.source_types[k].startswith("STO")]
        return all(not np.any(v) for v in storage)

    # ------------------------------------------------------------------ budget views
    def net_face_inflow(self, t: int) -> np.ndarray:
        """(nlay, nrow, ncol) net inflow (m³/d) into each cell through its six faces at step ``t``."""
        inflow = -self.flow_right_face[t] - self.flow_front_face[t] - self.flow_lower_face[t]
        inflow[:, :, 1:] += self.flow_right_face[t][:, :, :-1]
        inflow[:, 1:, :] += self.flow_front_face[t][:, :-1, :]
        inflow[1:, :, :] += self.flow_lower_face[t][:-1, :, :]
        return inflow

    def budget(self, t: int = -1) -> dict[str, tuple[float, float]]:
        """Model-wide (inflow, outflow) in m³/d per source/sink package at step ``t``."""
        return {
            name: (float(q[t][q[t] > 0].sum()), 0.0 - float(q[t][q[t] < 0].sum()))
            for name, q in self.sources.items()
        }

    # ------------------------------------------------------------------ export
    def to_xarray(self, include_flows: bool = False) -> xr.Dataset:
        """Heads (and optionally face flows) as a CF-style :class:`xarray.Dataset`.

        Dimensions ``(time, layer, y, x)`` with cell-centre coordinates in the model CRS (m); the
        CRS is a ``spatial_ref`` variable carrying ``crs_wkt``; provenance in the global attributes.
        """
        return flowfield_dataset(self, include_flows)

    def to_netcdf(self, path: str | Path, include_flows: bool = False) -> Path:
        """Write :meth:`to_xarray` to ``path`` atomically (temporary file, then rename)."""
        path = Path(path)
        ds = self.to_xarray(include_flows)
        with atomic_path(path) as tmp:
            ds.to_netcdf(tmp, engine="netcdf4")
        return path


def checked_porosity(porosity, shape) -> np.ndarray:
    """Porosity broadcast to the grid's shape; raises if any value is not in (0, 1]."""
    por = np.asarray(porosity, dtype=float)
    try:
        por = np.broadcast_to(por, shape).astype(float)
    except ValueError as exc:
        raise FlowFieldError(
            f"porosity has shape {por.shape}; give a scalar or an array shaped {shape} "
            "(nlay, nrow, ncol)"
        ) from exc
    bad = ~((por > 0) & (por <= 1))
    if bad.any():
        cells = [tuple(int(i) for i in c) for c in np.argwhere(bad)[:5]]
        raise FlowFieldError(
            f"porosity must be in (0, 1]; {int(bad.sum())} cells are not, e.g. (layer, row, col) "
            f"{cells}: give the effective porosity as a fraction, e.g. 0.25"
        )
    return por


def flowfield_dataset(flow: FlowField, include_flows: bool) -> xr.Dataset:
    dims4 = ("time", "layer", "y", "x")
    dims3 = ("layer", "y", "x")
    data = {
        "head": (dims4, flow.head, {"units": "m", "long_name": "hydraulic head"}),
        "saturated_thickness": (dims4, flow.saturated_thickness, {"units": "m"}),
        "top": (
            ("y", "x"),
            flow.grid.top,
            {"units": "m", "long_name": "top of the uppermost layer"},
        ),
        "botm": (dims3, flow.grid.botm, {"units": "m", "long_name": "bottom of each layer"}),
        "idomain": (dims3, flow.grid.idomain.astype("i4"), {"long_name": "active (>0) or not"}),
        "porosity": (dims3, flow.porosity, {"units": "1", "long_name": "effective porosity"}),
    }
    if include_flows:
        for name in ("flow_right_face", "flow_front_face", "flow_lower_face"):
            data[name] = (dims4, getattr(flow, name), {"units": "m3 d-1"})
    coords = flow.grid.coords()
    coords["time"] = ("time", flow.times, {"units": "d", "long_name": "simulation time"})
    import xarray as xr  # loaded when exporting only

    ds = xr.Dataset(data, coords=coords)
    wkt = flow.grid.crs_wkt()
    if wkt:
        ds["spatial_ref"] = xr.DataArray(0, attrs={"crs_wkt": wkt, "spatial_ref": wkt})
        for name in data:
            ds[name].attrs["grid_mapping"] = "spatial_ref"
    ds.attrs.update(
        {
            "title": "gwsim flow field",
            "Conventions": "CF-1.8",
            "crs": flow.grid.crs or "unknown",
            "percent_discrepancy": flow.percent_discrepancy
            if flow.percent_discrepancy is not None
            else "unknown",
        }
    )
    ds.attrs.update(flow.attrs)
    return ds
