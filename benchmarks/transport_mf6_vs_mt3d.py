"""Cross-check of gwsim's two transport engines, MODFLOW 6 GWT and MT3D-USGS, and their run times.

Both run through ``gwsim.transport(..., engine=...)`` on the same MODFLOW 6 flow field (MT3D-USGS
reads gwsim's link file of it and chooses its own steps). Analytic problems (``--only column
along oblique``), one table each: per receptor the peak concentration (mg/L) over the output times
and its time (d) for each engine and the analytic solution, the relative differences, wall times:

1. ``column``: 1-D column, uniform flow along x, the inflow cell held at 1 mg/L (Ogata–Banks).
2. ``along``: 2-D point source (5 g/d for 10 d) in uniform flow along the grid (Wexler's
   continuous point source, a pulse by superposition).
3. ``oblique``: the same at 45° to the grid toward the south-east (qy < 0), where MODFLOW 6 up to
   mid-2026 (the wheel's 6.4.1) turns its dispersion tensor wrongly (modflow6 issue #2826, PR #2849).

Site models (``--only chajia nancun``, steady variants built as the scenarios build them): the
MT3D-USGS 20-year plume and its time against the 60 s target, MT3D on the link file of a
MODFLOW-NWT twin (Chajia), MODFLOW 6's 20-year time and MODFLOW 6 against MT3D where the plume
has qy < 0: see benchmarks/transport_sites.py, which holds the measured tables. ``--mf6 PATH``
runs with another mf6 (its dispersion probe runs first); ``gwsim install-exes --mf6 PATH``
registers one for good.

    PYTHONPATH=. .venv/bin/python benchmarks/transport_mf6_vs_mt3d.py --only chajia
    PYTHONPATH=. .venv/bin/python benchmarks/transport_mf6_vs_mt3d.py --only nancun --years 1 \
        --compare-years 0.5
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
from engine_comparison import run_engines, table, timed_flow
from transport_sites import HORIZONS, site

from gwsim.analytic.transport import ogata_banks, point_source_2d
from gwsim.engines.transport_choice import mf6_verdict
from gwsim.executables import find_executable
from gwsim.solute import Source
from gwsim.spec import Boundary, Grid, ModelSpec, Properties

K, Q, N = 10.0, 0.25, 0.25  # m/d, Darcy flux m/d, porosity: seepage velocity 1 m/d
V = Q / N
PULSE = 10.0  # d, how long the source of problems 1-3 is on
TOLERANCE = 0.05  # the cross-check's agreement, relative


def uniform_spec(nrow: int, ncol: int, h: float, angle: float = 0.0) -> ModelSpec:
    """One 1 m thick layer of h-metre cells in uniform flow toward ``angle`` (degrees from +x).

    Fixed heads on the first and last column (one row) or on every edge cell (linear heads).
    """
    a = np.deg2rad(angle)
    x = (np.arange(ncol) + 0.5) * h
    y = nrow * h - (np.arange(nrow) + 0.5) * h
    if nrow == 1:
        cells = [(0, 0, 0), (0, 0, ncol - 1)]
    else:
        cells = [
            (0, i, j)
            for i in range(nrow)
            for j in range(ncol)
            if i in (0, nrow - 1) or j in (0, ncol - 1)
        ]
    heads = [10.0 - Q / K * (x[j] * np.cos(a) + y[i] * np.sin(a)) for _, i, j in cells]
    return ModelSpec(
        "uniform",
        Grid(1, nrow, ncol, h, h, 1.0, [0.0]),
        Properties(k=K, icelltype=0, porosity=N),
        [Boundary("chd", "edge", cells, {"head": heads})],
    )


def pulse(solution, times: np.ndarray) -> np.ndarray:
    """A source on from 0 to PULSE d by superposition of the continuous ``solution(t)``."""
    on = np.array([solution(t) for t in times])
    off = np.array([solution(t - PULSE) if t > PULSE else np.zeros_like(on[0]) for t in times])
    return on - off


def column(ws: Path) -> float:
    spec = uniform_spec(1, 201, 0.5)
    flow, flow_seconds = timed_flow(spec, ws / "column")
    times = np.arange(5.0, 45.0, 5.0)
    alpha = 2.0
    plumes, seconds = run_engines(
        flow,
        [Source(0.25, 0.25, concentration=1.0, fixed=True)],
        times,
        dispersivity=(alpha, 0.1, 0.1),
    )
    xs = np.array([10.0, 20.0, 30.0, 40.0])
    exact = np.array([ogata_banks(xs - 0.25, t, V, alpha * V) for t in times])
    return table(
        "1-D column: 201 cells of 0.5 m, v = 1 m/d, alpha_L = 2 m, inflow held at 1 mg/L "
        "(the peak is the last output time, 40 d)",
        [[x, 0.25, 0.5] for x in xs],
        [f"x = {x:g} m" for x in xs],
        plumes,
        seconds,
        flow_seconds,
        exact,
    )


def point_source(ws: Path, angle: float) -> float:
    """Problems 2 (angle 0, 31 x 70 cells) and 3 (angle -45 deg, 61 x 61 cells)."""
    if angle == 0.0:
        spec, x0, y0 = uniform_spec(31, 70, 1.0), 10.5, 15.5
    else:
        spec, x0, y0 = uniform_spec(61, 61, 1.0, angle), 12.5, 48.5
    flow, flow_seconds = timed_flow(spec, ws / f"plane{angle:g}")
    times = np.arange(2.0, 42.0, 2.0)
    rate, alpha_l, alpha_t = 5.0, 4.0, 0.4
    plumes, seconds = run_engines(
        flow,
        [Source(x0, y0, mass_rate=rate, stop=PULSE)],
        times,
        dispersivity=(alpha_l, alpha_t, alpha_t),
    )
    along = np.array([10.0, 20.0, 30.0, 20.0, 20.0])  # m along the flow from the source
    across = np.array([0.0, 0.0, 0.0, 2.0, 4.0])  # m to the left of the flow direction
    a = np.deg2rad(angle)
    x = x0 + along * np.cos(a) - across * np.sin(a)
    y = y0 + along * np.sin(a) + across * np.cos(a)
    _, row, col = flow.grid.locate(x, y)
    dx, dy = flow.grid.xcenters[row, col] - x0, flow.grid.ycenters[row, col] - y0  # cell centres
    s, w = dx * np.cos(a) + dy * np.sin(a), -dx * np.sin(a) + dy * np.cos(a)
    exact = pulse(
        lambda t: point_source_2d(s, w, t, V, alpha_l * V, alpha_t * V, rate, 1.0, N), times
    )
    direction = "along the grid" if angle == 0.0 else f"at {angle:g} deg to the grid"
    return table(
        f"2-D point source, uniform flow {direction}: 1 m cells, v = 1 m/d, alpha_L = 4 m, "
        "alpha_T = 0.4 m, 5 g/d for 10 d",
        np.column_stack([x, y, np.full(x.shape, 0.5)]),
        [f"{s_:g} m along, {w_:g} m aside" for s_, w_ in zip(along, across, strict=True)],
        plumes,
        seconds,
        flow_seconds,
        exact,
    )


def use_mf6(path: str | None) -> None:
    """Make gwsim use the mf6 at ``path`` (its dispersion probe runs on first use)."""
    if path is None:
        return
    folder = Path(tempfile.mkdtemp(prefix="gwsim-mf6-"))
    (folder / "mf6").symlink_to(Path(path).resolve())
    os.environ["GWSIM_BIN"] = str(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=PROBLEMS, default=list(PROBLEMS))
    parser.add_argument("--mf6", help="an mf6 to use instead of gwsim's (e.g. a recent release)")
    for option, years in HORIZONS.items():
        parser.add_argument(f"--{option.replace('_', '-')}", type=float, default=years)
    args = parser.parse_args()
    HORIZONS.update(years=args.years, compare_years=args.compare_years)
    use_mf6(args.mf6)
    probe = mf6_verdict()
    print(f"mf6: {find_executable('mf6')}; dispersion probe: {probe}")
    with tempfile.TemporaryDirectory(prefix="gwsim-bench-transport-") as tmp:
        ws = Path(tmp)
        worst = {name: PROBLEMS[name](ws) for name in args.only}
    print("\n== summary: largest |MT3D/MF6 - 1| at the receptors (cross-check tolerance 5 %)")
    if probe is not None and not probe.mirrors:
        print("(this mf6 failed the dispersion probe: it is expected to disagree where qy < 0)")
    for name, value in worst.items():
        verdict = "agree" if value <= TOLERANCE else "DISAGREE"
        print(f"{name:<22}{value:>8.1%}  {verdict}")


PROBLEMS = {
    "column": column,
    "along": lambda ws: point_source(ws, 0.0),
    "oblique": lambda ws: point_source(ws, -45.0),
    "chajia": lambda ws: site("Chajia", "valley_porous", "chajia_wells", ws, nwt=True),
    "nancun": lambda ws: site("Nancun", "redbed_fracture", "nancun_wells", ws, nwt=False),
}

if __name__ == "__main__":
    main()
