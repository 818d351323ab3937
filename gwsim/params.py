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

from gwsim.config import Problems, check_keys, convert, is_number, normalise_unit, read_toml
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
    """Parameters with ``overrides`` ({key: {value, unit}}) applied, units checked/converted.

    An override must match its parameter's shape (a number for a number, a list of the same length
    for a list: one rate per well) and hold finite numbers where the file does. The override's
    original value and unit are kept in the parameter's source (e.g. ``"scenario override: 2 L/s =
    172.8 m3/d"``), so the report shows them. Every bad override is reported, not just the first
    (:class:`~gwsim.errors.SpecErrors` when there are several).
    """
    result = dict(params)
    problems = Problems()
    if not isinstance(overrides, dict):
        raise SpecError(where, "must be a table", '[model.overrides] "key" = { value, unit }')
    for key, item in overrides.items():
        with problems.collect():
            check_keys({key: item}, params, where, "parameter")
            result[key] = _override(params[key], item, f"{where}.{key}")
    problems.raise_any()
    return result


def _override(param: Param, item, name: str) -> Param:
    """``param`` with the override ``item`` ({value, unit[, source]}) applied and checked."""
    if not isinstance(item, dict) or "value" not in item:
        raise SpecError(
            name, "needs a value and its unit", f'write {{ value = ..., unit = "{param.unit}" }}'
        )
    if "unit" not in item:
        raise SpecError(name, "value without a unit", f'add unit = "{param.unit}"')
    check_keys(item, {"value", "unit", "source"}, name)
    value, unit = item["value"], item["unit"]
    if not isinstance(unit, str):
        raise SpecError(f"{name}.unit", f"{unit!r} is not a unit", f'write unit = "{param.unit}"')
    _check_shape(param.value, value, name)
    converted = convert(value, unit, param.unit, name)
    shown = f"{value} {unit}"
    if normalise_unit(unit) != param.unit:
        shown += f" = {_rounded(converted)} {param.unit}"
    source = str(item.get("source", f"scenario override: {shown}"))
    new = replace(param, value=converted, source=source)
    new.check(name)
    return new


def _check_shape(original, value, name: str) -> None:
    """``value`` has the type and length of ``original`` (a number, a list or a string)."""
    if isinstance(original, list):
        if not isinstance(value, list) or len(value) != len(original):
            got = f"{len(value)} values" if isinstance(value, list) else "one value"
            raise SpecError(
                name,
                f"has {got} for a parameter of {len(original)}",
                f"give a list of {len(original)} values (one per entry, as in the parameter file)",
            )
        for i, (o, v) in enumerate(zip(original, value, strict=True)):
            _check_shape(o, v, f"{name}[{i}]")
    elif is_number(original) and not is_number(value):
        raise SpecError(name, f"{value!r} is not a finite number", "give a number, e.g. 1.5")
    elif isinstance(original, str) and not isinstance(value, str):
        raise SpecError(name, f"{value!r} is not text", f'give a string, e.g. "{original}"')


def _rounded(value):
    return [float(f"{v:.6g}") for v in value] if isinstance(value, list) else float(f"{value:.6g}")
