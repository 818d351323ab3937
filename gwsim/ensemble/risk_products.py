"""Risk products of an ensemble: how each enterprise's leak shows at each receptor, as a spread.

Per realization, :class:`RiskAnalysis` runs one transport simulation per enterprise
(:func:`gwsim.risk.run_leak`) of its worst leak case (the contaminant × case with the largest
peak / GB/T 14848 Class III ratio at any receptor in the deterministic run) or a named one, and
keeps per receptor (the scenario's receptors and the enterprise's site boundary) four numbers:

- ``peak``: the largest concentration at the output times, mg/L;
- ``peak_time``: when it occurs, d;
- ``arrival``: the first time the concentration exceeds ``arrival_fraction`` × the Class III
  limit, d (NaN: not within the service life);
- ``exceeds``: the first time it exceeds the Class III limit, d (NaN: never).

:class:`RiskReducer` keeps those numbers, E × R × 4 per realization (never plumes);
:func:`risk_rows` turns them into P5/P50/P95 of the peak and the arrival time and the probability
of exceeding the limit, beside the deterministic run's values. Times that never come are +inf in
the percentiles (an order statistic, no interpolation: "not reached").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gwsim.engines.transport_choice import choose_transport_engine
from gwsim.errors import SpecError
from gwsim.names import label
from gwsim.risk import (
    Contaminant,
    Enterprise,
    LeakCase,
    Receptor,
    exceedance_time,
    receptor_probe,
    receptor_summary,
    run_leak,
)
from gwsim.risk.leak_transport import STEP_RELIEF_NOTE
from gwsim.writers import markdown_table, write_table

WORST = "worst"
NUMBERS = ("peak", "peak_time", "arrival", "exceeds")  # per realization, enterprise and receptor
BOUNDARY = "site boundary"
PERCENTILES = (5, 50, 95)
HEADERS = {  # table column -> (Chinese, English, unit)
    "enterprise": ("企业", "enterprise", ""),
    "contaminant": ("污染物", "contaminant", ""),
    "case": ("情景", "leak case", ""),
    "receptor": ("受体", "receptor", ""),
    "limit": ("III类限值", "Class III limit", "mg/L"),
    "det_peak": ("确定性峰值", "deterministic peak", "mg/L"),
    "peak": ("峰值浓度", "peak", "mg/L"),
    "p_exceed": ("超标概率", "exceedance probability", ""),
    "det_arrival": ("确定性到达时间", "deterministic arrival", "d"),
    "arrival": ("到达时间", "arrival", "d"),
    "p_arrive": ("到达概率", "arrival probability", ""),
}


def header(key: str, percentile: int | None = None) -> str:
    """Bilingual column name, e.g. "峰值浓度 peak P50 (mg/L)"."""
    zh, en, unit = HEADERS[key]
    name = label((zh, en), "both") + (f" P{percentile}" if percentile is not None else "")
    return f"{name} ({unit})" if unit else name


def _named_case(enterprise: Enterprise, name: str, where: str) -> tuple[Contaminant, LeakCase]:
    """The (contaminant, case) called "contaminant/case" (or just "case" with one contaminant)."""
    contaminant, _, case = name.rpartition("/")
    pairs = {
        (c.name, k.name): (c, k)
        for c in enterprise.contaminants
        for k in enterprise.cases
        if contaminant in ("", c.name)
    }
    found = [pair for (c, k), pair in pairs.items() if k == case]
    if len(found) != 1:
        known = [f"{c.name}/{k.name}" for c in enterprise.contaminants for k in enterprise.cases]
        raise SpecError(where, f"{name!r} names no single leak case", f'use "worst" or {known}')
    return found[0]


@dataclass
class RiskAnalysis:
    """Per realization: one leak transport per enterprise and its numbers at every receptor.

    ``cases`` maps an enterprise name to "worst" (default) or "contaminant/case";
    ``engine`` is that of :func:`gwsim.transport`, resolved once on the deterministic run
    (``engine_used``, ``engine_reason``) so that every realization uses the same engine.
    """

    enterprises: list[Enterprise]
    receptors: list[Receptor]
    times: np.ndarray  # output times, d
    dispersivity: tuple[float, float, float] = (10.0, 1.0, 0.1)  # m
    engine: str = "auto"
    cases: dict[str, str] = field(default_factory=dict)
    arrival_fraction: float = 0.01  # of the Class III limit
    name: str = "risk"
    chosen: dict[str, tuple[Contaminant, LeakCase]] = field(default_factory=dict)
    engine_used: str = ""  # "mf6" or "mt3d", set by prepare
    engine_reason: str = ""
    # the runs prepare() chose on the deterministic flow, taken (once) by compute() on that flow
    _prepared: dict[str, object] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        for e in self.enterprises:  # named cases are checked now, before anything runs
            case = self.cases.get(e.name, WORST)
            if case != WORST:
                self.chosen[e.name] = _named_case(e, case, f"uncertainty.risk.cases.{e.name}")

    @property
    def receptor_names(self) -> list[str]:
        """Receptors in table order: the scenario's, then each enterprise's site boundary."""
        return [r.name for r in self.receptors] + [BOUNDARY]

    def describe(self) -> dict:
        """What defines the analysis (for the ensemble's plan key)."""
        return {
            "name": self.name,
            "enterprises": [repr(e) for e in self.enterprises],
            "receptors": [repr(r) for r in self.receptors],
            "times": [float(t) for t in self.times],
            "dispersivity": list(self.dispersivity),
            "engine": self.engine,
            "cases": dict(sorted(self.cases.items())),
            "arrival_fraction": self.arrival_fraction,
        }

    def prepare(self, flow) -> None:
        """Resolve the engine and each enterprise's worst case on the deterministic flow field
        (one transport run per contaminant × case of enterprises with more than one; the chosen
        run is kept for :meth:`compute` on the same flow, so the worst case is not run twice)."""
        choice = choose_transport_engine(self.engine)
        self.engine_used, self.engine_reason = choice.engine, choice.reason
        probes = self._probes(flow)
        for e in self.enterprises:
            if self.cases.get(e.name, WORST) != WORST:  # named: chosen when the scenario was read
                continue
            pairs = [(c, k) for c in e.contaminants for k in e.cases]
            if len(pairs) == 1:
                self.chosen[e.name] = pairs[0]
                continue
            runs = [self._run(flow, e, pair, probes) for pair in pairs]
            ratios = [max(s["ratio"] for s in receptor_summary(r).values()) for r in runs]
            best = int(np.argmax(ratios))
            self.chosen[e.name] = pairs[best]
            self._prepared[e.name] = (flow, runs[best])

    def compute(self, flow) -> dict[str, np.ndarray]:
        """(E, R) arrays ``peak`` (mg/L), ``peak_time``, ``arrival``, ``exceeds`` (d, NaN never)
        and ``limit`` (E,) mg/L, on ``flow``."""
        probes = self._probes(flow)
        out = {k: np.full((len(self.enterprises), len(probes) + 1), np.nan) for k in NUMBERS}
        limits = np.empty(len(self.enterprises))
        for i, e in enumerate(self.enterprises):
            prepared_flow, run = self._prepared.pop(e.name, (None, None))
            if prepared_flow is not flow:
                run = self._run(flow, e, self.chosen[e.name], probes)
            limits[i] = run.limit
            summary = receptor_summary(run)
            for j, (name, series) in enumerate(run.series.items()):  # probes, then the boundary
                s = summary[name]
                arrival = exceedance_time(run.times, series, self.arrival_fraction * run.limit)
                out["peak"][i, j], out["peak_time"][i, j] = s["peak"], s["peak_time"]
                out["arrival"][i, j] = np.nan if arrival is None else arrival
                out["exceeds"][i, j] = np.nan if s["exceeds_at"] is None else s["exceeds_at"]
        return {**out, "limit": limits}

    def reducer(self) -> RiskReducer:
        return RiskReducer(self)

    def _probes(self, flow):
        return [
            receptor_probe(flow, r, f"uncertainty.risk.receptors[{i}]")
            for i, r in enumerate(self.receptors)
        ]

    def _run(self, flow, enterprise: Enterprise, pair, probes):
        contaminant, case = pair
        return run_leak(
            flow,
            enterprise,
            contaminant,
            case,
            probes,
            self.times,
            engine=self.engine_used,
            dispersivity=self.dispersivity,
            where=f"uncertainty.risk.enterprises.{enterprise.name}",
        )


class RiskReducer:
    """The risk numbers of every realization, by index: E × R × 4 floats each."""

    def __init__(self, analysis: RiskAnalysis):
        self.analysis = analysis
        self.limits: np.ndarray | None = None  # (E,) mg/L
        self._rows: dict[int, np.ndarray] = {}  # index -> (4, E, R)

    def add(self, index: int, arrays: dict[str, np.ndarray]) -> None:
        self.limits = arrays["limit"]
        self._rows[index] = np.stack([arrays[k] for k in NUMBERS])

    @property
    def n(self) -> int:
        return len(self._rows)

    def exceedance_probability(self) -> np.ndarray:
        """(E, R) share of the realizations exceeding the Class III limit within the run."""
        return np.isfinite(self.values("exceeds")).mean(axis=0)

    def values(self, number: str) -> np.ndarray:
        """(n, E, R) ``number`` of every realization, by index (NaN: never)."""
        k = NUMBERS.index(number)
        return np.array([self._rows[i][k] for i in sorted(self._rows)])

    def write(self, out: Path, deterministic: dict, flow, title: str, attrs: dict):
        """``risk_distribution.csv/.md`` and ``risk_distribution.png``; returns (paths, report
        lines)."""
        from gwsim.ensemble.risk_plot import plot_risk_distribution
        from gwsim.mapping import save_figure

        if self.n == 0:
            return [], [RISK_TITLE, "", "No realization succeeded: nothing to show.", ""]
        rows = risk_rows(self, deterministic)
        paths = write_table(
            rows,
            out,
            "risk_distribution",
            attrs,
            f"{title}: leak risk over the ensemble 风险分布",
            RISK_NOTES.format(fraction=self.analysis.arrival_fraction),
        )
        figure = plot_risk_distribution(self, deterministic, title)
        paths.append(save_figure(figure, out / "risk_distribution.png"))
        return paths, _report_lines(self, rows)


RISK_TITLE = "## Leak risk at the receptors 受体风险"
RISK_NOTES = (
    "Peak: the largest concentration at the output times. Arrival: the first time above "
    "{fraction:g} × the Class III limit; exceedance: above the limit within the service life. "
    "inf: not reached in that share of realizations."
)


def _time(value: float) -> float | str:
    return "inf" if not np.isfinite(value) else round(float(value), 1)


def risk_rows(reducer: RiskReducer, deterministic: dict) -> list[dict]:
    """Per enterprise and receptor: deterministic peak and arrival, P5/P50/P95 of both, the
    probability of arriving and of exceeding the Class III limit."""
    analysis = reducer.analysis
    peak = reducer.values("peak")
    arrival = np.nan_to_num(reducer.values("arrival"), nan=np.inf)
    exceeds = reducer.exceedance_probability()
    rows = []
    for i, e in enumerate(analysis.enterprises):
        contaminant, case = analysis.chosen[e.name]
        for j, receptor in enumerate(analysis.receptor_names):
            det_arrival = deterministic["arrival"][i, j]
            row = {
                header("enterprise"): e.name,
                header("contaminant"): contaminant.name,
                header("case"): case.name,
                header("receptor"): receptor,
                header("limit"): float(reducer.limits[i]),
                header("det_peak"): float(f"{deterministic['peak'][i, j]:.3g}"),
            }
            for p, v in zip(PERCENTILES, np.percentile(peak[:, i, j], PERCENTILES), strict=True):
                row[header("peak", p)] = float(f"{v:.3g}")
            row[header("p_exceed")] = round(float(exceeds[i, j]), 3)
            row[header("det_arrival")] = _time(det_arrival)
            times = np.quantile(
                arrival[:, i, j], np.array(PERCENTILES) / 100, method="inverted_cdf"
            )
            for p, v in zip(PERCENTILES, times, strict=True):
                row[header("arrival", p)] = _time(v)
            row[header("p_arrive")] = round(float(np.isfinite(arrival[:, i, j]).mean()), 3)
            rows.append(row)
    return rows


def _report_lines(reducer: RiskReducer, rows: list[dict]) -> list[str]:
    analysis = reducer.analysis
    lines = [
        RISK_TITLE,
        "",
        f"{reducer.n} realizations; one transport run per enterprise and realization "
        f"({analysis.engine_reason}); the leak case of each enterprise:",
        "",
    ]
    for e in analysis.enterprises:
        c, k = analysis.chosen[e.name]
        named = analysis.cases.get(e.name, WORST) != WORST
        lines.append(
            f"- {e.name}: {c.name}, {k.name} case "
            f"({'named' if named else 'the worst in the deterministic run'})"
        )
    if analysis.engine_used == "mt3d":
        lines += ["", STEP_RELIEF_NOTE]
    lines += [
        "",
        RISK_NOTES.format(fraction=analysis.arrival_fraction),
        "",
        markdown_table(rows).rstrip(),
        "",
        "![leak risk over the ensemble](risk_distribution.png)",
        "",
    ]
    return lines
