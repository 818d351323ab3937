"""The public :func:`transport`: check the inputs, build the step schedule and the source
stresses, hand the engine-neutral problem to an engine, and wrap its result as a :class:`Plume`."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gwsim.engines import TRANSPORT_ENGINE_CHOICES, check_transport_engine, run_transport
from gwsim.engines.program import check_discrepancy
from gwsim.engines.transport_choice import choose_transport_engine, warn_if_mirrored
from gwsim.engines.transport_interface import SoluteProblem
from gwsim.errors import SpecError
from gwsim.flowfield import FlowField, checked_porosity
from gwsim.provenance import hash_inputs
from gwsim.solute import checks
from gwsim.solute.domain import reach_domain, source_paths, warn_if_leaving
from gwsim.solute.inputs import DualDomain, Source
from gwsim.solute.plume import Plume, plume_of_run
from gwsim.solute.schedule import step_schedule
from gwsim.solute.stresses import cell_stresses

ENGINES = TRANSPORT_ENGINE_CHOICES
GRAIN_DENSITY = 2650.0  # kg/m³, quartz; bulk density = (1 - n) * GRAIN_DENSITY
DISCREPANCY_WARN = 1.0  # %, mass-balance discrepancy above which transport() warns


def transport(
    flow: FlowField,
    sources: Sequence[Source],
    times,
    porosity=None,
    dispersivity=(10.0, 1.0, 0.1),
    decay: float | np.ndarray = 0.0,
    retardation: float = 1.0,
    engine: str = "auto",
    workspace: str | Path | None = None,
    *,
    dual_domain: DualDomain | None = None,
    courant: float = 0.5,
    numerical_dispersion: float = 0.05,
    domain: str | np.ndarray = "reach",
) -> Plume:
    """Simulate solute transport from ``sources`` on a flow field (MODFLOW 6 GWT or MT3D-USGS).

    The transport run starts at time 0 free of solute and ends at ``max(times)``. Water entering
    from the flow model's sources and boundaries carries 0 mg/L unless a concentration
    :class:`Source` sits in its cell; sinks and outflowing boundaries remove water at the cell's
    concentration. Retardation is linear sorption with ρb = (1 − n)·2650 kg/m³ and
    Kd = (R − 1)·n/ρb; decay acts on dissolved and sorbed mass alike; steps follow the Courant and
    time-stepping Peclet limits described in :mod:`gwsim.solute.schedule`.

    Parameters
    ----------
    flow : FlowField
        Flow field read from a MODFLOW 6 run whose budget holds saturation (SAVE_SATURATION) and
        the flows of every package. A single saved step (steady flow) is reused for the whole run;
        otherwise the transport follows the flow model's periods and steps.
    sources : sequence of Source
        Solute sources.
    times : array_like
        Output times, d (> 0).
    porosity : float or numpy.ndarray, optional
        Effective (mobile) porosity, -; default the flow field's.
    dispersivity : (float, float, float)
        Longitudinal, horizontal-transverse and vertical-transverse dispersivity α_L, α_TH, α_TV, m.
    decay : float or numpy.ndarray
        First-order decay rate λ, 1/d (half-life ln 2/λ): a scalar, or one rate per cell shaped
        (nlay, nrow, ncol), e.g. a permeable reactive barrier as a zone of fast decay.
    retardation : float
        Retardation factor R ≥ 1.
    engine : {"auto", "mf6", "mt3d"}
        Transport code: MODFLOW 6 GWT on the flow field's files, or MT3D-USGS on the link file
        gwsim writes from the flow field (:mod:`gwsim.engines.mt3d`), which chooses its own steps
        by its Courant control (``numerical_dispersion`` limits MODFLOW 6's implicit steps only).
        ``"auto"``: MODFLOW 6 GWT when the installed mf6 passed gwsim's dispersion probe, MT3D-USGS
        otherwise (:mod:`gwsim.engines.transport_choice`); the Plume's attrs ``transport_engine``
        and ``transport_engine_reason`` say which ran and why.
    workspace : str or pathlib.Path, optional
        Folder for the engine's files; default a temporary folder, removed afterwards.
    dual_domain : DualDomain, optional
        Immobile pore space and mass-transfer rate (fractured rock).
    courant : float
        Largest Courant number of a time step (steady flow; MT3D-USGS: of its advection steps).
    numerical_dispersion : float
        ε, the largest share of the physical spreading that implicit time stepping may add
        (``engine="mf6"``, steady flow): each step Δt is sized so that Δt·a, the arrival-time
        variance that steps of that length add to a front of age a, is at most ε·∫2·α_L·R/v dτ,
        the physical one, along every path tracked from the sources (graded steps,
        :mod:`gwsim.solute.schedule`).
    domain : {"reach", "all"} or numpy.ndarray
        Cells the plume can reach: ``"reach"`` (default) those found by forward tracking from the
        sources with margins for time and dispersion (:mod:`gwsim.solute.domain`), ``"all"`` every
        active cell, or a bool (nlay, nrow, ncol) array (e.g. ``reach_domain(...)`` with
        receptors' cells added). Cells outside read 0 mg/L where wet. MODFLOW 6 GWT solves the
        smallest box of rows and columns holding the domain, on a budget file written for it,
        the flow across its edge leaving with the cell's concentration
        (:mod:`gwsim.engines.mf6_fmi`), and takes its Courant limit in the domain; MT3D-USGS
        solves the domain, its edge held at 0 mg/L.

    Returns
    -------
    Plume

    Raises
    ------
    SpecError
        For a bad source or parameter; the message names it and the fix.
    GwsimError
        When the flow field cannot drive a transport run.
    EngineError
        When MODFLOW 6 or MT3D-USGS fails; the message carries the end of its listing.

    Warns
    -----
    TransportDomainWarning
        When more than 0.1 % of the mass that entered left through the domain's edge (both
        engines: from their mass budgets).
    Mf6DispersionWarning
        When MODFLOW 6 GWT ran (``engine="mf6"``) on an mf6 that failed gwsim's dispersion probe
        and the plume reached flow with qy < 0 oblique to the grid, where that mf6 is wrong.
    """
    check_transport_engine(engine)
    times = checks.check_times(times)
    t_end = float(times.max())
    porosity = flow.porosity if porosity is None else checked_porosity(porosity, flow.shape)
    alphas = checks.check_dispersivity(dispersivity)
    decay = checks.check_decay(decay, flow.shape)
    retardation = checks.check_number(
        "retardation", retardation, 1.0, "give R >= 1 (1 = no sorption)"
    )
    courant = checks.check_number(
        "courant", courant, 0.0, "give a Courant number, e.g. 0.5", strict=True
    )
    numerical_dispersion = checks.check_number(
        "numerical_dispersion", numerical_dispersion, 0.0, "give a fraction, e.g. 0.05", strict=True
    )
    sources = list(sources)
    if not sources:
        raise SpecError("sources", "is empty", "give at least one gwsim.Source")
    for i, src in enumerate(sources):
        checks.check_source(i, src, t_end)
    checks.check_flow(flow)
    cells = [checks.source_cell(flow, i, src) for i, src in enumerate(sources)]

    choice = choose_transport_engine(engine)
    # MODFLOW 6 on steady flow grades its steps along the sources' paths (gwsim.solute.schedule)
    paths = None
    if choice.engine == "mf6" and flow.ntimes == 1:
        paths = source_paths(flow, cells, t_end, porosity)
    cells_reached = transport_cells(domain, flow, cells, t_end, porosity, alphas, paths)
    schedule = step_schedule(
        flow,
        sources,
        times,
        porosity,
        retardation,
        alphas[0],
        courant,
        numerical_dispersion,
        cells_reached,
        paths,
    )
    mass, fixed = cell_stresses(flow, sources, cells, schedule)
    bulk_density, distcoef = sorption_parameters(porosity, retardation)
    problem = SoluteProblem(
        porosity=porosity,
        dispersivity=alphas,
        mass_sources=mass,
        fixed_concentrations=fixed,
        decay=decay,
        bulk_density=bulk_density,
        distcoef=distcoef,
        immobile=checks.immobile_domain(dual_domain, porosity, flow.shape),
        concentration_scale=max([s.concentration or 0.0 for s in sources] + [1.0]),
        domain=cells_reached,
    )
    inputs_hash = hash_inputs(
        [
            flow.attrs.get("inputs_sha256", ""),
            repr(sources),
            times,
            porosity,
            alphas,
            decay,
            retardation,
            repr(dual_domain),
            cells_reached,
            schedule.nstp,
            choice.engine,
        ]
    )
    if workspace is None:
        with tempfile.TemporaryDirectory(prefix=f"gwsim-{choice.engine}-") as tmp:
            run = run_transport(choice.engine, flow, problem, schedule, tmp)
    else:
        run = run_transport(choice.engine, flow, problem, schedule, workspace)
    warn_if_mirrored(choice, flow, run.concentration)
    warn_if_leaving(run.edge_loss, "that entered left through the edge of")
    check_discrepancy(
        run.percent_discrepancy,
        DISCREPANCY_WARN,
        "transport mass-balance",
        "check the flow model's convergence or shorten the steps",
    )
    plume = plume_of_run(flow, run, times, workspace, inputs_hash)
    plume.attrs.update(transport_engine=choice.engine, transport_engine_reason=choice.reason)
    return plume


def transport_cells(domain, flow: FlowField, cells, t_end: float, porosity, alphas, paths=None):
    """The ``domain`` argument of :func:`transport` as a bool array, or None for every cell;
    ``paths``: the sources' paths when already tracked (:func:`source_paths`)."""
    if isinstance(domain, str):
        if domain not in ("reach", "all"):
            raise SpecError("domain", f"is {domain!r}", "give 'reach', 'all' or a bool array")
        if domain == "all":
            return None
        return reach_domain(flow, cells, t_end, porosity, alphas[0], alphas[1], paths)
    mask = np.asarray(domain)
    if mask.shape != flow.shape or mask.dtype != bool:
        raise SpecError(
            "domain",
            f"is an array of {mask.dtype} shaped {mask.shape}",
            f"give a bool array shaped {flow.shape}, or 'reach' / 'all'",
        )
    missing = [c for c in cells if not mask[c]]
    if missing:
        raise SpecError("domain", f"leaves out source cells {missing[:3]}", "include them")
    return mask & (flow.grid.idomain > 0)


def sorption_parameters(porosity: np.ndarray, retardation: float):
    """(ρb kg/m³, Kd m³/kg) with 1 + ρb·Kd/n = R, or (None, None) without sorption."""
    if retardation <= 1:
        return None, None
    bulk_density = (1 - porosity) * GRAIN_DENSITY
    return bulk_density, (retardation - 1) * porosity / bulk_density
