"""Monitoring-network design time: 1,000 candidates × 100 leak sources × 10 wells (issue 16).

Prints one table: for each case the detection-matrix time (dispersive particle swarm), the exact
MILP's time, coverage and proven gap (0 when it proves optimality within 120 s; otherwise the
better of its incumbent and greedy, named in brackets), the greedy time, coverage and its proven
optimality-gap bound. Target:
the design of 10 wells among 1,000 candidates for 100 sources in at most 60 s on 2 cores.

Cases:

* ``chajia``: the Chajia site model (models/valley_porous, steady), 100 leak points spread over
  the north bank upgradient of the well field, 1,000 candidates between them and the wells
  (whole-column wells), window 3650 d, receptor the 1000-d zone (detection must come first);
* ``random``: a random sparse detection matrix of the same size (5 % of pairs detect), one flow
  field and an ensemble of 10 (detection probabilities), for the solver alone.

    python benchmarks/monitoring_design.py [--wells 10] [--candidates 1000] [--sources 100]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TIME_LIMIT = 120.0  # s for the MILP; past it the better of its incumbent and greedy is kept


def chajia_matrix(n_candidates: int, n_sources: int, seed: int = 1):
    """(detection matrix, seconds) on the Chajia site model."""
    from gwsim import Source
    from gwsim.capture import capture_zone
    from gwsim.engines import run_flow
    from gwsim.monitoring import candidate_lattice, detection_matrix
    from gwsim.scenario import SiteModel

    rng = np.random.default_rng(seed)
    spec = SiteModel.from_table({"site": "valley_porous"}, ROOT / "models").build()
    flow = run_flow(spec, Path(tempfile.mkdtemp(prefix="gwsim_bench_")))
    zone = capture_zone(flow, ["chajia_wells"], (1000.0,), progress=False).polygons[1000.0]
    x = rng.uniform(449900, 451500, n_sources)
    y = rng.uniform(3121520, 3121700, n_sources)
    sources = [Source(float(a), float(b)) for a, b in zip(x, y, strict=True)]
    import shapely

    area = shapely.box(449800, 3120950, 451700, 3121715)
    lattice = candidate_lattice(flow, 28.0, area)
    candidates = lattice[rng.choice(len(lattice), n_candidates, replace=False)]
    start = time.perf_counter()
    matrix = detection_matrix(
        flow, sources, candidates, window=3650.0, receptors=[zone], dispersivity=(20, 2, 0.2)
    )
    return matrix, time.perf_counter() - start


def random_matrix(n_candidates: int, n_sources: int, fields: int, seed: int = 2):
    from gwsim.monitoring import DetectionMatrix

    rng = np.random.default_rng(seed)
    shape = (fields, n_sources, n_candidates)
    detects = rng.random(shape) < 0.05
    t = np.where(detects, rng.uniform(30, 3650, shape), np.inf)
    area = np.where(detects, rng.uniform(1e3, 1e5, shape), np.inf)
    receptor = np.full(shape[:2], np.inf)
    return DetectionMatrix(detects, t, area, receptor, np.zeros((n_candidates, 3)), "swarm", 3650.0)


def row(case: str, matrix, n_wells: int, detect_s: float | None) -> dict:
    from gwsim.monitoring import choose_wells

    start = time.perf_counter()
    milp = choose_wells(matrix, n_wells, solver="milp", time_limit=TIME_LIMIT)
    milp_s = time.perf_counter() - start
    start = time.perf_counter()
    greedy = choose_wells(matrix, n_wells, solver="greedy")
    greedy_s = time.perf_counter() - start
    return {
        "case": case,
        "fields x sources x candidates": "x".join(str(n) for n in matrix.detects.shape),
        "detecting pairs": int(matrix.detects.sum()),
        "detection s": "-" if detect_s is None else f"{detect_s:.1f}",
        "MILP s": f"{milp_s:.2f}",
        "MILP coverage": f"{milp.coverage:.4f}",
        "MILP proven gap": f"{milp.gap:.3f} ({milp.solver})",
        "greedy s": f"{greedy_s:.2f}",
        "greedy coverage": f"{greedy.coverage:.4f}",
        "greedy gap bound": f"{greedy.gap:.3f}",
        "design s (detection + MILP)": f"{(detect_s or 0.0) + milp_s:.1f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wells", type=int, default=10)
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--sources", type=int, default=100)
    args = parser.parse_args()
    from gwsim.writers import markdown_table

    matrix, seconds = chajia_matrix(args.candidates, args.sources)
    rows = [row("chajia", matrix, args.wells, seconds)]
    for fields in (1, 10):
        rows.append(
            row(
                f"random, {fields} field(s)",
                random_matrix(args.candidates, args.sources, fields),
                args.wells,
                None,
            )
        )
    print(f"cores available: {len(os.sched_getaffinity(0))}")
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
