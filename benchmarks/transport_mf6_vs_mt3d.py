"""Cross-check of gwsim's two transport engines: MODFLOW 6 GWT and MT3D-USGS.

Both run through ``gwsim.transport(..., engine=...)`` on the same MODFLOW 6 flow field (MT3D-USGS
reads gwsim's link file of it and chooses its own steps). For each problem one table: per receptor, the peak concentration (mg/L) over the output
times and the time of the peak (d) for each engine, with the analytic solution where one exists,
and the relative differences; then each engine's wall time (the MODFLOW 6 flow run both share is
timed apart).

Problems:

1. 1-D column, uniform flow along x, the inflow cell held at 1 mg/L (Ogata–Banks); the
   concentrations rise to the last output time.
2. 2-D point source (5 g/d for 10 d) in uniform flow along the grid (Wexler's continuous point
   source, a pulse by superposition).
3. The same in uniform flow at 45° to the grid, toward the south-east: MODFLOW 6 up to 6.4 rotates
   its dispersion tensor wrongly for some flow directions (modflow6 issue #2826, fixed by
   pull request #2849), which this case shows.
4. The demo valley model (``scenarios/demo_wellfield.toml``; the site models do not exist yet): a
   leak of 100 g/d (0.5 m³/d at 200 mg/L) reaching the sand and gravel about 320 m north-west
   of the first production well, concentrations after two years at the wells and at monitoring points.
   One output time only: ``transport(engine="mf6")`` reads multi-layer output at several times
   wrongly (gwsim/engines/mf6_gwt.py picks records by index; reported to the lead).

    python benchmarks/transport_mf6_vs_mt3d.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from gwsim.analytic.transport import ogata_banks, point_source_2d
from gwsim.engines import run_flow
from gwsim.scenario import load_scenario
from gwsim.solute import Source, transport
from gwsim.spec import Boundary, Grid, ModelSpec, Properties

ROOT = Path(__file__).resolve().parent.parent
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


def run_engines(flow, sources, times, **kwargs) -> tuple[dict, dict]:
    """Plumes and wall times (s) of both engines on ``flow``."""
    plumes, seconds = {}, {}
    for engine in ("mf6", "mt3d"):
        start = time.perf_counter()
        plumes[engine] = transport(flow, sources, times, engine=engine, **kwargs)
        seconds[engine] = time.perf_counter() - start
    return plumes, seconds


def table(title: str, receptors, names, plumes, seconds, flow_seconds, exact=None) -> float:
    """Print one problem's table; return the largest |MT3D/MF6 − 1| at the receptors."""
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
    for n, name in enumerate(names):
        peaks = {c: series[c][:, n].max() for c in columns}
        line = f"{name:<26}"
        for c in columns:
            line += f"{peaks[c]:>15.4g}{times[np.argmax(series[c][:, n])]:>8g}"
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


def valley(ws: Path) -> float:
    spec = load_scenario(ROOT / "scenarios" / "demo_wellfield.toml").spec
    flow, flow_seconds = timed_flow(spec, ws / "valley")
    z = 24.0  # m, in the sand and gravel (layer 1: 18-30 m)
    wells = spec.boundary("wellfield")
    names, points = [], []
    for n, (_, i, j) in enumerate(wells.cells):
        names.append(f"well {n + 1} (row {i}, col {j})")
        points.append([flow.grid.xcenters[i, j], flow.grid.ycenters[i, j], z])
    leak = (557025.0, 3123525.0)
    monitors = {"monitor 100 m SE": (100.0, -100.0), "monitor 200 m E": (200.0, 0.0)}
    for name, (dx, dy) in monitors.items():
        names.append(name)
        points.append([leak[0] + dx, leak[1] + dy, z])
    plumes, seconds = run_engines(
        flow,
        [Source(*leak, z=z, mass_rate=100.0)],
        [730.0],
        dispersivity=(10.0, 1.0, 0.1),
    )
    return table(
        "demo valley (scenarios/demo_wellfield.toml): 100 g/d leak into the sand and gravel, "
        "c at 730 d",
        points,
        names,
        plumes,
        seconds,
        flow_seconds,
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gwsim-bench-transport-") as tmp:
        ws = Path(tmp)
        worst = {
            "1-D column": column(ws),
            "2-D along the grid": point_source(ws, 0.0),
            "2-D at -45 deg": point_source(ws, -45.0),
            "demo valley": valley(ws),
        }
    print("\n== summary: largest |MT3D/MF6 - 1| at the receptors (cross-check tolerance 5 %)")
    for name, value in worst.items():
        verdict = "agree" if value <= TOLERANCE else "DISAGREE"
        print(f"{name:<22}{value:>8.1%}  {verdict}")


if __name__ == "__main__":
    main()
