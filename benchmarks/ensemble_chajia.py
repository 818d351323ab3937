"""Ensemble of the Chajia steady protection case (scenarios/chajia_uncertainty.toml): where a
realization's time goes, the per-realization overhead, the speed-up from 1 to 2 workers, the time
of 200 realizations, and the reducer's peak memory.

Targets (issue 13), on a quiet 2-core machine: 200 realizations in <= 10 min with 2 workers;
overhead (everything but the MODFLOW 6 solve and the tracking kernel) <= 20 % of a realization;
speed-up 1 -> 2 workers >= 1.7; reducer peak memory independent of the number of realizations.

    python benchmarks/ensemble_chajia.py [--realizations 200] [--single 20] [--profile 5]
        [--flopy] [--out DIR]

* stage table: ``--profile`` realizations run here one after another (after one warm-up, which
  also writes the MODFLOW 6 template); each stage's wall and CPU seconds (CPU: this process and
  its threads, plus the mf6 child process), median over the realizations that succeeded. Stages
  are exclusive: "tracking set-up" is ``gwsim.track`` without its numba kernel, "zone geometry"
  the protection zones without ``gwsim.track``. ``--flopy`` adds the same table with MODFLOW 6
  input written whole by flopy for every realization (the old way), for the ratio;
* overhead: the median realization's time less the solve and the tracking kernel (the issue's
  definition), in wall and CPU seconds; also less all of ``gwsim.track`` (kernel and set-up);
* ensemble rows: ``run_ensemble`` with 2 local worker processes (``--realizations``), then 1
  (``--single``) on the same seed, in fresh record folders; wall time without the deterministic
  run, cluster start included; the speed-up compares time per realization; the 200-realization
  time is projected from the 2-worker rate when fewer were run; CPU per realization: this
  process, the workers and their mf6 runs, cluster start included, less the deterministic run
  (on a shared machine, compare these);
* ``--realizations 0`` prints the stage tables only;
* failed realizations (MODFLOW 6 not converging, a well cell going dry) are counted in every row;
  they are recorded and reported by the ensemble, never dropped silently;
* memory rows: ``tracemalloc`` peak of reducing N synthetic realizations of the Chajia lattice.

Prints Markdown tables. On a machine shared with other work, quote CPU seconds and ratios.

Measured 2026-12-01 (session 22) on a quiet machine (load ~2 = this benchmark's own two
workers; ``--realizations 200 --single 10 --profile 3``): a realization 3.55 s wall / 4.48 s CPU:
mf6 solve 2.03 s, tracking kernel 0.93 s wall / 1.64 s CPU, tracking set-up 0.10 s, write input
0.13 s, zone geometry 0.14 s, read 0.09 s; **overhead 14 % of CPU** (target <= 20 %).
**200 realizations with 2 workers: 478 s** (2.39 s each, CPU 4.69 s each, 0 failed; target
<= 600 s); 10 with 1 worker 4.72 s each: **speed-up 1.98** (target >= 1.7); reducer peak 0.93 MB
at N = 200, 1.41 MB at N = 2000 (267 B per realization: its row of areas/values/timings).

What changed since the session-21 run (5.42 s wall / 6.84 s CPU a realization; 661 s, speed-up
1.66, overhead 23 %):

- the recharge-area tracking sums log(kept fraction) over the cells a path enters inside the
  kernel instead of recording 4.4 million pathline points and summing them afterwards (the
  kernel ran twice, to count and then to record): kernel 2.8 -> 1.8-1.9 s CPU, zone geometry
  0.4-0.7 -> 0.13-0.2 s, one realization's traced peak memory 333 -> 75 MiB;
- local workers run their kernels on ``cores // workers`` numba threads (one each with 2 workers
  on 2 cores, set in the task's own thread, ``gwsim.ensemble.runner``): ``LocalCluster(env=...)``
  came too late (the spawned worker imports numba with the main module first) and distributed's
  ``pre-spawn-environ`` leaks into the client's environment;
- the tracking kernel gets writable copies of the grid arrays (a read-only grid from MODFLOW 6's
  files was a second numba signature); pathlines keep grid-local coordinates until read;
- the site model's pyproj transformer is made once (~75 ms CPU a realization), MODFLOW 6 list
  input parses half as slowly (~30 ms).

Tried and not kept: starting MODFLOW 6 from the deterministic run's heads was slower (25, 12, 55,
23, 18, 24 outer iterations on draws 0-5 against 16, 15, 15, 45, 15, 15 from the model top:
Newton with seepage cells switching on and off; heads equal within 7.6e-4 m, closure 1e-4 m).
"""

from __future__ import annotations

import argparse
import importlib
import resource
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import numpy as np

import gwsim.ensemble.realization as realization
from gwsim.engines import run_flow
from gwsim.ensemble.realization import DETERMINISTIC, RealizationResult, run_realization
from gwsim.ensemble.reduce import Reducer
from gwsim.ensemble.runner import run_ensemble
from gwsim.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "chajia_uncertainty.toml"
TARGET_S = 600.0  # 200 realizations, 2 workers
# timed calls: (timer, module, attribute); the same timer adds up over its calls
TIMERS = [
    ("spec", "gwsim.ensemble.realization", "EnsemblePlan.realization_spec"),
    ("field", "gwsim.ensemble.realization", "perturbed_conductivity"),
    ("write", "gwsim.engines.mf6", "build_simulation"),
    ("write", "gwsim.engines.mf6_template", "Mf6Template.fill"),
    ("template", "gwsim.engines.mf6_template", "Mf6Template.write"),
    ("solve", "gwsim.engines.mf6", "run_program"),
    ("read", "gwsim.engines.mf6_output", "read_gwf_output"),
    ("zones", "gwsim.ensemble.realization", "protection_zones"),
    ("track", "gwsim.capture", "track"),
    ("track", "gwsim.periodic", "track_summing"),
    ("kernel", "gwsim.tracking.tracker", "track_particles"),
    ("maps", "gwsim.ensemble.realization", "zone_maps"),
]
# exclusive stages: name -> (timer, timers inside it)
STAGES = {
    "site model and draws (build.py)": ("spec", ["field"]),
    "ln-K field (gstools)": ("field", []),
    "write MODFLOW 6 input": ("write", []),
    "mf6 solve (process)": ("solve", []),
    "read heads and budgets": ("read", []),
    "tracking set-up (gwsim.track)": ("track", ["kernel"]),
    "tracking kernel (numba)": ("kernel", []),
    "zone geometry (polygons, outer zone)": ("zones", ["track"]),
    "probability-map masks": ("maps", []),
}


def cpu_seconds() -> float:
    """CPU seconds of this process (all threads) and its finished child processes."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@contextmanager
def timers(totals: dict, timed: list[tuple[str, str, str]] = TIMERS):
    """Wrap every call in ``timed`` so that its wall and CPU seconds add up in ``totals``."""
    undo = []
    for name, module_name, attribute in timed:
        owner = importlib.import_module(module_name)
        *path, leaf = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, leaf)

        def wrapper(*args, _original=original, _name=name, **kwargs):
            wall, cpu = time.perf_counter(), cpu_seconds()
            try:
                return _original(*args, **kwargs)
            finally:
                total = totals.setdefault(_name, np.zeros(2))
                total += (time.perf_counter() - wall, cpu_seconds() - cpu)

        setattr(owner, leaf, wrapper)
        undo.append((owner, leaf, original))
    try:
        yield
    finally:
        for owner, leaf, original in reversed(undo):
            setattr(owner, leaf, original)


def flopy_flow(plan, spec, workspace):
    """The old way: flopy writes the whole MODFLOW 6 input of every realization."""
    return run_flow(spec, workspace, engine=plan.engine)


def profile(plan, count: int, first: int, flopy: bool = False) -> dict:
    """Per-realization stage times (wall, CPU s) of realizations ``first ..``; failures apart."""
    template_flow = realization._flow
    if flopy:
        realization._flow = flopy_flow
    try:
        warm = {}
        with timers(warm):
            run_realization(plan, DETERMINISTIC)  # imports, numba cache, the template
        rows, failed = [], []
        for index in range(first, first + count):
            totals: dict = {}
            with timers(totals):
                wall, cpu = time.perf_counter(), cpu_seconds()
                result = run_realization(plan, index)
                totals["total"] = np.array([time.perf_counter() - wall, cpu_seconds() - cpu])
            (failed if result.failed else rows).append((totals, result.failed))
    finally:
        realization._flow = template_flow
    return {"rows": [r for r, _ in rows], "failed": failed, "template": warm.get("template")}


def stage_table(rows: list[dict]) -> dict[str, np.ndarray]:
    """Median exclusive (wall, CPU) seconds per stage, "other" (the rest) and the realization."""
    zero = np.zeros(2)
    exclusive = []
    for r in rows:
        stages = {
            stage: r.get(timer, zero) - sum((r.get(i, zero) for i in inner), zero)
            for stage, (timer, inner) in STAGES.items()
        }
        stages["other (validation, checks, links)"] = r["total"] - sum(stages.values(), zero)
        stages["realization"] = r["total"]
        stages.update(overheads(stages))
        exclusive.append(stages)
    return {stage: np.median([e[stage] for e in exclusive], axis=0) for stage in exclusive[0]}


def overheads(stages: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Overhead (wall, CPU s) less the solve and kernel, and less the solve and all tracking."""
    total = stages["realization"]
    solve, kernel = stages["mf6 solve (process)"], stages["tracking kernel (numba)"]
    setup = stages["tracking set-up (gwsim.track)"]
    return {
        "overhead (all but solve and kernel)": total - solve - kernel,
        "overhead (all but solve and gwsim.track)": total - solve - kernel - setup,
    }


def print_stages(title: str, result: dict) -> dict[str, np.ndarray]:
    rows = result["rows"]
    stages = stage_table(rows)
    print(f"\n### {title}: {len(rows)} realizations, {len(result['failed'])} failed\n")
    print("| stage | wall s | CPU s | share of CPU |\n|---|---|---|---|")
    cpu_total = stages["realization"][1]
    for stage, (wall, cpu) in stages.items():
        if not stage.startswith("overhead"):
            print(f"| {stage} | {wall:.3f} | {cpu:.3f} | {100 * cpu / cpu_total:.0f} % |")
    for name in overheads(stages):
        wall, cpu = stages[name]
        print(
            f"| {name} | {wall:.3f} ({100 * wall / stages['realization'][0]:.0f} %) | "
            f"{cpu:.3f} | {100 * cpu / cpu_total:.0f} % (target <= 20 %) |"
        )
    if result["template"] is not None:
        wall, cpu = result["template"]
        print(f"| template (once per worker and model) | {wall:.3f} | {cpu:.3f} | |")
    for totals, reason in result["failed"]:
        print(
            f"| failed realization | {totals['total'][0]:.1f} | {totals['total'][1]:.1f} | "
            f"{reason[:80]} |"
        )
    return stages


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


def ensemble_rows(plan, counts: dict[int, int], out: Path) -> tuple[list, tuple, list]:
    rows, per_realization = [], {}
    for workers, count in counts.items():
        deterministic: dict = {}
        cpu = cpu_seconds()
        with timers(
            deterministic, [("deterministic", "gwsim.ensemble.runner", "run_deterministic")]
        ):
            run = run_ensemble(
                plan,
                count,
                out / f"workers{workers}",
                workers=workers,
                progress=False,
                log=lambda *a: None,
            )
        cpu = cpu_seconds() - cpu - deterministic["deterministic"][1]  # workers reaped: counted
        per_realization[workers] = run.wall_s / count
        rows.append(
            (
                f"{count} realizations, {workers} worker(s)",
                f"{run.wall_s:.1f} s",
                f"{run.wall_s / count:.2f} s each (cluster start included); "
                f"CPU {cpu / count:.2f} s each (workers, mf6, cluster start); "
                f"{len(run.reducer.failed)} failed",
            )
        )
        shape, maps = run.deterministic.shape, list(run.deterministic.masks)
    rows.append(
        (
            "200 realizations, 2 workers",
            f"{200 * per_realization[2]:.0f} s",
            f"{'measured' if counts[2] == 200 else 'projected'}; target <= {TARGET_S:.0f} s",
        )
    )
    speedup = per_realization[1] / per_realization[2]
    rows.append(("speed-up 1 -> 2 workers", f"{speedup:.2f}", "per realization; target >= 1.7"))
    return rows, shape, maps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--realizations", type=int, default=200, help="with 2 workers; 0: stage tables only"
    )
    parser.add_argument("--single", type=int, default=20, help="realizations with 1 worker")
    parser.add_argument("--profile", type=int, default=5, help="realizations timed by stage")
    parser.add_argument("--flopy", action="store_true", help="also profile the old input writing")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    plan = load_scenario(SCENARIO).plan
    out = args.out or Path(tempfile.mkdtemp(prefix="gwsim-ensemble-bench-"))
    first = 10_001  # profiled realizations: not those of the ensemble rows
    stages = print_stages("stages, template", profile(plan, args.profile, first))
    if args.flopy:
        old = print_stages(
            "stages, flopy writes every realization", profile(plan, args.profile, first, True)
        )
        print(
            f"\ntemplate vs flopy: realization CPU {old['realization'][1]:.2f} -> "
            f"{stages['realization'][1]:.2f} s ({old['realization'][1] / stages['realization'][1]:.2f}x)"
        )
    if args.realizations == 0:  # the stage tables only
        return
    rows, shape, maps = ensemble_rows(plan, {2: args.realizations, 1: args.single}, out)
    peaks = {n: reducer_peak(n, shape, maps) for n in (200, 2000)}
    for n, peak in peaks.items():
        rows.append((f"reducer peak, N = {n}", f"{peak / 1e6:.2f} MB", f"lattice {shape}"))
    growth = (peaks[2000] - peaks[200]) / 1800
    rows.append(("  growth per realization", f"{growth:.0f} B", "its row of areas/values/timings"))
    print("\n### ensemble\n\n| quantity | value | note |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nrecords and models in {out}")


if __name__ == "__main__":
    main()
