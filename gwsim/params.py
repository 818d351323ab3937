"""Parameter files: every value with its unit and its source, so surveyed values can replace them.

A parameter file is TOML whose leaves are tables ``{value = ..., unit = "...", source = "..."}``,
grouped freely::

    [aquifer.k]
    value = 60.0
    unit = "m/d"
    source = "DOMAIN.md: Fu River valley sand and gravel 20-150 m/d (typical; verify)"

:func:`load_params` flattens them to dotted keys (``"aquifer.k"``). Overrides (from a scenario)
must name an existing key and carry a unit; a unit that differs from the file's is converted when
gwsim knows the conversion (:data:`CONVERSIONS`), and refused otherwise.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gwsim.errors import SpecError

# (from, to) -> factor: value_to = value_from * factor
CONVERSIONS = {
    ("mm/a", "m/d"): 1.0 / 365.25 / 1000.0,
    ("m/a", "m/d"): 1.0 / 365.25,
    ("cm/s", "m/d"): 864.0,
    ("m/s", "m/d"): 86400.0,
    ("l/s", "m3/d"): 86.4,
    ("m3/a", "m3/d"): 1.0 / 365.25,
    ("km", "m"): 1000.0,
    ("%", "-"): 0.01,
}
_SPELLINGS = {"m³/d": "m3/d", "m²/d": "m2/d", "m³/a": "m3/a", "1": "-", "": "-"}


@dataclass(frozen=True)
class Param:
    """A parameter value with its unit, the source or reasoning behind it, and optional bounds."""

    value: Any
    unit: str
    source: str
    minimum: float | None = None  # ``min`` in the file: smallest allowed value (in ``unit``)
    maximum: float | None = None  # ``max`` in the file

    def check(self, where: str) -> None:
        """Raise :class:`SpecError` naming ``where`` if a value lies outside [min, max]."""
        values = self.value if isinstance(self.value, list) else [self.value]
        for v in values:
            if self.minimum is not None and v < self.minimum:
                raise SpecError(
                    where,
                    f"{v} {self.unit} is below the allowed minimum {self.minimum}",
                    f"give a value >= {self.minimum} {self.unit}",
                )
            if self.maximum is not None and v > self.maximum:
                raise SpecError(
                    where,
                    f"{v} {self.unit} is above the allowed maximum {self.maximum}",
                    f"give a value <= {self.maximum} {self.unit}",
                )


def normalise_unit(unit: str) -> str:
    """A unit spelling gwsim compares on (``"m³/d"`` -> ``"m3/d"``, ``"L/s"`` -> ``"l/s"``)."""
    unit = unit.strip()
    unit = _SPELLINGS.get(unit, unit)
    return unit.lower() if unit.lower() in ("l/s",) else unit


def convert(value, unit: str, to: str, where: str):
    """``value`` in ``unit`` expressed in ``to``; :class:`SpecError` naming ``where`` if unknown."""
    unit, to = normalise_unit(unit), normalise_unit(to)
    if unit == to:
        return value
    factor = CONVERSIONS.get((unit, to))
    if factor is None:
        raise SpecError(
            where,
            f"unit {unit!r} cannot be converted to the expected {to!r}",
            f"give the value in {to}",
        )
    if isinstance(value, list):
        return [v * factor for v in value]
    return value * factor


def _flatten(table: dict, prefix: str, out: dict, where: Path) -> None:
    for key, item in table.items():
        name = f"{prefix}{key}"
        if not isinstance(item, dict):
            raise SpecError(
                f"{where}:{name}",
                "is a bare value",
                "give { value = ..., unit = '...', source = '...' }",
            )
        if "value" in item:
            extra = sorted(set(item) - {"value", "unit", "source", "min", "max"})
            if extra:
                raise SpecError(
                    f"{where}:{name}.{extra[0]}", "unknown key", "use value, unit, source, min, max"
                )
            for required in ("unit", "source"):
                if not str(item.get(required, "")).strip():
                    raise SpecError(
                        f"{where}:{name}",
                        f"has no {required}",
                        f"add {required} = '...' (every value needs its unit and source)",
                    )
            out[name] = Param(
                item["value"],
                normalise_unit(str(item["unit"])),
                str(item["source"]),
                item.get("min"),
                item.get("max"),
            )
            out[name].check(f"{where}:{name}")
        else:
            _flatten(item, f"{name}.", out, where)


def load_params(path: str | Path) -> dict[str, Param]:
    """Read a parameter file into {dotted key: Param}."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise SpecError(str(path), "parameter file not found", "check the model folder") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(str(path), f"not valid TOML: {exc}", "fix the syntax") from exc
    params: dict[str, Param] = {}
    _flatten(data, "", params, path)
    return params


def apply_overrides(params: dict[str, Param], overrides: dict, where: str) -> dict[str, Param]:
    """Parameters with ``overrides`` ({key: {value, unit}}) applied, units checked/converted."""
    result = dict(params)
    for key, item in overrides.items():
        name = f"{where}.{key}"
        if key not in params:
            raise SpecError(name, "unknown parameter", f"use one of {sorted(params)}")
        if not isinstance(item, dict) or "value" not in item:
            raise SpecError(
                name,
                "needs a value and its unit",
                f'write {{ value = ..., unit = "{params[key].unit}" }}',
            )
        if "unit" not in item:
            raise SpecError(name, "value without a unit", f'add unit = "{params[key].unit}"')
        extra = sorted(set(item) - {"value", "unit", "source"})
        if extra:
            raise SpecError(f"{name}.{extra[0]}", "unknown key", "use value, unit, source")
        value = convert(item["value"], str(item["unit"]), params[key].unit, name)
        source = str(item.get("source", f"scenario override ({item['value']} {item['unit']})"))
        result[key] = replace(params[key], value=value, source=source)
        result[key].check(name)
    return result
