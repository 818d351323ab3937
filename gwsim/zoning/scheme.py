"""The key-zone scheme: classes, thresholds, overlay matrices and zone kinds, as data.

A scheme is one TOML file: ``data/keyzone_scheme.toml`` (the 2023 national guide, the default) or
``data/keyzone_scheme_2014.toml`` (the 2014 trial guide), or a planner's own file. It holds the
``[vulnerability]``, ``[load]``, ``[value]``, ``[quality]``, ``[overlay]`` and (optionally)
``[treatment]`` tables, the zone ``[kinds]`` with their requirements in both languages, and
``[sources]``: where each threshold comes from ("gwsim default" where it is not a standard's).
``data/drastic.toml``, ``data/source_load.toml`` and gwsim's GB/T 14848 table
(:mod:`gwsim.standards`) complete it.

A scenario names the scheme (``scheme = "2014"`` or a path) and overrides its entries key by key;
its ``[kinds]`` merge into the scheme's kinds, or replace them all with ``replace = true``.
:func:`scheme_from_dict` validates the result and raises :class:`~gwsim.errors.SpecError` naming
the bad key; an overridden threshold is labelled with the scenario's ``[sources]`` entry or
"scenario file".
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gwsim.config import check_keys, number, package_table, read_toml, require_table
from gwsim.errors import SpecError
from gwsim.standards import class3_limits
from gwsim.zoning.drastic import drastic_table, drastic_weights, index_range
from gwsim.zoning.grading import NATURAL_BREAKS, checked_breaks, equal_interval_breaks
from gwsim.zoning.load import load_factors
from gwsim.zoning.value import QUALITY_CLASSES, ZONE_CLASSES

SCHEMES = {"2023": "keyzone_scheme.toml", "2014": "keyzone_scheme_2014.toml"}
SECTIONS = ("vulnerability", "load", "value", "quality", "treatment", "overlay")
ASSESSMENTS = ("vulnerability", "load", "value")
MASKS = (*ZONE_CLASSES, "treatment")  # protection-type areas, and wells above Class III
GROUPS = ("protection", "control", "general")
# keys a scenario may give beyond those of the scheme file
_EXTRA_KEYS = {
    "vulnerability": {"ratings", "codes"},
    "load": {
        "release_factor",
        "anti_seepage_factor",
        "quantity_upper_bounds_t",
        "quantity_ratings",
        "toxicity_reference_mg_L",
        "land_use_load",
    },
    "value": {"use_codes"},
}
_KIND_FIELDS = (
    "code",
    "name_en",
    "name_zh",
    "colour",
    "group",
    "requirements_en",
    "requirements_zh",
)
_SCENARIO_LABEL = "scenario file"
_FACTOR_LABEL = "gwsim default (data/source_load.toml; verify)"
_DRASTIC_LABEL = (
    "Aller et al. 1987 (data/drastic.toml, metric); red-bed categories a gwsim adaptation (verify)"
)


@dataclass
class KeyZoneScheme:
    """Everything a planner may change, validated; class lists are ordered low → high."""

    title: str
    drastic: dict  # weights and rating tables (drastic_table)
    weights: dict[str, float]  # DRASTIC weight per parameter
    codes: dict[str, dict[int, str]]  # {layer: {code: category}} for categorical layers
    vulnerability_classes: list[str]
    vulnerability_breaks: np.ndarray | str  # DRASTIC index between classes, or NATURAL_BREAKS
    load_classes: list[str]
    load_breaks: np.ndarray | str  # load (hazard units) between classes, or NATURAL_BREAKS
    kernel: dict[str, float]  # downgradient_m, upgradient_m, transverse_m
    load_factors: dict  # source_load.toml with overrides
    value_classes: list[str]
    yield_breaks: np.ndarray  # m³/d between value classes
    zone_class: dict[str, int]  # protection-type area -> value class index
    protection_method: str  # zones of this method only ("all": every zone in the file)
    use_class: dict[str, int]  # use category -> value class index
    use_codes: dict[int, str] | None  # {code: use category}; None = CF flags of the use layer
    quality_class: dict[int, int]  # GB/T 14848 class 1-5 -> highest value class it allows
    quality_radius_m: float  # a monitoring well speaks for cells this close
    ignore_parameters: list[str]  # natural background, not pollution
    treatment_radius_m: float | None  # None: the scheme has no treatment zone
    first_rows: str  # assessment of stage 1's rows ("value", ...)
    first_columns: str
    first_classes: list[str]
    first_matrix: np.ndarray  # (n first_rows classes, n first_columns classes) first class index
    second_columns: str
    zone_matrix: np.ndarray  # (n first classes, n second_columns classes) zone kind code
    precedence: list[str]  # masks that override the matrices, first wins
    mask_kind: dict[str, str]  # mask -> zone kind drawn there
    kinds: dict[str, dict]  # zone kind -> code, names, colour, group, requirements, source
    limits: dict[str, float]  # GB/T 14848 Class III limits, mg/L
    sources: dict[str, str]  # "section.key" -> where the value comes from
    group_names: dict[str, list[str]]  # protection / control / key -> [name_en, name_zh] of totals

    def classes(self, assessment: str) -> list[str]:
        """The class names of ``"vulnerability"``, ``"load"`` or ``"value"``."""
        return getattr(self, f"{assessment}_classes")


def scheme_file(name: str | Path) -> dict:
    """The tables of a built-in scheme (``"2023"``, ``"2014"``) or of a scheme TOML file."""
    if str(name) in SCHEMES:
        return package_table("gwsim.zoning", SCHEMES[str(name)])
    return read_toml(name, "scheme file", f"give one of {sorted(SCHEMES)} or a scheme file path")


def _section(defaults: dict, given: dict, name: str) -> dict | None:
    if name not in defaults:
        if name in given:
            raise SpecError(name, "this scheme has no such section", "remove it or change scheme")
        return None
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


def _matrix(table, rows: list[str], cols: list[str], entries: list[str], where: str):
    """Index matrix (rows × cols) of a table {row class: [entry per column class]}."""
    table = require_table(table, where)
    for row in rows:
        if row not in table:
            raise SpecError(where, f"has no row for class {row!r}", f"give one row per {rows}")
    for row in table:
        if row not in rows:
            raise SpecError(f"{where}.{row}", "is not a class", f"give one row per {rows}")
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


def _kinds(base: dict, given: dict) -> dict[str, dict]:
    given = dict(require_table(given, "kinds"))
    replace = given.pop("replace", False)
    if not isinstance(replace, bool):
        raise SpecError("kinds.replace", f"{replace!r}", "give true or false")
    kinds = {} if replace else copy.deepcopy(base)
    for name, entry in given.items():
        check_keys(entry, (*_KIND_FIELDS, "source"), f"kinds.{name}")
        kinds[name] = {**kinds.get(name, {}), **entry}
    if not kinds:
        raise SpecError("kinds", "no zone kinds", "give at least one [kinds.<name>] table")
    codes = set()
    for name, entry in kinds.items():
        missing = [f for f in _KIND_FIELDS if f not in entry]
        if missing:
            raise SpecError(f"kinds.{name}", f"no {missing[0]}", f"give {_KIND_FIELDS}")
        code = entry["code"]
        if not (isinstance(code, int) and 1 <= code <= 127) or code in codes:
            raise SpecError(f"kinds.{name}.code", f"{code!r}", "give a distinct integer 1-127")
        if entry["group"] not in GROUPS:
            raise SpecError(f"kinds.{name}.group", f"{entry['group']!r}", f"use one of {GROUPS}")
        for key in ("requirements_en", "requirements_zh"):
            if not (isinstance(entry[key], list) and all(isinstance(t, str) for t in entry[key])):
                raise SpecError(f"kinds.{name}.{key}", "must be a list of strings", "")
        entry.setdefault("source", _SCENARIO_LABEL)
        codes.add(code)
    return kinds


def _breaks(value, n_classes: int, where: str, range_=None) -> np.ndarray | str:
    if value == NATURAL_BREAKS:
        return value
    if value == "equal_interval" and range_ is not None:
        return equal_interval_breaks(*range_, n_classes)
    return checked_breaks(value, n_classes, where)


def _sources(defaults: dict, data: dict) -> dict[str, str]:
    """Label of every threshold: the scheme's [sources]; "scenario file" for a value the scenario
    changed, unless the scenario's [sources] labels it."""
    labels = dict(require_table(defaults.get("sources", {}), "sources"))
    given = require_table(data.get("sources", {}), "sources")
    for section in SECTIONS:
        for key, value in data.get(section, {}).items():
            if defaults.get(section, {}).get(key) != value:
                labels[f"{section}.{key}"] = _SCENARIO_LABEL
    for key, label in given.items():
        section = key.split(".")[0]
        if section not in SECTIONS or not isinstance(label, str):
            raise SpecError(f"sources.{key}", f"{label!r}", 'give "section.key" = "where from"')
        labels[key] = label
    return labels


def _overlay(over: dict, classes: dict[str, list[str]], kinds: dict, has_treatment: bool):
    """(stage-1 matrix, zone-code matrix, precedence, mask_kind) of the [overlay] table."""
    roles = [over.get(k) for k in ("first_rows", "first_columns", "second_columns")]
    if sorted(map(str, roles)) != sorted(ASSESSMENTS):
        raise SpecError(
            "overlay",
            f"first_rows, first_columns, second_columns are {roles}",
            f"name each of {ASSESSMENTS} once",
        )
    rows, cols, second = roles
    first_classes = _classes(over["first_classes"], "overlay.first_classes")
    first = _matrix(
        over["first_matrix"], classes[rows], classes[cols], first_classes, "overlay.first_matrix"
    )
    names = list(kinds)
    zone = _matrix(
        over["zone_matrix"], first_classes, classes[second], names, "overlay.zone_matrix"
    )
    mask_kind = require_table(over.get("mask_kind", {}), "overlay.mask_kind")
    for mask, kind in mask_kind.items():
        if mask not in MASKS:
            raise SpecError(f"overlay.mask_kind.{mask}", "unknown mask", f"use one of {MASKS}")
        if kind not in kinds:
            raise SpecError(
                f"overlay.mask_kind.{mask}", f"zone kind {kind!r} unknown", f"use one of {names}"
            )
    precedence = over["precedence"]
    if not (isinstance(precedence, list) and set(precedence) <= set(mask_kind)):
        raise SpecError(
            "overlay.precedence", f"{precedence!r}", f"list some of {sorted(mask_kind)}"
        )
    if "treatment" in precedence and not has_treatment:
        raise SpecError(
            "overlay.precedence", "lists treatment", "add a [treatment] section or drop it"
        )
    codes = np.array([[kinds[names[i]]["code"] for i in row] for row in zone])
    return first_classes, first, codes, precedence, dict(mask_kind)


def scheme_from_dict(data: dict) -> KeyZoneScheme:
    """Validate a scenario's scheme tables (see the module docstring) over its scheme file."""
    defaults = scheme_file(data.get("scheme", "2023"))
    vul, load, value, quality, treat, over = (_section(defaults, data, n) for n in SECTIONS)
    for name, section in zip(SECTIONS, (vul, load, value, quality, treat, over), strict=True):
        if section is None and name != "treatment":
            raise SpecError(name, "missing from the scheme file", f"add a [{name}] table")
    table = drastic_table(vul.get("ratings"))
    weights = drastic_weights(vul["weights"], table)
    classes = {
        "vulnerability": _classes(vul["classes"], "vulnerability.classes"),
        "load": _classes(load["classes"], "load.classes"),
        "value": _classes(value["classes"], "value.classes"),
    }
    codes = {
        layer: _codes(c, f"vulnerability.codes.{layer}")
        for layer, c in require_table(vul.get("codes", {}), "vulnerability.codes").items()
    }
    kernel = {
        key: number(load, key, "load", above=0)
        for key in ("downgradient_m", "upgradient_m", "transverse_m")
    }
    kinds = _kinds(defaults.get("kinds", {}), data.get("kinds", {}))
    first_classes, first, zone, precedence, mask_kind = _overlay(
        over, classes, kinds, treat is not None
    )
    limits = class3_limits()
    ignore = quality["ignore_parameters"]
    if not (isinstance(ignore, list) and set(ignore) <= set(limits)):
        raise SpecError(
            "quality.ignore_parameters", f"{ignore!r}", f"list some of {sorted(limits)}"
        )
    quality_class = _class_map(
        value["quality_class"], QUALITY_CLASSES, classes["value"], "value.quality_class"
    )
    use_codes = value.get("use_codes")
    return KeyZoneScheme(
        title=str(defaults.get("title", data.get("scheme", ""))),
        drastic=table,
        weights=weights,
        codes=codes,
        vulnerability_classes=classes["vulnerability"],
        vulnerability_breaks=_breaks(
            vul["breaks"],
            len(classes["vulnerability"]),
            "vulnerability.breaks",
            index_range(weights, table),
        ),
        load_classes=classes["load"],
        load_breaks=_breaks(load["breaks"], len(classes["load"]), "load.breaks"),
        kernel=kernel,
        load_factors=load_factors({k: v for k, v in load.items() if k in _EXTRA_KEYS["load"]}),
        value_classes=classes["value"],
        yield_breaks=checked_breaks(
            value["yield_breaks_m3_per_day"],
            len(classes["value"]),
            "value.yield_breaks_m3_per_day",
        ),
        zone_class=_class_map(
            value["zone_class"], ZONE_CLASSES, classes["value"], "value.zone_class"
        ),
        protection_method=str(value["protection_method"]),
        use_class=_class_map(value["use_class"], None, classes["value"], "value.use_class"),
        use_codes=None if use_codes is None else _codes(use_codes, "value.use_codes"),
        quality_class={QUALITY_CLASSES.index(k) + 1: v for k, v in quality_class.items()},
        quality_radius_m=number(quality, "radius_m", "quality", above=0),
        ignore_parameters=ignore,
        treatment_radius_m=None
        if treat is None
        else number(treat, "radius_m", "treatment", above=0),
        first_rows=over["first_rows"],
        first_columns=over["first_columns"],
        first_classes=first_classes,
        first_matrix=first,
        second_columns=over["second_columns"],
        zone_matrix=zone,
        precedence=precedence,
        mask_kind=mask_kind,
        kinds=kinds,
        limits=limits,
        sources=_sources(defaults, data),
        group_names=_group_names(defaults.get("groups", {})),
    )


def _group_names(table) -> dict[str, list[str]]:
    """[name_en, name_zh] of the area table's totals from the scheme's [groups] table."""
    table = check_keys(table, ("protection", "control", "key"), "groups")
    for group in ("protection", "control", "key"):
        names = table.get(group)
        if not (
            isinstance(names, list) and len(names) == 2 and all(isinstance(n, str) for n in names)
        ):
            raise SpecError(f"groups.{group}", f"{names!r}", "give [name_en, name_zh]")
    return dict(table)


def threshold_rows(data: dict, scheme: KeyZoneScheme) -> list[dict]:
    """One row per scheme entry: ``key``, ``value`` (as given) and ``source`` (its label); the
    hazard factors of ``source_load.toml`` and the DRASTIC rating tables are listed too."""
    defaults = scheme_file(data.get("scheme", "2023"))
    rows = []
    for section in SECTIONS:
        merged = {**defaults.get(section, {}), **data.get(section, {})}
        if section == "load":
            merged.update(scheme.load_factors)
        for key, value in merged.items():
            default = _FACTOR_LABEL if key in scheme.load_factors else _SCENARIO_LABEL
            label = scheme.sources.get(f"{section}.{key}", default)
            rows.append({"key": f"{section}.{key}", "value": _text(value), "source": label})
    if "ratings" not in data.get("vulnerability", {}):
        ratings = "; ".join(sorted(scheme.drastic["parameters"]))
        rows.append({"key": "vulnerability.ratings", "value": ratings, "source": _DRASTIC_LABEL})
    return rows


def _text(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def _codes(table, where: str) -> dict[int, str]:
    """{code: category} from a TOML table whose keys are integer codes."""
    try:
        return {int(code): str(name) for code, name in require_table(table, where).items()}
    except ValueError as exc:
        raise SpecError(where, "has a key that is not an integer code", "") from exc
