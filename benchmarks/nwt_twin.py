"""A MODFLOW-NWT twin of a steady gwsim model spec, writing MT3D-USGS's link file (LMT).

Benchmark-only: gwsim writes MT3D's link file from any MODFLOW 6 flow field itself
(:mod:`gwsim.engines.mt3d_link`); this twin gives the reference that MODFLOW's own LMT package
writes, for the models MODFLOW-NWT can represent. Packages: DIS, BAS6, UPW (K along rows,
HANI = K22/K, VKA = K33, LAYTYP from the spec's icelltype), NWT, CHD, WEL, RIV, GHB, DRN, RCH and
EVT (arrays on the layer of the spec's cells), HFB6 (the spec's barriers), OC and LMT (extended
header, unformatted). The spec's first stress period holds in every period of the twin (steady
models: the site models' ``steady`` variants), one steady flow step per period, so the link file
has one flow record per MT3D period, as gwsim's has for a steady flow field.
"""

from __future__ import annotations

from pathlib import Path

import flopy
import numpy as np

from gwsim.engines.program import run_program
from gwsim.errors import GwsimError
from gwsim.executables import find_executable
from gwsim.spec import BOUNDARY_FIELDS, ModelSpec, layered

NAME = "nwt"
LINK_FILE = "nwt.ftl"
LISTS = {
    "chd": flopy.modflow.ModflowChd,
    "wel": flopy.modflow.ModflowWel,
    "riv": flopy.modflow.ModflowRiv,
    "ghb": flopy.modflow.ModflowGhb,
    "drn": flopy.modflow.ModflowDrn,
}


def check_representable(spec: ModelSpec) -> None:
    """Raise GwsimError for what MODFLOW-NWT cannot represent: rotated horizontal anisotropy,
    icelltype varying within a layer, transient periods."""
    props = spec.properties.arrays(spec.grid.shape)
    if np.any(~np.isclose(props["k22"], props["k"]) & (props["angle1"] % 180 != 0)):
        raise GwsimError(
            f"{spec.name}: the horizontal anisotropy is rotated (NPF angle1), which MODFLOW-NWT "
            "cannot represent (K along rows and columns only)"
        )
    laytyp = props["icelltype"].reshape(spec.grid.nlay, -1)
    if np.any(laytyp != laytyp[:, :1]):
        raise GwsimError(f"{spec.name}: icelltype varies within a layer (UPW: one per layer)")
    if not spec.steady:
        raise GwsimError(f"{spec.name}: the twin is written for steady models only")


def _list_data(spec: ModelSpec, kind: str) -> list[list]:
    """One stress-period list of every ``kind`` boundary (period 0 values)."""
    columns = ("head", "head") if kind == "chd" else BOUNDARY_FIELDS[kind]
    return [
        [*map(int, cell), *(float(vals[c][n]) for c in columns)]
        for b in spec.boundaries
        if b.kind == kind
        for vals in [b.values_in_period(0)]
        for n, cell in enumerate(b.cells)
    ]


def _areal_data(spec: ModelSpec, kind: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """(nrow, ncol) arrays of the ``kind`` boundaries' fields (rates add up) and their layer."""
    _, nrow, ncol = spec.grid.shape
    layer = np.full((nrow, ncol), -1)
    fields = {f: np.zeros((nrow, ncol)) for f in BOUNDARY_FIELDS[kind]}
    for b in (b for b in spec.boundaries if b.kind == kind):
        k, i, j = np.asarray(b.cells, int).T
        if np.any((layer[i, j] >= 0) & (layer[i, j] != k)):
            raise GwsimError(f"{kind} {b.name!r}: cells in two layers of one column")
        layer[i, j] = k
        values = b.values_in_period(0)
        for f, arr in fields.items():
            np.add.at(arr, (i, j), values[f])
    return fields, np.maximum(layer, 0)


def run_nwt_twin(
    spec: ModelSpec, perlen, workspace: Path, headtol: float, fluxtol: float
) -> tuple[Path, np.ndarray]:
    """Run the MODFLOW-NWT twin of ``spec`` over periods ``perlen`` (d) in ``workspace``.

    Returns the link file and the last heads (nlay, nrow, ncol), m.
    """
    check_representable(spec)
    grid = spec.grid.arrays()
    props = spec.properties.arrays(spec.grid.shape)
    nlay, nrow, ncol = spec.grid.shape
    nper = len(perlen)
    workspace.mkdir(parents=True, exist_ok=True)
    mf = flopy.modflow.Modflow(
        NAME, version="mfnwt", exe_name=str(find_executable("mfnwt")), model_ws=str(workspace)
    )
    flopy.modflow.ModflowDis(
        mf,
        nlay=nlay,
        nrow=nrow,
        ncol=ncol,
        nper=nper,
        delr=grid["delr"],
        delc=grid["delc"],
        top=grid["top"],
        botm=grid["botm"],
        perlen=list(perlen),
        nstp=1,
        steady=True,
        itmuni=4,
        lenuni=2,
    )
    strt = grid["top"][None] * np.ones(spec.grid.shape)
    if spec.initial_head is not None:
        strt = layered(spec.initial_head, spec.grid.shape, "initial_head")
    flopy.modflow.ModflowBas(mf, ibound=(grid["idomain"] > 0).astype(int), strt=strt)
    flopy.modflow.ModflowUpw(
        mf,
        laytyp=props["icelltype"].reshape(nlay, -1)[:, 0],
        hk=props["k"],
        hani=props["k22"] / props["k"],
        vka=props["k33"],
        ss=props["ss"],
        sy=props["sy"],
    )
    flopy.modflow.ModflowNwt(
        mf,
        headtol=headtol,
        fluxtol=fluxtol,
        maxiterout=spec.solver.outer_maximum,
        options="COMPLEX",
    )
    kinds = {b.kind for b in spec.boundaries}
    for kind, package in LISTS.items():
        if kind in kinds:
            package(mf, stress_period_data={0: _list_data(spec, kind)})
    if spec.barriers:
        active = grid["idomain"] > 0
        flopy.modflow.ModflowHfb(
            mf,
            hfb_data=[
                [k, r1, c1, r2, c2, b.hydraulic_characteristic]
                for b in spec.barriers
                for k, r1, c1, r2, c2 in (tuple(int(v) for v in f) for f in b.faces)
                if active[k, r1, c1] and active[k, r2, c2]
            ],
        )
    if "rch" in kinds:
        rch, layer = _areal_data(spec, "rch")
        flopy.modflow.ModflowRch(mf, nrchop=2, rech={0: rch["rate"]}, irch={0: layer})
    if "evt" in kinds:
        evt, layer = _areal_data(spec, "evt")
        flopy.modflow.ModflowEvt(
            mf,
            nevtop=2,
            surf={0: evt["surface"]},
            evtr={0: evt["rate"]},
            exdp={0: evt["depth"]},
            ievt={0: layer},
        )
    flopy.modflow.ModflowOc(mf, stress_period_data={(p, 0): ["save head"] for p in range(nper)})
    flopy.modflow.ModflowLmt(
        mf,
        output_file_name=LINK_FILE,
        output_file_header="extended",
        output_file_format="unformatted",
    )
    mf.write_input()
    run_program(
        "mfnwt", [f"{NAME}.nam"], workspace, "normal termination", [workspace / f"{NAME}.list"]
    )
    heads = flopy.utils.HeadFile(str(workspace / f"{NAME}.hds"))
    try:
        last = heads.get_data(idx=len(heads.get_times()) - 1)
    finally:
        heads.close()
    return workspace / LINK_FILE, np.asarray(last, float)
