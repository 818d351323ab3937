"""The key-zone scheme: classes, thresholds, overlay matrices and zone kinds, as data.

Defaults live in ``data/keyzone_scheme.toml`` (classes, breaks, kernel, matrices),
``data/control_requirements.toml`` (zone kinds, their codes, colours and control requirements),
``data/drastic.toml``, ``data/source_load.toml`` and gwsim's GB/T 14848 table (:mod:`gwsim.standards`). A scenario's
``[vulnerability]``, ``[load]``, ``[value]``, ``[treatment]``, ``[overlay]`` and ``[kinds]`` tables
override them key by key; :func:`scheme_from_dict` validates the result and raises
:class:`~gwsim.errors.SpecError` naming the bad key.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gwsim.config import check_keys, number, package_table, require_table
from gwsim.errors import SpecError
from gwsim.standards import class3_limits
from gwsim.zoning.drastic import drastic_table, drastic_weights, index_range
from gwsim.zoning.grading import checked_breaks, equal_interval_breaks
from gwsim.zoning.load import load_factors
from gwsim.zoning.value import ZONE_CLASSES

SECTIONS = ("vulnerability", "load", "value", "treatment", "overlay")
# keys a scenario may give beyond those of keyzone_scheme.toml
_EXTRA_KEYS = {
    "vulnerability": {"ratings", "codes"},
    "load": {
        "release_factor",
        "anti_seepage_factor",
        "quantity_upper_bounds_t",
        "quantity_ratings",
        "toxicity_reference_mg_L",
    },
    "value": {"use_codes"},
}
_KIND_FIELDS = ("code", "name", "name_zh", "colour", "requirements")
MASK_KINDS = ("protection", "treatment")


@dataclass
class KeyZoneScheme:
    """Everything a planner may change, validated; class lists are ordered low → high."""

    drastic: dict  # weights and rating tables (drastic_table)
    weights: dict[str, float]  # DRASTIC weight per parameter
    codes: dict[str, dict[int, str]]  # {layer: {code: category}} for categorical layers
    vulnerability_classes: list[str]
    vulnerability_breaks: np.ndarray  # DRASTIC index between classes
    load_classes: list[str]
    load_breaks: np.ndarray  # load (hazard units) between classes
    kernel: dict[str, float]  # downgradient_m, upgradient_m, transverse_m
    load_factors: dict  # source_load.toml with overrides
    value_classes: list[str]
    yield_breaks: np.ndarray  # m³/d between value classes
    zone_class: dict[str, int]  # protection-zone class -> value class index
    protection_method: str  # zones of this method only ("all": every zone in the file)
    use_class: dict[str, int]  # use category -> value class index
    use_codes: dict[int, str] | None  # {code: use category}; None = CF flags of the use layer
    treatment_radius_m: float
    ignore_parameters: list[str]
    risk_classes: list[str]
    risk_matrix: np.ndarray  # (n vulnerability, n load) risk class index
    zone_matrix: np.ndarray  # (n risk, n value) zone kind code
    protection_from: list[str]  # protection-zone classes drawn as protection zones
    precedence: list[str]  # mask kinds that override the matrix, first wins
    kinds: dict[str, dict]  # zone kind -> code, name, name_zh, colour, requirements
    limits: dict[str, float]  # GB/T 14848 Class III limits, mg/L


def _section(defaults: dict, given: dict, name: str) -> dict:
    given = check_keys(
        given.get(name, {}), set(defaults[name]) | _EXTRA_KEYS.get(name, set()), name
    )
    return {**defaults[name], **given}


def _classes(values, where: str) -> list[str]:
    if not (
        isinstance(values, list) and len(values) >= 2 and all(isinstance(v, str) for v in values)
    ):
        raise SpecError(
            where, f"{values!r}", "give a list of at least two class names, low to high"
        )
    if len(set(values)) != len(values):
        raise SpecError(where, "repeats a class name", "give distinct names")
    return values


def _class_map(mapping, keys, classes: list[str], where: str) -> dict[str, int]:
    mapping = require_table(mapping, where) if keys is None else check_keys(mapping, keys, where)
    out = {}
    for key, cls in mapping.items():
        if cls not in classes:
            raise SpecError(f"{where}.{key}", f"class {cls!r} unknown", f"use one of {classes}")
        out[key] = classes.index(cls)
    return out


def _matrix(table, rows: list[str], cols: list[str], entries: list[str], where: str, fix: str):
    if not isinstance(table, dict) or sorted(table) != sorted(rows):
        raise SpecError(where, f"rows {sorted(table) if isinstance(table, dict) else table}", fix)
    matrix = np.zeros((len(rows), len(cols)), int)
    for i, row in enumerate(rows):
        values = table[row]
        if not (isinstance(values, list) and len(values) == len(cols)):
            raise SpecError(f"{where}.{row}", f"{values!r}", f"give {len(cols)} entries for {cols}")
        for j, value in enumerate(values):
            if value not in entries:
                raise SpecError(
                    f"{where}.{row}", f"entry {value!r} unknown", f"use one of {entries}"
                )
            matrix[i, j] = entries.index(value)
    return matrix


def _kinds(given: dict) -> dict[str, dict]:
    kinds = package_table("gwsim.zoning", "control_requirements.toml")["kinds"]
    for name, entry in require_table(given, "kinds").items():
        check_keys(entry, _KIND_FIELDS, f"kinds.{name}")
        kinds[name] = {**kinds.get(name, {}), **entry}
    codes = set()
    for name, entry in kinds.items():
        missing = [f for f in _KIND_FIELDS if f not in entry]
        if missing:
            raise SpecError(f"kinds.{name}", f"no {missing[0]}", f"give {_KIND_FIELDS}")
        code = entry["code"]
        if not (isinstance(code, int) and 1 <= code <= 127) or code in codes:
            raise SpecError(f"kinds.{name}.code", f"{code!r}", "give a distinct integer 1-127")
        codes.add(code)
    for required in MASK_KINDS:
        if required not in kinds:
            raise SpecError(
                "kinds", f"no kind {required!r}", "keep the protection and treatment kinds"
            )
    return kinds


def scheme_from_dict(data: dict) -> KeyZoneScheme:
    """Validate a scenario's scheme tables (see the module docstring) over the defaults."""
    defaults = package_table("gwsim.zoning", "keyzone_scheme.toml")
    vul, load, value, treat, over = (_section(defaults, data, name) for name in SECTIONS)
    table = drastic_table(vul.get("ratings"))
    weights = drastic_weights(vul["weights"], table)
    v_classes = _classes(vul["classes"], "vulnerability.classes")
    if vul["breaks"] == "equal_interval":
        v_breaks = equal_interval_breaks(*index_range(weights, table), len(v_classes))
    else:
        v_breaks = checked_breaks(vul["breaks"], len(v_classes), "vulnerability.breaks")
    codes = {
        layer: _codes(c, f"vulnerability.codes.{layer}")
        for layer, c in require_table(vul.get("codes", {}), "vulnerability.codes").items()
    }
    l_classes = _classes(load["classes"], "load.classes")
    kernel = {
        key: number(load, key, "load", above=0)
        for key in ("downgradient_m", "upgradient_m", "transverse_m")
    }
    factors = load_factors({k: v for k, v in load.items() if k in _EXTRA_KEYS["load"]})
    val_classes = _classes(value["classes"], "value.classes")
    risk_classes = _classes(over["risk_classes"], "overlay.risk_classes")
    kinds = _kinds(data.get("kinds", {}))
    kind_names = list(kinds)
    zone_matrix = _matrix(
        over["zone_matrix"],
        risk_classes,
        val_classes,
        kind_names,
        "overlay.zone_matrix",
        f"one row per risk class {risk_classes}",
    )
    precedence = over["precedence"]
    if not (isinstance(precedence, list) and set(precedence) <= set(MASK_KINDS)):
        raise SpecError("overlay.precedence", f"{precedence!r}", f"list some of {MASK_KINDS}")
    protection_from = over["protection_from"]
    if not (isinstance(protection_from, list) and set(protection_from) <= set(ZONE_CLASSES)):
        raise SpecError(
            "overlay.protection_from", f"{protection_from!r}", f"list some of {ZONE_CLASSES}"
        )
    ignore = treat["ignore_parameters"]
    limits = class3_limits()
    if not (isinstance(ignore, list) and set(ignore) <= set(limits)):
        raise SpecError(
            "treatment.ignore_parameters", f"{ignore!r}", f"list some of {sorted(limits)}"
        )
    use_codes = value.get("use_codes")
    return KeyZoneScheme(
        drastic=table,
        weights=weights,
        codes=codes,
        vulnerability_classes=v_classes,
        vulnerability_breaks=v_breaks,
        load_classes=l_classes,
        load_breaks=checked_breaks(load["breaks"], len(l_classes), "load.breaks"),
        kernel=kernel,
        load_factors=factors,
        value_classes=val_classes,
        yield_breaks=checked_breaks(
            value["yield_breaks_m3_per_day"], len(val_classes), "value.yield_breaks_m3_per_day"
        ),
        zone_class=_class_map(value["zone_class"], ZONE_CLASSES, val_classes, "value.zone_class"),
        protection_method=str(value["protection_method"]),
        use_class=_class_map(value["use_class"], None, val_classes, "value.use_class"),
        use_codes=None if use_codes is None else _codes(use_codes, "value.use_codes"),
        treatment_radius_m=number(treat, "radius_m", "treatment", above=0),
        ignore_parameters=ignore,
        risk_classes=risk_classes,
        risk_matrix=_matrix(
            over["risk_matrix"],
            v_classes,
            l_classes,
            risk_classes,
            "overlay.risk_matrix",
            f"one row per vulnerability class {v_classes}",
        ),
        zone_matrix=np.array([[kinds[kind_names[i]]["code"] for i in row] for row in zone_matrix]),
        protection_from=protection_from,
        precedence=precedence,
        kinds=kinds,
        limits=limits,
    )


def _codes(table, where: str) -> dict[int, str]:
    """{code: category} from a TOML table whose keys are integer codes."""
    try:
        return {int(code): str(name) for code, name in require_table(table, where).items()}
    except ValueError as exc:
        raise SpecError(where, "has a key that is not an integer code", "") from exc
