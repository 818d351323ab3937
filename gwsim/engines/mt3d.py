"""Write, run and read MODFLOW-NWT + MT3D-USGS transport of a gwsim model spec through flopy.

MT3D-USGS reads its flows from the flow-transport link file that MODFLOW writes while it runs (LMT
package), not from a finished model's head and budget files, so this engine reruns the flow model
of a :class:`~gwsim.spec.ModelSpec` with MODFLOW-NWT on the stress periods and time steps the
transport schedule needs, then runs MT3D-USGS on the link file. :mod:`gwsim.transport` hands it an
:class:`Mt3dSpec` and gets an :class:`Mt3dResult` of plain arrays back; no flopy object leaves here.

MODFLOW-NWT packages: DIS, BAS6, UPW (K along rows, HANI = K22/K, VKA = K33, LAYTYP from the
spec's icelltype), NWT, CHD (start and end head alike), WEL, RIV, GHB, DRN, RCH and EVT (arrays
on the layer of the spec's cells), HFB6 (the spec's barriers, hydraulic characteristic k/thickness),
OC and LMT (extended header, unformatted).

MT3D-USGS packages (units m, d, g; mg/L = g/m³): BTN (output at the requested times), ADV (TVD,
explicit, Courant number ``courant``), DSP, SSM (water from the flow model's sources enters at
0 mg/L; mass sources as mass loading, ITYPE 15; held cells as constant concentration, ITYPE -1),
RCT (linear sorption, first-order decay of the dissolved and sorbed phases alike, dual domain) and
GCG (implicit dispersion, sources and reactions).
"""

from __future__ import annotations

import re
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import flopy
import numpy as np

from gwsim.engines.solute import SoluteProblem
from gwsim.errors import EngineError, GwsimError
from gwsim.executables import find_executable
from gwsim.grid import mask_dry
from gwsim.spec import BOUNDARY_FIELDS, ModelSpec, layered

NWT_NAME = "flow"
MT3D_NAME = "transport"
LINK_FILE = "mt3d_link.ftl"
GRAMS_PER_KG = 1000.0  # MT3D's mass unit is the gram: bulk density g/m³, Kd m³/g
MAX_TRANSPORT_STEPS = 100_000  # per flow time step (MT3D stops beyond it)
# MODFLOW-NWT's closures are the spec's, but no tighter than these, which it reaches reliably
# (1e-8 m stalls on the demo valley model).
NWT_HEADTOL_MIN = 1e-6  # m
NWT_FLUXTOL_MIN = 1e-3  # m³/d


@dataclass
class Mt3dSpec:
    """Everything a MODFLOW-NWT + MT3D-USGS run needs (m, d, g, mg/L = g/m³).

    The flow periods are the transport schedule's: period ``p`` takes the boundary values of
    ``model``'s period ``spec_periods[p]``. Stress dictionaries map a 0-based period to
    ``[(cellid, value), ...]`` with an entry (possibly empty) for every period.
    """

    model: ModelSpec
    perlen: np.ndarray  # (nper,) d
    nstp: np.ndarray  # (nper,) flow time steps
    tsmult: np.ndarray  # (nper,) flow time-step multiplier
    steady: np.ndarray  # (nper,) bool, steady-state flow period
    spec_periods: np.ndarray  # (nper,) int, the model period whose boundary values apply
    dt_max: np.ndarray  # (nper,) longest transport step, d
    times: np.ndarray  # (nt,) output times, d
    problem: SoluteProblem  # porosity, dispersion, reactions, sources
    courant: float = 0.5  # largest Courant number of the explicit TVD advection step
    cclose: float = 1e-7  # GCG closure, relative concentration change


@dataclass
class Mt3dResult:
    """Saved concentrations of an MT3D-USGS run and its mass-balance discrepancy.

    MODFLOW-NWT's heads stay in the workspace (``flow.hds``) for checks against MODFLOW 6.
    """

    times: np.ndarray  # (nt,) d
    concentration: np.ndarray  # (nt, nlay, nrow, ncol) mg/L; NaN where inactive or dry
    percent_discrepancy: float | None  # largest |mass-balance discrepancy| of MT3D, %


# ---------------------------------------------------------------------- MODFLOW-NWT
def _per_layer(values: np.ndarray, name: str) -> np.ndarray:
    """One value per layer of a per-cell array that MODFLOW-NWT and MT3D need per layer."""
    first = values.reshape(values.shape[0], -1)[:, :1]
    if np.any(values.reshape(values.shape[0], -1) != first):
        raise GwsimError(
            f"engine='mt3d': properties.{name} varies within a layer, which MODFLOW-NWT and "
            "MT3D-USGS cannot represent (one value per layer): use engine='mf6'"
        )
    return first[:, 0].astype(int)


def _list_data(spec: Mt3dSpec, kind: str) -> dict[int, list]:
    """Stress-period lists of every ``kind`` boundary, for the periods in which values change."""
    boundaries = [b for b in spec.model.boundaries if b.kind == kind]
    columns = ("head", "head") if kind == "chd" else BOUNDARY_FIELDS[kind]
    data = {}
    for p, sp in enumerate(spec.spec_periods):
        if p > 0 and sp == spec.spec_periods[p - 1]:
            continue
        data[p] = [
            [*map(int, cell), *(float(vals[c][n]) for c in columns)]
            for b in boundaries
            for vals in [b.values_in_period(int(sp))]
            for n, cell in enumerate(b.cells)
        ]
    return data


def _areal_data(spec: Mt3dSpec, kind: str, fields: tuple[str, ...]) -> tuple[dict, np.ndarray]:
    """Per-period (nrow, ncol) arrays of ``fields`` of the ``kind`` boundaries, and their layer.

    Recharge rates of several boundaries on one column add up; every other field allows one
    boundary cell per column.
    """
    _, nrow, ncol = spec.model.grid.shape
    boundaries = [b for b in spec.model.boundaries if b.kind == kind]
    layer = np.full((nrow, ncol), -1)
    for b in boundaries:
        for k, i, j in b.cells:
            if layer[i, j] >= 0 and (kind != "rch" or layer[i, j] != k):
                raise GwsimError(
                    f"engine='mt3d': {kind} boundary {b.name!r} puts a second cell in the column "
                    f"of ({k}, {i}, {j}); MODFLOW-NWT applies {kind} to one cell per column: use "
                    "engine='mf6'"
                )
            layer[i, j] = k
    data: dict[str, dict[int, np.ndarray]] = {f: {} for f in fields}
    for p, sp in enumerate(spec.spec_periods):
        if p > 0 and sp == spec.spec_periods[p - 1]:
            continue
        for f in fields:
            arr = np.zeros((nrow, ncol))
            for b in boundaries:
                np.add.at(arr, (b.cells[:, 1], b.cells[:, 2]), b.values_in_period(int(sp))[f])
            data[f][p] = arr
    return data, np.maximum(layer, 0)


def build_nwt(spec: Mt3dSpec, workspace: Path) -> flopy.modflow.Modflow:
    """The flopy MODFLOW-NWT model of ``spec`` in ``workspace``, with its LMT link (not written)."""
    model = spec.model
    grid = model.grid.arrays()
    props = model.properties.arrays(model.grid.shape)
    nlay, nrow, ncol = model.grid.shape
    anisotropic = ~np.isclose(props["k22"], props["k"])
    if np.any(anisotropic & (props["angle1"] != 0)):
        raise GwsimError(
            "engine='mt3d': properties.angle1 rotates the horizontal anisotropy, which "
            "MODFLOW-NWT cannot represent (K along rows and columns only): use engine='mf6'"
        )
    mf = flopy.modflow.Modflow(
        NWT_NAME,
        version="mfnwt",
        exe_name=str(find_executable("mfnwt")),
        model_ws=str(workspace),
    )
    flopy.modflow.ModflowDis(
        mf,
        nlay=nlay,
        nrow=nrow,
        ncol=ncol,
        nper=len(spec.perlen),
        delr=grid["delr"],
        delc=grid["delc"],
        top=grid["top"],
        botm=grid["botm"],
        perlen=list(spec.perlen),
        nstp=list(spec.nstp),
        tsmult=list(spec.tsmult),
        steady=list(spec.steady),
        itmuni=4,
        lenuni=2,
    )
    strt = grid["top"][None] * np.ones(model.grid.shape)
    if model.initial_head is not None:
        strt = layered(model.initial_head, model.grid.shape, "initial_head")
    flopy.modflow.ModflowBas(mf, ibound=(grid["idomain"] > 0).astype(int), strt=strt)
    flopy.modflow.ModflowUpw(
        mf,
        laytyp=_per_layer(props["icelltype"], "icelltype"),
        chani=np.zeros(nlay),
        hk=props["k"],
        hani=props["k22"] / props["k"],
        vka=props["k33"],
        ss=props["ss"],
        sy=props["sy"],
    )
    s = model.solver
    flopy.modflow.ModflowNwt(
        mf,
        headtol=max(s.dvclose, NWT_HEADTOL_MIN),
        fluxtol=max(s.rclose, NWT_FLUXTOL_MIN),
        maxiterout=s.outer_maximum,
        options="COMPLEX",
    )
    kinds = {b.kind for b in model.boundaries}
    lists = {
        "chd": flopy.modflow.ModflowChd,
        "wel": flopy.modflow.ModflowWel,
        "riv": flopy.modflow.ModflowRiv,
        "ghb": flopy.modflow.ModflowGhb,
        "drn": flopy.modflow.ModflowDrn,
    }
    for kind, package in lists.items():
        if kind in kinds:
            package(mf, stress_period_data=_list_data(spec, kind))
    if model.barriers:  # faces between two active cells, as the MODFLOW 6 engine writes them
        active = grid["idomain"] > 0
        flopy.modflow.ModflowHfb(
            mf,
            hfb_data=[
                [k, r1, c1, r2, c2, b.hydraulic_characteristic]
                for b in model.barriers
                for k, r1, c1, r2, c2 in (tuple(int(v) for v in f) for f in b.faces)
                if active[k, r1, c1] and active[k, r2, c2]
            ],
        )
    if "rch" in kinds:
        data, layer = _areal_data(spec, "rch", ("rate",))
        flopy.modflow.ModflowRch(mf, nrchop=2, rech=data["rate"], irch=layer)
    if "evt" in kinds:
        data, layer = _areal_data(spec, "evt", BOUNDARY_FIELDS["evt"])
        flopy.modflow.ModflowEvt(
            mf,
            nevtop=2,
            surf=data["surface"],
            evtr=data["rate"],
            exdp=data["depth"],
            ievt=layer,
        )
    flopy.modflow.ModflowOc(
        mf,
        stress_period_data={
            (p, k): ["save head"] for p, n in enumerate(spec.nstp) for k in range(int(n))
        },
    )
    flopy.modflow.ModflowLmt(
        mf,
        output_file_name=LINK_FILE,
        output_file_header="extended",
        output_file_format="unformatted",
    )
    return mf


# ---------------------------------------------------------------------- MT3D-USGS
def _ssm_data(spec: Mt3dSpec) -> dict[int, list | int]:
    """SSM point sources per period: mass loading (ITYPE 15, g/d), held cells (ITYPE -1, mg/L)."""
    data: dict[int, list | int] = {}
    for p in range(len(spec.perlen)):
        rows = [(*cell, rate, 15) for cell, rate in spec.problem.mass_sources.get(p, [])]
        rows += [(*cell, conc, -1) for cell, conc in spec.problem.fixed_concentrations.get(p, [])]
        data[p] = rows or 0  # 0: no point sources in this period
    return data


def build_mt3d(spec: Mt3dSpec, mf: flopy.modflow.Modflow, workspace: Path) -> flopy.mt3d.Mt3dms:
    """The flopy MT3D-USGS model of ``spec`` on the flow model ``mf`` (not written)."""
    idomain = spec.model.grid.arrays()["idomain"]
    mt = flopy.mt3d.Mt3dms(
        MT3D_NAME,
        modflowmodel=mf,
        ftlfilename=LINK_FILE,
        version="mt3d-usgs",
        exe_name=str(find_executable("mt3dusgs")),
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
    kinds = {b.kind for b in spec.model.boundaries}
    point_cells = sum(len(b.cells) for b in spec.model.boundaries if b.kind not in ("rch", "evt"))
    sources = max(
        len(spec.problem.mass_sources.get(p, []))
        + len(spec.problem.fixed_concentrations.get(p, []))
        for p in range(len(spec.perlen))
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


# ---------------------------------------------------------------------- run and read
def _tail(path: Path, lines: int = 30) -> str:
    if not path.is_file():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _run(program: str, name_file: str, workspace: Path, done: str, listing: Path) -> None:
    """Run ``program`` on ``name_file``; raise EngineError unless its output contains ``done``."""
    proc = subprocess.run(
        [str(find_executable(program)), name_file],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or done.lower() not in proc.stdout.lower():
        crash = (proc.stderr.strip().splitlines() or [""])[0]
        raise EngineError(
            f"{program} run in {workspace} failed" + (f": {crash}" if crash else ""),
            _tail(listing) or proc.stdout[-3000:],
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


def run_mt3d(spec: Mt3dSpec, workspace: str | Path) -> Mt3dResult:
    """Write and run MODFLOW-NWT then MT3D-USGS for ``spec`` in ``workspace``; read the results.

    Raises
    ------
    EngineError
        When MODFLOW-NWT or MT3D-USGS stops with an error; the message carries the end of the
        failing program's listing.
    """
    workspace = Path(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    ucn, mas = workspace / "MT3D001.UCN", workspace / "MT3D001.MAS"
    for stale in (ucn, mas, workspace / f"{NWT_NAME}.hds", workspace / LINK_FILE):
        stale.unlink(missing_ok=True)
    mf = build_nwt(spec, workspace)
    mt = build_mt3d(spec, mf, workspace)  # before the link file exists: flopy leaves it open
    mf.write_input()
    mt.write_input()
    _run("mfnwt", mf.namefile, workspace, "normal termination", workspace / f"{NWT_NAME}.list")
    _run("mt3dusgs", mt.namefile, workspace, "program completed", workspace / f"{MT3D_NAME}.list")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # flopy's file-type probe leaks a handle
        conc_file = flopy.utils.UcnFile(str(ucn), precision="single")
    try:
        times = np.asarray(conc_file.get_times(), float)
        conc = np.asarray(conc_file.get_alldata(), float)
    finally:
        conc_file.close()
    mask_dry(conc)
    conc[:, spec.model.grid.arrays()["idomain"] <= 0] = np.nan
    return Mt3dResult(
        times=times, concentration=conc, percent_discrepancy=read_mass_discrepancy(mas)
    )
