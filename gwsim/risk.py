"""Risk of enterprise leaks to drinking-water sources (HJ 610-2016 leak cases, GB/T 14848 Class III).

An :class:`Enterprise` (a footprint polygon or point) leaks :class:`Contaminant` s in one or more
:class:`LeakCase` s; :func:`assess` runs one transport simulation per enterprise × contaminant ×
case and reports, at each :class:`Receptor` (source wells, monitoring wells) and at the
enterprise's own site boundary, the peak concentration, its ratio to the GB/T 14848-2017 Class III
limit and the first time the limit is exceeded; before any transport run it screens, by forward
particle tracking from the footprint, which share of the leaked water each source's wells capture.

Source term (HJ 610-2016): the mass rate of a leak is seepage rate × concentration of the leaking
liquid, ṁ (g/d) = Q (m³/d) × c (mg/L = g/m³), or a given mass rate (g/d); it enters the
uppermost wet cell of every footprint column, shared equally, from ``start`` to
``start + duration`` (abnormal case: a failed liner leaks until monitoring detects it, e.g.
100 d; normal case: a small continuous seepage through intact anti-seepage works).

Receptor concentrations (mg/L): a source well's is the pumping-weighted mean of its screened cells,
the water it delivers (the largest over the wells when a boundary groups several); a monitoring
well's is its cell's (given z) or the largest over its column's layers (no z: a multi-level
sample); a site boundary's is the largest over the ring of cells just outside the footprint.

Engine. For flow fields that gwsim built from a spec, :func:`default_engine` picks MT3D-USGS:
MODFLOW 6.4.1's GWT computes velocity-dependent dispersion wrongly when flow is oblique to the grid
(modflow6 issue #2826, fixed after 6.4.1 by PR #2849), spreading plumes across the flow nearly as
much as along it and giving peaks 30-50 % low, which would understate the risk. Other MODFLOW 6
models can only use ``engine="mf6"``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy import ndimage

from gwsim.capture import CAPTURED
from gwsim.errors import SpecError
from gwsim.flowfield import FlowField
from gwsim.standards import class3_limit
from gwsim.tracking import track
from gwsim.tracking.startpoints import cell_lattice_points
from gwsim.transport import Plume, Source, transport
from gwsim.wells import resolve_wells, well_of_node

RECEPTOR_KINDS = ("source_well", "monitoring_well")
HJ610_TIMES = (100.0, 1000.0)  # d, HJ 610 prediction times besides the service life


@dataclass(frozen=True)
class Contaminant:
    """A contaminant in an enterprise's leaking liquid.

    Parameters
    ----------
    name : str
        GB/T 14848 key (``gwsim.standards``), e.g. ``"trichloroethylene"``, ``"nitrate_n"``.
    concentration : float, optional
        Concentration in the leaking liquid, mg/L; the mass rate is the case's seepage times it.
    mass_rate : float, optional
        Mass released, g/d, in every leak case (the case then sets only the timing).
    decay : float
        First-order decay rate in the aquifer, 1/d (dissolved and sorbed).
    retardation : float
        Retardation factor R ≥ 1.
    """

    name: str
    concentration: float | None = None
    mass_rate: float | None = None
    decay: float = 0.0
    retardation: float = 1.0


@dataclass(frozen=True)
class LeakCase:
    """An HJ 610 leak case: seepage rate (m³/d) from ``start`` for ``duration`` days.

    ``duration=None`` leaks to the end of the run (the normal case's continuous seepage).
    """

    name: str
    seepage: float = 0.0
    start: float = 0.0
    duration: float | None = None

    @property
    def stop(self) -> float | None:
        """Time the leak stops, d (None: never)."""
        return None if self.duration is None else self.start + self.duration


@dataclass
class Enterprise:
    """An enterprise: footprint (shapely Polygon or Point, model coordinates, m), contaminants
    and leak cases."""

    name: str
    footprint: object
    contaminants: list[Contaminant]
    cases: list[LeakCase]


@dataclass(frozen=True)
class Receptor:
    """Where concentrations are assessed.

    ``kind="source_well"``: ``location`` is a well (WEL boundary) name of the flow model, or an
    (x, y) position (every pumping cell of its column). ``kind="monitoring_well"``: ``location``
    is (x, y) or (x, y, z) in model coordinates, m.
    """

    name: str
    kind: str
    location: object


@dataclass
class Probe:
    """Cells whose concentrations make a receptor's: groups of cells, each a weighted mean; the
    receptor takes the largest group."""

    name: str
    kind: str
    cells: np.ndarray  # (m, 3) layer, row, col
    weights: np.ndarray  # (m,) weights within a group (sum 1 per group)
    groups: np.ndarray  # (m,) group index

    def series(self, concentration: np.ndarray) -> np.ndarray:
        """(nt,) receptor concentration, mg/L, from (nt, nlay, nrow, ncol) concentrations."""
        values = np.nan_to_num(concentration[(slice(None), *self.cells.T)]) * self.weights
        sums = np.zeros((len(values), self.groups.max() + 1))
        np.add.at(sums.T, self.groups, values.T)
        return sums.max(axis=1)


@dataclass
class Screening:
    """Forward-tracking screening of an enterprise: per source receptor, the share of footprint
    particles its wells capture (-) and the shortest travel time, d (inf when none)."""

    enterprise: str
    captured_share: dict[str, float]
    travel_time: dict[str, float]


@dataclass
class RunResult:
    """One transport run (enterprise × contaminant × case) and its receptor series (mg/L)."""

    enterprise: str
    contaminant: Contaminant
    case: LeakCase
    limit: float  # mg/L, GB/T 14848 Class III
    plume: Plume
    series: dict[str, np.ndarray]  # receptor name -> (nt,) mg/L
    probes: list[Probe]

    @property
    def kinds(self) -> dict[str, str]:
        """Receptor name -> kind ("source_well", "monitoring_well", "site_boundary")."""
        return {p.name: p.kind for p in self.probes}

    @property
    def key(self) -> str:
        return f"{self.enterprise}_{self.contaminant.name}_{self.case.name}"


@dataclass
class RiskAssessment:
    """Result of :func:`assess`: runs, screenings, the ranked table and the engine used."""

    runs: list[RunResult]
    screenings: dict[str, Screening]
    rows: list[dict]
    engine: str
    times: np.ndarray
    attrs: dict[str, str] = field(default_factory=dict)

    def worst(self) -> RunResult:
        """The run ranked first (largest peak/limit ratio at a source well, then anywhere)."""
        return self.runs[0]


# ---------------------------------------------------------------------- source term
def default_engine(flow: FlowField) -> str:
    """``"mt3d"`` for flow fields gwsim built from a spec, else ``"mf6"``.

    MODFLOW 6.4.1's GWT dispersion is wrong for flow oblique to the grid (modflow6 issue #2826,
    fixed after 6.4.1 by PR #2849): plumes spread across the flow almost as much as along it and
    peaks come out 30-50 % low, which would understate the risk. MT3D-USGS needs the spec.
    """
    return "mt3d" if flow.spec is not None else "mf6"


def leak_mass_rate(contaminant: Contaminant, case: LeakCase) -> float:
    """Mass rate of a leak, g/d: seepage (m³/d) × concentration (mg/L = g/m³), or the
    contaminant's mass rate (HJ 610-2016 source term)."""
    if contaminant.mass_rate is not None:
        return float(contaminant.mass_rate)
    return float(case.seepage) * float(contaminant.concentration)


def check_contaminant(c: Contaminant, where: str) -> float:
    """Validate a contaminant; returns its Class III limit (mg/L)."""
    limit = class3_limit(c.name, f"{where}.name")
    if (c.concentration is None) == (c.mass_rate is None):
        raise SpecError(
            where,
            f"{c.name}: give exactly one of concentration and mass_rate",
            "concentration in mg/L of the leaking liquid, or mass_rate in g/d",
        )
    for key, value, minimum in (
        ("concentration", c.concentration, 0.0),
        ("mass_rate", c.mass_rate, 0.0),
        ("decay", c.decay, 0.0),
        ("retardation", c.retardation, 1.0),
    ):
        if value is not None and not (np.isfinite(value) and value >= minimum):
            raise SpecError(f"{where}.{key}", f"is {value}; it must be >= {minimum}", "")
    return limit


def check_case(case: LeakCase, where: str) -> None:
    """Validate a leak case: seepage ≥ 0 m³/d, start ≥ 0 d, duration > 0 d or None."""
    if not (np.isfinite(case.seepage) and case.seepage >= 0):
        raise SpecError(
            f"{where}.seepage", f"is {case.seepage}", "give the leak rate in m³/d, >= 0"
        )
    if not case.start >= 0:
        raise SpecError(f"{where}.start", f"is {case.start}", "give days >= 0")
    if case.duration is not None and not case.duration > 0:
        raise SpecError(f"{where}.duration", f"is {case.duration}", "give days > 0, or omit it")


def footprint_columns(flow: FlowField, footprint, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the grid columns under a footprint (cell centres inside a polygon, or
    the cell holding a point or a polygon too small to hold a centre); raises SpecError when it
    is outside the grid."""
    geom = shapely.Point(footprint) if not hasattr(footprint, "geom_type") else footprint
    ring = np.asarray(geom.exterior.coords if geom.geom_type == "Polygon" else geom.coords)
    _, row, col = flow.grid.locate(ring[:, 0], ring[:, 1])
    if np.any(row < 0):
        x, y = ring[np.argmax(row < 0)]
        raise SpecError(
            where,
            f"({x:.1f}, {y:.1f}) is outside the model grid",
            "move the enterprise into the model area, or enlarge the model",
        )
    if geom.geom_type == "Polygon":
        inside = shapely.contains_xy(geom, flow.grid.xcenters, flow.grid.ycenters)
        if inside.any():
            return np.nonzero(inside)
        point = geom.representative_point()
        _, row, col = flow.grid.locate(point.x, point.y)
    return row[:1], col[:1]


def leak_cells(flow: FlowField, footprint, where: str) -> np.ndarray:
    """(m, 3) uppermost wet cells (layer, row, col) under a footprint: where a leak reaches the
    water table. Raises SpecError for a footprint outside the grid or over a column with no
    active, wet cell."""
    rows, cols = footprint_columns(flow, footprint, where)
    wet = (flow.grid.idomain > 0) & (flow.saturation[0] > 0)
    column_wet = wet[:, rows, cols]
    dry = ~column_wet.any(axis=0)
    if dry.any():
        r, c = int(rows[np.argmax(dry)]), int(cols[np.argmax(dry)])
        raise SpecError(
            where,
            f"lies over an inactive or dry column (row {r}, col {c}), which no leak can reach",
            "move the enterprise over the active aquifer",
        )
    return np.column_stack([column_wet.argmax(axis=0), rows, cols])


def leak_sources(
    flow: FlowField, cells: np.ndarray, mass_rate: float, case: LeakCase
) -> list[Source]:
    """One :class:`Source` per leak cell, each ``mass_rate / len(cells)`` g/d, at the middle of
    the cell's saturated thickness, on from ``case.start`` to ``case.stop``."""
    lay, row, col = cells.T
    z = flow.grid.botm[lay, row, col] + 0.5 * flow.saturated_thickness[0][lay, row, col]
    share = mass_rate / len(cells)
    return [
        Source(float(x), float(y), float(zz), mass_rate=share, start=case.start, stop=case.stop)
        for x, y, zz in zip(
            flow.grid.xcenters[row, col], flow.grid.ycenters[row, col], z, strict=True
        )
    ]


# ---------------------------------------------------------------------- receptors
def receptor_probe(flow: FlowField, receptor: Receptor, where: str) -> Probe:
    """The cells and weights of a receptor in ``flow`` (see the module docstring)."""
    if receptor.kind == "source_well":
        well = resolve_wells(flow, [receptor.location])[0]
        q = sum(-flow.sources[name][-1] for name, t in flow.source_types.items() if t == "WEL")
        rate = np.maximum(q[tuple(well.cells.T)], 0.0)
        _, groups = np.unique(well.cells[:, 1:], axis=0, return_inverse=True)
        totals = np.bincount(groups, rate)
        return Probe(receptor.name, receptor.kind, well.cells, rate / totals[groups], groups)
    if receptor.kind != "monitoring_well":
        raise SpecError(f"{where}.kind", f"unknown kind {receptor.kind!r}", f"use {RECEPTOR_KINDS}")
    xyz = list(receptor.location)
    lay, row, col = flow.grid.locate(xyz[0], xyz[1], xyz[2] if len(xyz) > 2 else None)
    if row[0] < 0 or (len(xyz) > 2 and lay[0] < 0):
        raise SpecError(where, f"{tuple(xyz)} is outside the model grid", "move the receptor")
    layers = lay[:1] if len(xyz) > 2 else np.flatnonzero(flow.grid.idomain[:, row[0], col[0]] > 0)
    if len(layers) == 0 or flow.grid.idomain[layers[0], row[0], col[0]] <= 0:
        raise SpecError(where, f"{tuple(xyz)} is in an inactive cell", "move the receptor")
    cells = np.column_stack([layers, np.full_like(layers, row[0]), np.full_like(layers, col[0])])
    return Probe(receptor.name, receptor.kind, cells, np.ones(len(cells)), np.arange(len(cells)))


def boundary_probe(flow: FlowField, name: str, cells: np.ndarray) -> Probe:
    """The site boundary of a footprint: every active cell of the ring of columns just outside
    the footprint's columns (8-neighbourhood), each its own group."""
    mask = np.zeros(flow.shape[1:], bool)
    mask[cells[:, 1], cells[:, 2]] = True
    ring = ndimage.binary_dilation(mask, np.ones((3, 3), bool)) & ~mask
    ring_cells = np.argwhere(ring[None] & (flow.grid.idomain > 0))
    return Probe(
        f"{name} boundary",
        "site_boundary",
        ring_cells,
        np.ones(len(ring_cells)),
        np.arange(len(ring_cells)),
    )


def exceedance_time(times, series, limit: float) -> float | None:
    """First time (d) the series exceeds ``limit``, interpolated linearly between output times
    (from 0 mg/L at t = 0); None if it never does."""
    t = np.concatenate([[0.0], np.asarray(times, float)])
    c = np.concatenate([[0.0], np.asarray(series, float)])
    above = np.flatnonzero(c > limit)
    if above.size == 0:
        return None
    i = above[0]
    return float(t[i - 1] + (limit - c[i - 1]) / (c[i] - c[i - 1]) * (t[i] - t[i - 1]))


def output_times(service_life: float, n: int = 30, first: float = 10.0) -> np.ndarray:
    """Output times, d: ``n`` log-spaced from ``first`` to ``service_life``, with HJ 610's
    100 d and 1000 d (those within the service life)."""
    hj = [t for t in HJ610_TIMES if t < service_life]
    return np.unique(np.concatenate([np.geomspace(first, service_life, n), hj]).round(3))


# ---------------------------------------------------------------------- screening
def capture_screening(
    flow: FlowField, cells: np.ndarray, wells: Sequence, subdivisions: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Share of leak particles each well group captures (-) and the shortest travel time (d).

    ``subdivisions²`` particles per leak cell (mid saturated depth) are tracked forward; weak
    sinks stop particles only in the wells' cells (``stop_cells``), and a particle counts as
    captured when it stops in a cell of the group, as :func:`gwsim.capture_zone` classifies its
    lattice.

    Returns
    -------
    shares, times : (len(wells),) arrays
    """
    resolved = resolve_wells(flow, list(wells))
    xyz = cell_lattice_points(flow, cells, n=(subdivisions, subdivisions, 1))
    node_owner = well_of_node(flow, resolved)
    res = track(flow, xyz, "forward", stop_cells=np.flatnonzero(node_owner >= 0))
    owner = node_owner[res.cell]
    captured = np.isin(res.status, CAPTURED) & (owner >= 0)
    shares = np.array([np.mean(captured & (owner == i)) for i in range(len(resolved))])
    times = np.array(
        [res.t[captured & (owner == i)].min(initial=np.inf) for i in range(len(resolved))]
    )
    return shares, times


# ---------------------------------------------------------------------- assessment
def site_mass(plume: Plume, cells: np.ndarray, retardation: float) -> float:
    """Dissolved + sorbed mass outside the footprint's bounding block of columns at the last
    output time, g: Σ c·n·R·V_sat (mg/L = g/m³)."""
    flow = plume.flow
    c = np.nan_to_num(plume.concentration.values[-1])
    volume = (
        flow.saturated_thickness[-1] * flow.grid.delr[None, None, :] * flow.grid.delc[None, :, None]
    )
    mass = c * flow.porosity * retardation * volume
    r0, r1 = cells[:, 1].min(), cells[:, 1].max()
    c0, c1 = cells[:, 2].min(), cells[:, 2].max()
    return float(mass.sum() - mass[:, r0 : r1 + 1, c0 : c1 + 1].sum())


def run_leak(
    flow: FlowField,
    enterprise: Enterprise,
    contaminant: Contaminant,
    case: LeakCase,
    probes: list[Probe],
    times,
    *,
    engine: str,
    dispersivity=(10.0, 1.0, 0.1),
    leak_factor: float = 1.0,
    extra_decay: float | np.ndarray = 0.0,
    where: str = "enterprise",
) -> RunResult:
    """Transport of one leak case and the series at ``probes`` plus the site boundary.

    ``leak_factor`` scales the mass rate (anti-seepage); ``extra_decay`` (1/d, scalar or per
    cell) adds to the contaminant's decay (a reactive barrier).
    """
    limit = check_contaminant(contaminant, where)
    cells = leak_cells(flow, enterprise.footprint, f"{where}.footprint")
    sources = leak_sources(flow, cells, leak_mass_rate(contaminant, case) * leak_factor, case)
    decay = contaminant.decay + np.asarray(extra_decay, float)
    plume = transport(
        flow,
        sources,
        times,
        dispersivity=dispersivity,
        decay=decay if decay.ndim else float(decay),
        retardation=contaminant.retardation,
        engine=engine,
    )
    probes = [*probes, boundary_probe(flow, enterprise.name, cells)]
    conc = plume.concentration.values
    return RunResult(
        enterprise.name,
        contaminant,
        case,
        limit,
        plume,
        {p.name: p.series(conc) for p in probes},
        probes,
    )


def receptor_summary(run: RunResult, times: np.ndarray) -> dict[str, dict]:
    """Per receptor: peak (mg/L), time of peak (d), ratio to the limit, exceedance time (d)."""
    out = {}
    for name, series in run.series.items():
        k = int(np.argmax(series))
        out[name] = {
            "peak": float(series[k]),
            "peak_time": float(times[k]),
            "ratio": float(series[k] / run.limit),
            "exceeds_at": exceedance_time(times, series, run.limit),
        }
    return out


def _rank_key(run: RunResult, summary: dict) -> tuple[float, float]:
    source = [s["ratio"] for n, s in summary.items() if run.kinds[n] == "source_well"]
    return (max(source, default=0.0), max(s["ratio"] for s in summary.values()))


def rounded(value, digits: int = 3):
    """``value`` to ``digits`` significant digits for a table ('' for None)."""
    if value is None:
        return ""
    return float(f"{value:.{digits}g}")


def assess(
    flow: FlowField,
    enterprises: Sequence[Enterprise],
    receptors: Sequence[Receptor],
    times,
    *,
    engine: str | None = None,
    dispersivity=(10.0, 1.0, 0.1),
    subdivisions: int = 3,
    log: Callable = print,
) -> RiskAssessment:
    """Rank enterprise × contaminant × leak case by the risk to the receptors.

    Everything is validated (footprints, contaminants and their Class III limits, cases,
    receptors) before the first transport run; then each enterprise's capture is screened by
    tracking, and each leak case runs once.

    Parameters
    ----------
    flow : FlowField
        Flow field (steady: tracking and transport reuse its single step).
    enterprises, receptors : sequences of Enterprise and Receptor
    times : array_like
        Output times, d (see :func:`output_times`).
    engine : {"mt3d", "mf6"}, optional
        Transport engine; default :func:`default_engine`.
    dispersivity : (float, float, float)
        α_L, α_TH, α_TV, m.
    subdivisions : int
        Screening particles per leak-cell side.
    log : callable
        Progress messages.

    Returns
    -------
    RiskAssessment
        Runs ordered by rank: largest peak/limit ratio at any source well first, ties (and
        enterprises that reach no source) by the largest ratio at any receptor.
    """
    engine = engine or default_engine(flow)
    times = np.unique(np.asarray(times, float))
    probes = [receptor_probe(flow, r, f"receptors[{i}]") for i, r in enumerate(receptors)]
    sources = [r for r in receptors if r.kind == "source_well"]
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
        shares, tt = (
            capture_screening(flow, footprints[e.name], [r.location for r in sources], subdivisions)
            if sources
            else ([], [])
        )
        screenings[e.name] = Screening(
            e.name,
            {r.name: float(s) for r, s in zip(sources, shares, strict=True)},
            {r.name: float(t) for r, t in zip(sources, tt, strict=True)},
        )
        for name, share in screenings[e.name].captured_share.items():
            log(f"screening {e.name}: {name} captures {share:.0%} of the leak particles")
    runs = []
    for i, e in enumerate(enterprises):
        for c in e.contaminants:
            for case in e.cases:
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
                        where=f"enterprises[{i}] ({e.name})",
                    )
                )
    summaries = {id(r): receptor_summary(r, times) for r in runs}
    runs.sort(key=lambda r: _rank_key(r, summaries[id(r)]), reverse=True)
    rows = []
    for rank, run in enumerate(runs, start=1):
        summary = summaries[id(run)]
        screening = screenings[run.enterprise]
        order = sorted(summary, key=lambda n: (run.kinds[n] != "source_well", -summary[n]["ratio"]))
        for name in order:
            s = summary[name]
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
                    "captured_share": rounded(screening.captured_share.get(name)),
                    "capture_travel_time_d": rounded(
                        None
                        if not np.isfinite(screening.travel_time.get(name, np.inf))
                        else screening.travel_time[name],
                        4,
                    ),
                }
            )
    return RiskAssessment(runs, screenings, rows, engine, times)
