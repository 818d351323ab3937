"""MODFLOW-NWT rerun of a gwsim model spec that writes MT3D-USGS's flow-transport link file.

MT3D-USGS reads its flows from the link file that MODFLOW writes while it runs (LMT package), not
from a finished model's head and budget files. Until gwsim writes that file from any flow field,
this module reruns the flow model of a :class:`~gwsim.spec.ModelSpec` with MODFLOW-NWT on the
stress periods and time steps of the transport schedule (:class:`NwtFlow`).

Packages: DIS, BAS6, UPW (K along rows, HANI = K22/K, VKA = K33, LAYTYP from the spec's
icelltype), NWT, CHD (start and end head alike), WEL, RIV, GHB, DRN, RCH and EVT (arrays on the
layer of the spec's cells), HFB6 (the spec's barriers, hydraulic characteristic k/thickness), OC
and LMT (extended header, unformatted).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import flopy
import numpy as np

from gwsim.engines.transport_interface import StepSchedule
from gwsim.errors import GwsimError
from gwsim.executables import find_executable
from gwsim.spec import BOUNDARY_FIELDS, ModelSpec, layered

if TYPE_CHECKING:
    from gwsim.flowfield import FlowField

NWT_NAME = "flow"
LINK_FILE = "mt3d_link.ftl"
EXECUTABLE = "mfnwt"
# MODFLOW-NWT's closures are the spec's, but no tighter than these, which it reaches reliably
# (1e-8 m stalls on the demo valley model).
NWT_HEADTOL_MIN = 1e-6  # m
NWT_FLUXTOL_MIN = 1e-3  # m³/d


@dataclass
class NwtFlow:
    """The MODFLOW-NWT rerun of ``model`` on the transport periods (d).

    Period ``p`` takes the boundary values of ``model``'s period ``spec_periods[p]``.
    """

    model: ModelSpec
    perlen: np.ndarray  # (nper,) d
    nstp: np.ndarray  # (nper,) flow time steps
    tsmult: np.ndarray  # (nper,) flow time-step multiplier
    steady: np.ndarray  # (nper,) bool, steady-state flow period
    spec_periods: np.ndarray  # (nper,) int, the model period whose boundary values apply


def nwt_flow(flow: FlowField, schedule: StepSchedule, spec: ModelSpec) -> NwtFlow:
    """The rerun of ``spec`` (the model ``flow`` was run from) on the periods of ``schedule``.

    A single-step flow field (steady flow) gives one steady-state flow step per period, in which
    MT3D takes the schedule's steps; otherwise the periods and steps are the spec's own, one
    transport step per flow step at most.
    """
    perlen = schedule.perlen
    nper = len(perlen)
    if flow.ntimes == 1:
        nstp, tsmult = np.ones(nper, int), np.ones(nper)
        steady, spec_periods = np.ones(nper, bool), np.zeros(nper, int)
    else:
        nstp, tsmult = schedule.nstp, schedule.tsmult
        steady = np.array([spec.periods[p].steady for p in range(nper)])
        spec_periods = np.arange(nper)
    return NwtFlow(
        model=spec,
        perlen=perlen,
        nstp=nstp,
        tsmult=tsmult,
        steady=steady,
        spec_periods=spec_periods,
    )


def _per_layer(values: np.ndarray, name: str) -> np.ndarray:
    """One value per layer of a per-cell array that MODFLOW-NWT and MT3D need per layer."""
    first = values.reshape(values.shape[0], -1)[:, :1]
    if np.any(values.reshape(values.shape[0], -1) != first):
        raise GwsimError(
            f"engine='mt3d': properties.{name} varies within a layer, which MODFLOW-NWT and "
            "MT3D-USGS cannot represent (one value per layer): use engine='mf6'"
        )
    return first[:, 0].astype(int)


def _list_data(nwt: NwtFlow, kind: str) -> dict[int, list]:
    """Stress-period lists of every ``kind`` boundary, for the periods in which values change."""
    boundaries = [b for b in nwt.model.boundaries if b.kind == kind]
    columns = ("head", "head") if kind == "chd" else BOUNDARY_FIELDS[kind]
    data = {}
    for p, sp in enumerate(nwt.spec_periods):
        if p > 0 and sp == nwt.spec_periods[p - 1]:
            continue
        data[p] = [
            [*map(int, cell), *(float(vals[c][n]) for c in columns)]
            for b in boundaries
            for vals in [b.values_in_period(int(sp))]
            for n, cell in enumerate(b.cells)
        ]
    return data


def _areal_data(nwt: NwtFlow, kind: str, fields: tuple[str, ...]) -> tuple[dict, np.ndarray]:
    """Per-period (nrow, ncol) arrays of ``fields`` of the ``kind`` boundaries, and their layer.

    Recharge rates of several boundaries on one column add up; every other field allows one
    boundary cell per column.
    """
    _, nrow, ncol = nwt.model.grid.shape
    boundaries = [b for b in nwt.model.boundaries if b.kind == kind]
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
    for p, sp in enumerate(nwt.spec_periods):
        if p > 0 and sp == nwt.spec_periods[p - 1]:
            continue
        for f in fields:
            arr = np.zeros((nrow, ncol))
            for b in boundaries:
                np.add.at(arr, (b.cells[:, 1], b.cells[:, 2]), b.values_in_period(int(sp))[f])
            data[f][p] = arr
    return data, np.maximum(layer, 0)


def build_nwt(nwt: NwtFlow, workspace: Path) -> flopy.modflow.Modflow:
    """The flopy MODFLOW-NWT model of ``nwt`` in ``workspace``, with its LMT link (not written)."""
    model = nwt.model
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
        exe_name=str(find_executable(EXECUTABLE)),
        model_ws=str(workspace),
    )
    flopy.modflow.ModflowDis(
        mf,
        nlay=nlay,
        nrow=nrow,
        ncol=ncol,
        nper=len(nwt.perlen),
        delr=grid["delr"],
        delc=grid["delc"],
        top=grid["top"],
        botm=grid["botm"],
        perlen=list(nwt.perlen),
        nstp=list(nwt.nstp),
        tsmult=list(nwt.tsmult),
        steady=list(nwt.steady),
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
            package(mf, stress_period_data=_list_data(nwt, kind))
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
        data, layer = _areal_data(nwt, "rch", ("rate",))
        flopy.modflow.ModflowRch(mf, nrchop=2, rech=data["rate"], irch=layer)
    if "evt" in kinds:
        data, layer = _areal_data(nwt, "evt", BOUNDARY_FIELDS["evt"])
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
            (p, k): ["save head"] for p, n in enumerate(nwt.nstp) for k in range(int(n))
        },
    )
    flopy.modflow.ModflowLmt(
        mf,
        output_file_name=LINK_FILE,
        output_file_header="extended",
        output_file_format="unformatted",
    )
    return mf
