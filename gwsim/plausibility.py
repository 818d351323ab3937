"""Plausibility of physical inputs: hard ranges refuse a value, typical ranges warn about it.

The bounds are data (``gwsim/data/plausibility.toml``), each with its source. A value outside its
quantity's hard range cannot describe a real aquifer (it is almost always a unit or typing
mistake: K = 30 m/s is 2.6 million m/d) and is refused with the range and where it comes from; a
value outside the typical range runs with one warning, which the run records in its report.

:func:`scenario_findings` checks what a scenario of any kind carries: its model spec (K, storage,
porosity, recharge, conductances, elevations, cell sizes, well rates against transmissivity), its
site-model parameters (by unit or key: lengths, K, rainfall, recharge as a share of rainfall,
counts; :func:`params_findings` also runs before a site's ``build.py``), the protection options and
the typical K of the sources' HJ 338 media, enterprise-risk inputs (dispersivity against the plume
scale, decay, retardation, concentrations, leaks, control options) and key-zone inputs (layers,
distances, yield breaks). Bounds are in gwsim's units (m, d); overrides are converted first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from gwsim.config import convert, is_number, package_table
from gwsim.errors import SpecError
from gwsim.risk.leaks import Enterprise
from gwsim.risk.receptors import Receptor

TABLE = "plausibility.toml"  # in gwsim/data/
THIEM_RADIUS_M = 300.0  # radius of influence R in the Thiem drawdown estimate, m
WELL_RADIUS_M = 0.15  # well radius r_w, m
_ELEVATION_FIELDS = ("head", "bhead", "stage", "rbot", "elev", "surface")
_CONDUCTANCE_KINDS = ("ghb", "riv", "drn")


@dataclass(frozen=True)
class Bounds:
    """A quantity's hard and typical ranges (in ``unit``) with their sources."""

    name: str
    what: str
    unit: str
    hard: tuple[float, float]
    hard_source: str
    typical: tuple[float, float] | None = None
    typical_source: str = ""


@cache
def bounds() -> dict[str, Bounds]:
    """{quantity: Bounds} from ``gwsim/data/plausibility.toml``."""
    table = package_table("gwsim", TABLE)
    for section in ("medium_k", "parameter_units", "parameter_names"):
        table.pop(section)
    return {
        name: Bounds(
            name,
            t["what"],
            t["unit"],
            tuple(t["hard"]),
            t["hard_source"],
            tuple(t["typical"]) if "typical" in t else None,
            t.get("typical_source", ""),
        )
        for name, t in table.items()
    }


@cache
def parameter_quantities() -> tuple[dict[str, str], dict[str, str]]:
    """({unit: quantity}, {key ending: quantity}) for site-model parameter files."""
    table = package_table("gwsim", TABLE)
    return table["parameter_units"], table["parameter_names"]


@cache
def medium_k() -> tuple[dict[str, tuple[float, float]], str]:
    """({HJ 338 medium: typical K range, m/d}, source)."""
    table = package_table("gwsim", TABLE)["medium_k"]
    source = table.pop("source")
    table.pop("unit")
    return {k: tuple(v) for k, v in table.items()}, source


@dataclass
class Findings:
    """Values outside hard ranges (``errors``) and outside typical ranges (``warnings``)."""

    errors: list[SpecError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def judge(
        self,
        quantity: str,
        values,
        where: str,
        place=None,
        hint: str = "",
        typical: bool = True,
        skip_nan: bool = False,
    ) -> None:
        """Judge ``values`` (a number or an array, in the quantity's unit) of ``quantity``.

        ``place(i)`` describes the flat index i of the worst value (e.g. its cell); ``hint`` is
        added to the fix (e.g. which parameter of a site model sets the value).
        """
        b = bounds()[quantity]
        try:
            v = np.atleast_1d(np.asarray(values, float)).ravel()
        except (TypeError, ValueError):
            self.errors.append(
                SpecError(where, f"{values!r} is not a number", f"give the {b.what} in {b.unit}")
            )
            return
        if skip_nan:  # gridded layers mark cells without data with NaN
            v = v[~np.isnan(v)]
        if v.size == 0:
            return
        if not np.isfinite(v).all():
            i = int(np.flatnonzero(~np.isfinite(v))[0])
            self.errors.append(
                SpecError(
                    where,
                    f"{v[i]}{_where(~np.isfinite(v), i, place)} is not a finite number",
                    f"give the {b.what} in {b.unit}{hint}",
                )
            )
            return
        lo, hi = b.hard
        bad = ~((v >= lo) & (v <= hi))
        if bad.any():
            i = _farthest(v, lo, hi)
            self.errors.append(
                SpecError(
                    where,
                    f"{v[i]:.4g} {b.unit}{_where(bad, i, place)} is outside the plausible range "
                    f"{lo:g} … {hi:g} {b.unit} of the {b.what} ({b.hard_source})",
                    f"check the value and its unit{hint}",
                )
            )
            return
        if b.typical is None or not typical:
            return
        lo, hi = b.typical
        odd = (v < lo) | (v > hi)
        if odd.any():
            i = _farthest(v, lo, hi)
            self.warnings.append(
                f"{where}: {v[i]:.4g} {b.unit}{_where(odd, i, place)} is outside the typical "
                f"range {lo:g} … {hi:g} {b.unit} of the {b.what} ({b.typical_source}); it runs, "
                "but check it"
            )

    def extend(self, other: Findings) -> None:
        self.errors += other.errors
        self.warnings += other.warnings


def _farthest(v: np.ndarray, lo: float, hi: float) -> int:
    """Index of the value farthest outside [lo, hi]."""
    return int(np.argmax(np.abs(v - np.clip(v, lo, hi))))


def _where(mask: np.ndarray, i: int, place) -> str:
    n = int(mask.sum())
    text = f" in {n} of {mask.size} values" if mask.size > 1 else ""
    if place is not None:
        text += f", e.g. {place(i)}"
    return text


# ---------------------------------------------------------------------- model specs
def spec_findings(spec, hint: str = "") -> Findings:
    """Findings on a :class:`~gwsim.spec.ModelSpec` (already validated): properties of active
    cells, elevations, cell sizes, recharge, conductances and well rates."""
    found = Findings()
    grid = spec.grid.resolve()
    active = grid.active
    shape = grid.shape

    def cell(flat_active):
        index = np.argwhere(active)[flat_active]
        return f"cell (layer, row, col) {tuple(int(i) for i in index)} (0-based)"

    props = spec.properties.arrays(shape)
    for name, quantity in (
        ("k", "k"),
        ("k22", "k"),
        ("k33", "k"),
        ("ss", "specific_storage"),
        ("sy", "specific_yield"),
        ("porosity", "porosity"),
    ):
        if name in ("k22", "k33") and any(e.field == "properties.k" for e in found.errors):
            continue  # derived from k by default: one message is enough
        found.judge(quantity, props[name][active], f"properties.{name}", cell, hint)
    found.judge("elevation", grid.cell_top[active], "grid.top", cell, hint)
    found.judge("elevation", grid.botm[active], "grid.botm", cell, hint)
    found.judge("cell_size", grid.delr, "grid.delr", None, hint)
    found.judge("cell_size", grid.delc, "grid.delc", None, hint)
    area = np.outer(grid.delc, grid.delr)
    for b in spec.boundaries:
        where = f"boundary {b.name!r}"
        cells = tuple(b.cells.T)
        for period in [0, *sorted(b.periods)]:
            values = b.values_in_period(period)
            for name in _ELEVATION_FIELDS:
                if name in values:
                    found.judge("elevation", values[name], f"{where}.{name}", None, hint)
            if b.kind == "rch":
                found.judge("recharge", values["rate"], f"{where}.rate", None, hint)
            if b.kind in _CONDUCTANCE_KINDS:
                per_area = values["cond"] / area[cells[1], cells[2]]
                found.judge("conductance", per_area, f"{where}.cond", None, hint)
            if b.kind == "wel":
                _well_findings(found, values["rate"], b.cells, grid, props["k"], where, hint)
    return found


def _well_findings(found: Findings, rate, cells, grid, k, where: str, hint: str) -> None:
    """Rates of the wells of one WEL boundary (one well per model column) against the hard and
    typical rates and the Thiem drawdown their columns' transmissivity allows."""
    thickness = grid.thickness
    columns = {}
    for (lay, row, col), q in zip(cells, rate, strict=True):
        columns.setdefault((int(row), int(col)), []).append((int(lay), float(q)))
    totals, ratios = [], []
    for (row, col), screened in columns.items():
        q = abs(sum(q for _, q in screened))
        layers = [lay for lay, _ in screened]
        b = float(sum(thickness[lay, row, col] for lay in layers))
        t = float(sum(k[lay, row, col] * thickness[lay, row, col] for lay in layers))
        totals.append(q)
        if t > 0 and b > 0:
            ratios.append(q * math.log(THIEM_RADIUS_M / WELL_RADIUS_M) / (2 * math.pi * t * b))
    found.judge("well_rate", totals, f"{where}.rate", None, hint)
    found.judge("well_drawdown", ratios, f"{where}.rate", None, hint)


def params_findings(params: dict) -> Findings:
    """Findings on a site model's parameters (:mod:`gwsim.params`), judged before the model is
    built so that an absurd length or count never reaches the site's ``build.py``: each numeric
    parameter as the quantity its unit (or, without a unit, its key) names in
    ``[parameter_units]`` / ``[parameter_names]`` of the bounds table; unitless integers as counts.
    """
    by_unit, by_name = parameter_quantities()
    found = Findings()
    for key, p in params.items():
        values = p.value if isinstance(p.value, list) else [p.value]
        if not values or not all(is_number(v) for v in values):
            continue
        leaf = key.rsplit(".", 1)[-1]
        overridden = p.source.startswith("scenario override")
        where = f"model.overrides.{key}" if overridden else f"parameter {key}"
        named = [q for end, q in by_name.items() if leaf.endswith(end)]
        if p.unit in by_unit:
            quantity = by_unit[p.unit]
            values = convert(values, p.unit, bounds()[quantity].unit, where)
        elif p.unit == "-" and named:
            quantity = named[0]
        elif p.unit == "-" and all(float(v).is_integer() for v in values):
            quantity = "count"
        else:
            continue
        found.judge(quantity, values, where, None, "; see [model.overrides] and params.toml")
    return found


def media_findings(spec, media: dict, sources: dict) -> Findings:
    """The model's K at each named source's wells against the typical K of its HJ 338 medium."""
    found = Findings()
    ranges, source = medium_k()
    k = spec.properties.arrays(spec.grid.shape)["k"]
    wells = {b.name.lower(): b for b in spec.boundaries if b.kind == "wel"}
    for name, medium in media.items():
        if medium not in ranges:
            continue
        members = [wells[m.lower()] for m in sources.get(name, []) if isinstance(m, str)]
        values = [k[tuple(c)] for b in members for c in b.cells]
        lo, hi = ranges[medium]
        odd = [v for v in values if not lo <= v <= hi]
        if odd:
            found.warnings.append(
                f"protection.media.{name}: the model's K at the source's wells ({odd[0]:.4g} m/d) "
                f"is outside the typical K {lo:g} … {hi:g} m/d of {medium!r} ({source}); the "
                "tabulated radii may not fit this aquifer"
            )
    return found


# ---------------------------------------------------------------------- any scenario
def scenario_findings(scenario) -> Findings:
    """Findings on everything a scenario of any kind carries (see the module docstring)."""
    found = Findings()
    site = getattr(scenario, "site", None)
    hint = (
        f"; the site model's parameters set it: see {site.folder.name}/params.toml and "
        "[model.overrides]"
        if site is not None
        else ""
    )
    spec = getattr(scenario, "spec", None)
    if spec is not None:
        found.extend(spec_findings(spec, hint))
    if site is not None:
        found.extend(params_findings(site.params))
    protection = getattr(scenario, "protection", None)
    if spec is not None and protection and protection.get("media"):
        found.extend(media_findings(spec, protection["media"], protection["sources"]))
    if protection:
        for key, quantity in (
            ("alpha", "safety_factor"),
            ("k", "k"),
            ("gradient", "gradient"),
            ("porosity", "porosity"),
        ):
            if protection.get(key) is not None:
                found.judge(quantity, protection[key], f"protection.{key}")
    if spec is not None:
        found.extend(_transport_findings(scenario, spec))
    if spec is not None and getattr(scenario, "detection", None) is not None:
        found.extend(_monitoring_findings(scenario, spec))
    found.extend(_zoning_findings(scenario))
    return found


def _judge_dispersivity(found: Findings, dispersivity, spec, where: str) -> None:
    """Dispersivities (m) against the model's longest side; warn when not ordered L >= TH >= TV."""
    grid = spec.grid.resolve()
    scale = max(grid.delr.sum(), grid.delc.sum())
    for i, alpha in enumerate(dispersivity):  # transverse ones: hard range only
        found.judge("dispersivity_ratio", alpha / scale, f"{where}[{i}]", typical=i == 0)
    if not dispersivity[0] >= dispersivity[1] >= dispersivity[2]:
        found.warnings.append(
            f"{where}: {list(dispersivity)} m is not ordered longitudinal >= "
            "transverse horizontal >= transverse vertical (usual ratios 1 : 0.1 : 0.01)"
        )


def _monitoring_findings(scenario, spec) -> Findings:
    """Monitoring-design inputs (a scenario with a ``detection`` table): time window and lead time, dispersivity, detection limit,
    swarm size and steps, lattice spacing, wells per design, leak mass rates, layout distances."""
    found = Findings()
    det, rec, cand = scenario.detection, scenario.receptors, scenario.candidates
    for key in ("window", "lead_time"):
        found.judge("duration", det[key], f"detection.{key}")
    found.judge("duration", rec["class2_travel_time"], "receptors.class2_travel_time")
    _judge_dispersivity(found, det["dispersivity"], spec, "detection.dispersivity")
    if det.get("detection_limit") is not None:
        found.judge("detection_limit", det["detection_limit"], "detection.detection_limit")
    found.judge("share", det["min_share"], "detection.min_share")
    found.judge("particles", det["particles"], "detection.particles")
    found.judge("steps", det["n_steps"], "detection.n_steps")
    found.judge("porosity_factor", det["porosity_factors"], "detection.porosity_factors")
    for key in ("spacing", "clearance"):
        found.judge("length", cand[key], f"candidates.{key}")
    found.judge("count", scenario.design["n_wells"], "design.n_wells")
    found.judge("count", scenario.design["curve"], "design.curve")
    found.judge("solver_seconds", scenario.design["time_limit"], "design.time_limit")
    for e in scenario.enterprises:
        if e.mass_rate is not None:
            found.judge("mass_rate", e.mass_rate, f"enterprises.{e.name}.mass_rate")
    found.judge("count", scenario.apply_from, "design.layout.apply_from")
    if scenario.layout is not None:
        found.judge("length", scenario.layout.control_distance, "design.layout.control_distance")
        found.judge("length", scenario.layout.flank_radius, "design.layout.flank_radius")
        found.judge("angle", scenario.layout.max_angle, "design.layout.max_angle")
    if scenario.attribution:
        found.judge("particles", scenario.attribution["particles"], "attribution.particles")
        if scenario.attribution.get("n_wells") is not None:
            found.judge("count", scenario.attribution["n_wells"], "attribution.n_wells")
    return found


def _transport_findings(scenario, spec) -> Findings:
    """Enterprise-risk inputs: dispersivity against the plume scale, service life, leaks,
    contaminants and control options."""
    found = Findings()
    dispersivity = getattr(scenario, "dispersivity", None)
    if dispersivity is not None:
        _judge_dispersivity(found, dispersivity, spec, "transport.dispersivity")
    wells = {b.name.lower(): b for b in spec.boundaries if b.kind == "wel"}
    for r in getattr(scenario, "receptors", None) or []:
        if not isinstance(r, Receptor):
            continue  # receptors of other kinds (monitoring) are checked by their own reader
        well = wells.get(str(r.location).lower()) if r.kind == "source_well" else None
        for period in range(len(spec.periods)) if well is not None else ():
            total = float(well.values_in_period(period)["rate"].sum())
            if total >= 0:
                found.errors.append(
                    SpecError(
                        f"receptors.{r.name}",
                        f"source well {well.name!r} "
                        + (f"injects {total:g} m³/d" if total > 0 else "has a zero rate")
                        + f" in stress period {period}: a source well must pump",
                        "give its pumping rate as a negative number (m³/d) in the model",
                    )
                )
                break
    times = getattr(scenario, "times", None)
    if times is not None and len(times):
        found.judge("duration", float(np.max(times)), "transport.service_life")
    for e in getattr(scenario, "enterprises", None) or []:
        if not isinstance(e, Enterprise):
            continue  # enterprises of other kinds (monitoring: footprints only)
        for c in e.contaminants:
            where = f"enterprises.{e.name}.{c.name}"
            found.judge("decay", c.decay, f"{where}.decay")
            found.judge("retardation", c.retardation, f"{where}.retardation")
            if c.concentration is not None:
                found.judge("concentration", c.concentration, f"{where}.concentration")
        for case in e.cases:
            where = f"enterprises.{e.name}.cases.{case.name}"
            found.judge("seepage", case.seepage, f"{where}.seepage")
            if case.duration is not None:
                found.judge("duration", case.duration, f"{where}.duration")
    for option in getattr(scenario, "options", None) or []:
        name = type(option).__name__
        if name == "ReactiveBarrier":
            found.judge("decay", option.decay, "controls.reactive_barrier.decay")
        elif name == "CutoffWall":
            found.judge("barrier_k", option.k, "controls.cutoff_wall.k")
            found.judge("length", option.thickness, "controls.cutoff_wall.thickness")
        elif name == "HydraulicContainment":
            rates = [w[2] for w in option.wells]
            found.judge("well_rate", rates, "controls.containment.wells")
    for b in getattr(spec, "barriers", None) or []:
        found.judge("barrier_k", b.k, f"barrier {b.name!r}.k")
    return found


def _zoning_findings(scenario) -> Findings:
    """Key-zone inputs: the layers' K, porosity and recharge, kernel and treatment distances,
    yield breaks."""
    found = Findings()
    layers = getattr(scenario, "layers", None)
    if isinstance(layers, dict):
        for name, quantity, factor in (
            ("k", "k", 1.0),
            ("porosity", "porosity", 1.0),
            ("recharge", "recharge", 1.0 / 365.25 / 1000.0),  # mm/a -> m/d
        ):
            if name in layers:
                values = np.asarray(layers[name].values, float) * factor
                found.judge(quantity, values, f"layers.{name}", skip_nan=True)
    scheme = getattr(scenario, "scheme", None)
    if scheme is not None:
        for key, distance in getattr(scheme, "kernel", {}).items():
            found.judge("length", distance, f"load.{key}")
        if getattr(scheme, "treatment_radius_m", None) is not None:
            found.judge("length", scheme.treatment_radius_m, "treatment.radius_m")
        if getattr(scheme, "yield_breaks", None) is not None:
            found.judge("well_rate", scheme.yield_breaks, "value.yield_breaks_m3_per_day")
        for attr, key in (
            ("vulnerability_breaks", "vulnerability.breaks"),
            ("load_breaks", "load.breaks"),
        ):
            breaks = getattr(scheme, attr, [])
            if isinstance(breaks, str):  # a grading method, e.g. "natural_breaks"
                continue
            breaks = np.asarray(breaks, float)
            if not np.isfinite(breaks).all():
                found.errors.append(
                    SpecError(
                        key, f"{breaks.tolist()} holds a value that is not finite", "give numbers"
                    )
                )
    return found
