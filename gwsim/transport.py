"""Solute transport on a flow field: point sources, a plume of concentrations (m, d, g, mg/L).

:func:`transport` runs MODFLOW 6 GWT as a simulation of its own that reads a flow model's head and
budget files (FMI), so it works on any :class:`~gwsim.FlowField` whose budget holds saturation. It
solves advection (TVD scheme), dispersion, linear sorption, first-order decay and, optionally,
mass exchange with an immobile (matrix) domain, with water from the flow model's sources entering
at 0 mg/L and leaving sinks at the cell's concentration. ``engine="mt3d"`` solves the same problem
with MODFLOW-NWT + MT3D-USGS on a flow field that gwsim built from a spec (the project's internal
cross-check; :mod:`gwsim.engines.mt3d`), with the same schedule and source terms.

Modelling choices (also in :func:`transport`'s docstring):

* **Retardation** R is linear equilibrium sorption: bulk density ρb = (1 − n)·2650 kg/m³ (quartz
  grains) and Kd = (R − 1)·n/ρb m³/kg per cell, so that 1 + ρb·Kd/n = R exactly.
* **Decay** at rate λ acts on the dissolved and the sorbed phase alike (radioactive decay,
  biodegradation of the whole mass), so a retarded solute also loses mass at rate λ.
* **Time steps** (steady flow): each interval between output times and source switches is cut into
  equal steps no longer than the Courant limit Δt ≤ Cr·R / (|vx|/Δx + |vy|/Δy + |vz|/Δz) (Cr =
  ``courant``, default 0.5) nor the time-stepping Peclet limit Δt ≤ 2ε·R·α_L/|v|, which keeps the
  numerical dispersion of implicit (backward-Euler) time stepping, v²Δt/2R, below a share ε
  (``numerical_dispersion``, default 5 %) of the physical α_L·v. Velocities are the largest face
  velocities of each cell; cells less than 1 % saturated (a water table just above a layer's
  bottom) do not count, as MT3D's THKMIN treats them as inactive. Transient flow fixes the steps (MODFLOW 6 reads its flows step by
  step); a warning says when their Courant number exceeds 1.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from gwsim.engines.solute import ImmobileDomain, SoluteProblem
from gwsim.errors import GwsimError, MassBalanceWarning, SpecError
from gwsim.flowfield import FlowField, checked_porosity
from gwsim.grid import crs_wkt
from gwsim.provenance import hash_inputs, provenance_attrs
from gwsim.writers import atomic_path

THIN_CELL_FRACTION = 0.01  # saturated fraction below which a cell does not limit the time step
GRAIN_DENSITY = 2650.0  # kg/m³, quartz; bulk density = (1 - n) * GRAIN_DENSITY
DISCREPANCY_WARN = 1.0  # %, mass-balance discrepancy above which transport() warns
ENGINES = ("mf6", "mt3d")
_TIME_ATOL = 1e-6  # d, times closer than this (or than 1e-9 of their size) are the same time


def _same_time(a, b) -> np.ndarray:
    return np.isclose(a, b, rtol=1e-9, atol=_TIME_ATOL)


@dataclass(frozen=True)
class Source:
    """A point (cell) source of solute, active from ``start`` to ``stop`` (d).

    Give exactly one of ``mass_rate`` (g/d, added to the cell's water) or ``concentration``
    (mg/L). A concentration source is the concentration of the water that the flow model brings
    into the source's cell (an injection well, recharge, an inflowing boundary): its mass rate is
    that inflow (m³/d) times ``concentration``. Where the flow model brings no water into the cell,
    or with ``fixed=True``, the cell is instead held at ``concentration`` (a constant-concentration
    cell, which may add any mass needed).

    Parameters
    ----------
    x, y : float
        Position in model coordinates, m.
    z : float, optional
        Elevation, m; ``None`` puts the source in the uppermost active layer.
    mass_rate : float, optional
        Mass added, g/d (≥ 0).
    concentration : float, optional
        Concentration of the water entering, or of the fixed cell, mg/L (≥ 0).
    start, stop : float
        Simulation times at which the source switches on and off, d; ``stop=None`` keeps it on.
    fixed : bool, optional
        ``True`` holds the cell at ``concentration``; ``False`` requires inflowing water;
        ``None`` (default) chooses by the flow, as above. Only for concentration sources.
    """

    x: float
    y: float
    z: float | None = None
    mass_rate: float | None = None
    concentration: float | None = None
    start: float = 0.0
    stop: float | None = None
    fixed: bool | None = None


@dataclass(frozen=True)
class DualDomain:
    """Immobile (matrix) pore space exchanging solute with the mobile (fracture) pore space.

    Parameters
    ----------
    immobile_porosity : float or numpy.ndarray
        Immobile pore volume per cell volume θ_im (-), a scalar or (nlay, nrow, ncol); the mobile
        porosity is the flow field's (or ``transport``'s) effective porosity.
    transfer_rate : float
        First-order mass-transfer rate coefficient ζ, 1/d: the immobile domain gains
        ζ·(c_mobile − c_immobile) g/m³ of cell volume per day (MODFLOW 6 IST package).
    """

    immobile_porosity: float | np.ndarray
    transfer_rate: float


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
        hit = np.flatnonzero(_same_time(self.times, time))
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


# ---------------------------------------------------------------------- validation
def _check_number(name: str, value, minimum: float, fix: str, strict: bool = False) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise SpecError(name, f"{value!r} is not a number", fix) from exc
    if not np.isfinite(value) or value < minimum or (strict and value == minimum):
        relation = ">" if strict else ">="
        raise SpecError(name, f"is {value}; it must be {relation} {minimum}", fix)
    return value


def _check_decay(decay, shape) -> float | np.ndarray:
    """A scalar decay rate (1/d), or a per-cell (nlay, nrow, ncol) array of rates, checked."""
    fix = "give the first-order rate in 1/d (ln 2 / half-life), a scalar or one per cell"
    if np.ndim(decay) == 0:
        return _check_number("decay", decay, 0.0, fix)
    rates = np.asarray(decay, float)
    if rates.shape != tuple(shape):
        raise SpecError("decay", f"has shape {rates.shape}, not the grid's {tuple(shape)}", fix)
    if not np.all(np.isfinite(rates) & (rates >= 0)):
        raise SpecError("decay", "has negative or non-finite rates", fix)
    return rates


def _check_times(times) -> np.ndarray:
    times = np.atleast_1d(np.asarray(times, float))
    if times.size == 0 or not np.all(np.isfinite(times)) or np.any(times <= 0):
        raise SpecError(
            "times",
            f"{times.tolist()} must be one or more finite times > 0",
            "give output times in days, e.g. [100, 1000]",
        )
    return np.unique(times)


def _source_cell(flow: FlowField, i: int, src: Source) -> tuple[int, int, int]:
    """(layer, row, col) of source ``i``; raises SpecError if it is outside or inactive."""
    name = f"sources[{i}]"
    lay, row, col = flow.grid.locate(src.x, src.y, src.z)
    lay, row, col = int(lay[0]), int(row[0]), int(col[0])
    where = f"({src.x}, {src.y}" + (f", z={src.z})" if src.z is not None else ")")
    if row < 0 or col < 0 or (src.z is not None and lay < 0):
        xl, yl = flow.grid.to_model(
            [0, flow.grid.x_edges_local[-1]], [0, flow.grid.y_edges_local[0]]
        )
        raise SpecError(
            name,
            f"{where} is outside the grid (x {xl[0]:.1f}..{xl[1]:.1f}, y {yl[0]:.1f}..{yl[1]:.1f}"
            + (", or z outside the column's top and bottom" if src.z is not None else "")
            + ")",
            "move the source into the model domain",
        )
    wet = (flow.grid.idomain[:, row, col] > 0) & (flow.saturation[:, :, row, col].max(axis=0) > 0)
    if src.z is None:
        if not wet.any():
            raise SpecError(name, f"{where} lies over no active, wet cell", "move the source")
        lay = int(np.argmax(wet))
    elif not wet[lay]:
        raise SpecError(
            name,
            f"{where} is in an inactive or dry cell (layer {lay}, row {row}, col {col})",
            "move the source, or give z in an active layer",
        )
    return lay, row, col


def _check_source(i: int, src: Source, t_end: float) -> None:
    name = f"sources[{i}]"
    if not isinstance(src, Source):
        raise SpecError(name, f"is a {type(src).__name__}", "give gwsim.Source(x, y, ...) objects")
    if (src.mass_rate is None) == (src.concentration is None):
        given = "both" if src.mass_rate is not None else "neither"
        raise SpecError(
            name,
            f"gives {given} of mass_rate and concentration",
            "give exactly one: mass_rate in g/d or concentration in mg/L",
        )
    if src.mass_rate is not None:
        _check_number(f"{name}.mass_rate", src.mass_rate, 0.0, "give the mass added in g/d, >= 0")
        if src.fixed is not None:
            raise SpecError(f"{name}.fixed", "applies to concentration sources only", "drop fixed")
    else:
        _check_number(f"{name}.concentration", src.concentration, 0.0, "give mg/L, >= 0")
    start = _check_number(f"{name}.start", src.start, 0.0, "give the start time in days, >= 0")
    if (
        src.stop is not None
        and _check_number(f"{name}.stop", src.stop, 0.0, "give days or None") <= start
    ):
        raise SpecError(
            f"{name}.stop",
            f"{src.stop} d is not after start {start} d",
            "give stop > start, or None",
        )
    if start >= t_end:
        warnings.warn(
            f"{name} starts at {start} d, after the last output time {t_end} d: no effect",
            stacklevel=3,
        )


def _check_flow(flow: FlowField) -> None:
    if not flow.saturation_saved:
        raise GwsimError(
            "the flow model's budget file holds no saturation (DATA-SAT), which MODFLOW 6 "
            "transport needs: set SAVE_SATURATION and SAVE_FLOWS in its NPF package and rerun it"
        )
    for t in range(flow.ntimes):
        residual = flow.net_face_inflow(t) + sum(q[t] for q in flow.sources.values())
        scale = sum(np.abs(q[t]) for q in flow.sources.values()) + sum(
            np.abs(face[t])
            for face in (flow.flow_right_face, flow.flow_front_face, flow.flow_lower_face)
        )
        bad = (np.abs(residual) > 0.01 * scale + 1e-6 * scale.max()) & (flow.grid.idomain > 0)
        if bad.any():
            cell = tuple(int(c) for c in np.argwhere(bad)[0])
            raise GwsimError(
                f"the flow budget does not balance in {int(bad.sum())} cells at saved step {t} "
                f"(e.g. layer, row, col {cell}): flows of some packages are missing. Save the "
                "flows of every package (SAVE_FLOWS in the GWF name file) and run it again"
            )


# ---------------------------------------------------------------------- time stepping
def _max_velocities(flow: FlowField, porosity: np.ndarray, t: int) -> tuple[np.ndarray, ...]:
    """(|vx|, |vy|, |vz|): each cell's largest face seepage velocity per direction, m/d."""
    thick = np.maximum(flow.saturated_thickness[t], 1e-12)
    dx, dy = flow.grid.delr[None, None, :], flow.grid.delc[None, :, None]

    def largest(face: np.ndarray, axis: int) -> np.ndarray:
        q = np.abs(face)
        upstream = np.zeros_like(q)
        index = [slice(None)] * 3
        index[axis] = slice(1, None)
        source = [slice(None)] * 3
        source[axis] = slice(None, -1)
        upstream[tuple(index)] = q[tuple(source)]
        return np.maximum(q, upstream)

    vx = largest(flow.flow_right_face[t], 2) / (dy * thick * porosity)
    vy = largest(flow.flow_front_face[t], 1) / (dx * thick * porosity)
    vz = largest(flow.flow_lower_face[t], 0) / (dx * dy * porosity)
    # cells less than THIN_CELL_FRACTION saturated hold almost no water and do not set the step
    # (MT3D treats them as inactive, THKMIN; MF6's implicit scheme stays stable in them)
    wet = (flow.grid.idomain > 0) & (flow.saturation[t] > THIN_CELL_FRACTION)
    return tuple(np.where(wet, v, 0.0) for v in (vx, vy, vz))


def _max_step(
    flow: FlowField,
    porosity,
    t: int,
    retardation: float,
    alpha_l: float,
    courant: float,
    eps: float,
) -> tuple[float, float]:
    """(largest stable-and-accurate step, d; step at which the Courant number reaches 1, d)."""
    vx, vy, vz = _max_velocities(flow, porosity, t)
    thick = np.maximum(flow.saturated_thickness[t], 1e-12)
    rate = vx / flow.grid.delr[None, None, :] + vy / flow.grid.delc[None, :, None] + vz / thick
    speed = np.sqrt(vx**2 + vy**2 + vz**2)
    unit_courant = retardation / rate.max() if rate.max() > 0 else np.inf
    limits = [courant * unit_courant]
    if alpha_l > 0 and speed.max() > 0:
        limits.append(2 * eps * retardation * alpha_l / speed.max())
    return min(limits), unit_courant


@dataclass
class _Schedule:
    """GWT stress periods: boundaries (d), steps and multipliers, and steps to save."""

    edges: np.ndarray  # (nper+1,) d
    nstp: np.ndarray
    tsmult: np.ndarray
    save_steps: list[list[int]]
    flow_steps: list[list[int]] = field(default_factory=list)  # saved flow steps in each period

    def longest_steps(self) -> np.ndarray:
        """(nper,) the longest time step of each period, d (the first or last one)."""
        growth = [m ** np.arange(n) for n, m in zip(self.nstp, self.tsmult, strict=True)]
        return np.array(
            [
                length * g.max() / g.sum()
                for length, g in zip(np.diff(self.edges), growth, strict=True)
            ]
        )


def _steady_schedule(edges: np.ndarray, times: np.ndarray, dt_max: float) -> _Schedule:
    perlen = np.diff(edges)
    nstp = np.maximum(1, np.ceil(perlen / dt_max - 1e-9)).astype(int)
    saved = [
        [int(n) - 1] if _same_time(times, end).any() else []
        for n, end in zip(nstp, edges[1:], strict=True)
    ]
    return _Schedule(edges, nstp, np.ones(len(perlen)), saved, [[0]] * len(perlen))


def _transient_schedule(flow: FlowField, times: np.ndarray) -> _Schedule:
    """The flow model's own periods and steps up to max(times): MODFLOW 6 FMI reads them in turn."""
    kstp, kper = flow.kstpkper[:, 0], flow.kstpkper[:, 1]
    starts = np.flatnonzero(kstp == 0)
    complete = (
        np.array_equal(kper[starts], np.arange(len(starts)))
        and kper[0] == 0
        and all(
            np.array_equal(kstp[a:b], np.arange(b - a))
            for a, b in zip(starts, [*starts[1:], len(kstp)], strict=True)
        )
    )
    if not complete:
        raise GwsimError(
            "the flow model saved heads and budgets for only some time steps; transport on "
            "transient flow needs every step: set HEAD ALL and BUDGET ALL in its OC and rerun it"
        )
    ends = flow.times
    for t in times:
        if not _same_time(ends, t).any():
            raise SpecError(
                "times",
                f"{t} d is not the end of a flow time step (transient flow fixes the steps)",
                f"choose output times from flow.times, e.g. {ends[:5].tolist()}",
            )
    last = int(np.flatnonzero(_same_time(ends, times.max()))[0])
    dt = np.diff(np.concatenate([[0.0], ends[: last + 1]]))
    edges, nstp, tsmult, save_steps, flow_steps = [0.0], [], [], [], []
    for a in starts[starts <= last]:
        b = min(last + 1, *(s for s in [*starts, len(kstp)] if s > a))
        steps = dt[a:b]
        ratio = steps[1:] / steps[:-1] if len(steps) > 1 else np.ones(1)
        edges.append(float(ends[b - 1]))
        nstp.append(b - a)
        tsmult.append(float(ratio[0]))
        save_steps.append([k for k in range(b - a) if _same_time(times, ends[a + k]).any()])
        flow_steps.append(list(range(a, b)))
    return _Schedule(np.array(edges), np.array(nstp), np.array(tsmult), save_steps, flow_steps)


# ---------------------------------------------------------------------- stresses
def _package_inflow(flow: FlowField, cell: tuple[int, int, int]) -> np.ndarray:
    """(nt,) water entering ``cell`` from the flow model's packages (not storage), m³/d."""
    return sum(
        (
            np.maximum(q[(slice(None), *cell)], 0.0)
            for name, q in flow.sources.items()
            if not flow.source_types[name].startswith("STO")
        ),
        np.zeros(flow.ntimes),
    )


def _stresses(flow, sources, cells, schedule: _Schedule, dt_steps: list[np.ndarray]):
    """Per-period SRC (g/d) and CNC (mg/L) lists of the sources active in each period."""
    mass: dict[int, list] = {}
    fixed: dict[int, list] = {}
    for p, (t0, t1) in enumerate(zip(schedule.edges[:-1], schedule.edges[1:], strict=True)):
        mass[p], fixed[p] = [], []
        for i, (src, cell) in enumerate(zip(sources, cells, strict=True)):
            stop = np.inf if src.stop is None else src.stop
            if not (src.start <= t0 + _TIME_ATOL and stop >= t1 - _TIME_ATOL):
                continue
            if src.mass_rate is not None:
                mass[p].append((cell, float(src.mass_rate)))
                continue
            inflow = _package_inflow(flow, cell)
            if src.fixed or (src.fixed is None and not inflow.any()):
                fixed[p].append((cell, float(src.concentration)))
            elif not inflow.any():
                raise SpecError(
                    f"sources[{i}].fixed",
                    "is False but the flow model brings no water into the source's cell",
                    "give fixed=None or True (hold the cell's concentration), or a mass_rate",
                )
            else:
                steps = schedule.flow_steps[p]
                q = (
                    np.average(inflow[steps], weights=dt_steps[p])
                    if len(steps) > 1
                    else inflow[steps[0]]
                )
                mass[p].append((cell, float(q * src.concentration)))
    return mass, fixed


def _check_switch_times(sources, schedule: _Schedule) -> None:
    for i, src in enumerate(sources):
        for name, t in (("start", src.start), ("stop", src.stop)):
            if t is None or t == 0 or t >= schedule.edges[-1]:
                continue
            if not _same_time(schedule.edges, t).any():
                raise SpecError(
                    f"sources[{i}].{name}",
                    f"{t} d is not the start of a flow stress period (transient flow fixes them)",
                    f"switch sources at period boundaries: {schedule.edges[:6].tolist()}...",
                )


# ---------------------------------------------------------------------- public entry point
def transport(
    flow: FlowField,
    sources: Sequence[Source],
    times,
    porosity=None,
    dispersivity=(10.0, 1.0, 0.1),
    decay: float | np.ndarray = 0.0,
    retardation: float = 1.0,
    engine: str = "mf6",
    workspace: str | Path | None = None,
    *,
    dual_domain: DualDomain | None = None,
    courant: float = 0.5,
    numerical_dispersion: float = 0.05,
) -> Plume:
    """Simulate solute transport from ``sources`` on a flow field (MODFLOW 6 GWT or MT3D-USGS).

    The transport run starts at time 0 free of solute and ends at ``max(times)``. Water entering
    from the flow model's sources and boundaries carries 0 mg/L unless a concentration
    :class:`Source` sits in its cell; sinks and outflowing boundaries remove water at the cell's
    concentration. Retardation is linear sorption with ρb = (1 − n)·2650 kg/m³ and
    Kd = (R − 1)·n/ρb; decay acts on dissolved and sorbed mass alike; steps follow the Courant and
    time-stepping Peclet limits described in :mod:`gwsim.transport`.

    Parameters
    ----------
    flow : FlowField
        Flow field read from a MODFLOW 6 run whose budget holds saturation (SAVE_SATURATION) and
        the flows of every package. A single saved step (steady flow) is reused for the whole run;
        otherwise the transport follows the flow model's periods and steps.
    sources : sequence of Source
        Solute sources.
    times : array_like
        Output times, d (> 0).
    porosity : float or numpy.ndarray, optional
        Effective (mobile) porosity, -; default the flow field's.
    dispersivity : (float, float, float)
        Longitudinal, horizontal-transverse and vertical-transverse dispersivity α_L, α_TH, α_TV, m.
    decay : float or numpy.ndarray
        First-order decay rate λ, 1/d (half-life ln 2/λ): a scalar, or one rate per cell shaped
        (nlay, nrow, ncol), e.g. a permeable reactive barrier as a zone of fast decay.
    retardation : float
        Retardation factor R ≥ 1.
    engine : {"mf6", "mt3d"}
        Transport code: MODFLOW 6 GWT on the flow field's files, or MODFLOW-NWT + MT3D-USGS,
        which reruns the flow from ``flow.spec`` (a flow field from gwsim's MODFLOW 6 engine) on
        the transport periods with the same modelling choices (:mod:`gwsim.engines.mt3d`).
    workspace : str or pathlib.Path, optional
        Folder for the engine's files; default a temporary folder, removed afterwards.
    dual_domain : DualDomain, optional
        Immobile pore space and mass-transfer rate (fractured rock).
    courant : float
        Largest Courant number of a time step (steady flow).
    numerical_dispersion : float
        Largest ratio of the time-stepping numerical dispersion v²Δt/2R to α_L·v (steady flow).

    Returns
    -------
    Plume

    Raises
    ------
    SpecError
        For a bad source or parameter; the message names it and the fix.
    GwsimError
        When the flow field cannot drive a transport run, or ``engine="mt3d"`` gets a flow field
        without a gwsim spec or a spec MODFLOW-NWT cannot represent.
    EngineError
        When MODFLOW 6, MODFLOW-NWT or MT3D-USGS fails; the message carries the end of its
        listing.
    """
    if engine not in ENGINES:
        raise SpecError("engine", f"{engine!r} is not a transport engine", "use 'mf6' or 'mt3d'")
    if engine == "mt3d" and flow.spec is None:
        raise GwsimError(
            "engine='mt3d' (MODFLOW-NWT + MT3D-USGS) reruns the flow model from the gwsim spec "
            "it was built from, and this flow field has none; MT3D transport on other MODFLOW 6 "
            "models is not yet available: run the spec with gwsim.engines.run_flow, or use "
            "engine='mf6'"
        )
    times = _check_times(times)
    t_end = float(times.max())
    porosity = flow.porosity if porosity is None else checked_porosity(porosity, flow.shape)
    if np.size(dispersivity) != 3:
        raise SpecError(
            "dispersivity",
            f"{dispersivity!r} is not 3 values",
            "give (alpha_L, alpha_TH, alpha_TV) in m",
        )
    alphas = tuple(
        _check_number(f"dispersivity[{k}]", a, 0.0, "dispersivities are lengths in m, >= 0")
        for k, a in enumerate(dispersivity)
    )
    decay = _check_decay(decay, flow.shape)
    retardation = _check_number("retardation", retardation, 1.0, "give R >= 1 (1 = no sorption)")
    courant = _check_number("courant", courant, 0.0, "give a Courant number, e.g. 0.5", strict=True)
    numerical_dispersion = _check_number(
        "numerical_dispersion", numerical_dispersion, 0.0, "give a fraction, e.g. 0.05", strict=True
    )
    sources = list(sources)
    if not sources:
        raise SpecError("sources", "is empty", "give at least one gwsim.Source")
    for i, src in enumerate(sources):
        _check_source(i, src, t_end)
    _check_flow(flow)
    cells = [_source_cell(flow, i, src) for i, src in enumerate(sources)]

    if flow.ntimes == 1:
        switches = [
            t for s in sources for t in (s.start, s.stop) if t is not None and 0 < t < t_end
        ]
        edges = np.unique(np.concatenate([[0.0], times, switches]))
        edges = edges[np.concatenate([[True], np.diff(edges) > _TIME_ATOL])]
        dt_max, _ = _max_step(
            flow, porosity, 0, retardation, alphas[0], courant, numerical_dispersion
        )
        schedule = _steady_schedule(edges, times, dt_max)
        dt_steps = [np.ones(1)] * len(schedule.nstp)
    else:
        if t_end > flow.times[-1] + _TIME_ATOL:
            raise SpecError(
                "times",
                f"run to {t_end} d but the flow ends at {flow.times[-1]} d",
                "give times within the flow run",
            )
        schedule = _transient_schedule(flow, times)
        _check_switch_times(sources, schedule)
        ends = flow.times
        dt_steps = [np.diff(np.concatenate([[0.0], ends]))[s] for s in schedule.flow_steps]
        worst = max(
            dt
            / _max_step(flow, porosity, t, retardation, alphas[0], courant, numerical_dispersion)[1]
            for steps, dts in zip(schedule.flow_steps, dt_steps, strict=True)
            for t, dt in zip(steps, dts, strict=True)
        )
        if worst > 1 + 1e-6:  # round-off
            warnings.warn(
                f"the flow model's time steps give Courant numbers up to {worst:.2g}; transport is "
                "accurate for <= 1: run the flow model with shorter time steps",
                stacklevel=2,
            )
    mass, fixed = _stresses(flow, sources, cells, schedule, dt_steps)
    bulk_density, distcoef = _sorption(porosity, retardation)
    setup = _Setup(
        schedule=schedule,
        times=times,
        problem=SoluteProblem(
            porosity=porosity,
            dispersivity=alphas,
            mass_sources=mass,
            fixed_concentrations=fixed,
            decay=decay,
            bulk_density=bulk_density,
            distcoef=distcoef,
            immobile=_immobile_domain(dual_domain, porosity, flow.shape),
        ),
        courant=courant,
        concentration_scale=max([s.concentration or 0.0 for s in sources] + [1.0]),
    )
    inputs_hash = hash_inputs(
        [
            flow.attrs.get("inputs_sha256", ""),
            repr(sources),
            times,
            porosity,
            alphas,
            decay,
            retardation,
            repr(dual_domain),
            schedule.nstp,
            engine,
        ]
    )
    if engine == "mf6":
        from gwsim.engines.mf6_gwt import run_gwt

        run, spec, executables = run_gwt, _gwt_spec(flow, setup), ["mf6"]
    else:
        from gwsim.engines.mt3d import run_mt3d

        run, spec, executables = run_mt3d, _mt3d_spec(flow, setup), ["mfnwt", "mt3dusgs"]
    if workspace is None:
        with tempfile.TemporaryDirectory(prefix=f"gwsim-{engine}-") as tmp:
            result = run(spec, tmp)
    else:
        result = run(spec, workspace)
    return _plume(flow, times, result, workspace, inputs_hash, executables)


# ---------------------------------------------------------------------- engines
@dataclass
class _Setup:
    """Validated transport inputs that every engine turns into its own run (m, d, g, mg/L)."""

    schedule: _Schedule
    times: np.ndarray
    problem: SoluteProblem
    courant: float
    concentration_scale: float  # mg/L, largest source concentration (solver closures)


def _sorption(porosity: np.ndarray, retardation: float):
    """(ρb kg/m³, Kd m³/kg) with 1 + ρb·Kd/n = R, or (None, None) without sorption."""
    if retardation <= 1:
        return None, None
    bulk_density = (1 - porosity) * GRAIN_DENSITY
    return bulk_density, (retardation - 1) * porosity / bulk_density


def _immobile_domain(dual_domain: DualDomain | None, porosity: np.ndarray, shape):
    """The checked immobile domain (per-cell θ_im and ζ) of ``dual_domain``, or None."""
    if dual_domain is None:
        return None
    theta_im = np.broadcast_to(np.asarray(dual_domain.immobile_porosity, float), shape).astype(
        float
    )
    if np.any(theta_im < 0) or np.any(theta_im + porosity > 1):
        raise SpecError(
            "dual_domain.immobile_porosity",
            "must be >= 0 with mobile + immobile porosity <= 1",
            "give the matrix pore volume per cell volume",
        )
    rate = _check_number(
        "dual_domain.transfer_rate", dual_domain.transfer_rate, 0.0, "give ζ in 1/d"
    )
    return ImmobileDomain(porosity=theta_im, rate=np.full(shape, rate))


def _gwt_spec(flow: FlowField, setup: _Setup):
    """The MODFLOW 6 GWT run of ``setup``: it reads the flow model's head and budget files."""
    from gwsim.engines.mf6_gwt import GwtSpec

    schedule = setup.schedule
    return GwtSpec(
        delr=flow.grid.delr,
        delc=flow.grid.delc,
        top=flow.grid.top,
        botm=flow.grid.botm,
        idomain=flow.grid.idomain,
        head_file=flow.files["head"],
        budget_file=flow.files["budget"],
        perlen=np.diff(schedule.edges),
        nstp=schedule.nstp,
        tsmult=schedule.tsmult,
        save_steps=schedule.save_steps,
        problem=setup.problem,
        xorigin=flow.grid.xorigin,
        yorigin=flow.grid.yorigin,
        angrot=flow.grid.angrot,
        dvclose=1e-9 * setup.concentration_scale,
    )


def _mt3d_spec(flow: FlowField, setup: _Setup):
    """The MODFLOW-NWT + MT3D-USGS run of ``setup`` on the flow field's gwsim spec.

    MODFLOW-NWT reruns the spec on the transport periods. A single-step flow field (steady
    flow) gives one steady-state flow step per period, in which MT3D takes the schedule's steps;
    otherwise the periods and steps are the spec's own, one transport step per flow step at most.
    """
    from gwsim.engines.mt3d import Mt3dSpec

    schedule = setup.schedule
    perlen = np.diff(schedule.edges)
    nper = len(perlen)
    if flow.ntimes == 1:
        nstp, tsmult = np.ones(nper, int), np.ones(nper)
        steady, spec_periods = np.ones(nper, bool), np.zeros(nper, int)
    else:
        nstp, tsmult = schedule.nstp, schedule.tsmult
        steady = np.array([flow.spec.periods[p].steady for p in range(nper)])
        spec_periods = np.arange(nper)
    return Mt3dSpec(
        model=flow.spec,
        perlen=perlen,
        nstp=nstp,
        tsmult=tsmult,
        steady=steady,
        spec_periods=spec_periods,
        dt_max=schedule.longest_steps(),
        times=setup.times,
        problem=setup.problem,
        courant=setup.courant,
    )


def _plume(flow, times, result, workspace, inputs_hash: str, executables: list[str]) -> Plume:
    """The Plume of an engine's result at the output ``times``; warns on a poor mass balance."""
    keep = [int(np.argmin(np.abs(result.times - t))) for t in times]
    coords = flow.grid.coords()
    coords["time"] = ("time", times, {"units": "d", "long_name": "simulation time"})
    conc = xr.DataArray(
        result.concentration[keep],
        dims=("time", "layer", "y", "x"),
        coords=coords,
        name="concentration",
        attrs={
            "units": "mg/L",
            "long_name": "dissolved concentration (mobile domain)",
        },
    )
    if result.percent_discrepancy is not None and result.percent_discrepancy > DISCREPANCY_WARN:
        warnings.warn(
            f"transport mass-balance discrepancy reaches {result.percent_discrepancy:.2g} % "
            f"(> {DISCREPANCY_WARN} %): check the flow model's convergence or shorten the steps",
            MassBalanceWarning,
            stacklevel=3,
        )
    return Plume(
        concentration=conc,
        percent_discrepancy=result.percent_discrepancy,
        workspace=None if workspace is None else Path(workspace),
        attrs=provenance_attrs(inputs_hash, executables=executables),
        flow=flow,
    )
