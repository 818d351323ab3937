"""The transport domain (gwsim.solute.domain) on the site models: time and accuracy against
solving every cell (``domain="all"``), with the benchmark leaks of benchmarks/transport_sites.py.

``python benchmarks/transport_domain.py [--only chajia nancun mf6]``:

- chajia: MT3D-USGS 20-year plume of the 100 g/d Chajia leak, reach domain then every cell;
- nancun: MT3D-USGS 1-year dual-domain plume of the Nancun leak (× 20 for 20 years: the steady
  flow gives the same steps every year), reach domain then every cell;
- mf6: MODFLOW 6 GWT 20-year Chajia plume as transport() runs it (the domain's box solved,
  steps graded along the leak's paths), timed against the 60 s target, then the 0.1-year plume
  on the reach domain and on every cell; also the 20-year step counts of each rule.

Measured 2026-12-02 (``--only mf6``, load 0.9 -> 1.3, mf6 = the wheel's 6.4.1 forced with
engine="mf6"): **MODFLOW 6 20-year Chajia plume 15.4 s wall, 15.6 s CPU (14.5 s mf6, 1.1 s
Python: tracking, writing the domain's budget file), against 60 s: met** (the flow run, ~8 s,
is not counted, as for MT3D). 2,935 steps of 2.44-3.2 d in 17 periods, set by the path rule
(Courant 0.5 over the domain allows 3.75 d); 1,079 of 43,080 cells solved (the box of the
805-cell domain), 5.0 ms CPU a step against 0.28 s on every cell. 20-year step counts: local
rule on every cell 66,314, on the reach domain 22,676; path rule on the reach domain 2,934.
0.1-year plume, reach (12 graded steps, box) against every cell (Courant-limited by the
hillslope cell, ~330 steps): 0.1 s against 10.8 s mf6 CPU, max abs(difference) 1.25e-2 of the
peak (time-step size; the same steps on the box and on every cell differ by 1.6e-5 of the peak
at 0.5 year).

Measured 2026-12-01 (before MODFLOW 6 solved only the domain) on 2 cores shared with 4 other jobs (load 7-11: wall times are 2-4x CPU),
programs' CPU seconds:

| run | every cell | reach domain | max abs(difference) / peak |
|---|---|---|---|
| Chajia MT3D 20 years | 2,660 steps, 55.7 s CPU | 805 of 43,080 cells, 1,952 steps, 19.9 s CPU | 3.4e-3 (wells within 0.26 %) |
| Nancun MT3D 1 year (dual domain) | 420 steps, 11.8 s CPU | 320 steps, 5.1 s CPU | 1.4e-3 |
| Nancun MT3D 20 years (the same leak, reach only) | 8,400-8,600 steps, 231-242 s CPU (session 21) | 2,310 of 57,120 cells, 6,364 steps, 99.3 s CPU | - |
| Nancun chemical works (risk scenario footprint, 4 cells x 25 g/d), MT3D 20 years, reach only | (~236 s CPU) | 8,368 steps, 163.5 s CPU: its plume reaches the stream, so the stream cell (1, 31, 78) is in its domain and sets the step again | - |
| Chajia MF6 0.1 year | 332 steps, 92.8 s CPU | 26 steps, 8.8 s CPU | 8.1e-3 (median 2.6 % where c > 1 % of the peak) |
| Chajia MF6 20 years (steps only) | 66,316 | 22,676 (~1.8 h at 0.28 s CPU a step) | - |
| Nancun MF6 20 years (steps only) | 30,697 | 30,697 | - |

Where the steps come from: Chajia's all-cell step was set by a barely wet hillslope regolith
cell (0, 20, 104) far from the leak; in the domain MT3D's Courant limit is the wells' cells
(3.7 d) and MODFLOW 6's time-stepping Peclet limit too, because this plume reaches the wells.
Nancun's all-cell MT3D step was set by the 2 m stream cell (1, 31, 78), 43 columns east of the
leak (6, 19, 35) and outside its domain; in the domain it is a cell above the second well's
screen (5, 27, 35; 2.3 d at Courant 1). The differences are those of the step size (MT3D's TVD
and MODFLOW 6's backward Euler both change with it; the Peclet rule allows time-stepping
dispersion of 5 % of α_L·v, so a few per cent inside the plume is within what either schedule
promises), not of the edge: the Chajia run lost 4.9e-5 of the mass that entered through the
domain's edge.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from mt3d_link_chajia import YEAR, chajia_flow, chajia_leak, cpu_seconds, transport_steps
from transport_sites import ALPHAS, mf6_run, nancun_leak, site_flow

from gwsim.solute import DualDomain, transport
from gwsim.solute.domain import reach_domain, source_paths
from gwsim.solute.schedule import step_schedule


def compare(flow, source, times, engine: str, ws: Path, **kwargs) -> None:
    """Run ``domain="reach"`` then ``"all"``; print steps, CPU, and the largest difference."""
    plumes = {}
    for name in ("reach", "all"):
        cpu, wall = cpu_seconds(), time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            plume = transport(
                flow, [source], times, engine=engine, workspace=ws / name, domain=name, **kwargs
            )
        steps = transport_steps(ws / name) if engine == "mt3d" else "-"
        print(
            f"  {engine} {name}: {steps} transport steps, programs' CPU "
            f"{cpu_seconds() - cpu:.1f} s, wall {time.perf_counter() - wall:.1f} s, "
            f"warnings {sorted({w.category.__name__ for w in caught})}"
        )
        plumes[name] = np.nan_to_num(plume.concentration.values)
    peak = plumes["all"].max()
    print(
        f"  max |reach - all| / peak = {np.abs(plumes['reach'] - plumes['all']).max() / peak:.2e}"
    )


def step_counts(flow, source, cell, alphas) -> None:
    """MODFLOW 6's 20-year step counts by the local rule on every cell and on the reach domain,
    and by the path rule on the reach domain (what transport() runs)."""
    twenty = np.array([20 * YEAR])
    paths = source_paths(flow, [cell], twenty[0], flow.porosity)
    domain = reach_domain(flow, [cell], twenty[0], flow.porosity, *alphas[:2], paths=paths)
    counts = [
        int(
            step_schedule(
                flow, [source], twenty, flow.porosity, 1, alphas[0], 0.5, 0.05, d, p
            ).nstp.sum()
        )
        for d, p in ((None, None), (domain, None), (domain, paths))
    ]
    print(
        f"  domain {int(domain.sum())} of {int((flow.grid.idomain > 0).sum())} active cells; "
        f"MODFLOW 6 20-year steps: local rule every cell {counts[0]}, reach domain "
        f"{counts[1]}; path rule, reach domain {counts[2]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=["chajia", "nancun", "mf6"])
    only = parser.parse_args().only
    with tempfile.TemporaryDirectory(prefix="gwsim-domain-") as tmp:
        tmp = Path(tmp)
        spec, flow = chajia_flow(tmp / "chajia")
        source, cell = chajia_leak(spec, flow)
        print("== Chajia")
        step_counts(flow, source, cell, ALPHAS)
        if "chajia" in only:
            compare(
                flow,
                source,
                np.array([5, 10, 15, 20]) * YEAR,
                "mt3d",
                tmp / "c",
                dispersivity=ALPHAS,
            )
        if "mf6" in only:
            times = np.array([5, 10, 15, 20]) * YEAR
            mf6_run(flow, source, cell, times, tmp / "m20", dispersivity=ALPHAS)
            compare(
                flow, source, np.array([0.05, 0.1]) * YEAR, "mf6", tmp / "m", dispersivity=ALPHAS
            )
        if "nancun" in only:
            model, spec, flow, _ = site_flow("redbed_fracture", tmp)
            source, cell = nancun_leak(spec, flow)
            print("== Nancun")
            step_counts(flow, source, cell, ALPHAS)
            dual = DualDomain(
                model.params["transport.immobile_porosity"].value,
                model.params["transport.transfer_rate"].value,
            )
            times = np.linspace(0.25, 1.0, 4) * YEAR
            compare(flow, source, times, "mt3d", tmp / "n", dispersivity=ALPHAS, dual_domain=dual)


if __name__ == "__main__":
    main()
