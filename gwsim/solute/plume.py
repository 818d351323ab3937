"""A transport run's concentrations as a :class:`Plume`, and its netCDF file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from gwsim.engines.transport_interface import TransportRun
from gwsim.errors import GwsimError
from gwsim.flowfield import FlowField
from gwsim.grid import crs_wkt
from gwsim.provenance import provenance_attrs
from gwsim.solute.schedule import same_time
from gwsim.writers import atomic_path


@dataclass
class Plume:
    """Concentrations of a transport run at its output times.

    Attributes
    ----------
    concentration : xarray.DataArray
        mg/L, dimensions (time, layer, y, x), i.e. (time, layer, row, col), with x/y cell-centre
        coordinates in the model CRS (m), time in days; NaN in inactive cells.
    percent_discrepancy : float or None
        Largest |mass-balance discrepancy| of the transport run, %.
    workspace : pathlib.Path or None
        Folder of the transport run (None when it ran in a temporary folder).
    attrs : dict
        Provenance: gwsim, flopy and mf6 versions, inputs hash, creation time.
    flow : FlowField
        The flow field the plume was computed on (grid geometry for :meth:`at`).
    """

    concentration: xr.DataArray
    percent_discrepancy: float | None
    workspace: Path | None
    attrs: dict[str, str]
    flow: FlowField = field(repr=False)

    @property
    def times(self) -> np.ndarray:
        """(nt,) output times, d."""
        return self.concentration["time"].values

    def at(self, xyz, time: float) -> np.ndarray:
        """Concentrations (mg/L) of the cells containing points ``xyz`` at output time ``time``.

        ``xyz`` is an (n, 3) array of model x, y and elevation (m); points outside the grid or
        in inactive cells give NaN.
        """
        xyz = np.atleast_2d(np.asarray(xyz, float))
        if xyz.ndim != 2 or xyz.shape[1] != 3:
            raise GwsimError(
                f"Plume.at: xyz has shape {xyz.shape}; give an (n, 3) array of x, y, z"
            )
        hit = np.flatnonzero(same_time(self.times, time))
        if hit.size == 0:
            raise GwsimError(
                f"Plume.at: {time} d is not an output time; choose one of {self.times.tolist()}"
            )
        lay, row, col = self.flow.grid.locate(xyz[:, 0], xyz[:, 1], xyz[:, 2])
        inside = (lay >= 0) & (row >= 0) & (col >= 0)
        values = self.concentration.values[hit[0]]
        return np.where(inside, values[lay, row, col], np.nan)

    def to_dataset(self) -> xr.Dataset:
        """The plume as a CF-style :class:`xarray.Dataset` with CRS and provenance attributes."""
        ds = self.concentration.to_dataset(name="concentration")
        wkt = crs_wkt(self.flow.grid.crs)
        if wkt:
            ds["spatial_ref"] = xr.DataArray(0, attrs={"crs_wkt": wkt, "spatial_ref": wkt})
            ds["concentration"].attrs["grid_mapping"] = "spatial_ref"
        ds.attrs = {
            "title": "gwsim plume",
            "Conventions": "CF-1.8",
            "crs": self.flow.grid.crs or "unknown",
            "percent_discrepancy": "unknown"
            if self.percent_discrepancy is None
            else self.percent_discrepancy,
            **self.attrs,
        }
        return ds

    def to_netcdf(self, path: str | Path) -> Path:
        """Write :meth:`to_dataset` to ``path`` atomically (temporary file, then rename)."""
        path = Path(path)
        ds = self.to_dataset()
        with atomic_path(path) as tmp:
            ds.to_netcdf(tmp, engine="netcdf4")
        return path


def plume_of_run(
    flow: FlowField,
    run: TransportRun,
    times: np.ndarray,
    workspace: str | Path | None,
    inputs_hash: str,
) -> Plume:
    """The Plume of an engine's ``run`` at the output ``times`` (d).

    ``workspace`` is the folder the caller gave (None when the run's folder was temporary).
    """
    keep = [int(np.argmin(np.abs(run.times - t))) for t in times]
    coords = flow.grid.coords()
    coords["time"] = ("time", times, {"units": "d", "long_name": "simulation time"})
    conc = xr.DataArray(
        run.concentration[keep],
        dims=("time", "layer", "y", "x"),
        coords=coords,
        name="concentration",
        attrs={
            "units": "mg/L",
            "long_name": "dissolved concentration (mobile domain)",
        },
    )
    return Plume(
        concentration=conc,
        percent_discrepancy=run.percent_discrepancy,
        workspace=None if workspace is None else Path(workspace),
        attrs=provenance_attrs(inputs_hash, executables=list(run.executables))
        | ({} if run.advection is None else {"advection": run.advection}),
        flow=flow,
    )
