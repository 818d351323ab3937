"""Risk-control options for a leaking enterprise, each a change to the model, compared side by side.

Options (each turns into a :class:`Change` of the flow model, the leak or the decay):

* :class:`NaturalAttenuation` - monitored natural attenuation: no engineered change; the plume
  as the contaminant's own decay, sorption and dilution leave it (the reference);
* :class:`AntiSeepage` - an anti-seepage retrofit (liner): the leak's mass rate times the liner's
  ``factor`` (e.g. 0.01 for a liner letting through 1 % of the former seepage);
* :class:`CutoffWall` - a low-permeability wall around the footprint's block of cells through every
  layer (keyed into bedrock): MODFLOW's horizontal flow barrier, k/thickness 1/d;
* :class:`HydraulicContainment` - pumping wells (x, y, m³/d) screened in every active layer of their
  column that is at least half saturated, each rate split by saturated transmissivity (a barely
  wet cap is not pumped: in Chajia it holds 3 cm of water, and pumping it made MT3D overflow); forward tracking from the footprint checks the share of
  the leak they capture;
* :class:`ReactiveBarrier` - a permeable reactive barrier: a zone of cells (centres inside a
  polygon, every layer) where the contaminant decays at an extra first-order rate (1/d); its
  permeability is taken as the aquifer's, so the flow is unchanged.

:func:`compare_options` runs each option on one enterprise, contaminant and leak case and tabulates
per receptor the peak concentration, its ratio to the Class III limit, the first exceedance time and
the cumulative mass reaching each source well, with the mass leaving the site over the simulated
time (g: crossing the footprint's boundary, :func:`gwsim.risk.mass.boundary_crossing`, less what
the containment wells pump back out and what a reactive barrier outside the site destroys: the
mass that gets past the site and its controls) and the pumping volume (m³, the containment
wells' simulated rate × simulated time) as a cost proxy. The mass is cumulative, so an option that only delays the plume (a cut-off wall
holding mass inside the site) reads as a later arrival and less or equal mass, never as more.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import shapely

from gwsim.concurrency import run_concurrently
from gwsim.engines import run_flow
from gwsim.errors import SpecError
from gwsim.flowfield import FlowField
from gwsim.risk.leak_transport import RunResult, receptor_summary, rounded, run_leak
from gwsim.risk.leaks import Contaminant, Enterprise, LeakCase, leak_cells
from gwsim.risk.mass import (
    GRAMS_PER_KG,
    MASS_FLOOR,
    decayed_mass,
    floored,
    sink_mass,
    sink_rates,
)
from gwsim.risk.receptors import Receptor, receptor_probe, resolve_zone_receptors
from gwsim.risk.screening import capture_screening
from gwsim.risk.superposition import case_plume
from gwsim.solute import DualDomain
from gwsim.spec import Barrier, Boundary, ModelSpec
from gwsim.wells import resolve_wells

CONTAINMENT = "containment"  # name of the containment wells' WEL boundary
MIN_SCREEN_SATURATION = 0.5  # containment wells are screened in layers at least this saturated
WALL = "cutoff_wall"
_FLOW_RUNS = threading.Lock()  # one option flow rerun at a time (flopy: not known thread-safe)


@dataclass
class Change:
    """What an option changes: the flow model (None: unchanged), a factor on the leak's mass
    rate (-), an extra decay rate (1/d, scalar or per cell) and the pumping it adds (m³/d)."""

    spec: ModelSpec | None = None
    leak_factor: float = 1.0
    extra_decay: float | np.ndarray = 0.0
    pumping: float = 0.0


@dataclass(frozen=True)
class NaturalAttenuation:
    """Monitored natural attenuation: no engineered change (the reference)."""

    label: str = "natural attenuation"

    def change(self, spec: ModelSpec, flow: FlowField, cells: np.ndarray) -> Change:
        return Change()


@dataclass(frozen=True)
class AntiSeepage:
    """Anti-seepage retrofit: the leak's mass rate times ``factor`` (0 < factor ≤ 1, -)."""

    factor: float
    label: str = "anti-seepage retrofit"

    def change(self, spec: ModelSpec, flow: FlowField, cells: np.ndarray) -> Change:
        if not 0 < self.factor <= 1:
            raise SpecError(
                "controls.anti_seepage.factor",
                f"is {self.factor}",
                "give the share of the leak the liner lets through, 0 < factor <= 1",
            )
        return Change(leak_factor=self.factor)


@dataclass(frozen=True)
class CutoffWall:
    """Cut-off wall around the footprint's block of cells, every layer: k (m/d), thickness (m)."""

    k: float = 1e-4
    thickness: float = 0.6
    label: str = "cut-off wall"

    def change(self, spec: ModelSpec, flow: FlowField, cells: np.ndarray) -> Change:
        wall = Barrier.around(
            WALL,
            (int(cells[:, 1].min()), int(cells[:, 1].max())),
            (int(cells[:, 2].min()), int(cells[:, 2].max())),
            range(spec.grid.nlay),
            spec.grid.shape,
            self.k,
            self.thickness,
        )
        changed = copy.deepcopy(spec)
        changed.barriers.append(wall)
        return Change(spec=changed.validate())


@dataclass(frozen=True)
class HydraulicContainment:
    """Containment pumping wells: ((x, y, rate m³/d pumped, > 0), ...) in model coordinates."""

    wells: tuple
    label: str = "hydraulic containment"

    def change(self, spec: ModelSpec, flow: FlowField, cells: np.ndarray) -> Change:
        grid = spec.grid.resolve()
        k = spec.properties.arrays(grid.shape)["k"]
        well_cells, rates = [], []
        for i, (x, y, rate) in enumerate(self.wells):
            where = f"controls.containment.wells[{i}]"
            rc = spec.grid.cell_of_point(x, y)
            if rc is None:
                raise SpecError(where, f"({x}, {y}) is outside the model grid", "move the well")
            if not rate > 0:
                raise SpecError(where, f"rate {rate} m³/d", "give the pumped rate, > 0 m³/d")
            wet = flow.saturation[-1][:, rc[0], rc[1]] >= MIN_SCREEN_SATURATION
            layers = np.flatnonzero(grid.active[:, rc[0], rc[1]] & wet)
            if layers.size == 0:
                raise SpecError(
                    where, f"({x}, {y}) has no active, saturated layer", "move the well"
                )
            t = k[layers, rc[0], rc[1]] * flow.saturated_thickness[-1][layers, rc[0], rc[1]]
            well_cells += [(int(lay), *rc) for lay in layers]
            rates += list(-rate * t / t.sum())
        changed = copy.deepcopy(spec)
        changed.boundaries.append(Boundary("wel", CONTAINMENT, well_cells, {"rate": rates}))
        return Change(spec=changed.validate(), pumping=float(sum(w[2] for w in self.wells)))


def pumped_rate(flow: FlowField, nominal: float) -> float:
    """Water the containment wells pump on ``flow``, m³/d: their simulated rate at the last saved
    step (less than the ``nominal`` rate when a well cell went dry), ``nominal`` without them."""
    rates = flow.sources.get(CONTAINMENT)
    return nominal if rates is None else float(-np.nansum(rates[-1]))


@dataclass(frozen=True)
class ReactiveBarrier:
    """Permeable reactive barrier: cells whose centres lie in ``polygon`` (every layer) decay
    at an extra ``decay`` (1/d)."""

    polygon: object
    decay: float
    label: str = "reactive barrier"

    def change(self, spec: ModelSpec, flow: FlowField, cells: np.ndarray) -> Change:
        inside = shapely.contains_xy(self.polygon, flow.grid.xcenters, flow.grid.ycenters)
        if not inside.any():
            raise SpecError(
                "controls.reactive_barrier.polygon",
                "holds no cell centre",
                "widen the barrier to at least one cell",
            )
        if not self.decay > 0:
            raise SpecError("controls.reactive_barrier.decay", f"is {self.decay}", "give 1/d > 0")
        return Change(extra_decay=np.where(inside[None], self.decay, 0.0) * np.ones(flow.shape))


@dataclass
class ControlComparison:
    """Result of :func:`compare_options`: table rows, the runs and the containment capture share;
    per option label, the option and what it changed (maps draw the structures from them)."""

    rows: list[dict]
    runs: dict[str, RunResult]
    metrics: dict[str, dict] = field(default_factory=dict)  # label -> mass_g, pumping_m3, capture
    options: dict[str, object] = field(default_factory=dict)  # label -> option
    changes: dict[str, Change] = field(default_factory=dict)  # label -> its Change


def compare_options(
    spec: ModelSpec,
    flow: FlowField,
    enterprise: Enterprise,
    contaminant: Contaminant,
    case: LeakCase,
    receptors: Sequence[Receptor],
    options: Sequence,
    times,
    *,
    engine: str,
    dispersivity=(10.0, 1.0, 0.1),
    workspace: str | Path | None = None,
    baseline: RunResult | None = None,
    dual_domain: DualDomain | None = None,
    courant: float = 0.5,
    workers: int | None = None,
    executor: Executor | None = None,
    log: Callable = print,
) -> ControlComparison:
    """Run every option on one leak and tabulate its effect at each receptor.

    ``spec`` is the model ``flow`` was run from. Options that change the flow model rerun their
    changed spec (in ``workspace/<label>``, or a temporary folder) and resolve the receptors on
    the new flow; the others reuse ``flow``. Each option's transport runs with ``engine`` on its
    own flow (largest Courant number ``courant``). ``baseline`` (the
    unchanged run, e.g. from :func:`gwsim.risk.assess_enterprise_risk`) is reused for an option
    that changes nothing. Protection-zone receptors are resolved on ``flow`` once, so every option
    is judged against the same zones. The options run side by side on up to ``workers`` threads
    (default: one per core; :func:`gwsim.concurrency.run_concurrently`), or on ``executor``'s
    threads when given (shared, e.g. with a scenario's leak runs); each option's job reruns its
    flow (one flow run at a time) and then its transport.

    Returns
    -------
    ControlComparison
        Rows per option × receptor: peak (mg/L), ratio to the Class III limit, first exceedance
        (d), cumulative mass reaching a source well (kg), mass leaving the site (g), pumping volume
        (m³) and, for containment, the share of footprint particles its wells capture. Values
        below the numerical floors read 0 ("not reached").
    """
    times = np.unique(np.asarray(times, float))
    receptors = resolve_zone_receptors(flow, receptors)
    cells = leak_cells(flow, enterprise.footprint, f"enterprise {enterprise.name}.footprint")
    changes = [(opt, opt.change(spec, flow, cells)) for opt in options]  # validate all first

    def evaluate(opt, ch: Change) -> tuple[RunResult, dict]:
        """The option's flow (rerun when it changes the model) and its run and metrics."""
        log(f"control option: {opt.label}")
        option_flow = flow
        if ch.spec is not None:
            folder = None if workspace is None else Path(workspace) / opt.label.replace(" ", "_")
            with _FLOW_RUNS:
                option_flow = run_flow(ch.spec, folder)
        same_flow = ch.spec is None and not np.any(ch.extra_decay)
        if same_flow and baseline is not None and ch.leak_factor == 1:
            run = baseline
        else:
            scaled = None  # a leak scaled on the same steady flow: the baseline times the factor
            if same_flow and baseline is not None and flow.steady:
                scaled = case_plume(
                    baseline.plume, ch.leak_factor, LeakCase("scaled"), baseline.times
                )
            probes = [
                receptor_probe(option_flow, r, f"receptors[{i}]") for i, r in enumerate(receptors)
            ]
            run = run_leak(
                option_flow,
                enterprise,
                contaminant,
                case,
                probes,
                times,
                engine=engine,
                dispersivity=dispersivity,
                leak_factor=ch.leak_factor,
                extra_decay=ch.extra_decay,
                dual_domain=dual_domain,
                plume=scaled,
                courant=courant,
            )
        capture = None
        if ch.pumping > 0:
            capture = float(capture_screening(option_flow, cells, [CONTAINMENT])[0][0])
        return run, {
            "mass_g": _mass_leaving_site(run, option_flow, ch.extra_decay, cells),
            "pumping_m3": pumped_rate(option_flow, ch.pumping) * float(times.max()),
            "capture": capture,
        }

    jobs = [partial(evaluate, opt, ch) for opt, ch in changes]
    results = run_concurrently(jobs, workers, executor)
    rows, runs, metrics = [], {}, {}
    for (opt, _), (run, m) in zip(changes, results, strict=True):
        runs[opt.label], metrics[opt.label] = run, m
        for name, s in receptor_summary(run).items():
            rows.append(
                {
                    "option": opt.label,
                    "receptor": name,
                    "receptor_kind": run.kinds[name],
                    "peak_mg_L": rounded(s["peak"]),
                    "peak_to_limit": rounded(s["ratio"]),
                    "exceeds_limit_at_d": rounded(s["exceeds_at"], 4),
                    "mass_kg": rounded(None if s["mass"] is None else s["mass"] / GRAMS_PER_KG),
                    "mass_leaving_site_g": rounded(m["mass_g"]),
                    "pumping_volume_m3": rounded(m["pumping_m3"]),
                    "containment_captured_share": rounded(m["capture"]),
                }
            )
    return ControlComparison(
        rows, runs, metrics, {o.label: o for o, _ in changes}, {o.label: c for o, c in changes}
    )


def _mass_leaving_site(run: RunResult, flow: FlowField, extra_decay, site: np.ndarray) -> float:
    """Mass that crossed the site boundary by the end, less what containment wells pumped back out
    and a reactive barrier outside the site (``site``: leak cells) destroyed, g (0 below the
    floor: "not reached")."""
    crossing = float(run.mass[f"{run.enterprise} boundary"][-1])
    conc = run.plume.concentration.values
    if _has_containment(flow):
        cells = resolve_wells(flow, [CONTAINMENT])[0].cells
        rates = sink_rates(flow, ("WEL",))[tuple(cells.T)]
        crossing -= float(sink_mass(run.times, conc, cells, rates)[-1])
    barrier = np.broadcast_to(np.asarray(extra_decay, float), flow.shape).copy()
    barrier[:, site[:, 1], site[:, 2]] = 0.0  # decay inside the site is in the crossing already
    cells = np.argwhere(barrier > 0)
    if len(cells):
        rates = barrier[tuple(cells.T)]
        retardation = run.contaminant.retardation
        crossing -= float(decayed_mass(flow, run.times, conc, cells, rates, retardation)[-1])
    return floored(max(crossing, 0.0), MASS_FLOOR * float(run.leaked[-1]))


def _has_containment(flow: FlowField) -> bool:
    return any(name.lower() == CONTAINMENT for name in flow.sources)
