"""What both engine cross-checks share (benchmarks/transport_mf6_vs_mt3d.py and
benchmarks/transport_sites.py): run both engines, tabulate them at receptors, time a flow run."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np

from gwsim.engines import run_flow
from gwsim.errors import Mf6DispersionWarning
from gwsim.solute import transport
from gwsim.spec import ModelSpec

FLOOR = 1e-3  # of the plumes' peak: receptors below it are "not reached", not compared


def run_engines(flow, sources, times, workspace: Path | None = None, **kwargs):
    """Plumes and wall times (s) of both engines on ``flow`` (in ``workspace``/engine if given);
    a Mf6DispersionWarning is printed, not raised."""
    plumes, seconds = {}, {}
    for engine in ("mt3d", "mf6"):
        ws = None if workspace is None else workspace / engine
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", Mf6DispersionWarning)
            plumes[engine] = transport(flow, sources, times, engine=engine, workspace=ws, **kwargs)
        seconds[engine] = time.perf_counter() - start
        for w in caught:
            print(f"warning ({w.category.__name__}): {str(w.message)[:160]}...")
    return plumes, seconds


def table(title: str, receptors, names, plumes, seconds, flow_seconds, exact=None) -> float:
    """Print one problem's table; return the largest |MT3D/MF6 − 1| at the receptors that either
    engine reached (a peak of at least :data:`FLOOR` of the plumes' peak)."""
    times = plumes["mf6"].times
    series = {e: np.array([p.at(receptors, t) for t in times]) for e, p in plumes.items()}
    if exact is not None:
        series["analytic"] = exact
    print(f"\n== {title}")
    columns = [e for e in ("mf6", "mt3d", "analytic") if e in series]
    head = f"{'receptor':<26}" + "".join(f"{c + ' peak':>15}{'t (d)':>8}" for c in columns)
    head += f"{'MT3D/MF6-1':>12}"
    if exact is not None:
        head += f"{'MF6/an-1':>10}{'MT3D/an-1':>11}"
    print(head)
    print("-" * len(head))
    worst = 0.0
    floor = FLOOR * max(np.nanmax(p.concentration.values) for p in plumes.values())
    for n, name in enumerate(names):
        peaks = {c: series[c][:, n].max() for c in columns}
        line = f"{name:<26}"
        for c in columns:
            line += f"{peaks[c]:>15.4g}{times[np.argmax(series[c][:, n])]:>8g}"
        if max(peaks["mt3d"], peaks["mf6"]) < floor:
            line += f"{'not reached':>12}"
        else:
            diff = peaks["mt3d"] / peaks["mf6"] - 1
            worst = max(worst, abs(diff))
            line += f"{diff:>+12.1%}"
        if exact is not None:
            line += f"{peaks['mf6'] / peaks['analytic'] - 1:>+10.1%}"
            line += f"{peaks['mt3d'] / peaks['analytic'] - 1:>+11.1%}"
        print(line)
    print(
        f"wall time: MF6 GWT {seconds['mf6']:.1f} s, MT3D-USGS {seconds['mt3d']:.1f} s"
        f" (shared MODFLOW 6 flow run {flow_seconds:.1f} s); largest |MT3D/MF6 - 1| {worst:.1%}"
    )
    return worst


def timed_flow(spec: ModelSpec, workspace: Path):
    start = time.perf_counter()
    flow = run_flow(spec, workspace)
    return flow, time.perf_counter() - start
