"""MT3D-USGS transport on any flow field, its flows from gwsim's own link file.

:func:`solve` takes the flow field, the engine-neutral
:class:`~gwsim.engines.transport_interface.SoluteProblem` and
:class:`~gwsim.engines.transport_interface.StepSchedule`, writes the flow field's flow-transport
link file (:mod:`gwsim.engines.mt3d_link`; no MODFLOW-NWT rerun), builds MT3D-USGS on the flow
field's grid, runs it and returns a :class:`~gwsim.engines.transport_interface.TransportRun`; no
flopy object leaves here.

Time steps: MT3D-USGS chooses its own transport steps (DT0 = 0) within each flow step, as long as
its explicit TVD advection keeps to the schedule's Courant number; the schedule's step limit for
MODFLOW 6's implicit scheme does not apply. A steady flow field (one saved step) is one flow step
per period; a transient one keeps the flow model's steps.

MT3D-USGS packages (units m, d, g; mg/L = g/m³): BTN (grid, porosity, the flow field's active
cells in the transport domain with its edge held at 0 mg/L, :func:`icbund`; LAYCON 1 for layers
with convertible cells, whose saturated thickness the link file gives; output at the requested
times), ADV (TVD, explicit, Courant number ``courant``; see :func:`run_mt3d` for the fallback to
upstream finite differences), DSP, SSM (water
from the flow model's sources enters at 0 mg/L; mass sources as mass loading, ITYPE 15; held cells
as constant concentration, ITYPE -1), RCT (linear sorption, first-order decay of both phases, dual
domain) and GCG (implicit dispersion, sources and reactions).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import flopy
import numpy as np
from scipy import ndimage

from gwsim.engines.mt3d_link import LinkInfo, write_link_file
from gwsim.engines.program import run_program
from gwsim.engines.transport_interface import (
    THIN_CELL_FRACTION,
    SoluteProblem,
    StepSchedule,
    TransportRun,
)
from gwsim.engines.ucn import read_ucn
from gwsim.errors import AdvectionFallbackWarning, EngineError, GwsimError
from gwsim.executables import find_executable
from gwsim.flowfield import FlowField
from gwsim.grid import mask_dry

MT3D_NAME = "transport"
EXECUTABLE = "mt3dusgs"
LINK_FILE = "flow.ftl"
GRAMS_PER_KG = 1000.0  # MT3D's mass unit is the gram: bulk density g/m³, Kd m³/g
MAX_TRANSPORT_STEPS = 100_000  # per flow time step (MT3D stops beyond it)
# MT3D-USGS's edge ring is two cells thick. Measured on a cut through a test plume (100 g):
# with one (inactive cells right behind it) no mass passed into the ring and all 100 g piled up
# at the edge; with two, 6.64 g left, as when every cell outside is held at 0 mg/L. MT3D-USGS's
# TVD step updates held cells too (it skips only ICBUND = 0), so the inner ring carries the
# plume's edge (its mass counts as stored) and the outer ring takes the outflow.
RING_CELLS = 2
TVD = "TVD"  # MT3D's third-order TVD (ULTIMATE) advection, explicit: MIXELM -1
UPSTREAM_FD = "upstream FD"  # upstream-weighted finite differences, implicit (GCG): MIXELM 0
MIXELM = {TVD: -1, UPSTREAM_FD: 0}
# MT3D-USGS's GCG solver (gcg1.f, GCG1AP) divides the system by the largest concentration but
# keeps the sign (``IF (ABS(CNEW(I)).GT.SCALE) SCALE = CNEW(I)``): once a negative undershoot
# outweighs every positive concentration, SCALE becomes whatever concentration the following
# cells hold, and a remnant of ~1e-25 mg/L scales the right-hand side past single precision.
OVERFLOW = "floating overflow"  # how the Intel-built MT3D-USGS stops then (forrtl error 72)
FALLBACK_NOTE = "TVD failed, upstream FD: more numerical dispersion"


@dataclass
class Mt3dSpec:
    """An MT3D-USGS run on a flow field (m, d, g, mg/L = g/m³).

    ``steps[p]`` lists the flow field's saved steps that are MT3D period ``p``'s flow time steps
    (``nstp[p] == len(steps[p])``), or ``[[0]]`` for a single-step (steady) flow field, whose one
    step then drives every period. Stress dictionaries of ``problem`` are keyed by MT3D period.
    """

    flow: FlowField
    steps: list[list[int]]
    perlen: np.ndarray  # (nper,) d
    nstp: np.ndarray  # (nper,) flow time steps
    tsmult: np.ndarray  # (nper,) flow time-step multiplier
    dt_max: np.ndarray | None  # (nper,) longest transport step, d; None: MT3D's Courant control
    times: np.ndarray  # (nt,) output times, d
    problem: SoluteProblem
    courant: float = 0.5  # largest Courant number of the explicit TVD advection step
    cclose: float = 1e-7  # GCG closure, relative concentration change
    advection: str = TVD  # TVD or UPSTREAM_FD (a key of MIXELM)


def mt3d_spec(flow: FlowField, problem: SoluteProblem, schedule: StepSchedule) -> Mt3dSpec:
    """The MT3D-USGS run of ``problem`` on ``schedule``; MT3D chooses its transport steps."""
    nper = len(schedule.perlen)
    if flow.ntimes == 1:  # one flow step drives each period
        steps, nstp, tsmult = [[0]], np.ones(nper, int), np.ones(nper)
    else:
        steps, nstp, tsmult = schedule.flow_steps, schedule.nstp, schedule.tsmult
    return Mt3dSpec(
        flow=flow,
        steps=steps,
        perlen=schedule.perlen,
        nstp=nstp,
        tsmult=tsmult,
        dt_max=None,
        times=schedule.times,
        problem=problem,
        courant=schedule.courant,
    )


def laycon(flow: FlowField) -> np.ndarray:
    """MT3D's LAYCON: 1 for layers with a convertible cell (thickness from the link file), else 0."""
    return np.any(flow.icelltype.reshape(flow.shape[0], -1) != 0, axis=1).astype(int)


def edge_ring(domain: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Active cells outside ``domain`` within :data:`RING_CELLS` face steps of it (bool)."""
    faces = ndimage.generate_binary_structure(3, 1)
    return ndimage.binary_dilation(domain, faces, iterations=RING_CELLS) & active & ~domain


def icbund(flow: FlowField, domain: np.ndarray | None) -> np.ndarray:
    """MT3D's ICBUND: 1 in the transport domain, -1 (held at 0 mg/L) on its edge ring, else 0.

    MT3D-USGS sizes its TVD step over every cell with ICBUND != 0 (``fmi1.f``, DTRACK2), so cells
    outside the domain (0) neither set the step nor are solved; the ring takes the flow that
    leaves the domain with its mass, booked as the constant-concentration budget term (mass
    conserved; :func:`read_edge_loss`; see :data:`RING_CELLS`). ``None``: every active cell.
    """
    active = flow.grid.idomain > 0
    if domain is None:
        return active.astype(int)
    return np.where(domain & active, 1, np.where(edge_ring(domain, active), -1, 0))


def add_solute_packages(
    mt, problem: SoluteProblem, courant: float, cclose: float, advection: str = TVD
) -> None:
    """ADV (``advection``: TVD or upstream FD), DSP, RCT (when needed) and GCG of ``problem`` on
    the flopy MT3D model ``mt``."""
    flopy.mt3d.Mt3dAdv(mt, mixelm=MIXELM[advection], percel=courant)
    alpha_l, alpha_th, alpha_tv = problem.dispersivity
    if alpha_l == 0 and (alpha_th > 0 or alpha_tv > 0):
        raise GwsimError(
            "engine='mt3d': MT3D-USGS gives transverse dispersivities as ratios to alpha_L, so "
            "alpha_L = 0 with alpha_T > 0 cannot be represented: give alpha_L > 0"
        )
    flopy.mt3d.Mt3dDsp(
        mt,
        al=alpha_l,
        trpt=alpha_th / alpha_l if alpha_l else 0.0,
        trpv=alpha_tv / alpha_l if alpha_l else 0.0,
        dmcoef=0.0,
    )
    sorbing = problem.distcoef is not None
    decaying = bool(np.any(np.asarray(problem.decay) > 0))
    if sorbing or decaying or problem.immobile is not None:
        if problem.immobile is not None:
            isothm = 6 if sorbing else 5
        else:
            isothm = 1 if sorbing else 0
        flopy.mt3d.Mt3dRct(
            mt,
            isothm=isothm,
            ireact=1 if decaying else 0,
            igetsc=0,
            rhob=problem.bulk_density * GRAMS_PER_KG if sorbing else None,
            sp1=problem.distcoef / GRAMS_PER_KG if sorbing else 0.0,
            prsity2=None if problem.immobile is None else problem.immobile.porosity,
            sp2=0.0 if problem.immobile is None else problem.immobile.rate,
            rc1=problem.decay,
            rc2=problem.decay,
        )
    flopy.mt3d.Mt3dGcg(mt, mxiter=1, iter1=500, isolve=3, cclose=cclose)


def ssm_data(problem: SoluteProblem, nper: int) -> dict[int, list | int]:
    """SSM point sources per period: mass loading (ITYPE 15, g/d), held cells (ITYPE -1, mg/L)."""
    data: dict[int, list | int] = {}
    for p in range(nper):
        rows = [(*cell, rate, 15) for cell, rate in problem.mass_sources.get(p, [])]
        rows += [(*cell, conc, -1) for cell, conc in problem.fixed_concentrations.get(p, [])]
        data[p] = rows or 0  # 0: no point sources in this period
    return data


def build_mt3d(
    spec: Mt3dSpec, link: LinkInfo, workspace: Path, link_file: str = LINK_FILE
) -> flopy.mt3d.Mt3dms:
    """The flopy MT3D-USGS model of ``spec`` reading the link file ``link_file`` (not written)."""
    flow, grid = spec.flow, spec.flow.grid
    nlay, nrow, ncol = flow.shape
    nper = len(spec.perlen)
    mt = flopy.mt3d.Mt3dms(
        MT3D_NAME,
        ftlfilename=link_file,
        version="mt3d-usgs",
        exe_name=str(find_executable(EXECUTABLE)),
        model_ws=str(workspace),
    )
    flopy.mt3d.Mt3dBtn(
        mt,
        nlay=nlay,
        nrow=nrow,
        ncol=ncol,
        nper=nper,
        delr=grid.delr,
        delc=grid.delc,
        htop=grid.top,
        dz=grid.thickness,
        perlen=list(spec.perlen),
        nstp=[int(n) for n in spec.nstp],
        tsmult=list(spec.tsmult),
        ncomp=1,
        mcomp=1,
        tunit="D",
        lunit="M",
        munit="G",
        laycon=laycon(flow),
        prsity=spec.problem.porosity,
        icbund=icbund(flow, spec.problem.domain),
        sconc=0.0,
        nprs=len(spec.times),
        timprs=list(spec.times),
        dt0=0.0 if spec.dt_max is None else list(spec.dt_max),
        mxstrn=MAX_TRANSPORT_STEPS,
        ttsmult=1.0,
        thkmin=THIN_CELL_FRACTION,  # MT3D's THKMIN
    )
    sources = max(
        len(spec.problem.mass_sources.get(p, []))
        + len(spec.problem.fixed_concentrations.get(p, []))
        for p in range(nper)
    )
    flopy.mt3d.Mt3dSsm(
        mt,
        crch=0.0 if "RCH" in link.packages else None,
        cevt=0.0 if "EVT" in link.packages else None,
        mxss=link.max_points + sources + 1,
        stress_period_data=ssm_data(spec.problem, nper),
    )
    add_solute_packages(mt, spec.problem, spec.courant, spec.cclose, spec.advection)
    return mt


def _check_schedule(spec: Mt3dSpec) -> None:
    single = spec.steps == [[0]] and spec.flow.ntimes == 1
    if single and not spec.flow.steady and int(np.sum(spec.nstp)) > 1:
        raise GwsimError(
            "the flow field's one saved step exchanges water with storage, so MT3D-USGS would "
            "read a new flow step for every period: save every step of the transient flow run "
            "(OC: HEAD ALL, BUDGET ALL), or run it steady"
        )
    if not single and [len(s) for s in spec.steps] != [int(n) for n in spec.nstp]:
        raise GwsimError(
            f"MT3D periods have {list(map(int, spec.nstp))} flow steps but the link file would "
            f"hold {[len(s) for s in spec.steps]}: give one flow-field step per MT3D flow step"
        )


def read_mass_discrepancy(mas_file: Path) -> float | None:
    """Largest |mass-balance discrepancy| (%) in an MT3D mass summary file (``MT3D001.MAS``)."""
    if not mas_file.is_file():
        return None
    rows = [
        line.split()
        for line in mas_file.read_text(errors="replace").splitlines()
        if re.match(r"^\s*[-+0-9.]", line)
    ]
    values = [abs(float(row[-2])) for row in rows if len(row) > 2]  # TOTAL IN-OUT column
    return max(values) if values else None


def read_edge_loss(list_file: Path) -> float | None:
    """Share of the mass that entered (g; every inflow term of the last cumulative budget in
    MT3D's listing but storage and reactions) which left into constant-concentration cells.

    With a domain's edge ring the outflow is what left the domain (plus what a fixed-
    concentration source cell took up, rare: an upper bound). None when there is no budget.
    """
    if not list_file.is_file():
        return None
    text = list_file.read_text(errors="replace")
    start = text.rfind("CUMULATIVE MASS BUDGETS")
    if start < 0:
        return None
    entered = held_out = 0.0
    for line in text[start:].splitlines()[1:60]:
        name, _, values = line.partition(":")
        numbers = values.split()
        if "[TOTAL]" in name:
            break
        if len(numbers) != 2 or any(w in name for w in ("STOR", "DECAY", "REACTION")):
            continue
        entered += abs(float(numbers[0]))
        if "CONSTANT CONCENTRATION" in name:
            held_out = abs(float(numbers[1]))
    return held_out / entered if entered > 0 else 0.0


def run_mt3d(spec: Mt3dSpec, workspace: str | Path) -> TransportRun:
    """Write the link file, build and run MT3D-USGS for ``spec`` in ``workspace``; read results.

    Returns the saved concentrations (NaN where inactive or dry), MT3D's largest mass-balance
    discrepancy and the advection scheme that ran. When the TVD run stops with a floating
    overflow (MT3D-USGS's GCG scaling, see :data:`OVERFLOW`; seen on a plume pumped back to
    single precision's smallest numbers) it is run again with upstream finite differences, with
    an :class:`~gwsim.errors.AdvectionFallbackWarning`: the plume is then more smeared.

    Raises
    ------
    GwsimError
        When the flow field's steps do not fit the MT3D periods (see :class:`Mt3dSpec`).
    EngineError
        When MT3D-USGS stops with an error; the message carries the end of its listing.
    """
    _check_schedule(spec)
    try:
        return _run_scheme(spec, Path(workspace))
    except EngineError as exc:
        if spec.advection != TVD or OVERFLOW not in str(exc):
            raise
    warnings.warn(
        f"MT3D-USGS in {workspace} stopped with a {OVERFLOW} (its GCG solver's scaling); "
        f"ran again with upstream finite differences: {FALLBACK_NOTE}",
        AdvectionFallbackWarning,
        stacklevel=2,
    )
    try:
        return _run_scheme(replace(spec, advection=UPSTREAM_FD), Path(workspace))
    except EngineError as exc:
        if OVERFLOW not in str(exc):
            raise
        raise EngineError(
            f"MT3D-USGS in {workspace} overflowed with TVD and with upstream finite differences "
            "(its GCG solver scales by a signed maximum concentration, which fails once negative "
            "undershoots outweigh a vanishing plume): end the run before the plume is gone, or "
            "give the transport a domain (fewer near-zero cells)",
            exc.listing_tail,
        ) from exc


def _run_scheme(spec: Mt3dSpec, workspace: Path) -> TransportRun:
    workspace.mkdir(parents=True, exist_ok=True)
    ucn, mas = workspace / "MT3D001.UCN", workspace / "MT3D001.MAS"
    for stale in (ucn, mas, workspace / LINK_FILE):
        stale.unlink(missing_ok=True)
    written = workspace / f"{LINK_FILE}.part"
    link = write_link_file(spec.flow, written, spec.steps)
    mt = build_mt3d(spec, link, workspace)  # before the link file is in place: flopy leaves it open
    mt.write_input()
    written.replace(workspace / LINK_FILE)
    run_program(
        EXECUTABLE, [mt.namefile], workspace, "program completed", [workspace / f"{MT3D_NAME}.list"]
    )
    times, conc = read_ucn(ucn, spec.flow.shape)
    mask_dry(conc)
    domain = spec.problem.domain
    if domain is not None:  # unsolved cells (ICBUND 0 as BTN got it) hold no solute where wet
        unsolved = mt.btn.icbund.array == 0
        conc[:, unsolved & (spec.flow.saturation[0] > THIN_CELL_FRACTION)] = 0.0
    conc[:, spec.flow.grid.idomain <= 0] = np.nan
    return TransportRun(
        concentration=conc,
        times=times,
        percent_discrepancy=read_mass_discrepancy(mas),
        workspace=workspace,
        executables=(EXECUTABLE,),
        edge_loss=None if domain is None else read_edge_loss(workspace / f"{MT3D_NAME}.list"),
        advection=spec.advection,
    )


def solve(
    flow: FlowField, problem: SoluteProblem, schedule: StepSchedule, workspace: str | Path
) -> TransportRun:
    """Solve ``problem`` on ``schedule`` with MT3D-USGS on ``flow``'s own link file."""
    return run_mt3d(mt3d_spec(flow, problem, schedule), workspace)
