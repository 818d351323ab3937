"""gwsim's particle tracker against MODPATH 7 (and MODFLOW 6 PRT when available): speed and parity.

Prints one table: model size, particles, MODPATH 7 time, gwsim time cold (first call in a fresh
process, JIT compilation included) and warm (median of repeated calls), their ratio, the share of
equal end points (same end cell, travel time within 1e-4 relative) and the peak memory (resident
set) of each program. Times are medians of ``--repeat`` runs, in seconds.

Cases on a heterogeneous steady model (5 x 300 x 300 cells by default, wells, river, drain,
recharge, ET, GHB, CHD): 90,000 forward particles (one per column, random depth), 10,000 backward
particles on rings around the pumping wells, and the forward case again with pathlines.

    python benchmarks/tracking_vs_modpath7.py [--nrow 300 --ncol 300 --nlay 5] [--repeat 3]
        [--prt PATH_TO_PRT_CAPABLE_MF6]

MODFLOW 6 PRT: pass ``--prt`` or set ``GWSIM_MF6_PRT`` to an mf6 built with
``/work/shared/tools/build-mf6-prt.sh PREFIX``; without one the PRT column is skipped with a
message.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from modpath7_reference import build_flow_model, read_endpoints  # noqa: E402

POROSITY = 0.25


def starts(flow, case: str, n: int, seed: int = 7):
    """(nodes, local coordinates, xyz) of a case's particles."""
    from modpath7_reference import lattice_starts

    from gwsim.tracking.startpoints import well_screen_points

    if case != "wells":
        return lattice_starts(flow, per_cell=1, seed=seed, max_particles=n)
    wells = flow.sources["wel_0"][0]
    pumping = np.argwhere(wells < 0)
    per_well = int(np.ceil(n / len(pumping)))
    n_vertical = 5
    xyz, layers = [], []
    for k, i, j in pumping:
        xc = flow.grid.xcenters[i, j]
        yc = flow.grid.ycenters[i, j]
        bot, top = flow.grid.botm[k, i, j], flow.grid.cell_top[k, i, j]
        pad = 0.05 * (top - bot)
        xyz.append(
            well_screen_points(
                flow,
                (xc, yc, bot + pad, top - pad),
                radius=0.3 * flow.grid.delr[j],
                n_around=int(np.ceil(per_well / n_vertical)),
                n_vertical=n_vertical,
            )
        )
        layers.append(np.full(len(xyz[-1]), k))
    xyz = np.concatenate(xyz)[:n]
    lay = np.concatenate(layers)[:n]
    _, row, col = flow.grid.locate(xyz[:, 0], xyz[:, 1])
    nodes = np.ravel_multi_index((lay, row, col), flow.shape)
    xl, yl = flow.grid.to_local(xyz[:, 0], xyz[:, 1])
    local = np.column_stack(
        [
            (xl - flow.grid.x_edges_local[:-1][col]) / flow.grid.delr[col],
            (yl - flow.grid.y_edges_local[1:][row]) / flow.grid.delc[row],
            (xyz[:, 2] - flow.grid.botm.ravel()[nodes])
            / (flow.grid.cell_top.ravel()[nodes] - flow.grid.botm.ravel()[nodes]),
        ]
    )
    return nodes, local, xyz


def worker(ws: Path, case: str, n: int, repeat: int, out: Path) -> None:
    """Run gwsim in this (fresh) process: cold call, then ``repeat`` warm calls; save results."""
    import resource

    from gwsim import FlowField
    from gwsim.tracking import track

    flow = FlowField.from_mf6(ws, porosity=POROSITY)
    _, _, xyz = starts(flow, case, n)
    direction = "backward" if case == "wells" else "forward"
    pathlines = case == "pathlines"
    t0 = time.perf_counter()
    res = track(flow, xyz, direction, pathlines=pathlines)
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = track(flow, xyz, direction, pathlines=pathlines)
        warm.append(time.perf_counter() - t0)
    np.savez(out, cell=res.cell, t=res.t)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    out.with_suffix(".json").write_text(json.dumps({"cold": cold, "warm": warm, "rss_mb": rss}))


def timed_child(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MiB) of a command run in its own wrapper process."""
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
        "r.returncode)"
    )
    line = subprocess.run(
        [sys.executable, "-c", code, *cmd], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.split()
    if line[2] != "0":
        raise RuntimeError(f"{cmd} failed in {cwd}")
    return float(line[0]), float(line[1]) / 1024.0


def modpath7_case(ws: Path, flow, case: str, n: int, repeat: int):
    """Write MODPATH 7 input once, run it ``repeat`` times; median time, peak MiB, end points."""
    from modpath7_reference import write_modpath7

    from gwsim.executables import find_executable

    nodes, local, _ = starts(flow, case, n)
    backward = case == "wells"
    mpsim = write_modpath7(
        ws,
        nodes,
        local,
        "backward" if backward else "forward",
        POROSITY,
        flow.times[-1] if backward else 0.0,
        pathlines=case == "pathlines",
        name=f"mp_{case}",
    )
    runs = [timed_child([str(find_executable("mp7")), mpsim.name], ws) for _ in range(repeat)]
    ep = read_endpoints(ws / f"mp_{case}.mpend")
    return float(np.median([r[0] for r in runs])), max(r[1] for r in runs), ep


def equal_ends(cell, t, ep) -> np.ndarray:
    """Same end cell as MODPATH 7 and travel time within 1e-4 relative."""
    return (cell == ep["node"]) & (np.abs(t - ep["time"]) <= 1e-4 * np.maximum(ep["time"], 1e-12))


def prt_executable(arg: str | None) -> str | None:
    """Path of a PRT-capable mf6 from ``--prt`` or ``GWSIM_MF6_PRT`` (None when absent)."""
    path = arg or os.environ.get("GWSIM_MF6_PRT")
    return path if path and Path(path).is_file() else None


def prt_case(ws: Path, flow, case: str, n: int, repeat: int, exe: str):
    """MODFLOW 6 PRT on the same flow (FMI) and start points: median time, peak MiB, end points.

    PRT tracks forward only, so the backward case is not run. Release points are given in
    grid-local coordinates (as MODPATH 7 writes them); ``extend_tracking`` is MODPATH 7's
    "extend" stop option; recharge and ET enter through the top face (IFLOWFACE -1 in the flow
    model), as MODPATH 7's defaultiface 6.
    """
    import flopy

    from gwsim.engines.mf6 import dis_keywords

    nodes, _, xyz = starts(flow, case, n)
    prt_ws = ws.parent / f"prt_{case}"
    prt_ws.mkdir(exist_ok=True)
    sim = flopy.mf6.MFSimulation(
        sim_name="prt", sim_ws=str(prt_ws), exe_name=exe, verbosity_level=0
    )
    flopy.mf6.ModflowTdis(sim, nper=1, perioddata=[(float(flow.times[-1]), 1, 1.0)])
    prt = flopy.mf6.ModflowPrt(sim, modelname="prt")
    flopy.mf6.ModflowPrtdis(prt, **dis_keywords(flow.grid))
    flopy.mf6.ModflowPrtmip(prt, porosity=POROSITY)
    lay, row, col = np.unravel_index(nodes, flow.shape)
    xl, yl = flow.grid.to_local(xyz[:, 0], xyz[:, 1])
    release = [
        (i, (int(k), int(r), int(c)), float(x), float(y), float(z))
        for i, (k, r, c, x, y, z) in enumerate(zip(lay, row, col, xl, yl, xyz[:, 2], strict=True))
    ]
    flopy.mf6.ModflowPrtprp(
        prt,
        nreleasepts=len(release),
        packagedata=release,
        perioddata={0: ["FIRST"]},
        extend_tracking=True,
        coordinate_check_method=None,
        exit_solve_tolerance=1e-10,
    )
    pathlines = case == "pathlines"  # every cell exit is recorded, as MODPATH 7's pathlines
    flopy.mf6.ModflowPrtoc(
        prt,
        track_filerecord="prt.trk",
        track_release=False,
        track_exit=pathlines,
        track_timestep=False,
        track_terminate=True,
    )
    flopy.mf6.ModflowPrtfmi(
        prt, packagedata=[("GWFHEAD", str(ws / "trk.hds")), ("GWFBUDGET", str(ws / "trk.cbc"))]
    )
    ems = flopy.mf6.ModflowEms(sim)
    sim.register_solution_package(ems, [prt.name])
    sim.write_simulation(silent=True)
    runs = [timed_child([exe], prt_ws) for _ in range(repeat)]
    names, formats = (line.split(",") for line in (prt_ws / "prt.trk.hdr").read_text().split())
    dtype = np.dtype(list(zip(names, formats, strict=True)))
    track = np.fromfile(prt_ws / "prt.trk", dtype=dtype)
    end = track[track["ireason"] == 3]
    order = np.argsort(end["irpt"])
    end = end[order]
    ends = np.zeros(len(release), dtype=[("node", int), ("time", float)])
    ends["node"][end["irpt"] - 1] = end["icell"] - 1
    ends["time"][end["irpt"] - 1] = end["t"] - end["trelease"]
    return float(np.median([r[0] for r in runs])), max(r[1] for r in runs), ends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nlay", type=int, default=5)
    parser.add_argument("--nrow", type=int, default=300)
    parser.add_argument("--ncol", type=int, default=300)
    parser.add_argument("--forward", type=int, default=90_000)
    parser.add_argument("--backward", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--prt", default=None)
    parser.add_argument(
        "--worker", nargs=4, metavar=("WS", "CASE", "N", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        ws, case, n, out = args.worker
        worker(Path(ws), case, int(n), args.repeat, Path(out))
        return

    from gwsim import FlowField

    tmp = Path(tempfile.mkdtemp(prefix="gwsim_bench_track_"))
    ws = tmp / "model"
    ws.mkdir()
    t0 = time.perf_counter()
    build_flow_model(ws, nlay=args.nlay, nrow=args.nrow, ncol=args.ncol, wells_per_side=4)
    print(
        f"flow model {args.nlay}x{args.nrow}x{args.ncol} built and run in "
        f"{time.perf_counter() - t0:.1f} s ({ws})"
    )
    flow = FlowField.from_mf6(ws, porosity=POROSITY)
    prt_exe = prt_executable(args.prt)
    cases = [("forward", args.forward), ("wells", args.backward), ("pathlines", args.forward)]
    rows = []
    for case, n in cases:
        mp_time, mp_mem, ep = modpath7_case(ws, flow, case, n, args.repeat)
        out = tmp / f"gwsim_{case}.npz"
        env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp / f"numba_cache_{case}")}  # cold = JIT
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--repeat",
                str(args.repeat),
                "--worker",
                str(ws),
                case,
                str(n),
                str(out),
            ],
            check=True,
            env=env,
        )
        res = np.load(out)
        info = json.loads(out.with_suffix(".json").read_text())
        warm = float(np.median(info["warm"]))
        same = equal_ends(res["cell"], res["t"], ep)
        prt = (np.nan, np.nan)
        if prt_exe and case != "wells":
            prt_t, _, prt_ep = prt_case(ws, flow, case, n, args.repeat, prt_exe)
            prt = (prt_t, equal_ends(prt_ep["node"], prt_ep["time"], ep).mean())
        rows.append(
            (
                case,
                n,
                len(ep),
                mp_time,
                info["cold"],
                warm,
                mp_time / warm,
                same.mean(),
                mp_mem,
                info["rss_mb"],
                *prt,
            )
        )
    cells = args.nlay * args.nrow * args.ncol
    print(
        f"\nModel: {cells:,} cells ({args.nlay} x {args.nrow} x {args.ncol}), "
        f"median of {args.repeat} runs, {os.cpu_count()} CPUs"
    )
    head = (
        f"{'case':<10} {'particles':>9} {'MODPATH7 s':>10} {'gwsim cold s':>12} "
        f"{'gwsim warm s':>12} {'ratio':>7} {'equal ends':>10} {'MP7 MiB':>8} "
        f"{'gwsim MiB':>9} {'PRT s':>7} {'PRT=MP7':>8}"
    )
    print(head)
    print("-" * len(head))
    for case, n, _, mp_t, cold, warm, ratio, share, mp_mem, g_mem, prt_t, prt_share in rows:
        prt_cols = "    n/a      n/a" if np.isnan(prt_t) else f"{prt_t:>7.2f} {prt_share:>8.2%}"
        print(
            f"{case:<10} {n:>9,} {mp_t:>10.2f} {cold:>12.2f} {warm:>12.3f} {ratio:>6.1f}x "
            f"{share:>10.2%} {mp_mem:>8.0f} {g_mem:>9.0f} {prt_cols}"
        )
    print("ratio = MODPATH 7 time / gwsim warm time; gwsim MiB includes reading the flow field.")
    if prt_exe is None:
        print(
            "MODFLOW 6 PRT columns skipped: no PRT-capable mf6 found (build one with "
            "/work/shared/tools/build-mf6-prt.sh PREFIX, then pass --prt PREFIX/bin/mf6 or set "
            "GWSIM_MF6_PRT)."
        )
    else:
        print(
            f"PRT: {prt_exe}; PRT=MP7 is the share of PRT end points equal to MODPATH 7's; PRT "
            "tracks forward only (n/a for the backward case)."
        )


if __name__ == "__main__":
    main()
