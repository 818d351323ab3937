"""MT3D-USGS on the Chajia model: where the time goes, with and without transport()'s step limit.

One 20-year plume on the steady Chajia flow field (models/valley_porous, design pumping): a leak of
100 g/d into the upper sand and gravel 300 m up-gradient of the first Chajia well (across the
valley from the river), dispersivities 10 / 1 / 0.1 m, outputs every 5 years. Run twice through
``gwsim.transport(engine="mt3d")`` (gwsim's link file of the MODFLOW 6 flow field, no MODFLOW-NWT):
as shipped, MT3D-USGS choosing its steps by its own Courant control of its explicit TVD step, and
with transport()'s step limit for MODFLOW 6's implicit scheme imposed as MT3D's longest step.
Prints the largest concentration difference relative to the peak, the concentrations at the
wells, transport steps and the CPU seconds of MT3D-USGS (the machine may be shared, so wall times
say little).

    PYTHONPATH=. .venv/bin/python benchmarks/mt3d_link_chajia.py

Measured 2026-12-01 by the earlier version of this benchmark (2 shared cores, load ~10; CPU
seconds of MODFLOW-NWT + MT3D-USGS), when the shipped engine still reran MODFLOW-NWT:

| run | transport steps | CPU s | max abs(dc) / peak vs NWT |
|---|---|---|---|
| MODFLOW-NWT rerun + its link file (then shipped) | 22315 | 285.5 | - |
| gwsim link file, transport()'s step limit | 22315 | 275.7 | 1.6e-3 |
| gwsim link file, MT3D's own Courant control (now shipped) | 1912 | 25.8 | 1.0e-2 |

Peak 5.07 mg/L; well concentrations agree within 0.5 % (the 1.6e-3 is MODFLOW-NWT's UPW flow
against MODFLOW 6's, not the link file); mass-balance discrepancies 0.045 %, 0.045 %, 0.001 %.
The step limit is 0.327 d, the time-stepping Peclet limit 2·ε·α_L/|v| meant for MODFLOW 6's
implicit advection, with |v| about 3 m/d beside the wells; MT3D's TVD step is explicit and its own
Courant limit (0.5) allows 3.8 d, 11.7 times longer. Each MT3D step costs about 13 ms of CPU on the
28,680 active cells.
"""

from __future__ import annotations

import dataclasses
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from gwsim.engines import mt3d, run_flow
from gwsim.scenario import SiteModel
from gwsim.solute import Source, transport

ROOT = Path(__file__).resolve().parent.parent
YEAR = 365.0


def cpu_seconds() -> float:
    """CPU time of the finished child processes (MT3D-USGS), s."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def transport_steps(workspace: Path) -> int:
    listing = (workspace / "transport.list").read_text(errors="replace")
    return listing.count("CALLS TO GCG PACKAGE")


def step_limited(spec_of):
    """A stand-in for mt3d.mt3d_spec that imposes transport()'s step limit as MT3D's DT0."""

    def spec(flow, problem, schedule):
        return dataclasses.replace(
            spec_of(flow, problem, schedule), dt_max=schedule.longest_steps()
        )

    return spec


def well_points(flow, wells) -> np.ndarray:
    """(n, 3) centres (x, y, z; m) of the cells of the well boundary ``wells``."""
    k, i, j = np.asarray(wells.cells, int).T
    grid = flow.grid
    z = 0.5 * (grid.botm[k, i, j] + grid.cell_top[k, i, j])
    return np.column_stack([grid.xcenters[i, j], grid.ycenters[i, j], z])


def chajia_leak(spec, flow) -> tuple[Source, tuple[int, int, int]]:
    """The benchmark's leak on the Chajia model and its cell (layer, row, col): 100 g/d into the
    upper sand and gravel 300 m from the first well, across the valley away from the river."""
    wells = next(b for b in spec.boundaries if b.name == "chajia_wells")
    river = next(b for b in spec.boundaries if b.kind == "riv")
    _, i, j = (int(v) for v in wells.cells[0])
    river_row = int(np.median(river.cells[river.cells[:, 2] == j][:, 1]))
    away = 1 if i > river_row else -1  # across the valley, away from the river
    si = i + away * round(300.0 / flow.grid.delc[i])
    x, y = flow.grid.xcenters[si, j], flow.grid.ycenters[si, j]
    z = 0.5 * (flow.grid.botm[1, si, j] + flow.grid.cell_top[1, si, j])
    return Source(x, y, z, mass_rate=100.0), (1, si, j)


def chajia_flow(workspace: Path):
    """(spec, flow field) of the steady Chajia model, built the way the scenarios build it."""
    spec = SiteModel.from_table({"site": "valley_porous"}, ROOT / "models").build()
    return spec, run_flow(spec, workspace)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gwsim-chajia-") as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        spec, flow = chajia_flow(tmp / "flow")
        print(f"MODFLOW 6 flow run and read: {time.perf_counter() - start:.1f} s")
        source, (_, si, j) = chajia_leak(spec, flow)
        sources = [source]
        times = np.array([5, 10, 15, 20]) * YEAR
        well_xyz = well_points(flow, next(b for b in spec.boundaries if b.name == "chajia_wells"))
        kwargs = dict(dispersivity=(10.0, 1.0, 0.1), engine="mt3d")

        runs = {}
        for name, engine in (
            ("shipped: MT3D's own Courant control", None),
            ("transport()'s step limit as MT3D's DT0", step_limited(mt3d.mt3d_spec)),
        ):
            shipped = mt3d.mt3d_spec
            mt3d.mt3d_spec = engine or shipped
            cpu, wall = cpu_seconds(), time.perf_counter()
            try:
                ws = tmp / f"run{len(runs)}"
                plume = transport(flow, sources, times, workspace=ws, **kwargs)
            finally:
                mt3d.mt3d_spec = shipped
            seconds = (cpu_seconds() - cpu, time.perf_counter() - wall)
            runs[name] = (plume, seconds, transport_steps(ws))

        reference = next(iter(runs.values()))[0].concentration.values
        peak = np.nanmax(reference)
        print(f"source cell (layer, row, col) = (1, {si}, {j}); peak {peak:.3g} mg/L")
        for name, (plume, (cpu, wall), steps) in runs.items():
            c = plume.concentration.values
            print(
                f"\n{name}: {steps} transport steps, programs' CPU {cpu:.1f} s, wall {wall:.1f} s"
            )
            print(f"  max |c - c_shipped| / peak = {np.nanmax(np.abs(c - reference)) / peak:.2e}")
            print(f"  mass-balance discrepancy {plume.percent_discrepancy} %")
            for t in times:
                print(
                    f"  t = {t / YEAR:4.0f} a, wells (mg/L): {np.round(plume.at(well_xyz, t), 5)}"
                )


if __name__ == "__main__":
    main()
