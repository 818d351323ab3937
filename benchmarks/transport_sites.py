"""The engine cross-check on the site models, for benchmarks/transport_mf6_vs_mt3d.py.

Site models (``--only chajia nancun``; models/valley_porous and models/redbed_fracture, steady
variant, built as the scenarios build them): a 100 g/d leak up-gradient of a well (Chajia: upper
sand and gravel, 300 m across the valley from the first well, as benchmarks/mt3d_link_chajia.py;
Nancun: at the water table 300 m up the slope of the second well, dual domain from the site's
``transport.*`` parameters), receptors the wells' cells and two points a third and two thirds of
the way to the first well. See :func:`site` for the three parts: MT3D-USGS 20-year plume and its
time (with, on Chajia, MT3D on the link file of a MODFLOW-NWT twin, benchmarks/nwt_twin.py; Nancun's
rotated anisotropy cannot be written for MODFLOW-NWT), MODFLOW 6's 20-year time from its first
steps, and MODFLOW 6 against MT3D over a shorter horizon with the share of the plume in qy < 0 flow.

Measured 2026-12-01, 2 cores shared with other sessions (load 7-16: wall times are 3-7x the CPU
times; the last session measured the Chajia MT3D plume at 51 s wall on a quieter machine), mf6 =
the wheel's 6.4.1, which fails gwsim's dispersion probe (asymmetry 0.298 of the peak).

MT3D-USGS on gwsim's link file against MT3D-USGS on MODFLOW-NWT's (Chajia, UPW twin, closures
1e-4 m / 0.1 m³/d as the site model's; Nancun has none: its rotated anisotropy cannot be written
for MODFLOW-NWT): heads differ by up to 1.4 cm (median 1.7 mm) between the two flow solutions,
face flows by up to 1.6e-3 of the largest, saturated thickness by up to 1.4 cm; so the tolerance
is 1e-2 of the peak. Measured max |dc| = 8.2e-4 of the peak (4.48 mg/L); at the receptors after
20 years (mg/L) gwsim 0.0462 0.0474 0.1163 0.1212 0 0 0.8258 0.0923, NWT 0.0462 0.0474 0.1165
0.1215 0 0 0.8258 0.0921 (the well field's six cells, a third and two thirds of the way).

| 20-year plume | steps | the step is set by | time | 60 s target |
|---|---|---|---|---|
| Chajia, MT3D-USGS | 2,654 of 2.75 d | advection in a hillslope regolith cell 1.1 % saturated, (0, 20, 104) | 197 s wall (load 14); 120 s wall, 55 s CPU (load 5-8) | met on CPU; wall only on a quiet machine |
| Chajia, MODFLOW 6 GWT | 66,196 of 0.110 d | Peclet limit 2·0.05·α_L/v, 9 m/d in that same cell | 0.84 s wall (load 14), 0.27 s CPU a step: ~5 h CPU | missed |
| Nancun, MT3D-USGS (dual domain; 1 year run, x 20) | 8,400 of 0.87 d | advection in a 2 m cell of layer 1 by the stream (1, 31, 78), fracture porosity 0.02 | 731-1,599 s wall, 231-242 s CPU | missed (4x on CPU) |
| Nancun, MODFLOW 6 GWT | 30,779 of 0.237 d | Peclet limit | 0.57 s CPU a step: ~4.9 h CPU | missed |

Since 2026-12-01 (session 22) transport() solves on the transport domain by default
(gwsim.solute.domain; benchmarks/transport_domain.py, same leaks, CPU): Chajia MT3D 20 years
19.9 s (1,952 steps, set by the wells), Nancun MT3D 20 years 99.3 s (6,364 steps, set by a
cell above the second well's screen), Chajia MODFLOW 6 22,676 steps for 20 years (Peclet
limit at the wells, which this plume reaches): the MODFLOW 6 and Nancun targets stay missed.

Since 2026-12-02 (session 23) MODFLOW 6 GWT solves only the box of rows and columns around the
transport domain, on a flow budget file gwsim writes for it (gwsim.engines.mf6_fmi), and grades
its steps along the leak's tracked paths (gwsim.solute.schedule.path_step_limit) instead of the
fastest cell's Peclet limit. Measured 2026-12-02, same leaks, 6.4.1 forced (quiet machine, load
0.4-1.3): **Chajia MODFLOW 6 20 years: 2,935 steps of 2.44-3.2 d (path rule; Courant 0.5 would
allow 3.75 d), 1,079 cells solved, 15.4 s wall, 15.6 s CPU (14.5 s mf6): the 60 s target is
met** (benchmarks/transport_domain.py --only mf6). Nancun MODFLOW 6 20 years (dual domain):
7,023 steps of 0.94-1.08 d, set by the Courant limit in fracture porosity 0.02; 150.6 s
CPU, 182 s wall at load 3-4 (missed; a scratch run, not this script). Receptors of the 20-year
Chajia plume, MF6/MT3D - 1: wells +54 %, +33 %, -18 %, -16 % (two cells < 1e-5 mg/L in MT3D),
a third and two thirds of the way +22 %, +167 %: 207 of the 212 plume cells have qy < 0 oblique
to the grid, where 6.4.1 is wrong (max abs(MF6 - MT3D) 18.4 % of the peak there, 0.6 %
elsewhere), as in the table below; what the new rules change in MODFLOW 6's own plume is small:
graded against the local rule's steps (the reach domain, 1 year) 2.5e-3 of the peak (4.9e-3 at
half a year; median 0.75 % where c > 1 % of the peak); the box against every cell on the same
steps (half a year) 1.6e-5 of the peak.

Where the time goes on Chajia (the limiting cells this benchmark prints; THKMIN by rerunning its
MT3D input with the value edited in the BTN file): both engines' steps are set by barely wet cells of the hillslope regolith, 1.1 %
saturated (3.4 cm of water in a 3 m cell) with 0.96 m³/d of rain passing through; the schedule
and MT3D's THKMIN (0.01) treat cells below 1 % as dry, these lie just above. MT3D with THKMIN
0.05 (its largest allowed value; 0.10 is refused with a warning and gives the 0.01 run): 1,952 steps, 45 s CPU instead of 58 s, 297 more
cells dry, concentrations within 3.3e-3 of the peak (wells within 0.6 %); the step is then set by
the wells' cells (3.7 d). gwsim does not ship 0.05: on the
Chajia risk scenario it silently inactivated the electroplating footprint's barely wet cap cells
(that plume vanished); THIN_CELL_FRACTION (gwsim/engines/transport_interface.py) stays 0.01 and
leaks now go to the first cell saturated above it. MODFLOW 6 with the schedule's thin-cell share at 0.05: 22,676 steps
(Peclet limit at the wells, 0.32 d), Courant-limited only 1,949; at 0.28 s CPU a step (7-9
linear iterations a step; TVD advection, XT3D dispersion) even that takes 9 min CPU.

MODFLOW 6 GWT (6.4.1, Courant-limited steps, ``numerical_dispersion`` lifted) against MT3D-USGS:
every plume here has qy < 0 oblique to the grid (the leaks lie up-slope of wells that draw water
across the grid rows), where 6.4.1 is wrong:

| plume | cells > 1 % of peak | in qy < 0 flow | max abs(MF6 - MT3D) | median abs(MF6/MT3D - 1) | receptors MT3D/MF6 - 1 |
|---|---|---|---|---|---|
| Chajia, 2 years | 197 | 100 % | 18.4 % of the peak | 35.9 % | wells -57 %, -42 %, +84 %, +34 % (2 cells not reached); way points -20 %, -70 % |
| Chajia, 0.25 year | 28 | 100 % | 17.8 % of the peak | 47.4 % | a third of the way -63 % (two thirds and the wells not reached) |
| Nancun, 0.5 year | 14 | 100 % | 18.6 % of the peak | 40.9 % | not reached (< 1e-5 mg/L) |

So no site-model receptor agrees within 10 % here; that check, and a grid refinement, need an mf6
that passes the probe (``--mf6 PATH``). The analytic cases, same day: column and flow along the
grid, MT3D/MF6 - 1 within 0.6 % and 2.4 %, both within 3.0 % of the analytic peaks; 45° toward
the south-east (qy < 0), MF6 6.4.1 -52 % to +14 % of the analytic peaks (mirrored plumes, and
the warning), MT3D -13 % to +1 %.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
import warnings
from pathlib import Path

import flopy
import numpy as np
from engine_comparison import run_engines, table, timed_flow
from mt3d_link_chajia import YEAR, chajia_leak, cpu_seconds, transport_steps, well_points
from nwt_twin import check_representable, run_nwt_twin

from gwsim.engines import mt3d
from gwsim.engines.mf6_gwt import solved_cells
from gwsim.engines.program import run_program
from gwsim.engines.transport_choice import mirrored_flow_cells
from gwsim.errors import GwsimError, Mf6DispersionWarning
from gwsim.executables import find_executable, program_version
from gwsim.grid import mask_dry
from gwsim.scenario import SiteModel
from gwsim.solute import DualDomain, Source, transport
from gwsim.solute.domain import reach_domain, source_paths
from gwsim.solute.schedule import max_step, step_schedule

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from mt3d_link_models import read_link_records  # noqa: E402  (the tests' link-file reader)

ALPHAS = (10.0, 1.0, 0.1)  # m, dispersivities of the site-model plumes
TARGET_SECONDS = 60.0  # one 20-year plume on a site model (issue 14)
# MT3D on gwsim's link file against MT3D on MODFLOW-NWT's, of the peak: the two flow solutions
# (UPW and MODFLOW 6's Newton NPF, closures 1e-4 m) differ by ~2e-3 of the largest face flow, and
# the concentrations follow the flows about linearly; the link file alone agrees to 1e-5
# (tests/test_mt3d_link.py, a model both programs solve alike)
NWT_TOLERANCE = 1e-2
HORIZONS = {"years": 20.0, "compare_years": 2.0}  # a, site-model plume and comparison (options)


def site_flow(site: str, ws: Path):
    """(site model, spec, flow field, flow seconds) of a site model's steady variant, built as
    the scenarios build it (``[model] site = ...``)."""
    model = SiteModel.from_table({"site": site}, ROOT / "models")
    spec = model.build()
    flow, flow_seconds = timed_flow(spec, ws / site / "flow")
    return model, spec, flow, flow_seconds


def nancun_leak(spec, flow) -> tuple[Source, tuple[int, int, int]]:
    """100 g/d at the water table 300 m up the slope (north) of the second Nancun well."""
    cells = spec.boundary("nancun_wells").cells
    j = sorted({int(c) for c in cells[:, 2]})[1]  # wells from west to east
    i = int(cells[cells[:, 2] == j][0, 1])
    si = i - round(300.0 / flow.grid.delc[i])
    source = Source(flow.grid.xcenters[si, j], flow.grid.ycenters[si, j], mass_rate=100.0)
    wet = flow.saturation[0, :, si, j] > 0
    return source, (int(np.argmax(wet)), si, j)


def receptors(flow, spec, wells: str, cell) -> tuple[np.ndarray, list[str]]:
    """The wells' cells and two points on the way from the source cell to the first well (a third
    and two thirds of the way, in the source's layer), as (n, 3) x, y, z (m) and names."""
    points = well_points(flow, spec.boundary(wells))
    names = [f"{wells} cell {k},{i},{j}" for k, i, j in spec.boundary(wells).cells]
    k, i, j = cell
    grid = flow.grid
    source = np.array([grid.xcenters[i, j], grid.ycenters[i, j]])
    for share in (1 / 3, 2 / 3):
        x, y = source + share * (points[0, :2] - source)
        _, r, c = (int(v[0]) for v in grid.locate(x, y))
        z = 0.5 * (grid.botm[k, r, c] + grid.cell_top[k, r, c])
        points = np.vstack([points, [x, y, z]])
        names.append(f"{share:.0%} of the way to well 1")
    return points, names


def mirrored_share(flow, plumes: dict) -> str:
    """Where the plumes have qy < 0 oblique to the grid (MODFLOW 6 6.4.1 wrong there) and how
    far the two engines differ there and elsewhere (of the peak; cells above 1 % of it)."""
    mt3d, mf6 = (np.nan_to_num(plumes[e].concentration.values[-1]) for e in ("mt3d", "mf6"))
    peak = mt3d.max()
    plume = np.maximum(mt3d, mf6) > 0.01 * peak
    mirrored = mirrored_flow_cells(flow)[0] & plume
    diff = np.abs(mf6 - mt3d) / peak
    rel = np.abs(mf6 / np.where(mt3d > 0, mt3d, np.nan) - 1)
    lines = [
        f"plume cells (c > 1 % of the MT3D peak {peak:.3g} mg/L at the last time): "
        f"{int(plume.sum())}, of which with qy < 0 oblique to the grid: {int(mirrored.sum())} "
        f"({mirrored.sum() / max(plume.sum(), 1):.0%})"
    ]
    for label, where in (("qy < 0", mirrored), ("elsewhere", plume & ~mirrored)):
        if where.any():
            lines.append(
                f"  {label}: max |MF6 - MT3D| {diff[where].max():.1%} of the peak, median "
                f"|MF6/MT3D - 1| {np.nanmedian(rel[where]):.1%}"
            )
    return "\n".join(lines)


def mt3d_on_link_file(
    mt3d_ws: Path, link_file: Path, points: int, ws: Path
) -> tuple[np.ndarray, float]:
    """MT3D-USGS rerun with the input files of ``mt3d_ws`` on another link file, which lists up
    to ``points`` point sources and sinks per step: (concentration (nt, nlay, nrow, ncol) mg/L,
    NaN where inactive or dry; wall seconds)."""
    shutil.copytree(mt3d_ws, ws)
    for output in ("MT3D001.UCN", "MT3D001.MAS", f"{mt3d.MT3D_NAME}.list"):
        (ws / output).unlink(missing_ok=True)
    shutil.copy(link_file, ws / mt3d.LINK_FILE)
    ssm = (ws / f"{mt3d.MT3D_NAME}.ssm").read_text().splitlines(keepends=True)
    mxss = max(int(ssm[1].split()[0]), points + 2)  # + the leak, + 1 as gwsim sizes it
    ssm[1] = f"{mxss:10d}\n"
    (ws / f"{mt3d.MT3D_NAME}.ssm").write_text("".join(ssm))
    start = time.perf_counter()
    run_program(
        mt3d.EXECUTABLE,
        [f"{mt3d.MT3D_NAME}.nam"],
        ws,
        "program completed",
        [ws / f"{mt3d.MT3D_NAME}.list"],
    )
    seconds = time.perf_counter() - start
    ucn = flopy.utils.UcnFile(str(ws / "MT3D001.UCN"), precision="single")
    try:
        conc = np.asarray(ucn.get_alldata(), float)
    finally:
        ucn.close()
    mask_dry(conc)
    return conc, seconds


def link_file_differences(ours: Path, theirs: Path, shape) -> tuple[float, float, int]:
    """(largest face-flow difference / the step's largest face flow, largest saturated-thickness
    difference in m, most point sources and sinks of a step in ``theirs``) between two link files
    of a steady flow field, over the records of ``ours`` (one flow step)."""
    a, b = (read_link_records(p, shape) for p in (ours, theirs))
    b = b[: len(a)]  # steady flow: MT3D reads the first step only (gwsim writes no more)
    if [r[:2] for r in a] != [r[:2] for r in b]:
        raise SystemExit("the two link files hold different records")
    points = {}
    for _, key, rows in b[1:]:
        if isinstance(rows, list):
            points[key] = points.get(key, 0) + len(rows)
    flows, thickness = 0.0, 0.0
    for (label, _, mine), (_, _, ref) in zip(a[1:], b[1:], strict=True):
        if label in ("QXX", "QYY", "QZZ"):
            flows = max(flows, float(np.abs(mine - ref).max() / np.abs(ref).max()))
        elif label == "THKSAT":
            wet = (ref > 0) & (ref < 1e29) & (mine > 0) & (mine < 1e29)
            thickness = max(thickness, float(np.abs(mine - ref)[wet].max()))
    return flows, thickness, max(points.values(), default=0)


def nwt_check(spec, flow, source, times, plume, mt3d_ws: Path, ws: Path, points) -> None:
    """MT3D-USGS on gwsim's link file (``plume``) against MT3D-USGS on the link file of the
    MODFLOW-NWT twin of ``spec``, the same MT3D input (``mt3d_ws``)."""
    schedule = step_schedule(flow, [source], times, flow.porosity, 1.0, ALPHAS[0], 0.5, 0.05)
    closure = (spec.solver.dvclose, spec.solver.rclose)  # MODFLOW 6's
    start = time.perf_counter()
    link, heads = run_nwt_twin(spec, schedule.perlen, ws / "nwt", *closure)
    nwt_seconds = time.perf_counter() - start
    flows, thickness, points_nwt = link_file_differences(mt3d_ws / mt3d.LINK_FILE, link, flow.shape)
    theirs, mt3d_seconds = mt3d_on_link_file(mt3d_ws, link, points_nwt, ws / "mt3d_nwt")
    ours = plume.concentration.values
    theirs[:, np.isnan(ours[0])] = np.nan
    peak = np.nanmax(ours)
    wet = flow.saturation[0] > 0
    dh = np.abs(heads - flow.head[0])[wet & (heads > -1e29)]
    at = (slice(None), *flow.grid.locate(points[:, 0], points[:, 1], points[:, 2]))
    print(
        f"\n-- MT3D-USGS on MODFLOW-NWT's link file (UPW twin, head/flux closure {closure[0]:g} m /"
        f" {closure[1]:g} m³/d; MODFLOW-NWT {nwt_seconds:.1f} s, MT3D {mt3d_seconds:.1f} s)"
    )
    print(
        f"flows: heads differ by up to {dh.max():.2e} m (median {np.median(dh):.1e} m); link files:"
        f" face flows up to {flows:.1e} of the largest, saturated thickness up to {thickness:.1e} m"
    )
    worst = np.nanmax(np.abs(ours - theirs)) / peak
    verdict = "same" if worst <= NWT_TOLERANCE else "DIFFERENT"
    print(
        f"concentrations {verdict} (tolerance {NWT_TOLERANCE:g} of the peak): "
        f"max |c_gwsim - c_nwt| = {worst:.1e} "
        f"of the peak ({peak:.3g} mg/L); receptors at the last time (mg/L) gwsim "
        f"{np.round(ours[at][-1], 4)}, NWT {np.round(theirs[at][-1], 4)}"
    )


def timed_transport(flow, sources, times, engine: str, workspace: Path, **kwargs):
    """(plume, wall seconds, the programs' CPU seconds) of one run; a Mf6DispersionWarning is
    counted, not raised."""
    start, cpu = time.perf_counter(), cpu_seconds()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", Mf6DispersionWarning)
        plume = transport(flow, sources, times, engine=engine, workspace=workspace, **kwargs)
    if caught:
        print(f"({len(caught)} x {caught[0].category.__name__})")
    return plume, time.perf_counter() - start, cpu_seconds() - cpu


def site(name: str, folder: str, wells: str, ws: Path, nwt: bool) -> float:
    """The cross-check on a site model (steady variant, a 100 g/d leak up-gradient of a well):

    1. MT3D-USGS, 20-year plume (``--years``; a shorter one's time is scaled to 20 years: the
       steady flow gives the same steps every year), timed against the 60 s target; on Chajia,
       MT3D on the link file
       of the MODFLOW-NWT twin against MT3D on gwsim's;
    2. MODFLOW 6 GWT's plume over the same years (:func:`mf6_run`), timed, and its receptor
       concentrations against MT3D-USGS's;
    3. MODFLOW 6 GWT against MT3D-USGS over ``--compare-years`` years, MODFLOW 6 on
       Courant-limited steps (``numerical_dispersion`` lifted: the time-stepping dispersion
       v²Δt/2 then adds about 13 % to α_L·v at 1 m/d), and where the plume has qy < 0.
    """
    model, spec, flow, flow_seconds = site_flow(folder, ws)
    leak = chajia_leak if folder == "valley_porous" else nancun_leak
    source, cell = leak(spec, flow)
    points, names = receptors(flow, spec, wells, cell)
    kwargs = {"dispersivity": ALPHAS}
    if "transport.immobile_porosity" in model.params:  # red beds: fracture and matrix porosity
        kwargs["dual_domain"] = DualDomain(
            model.params["transport.immobile_porosity"].value,
            model.params["transport.transfer_rate"].value,
        )
    print(
        f"\n== {name} ({folder}, steady; flow run {flow_seconds:.1f} s): 100 g/d into layer "
        f"{cell[0]} at row {cell[1]}, col {cell[2]}, alpha = {ALPHAS} m"
        + (", dual domain" if "dual_domain" in kwargs else "")
    )
    years, compare_years = HORIZONS["years"], HORIZONS["compare_years"]
    times = np.linspace(years / 4, years, 4) * YEAR
    scale = 20.0 / years  # to a 20-year plume
    mt3d_ws = ws / folder / "mt3d"
    plume, seconds, cpu = timed_transport(flow, [source], times, "mt3d", mt3d_ws, **kwargs)
    verdict = "meets" if seconds * scale <= TARGET_SECONDS else "MISSES"
    print(
        f"MT3D-USGS {years:g}-year plume: {seconds:.1f} s wall ({cpu:.1f} s CPU), "
        f"{transport_steps(mt3d_ws)} transport steps; 20 years: {seconds * scale:.0f} s wall "
        f"({cpu * scale:.0f} s CPU), "
        f"mass balance {plume.percent_discrepancy} %: {verdict} the "
        f"{TARGET_SECONDS:g} s target; limiting cells: {limiting_cells(mt3d_ws)}"
    )
    for n, point_name in enumerate(names):
        print(
            f"  {point_name:<28}"
            + "".join(f"{c:>11.4g}" for c in plume.at(points[n : n + 1], times[-1]))
        )
    if nwt:
        nwt_check(spec, flow, source, times, plume, mt3d_ws, ws / folder, points)
    else:
        try:
            check_representable(spec)
        except GwsimError as exc:
            print(f"-- no MODFLOW-NWT twin: {exc}")

    mf6_plume, _ = mf6_run(flow, source, cell, times, ws / folder / "mf6", **kwargs)
    at = (slice(None), *flow.grid.locate(points[:, 0], points[:, 1], points[:, 2]))
    mt3d_c, mf6_c = (np.nan_to_num(p.concentration.values[at][-1]) for p in (plume, mf6_plume))
    print(f"receptors after {years:g} years (mg/L; MODFLOW 6 {mf6_version()}):")
    for n, point_name in enumerate(names):
        ratio = f"{mf6_c[n] / mt3d_c[n] - 1:+.1%}" if mt3d_c[n] > 1e-6 else "not reached"
        print(
            f"  {point_name:<28} MT3D {mt3d_c[n]:>10.4g}  MF6 {mf6_c[n]:>10.4g}  MF6/MT3D-1 {ratio}"
        )

    compare = np.array([0.5, 1.0]) * compare_years * YEAR
    plumes, seconds = run_engines(
        flow, [source], compare, ws / folder / "compare", numerical_dispersion=1e6, **kwargs
    )
    worst = table(
        f"{name}: MODFLOW 6 GWT (Courant-limited steps) against MT3D-USGS, {compare_years:g} years",
        points,
        names,
        plumes,
        seconds,
        flow_seconds,
    )
    print(mirrored_share(flow, plumes))
    return worst


def mf6_run(flow, source, cell, times, workspace: Path, **kwargs):
    """(plume, CPU s) of MODFLOW 6 GWT to ``max(times)`` (d) with the shipped rules (the
    transport domain's box solved, steps graded along the source's paths), printing its steps,
    what sets them, its wall and CPU time (the programs' and Python's) against the target."""
    t_end = float(np.max(times))
    paths = source_paths(flow, [cell], t_end, flow.porosity)
    domain = reach_domain(flow, [cell], t_end, flow.porosity, *ALPHAS[:2], paths=paths)
    schedule = step_schedule(
        flow, [source], np.asarray(times), flow.porosity, 1.0, ALPHAS[0], 0.5, 0.05, domain, paths
    )
    _, unit_courant = max_step(flow, flow.porosity, 0, 1.0, 0.0, 0.5, 0.0, domain)
    dt = schedule.perlen / schedule.nstp
    courant_steps = int(schedule.nstp[dt >= 0.5 * unit_courant * (1 - 1e-6)].sum())
    solved = int(solved_cells(domain, flow.grid.idomain).sum())
    python_cpu, start_load = time.process_time(), os.getloadavg()[0]
    plume, seconds, cpu = timed_transport(flow, [source], times, "mf6", workspace, **kwargs)
    total_cpu = cpu + time.process_time() - python_cpu
    verdict = "meets" if total_cpu <= TARGET_SECONDS else "MISSES"
    print(
        f"MODFLOW 6 GWT {t_end / YEAR:g}-year plume: {int(schedule.nstp.sum())} steps in "
        f"{len(dt)} periods, {dt.min():.3g}-{dt.max():.3g} d; Courant limit (0.5) "
        f"{0.5 * unit_courant:.3g} d over the domain's cells sets {courant_steps} of them, the "
        f"path rule (gwsim.solute.schedule) the rest; {solved} of "
        f"{int((flow.grid.idomain > 0).sum())} cells solved (domain {int(domain.sum())}); "
        f"{seconds:.1f} s wall, {total_cpu:.1f} s CPU ({cpu:.1f} s mf6, "
        f"{1000 * cpu / schedule.nstp.sum():.1f} ms a step); load {start_load:.1f} -> "
        f"{os.getloadavg()[0]:.1f}: {verdict} the {TARGET_SECONDS:g} s target (CPU); mass "
        f"balance {plume.percent_discrepancy} %"
    )
    return plume, total_cpu


def mf6_version() -> str:
    """The version line of the mf6 in use."""
    mf6 = find_executable("mf6")
    return program_version(mf6, "mf6")


def limiting_cells(mt3d_ws: Path) -> str:
    """The cells that limit MT3D-USGS's transport step (its listing), with their saturation."""
    text = (mt3d_ws / f"{mt3d.MT3D_NAME}.list").read_text(errors="replace")
    found = re.findall(
        r"STABILITY CRITERION OF THE (\S+).*?\n\s*=\s*([-+.\dE]+)\s.*?"
        r"AT K=\s*(\d+), I=\s*(\d+), J=\s*(\d+)",
        text,
        flags=re.S,
    )
    seen = {}
    for term, step, k, i, j in found:
        seen.setdefault(
            term.lower(), f"{term.lower()} {float(step):.3g} d at (k,i,j) = ({k},{i},{j})"
        )
    return "; ".join(seen.values())
