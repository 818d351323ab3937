"""Write, run and read a MODFLOW 6 groundwater-transport (GWT) simulation through flopy.

The transport model is a simulation of its own: its Flow Model Interface (FMI) package reads the
head and budget files of a flow model that has already run, so any GWF model on a DIS grid can be
used. This module knows MODFLOW 6 and flopy: :func:`solve` takes a flow field, the engine-neutral
:class:`~gwsim.engines.transport_interface.SoluteProblem` and
:class:`~gwsim.engines.transport_interface.StepSchedule`, and returns a
:class:`~gwsim.engines.transport_interface.TransportRun` of plain arrays; no flopy object leaves here.

Packages written: DIS (the flow model's grid), IC (0 mg/L), FMI, ADV (TVD scheme), DSP, MST
(porosity, linear sorption, first-order decay), IST (optional immobile domain), SSM (water from the
flow model's sources enters at 0 mg/L; sinks remove it at the cell's concentration), SRC (mass
sources, g/d), CNC (constant-concentration cells, mg/L) and OC.

With a transport domain (:attr:`SoluteProblem.domain`) the GWT model solves only the cells of
:func:`solved_cells` (IDOMAIN 0 elsewhere) and FMI reads a budget file written for them
(:mod:`gwsim.engines.mf6_fmi`): the flow leaving across their edge takes the solute with it
(booked in :attr:`TransportRun.edge_loss`), and cells outside read 0 mg/L where wet.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import flopy
import numpy as np

from gwsim.engines.mf6 import dis_keywords
from gwsim.engines.mf6_binary import read_budget
from gwsim.engines.mf6_fmi import read_edge_loss, write_domain_budget
from gwsim.engines.mf6_output import read_percent_discrepancy
from gwsim.engines.program import run_program
from gwsim.engines.transport_interface import (
    CellId,
    SoluteProblem,
    StepSchedule,
    TransportRun,
)
from gwsim.errors import EngineError, FlowFieldError, GwsimError, GwsimWarning
from gwsim.executables import find_executable, program_version
from gwsim.grid import StructuredGrid, mask_dry

if TYPE_CHECKING:
    from gwsim.flowfield import FlowField

GWT_NAME = "gwt"
SIM_NAME = "transport"
EXECUTABLES = ("mf6",)
DOMAIN_BUDGET = "domain.cbc"  # the flow budget written for the transport domain
DVCLOSE = 1e-9  # solver closure on concentration per mg/L of the largest source concentration


@dataclass
class GwtSpec:
    """Everything a GWT run needs: the flow model's grid and output files, the problem, the steps."""

    grid: StructuredGrid  # the flow model's grid (the GWT model shares it)
    head_file: Path
    budget_file: Path
    grb_file: Path  # the flow model's binary grid (connections, for a domain's budget file)
    schedule: StepSchedule
    problem: SoluteProblem  # porosity, dispersion, reactions, sources
    dvclose: float = DVCLOSE  # solver closure on concentration, mg/L
    saturation: np.ndarray | None = None  # the flow's first saturation, to fill cells outside


def check_budget_terms(budget_file: Path) -> None:
    """Raise GwsimError unless the flow budget holds what GWT's FMI reads: saturation (DATA-SAT)
    and specific discharge (DATA-SPDIS); MODFLOW 6 itself only says "ERROR OCCURRED WHILE READING
    FILE gwt.fmi". The first saved step's terms are checked; a damaged file is left to MODFLOW 6."""
    terms, first = set(), None
    try:
        for record in read_budget(Path(budget_file)):
            if first is not None and (record.kstp, record.kper) != first:
                break
            first = (record.kstp, record.kper)
            terms.add(record.text.upper())
    except (ValueError, FlowFieldError):
        return  # a damaged file: MODFLOW 6 reports it (EngineError with its listing)
    needed = {"DATA-SAT": "SAVE_SATURATION", "DATA-SPDIS": "SAVE_SPECIFIC_DISCHARGE"}
    missing = {term: option for term, option in needed.items() if term not in terms}
    if missing:
        raise GwsimError(
            f"the flow model's budget file {budget_file} holds no {' and no '.join(missing)}, "
            "which MODFLOW 6 transport (FMI) reads: set "
            f"{' and '.join(missing.values())} in the flow model's NPF package and rerun it, or "
            "use engine='mt3d' (MT3D-USGS does not need them)"
        )


def gwt_spec(flow: FlowField, problem: SoluteProblem, schedule: StepSchedule) -> GwtSpec:
    """The GWT run of ``problem`` on ``schedule``: it reads ``flow``'s head and budget files.

    Raises GwsimError when the budget file lacks saturation or specific discharge.
    """
    check_budget_terms(flow.files["budget"])
    return GwtSpec(
        grid=flow.grid,
        head_file=flow.files["head"],
        budget_file=flow.files["budget"],
        grb_file=flow.files["grb"],
        schedule=schedule,
        problem=problem,
        dvclose=DVCLOSE * problem.concentration_scale,
        saturation=flow.saturation[0],
    )


def _period_data(data: dict[int, list[tuple[CellId, float]]]) -> dict[int, list]:
    return {kper: [(cellid, value) for cellid, value in rows] for kper, rows in data.items()}


def _write_ist_for_mf6_64(path: Path) -> None:
    """Rename the IST immobile porosity to the THETAIM tag that MODFLOW 6 up to 6.4 reads.

    flopy writes IST from the 6.5+ definition (POROSITY per immobile-domain volume, with VOLFRAC);
    MODFLOW 6.4 reads THETAIM, the immobile pore volume per cell volume, which is what
    :class:`~gwsim.engines.transport_interface.ImmobileDomain` holds.
    """
    mf6 = find_executable("mf6")
    version = tuple(int(p) for p in re.findall(r"\d+", program_version(mf6, "mf6"))[:2])
    if version >= (6, 5):
        raise EngineError(
            f"dual-domain transport is written for MODFLOW 6 up to 6.4 (IST THETAIM); {mf6} is "
            f"version {'.'.join(map(str, version))}, whose IST input differs: use mf6 6.4.x "
            "(`gwsim install-exes`) or run without dual_domain"
        )
    text = path.read_text()
    # "porosity" alone, or "porosity  LAYERED" for an array given layer by layer
    path.write_text(re.sub(r"^(\s*)porosity\b", r"\1thetaim", text, count=1, flags=re.M | re.I))


def solved_cells(domain: np.ndarray | None, idomain: np.ndarray) -> np.ndarray | None:
    """The cells a GWT model solves for a transport ``domain`` (bool, (nlay, nrow, ncol)): the
    active cells of the smallest box of rows and columns holding it, all layers; None (every
    cell) without a domain or on a grid with vertical pass-through cells (IDOMAIN -1), whose
    connections a domain's budget file cannot follow.

    Why a box and not the domain itself: on the Chajia plume, MODFLOW 6.4.1 with XT3D dispersion
    grew an oscillation at a corner cell of the domain's staircase edge (flow crossing it
    obliquely) from about 600 d on, doubling every ~35 d until the solver failed; the same
    domain widened by three cells failed later, XT3D_OFF and the box stayed stable for 20 years.
    Inactive cells inside the box are the flow model's own (no-flow) edges, as on the full grid.
    """
    if domain is None or (idomain < 0).any():
        return None
    columns = domain.any(axis=0)
    rows, cols = np.flatnonzero(columns.any(axis=1)), np.flatnonzero(columns.any(axis=0))
    box = np.zeros(domain.shape, bool)
    if rows.size:
        box[:, rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] = True
    return box & (idomain > 0)


def build_simulation(
    spec: GwtSpec,
    workspace: Path,
    solved: np.ndarray | None = None,
    budget_file: Path | None = None,
) -> flopy.mf6.MFSimulation:
    """The flopy simulation of ``spec`` in ``workspace`` (not yet written), solving the cells
    ``solved`` (bool; None: every active cell) with FMI reading ``budget_file`` (default the flow
    model's; :func:`~gwsim.engines.mf6_fmi.write_domain_budget` for ``solved``)."""
    schedule = spec.schedule
    sim = flopy.mf6.MFSimulation(sim_name=SIM_NAME, sim_ws=str(workspace), verbosity_level=0)
    flopy.mf6.ModflowTdis(
        sim,
        time_units="days",
        nper=len(schedule.perlen),
        perioddata=list(zip(schedule.perlen, schedule.nstp, schedule.tsmult, strict=True)),
    )
    gwt = flopy.mf6.ModflowGwt(sim, modelname=GWT_NAME, save_flows=True)
    flopy.mf6.ModflowIms(
        sim,
        complexity="moderate",
        linear_acceleration="bicgstab",
        outer_maximum=100,
        inner_maximum=300,
        outer_dvclose=spec.dvclose,
        inner_dvclose=spec.dvclose,
        rcloserecord=[1e-6, "strict"],
        filename=f"{GWT_NAME}.ims",
    )
    dis = dis_keywords(spec.grid)
    if solved is not None:
        dis["idomain"] = solved.astype(int)
    flopy.mf6.ModflowGwtdis(gwt, **dis)
    flopy.mf6.ModflowGwtic(gwt, strt=0.0)
    flopy.mf6.ModflowGwtfmi(
        gwt,
        packagedata=[
            ("GWFHEAD", str(Path(spec.head_file).resolve())),
            ("GWFBUDGET", str(Path(budget_file or spec.budget_file).resolve())),
        ],
    )
    flopy.mf6.ModflowGwtadv(gwt, scheme="tvd")
    alpha_l, alpha_th, alpha_tv = spec.problem.dispersivity
    flopy.mf6.ModflowGwtdsp(
        gwt, alh=alpha_l, alv=alpha_l, ath1=alpha_th, ath2=alpha_tv, atv=alpha_tv
    )
    sorption = "linear" if spec.problem.distcoef is not None else None
    decay = bool(np.any(np.asarray(spec.problem.decay) > 0))
    flopy.mf6.ModflowGwtmst(
        gwt,
        porosity=spec.problem.porosity,
        sorption=sorption,
        bulk_density=spec.problem.bulk_density,
        distcoef=spec.problem.distcoef,
        first_order_decay=decay or None,
        decay=spec.problem.decay if decay else None,
        decay_sorbed=spec.problem.decay if decay and sorption else None,
    )
    if spec.problem.immobile is not None:
        flopy.mf6.ModflowGwtist(
            gwt,
            porosity=spec.problem.immobile.porosity,
            zetaim=spec.problem.immobile.rate,
            sorption=sorption,
            bulk_density=spec.problem.bulk_density,
            distcoef=spec.problem.distcoef,
            first_order_decay=decay or None,
            decay=spec.problem.decay if decay else None,
            decay_sorbed=spec.problem.decay if decay and sorption else None,
        )
    flopy.mf6.ModflowGwtssm(gwt)
    if any(spec.problem.mass_sources.values()):
        flopy.mf6.ModflowGwtsrc(
            gwt, stress_period_data=_period_data(spec.problem.mass_sources), save_flows=True
        )
    if any(spec.problem.fixed_concentrations.values()):
        flopy.mf6.ModflowGwtcnc(
            gwt, stress_period_data=_period_data(spec.problem.fixed_concentrations), save_flows=True
        )
    flopy.mf6.ModflowGwtoc(
        gwt,
        budget_filerecord=f"{GWT_NAME}.cbc",
        concentration_filerecord=f"{GWT_NAME}.ucn",
        saverecord={
            kper: [("CONCENTRATION", "STEPS", *[s + 1 for s in steps])] if steps else []
            for kper, steps in enumerate(schedule.save_steps)
        },
        printrecord={kper: [("BUDGET", "LAST")] for kper in range(len(schedule.perlen))},
    )
    return sim


def run_gwt(spec: GwtSpec, workspace: str | Path) -> TransportRun:
    """Write and run the GWT simulation of ``spec`` in ``workspace`` and read its concentrations.

    Raises
    ------
    EngineError
        When MODFLOW 6 stops with an error; the message carries the end of the transport
        model's listing and the simulation's error report.
    """
    workspace = Path(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    listing = workspace / f"{GWT_NAME}.lst"
    ucn = workspace / f"{GWT_NAME}.ucn"
    for stale in (ucn, listing):
        stale.unlink(missing_ok=True)
    solved = solved_cells(spec.problem.domain, spec.grid.idomain)
    budget_file = None
    if solved is not None:
        budget_file = workspace / DOMAIN_BUDGET
        try:
            write_domain_budget(spec.budget_file, spec.grb_file, solved, budget_file)
        except (ValueError, FlowFieldError) as err:  # a damaged flow file: MODFLOW 6 reports it
            warnings.warn(
                f"the flow budget could not be cut to the transport domain ({err}): MODFLOW 6 "
                "transport solves every cell",
                GwsimWarning,
                stacklevel=2,
            )
            solved, budget_file = None, None
    build_simulation(spec, workspace, solved, budget_file).write_simulation(silent=True)
    if spec.problem.immobile is not None:
        _write_ist_for_mf6_64(workspace / f"{GWT_NAME}.ist")
    run_program(
        "mf6",
        [],
        workspace,
        "normal termination",
        [listing, workspace / "mfsim.lst"],
        label="transport model",
    )
    conc_file = flopy.utils.HeadFile(str(ucn), text="CONCENTRATION", precision="double")
    try:
        times = np.asarray(conc_file.get_times(), float)
        # one record per layer and time: select by time, not by record index
        conc = np.stack([conc_file.get_data(totim=t) for t in times]).astype(float)
    finally:
        conc_file.close()
    mask_dry(conc)
    if solved is not None:  # cells not solved hold no solute where wet
        outside = ~solved & (spec.grid.idomain > 0)
        if spec.saturation is not None:
            outside &= spec.saturation > 0
        conc[:, outside] = 0.0
    conc[:, spec.grid.idomain <= 0] = np.nan
    return TransportRun(
        concentration=conc,
        times=times,
        percent_discrepancy=read_percent_discrepancy(listing),
        workspace=workspace,
        executables=EXECUTABLES,
        edge_loss=None if solved is None else read_edge_loss(listing),
    )


def solve(
    flow: FlowField, problem: SoluteProblem, schedule: StepSchedule, workspace: str | Path
) -> TransportRun:
    """Solve ``problem`` on ``schedule`` with MODFLOW 6 GWT reading ``flow``'s output files."""
    return run_gwt(gwt_spec(flow, problem, schedule), workspace)
