"""MODFLOW 6 engine: a :class:`~gwsim.spec.ModelSpec` → flopy simulation → run → FlowField.

Each run lives in its own workspace folder. The flow model saves heads and the full cell budget for
every time step, with specific discharge and saturation (MODFLOW 6 GWT and PRT read a flow model
through FMI only when saturation and flows were saved). A failed run raises
:class:`~gwsim.errors.EngineError` with the end of the listing file; a volume-budget discrepancy
above :data:`DISCREPANCY_WARN_PERCENT` is a warning.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import flopy
import numpy as np

from gwsim.engines.program import check_discrepancy, run_program
from gwsim.errors import DryWellWarning
from gwsim.executables import find_executable
from gwsim.flowfield import FlowField
from gwsim.grid import StructuredGrid
from gwsim.spec import BOUNDARY_FIELDS, ModelSpec, layered

DISCREPANCY_WARN_PERCENT = 0.5

_PACKAGES = {
    "chd": flopy.mf6.ModflowGwfchd,
    "ghb": flopy.mf6.ModflowGwfghb,
    "riv": flopy.mf6.ModflowGwfriv,
    "drn": flopy.mf6.ModflowGwfdrn,
    "wel": flopy.mf6.ModflowGwfwel,
    "rch": flopy.mf6.ModflowGwfrch,
    "evt": flopy.mf6.ModflowGwfevt,
}


def check_well_rates(spec: ModelSpec, flow: FlowField, rtol: float = 0.01) -> None:
    """Warn for each well boundary whose simulated rate falls short of the specified one."""
    periods = flow.kstpkper[:, 1]
    for b in spec.boundaries:
        if b.kind != "wel" or b.name.lower() not in flow.sources:
            continue
        simulated = flow.sources[b.name.lower()].reshape(flow.ntimes, -1).sum(axis=1)
        wanted = np.array([b.values_in_period(int(p))["rate"].sum() for p in periods])
        short = np.abs(simulated - wanted) > rtol * np.abs(wanted)
        if short.any():
            t = int(np.flatnonzero(short)[0])
            warnings.warn(
                f"well {b.name!r} delivers {simulated[t]:.1f} m³/d instead of {wanted[t]:.1f} m³/d "
                f"at t = {flow.times[t]:g} d: its cell went dry. Lower the rate or deepen the screen"
                + ("" if spec.solver.newton else ", or set solver.newton = true"),
                DryWellWarning,
                stacklevel=3,
            )


def dis_keywords(grid: StructuredGrid) -> dict:
    """flopy DIS arguments (GWF, GWT and PRT alike) of ``grid``: shape, widths, elevations,
    idomain and placement, in metres."""
    return {
        "length_units": "meters",
        "nlay": grid.nlay,
        "nrow": grid.nrow,
        "ncol": grid.ncol,
        "delr": grid.delr,
        "delc": grid.delc,
        "top": grid.top,
        "botm": grid.botm,
        "idomain": grid.idomain,
        "xorigin": grid.xorigin,
        "yorigin": grid.yorigin,
        "angrot": grid.angrot,
    }


def written_periods(boundary, nper: int) -> list[int]:
    """Stress periods (0-based) whose list of ``boundary`` is written: where its values change."""
    return [p for p in sorted({0, *boundary.periods}) if p < nper]


def boundary_columns(boundary, period: int) -> list[np.ndarray]:
    """The value columns of ``boundary``'s MODFLOW 6 list in ``period``, in MF6's order."""
    vals = boundary.values_in_period(period)
    if boundary.kind == "evt":  # MF6 EVT list: cellid, surface, rate, depth
        return [vals["surface"], vals["rate"], vals["depth"]]
    return [vals[f] for f in BOUNDARY_FIELDS[boundary.kind]]


def _stress_period_data(boundary, nper: int) -> dict[int, list]:
    """flopy stress-period data for one boundary: only the periods in which values change."""
    cells = [tuple(int(i) for i in c) for c in boundary.cells]
    data = {}
    for period in written_periods(boundary, nper):
        columns = boundary_columns(boundary, period)
        data[period] = [
            [cell, *(float(col[n]) for col in columns), boundary.name]
            for n, cell in enumerate(cells)
        ]
    return data


def initial_head(spec: ModelSpec, grid: StructuredGrid) -> np.ndarray:
    """Starting heads (nlay, nrow, ncol), m: the spec's, or the model top."""
    if spec.initial_head is not None:
        return layered(spec.initial_head, spec.grid.shape, "initial_head")
    return grid.top[None] * np.ones(spec.grid.shape)


def build_simulation(spec: ModelSpec, workspace: Path) -> flopy.mf6.MFSimulation:
    """Write the MODFLOW 6 input files of ``spec`` into ``workspace``; return the simulation."""
    sim = simulation(spec, workspace)
    sim.write_simulation(silent=True)
    return sim


def simulation(spec: ModelSpec, workspace: Path) -> flopy.mf6.MFSimulation:
    """The flopy simulation of ``spec`` in ``workspace``, not written yet."""
    grid = spec.grid.resolve()
    props = spec.properties.arrays(spec.grid.shape)
    sim = flopy.mf6.MFSimulation(
        sim_name=spec.name,
        sim_ws=str(workspace),
        exe_name=str(find_executable("mf6")),
        verbosity_level=0,
    )
    flopy.mf6.ModflowTdis(
        sim,
        time_units="days",
        nper=len(spec.periods),
        perioddata=[(p.length, p.nstp, p.tsmult) for p in spec.periods],
    )
    s = spec.solver
    flopy.mf6.ModflowIms(sim, **s.ims_keywords())
    gwf = flopy.mf6.ModflowGwf(
        sim,
        modelname=spec.name,
        save_flows=True,
        newtonoptions="under_relaxation" if s.newton else None,
    )
    flopy.mf6.ModflowGwfdis(gwf, **dis_keywords(grid))
    flopy.mf6.ModflowGwfnpf(
        gwf,
        icelltype=props["icelltype"],
        k=props["k"],
        k22=props["k22"],
        k33=props["k33"],
        angle1=props["angle1"],
        save_flows=True,
        save_specific_discharge=True,
        save_saturation=True,
    )
    flopy.mf6.ModflowGwfic(gwf, strt=initial_head(spec, grid))
    if not spec.steady:
        flopy.mf6.ModflowGwfsto(
            gwf,
            iconvert=props["icelltype"],
            ss=props["ss"],
            sy=props["sy"],
            steady_state={i: True for i, p in enumerate(spec.periods) if p.steady},
            transient={i: True for i, p in enumerate(spec.periods) if not p.steady},
        )
    for b in spec.boundaries:
        # with Newton, a well in a drying cell would keep its full rate from a dry cell: let MF6
        # reduce it (AUTO_FLOW_REDUCE; check_well_rates then warns)
        options = {"auto_flow_reduce": 0.1} if b.kind == "wel" and s.newton else {}
        _PACKAGES[b.kind](
            gwf,
            pname=b.name,
            filename=f"{spec.name}.{b.name}.{b.kind}",
            boundnames=True,
            save_flows=True,
            maxbound=len(b.cells),
            stress_period_data=_stress_period_data(b, len(spec.periods)),
            **options,
        )
    if spec.barriers:
        idomain = grid.idomain
        records = [
            [(k, r1, c1), (k, r2, c2), b.hydraulic_characteristic]
            for b in spec.barriers
            for k, r1, c1, r2, c2 in (tuple(int(v) for v in f) for f in b.faces)
            if idomain[k, r1, c1] > 0 and idomain[k, r2, c2] > 0
        ]
        flopy.mf6.ModflowGwfhfb(gwf, maxhfb=len(records), stress_period_data={0: records})
    flopy.mf6.ModflowGwfoc(
        gwf,
        head_filerecord=f"{spec.name}.hds",
        budget_filerecord=f"{spec.name}.cbc",
        saverecord=[("HEAD", "ALL"), ("BUDGET", "ALL")],
        printrecord=[("BUDGET", "ALL")],
    )
    return sim


def run(spec: ModelSpec, workspace: str | Path | None = None) -> FlowField:
    """Build, run and read a MODFLOW 6 flow model of ``spec``.

    Parameters
    ----------
    spec : the model; it is validated first.
    workspace : folder for the MODFLOW files; created if needed. ``None`` makes a new temporary
        folder (kept, so that transport and tracking can read the outputs later).

    Returns
    -------
    FlowField
        Heads, face flows, sources/sinks of every time step and K, with the spec's porosity
        and CRS.
    """
    spec.validate()
    workspace = prepare_workspace(spec, workspace)
    build_simulation(spec, workspace)
    return solve(spec, workspace)


def prepare_workspace(spec: ModelSpec, workspace: str | Path | None) -> Path:
    """``workspace`` created (``None``: a new temporary folder) without ``spec``'s old outputs."""
    workspace = Path(workspace or tempfile.mkdtemp(prefix=f"gwsim-{spec.name}-"))
    workspace.mkdir(parents=True, exist_ok=True)
    for stale in workspace.glob(f"{spec.name}.*"):
        if stale.suffix in (".hds", ".cbc", ".lst", ".grb"):
            stale.unlink()
    return workspace


def solve(spec: ModelSpec, workspace: Path) -> FlowField:
    """Run MODFLOW 6 on the input files of ``spec`` written in ``workspace``; read the result
    (see :func:`run`) and check the wells' rates and the volume budget."""
    run_program(
        "mf6",
        [],
        workspace,
        "normal termination",
        [workspace / f"{spec.name}.lst", workspace / "mfsim.lst"],
        label=f"flow model {spec.name!r}",
    )
    props = spec.properties.arrays(spec.grid.shape)
    flow = FlowField.from_mf6(
        workspace,
        model=spec.name,
        porosity=props["porosity"],
        crs=spec.grid.crs,
        conductivity={name: props[name] for name in ("k", "k22", "k33", "angle1")},
    )
    check_well_rates(spec, flow)
    check_discrepancy(
        flow.percent_discrepancy,
        DISCREPANCY_WARN_PERCENT,
        f"model {spec.name!r}: volume budget",
        "tighten solver.dvclose/rclose or refine the grid",
    )
    return flow
