"""Write, run and read MT3D-USGS transport (with its MODFLOW-NWT flow rerun) through flopy.

MT3D-USGS reads its flows from a flow-transport link file; for now :mod:`gwsim.engines.mfnwt`
writes it by rerunning the gwsim spec the flow field was run from (``transport(..., spec=...)``).
:func:`solve` takes the flow field, the engine-neutral
:class:`~gwsim.engines.transport_interface.SoluteProblem` and
:class:`~gwsim.engines.transport_interface.StepSchedule` and returns a
:class:`~gwsim.engines.transport_interface.TransportRun`; no flopy object leaves here.

MT3D-USGS packages (units m, d, g; mg/L = g/m³): BTN (output at the requested times), ADV (TVD,
explicit, Courant number ``courant``), DSP, SSM (water from the flow model's sources enters at
0 mg/L; mass sources as mass loading, ITYPE 15; held cells as constant concentration, ITYPE -1),
RCT (linear sorption, first-order decay of the dissolved and sorbed phases alike, dual domain) and
GCG (implicit dispersion, sources and reactions).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import flopy
import numpy as np

from gwsim.engines import mfnwt
from gwsim.engines.program import run_program
from gwsim.engines.transport_interface import SoluteProblem, StepSchedule, TransportRun
from gwsim.errors import GwsimError
from gwsim.executables import find_executable
from gwsim.grid import mask_dry

if TYPE_CHECKING:
    from gwsim.flowfield import FlowField
    from gwsim.spec import ModelSpec

MT3D_NAME = "transport"
EXECUTABLE = "mt3dusgs"
GRAMS_PER_KG = 1000.0  # MT3D's mass unit is the gram: bulk density g/m³, Kd m³/g
MAX_TRANSPORT_STEPS = 100_000  # per flow time step (MT3D stops beyond it)


@dataclass
class Mt3dSpec:
    """Everything a MODFLOW-NWT + MT3D-USGS run needs (m, d, g, mg/L = g/m³).

    Stress dictionaries of ``problem`` map a 0-based period of ``nwt`` to
    ``[(cellid, value), ...]`` with an entry (possibly empty) for every period.
    """

    nwt: mfnwt.NwtFlow  # the flow rerun that writes the link file, on the transport periods
    dt_max: np.ndarray  # (nper,) longest transport step, d
    times: np.ndarray  # (nt,) output times, d
    problem: SoluteProblem  # porosity, dispersion, reactions, sources
    courant: float = 0.5  # largest Courant number of the explicit TVD advection step
    cclose: float = 1e-7  # GCG closure, relative concentration change


def mt3d_spec(
    flow: FlowField, problem: SoluteProblem, schedule: StepSchedule, spec: ModelSpec
) -> Mt3dSpec:
    """The MT3D-USGS run of ``problem`` on ``schedule``, its flows rerun from ``spec``."""
    return Mt3dSpec(
        nwt=mfnwt.nwt_flow(flow, schedule, spec),
        dt_max=schedule.longest_steps(),
        times=schedule.times,
        problem=problem,
        courant=schedule.courant,
    )


def _ssm_data(spec: Mt3dSpec) -> dict[int, list | int]:
    """SSM point sources per period: mass loading (ITYPE 15, g/d), held cells (ITYPE -1, mg/L)."""
    data: dict[int, list | int] = {}
    for p in range(len(spec.nwt.perlen)):
        rows = [(*cell, rate, 15) for cell, rate in spec.problem.mass_sources.get(p, [])]
        rows += [(*cell, conc, -1) for cell, conc in spec.problem.fixed_concentrations.get(p, [])]
        data[p] = rows or 0  # 0: no point sources in this period
    return data


def build_mt3d(spec: Mt3dSpec, mf: flopy.modflow.Modflow, workspace: Path) -> flopy.mt3d.Mt3dms:
    """The flopy MT3D-USGS model of ``spec`` on the flow model ``mf`` (not written)."""
    idomain = spec.nwt.model.grid.arrays()["idomain"]
    mt = flopy.mt3d.Mt3dms(
        MT3D_NAME,
        modflowmodel=mf,
        ftlfilename=mfnwt.LINK_FILE,
        version="mt3d-usgs",
        exe_name=str(find_executable(EXECUTABLE)),
        model_ws=str(workspace),
    )
    flopy.mt3d.Mt3dBtn(
        mt,
        ncomp=1,
        mcomp=1,
        tunit="D",
        lunit="M",
        munit="G",
        laycon=mf.upw.laytyp.array,
        prsity=spec.problem.porosity,
        icbund=(idomain > 0).astype(int),
        sconc=0.0,
        nprs=len(spec.times),
        timprs=list(spec.times),
        dt0=list(spec.dt_max),
        mxstrn=MAX_TRANSPORT_STEPS,
        ttsmult=1.0,
    )
    flopy.mt3d.Mt3dAdv(mt, mixelm=-1, percel=spec.courant)
    alpha_l, alpha_th, alpha_tv = spec.problem.dispersivity
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
    kinds = {b.kind for b in spec.nwt.model.boundaries}
    point_cells = sum(
        len(b.cells) for b in spec.nwt.model.boundaries if b.kind not in ("rch", "evt")
    )
    sources = max(
        len(spec.problem.mass_sources.get(p, []))
        + len(spec.problem.fixed_concentrations.get(p, []))
        for p in range(len(spec.nwt.perlen))
    )
    flopy.mt3d.Mt3dSsm(
        mt,
        crch=0.0 if "rch" in kinds else None,
        cevt=0.0 if "evt" in kinds else None,
        mxss=point_cells + sources + 1,
        stress_period_data=_ssm_data(spec),
    )
    sorbing = spec.problem.distcoef is not None
    decaying = bool(np.any(np.asarray(spec.problem.decay) > 0))
    if sorbing or decaying or spec.problem.immobile is not None:
        if spec.problem.immobile is not None:
            isothm = 6 if sorbing else 5
        else:
            isothm = 1 if sorbing else 0
        flopy.mt3d.Mt3dRct(
            mt,
            isothm=isothm,
            ireact=1 if decaying else 0,
            igetsc=0,
            rhob=spec.problem.bulk_density * GRAMS_PER_KG if sorbing else None,
            sp1=spec.problem.distcoef / GRAMS_PER_KG if sorbing else 0.0,
            prsity2=None if spec.problem.immobile is None else spec.problem.immobile.porosity,
            sp2=0.0 if spec.problem.immobile is None else spec.problem.immobile.rate,
            rc1=spec.problem.decay,
            rc2=spec.problem.decay,
        )
    flopy.mt3d.Mt3dGcg(mt, mxiter=1, iter1=500, isolve=3, cclose=spec.cclose)
    return mt


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


def run_mt3d(spec: Mt3dSpec, workspace: str | Path) -> TransportRun:
    """Write and run MODFLOW-NWT then MT3D-USGS for ``spec`` in ``workspace``; read the results.

    MODFLOW-NWT's heads stay in the workspace (``flow.hds``) for checks against MODFLOW 6.

    Raises
    ------
    EngineError
        When MODFLOW-NWT or MT3D-USGS stops with an error; the message carries the end of the
        failing program's listing.
    """
    workspace = Path(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    ucn, mas = workspace / "MT3D001.UCN", workspace / "MT3D001.MAS"
    for stale in (ucn, mas, workspace / f"{mfnwt.NWT_NAME}.hds", workspace / mfnwt.LINK_FILE):
        stale.unlink(missing_ok=True)
    mf = mfnwt.build_nwt(spec.nwt, workspace)
    mt = build_mt3d(spec, mf, workspace)  # before the link file exists: flopy leaves it open
    mf.write_input()
    mt.write_input()
    run_program(
        mfnwt.EXECUTABLE,
        [mf.namefile],
        workspace,
        "normal termination",
        [workspace / f"{mfnwt.NWT_NAME}.list"],
    )
    run_program(
        EXECUTABLE,
        [mt.namefile],
        workspace,
        "program completed",
        [workspace / f"{MT3D_NAME}.list"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # flopy's file-type probe leaks a handle
        conc_file = flopy.utils.UcnFile(str(ucn), precision="single")
    try:
        times = np.asarray(conc_file.get_times(), float)
        conc = np.asarray(conc_file.get_alldata(), float)
    finally:
        conc_file.close()
    mask_dry(conc)
    conc[:, spec.nwt.model.grid.arrays()["idomain"] <= 0] = np.nan
    return TransportRun(
        concentration=conc,
        times=times,
        percent_discrepancy=read_mass_discrepancy(mas),
        workspace=workspace,
        executables=(mfnwt.EXECUTABLE, EXECUTABLE),
    )


def solve(
    flow: FlowField,
    problem: SoluteProblem,
    schedule: StepSchedule,
    workspace: str | Path,
    spec: ModelSpec,
) -> TransportRun:
    """Solve ``problem`` on ``schedule`` with MT3D-USGS on flows rerun from ``spec``."""
    return run_mt3d(mt3d_spec(flow, problem, schedule, spec), workspace)
