"""Transport of one leak case and what it shows at the receptors.

:func:`run_leak` runs one transport simulation (enterprise × contaminant × leak case) and reads the
concentration series (mg/L) at every receptor and at the enterprise's site boundary, and the
cumulative mass (g) reaching each source well and crossing the site boundary
(:mod:`gwsim.risk.mass`); :func:`receptor_summary` gives per receptor the peak, its time, its ratio
to the GB/T 14848-2017 Class III limit, the first time the limit is exceeded
(:func:`exceedance_time`) and the mass by the end, with values below the numerical floors set to 0
("not reached"). Output times follow HJ 610-2016 (:func:`output_times`: 100 d, 1000 d and the
service life); the runs save more (:func:`gwsim.risk.mass.integration_times`) for the mass
integrals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gwsim.engines.mt3d_link import THIN_WATER_TABLE, step_relieved
from gwsim.engines.transport_choice import choose_transport_engine
from gwsim.flowfield import FlowField
from gwsim.risk.leaks import (
    Contaminant,
    Enterprise,
    LeakCase,
    check_contaminant,
    leak_cells,
    leak_mass_rate,
    leak_sources,
)
from gwsim.risk.mass import (
    MASS_FLOOR,
    RATIO_FLOOR,
    boundary_crossing,
    floored,
    injected_mass,
    integration_times,
    sink_mass,
    sink_rates,
)
from gwsim.risk.receptors import Probe, boundary_probe
from gwsim.risk.superposition import UnitResponse, case_plume, case_sink_mass
from gwsim.solute import DualDomain, Plume, transport

HJ610_TIMES = (100.0, 1000.0)  # d, HJ 610 prediction times besides the service life


def output_times(service_life: float, n: int = 30, first: float = 10.0) -> np.ndarray:
    """Output times, d: ``n`` log-spaced from ``first`` to ``service_life``, with HJ 610's
    100 d and 1000 d (those within the service life)."""
    hj = [t for t in HJ610_TIMES if t < service_life]
    return np.unique(np.concatenate([np.geomspace(first, service_life, n), hj]).round(3))


@dataclass
class RunResult:
    """One transport run (enterprise × contaminant × case): receptor series (mg/L) and
    cumulative masses (g) at the plume's output times."""

    enterprise: str
    contaminant: Contaminant
    case: LeakCase
    limit: float  # mg/L, GB/T 14848 Class III
    plume: Plume
    series: dict[str, np.ndarray]  # receptor name -> (nt,) mg/L
    probes: list[Probe]
    mass: dict[str, np.ndarray] = field(default_factory=dict)  # source wells, boundary -> (nt,) g
    leaked: np.ndarray | None = None  # (nt,) g leaked by each output time

    @property
    def times(self) -> np.ndarray:
        """(nt,) output times of the series and masses, d."""
        return self.plume.times

    @property
    def kinds(self) -> dict[str, str]:
        """Receptor name -> kind ("source_well", "monitoring_well", "site_boundary")."""
        return {p.name: p.kind for p in self.probes}

    @property
    def key(self) -> str:
        return f"{self.enterprise}_{self.contaminant.name}_{self.case.name}"


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
    dual_domain: DualDomain | None = None,
    where: str = "enterprise",
    plume: Plume | None = None,
    unit: UnitResponse | None = None,
    domain: str | np.ndarray = "reach",
    courant: float = 0.5,
) -> RunResult:
    """Transport of one leak case: the series at ``probes`` plus the site boundary, and the
    cumulative mass reaching each source well and crossing the site boundary.

    ``engine`` goes to :func:`gwsim.transport`, which saves ``times`` and the dense times of
    :func:`~gwsim.risk.mass.integration_times`. ``leak_factor`` scales the mass rate
    (anti-seepage); ``extra_decay`` (1/d, scalar or per cell) adds to the contaminant's decay (a
    reactive barrier); ``dual_domain`` adds a matrix (immobile) domain (fractured rock).
    ``plume``: this leak's plume at those times, already computed (e.g. a scaled one): no
    transport run. ``unit``: the 1 g/d unit response on steady flow
    (:class:`~gwsim.risk.superposition.UnitResponse`): no transport run either; the plume and
    the masses at the source wells are superposed from it. ``domain`` and ``courant`` go to :func:`gwsim.transport`
    (the cells the plume can reach, "all" for every cell; the largest Courant number).
    """
    limit = check_contaminant(contaminant, where)
    cells = leak_cells(flow, enterprise.footprint, f"{where}.footprint")
    rate = leak_mass_rate(contaminant, case) * leak_factor
    decay = contaminant.decay + np.asarray(extra_decay, float)
    if plume is None and unit is not None:
        plume = case_plume(unit.plume, rate, case, integration_times(times))
    elif plume is None:
        plume = leak_plume(
            flow,
            cells,
            rate,
            case,
            integration_times(times),
            contaminant,
            engine=engine,
            dispersivity=dispersivity,
            extra_decay=extra_decay,
            dual_domain=dual_domain,
            domain=domain,
            courant=courant,
            read_cells=probe_cells(probes),
        )
    probes = [*probes, boundary_probe(flow, enterprise.name, cells)]
    conc, t = plume.concentration.values, plume.times
    leaked = injected_mass(t, rate, case.start, case.stop)
    wells = sink_rates(flow, ("WEL",))
    mass = {
        p.name: sink_mass(t, conc, p.cells, wells[tuple(p.cells.T)])
        if unit is None
        else case_sink_mass(unit, rate, case, t, p.cells, wells[tuple(p.cells.T)])
        for p in probes
        if p.kind == "source_well"
    }
    site = np.zeros(flow.shape[1:], bool)
    site[cells[:, 1], cells[:, 2]] = True
    mass[probes[-1].name] = boundary_crossing(
        plume.flow,  # the flows the plume ran on (MT3D: step-relieved, the site's columns kept)
        t,
        conc,
        site,
        leaked,
        retardation=contaminant.retardation,
        decay=decay,
        immobile=None
        if dual_domain is None
        else (dual_domain.immobile_porosity, dual_domain.transfer_rate),
    )
    return RunResult(
        enterprise.name,
        contaminant,
        case,
        limit,
        plume,
        {p.name: p.series(conc) for p in probes},
        probes,
        mass,
        leaked,
    )


STEP_RELIEF_NOTE = (
    "MT3D-USGS's explicit step is set by its fastest cell, so it ran on flows re-routed where "
    f"that cell carries no solute that is read: recharge enters below water-table cells less "
    f"than {THIN_WATER_TABLE:.0%} saturated, and water rising to a stream leaves where it enters "
    "the stream's column, except in the columns of the leak, its site boundary and the cells "
    "the receptors read (water balances kept; gwsim.engines.mt3d_link.step_relieved)."
)


def probe_cells(probes: list[Probe]) -> np.ndarray:
    """(m, 3) the cells that ``probes`` read."""
    return np.concatenate([np.empty((0, 3), int), *(np.asarray(p.cells) for p in probes)])


def leak_plume(
    flow: FlowField,
    cells: np.ndarray,
    rate: float,
    case: LeakCase,
    times,
    contaminant: Contaminant,
    *,
    engine: str,
    dispersivity=(10.0, 1.0, 0.1),
    extra_decay: float | np.ndarray = 0.0,
    dual_domain: DualDomain | None = None,
    domain: str | np.ndarray = "reach",
    courant: float = 0.5,
    read_cells=(),
) -> Plume:
    """The transport run of a leak of ``rate`` g/d into ``cells`` during ``case``, saved at
    ``times`` (d): :func:`gwsim.transport` with the contaminant's sorption and decay. MT3D-USGS
    runs on :func:`~gwsim.engines.mt3d_link.step_relieved` flows (recharge passed below barely
    wet water-table cells, water rising to a stream leaving where it enters the stream's column:
    longer explicit steps), except in the columns of the leak's cells, of its site boundary and
    of ``read_cells`` ((m, 3): the cells the receptors read), whose flows stay as they are."""
    decay = contaminant.decay + np.asarray(extra_decay, float)
    if choose_transport_engine(engine).engine == "mt3d":
        boundary = boundary_probe(flow, "site", cells).cells
        keep = np.concatenate([cells, boundary, np.asarray(read_cells, int).reshape(-1, 3)])
        flow = step_relieved(flow, keep=keep)
    return transport(
        flow,
        leak_sources(flow, cells, rate, case),
        times,
        dispersivity=dispersivity,
        decay=decay if decay.ndim else float(decay),
        retardation=contaminant.retardation,
        engine=engine,
        dual_domain=dual_domain,
        domain=domain,
        courant=courant,
    )


def plume_at(plume: Plume, times) -> Plume:
    """``plume`` at the output ``times`` only (d; e.g. for its netCDF file, without the dense
    times the mass integrals need)."""
    keep = np.flatnonzero(np.isin(plume.times.round(3), np.asarray(times, float).round(3)))
    return Plume(
        plume.concentration.isel(time=keep),
        plume.percent_discrepancy,
        plume.workspace,
        plume.attrs,
        plume.flow,
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


def receptor_summary(run: RunResult) -> dict[str, dict]:
    """Per receptor: peak (mg/L), time of peak (d), ratio to the limit, exceedance time (d) and
    the cumulative mass by the last time (g; None where no mass is booked). A peak below
    :data:`~gwsim.risk.mass.RATIO_FLOOR` of the limit and a mass below
    :data:`~gwsim.risk.mass.MASS_FLOOR` of the mass leaked read 0 ("not reached")."""
    times = run.times
    leaked = float(run.leaked[-1]) if run.leaked is not None else 0.0
    out = {}
    for name, series in run.series.items():
        k = int(np.argmax(series))
        ratio = floored(series[k] / run.limit, RATIO_FLOOR)
        mass = run.mass.get(name)
        out[name] = {
            "peak": ratio * run.limit,
            "peak_time": float(times[k]) if ratio > 0 else None,
            "ratio": ratio,
            "exceeds_at": exceedance_time(times, series, run.limit),
            "mass": None if mass is None else floored(float(mass[-1]), MASS_FLOOR * leaked),
        }
    return out


def rounded(value, digits: int = 3):
    """``value`` to ``digits`` significant digits for a table ('' for None)."""
    if value is None:
        return ""
    return float(f"{value:.{digits}g}")
