"""The config layer: reading TOML, checking keys, numbers and units, and gwsim's data tables.

Every file gwsim reads (model specs, scenarios, parameter files) and every table it ships
(``gwsim/data/*.toml``, ``gwsim/zoning/data/*.toml``) goes through these functions, so a problem
always reads the same way: a :class:`~gwsim.errors.SpecError` whose ``field`` locates it (a file
with its line and column for syntax errors, else the dotted key from the top of the file, e.g.
``protection.alpha`` or ``boundaries[3].cond``), the problem, and the fix.

Units: a value with a unit (``{ value = 1e-4, unit = "cm/s" }``) is converted to the unit gwsim
expects by :func:`convert`, which knows the factors in :data:`CONVERSIONS` and refuses any other
pair, so a value is never silently taken in the wrong unit.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import re
import tomllib
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

from gwsim.errors import SpecError, SpecErrors

# (from, to) -> factor: value_to = value_from * factor
CONVERSIONS = {
    # recharge, rainfall and K (length per time)
    ("mm/a", "m/d"): 1.0 / 365.25 / 1000.0,
    ("mm/d", "m/d"): 1.0 / 1000.0,
    ("m/a", "m/d"): 1.0 / 365.25,
    ("cm/s", "m/d"): 864.0,
    ("m/s", "m/d"): 86400.0,
    ("m/d", "mm/a"): 365.25 * 1000.0,
    # well rates (volume per time): m3/h is the usual well-yield unit in China
    ("m3/h", "m3/d"): 24.0,
    ("l/s", "m3/d"): 86.4,
    ("m3/s", "m3/d"): 86400.0,
    ("m3/a", "m3/d"): 1.0 / 365.25,
    ("km", "m"): 1000.0,
    ("%", "-"): 0.01,
}
_SPELLINGS = {
    "m³/d": "m3/d",
    "m³/h": "m3/h",
    "m³/s": "m3/s",
    "m²/d": "m2/d",
    "m³/a": "m3/a",
    "m/day": "m/d",
    "1": "-",
    "": "-",
}
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


# ---------------------------------------------------------------------- TOML
def parse_toml(text: str, source: str) -> dict:
    """The table in TOML ``text``; a syntax error is a :class:`SpecError` located at
    ``source:line:column``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        if position:
            source = f"{source}:{position[1]}:{position[2]}"
            message = message[: position.start()]
        raise SpecError(source, f"not valid TOML: {message}", "fix the syntax") from exc


def read_toml(path: str | Path, what: str = "file", missing_fix: str = "check the path") -> dict:
    """The table in the TOML file ``path``.

    Raises :class:`SpecError` naming the file when it is missing (``"<what> not found"``, with
    ``missing_fix``), unreadable, or not valid TOML (then with the line and column).
    """
    path = Path(path)
    if not path.is_file():
        raise SpecError(str(path), f"{what} not found", missing_fix)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(str(path), f"cannot be read: {exc}", "save it as UTF-8 text") from exc
    return parse_toml(text, str(path))


def package_table(package: str, name: str) -> dict:
    """A TOML table shipped with gwsim: ``data/<name>`` inside ``package`` (e.g. ``"gwsim"``,
    ``"gwsim.zoning"``), freshly parsed, so callers may change it."""
    text = resources.files(package).joinpath("data", name).read_text("utf-8")
    return parse_toml(text, f"{package.replace('.', '/')}/data/{name}")


# ---------------------------------------------------------------------- problems
class Problems:
    """Collects input problems so a check reports all of them, not just the first.

    ``with problems.collect(): ...`` records a :class:`SpecError` (or every error of a
    :class:`~gwsim.errors.SpecErrors`) raised in the block and carries on after it;
    :meth:`raise_any` then raises the one problem, or all of them as a ``SpecErrors``.
    """

    def __init__(self) -> None:
        self.errors: list[SpecError] = []

    @contextlib.contextmanager
    def collect(self) -> Iterator[None]:
        try:
            yield
        except SpecErrors as exc:
            self.errors += exc.errors
        except SpecError as exc:
            self.errors.append(exc)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_any(self) -> None:
        """Raise the collected problem(s), if any."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise SpecErrors(self.errors)


# ---------------------------------------------------------------------- keys
def require_table(value, where: str) -> dict:
    """``value`` if it is a table (dict); else :class:`SpecError` naming ``where``."""
    if not isinstance(value, dict):
        raise SpecError(
            where,
            f"must be a table, got {type(value).__name__}",
            f"write it as a TOML table ([{where}] or {{ key = value, ... }})",
        )
    return value


def check_keys(table, allowed: Iterable[str], where: str, what: str = "key") -> dict:
    """``table`` if every key in it is in ``allowed``; else :class:`SpecError` naming the first
    unknown key (``where.key``; just ``key`` when ``where`` is empty), a close match if there is
    one, and the valid keys. ``what`` names the kind of key (``"key"``, ``"parameter"``, ...)."""
    require_table(table, where)
    allowed = sorted(allowed)
    unknown = sorted(set(table) - set(allowed))
    if not unknown:
        return table
    key = unknown[0]
    close = difflib.get_close_matches(str(key), allowed, n=1)
    fix = f"use one of {allowed}"
    if close:
        fix = f"did you mean {close[0]!r}? {fix}"
    raise SpecError(f"{where}.{key}" if where else str(key), f"unknown {what}", fix)


# ---------------------------------------------------------------------- numbers and units
def number(
    table: dict,
    key: str,
    where: str,
    *,
    minimum: float | None = None,
    above: float | None = None,
    default: float | None = None,
) -> float | None:
    """``table[key]`` (or ``default`` when absent; None stays None) as a finite float that is
    ``>= minimum`` and ``> above`` where given; else :class:`SpecError` naming ``where.key``."""
    value = table.get(key, default)
    if value is None:
        return None
    ok = is_number(value)
    if ok and minimum is not None:
        ok = value >= minimum
    if ok and above is not None:
        ok = value > above
    if not ok:
        bounds = []
        if minimum is not None:
            bounds.append(f">= {minimum}")
        if above is not None:
            bounds.append(f"> {above}")
        raise SpecError(
            f"{where}.{key}", f"is {value!r}", f"give a number {' and '.join(bounds)}".strip()
        )
    return float(value)


def is_number(value) -> bool:
    """True for a finite int or float (not a bool, not NaN or infinite)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def numbers(value, where: str, *, integer: bool = False, shape_hint: str = "a number"):
    """``value`` (a number or a nested list of numbers) checked: every entry a finite number
    (an integer if ``integer``); else :class:`SpecError` naming ``where`` and the first bad entry
    (``where[1]``), e.g. a string such as ``"60 m/d"`` inside a list of numbers."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            numbers(item, f"{where}[{i}]", integer=integer, shape_hint=shape_hint)
        return value
    ok = is_number(value) and (not integer or isinstance(value, int))
    if not ok:
        what = "an integer" if integer else "a finite number"
        fix = f"give {shape_hint}"
        if isinstance(value, str):
            fix += (
                " without a unit (values in this table are in m and d; units go only in"
                " { value = ..., unit = '...' } overrides)"
            )
        raise SpecError(where, f"{value!r} is not {what}", fix)
    return value


def normalise_unit(unit: str) -> str:
    """A unit spelling gwsim compares on (``"m³/d"`` -> ``"m3/d"``, ``"L/s"`` -> ``"l/s"``)."""
    unit = unit.strip()
    unit = _SPELLINGS.get(unit, unit)
    return unit.lower() if unit.lower() in ("l/s",) else unit


def known_units(to: str) -> list[str]:
    """The units gwsim converts to ``to`` (``to`` itself first)."""
    to = normalise_unit(to)
    return [to, *sorted(a for a, b in CONVERSIONS if b == to)]


def convert(value, unit: str, to: str, where: str):
    """``value`` (a number or a list) in ``unit`` expressed in ``to``; :class:`SpecError` naming
    ``where`` when gwsim knows no conversion between the two."""
    unit, to = normalise_unit(unit), normalise_unit(to)
    if unit == to:
        return value
    factor = CONVERSIONS.get((unit, to))
    if factor is None:
        raise SpecError(
            where,
            f"unit {unit!r} cannot be converted to the expected {to!r}",
            f"give the value in one of {known_units(to)}",
        )
    if isinstance(value, list):
        return [v * factor for v in value]
    return value * factor
