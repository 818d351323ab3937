"""Risk-control options for a leaking enterprise, each a change to the model, compared side by side.

Options (each turns into a :class:`Change` of the flow model, the leak or the decay):

* :class:`NaturalAttenuation` - monitored natural attenuation: no engineered change; the plume
  as the contaminant's own decay, sorption and dilution leave it (the reference);
* :class:`AntiSeepage` - an anti-seepage retrofit (liner): the leak's mass rate times the liner's
  ``factor`` (e.g. 0.01 for a liner letting through 1 % of the former seepage);
* :class:`CutoffWall` - a low-permeability wall around the footprint's block of cells through every
  layer (keyed into bedrock): MODFLOW's horizontal flow barrier, k/thickness 1/d;
* :class:`HydraulicContainment` - pumping wells (x, y, m³/d) screened in every active layer of their
  column, each rate split by transmissivity; forward tracking from the footprint checks the share of
  the leak they capture;
* :class:`ReactiveBarrier` - a permeable reactive barrier: a zone of cells (centres inside a
  polygon, every layer) where the contaminant decays at an extra first-order rate (1/d); its
  permeability is taken as the aquifer's, so the flow is unchanged.

:func:`compare_options` runs each option on one enterprise, contaminant and leak case and tabulates
per receptor the peak concentration, its ratio to the Class III limit and the first exceedance time,
with the mass leaving the site (dissolved + sorbed mass outside the footprint's block of columns at
the last output time, g; mass pumped out or discharged to rivers has left the aquifer and is not in
it) and the pumping volume (m³, containment rate × simulated time) as a cost proxy.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from gwsim.engines import run_flow
from gwsim.errors import SpecError
from gwsim.flowfield import FlowField
from gwsim.risk.leak_transport import RunResult, receptor_summary, rounded, run_leak, site_mass
from gwsim.risk.leaks import Contaminant, Enterprise, LeakCase, leak_cells
from gwsim.risk.receptors import Receptor, receptor_probe
from gwsim.risk.screening import capture_screening
from gwsim.spec import Barrier, Boundary, ModelSpec

CONTAINMENT = "containment"  # name of the containment wells' WEL boundary
WALL = "cutoff_wall"


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
            layers = np.flatnonzero(grid.active[:, rc[0], rc[1]])
            if layers.size == 0:
                raise SpecError(where, f"({x}, {y}) is in an inactive column", "move the well")
            t = k[layers, rc[0], rc[1]] * grid.thickness[layers, rc[0], rc[1]]
            well_cells += [(int(lay), *rc) for lay in layers]
            rates += list(-rate * t / t.sum())
        changed = copy.deepcopy(spec)
        changed.boundaries.append(Boundary("wel", CONTAINMENT, well_cells, {"rate": rates}))
        return Change(spec=changed.validate(), pumping=float(sum(w[2] for w in self.wells)))


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
    log: Callable = print,
) -> ControlComparison:
    """Run every option on one leak and tabulate its effect at each receptor.

    ``spec`` is the model ``flow`` was run from. Options that change the flow model rerun their
    changed spec (in ``workspace/<label>``, or a temporary folder) and resolve the receptors on
    the new flow; the others reuse ``flow``. Each option's transport runs with ``engine`` on its
    own flow. ``baseline`` (the
    unchanged run, e.g. from :func:`gwsim.risk.assess_enterprise_risk`) is reused for an option
    that changes nothing.

    Returns
    -------
    ControlComparison
        Rows per option × receptor: peak (mg/L), ratio to the Class III limit, first exceedance
        (d), mass leaving the site (g), pumping volume (m³) and, for containment, the share of
        footprint particles its wells capture.
    """
    times = np.unique(np.asarray(times, float))
    cells = leak_cells(flow, enterprise.footprint, f"enterprise {enterprise.name}.footprint")
    changes = [(opt, opt.change(spec, flow, cells)) for opt in options]  # validate all first
    rows, runs, metrics = [], {}, {}
    for opt, ch in changes:
        log(f"control option: {opt.label}")
        if ch.spec is None:
            option_flow = flow
        else:
            folder = None if workspace is None else Path(workspace) / opt.label.replace(" ", "_")
            option_flow = run_flow(ch.spec, folder)
        unchanged = ch.spec is None and ch.leak_factor == 1 and not np.any(ch.extra_decay)
        if unchanged and baseline is not None:
            run = baseline
        else:
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
            )
        capture = None
        if ch.pumping > 0:
            capture = float(capture_screening(option_flow, cells, [CONTAINMENT])[0][0])
        metrics[opt.label] = {
            "mass_g": site_mass(run.plume, cells, contaminant.retardation),
            "pumping_m3": ch.pumping * float(times.max()),
            "capture": capture,
        }
        runs[opt.label] = run
        for name, s in receptor_summary(run, times).items():
            rows.append(
                {
                    "option": opt.label,
                    "receptor": name,
                    "receptor_kind": run.kinds[name],
                    "peak_mg_L": rounded(s["peak"]),
                    "peak_to_limit": rounded(s["ratio"]),
                    "exceeds_limit_at_d": rounded(s["exceeds_at"], 4),
                    "mass_leaving_site_g": rounded(metrics[opt.label]["mass_g"]),
                    "pumping_volume_m3": rounded(metrics[opt.label]["pumping_m3"]),
                    "containment_captured_share": rounded(capture),
                }
            )
    return ControlComparison(
        rows, runs, metrics, {o.label: o for o, _ in changes}, {o.label: c for o, c in changes}
    )
