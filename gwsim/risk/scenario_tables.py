"""The tables of an enterprise-risk scenario file read into risk objects, every key, number
and position checked (:class:`~gwsim.errors.SpecError` names the bad key and the fix): footprints,
enterprises with contaminants and leak cases, receptors, the dual domain and the control options.
:class:`gwsim.risk.scenario.EnterpriseRiskScenario` calls these; the monitoring scenarios read
their footprints with :func:`footprint_from_table`.
"""

from __future__ import annotations

import shapely

from gwsim.config import check_keys, number
from gwsim.errors import SpecError
from gwsim.risk.control import (
    AntiSeepage,
    CutoffWall,
    HydraulicContainment,
    NaturalAttenuation,
    ReactiveBarrier,
)
from gwsim.risk.leaks import Contaminant, Enterprise, LeakCase, check_case, check_contaminant
from gwsim.risk.receptors import RECEPTOR_KINDS, Receptor
from gwsim.site_model import SiteModel
from gwsim.solute import DualDomain
from gwsim.spec import ModelSpec

_SITE_DUAL_DOMAIN = ("transport.immobile_porosity", "transport.transfer_rate")
OPTION_KEYS = {  # [controls] option -> its keys
    "natural_attenuation": set(),
    "anti_seepage": {"factor"},
    "cutoff_wall": {"k", "thickness"},
    "containment": {"wells"},
    "reactive_barrier": {"polygon", "decay"},
}


def point_in_grid(spec: ModelSpec, xy, where: str) -> tuple[int, int]:
    """(row, col) of a model point; SpecError when outside the grid or over no active cell."""
    try:
        x, y = (float(v) for v in xy[:2])
    except (TypeError, ValueError) as exc:
        raise SpecError(where, f"{xy!r} is not an [x, y] point", "give [x, y] in m") from exc
    rc = spec.grid.cell_of_point(x, y)
    if rc is None:
        raise SpecError(where, f"({x}, {y}) is outside the model grid", "move it into the model")
    if not (spec.grid.arrays()["idomain"][:, rc[0], rc[1]] > 0).any():
        raise SpecError(where, f"({x}, {y}) is over an inactive column", "move it")
    return rc


def footprint_from_table(spec: ModelSpec, table: dict, where: str):
    """A footprint: ``footprint`` polygon (>= 3 points) or ``point``; every vertex in the grid."""
    given = [k for k in ("footprint", "point") if k in table]
    if len(given) != 1:
        raise SpecError(where, "give exactly one of footprint and point", "[[x, y], ...] or [x, y]")
    if given[0] == "point":
        point_in_grid(spec, table["point"], f"{where}.point")
        return shapely.Point(table["point"])
    ring = table["footprint"]
    if not isinstance(ring, list) or len(ring) < 3:
        raise SpecError(f"{where}.footprint", "needs at least 3 [x, y] points", "")
    for i, xy in enumerate(ring):
        point_in_grid(spec, xy, f"{where}.footprint[{i}]")
    polygon = shapely.Polygon(ring)
    if not polygon.is_valid or polygon.area == 0:
        raise SpecError(
            f"{where}.footprint", "is not a simple polygon", "list its corners in order"
        )
    return polygon


def enterprise_from_table(spec: ModelSpec, table: dict, where: str) -> Enterprise:
    check_keys(table, {"name", "footprint", "point", "contaminants", "cases"}, where)
    if "name" not in table:
        raise SpecError(f"{where}.name", "missing", 'add name = "..."')
    where = f"enterprises.{table['name']}"
    footprint = footprint_from_table(spec, table, where)
    contaminants = []
    for j, c in enumerate(table.get("contaminants", [])):
        w = f"{where}.contaminants[{j}]"
        check_keys(c, {"name", "concentration", "mass_rate", "decay", "retardation"}, w)
        contaminant = Contaminant(
            name=str(c.get("name", "")),
            concentration=c.get("concentration"),
            mass_rate=c.get("mass_rate"),
            decay=c.get("decay", 0.0),
            retardation=c.get("retardation", 1.0),
        )
        check_contaminant(contaminant, w)
        contaminants.append(contaminant)
    cases = []
    for j, c in enumerate(table.get("cases", [])):
        w = f"{where}.cases[{j}]"
        check_keys(c, {"name", "seepage", "start", "duration"}, w)
        case = LeakCase(
            str(c.get("name", f"case{j + 1}")),
            number(c, "seepage", w, minimum=0.0, default=0.0),
            number(c, "start", w, minimum=0.0, default=0.0),
            c.get("duration"),
        )
        check_case(case, w)
        cases.append(case)
    if not contaminants or not cases:
        raise SpecError(where, "needs contaminants and cases", "add [[enterprises.contaminants]]")
    return Enterprise(str(table["name"]), footprint, contaminants, cases)


def receptor_from_table(spec: ModelSpec, table: dict, where: str) -> Receptor:
    check_keys(table, {"name", "kind", "well", "x", "y", "z", "travel_time"}, where)
    kind = table.get("kind")
    if "name" not in table or kind not in RECEPTOR_KINDS:
        raise SpecError(where, "needs a name and a kind", f"kind = one of {RECEPTOR_KINDS}")
    if kind == "protection_zone" and "well" not in table:
        raise SpecError(f"{where}.well", "missing", "name the wells whose zone this is")
    if "well" in table:
        wells = {b.name.lower() for b in spec.boundaries if b.kind == "wel"}
        if str(table["well"]).lower() not in wells:
            raise SpecError(f"{where}.well", f"{table['well']!r} is not a well", f"use {wells}")
        if kind == "protection_zone":
            days = number(table, "travel_time", where, minimum=1.0)
            if days is None:
                raise SpecError(f"{where}.travel_time", "missing", "give d: 100 (class 1), 1000")
            return Receptor(str(table["name"]), kind, (str(table["well"]), days))
        return Receptor(str(table["name"]), kind, str(table["well"]))
    xy = [table.get("x"), table.get("y")]
    point_in_grid(spec, xy, where)
    location = (*xy, table["z"]) if "z" in table else tuple(xy)
    return Receptor(str(table["name"]), kind, tuple(float(v) for v in location))


def dual_domain_from_table(value, site: SiteModel | None) -> DualDomain | None:
    """The [transport] table's ``dual_domain``: "site" (the site model's parameters) or a table."""
    where = "transport.dual_domain"
    if value is None:
        return None
    if value == "site":
        missing = [k for k in _SITE_DUAL_DOMAIN if site is None or k not in site.params]
        if missing:
            raise SpecError(
                where,
                f'"site" needs a site model with {", ".join(missing)}',
                "give { immobile_porosity = ..., transfer_rate = ... } instead",
            )
        theta, rate = (float(site.params[k].value) for k in _SITE_DUAL_DOMAIN)
    elif isinstance(value, dict):
        check_keys(value, {"immobile_porosity", "transfer_rate"}, where)
        theta = number(value, "immobile_porosity", where, minimum=0.0)
        rate = number(value, "transfer_rate", where, minimum=0.0)
    else:
        raise SpecError(
            where, f"is {value!r}", 'give "site" or { immobile_porosity, transfer_rate }'
        )
    if not (theta and theta > 0 and rate and rate > 0):
        raise SpecError(where, f"θ_im {theta}, ζ {rate}", "give θ_im > 0 and ζ > 0 (1/d)")
    return DualDomain(theta, rate)


def options_from_table(spec: ModelSpec, table: dict) -> list:
    options = []
    for key, allowed in OPTION_KEYS.items():
        if key not in table:
            continue
        where = f"controls.{key}"
        values = table[key]
        if key == "natural_attenuation":
            if values is not True:
                raise SpecError(where, f"is {values!r}", "give true, or leave it out")
            options.append(NaturalAttenuation())
            continue
        check_keys(values, allowed, where)
        if key == "anti_seepage":
            factor = number(values, "factor", where, minimum=0.0)
            if factor is None or not 0 < factor <= 1:
                raise SpecError(f"{where}.factor", f"is {factor}", "give 0 < factor <= 1")
            options.append(AntiSeepage(factor))
        elif key == "cutoff_wall":
            k = number(values, "k", where, minimum=0.0, default=1e-4)
            options.append(
                CutoffWall(k, number(values, "thickness", where, minimum=0.0, default=0.6))
            )
        elif key == "containment":
            wells = values.get("wells", [])
            for i, w in enumerate(wells):
                point_in_grid(spec, w, f"{where}.wells[{i}]")
                if len(w) != 3 or not w[2] > 0:
                    raise SpecError(f"{where}.wells[{i}]", f"{w!r}", "give [x, y, pumped m³/d > 0]")
            if not wells:
                raise SpecError(f"{where}.wells", "is empty", "give [[x, y, rate m³/d], ...]")
            options.append(HydraulicContainment(tuple(tuple(float(v) for v in w) for w in wells)))
        else:
            ring = values.get("polygon", [])
            for i, xy in enumerate(ring):
                point_in_grid(spec, xy, f"{where}.polygon[{i}]")
            decay = number(values, "decay", where, minimum=0.0)
            if len(ring) < 3 or not decay:
                raise SpecError(where, "needs a polygon and a decay > 0", "polygon = [[x, y], ...]")
            options.append(ReactiveBarrier(shapely.Polygon(ring), decay))
    return options
