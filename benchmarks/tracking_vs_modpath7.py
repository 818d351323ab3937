"""gwsim's particle tracker against MODPATH 7 (and MODFLOW 6 PRT when given one): speed and parity.

Two heterogeneous steady models (wells, river, drain, recharge, ET, GHB, CHD): 450,000 cells
(5 x 300 x 300; 90,000 forward particles, 10,000 backward from the wells, the forward case with
pathlines) and 128,000 cells (4 x 160 x 200; 32,000 forward particles). Printed:

1. Parity of end points (same end cell, travel time within 1e-3 relative): MODPATH 7 told to put
   recharge and ET on the top face (DEFAULTIFACE RCH 6, EVT 6) against gwsim's default, and
   MODPATH 7 with its own default (empty DEFAULTIFACE, every package spread through the cell)
   against gwsim's ``iface={}``.
2. Timing, medians of ``--repeat`` runs, in seconds: MODPATH 7's whole run (it reads the budget
   file itself); gwsim in one process after ``import gwsim`` (``FlowField.from_mf6`` + the first
   ``track``: the in-process time, median over ``--repeat`` fresh processes, each one printed;
   and a warm ``track`` for reference); gwsim as a whole process
   (``python -c`` that imports gwsim, reads, tracks and writes the end points). The numba cache is
   the installed one (``make setup`` warms it), so nothing is compiled. The same in CPU time
   (user + system, all threads), steadier than wall time on a shared machine; and numba's
   start-up floor: ``import numba`` and the first call of a trivial cached function in a fresh
   process, which no first ``track`` can go below.
3. The kernel: cell crossings per second per core, against limits measured on this machine (a
   dependent random load over a buffer as large as the flow arrays, and the math of one crossing).

    python benchmarks/tracking_vs_modpath7.py [--repeat 3] [--only 450k|128k|small] [--prt PATH]

Measured 2026-12-01 (session 22) on a quiet machine (load ~1, after every branch of the session
was merged; ``--only 128k --repeat 5`` then ``--only 450k --repeat 3``; medians over fresh
processes):

=====  =========  ======  =============  =========  =============  =====================
model  case       MP7 s   read + 1st s   in-proc    whole process  in-proc / whole, CPU
=====  =========  ======  =============  =========  =============  =====================
450k   forward    10.49   0.29 + 1.05    7.9x       5.0x           5.8x / 3.9x
450k   wells      5.53    0.31 + 0.72    5.3x       3.2x           4.8x / 2.8x
450k   pathlines  37.54   0.25 + 1.94    17.1x      15.7x          12.6x / 11.3x
128k   forward    2.09    0.10 + 0.43    4.0x       1.7x           3.0x / 1.4x
=====  =========  ======  =============  =========  =============  =====================

Targets: in-process >= 10x (met for pathlines only), whole process >= 3x (met at 450k, missed
at 128k). Parity 100 % (top face; 450k wells 99.99 %: particle 2261's time differs by 0.26 %, as
in every earlier session), 100 % (``iface={}``); warm track 0.439 s (450k forward, 23.9x),
0.062 s (128k, 33.7x); the kernel at 0.97-1.35x the measured memory-latency limit.

What session 21's "unexplained" first-track gap most likely was (that run also came straight
after merges): the first fresh process after the tracking kernel's source changed compiles it
again (numba's cache is keyed on the source file's time stamp), here
4.19 s in-process at 128k in the run straight after a kernel change was merged, 0.49-0.59 s in the
four after it; with the cache warm the first process after MODPATH 7 is only somewhat slower
(450k forward 2.03 s against 1.23-1.43 s; not explained further). ``make`` set-up warms the cache, so a user never pays the compile. Found on the
way (session 22): a grid read from MODFLOW 6's files has read-only ``delr``/``delc``, a second
numba signature that a fresh installation compiled on its first track (6.6 s CPU); the kernel
now gets writable copies. Reading got 5.6x cheaper in session 21 (450k 1.06 -> 0.19 s CPU):
face flows from node offsets, the budget file mapped, NPF conductivity parsed only when used.

Out of reach for a numba kernel called from a fresh process: a first track pays numba's start-up,
measured above every run (``import numba`` 0.23 s CPU, the first call of a trivial cached
parallel function 0.44 s, of which ~0.3 s is numba importing scipy.linalg at start-up to check
for BLAS). 10x in-process at 128k needs read + first track <= 0.21 s (MP7 2.09 s), below that
floor alone; 3x whole process at 128k needs <= 0.70 s, below Python + ``import numba`` + first
call (~0.7 s) before the read (0.10 s) and the kernel (0.06 s); 10x in-process at 450k forward
needs <= 1.05 s, and start-up (0.44 s) + read (0.29 s) + flow arrays (0.12 s) + the warm kernel
(0.44 s) is 1.3 s. Loading the cached kernel in a background thread while the flow is read was
tried (session 22) and not kept: numba's start-up holds the GIL (imports, registries), no wall
gain was measurable.

MODFLOW 6 PRT: pass ``--prt`` (or set ``GWSIM_MF6_PRT``) to an mf6 with PRT (6.5 or later) for a
PRT column; none is installable here, so without one the column is skipped with a message. Wave 1
measured PRT (MODFLOW 6 6.7.0.dev2) on the 450,000-cell case at 31.1 s forward and 33.4 s with
pathlines (MODPATH 7 8.7 s and 36.9 s then), end points equal to MODPATH 7's.
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
TOLERANCE = 1e-3  # relative travel-time difference still counted as the same end point
MODELS = {  # label: (nlay, nrow, ncol, forward particles, backward particles or 0)
    "450k": (5, 300, 300, 90_000, 10_000),
    "128k": (4, 160, 200, 32_000, 0),
    "small": (3, 30, 40, 2_000, 300),  # a quick check of this script (--only small)
}
DEFAULT_MODELS = ("450k", "128k")
WAVE1_PRT = "31.1 s forward, 33.4 s pathlines (MODFLOW 6 6.7.0.dev2, wave 1, 450,000 cells)"
WHOLE_PROCESS = """
import sys, numpy as np
from gwsim import FlowField, track
ws, case, start, out = sys.argv[1:5]
flow = FlowField.from_mf6(ws, porosity={porosity})
res = track(flow, np.load(start), "backward" if case == "wells" else "forward",
            pathlines=case == "pathlines")
np.savez(out, cell=res.cell, t=res.t, x=res.x, y=res.y, z=res.z, status=res.status)
"""


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


def worker(ws: Path, case: str, start: Path, repeat: int, out: Path) -> None:
    """In this fresh process (gwsim imported): read, first track, ``repeat`` warm tracks, then
    the ends with ``iface={}`` and the crossings count; save the results beside ``out``.
    With ``repeat`` 0 only the read and the first track, timed (``out``'s .json)."""
    import resource

    t0 = time.perf_counter()
    from gwsim import FlowField
    from gwsim.tracking import track

    imported = time.perf_counter() - t0
    xyz = np.load(start)
    direction = "backward" if case == "wells" else "forward"
    pathlines = case == "pathlines"
    t0, c0 = time.perf_counter(), time.process_time()
    flow = FlowField.from_mf6(ws, porosity=POROSITY)
    read, read_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    res = track(flow, xyz, direction, pathlines=pathlines)
    first, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    timing = {"read": read, "first": first, "read_cpu": read_cpu, "first_cpu": first_cpu}
    if repeat == 0:
        out.with_suffix(".json").write_text(json.dumps(timing))
        return
    warm, warm_cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        track(flow, xyz, direction, pathlines=pathlines)
        warm.append(time.perf_counter() - t0)
        warm_cpu.append(time.process_time() - c0)
    spread = track(flow, xyz, direction, iface={})
    paths = res.pathlines or track(flow, xyz, direction, pathlines=True).pathlines
    crossings = int(np.diff(paths.offsets).sum() - 2 * len(xyz))
    np.savez(out, cell=res.cell, t=res.t, spread_cell=spread.cell, spread_t=spread.t)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    arrays = flow.derived["tracking"][1]
    nbytes = sum(a.nbytes for a in arrays if isinstance(a, np.ndarray))
    info = {"import": imported, "warm": warm, "rss_mb": rss, **timing}
    info.update(warm_cpu=warm_cpu, flow_array_bytes=nbytes)
    out.with_suffix(".json").write_text(json.dumps({**info, "crossings": crossings}))


def timed_child(cmd: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall time (s), peak resident memory (MiB) and CPU time (s, user + system, all threads) of
    a command run in its own wrapper process."""
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True); "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(time.perf_counter() - t, u.ru_maxrss, u.ru_utime + u.ru_stime, r.returncode)"
    )
    line = subprocess.run(
        [sys.executable, "-c", code, *cmd], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.split()
    if line[3] != "0":
        raise RuntimeError(f"{cmd} failed in {cwd}")
    return float(line[0]), float(line[1]) / 1024.0, float(line[2])


def modpath7_case(ws: Path, flow, case: str, n: int, repeat: int, defaultiface=None):
    """Write MODPATH 7 input once, run it ``repeat`` times; median wall and CPU time, peak MiB,
    end points.

    ``defaultiface`` as :func:`modpath7_reference.write_modpath7` (None: RCH and EVT on face 6).
    """
    from modpath7_reference import write_modpath7

    from gwsim.executables import find_executable

    nodes, local, _ = starts(flow, case, n)
    backward = case == "wells"
    name = f"mp_{case}" + ("_spread" if defaultiface == {} else "")
    mpsim = write_modpath7(
        ws,
        nodes,
        local,
        "backward" if backward else "forward",
        POROSITY,
        flow.times[-1] if backward else 0.0,
        pathlines=case == "pathlines",
        name=name,
        defaultiface=defaultiface,
    )
    runs = [timed_child([str(find_executable("mp7")), mpsim.name], ws) for _ in range(repeat)]
    ep = read_endpoints(ws / f"{name}.mpend")
    wall, cpu = (float(np.median([r[i] for r in runs])) for i in (0, 2))
    return wall, cpu, max(r[1] for r in runs), ep


def equal_ends(cell, t, ep, rtol: float = TOLERANCE) -> np.ndarray:
    """Same end cell as MODPATH 7 and travel time within ``rtol`` relative."""
    return (cell == ep["node"]) & (np.abs(t - ep["time"]) <= rtol * np.maximum(ep["time"], 1e-12))


def prt_executable(arg: str | None) -> str | None:
    """Path of a PRT-capable mf6 from ``--prt`` or ``GWSIM_MF6_PRT`` (None when absent)."""
    path = arg or os.environ.get("GWSIM_MF6_PRT")
    if path and not Path(path).is_file():
        raise SystemExit(f"--prt {path}: no such file")
    return path or None


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


FLOOR_KERNEL = """
from numba import njit, prange

@njit(parallel=True, cache=True)
def total(a):
    s = 0.0
    for i in prange(a.size):
        s += a[i]
    return s
"""
FLOOR_PROCESS = """
import sys, time
import numpy as np
if sys.argv[1] == "scipy":
    import scipy.linalg
c0 = time.process_time()
import numba
c1 = time.process_time()
import floor_kernel
floor_kernel.total(np.ones(8))
print(c1 - c0, time.process_time() - c1)
"""


def numba_floor(tmp: Path, repeat: int) -> dict[str, float]:
    """numba's start-up in a fresh process (CPU s, medians): ``import numba``, and the first call
    of a trivial cached parallel function (nothing compiled: the cache is filled first), also
    with scipy.linalg imported beforehand (numba imports it on its first call to look for BLAS).
    """
    (tmp / "floor_kernel.py").write_text(FLOOR_KERNEL)

    def run(mode: str) -> list[float]:
        out = subprocess.run(
            [sys.executable, "-c", FLOOR_PROCESS, mode],
            cwd=tmp,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(tmp)},
        )
        return [float(v) for v in out.stdout.split()]

    run("plain")  # fills the cache
    plain = [run("plain") for _ in range(repeat)]
    with_scipy = [run("scipy") for _ in range(repeat)]
    return {
        "import": float(np.median([r[0] for r in plain])),
        "first_call": float(np.median([r[1] for r in plain])),
        "first_call_scipy_loaded": float(np.median([r[1] for r in with_scipy])),
    }


def machine_limits(nbytes: int) -> dict[str, float]:
    """ns per dependent random load over ``nbytes`` (pointer chase) and per crossing's math.

    The kernel's critical path per crossing is one dependent load (the neighbour's number, then
    its record); its arithmetic is about three logarithms, two ``expm1`` and ten divisions.
    Both measured in CPU time on one core.
    """
    from numba import njit

    @njit
    def chase(nxt, steps):
        i = 0
        for _ in range(steps):
            i = nxt[i]
        return i

    @njit
    def math(v, steps):
        acc = 0.0
        for k in range(steps):
            a = v[k & 1023]
            acc += np.log(a / 1.3) / a + np.log(a * 1.7) / 3.1 + np.log(a + 2.0) / 0.7
            acc += np.expm1(a * 0.01) / a + np.expm1(-a * 0.02) / 1.9 + a / (acc + 1.0)
        return acc

    n = max(nbytes // 8, 1 << 16)
    order = np.random.default_rng(0).permutation(n)
    nxt = np.empty(n, np.int64)
    nxt[order] = np.roll(order, -1)  # one cycle through every slot, in random order
    v = np.random.default_rng(1).uniform(0.5, 2.0, 1024)
    chase(nxt, 10)
    math(v, 10)
    steps = 2_000_000
    t0 = time.process_time()
    chase(nxt, steps)
    latency = (time.process_time() - t0) / steps * 1e9
    t0 = time.process_time()
    math(v, steps)
    compute = (time.process_time() - t0) / steps * 1e9
    return {"latency_ns": latency, "math_ns": compute}


def run_model(label: str, args, tmp: Path, prt_exe: str | None) -> list[dict]:
    """Build and run one model, then every case on it; one dict of results per case."""
    from gwsim import FlowField

    nlay, nrow, ncol, n_forward, n_backward = MODELS[label]
    ws = tmp / label
    ws.mkdir()
    t0 = time.perf_counter()
    build_flow_model(ws, nlay=nlay, nrow=nrow, ncol=ncol, wells_per_side=4)
    print(
        f"{label}: flow model {nlay} x {nrow} x {ncol} built and run in "
        f"{time.perf_counter() - t0:.1f} s ({ws})",
        flush=True,
    )
    flow = FlowField.from_mf6(ws, porosity=POROSITY)
    cases = [("forward", n_forward)]
    if n_backward:
        cases += [("wells", n_backward), ("pathlines", n_forward)]
    rows = []
    for case, n in cases:
        _, _, xyz = starts(flow, case, n)
        start = tmp / f"{label}_{case}_start.npy"
        np.save(start, xyz)
        mp_t, mp_cpu, mp_mem, ep = modpath7_case(ws, flow, case, n, args.repeat)
        *_, ep_spread = modpath7_case(ws, flow, case, n, 1, defaultiface={})
        out = tmp / f"{label}_{case}.npz"
        command = [sys.executable, __file__, "--worker", str(ws), case, str(start)]
        subprocess.run([*command, str(out), "--repeat", str(args.repeat)], check=True)
        res = dict(np.load(out))
        info = json.loads(out.with_suffix(".json").read_text())
        # read + first track: medians over fresh processes, as the whole-process time (the
        # first process after MODPATH 7's runs is kept apart: one sample, it ran up to 1 s long)
        timed = tmp / f"{label}_{case}_timing.npz"
        fresh = []
        for _ in range(args.repeat):
            subprocess.run([*command, str(timed), "--repeat", "0"], check=True)
            fresh.append(json.loads(timed.with_suffix(".json").read_text()))
        code = WHOLE_PROCESS.format(porosity=POROSITY)
        ends = tmp / f"{label}_{case}_process.npz"
        whole = [
            timed_child([sys.executable, "-c", code, str(ws), case, str(start), str(ends)], tmp)
            for _ in range(args.repeat)
        ]
        row = {
            "model": label,
            "case": case,
            "particles": len(ep),
            "mp7": mp_t,
            "mp7_cpu": mp_cpu,
            "mp7_mib": mp_mem,
            **{k: float(np.median([f[k] for f in fresh])) for k in ("read", "first", "first_cpu")},
            "inproc_cpu": float(np.median([f["read_cpu"] + f["first_cpu"] for f in fresh])),
            "first_process": info["read"] + info["first"],
            "fresh_inproc": [f["read"] + f["first"] for f in fresh],
            "warm": float(np.median(info["warm"])),
            "warm_cpu": float(np.median(info["warm_cpu"])),
            "whole": float(np.median([w[0] for w in whole])),
            "whole_cpu": float(np.median([w[2] for w in whole])),
            "gwsim_mib": max(w[1] for w in whole),
            "crossings": info["crossings"],
            "flow_array_bytes": info["flow_array_bytes"],
            "top_face": equal_ends(res["cell"], res["t"], ep).mean(),
            "spread": equal_ends(res["spread_cell"], res["spread_t"], ep_spread).mean(),
            "mixed": equal_ends(res["cell"], res["t"], ep_spread).mean(),
            "prt": np.nan,
            "prt_equal": np.nan,
        }
        if prt_exe and case != "wells":
            prt_t, _, prt_ep = prt_case(ws, flow, case, n, args.repeat, prt_exe)
            row["prt"], row["prt_equal"] = (
                prt_t,
                equal_ends(prt_ep["node"], prt_ep["time"], ep).mean(),
            )
        rows.append(row)
        print(f"  {case}: done", flush=True)
    return rows


def report(rows: list[dict], args, prt_exe: str | None, tmp: Path) -> None:
    """Print the parity, timing and kernel tables."""
    cores = os.cpu_count()
    load = os.getloadavg()[0]
    print(f"\nmedians of {args.repeat} runs; {cores} CPUs; load average {load:.1f} at the end")
    print("\n1. Parity: share of end points equal to MODPATH 7's (same cell, time within 1e-3)")
    head = f"{'model':<5} {'case':<10} {'particles':>9} {'top face':>9} {'spread':>9} {'mixed':>9}"
    print(head + "\n" + "-" * len(head))
    for r in rows:
        print(
            f"{r['model']:<5} {r['case']:<10} {r['particles']:>9,} {r['top_face']:>9.2%} "
            f"{r['spread']:>9.2%} {r['mixed']:>9.2%}"
        )
    print(
        "top face: MODPATH 7 DEFAULTIFACE RCH 6 / EVT 6 vs gwsim's default; spread: MODPATH 7's "
        "default (empty DEFAULTIFACE) vs iface={}; mixed: MODPATH 7's default vs gwsim's default."
    )

    print("\n2. Time (s): MODPATH 7 whole run; gwsim in one process and as a whole process")
    head = (
        f"{'model':<5} {'case':<10} {'MP7':>6} {'read':>6} {'1st track':>9} {'in-proc':>7} "
        f"{'ratio':>6} {'warm':>6} {'ratio':>6} {'process':>7} {'ratio':>6} {'MP7 MiB':>7} "
        f"{'gwsim MiB':>9} {'PRT':>6}"
    )
    print(head + "\n" + "-" * len(head))
    for r in rows:
        inproc = r["read"] + r["first"]
        prt = "   n/a" if np.isnan(r["prt"]) else f"{r['prt']:>6.2f}"
        print(
            f"{r['model']:<5} {r['case']:<10} {r['mp7']:>6.2f} {r['read']:>6.2f} "
            f"{r['first']:>9.3f} {inproc:>7.2f} {r['mp7'] / inproc:>5.1f}x {r['warm']:>6.3f} "
            f"{r['mp7'] / r['warm']:>5.1f}x {r['whole']:>7.2f} {r['mp7'] / r['whole']:>5.1f}x "
            f"{r['mp7_mib']:>7.0f} {r['gwsim_mib']:>9.0f} {prt}"
        )
    print(
        "in-proc = FlowField.from_mf6 + first track after import gwsim (median over fresh "
        "processes); warm = a later track; process = python -c importing gwsim, reading, "
        "tracking, writing the end points; ratio = MODPATH 7 / gwsim."
    )
    print(
        "in-proc of each fresh process (s): "
        + "; ".join(
            f"{r['model']} {r['case']} {r['first_process']:.2f} (the first, after MODPATH 7), "
            + ", ".join(f"{t:.2f}" for t in r["fresh_inproc"])
            for r in rows
        )
    )
    print("\nCPU time (s, user + system, all threads; steadier than wall time on a busy machine)")
    head = (
        f"{'model':<5} {'case':<10} {'MP7':>6} {'in-proc':>7} {'ratio':>6} {'process':>7} "
        f"{'ratio':>6}"
    )
    print(head + "\n" + "-" * len(head))
    for r in rows:
        print(
            f"{r['model']:<5} {r['case']:<10} {r['mp7_cpu']:>6.2f} {r['inproc_cpu']:>7.2f} "
            f"{r['mp7_cpu'] / r['inproc_cpu']:>5.1f}x {r['whole_cpu']:>7.2f} "
            f"{r['mp7_cpu'] / r['whole_cpu']:>5.1f}x"
        )
    floor = numba_floor(tmp, args.repeat)
    print(
        f"numba's start-up floor, fresh process, CPU: import numba {floor['import']:.2f} s; first "
        f"call of a trivial cached function {floor['first_call']:.2f} s "
        f"({floor['first_call_scipy_loaded']:.2f} s with scipy.linalg already imported: numba "
        "imports it on a first call to look for BLAS). gwsim's first track - warm track (CPU): "
        + ", ".join(
            f"{r['model']} {r['case']} {r['first_cpu'] - r['warm_cpu']:.2f} s" for r in rows
        )
        + " (flow arrays and numba's start-up)."
    )
    if prt_exe is None:
        print(
            "MODFLOW 6 PRT: skipped (no PRT-capable mf6 given: pass --prt PATH to an mf6 6.5 "
            f"or later). Measured in wave 1: {WAVE1_PRT}; MODPATH 7 8.7 s / 36.9 s then; "
            "end points equal to MODPATH 7's."
        )
    else:
        print(
            f"PRT: {prt_exe}; equal to MODPATH 7's end points: "
            + ", ".join(f"{r['case']} {r['prt_equal']:.2%}" for r in rows if not np.isnan(r["prt"]))
        )

    print("\n3. Kernel: cell crossings per core against this machine's limits")
    head = (
        f"{'model':<5} {'case':<10} {'crossings':>11} {'cpu s':>6} {'M/s/core':>8} "
        f"{'ns/cross':>8} {'latency':>7} {'math':>6} {'x limit':>7}"
    )
    print(head + "\n" + "-" * len(head))
    for r in rows:
        if r["case"] == "pathlines":
            continue
        limits = machine_limits(r["flow_array_bytes"])
        ns = r["warm_cpu"] / r["crossings"] * 1e9
        limit = max(limits["latency_ns"], limits["math_ns"])
        print(
            f"{r['model']:<5} {r['case']:<10} {r['crossings']:>11,} {r['warm_cpu']:>6.3f} "
            f"{1e3 / ns:>8.2f} {ns:>8.1f} {limits['latency_ns']:>7.1f} "
            f"{limits['math_ns']:>6.1f} {ns / limit:>6.2f}x"
        )
    print(
        "cpu s: CPU time of a warm track (all threads); latency: ns per dependent random load "
        "over a buffer as large as the flow arrays; math: ns for one crossing's logs, expm1 and "
        "divisions; x limit = ns per crossing / max(latency, math)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=sorted(MODELS), default=None)
    parser.add_argument("--prt", default=None)
    parser.add_argument(
        "--worker", nargs=4, metavar=("WS", "CASE", "START", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        ws, case, start, out = args.worker
        worker(Path(ws), case, Path(start), args.repeat, Path(out))
        return
    prt_exe = prt_executable(args.prt)
    tmp = Path(tempfile.mkdtemp(prefix="gwsim_bench_track_"))
    rows = []
    for label in [args.only] if args.only else DEFAULT_MODELS:
        rows += run_model(label, args, tmp, prt_exe)
    report(rows, args, prt_exe, tmp)


if __name__ == "__main__":
    main()
