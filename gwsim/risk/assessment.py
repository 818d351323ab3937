"""Enterprise risk to drinking-water sources, ranked (HJ 610-2016 leak cases, GB/T 14848 Class III).

:func:`assess_enterprise_risk` validates every enterprise, contaminant, leak case and receptor,
screens each enterprise's capture by forward particle tracking (:mod:`gwsim.risk.screening`), runs
one transport simulation per enterprise × contaminant × case (:mod:`gwsim.risk.leak_transport`;
with ``superpose=True`` on a steady flow field one run per enterprise × contaminant gives every
case, :mod:`gwsim.risk.superposition`) and ranks them: the largest peak / Class III ratio at a source well first, then (ties, and
enterprises that reach no source) the largest ratio at any receptor. The table gives per run and
receptor the peak concentration, its ratio to the limit, the first time the limit is exceeded,
the cumulative mass (kg over the service life) reaching each source well and crossing the site
boundary (:mod:`gwsim.risk.mass`) and the captured share from the screening. Peaks and masses
below the numerical floors read 0 in the rows ("not reached" in the Markdown tables and report).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from gwsim.capture import CaptureZone
from gwsim.concurrency import run_pool
from gwsim.engines.transport_choice import choose_transport_engine
from gwsim.flowfield import FlowField
from gwsim.risk.leak_transport import (
    RunResult,
    leak_plume,
    probe_cells,
    receptor_summary,
    rounded,
    run_leak,
)
from gwsim.risk.leaks import (
    Enterprise,
    LeakCase,
    check_case,
    check_contaminant,
    leak_cells,
)
from gwsim.risk.mass import GRAMS_PER_KG, integration_times
from gwsim.risk.receptors import (
    Receptor,
    receptor_probe,
    resolve_zone_receptors,
    zone_captures,
)
from gwsim.risk.screening import Screening, screen_enterprise
from gwsim.risk.superposition import UnitResponse, unit_times
from gwsim.solute import DualDomain


@dataclass
class RiskAssessment:
    """Result of :func:`assess_enterprise_risk`: runs, screenings, the ranked table, the engine
    that ran (``"mf6"`` or ``"mt3d"``) and why, the receptors with protection zones resolved
    to their geometry and the capture zones that resolved them (well name -> CaptureZone, with
    HJ 338's 100 d and 1000 d zones, reused for the maps' protection zones)."""

    runs: list[RunResult]
    screenings: dict[str, Screening]
    rows: list[dict]
    engine: str
    times: np.ndarray
    engine_reason: str
    receptors: list[Receptor] | None = None
    captures: dict[str, CaptureZone] = field(default_factory=dict)

    def worst(self) -> RunResult:
        """The run ranked first (largest peak/limit ratio at a source well, then anywhere)."""
        return self.runs[0]


def assess_enterprise_risk(
    flow: FlowField,
    enterprises: Sequence[Enterprise],
    receptors: Sequence[Receptor],
    times,
    *,
    engine: str = "auto",
    dispersivity=(10.0, 1.0, 0.1),
    subdivisions: int = 3,
    dual_domain: DualDomain | None = None,
    superpose: bool = False,
    courant: float = 0.5,
    workers: int | None = None,
    log: Callable = print,
) -> RiskAssessment:
    """Rank enterprise × contaminant × leak case by the risk to the receptors.

    Everything is validated (footprints, contaminants and their Class III limits, cases,
    receptors) before the first transport run; then each enterprise's capture is screened by
    tracking, and each leak case runs once (the runs side by side, one per core).

    Parameters
    ----------
    flow : FlowField
        Flow field (steady: tracking and transport reuse its single step).
    enterprises, receptors : sequences of Enterprise and Receptor
    times : array_like
        Output times, d (see :func:`gwsim.risk.output_times`).
    engine : {"auto", "mf6", "mt3d"}
        Transport engine (:func:`gwsim.transport`; ``"auto"``: MODFLOW 6 GWT when the installed
        mf6 passed gwsim's dispersion probe, else MT3D-USGS). MODFLOW 6.4.1's GWT computes velocity-dependent
        dispersion wrongly when flow is oblique to the grid (modflow6 issue #2826, fixed after
        6.4.1 by PR #2849), spreading plumes across the flow nearly as much as along it and giving
        peaks 30-50 % low, which would understate the risk: use ``"mt3d"``.
    dispersivity : (float, float, float)
        α_L, α_TH, α_TV, m.
    subdivisions : int
        Screening particles per leak-cell side.
    dual_domain : DualDomain, optional
        Matrix (immobile) domain of fractured rock, for every run.
    superpose : bool
        On steady flow, one unit-response run per enterprise × contaminant gives every case
        (:mod:`gwsim.risk.superposition`): half the runs; on Chajia peaks within 1.1 % of direct
        runs and a 100-day leak's mass at the wells 0.13 % below (the masses are superposed
        from the unit response's own mass integral). Off by default: a direct run per case is
        what the tables were checked against.
    courant : float
        Largest Courant number of every run (:func:`gwsim.transport`; MT3D-USGS's TVD is stable
        up to 1).
    workers : int, optional
        Transport runs side by side on threads (default: one per core,
        :func:`gwsim.concurrency.available_cores`): each spends its time in the engine's own
        process. The first run to fail raises its error once the running ones have finished;
        runs not yet started are cancelled.
    log : callable
        Progress messages.

    Returns
    -------
    RiskAssessment
        Runs ordered by rank: largest peak/limit ratio at any source well first, ties (and
        enterprises that reach no source) by the largest ratio at any receptor.
    """
    with run_pool(workers) as pool:
        return start_risk_assessment(
            flow,
            enterprises,
            receptors,
            times,
            engine=engine,
            dispersivity=dispersivity,
            subdivisions=subdivisions,
            dual_domain=dual_domain,
            superpose=superpose,
            courant=courant,
            executor=pool,
            log=log,
        ).result()


def start_risk_assessment(
    flow: FlowField,
    enterprises: Sequence[Enterprise],
    receptors: Sequence[Receptor],
    times,
    *,
    engine: str = "auto",
    dispersivity=(10.0, 1.0, 0.1),
    subdivisions: int = 3,
    dual_domain: DualDomain | None = None,
    superpose: bool = False,
    courant: float = 0.5,
    executor: Executor,
    first: str | None = None,
    log: Callable = print,
) -> PendingAssessment:
    """Validate, screen and submit every leak run of :func:`assess_enterprise_risk` to
    ``executor``; the :class:`PendingAssessment` it returns waits for them.

    Parameters are :func:`assess_enterprise_risk`'s, with the threads given as ``executor``
    (shared, e.g. with the control options' runs in a scenario) instead of ``workers``, and
    ``first``, an enterprise whose runs are submitted before the others' (its results are then
    ready first: :meth:`PendingAssessment.runs_of`).
    """
    choice = choose_transport_engine(engine)
    engine = choice.engine
    times = np.unique(np.asarray(times, float))
    captures = zone_captures(flow, receptors)
    receptors = resolve_zone_receptors(flow, receptors, captures)
    probes = [receptor_probe(flow, r, f"receptors[{i}]") for i, r in enumerate(receptors)]
    footprints = {}
    for i, e in enumerate(enterprises):
        where = f"enterprises[{i}] ({e.name})"
        footprints[e.name] = leak_cells(flow, e.footprint, f"{where}.footprint")
        for j, c in enumerate(e.contaminants):
            check_contaminant(c, f"{where}.contaminants[{j}]")
        for j, case in enumerate(e.cases):
            check_case(case, f"{where}.cases[{j}]")
    screenings = {}
    for e in enterprises:
        screenings[e.name] = screen_enterprise(
            flow, e.name, footprints[e.name], receptors, subdivisions
        )
        for name, share in screenings[e.name].captured_share.items():
            log(f"screening {e.name}: {name} captures {share:.0%} of the leak particles")
    saved = integration_times(times)

    def cases_of(i: int, e: Enterprise, c, cases: Sequence[LeakCase]) -> list[RunResult]:
        """The runs of enterprise ``e``'s contaminant ``c`` for ``cases`` (one unit-response run
        for them all when superposing)."""
        unit = None
        if superpose and flow.steady and len(cases) > 1:
            log(f"transport ({engine}): {e.name}, {c.name}, 1 g/d unit response")
            unit = UnitResponse(
                leak_plume(
                    flow,
                    footprints[e.name],
                    1.0,
                    LeakCase("unit"),
                    unit_times(saved, cases),
                    c,
                    engine=engine,
                    dispersivity=dispersivity,
                    dual_domain=dual_domain,
                    courant=courant,
                    read_cells=probe_cells(probes),
                )
            )
        runs = []
        for case in cases:
            if unit is None:
                log(f"transport ({engine}): {e.name}, {c.name}, {case.name} case")
            runs.append(
                run_leak(
                    flow,
                    e,
                    c,
                    case,
                    probes,
                    times,
                    engine=engine,
                    dispersivity=dispersivity,
                    dual_domain=dual_domain,
                    where=f"enterprises[{i}] ({e.name})",
                    unit=unit,
                    courant=courant,
                )
            )
        return runs

    jobs = []  # one per case, or one per contaminant when its cases come from one unit run
    for i, e in enumerate(enterprises):
        for c in e.contaminants:
            groups = [e.cases] if superpose and flow.steady else [[case] for case in e.cases]
            jobs += [(e.name, partial(cases_of, i, e, c, cases)) for cases in groups]
    submitted = {}  # ``first``'s jobs go first; the list keeps the enterprises' order (ties)
    for k in sorted(range(len(jobs)), key=lambda k: jobs[k][0] != first):
        submitted[k] = executor.submit(jobs[k][1])
    futures = [(name, submitted[k]) for k, (name, _) in enumerate(jobs)]
    return PendingAssessment(futures, screenings, engine, times, choice.reason, receptors, captures)


@dataclass
class PendingAssessment:
    """Leak runs submitted by :func:`start_risk_assessment`: per enterprise its future runs."""

    futures: list[tuple[str, Future]]  # (enterprise name, future list of RunResult)
    screenings: dict[str, Screening]
    engine: str
    times: np.ndarray
    engine_reason: str
    receptors: list[Receptor]
    captures: dict[str, CaptureZone]

    def runs_of(self, enterprise: str) -> list[RunResult]:
        """One enterprise's runs, ranked as in :attr:`RiskAssessment.runs` (waits for them)."""
        return rank_runs(
            [run for name, f in self.futures if name == enterprise for run in f.result()]
        )[0]

    def result(self) -> RiskAssessment:
        """Every run, ranked (waits for them all); a failed run raises its error (the caller
        shuts the executor down, cancelling the runs not yet started)."""
        runs, summaries = rank_runs([run for _, f in self.futures for run in f.result()])
        rows = [
            row
            for rank, run in enumerate(runs, start=1)
            for row in _ranked_rows(rank, run, summaries[id(run)], self.screenings[run.enterprise])
        ]
        return RiskAssessment(
            runs,
            self.screenings,
            rows,
            self.engine,
            self.times,
            self.engine_reason,
            self.receptors,
            self.captures,
        )


def rank_runs(runs: list[RunResult]) -> tuple[list[RunResult], dict[int, dict]]:
    """``runs`` ordered by rank (largest peak/limit ratio at a source well first, then at any
    receptor; ties keep their order) and their receptor summaries by ``id(run)``."""
    summaries = {id(r): receptor_summary(r) for r in runs}
    return sorted(runs, key=lambda r: _rank_key(r, summaries[id(r)]), reverse=True), summaries


def _rank_key(run: RunResult, summary: dict) -> tuple[float, float]:
    source = [s["ratio"] for n, s in summary.items() if run.kinds[n] == "source_well"]
    return (max(source, default=0.0), max(s["ratio"] for s in summary.values()))


def _ranked_rows(rank: int, run: RunResult, summary: dict, screening: Screening) -> list[dict]:
    """Table rows of one ranked run: source wells first, then by falling peak / limit."""
    order = sorted(summary, key=lambda n: (run.kinds[n] != "source_well", -summary[n]["ratio"]))
    rows = []
    for name in order:
        s = summary[name]
        travel_time = screening.travel_time.get(name, np.inf)
        rows.append(
            {
                "rank": rank,
                "enterprise": run.enterprise,
                "contaminant": run.contaminant.name,
                "case": run.case.name,
                "receptor": name,
                "receptor_kind": run.kinds[name],
                "peak_mg_L": rounded(s["peak"]),
                "peak_time_d": rounded(s["peak_time"], 4),
                "class3_limit_mg_L": run.limit,
                "peak_to_limit": rounded(s["ratio"]),
                "exceeds_limit_at_d": rounded(s["exceeds_at"], 4),
                "mass_kg": rounded(None if s["mass"] is None else s["mass"] / GRAMS_PER_KG),
                "captured_share": rounded(screening.captured_share.get(name)),
                "capture_travel_time_d": rounded(
                    travel_time if np.isfinite(travel_time) else None, 4
                ),
            }
        )
    return rows
