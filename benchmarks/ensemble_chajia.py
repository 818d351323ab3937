"""Ensemble of the Chajia steady protection case (scenarios/chajia_uncertainty.toml): wall time,
per-realization overhead, speed-up from 1 to 2 workers, and the reducer's peak memory.

Targets (issue 13), on a quiet 2-core machine: 200 realizations in <= 10 min with 2 workers;
overhead (everything but the MODFLOW 6 solve and the tracking) <= 20 % of a realization;
speed-up 1 -> 2 workers >= 1.7; reducer peak memory independent of the number of realizations.

    python benchmarks/ensemble_chajia.py [--realizations 200] [--single 20] [--profile 3]
        [--out DIR]

* ensemble rows: ``run_ensemble`` with 2 local worker processes (``--realizations``), then with 1
  (``--single``, fewer to save time) on the same seed, in fresh record folders; wall time without
  the deterministic run, cluster start included; the speed-up compares time per realization;
* overhead row: ``--profile`` realizations run here one at a time, timing the ``mf6`` process
  (``run_program``) and ``gwsim.track`` (kernel and its start-point set-up) inside them; the rest
  (building the spec and fields, flopy writing the input files, reading heads and budgets,
  zones to polygons and masks) is the overhead;
* memory rows: ``tracemalloc`` peak of reducing N synthetic realizations of the Chajia lattice:
  the maps' counts are fixed by the lattice; each realization adds one short row of numbers.

Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

import gwsim.capture
import gwsim.engines.mf6
from gwsim.ensemble.realization import RealizationResult, run_realization
from gwsim.ensemble.reduce import Reducer
from gwsim.ensemble.runner import run_ensemble
from gwsim.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "chajia_uncertainty.toml"


def timed(module, name: str, totals: dict):
    """Wrap ``module.name`` so that its wall time adds up in ``totals[name]``."""
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + time.perf_counter() - start

    setattr(module, name, wrapper)
    return original


def profile(plan, count: int) -> dict:
    """Mean per-realization wall, solve and tracking time (s) over ``count`` realizations."""
    run_realization(plan, 10_000)  # warm-up: JIT compilation, imports
    totals: dict = {}
    originals = [
        (gwsim.engines.mf6, "run_program", timed(gwsim.engines.mf6, "run_program", totals)),
        (gwsim.capture, "track", timed(gwsim.capture, "track", totals)),
    ]
    try:
        start = time.perf_counter()
        for i in range(count):
            run_realization(plan, 10_001 + i)
        wall = time.perf_counter() - start
    finally:
        for module, name, original in originals:
            setattr(module, name, original)
    return {
        "wall": wall / count,
        "solve": totals["run_program"] / count,
        "track": totals["track"] / count,
    }


def reducer_peak(n: int, shape: tuple[int, int], maps: list[str]) -> int:
    """Peak bytes allocated while reducing ``n`` synthetic realizations of the given lattice."""
    rng = np.random.default_rng(0)
    masks = {m: np.packbits(rng.random(shape[0] * shape[1]) < 0.1) for m in maps}
    values = {f"p{j}": 1.0 for j in range(5)}
    timings = {"build": 1.0, "flow": 1.0, "zones": 1.0}
    tracemalloc.start()
    reducer = Reducer()
    for i in range(n):
        areas = {f"chajia {z}": float(i) for z in ("class1", "class2", "quasi")}
        reducer.add(RealizationResult(i, masks, shape, areas, values, timings))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realizations", type=int, default=200, help="with 2 workers")
    parser.add_argument("--single", type=int, default=20, help="realizations with 1 worker")
    parser.add_argument("--profile", type=int, default=3, help="realizations timed in detail")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    scenario = load_scenario(SCENARIO)
    out = args.out or Path(tempfile.mkdtemp(prefix="gwsim-ensemble-bench-"))
    rows = []
    per_realization = {}
    for workers, count in ((2, args.realizations), (1, args.single)):
        run = run_ensemble(
            scenario.plan,
            count,
            out / f"workers{workers}",
            workers=workers,
            progress=False,
            log=lambda *a: None,
        )
        per_realization[workers] = run.wall_s / count
        rows.append(
            (
                f"{count} realizations, {workers} worker(s)",
                f"{run.wall_s:.1f} s",
                f"{run.wall_s / count:.2f} s per realization (cluster start included)",
            )
        )
        if workers == 2:
            target = 600.0 * count / 200
            rows.append(("  vs target", f"{run.wall_s:.1f} s", f"<= {target:.0f} s (10 min / 200)"))
        shape, maps = run.deterministic.shape, list(run.deterministic.masks)
    speedup = per_realization[1] / per_realization[2]
    rows.append(("speed-up 1 -> 2 workers", f"{speedup:.2f}", "per realization; target >= 1.7"))
    p = profile(scenario.plan, args.profile)
    overhead = p["wall"] - p["solve"] - p["track"]
    rows.append(("realization wall (serial)", f"{p['wall']:.2f} s", ""))
    rows.append(("  mf6 solve (process)", f"{p['solve']:.2f} s", ""))
    rows.append(("  tracking (gwsim.track)", f"{p['track']:.2f} s", ""))
    rows.append(
        (
            "  overhead (the rest)",
            f"{overhead:.2f} s",
            f"{100 * overhead / p['wall']:.0f} % (target <= 20 %)",
        )
    )
    peaks = {n: reducer_peak(n, shape, maps) for n in (200, 2000)}
    for n, peak in peaks.items():
        rows.append((f"reducer peak, N = {n}", f"{peak / 1e6:.2f} MB", f"lattice {shape}"))
    growth = (peaks[2000] - peaks[200]) / 1800
    rows.append(("  growth per realization", f"{growth:.0f} B", "its row of areas/values/timings"))
    print("| quantity | value | note |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nrecords and models in {out}")


if __name__ == "__main__":
    main()
