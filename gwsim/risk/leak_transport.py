"""Transport of one leak case and what it shows at the receptors.

:func:`run_leak` runs one transport simulation (enterprise × contaminant × leak case) and reads the
concentration series (mg/L) at every receptor and at the enterprise's site boundary;
:func:`receptor_summary` gives per receptor the peak, its time, its ratio to the GB/T 14848-2017
Class III limit and the first time the limit is exceeded (:func:`exceedance_time`); :func:`site_mass`
the mass that has left the site. Output times follow HJ 610-2016 (:func:`output_times`: 100 d,
1000 d and the service life).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
from gwsim.risk.receptors import Probe, boundary_probe
from gwsim.solute import Plume, transport

HJ610_TIMES = (100.0, 1000.0)  # d, HJ 610 prediction times besides the service life


def output_times(service_life: float, n: int = 30, first: float = 10.0) -> np.ndarray:
    """Output times, d: ``n`` log-spaced from ``first`` to ``service_life``, with HJ 610's
    100 d and 1000 d (those within the service life)."""
    hj = [t for t in HJ610_TIMES if t < service_life]
    return np.unique(np.concatenate([np.geomspace(first, service_life, n), hj]).round(3))


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

    ``engine`` goes to :func:`gwsim.transport`. ``leak_factor`` scales the mass
    rate (anti-seepage); ``extra_decay`` (1/d, scalar or per cell) adds to the contaminant's
    decay (a reactive barrier).
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


def site_mass(plume: Plume, cells: np.ndarray, retardation: float) -> float:
    """Dissolved + sorbed mass outside the footprint's bounding block of columns at the last
    output time, g: Σ c·n·R·V_sat (mg/L = g/m³)."""
    flow = plume.flow
    c = np.nan_to_num(plume.concentration.values[-1])
    mass = c * flow.porosity * retardation * flow.saturated_thickness[-1] * flow.grid.cell_area
    r0, r1 = cells[:, 1].min(), cells[:, 1].max()
    c0, c1 = cells[:, 2].min(), cells[:, 2].max()
    return float(mass.sum() - mass[:, r0 : r1 + 1, c0 : c1 + 1].sum())


def rounded(value, digits: int = 3):
    """``value`` to ``digits`` significant digits for a table ('' for None)."""
    if value is None:
        return ""
    return float(f"{value:.{digits}g}")
