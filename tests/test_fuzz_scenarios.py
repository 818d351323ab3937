"""Property-based test of ``gwsim check`` on mutated copies of the shipped scenarios.

Each example takes a shipped scenario file, applies one mutation a user could make — a wrong type
(text such as "60 m/d", a boolean, a list, a table), a changed sign, zero, NaN, infinity, a value
multiplied by 1e6, a dropped or misspelt key, a list one entry shorter or longer, or a site-model
override with such a value — and runs ``gwsim check`` on it. The answer must be exit 0 or a named
error (exit 2, every line ``gwsim: error: <key>: ...``), never a traceback or an internal error;
a number made text, NaN or infinite must be refused, and values multiplied by 1e6 wherever the
multiplied value cannot be physical (:data:`NOT_REFUSED_BY_1E6` lists the inputs where ×1e6
stays plausible, and why).

Text, NaN and infinity in place of a number are always refused. Default run:
``DEFAULT_EXAMPLES`` examples (derandomized: the same cases every run; about 10 s); ``-m slow``
runs ``SLOW_EXAMPLES`` random ones and the exhaustive sweep (every numeric input of every shipped
scenario and site model made text, NaN, infinite and ×1e6).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwsim.cli import main
from gwsim.params import load_params

ROOT = Path(__file__).parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
DEFAULT_EXAMPLES = 30
SLOW_EXAMPLES = 1500
# keys that hold paths relative to the scenario file: made absolute so the copy can live elsewhere
PATH_KEYS = {
    ("model", "site"),
    ("model", "spec"),
    ("layers", "file"),
    ("load", "inventory"),
    ("value", "protection_zones"),
    ("treatment", "monitoring"),
    ("counties", "file"),
}
# inputs where a value multiplied by 1e6 can still be physical, so refusing it would be wrong:
# (scenario, key path prefix) -> why
NOT_REFUSED_BY_1E6 = {
    ("*", "description"): "text",
    ("*", "model.grid.angrot"): "an angle: any rotation is a rotation",
    ("*", "model.periods"): "time discretisation: long or finely stepped periods are legal",
    ("*", "model.solver"): "solver closure and iteration limits, not physical values",
    ("*", "sensitivity.factors"): "sensitivity factors: ×2e6 is legal, only 1 and <= 0 are not",
    ("nancun_protection", "model.overrides.k.minimum"): (
        "K floor of the weathered rock, 0.001 m/d: ×1e6 is 1000 m/d, a plausible K (of gravel)"
    ),
    ("enterprise_risk_valley", "enterprises.0.cases.1.seepage"): (
        "normal-case seepage 0.005 m³/d: ×1e6 is 5000 m³/d, a large but possible leak"
    ),
    ("enterprise_risk_valley", "enterprises.2.cases.1.seepage"): (
        "normal-case seepage 0.01 m³/d: ×1e6 is 1e4 m³/d, the largest possible leak"
    ),
    ("keyzones_pilot", "load.breaks"): "load class breaks in hazard units: no physical bound",
}


# ---------------------------------------------------------------------- TOML writing
def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(type(value))


def dumps(data: dict) -> str:
    """``data`` as TOML: every top-level key on one line, tables inline."""
    return "".join(f"{json.dumps(str(k))} = {_toml_value(v)}\n" for k, v in data.items())


# ---------------------------------------------------------------------- scenarios and paths
def load(path: Path) -> dict:
    data = tomllib.loads(path.read_text("utf-8"))
    for section, key in PATH_KEYS:
        table = data.get(section)
        if isinstance(table, dict) and isinstance(table.get(key), str):
            table[key] = str((path.parent / table[key]).resolve())
    return data


def leaves(node, prefix=()) -> list[tuple]:
    """Every key path in ``node`` (dict keys and list indices), parents before children."""
    paths = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        path = (*prefix, key)
        paths.append(path)
        if isinstance(value, dict | list):
            paths += leaves(value, path)
    return paths


def get(data, path):
    for key in path:
        data = data[key]
    return data


def dotted(path) -> str:
    return ".".join(str(p) for p in path)


def exempt_from_refusal(name: str, path) -> bool:
    key = dotted(path)
    return any(
        scen in ("*", name) and (key == prefix or key.startswith(prefix + "."))
        for scen, prefix in NOT_REFUSED_BY_1E6
    )


def site_params(data: dict) -> dict:
    site = data.get("model", {}).get("site")
    return load_params(Path(site) / "params.toml") if site else {}


# ---------------------------------------------------------------------- mutations
def scaled(value, factor):
    if isinstance(value, bool) or not isinstance(value, int | float | list):
        return None
    if isinstance(value, list):
        items = [scaled(v, factor) for v in value]
        return None if any(v is None for v in items) else items
    return value * factor


def nonzero(value) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(v != 0 for v in values if not isinstance(v, list)) or any(
        nonzero(v) for v in values if isinstance(v, list)
    )


def mutations_for(value, in_dict: bool) -> list[str]:
    kinds = ["text", "bool", "list", "table", "drop"]
    if in_dict:
        kinds.append("misspell")
    if scaled(value, 1) is not None:
        kinds += ["negate", "zero", "nan", "inf", "huge"]
    if isinstance(value, list) and value:
        kinds += ["shorter", "longer"]
    return kinds


def mutate(value, kind: str):
    """The mutated value (``None`` for kinds that act on the key: drop, misspell)."""
    return {
        "text": lambda: "60 m/d",
        "bool": lambda: True,
        "list": lambda: [value, value],
        "table": lambda: {"value": value},
        "negate": lambda: scaled(value, -1),
        "zero": lambda: scaled(value, 0),
        "nan": lambda: scaled(value, math.nan) if not isinstance(value, list) else [math.nan],
        "inf": lambda: math.inf,
        "huge": lambda: scaled(value, 1e6),
        "shorter": lambda: value[:-1],
        "longer": lambda: [*value, value[-1]],
    }.get(kind, lambda: None)()


def apply(data: dict, path, kind: str) -> dict:
    parent = get(data, path[:-1])
    key = path[-1]
    if kind == "drop":
        del parent[key]
    elif kind == "misspell":
        parent[f"{key}x"] = parent.pop(key)
    else:
        parent[key] = mutate(parent[key], kind)
    return data


def check(data: dict) -> tuple[int, str]:
    """``gwsim check`` on ``data`` written to a scratch file: (exit status, stderr)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutated.toml"
        path.write_text(dumps(data), "utf-8")
        err, out = io.StringIO(), io.StringIO()
        old = os.environ.get("GWSIM_LOG_DIR")
        os.environ["GWSIM_LOG_DIR"] = folder
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
                status = main(["check", str(path), "--out", str(Path(folder) / "out")])
            assert not (Path(folder) / "out").exists(), "check wrote its output folder"
        finally:
            if old is None:
                del os.environ["GWSIM_LOG_DIR"]
            else:
                os.environ["GWSIM_LOG_DIR"] = old
    return status, err.getvalue()


def assert_named_answer(status: int, err: str, what: str) -> None:
    assert status in (0, 2), f"{what}: exit {status}\n{err}"
    assert "Traceback" not in err, f"{what}: traceback\n{err}"
    if status == 2:
        lines = [line for line in err.splitlines() if not line.startswith("warning:")]
        assert lines and all(line.startswith("gwsim: error: ") for line in lines), err


# ---------------------------------------------------------------------- the property
@st.composite
def mutated_scenarios(draw):
    path = draw(st.sampled_from(SCENARIOS))
    data = load(path)
    params = site_params(data)
    if params and draw(st.integers(0, 4)) == 0:  # one draw in five: a site-model override
        key = draw(st.sampled_from(sorted(params)))
        value = params[key].value
        kind = draw(st.sampled_from([m for m in mutations_for(value, False) if m != "drop"]))
        override = {"value": mutate(value, kind), "unit": params[key].unit}
        data["model"].setdefault("overrides", {})[key] = override
        return path.stem, ("model", "overrides", key, "value"), kind, value, data
    paths = leaves(data)
    target = draw(st.sampled_from(paths))
    value = get(data, target)
    in_dict = isinstance(get(data, target[:-1]), dict)
    kind = draw(st.sampled_from(mutations_for(value, in_dict)))
    return path.stem, target, kind, value, apply(data, target, kind)


def _property(case):
    name, path, kind, original, data = case
    what = f"{name}: {kind} at {dotted(path)} (was {original!r})"
    status, err = check(data)
    assert_named_answer(status, err, what)
    assert_refused_if_never_valid(status, name, path, kind, original, what)


# mutations of a numeric input that no input accepts: text such as "60 m/d", NaN, infinity
NEVER_VALID = ("text", "nan", "inf")


def assert_refused_if_never_valid(status, name, path, kind, original, what) -> None:
    """A numeric input made text, NaN or infinite is refused; ×1e6 too, where it cannot be
    physical (all but :data:`NOT_REFUSED_BY_1E6`)."""
    numeric = scaled(original, 1) is not None
    if kind in NEVER_VALID and numeric:
        assert status == 2, f"{what}: was accepted"
    if kind == "huge" and nonzero(original) and not exempt_from_refusal(name, path):
        assert status == 2, f"{what}: ×1e6 was accepted"


_SETTINGS = {
    "deadline": None,
    "database": None,  # the repository must gain no files in a test run
    "derandomize": True,  # the same cases on every run
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


@settings(max_examples=DEFAULT_EXAMPLES, **_SETTINGS)
@given(mutated_scenarios())
def test_check_answers_mutated_scenarios_with_exit_0_or_a_named_error(case):
    _property(case)


@pytest.mark.slow
@settings(max_examples=SLOW_EXAMPLES, **{**_SETTINGS, "derandomize": False})
@given(mutated_scenarios())
def test_check_answers_many_mutated_scenarios(case):
    _property(case)


def _numeric_inputs() -> list[tuple[str, tuple]]:
    """(scenario stem, key path) of every numeric input of the shipped scenarios and of every
    numeric site-model parameter (as an override)."""
    cases = []
    for path in SCENARIOS:
        data = load(path)
        cases += [(path.stem, p) for p in leaves(data) if scaled(get(data, p), 1) is not None]
        cases += [
            (path.stem, ("model", "overrides", key, "value"))
            for key, param in site_params(data).items()
            if scaled(param.value, 1) is not None
        ]
    return cases


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["huge", *NEVER_VALID])
@pytest.mark.parametrize(
    ("name", "path"), _numeric_inputs(), ids=lambda v: dotted(v) if isinstance(v, tuple) else v
)
def test_every_numeric_input_refuses_text_nan_infinity_and_1e6(name, path, kind):
    """The exhaustive sweep: every numeric input of every shipped scenario and site model made
    text, NaN, infinite or ×1e6 (about 1300 cases, a minute or two)."""
    data = load(ROOT / "scenarios" / f"{name}.toml")
    if path[:2] == ("model", "overrides"):
        original = site_params(data)[path[2]].value
        data["model"].setdefault("overrides", {})[path[2]] = {
            "value": mutate(original, kind),
            "unit": site_params(data)[path[2]].unit,
        }
    else:
        original = get(data, path)
        apply(data, path, kind)
    what = f"{name}: {kind} at {dotted(path)} (was {original!r})"
    status, err = check(data)
    assert_named_answer(status, err, what)
    assert_refused_if_never_valid(status, name, path, kind, original, what)
