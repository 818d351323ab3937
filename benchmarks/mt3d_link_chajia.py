"""MT3D-USGS on gwsim's link file vs on MODFLOW-NWT's, on the Chajia model: same plume? how fast?

One 20-year plume on the steady Chajia flow field (models/valley_porous, design pumping): a leak of
100 g/d into the upper sand and gravel 300 m up-gradient of the first Chajia well (across the
valley from the river), dispersivities 10 / 1 / 0.1 m, outputs every 5 years. Run twice through
``gwsim.transport(engine="mt3d")``: as shipped (MODFLOW-NWT rerun + LMT link file + MT3D-USGS),
and with the engine swapped for :func:`gwsim.engines.mt3d_on_flow.run_mt3d_on_flow` (gwsim's own
link file from the MODFLOW 6 flow field, no MODFLOW-NWT). Prints the largest concentration
difference relative to the peak, the concentrations at the wells, and where the time goes.

    PYTHONPATH=. .venv/bin/python benchmarks/mt3d_link_chajia.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from gwsim.engines import mt3d, run_flow
from gwsim.engines.mt3d_link import default_steps
from gwsim.engines.mt3d_on_flow import Mt3dFlowSpec, run_mt3d_on_flow
from gwsim.scenario import SiteModel
from gwsim.transport import Source, transport

ROOT = Path(__file__).resolve().parent.parent
YEAR = 365.0


def link_engine(flow, timings: dict):
    """A stand-in for mt3d.run_mt3d that runs MT3D-USGS on gwsim's link file of ``flow``."""

    def run(spec: mt3d.Mt3dSpec, workspace):
        steps = [[0]] if flow.ntimes == 1 else default_steps(flow)[: len(spec.perlen)]
        start = time.perf_counter()
        result = run_mt3d_on_flow(
            Mt3dFlowSpec(
                flow=flow,
                steps=steps,
                perlen=spec.perlen,
                nstp=spec.nstp,
                tsmult=spec.tsmult,
                dt_max=spec.dt_max,
                times=spec.times,
                problem=spec.problem,
                courant=spec.courant,
                cclose=spec.cclose,
            ),
            workspace,
        )
        timings["link engine"] = time.perf_counter() - start
        return result

    return run


def main() -> None:
    site = SiteModel.from_table({"site": "valley_porous"}, ROOT / "models")
    spec = site.build()
    with tempfile.TemporaryDirectory(prefix="gwsim-chajia-") as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        flow = run_flow(spec, tmp / "flow")
        print(f"MODFLOW 6 flow run and read: {time.perf_counter() - start:.1f} s")
        wells = next(b for b in spec.boundaries if b.name == "chajia_wells")
        river = next(b for b in spec.boundaries if b.kind == "riv")
        _, i, j = (int(v) for v in wells.cells[0])
        river_row = int(np.median(river.cells[river.cells[:, 2] == j][:, 1]))
        away = 1 if i > river_row else -1  # across the valley, away from the river
        si = i + away * round(300.0 / flow.grid.delc[i])
        x, y = flow.grid.xcenters[si, j], flow.grid.ycenters[si, j]
        z = 0.5 * (flow.grid.botm[1, si, j] + flow.grid.cell_top[1, si, j])
        sources = [Source(x, y, z, mass_rate=100.0)]
        times = np.array([5, 10, 15, 20]) * YEAR
        well_xyz = np.array(
            [
                [flow.grid.xcenters[r, c], flow.grid.ycenters[r, c], z]
                for _, r, c in wells.cells.astype(int)
            ]
        )
        kwargs = dict(dispersivity=(10.0, 1.0, 0.1), engine="mt3d")

        start = time.perf_counter()
        nwt = transport(flow, sources, times, workspace=tmp / "nwt", **kwargs)
        t_nwt = time.perf_counter() - start

        timings: dict[str, float] = {}
        shipped = mt3d.run_mt3d
        mt3d.run_mt3d = link_engine(flow, timings)
        try:
            start = time.perf_counter()
            link = transport(flow, sources, times, workspace=tmp / "link", **kwargs)
            t_link = time.perf_counter() - start
        finally:
            mt3d.run_mt3d = shipped

        a, b = nwt.concentration.values, link.concentration.values
        peak = np.nanmax(a)
        print(f"source cell (layer, row, col) = (1, {si}, {j}); peak {peak:.3g} mg/L")
        print(f"max |c_link - c_nwt| / peak = {np.nanmax(np.abs(a - b)) / peak:.2e}")
        for t in times:
            print(
                f"t = {t / YEAR:4.0f} a  wells (NWT link): {np.round(nwt.at(well_xyz, t), 5)}"
                f"  (gwsim link): {np.round(link.at(well_xyz, t), 5)}"
            )
        print(
            f"mass discrepancy: NWT link {nwt.percent_discrepancy} %, gwsim link "
            f"{link.percent_discrepancy} %"
        )
        print(f"transport(engine='mt3d') as shipped (MODFLOW-NWT + MT3D): {t_nwt:.1f} s")
        print(
            f"transport with gwsim's link file (no MODFLOW-NWT): {t_link:.1f} s "
            f"(of which link file + MT3D-USGS {timings['link engine']:.1f} s)"
        )
        for name, ws in (("NWT link", tmp / "nwt"), ("gwsim link", tmp / "link")):
            listing = (ws / "transport.list").read_text(errors="replace")
            steps = listing.count("TRANSPORT STEP NO.")
            print(f"{name}: {steps} MT3D transport steps")


if __name__ == "__main__":
    main()
