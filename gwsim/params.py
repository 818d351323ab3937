"""Parameter files: every value with its unit and its source, so surveyed values can replace them.

A parameter file is TOML whose leaves are tables ``{value = ..., unit = "...", source = "..."}``,
grouped freely::

    [aquifer.k]
    value = 60.0
    unit = "m/d"
    source = "DOMAIN.md: Fu River valley sand and gravel 20-150 m/d (typical; verify)"

:func:`load_params` flattens them to dotted keys (``"aquifer.k"``). Overrides (from a scenario)
must name an existing key and carry a unit; a unit that differs from the file's is converted when
gwsim knows the conversion (:func:`gwsim.config.convert`), and refused otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gwsim.config import check_keys, convert, normalise_unit, read_toml
from gwsim.errors import SpecError


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
            check_keys(item, {"value", "unit", "source", "min", "max"}, f"{where}:{name}")
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
    data = read_toml(path, "parameter file", "check the model folder")
    params: dict[str, Param] = {}
    _flatten(data, "", params, path)
    return params


def apply_overrides(params: dict[str, Param], overrides: dict, where: str) -> dict[str, Param]:
    """Parameters with ``overrides`` ({key: {value, unit}}) applied, units checked/converted."""
    result = dict(params)
    check_keys(overrides, params, where, "parameter")
    for key, item in overrides.items():
        name = f"{where}.{key}"
        if not isinstance(item, dict) or "value" not in item:
            raise SpecError(
                name,
                "needs a value and its unit",
                f'write {{ value = ..., unit = "{params[key].unit}" }}',
            )
        if "unit" not in item:
            raise SpecError(name, "value without a unit", f'add unit = "{params[key].unit}"')
        check_keys(item, {"value", "unit", "source"}, name)
        value = convert(item["value"], str(item["unit"]), params[key].unit, name)
        source = str(item.get("source", f"scenario override ({item['value']} {item['unit']})"))
        result[key] = replace(params[key], value=value, source=source)
        result[key].check(name)
    return result
