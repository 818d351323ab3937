"""MODFLOW 6 models and MODPATH 7 runs that gwsim's tracker is compared with (tests, benchmarks).

Plain flopy models built in a given folder: heterogeneous (log-normal K), several layers with a
convertible top layer, pumping and injection wells, a river, a drain, recharge and ET, a general
head boundary on the west and fixed heads on the east. NPF saves flows, saturation and specific
discharge; OC saves head and budget at every time step (MODPATH 7 needs the budget of every step
it uses). MODPATH 7 runs through flopy, by default with recharge and ET on the top face (iface 6)
as gwsim's default; ``defaultiface`` gives MODPATH 7 another DEFAULTIFACE list (``{}`` is its own
default: every package spread through the cell).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import flopy
import numpy as np

from gwsim.executables import find_executable

TRANSIENT_PERIODS = [  # (length d, steps, multiplier, steady)
    (1.0, 1, 1.0, True),
    (365.0, 6, 1.2, False),
    (365.0, 4, 1.0, False),
    (1.0, 1, 1.0, True),
]


def build_flow_model(
    ws: Path,
    nlay: int = 3,
    nrow: int = 20,
    ncol: int = 25,
    cell: float = 50.0,
    transient: bool = False,
    seed: int = 42,
    wells_per_side: int = 0,
) -> Path:
    """Write and run a heterogeneous MODFLOW 6 model in ``ws``; returns ``ws`` (m, d).

    The top is at 30 m, the top layer ends at 22 m and the others split the rest evenly. Three
    wells (two pumping, one injecting), plus ``wells_per_side**2`` pumping wells of 900 m³/d on
    a lattice in the lower layers. Transient: a steady first period, a year of pumping at higher
    rates with wetter recharge, a year at base rates, and a steady last period.
    """
    ws = Path(ws)
    mf6 = str(find_executable("mf6"))
    periods = TRANSIENT_PERIODS if transient else [(1.0, 1, 1.0, True)]
    sim = flopy.mf6.MFSimulation(sim_name="trk", sim_ws=str(ws), exe_name=mf6, verbosity_level=0)
    flopy.mf6.ModflowTdis(sim, nper=len(periods), perioddata=[p[:3] for p in periods])
    flopy.mf6.ModflowIms(
        sim,
        complexity="moderate",
        outer_dvclose=1e-8,
        inner_dvclose=1e-9,
        rcloserecord=[1e-6, "strict"],
        outer_maximum=200,
        inner_maximum=300,
    )
    gwf = flopy.mf6.ModflowGwf(sim, modelname="trk", save_flows=True, newtonoptions=None)
    rng = np.random.default_rng(seed)
    botm = np.concatenate([[22.0], np.linspace(22.0, 0.0, nlay)[1:]]) if nlay > 1 else [0.0]
    flopy.mf6.ModflowGwfdis(
        gwf,
        nlay=nlay,
        nrow=nrow,
        ncol=ncol,
        delr=cell,
        delc=cell,
        top=30.0,
        botm=botm,
        xorigin=500000.0,
        yorigin=3100000.0,
    )
    mean_k = np.array([40.0, 5.0, 20.0, 10.0, 30.0])[np.arange(nlay) % 5]
    k = np.exp(rng.normal(np.log(mean_k)[:, None, None], 0.5, (nlay, nrow, ncol)))
    flopy.mf6.ModflowGwfnpf(
        gwf,
        icelltype=[1] + [0] * (nlay - 1),
        k=k,
        k33=k / 10.0,
        save_flows=True,
        save_saturation=True,
        save_specific_discharge=True,
    )
    flopy.mf6.ModflowGwfic(gwf, strt=28.0)
    flopy.mf6.ModflowGwfsto(
        gwf,
        iconvert=[1] + [0] * (nlay - 1),
        ss=1e-5,
        sy=0.15,
        steady_state={i: True for i, p in enumerate(periods) if p[3]},
        transient={i: True for i, p in enumerate(periods) if not p[3]},
    )
    wells = [
        ((nlay - 1, nrow // 4, ncol // 3), -900.0),
        ((min(1, nlay - 1), 3 * nrow // 4, 2 * ncol // 3), -500.0),
        ((min(1, nlay - 1), nrow // 6, 3 * ncol // 4), 150.0),
    ]
    for a in range(wells_per_side):
        for b in range(wells_per_side):
            cell = (
                1 + (a + b) % max(nlay - 1, 1),
                (2 * a + 1) * nrow // (2 * wells_per_side),
                (2 * b + 1) * ncol // (2 * wells_per_side),
            )
            wells.append((cell, -900.0))
    base = [[c, q] for c, q in wells]
    wel = {0: base}
    if transient:
        wel[1] = [[c, 1.6 * q if q < 0 else q] for c, q in wells]
        wel[2] = base
    flopy.mf6.ModflowGwfwel(gwf, stress_period_data=wel)
    stage = np.linspace(29.0, 27.0, ncol)
    riv_row = nrow // 2
    flopy.mf6.ModflowGwfriv(
        gwf,
        stress_period_data={
            0: [[(0, riv_row, j), stage[j], 800.0, stage[j] - 1.5] for j in range(ncol)]
        },
    )
    flopy.mf6.ModflowGwfdrn(
        gwf,
        stress_period_data={0: [[(0, 2, j), 28.6, 300.0] for j in range(ncol // 5, ncol // 2)]},
    )
    top_cells = [(0, i, j) for i in range(nrow) for j in range(ncol)]
    # IFLOWFACE -1: recharge and ET cross the top face (MODPATH 7's defaultiface 6; MF6 PRT
    # reads this auxiliary variable from the budget file)
    rch = {0: [[c, 5e-4, -1] for c in top_cells]}
    if transient:
        rch[1] = [[c, 1.5e-3, -1] for c in top_cells]
        rch[2] = rch[0]
    flopy.mf6.ModflowGwfrch(gwf, stress_period_data=rch, auxiliary=["IFLOWFACE"])
    flopy.mf6.ModflowGwfevt(
        gwf,
        stress_period_data={0: [[c, 30.0, 2e-4, 2.5, -1] for c in top_cells]},
        auxiliary=["IFLOWFACE"],
    )
    flopy.mf6.ModflowGwfghb(
        gwf,
        stress_period_data={
            0: [[(k_, i, 0), 29.5, 50.0] for k_ in range(nlay) for i in range(nrow)]
        },
    )
    flopy.mf6.ModflowGwfchd(
        gwf,
        stress_period_data={
            0: [[(k_, i, ncol - 1), 27.0] for k_ in range(nlay) for i in range(nrow)]
        },
    )
    flopy.mf6.ModflowGwfoc(
        gwf,
        head_filerecord="trk.hds",
        budget_filerecord="trk.cbc",
        saverecord=[("HEAD", "ALL"), ("BUDGET", "ALL")],
    )
    sim.write_simulation(silent=True)
    ok, out = sim.run_simulation(silent=True)
    if not ok:
        raise RuntimeError("MODFLOW 6 failed:\n" + "\n".join(out[-20:]))
    return ws


def lattice_starts(flow, per_cell: int = 1, seed: int = 0, max_particles: int | None = None):
    """Random start points in the active (wet) cells of step 0: (node, lx, ly, lz) and xyz.

    ``lz`` spans the saturated thickness (head - bottom in a convertible cell below its top).
    """
    rng = np.random.default_rng(seed)
    head = flow.head[0].ravel()
    bot = flow.grid.botm.ravel()
    top = flow.grid.cell_top.ravel()
    wet = (flow.grid.idomain.ravel() > 0) & np.isfinite(head) & (head > bot)
    nodes = np.repeat(np.flatnonzero(wet), per_cell)
    if max_particles is not None and nodes.size > max_particles:
        nodes = np.sort(rng.choice(nodes, max_particles, replace=False))
    local = rng.uniform(0.02, 0.98, (nodes.size, 3))
    _, row, col = np.unravel_index(nodes, flow.shape)
    xw, ys = flow.grid.x_edges_local[:-1], flow.grid.y_edges_local[1:]
    xl = xw[col] + local[:, 0] * flow.grid.delr[col]
    yl = ys[row] + local[:, 1] * flow.grid.delc[row]
    conv = flow.icelltype.ravel()[nodes] != 0
    sat_top = np.where(conv, np.minimum(head[nodes], top[nodes]), top[nodes])
    z = bot[nodes] + local[:, 2] * (sat_top - bot[nodes])
    x, y = flow.grid.to_model(xl, yl)
    return nodes, local, np.column_stack([x, y, z])


def write_modpath7(
    sim_ws: Path,
    nodes: np.ndarray,
    local: np.ndarray,
    direction: str,
    porosity,
    reference_time: float,
    weak_sinks: str = "pass_through",
    pathlines: bool = False,
    name: str = "mp",
    defaultiface: dict[str, int] | None = None,
) -> Path:
    """Write MODPATH 7 input for the MODFLOW 6 model in ``sim_ws``; returns the .mpsim file.

    ``nodes`` are 0-based; ``local`` the particles' local x, y, z (0..1 in the cell, z over the
    saturated thickness). ``defaultiface`` is MODPATH 7's DEFAULTIFACE (budget text -> face);
    ``None`` puts recharge and ET on the top face (6), ``{}`` writes an empty list.
    """
    sim = flopy.mf6.MFSimulation.load(sim_ws=str(sim_ws), verbosity_level=0)
    gwf = sim.get_model()
    mp = flopy.modpath.Modpath7(
        modelname=name, flowmodel=gwf, exe_name=str(find_executable("mp7")), model_ws=str(sim_ws)
    )
    if defaultiface is None:
        defaultiface = {"RCH": 6, "EVT": 6}
    flopy.modpath.Modpath7Bas(mp, porosity=porosity, defaultiface=defaultiface)
    pdata = flopy.modpath.ParticleData(
        partlocs=[int(n) for n in nodes],
        structured=False,
        localx=local[:, 0],
        localy=local[:, 1],
        localz=local[:, 2],
        timeoffset=0.0,
        drape=0,
    )
    group = flopy.modpath.ParticleGroup(
        particlegroupname="g", particledata=pdata, filename=f"{name}.sloc"
    )
    flopy.modpath.Modpath7Sim(
        mp,
        simulationtype="pathline" if pathlines else "endpoint",
        trackingdirection=direction,
        weaksinkoption=weak_sinks,
        weaksourceoption=weak_sinks,
        budgetoutputoption="no",
        referencetime=reference_time,
        stoptimeoption="extend",
        particlegroups=[group],
    )
    mp.write_input()
    return Path(sim_ws) / f"{name}.mpsim"


def run_modpath7(
    sim_ws: Path,
    nodes: np.ndarray,
    local: np.ndarray,
    direction: str,
    porosity,
    reference_time: float,
    weak_sinks: str = "pass_through",
    pathlines: bool = False,
    name: str = "mp",
    defaultiface: dict[str, int] | None = None,
) -> np.recarray:
    """Run MODPATH 7 on the MODFLOW 6 model in ``sim_ws`` (see :func:`write_modpath7`); returns
    its end points."""
    mpsim = write_modpath7(
        sim_ws,
        nodes,
        local,
        direction,
        porosity,
        reference_time,
        weak_sinks,
        pathlines,
        name,
        defaultiface,
    )
    proc = subprocess.run(
        [str(find_executable("mp7")), mpsim.name],
        cwd=sim_ws,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or "normal termination" not in proc.stdout.lower():
        raise RuntimeError("MODPATH 7 failed:\n" + proc.stdout[-2000:])
    return read_endpoints(Path(sim_ws) / f"{name}.mpend")


def read_endpoints(path: Path) -> np.recarray:
    """MODPATH 7 end points, sorted by particle id, after mending exponents written without E.

    MODPATH 7 writes numbers such as ``0.71-101`` (0.71e-101) when the exponent has three digits;
    flopy's reader mis-parses them, so the E goes back in first.
    """
    text = Path(path).read_text()
    mended = re.sub(r"(?<=[0-9.])([+-]\d{3})(?=\s|$)", r"E\1", text, flags=re.MULTILINE)
    if mended != text:
        Path(path).write_text(mended)
    data = flopy.utils.EndpointFile(str(path)).get_alldata()
    return np.sort(data, order="particleid")
