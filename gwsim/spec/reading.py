"""Model specifications from TOML tables: the parts of a spec, each key checked, and the cells a
boundary's ``cells`` / ``where`` / ``points`` selection picks (see :mod:`gwsim.spec`).
"""

from __future__ import annotations

import re
from dataclasses import fields

import numpy as np

from gwsim.config import Problems, check_keys, is_number, numbers
from gwsim.errors import SpecError
from gwsim.spec.components import (
    BOUNDARY_FIELDS,
    Barrier,
    Boundary,
    Grid,
    Properties,
    Solver,
    StressPeriod,
)
from gwsim.spec.validation import validate_grid

SPEC_KEYS = (
    "name",
    "description",
    "grid",
    "properties",
    "boundaries",
    "periods",
    "initial_head",
    "solver",
    "barriers",
)


# the type of every field a TOML table may give: "number" (finite, or nested lists of them),
# "int" (integers, or lists of them), "bool" or "str"
_FIELD_TYPES = {
    Grid: {
        "nlay": "int",
        "nrow": "int",
        "ncol": "int",
        "delr": "number",
        "delc": "number",
        "top": "number",
        "botm": "number",
        "xorigin": "number",
        "yorigin": "number",
        "angrot": "number",
        "idomain": "int",
        "crs": "str",
    },
    Properties: dict.fromkeys(("k", "k33", "k22", "angle1", "ss", "sy", "porosity"), "number")
    | {"icelltype": "int"},
    StressPeriod: {"length": "number", "nstp": "int", "tsmult": "number", "steady": "bool"},
    Solver: {
        "dvclose": "number",
        "rclose": "number",
        "outer_maximum": "int",
        "inner_maximum": "int",
        "newton": "bool",
        "complexity": "str",
        "rclose_option": "str",
        "under_relaxation_theta": "number",
        "under_relaxation_kappa": "number",
        "under_relaxation_gamma": "number",
        "under_relaxation_momentum": "number",
        "backtracking_number": "int",
    },
}


def spec_fields_from_dict(data: dict) -> dict:
    """The keyword arguments of :class:`~gwsim.spec.ModelSpec` from a dict with the TOML layout;
    keys, value types, the grid and every boundary's cells are checked, the rest by
    ``ModelSpec.validate``. Problems in different tables are all reported
    (:class:`~gwsim.errors.SpecErrors`)."""
    check_keys(data, SPEC_KEYS, "model")
    problems = Problems()
    for required in ("name", "grid", "properties"):
        if required not in data:
            problems.errors.append(
                SpecError(f"model.{required}", "missing", f"add a [{required}] entry")
            )
    problems.raise_any()
    if not isinstance(data["name"], str):
        problems.errors.append(SpecError("model.name", f"{data['name']!r} is not text", ""))
    grid = properties = solver = None
    with problems.collect():
        grid = _dataclass_from(Grid, data["grid"], "grid")
        validate_grid(grid)
    with problems.collect():
        properties = _dataclass_from(Properties, data["properties"], "properties")
    periods = []
    with problems.collect():
        listed = data.get("periods", [{}])
        if not isinstance(listed, list):
            raise SpecError("periods", "must be a list of tables", "write [[model.periods]]")
        periods = [_dataclass_from(StressPeriod, p, f"periods[{i}]") for i, p in enumerate(listed)]
    with problems.collect():
        solver = _dataclass_from(Solver, data.get("solver", {}), "solver")
    with problems.collect():
        if data.get("initial_head") is not None:
            numbers(data["initial_head"], "initial_head", shape_hint="heads in m")
    boundaries, barriers = [], []
    if grid is not None and not problems:
        for key, read in (("boundaries", boundary_from_dict), ("barriers", barrier_from_dict)):
            tables = data.get(key, [])
            if not isinstance(tables, list):
                problems.errors.append(
                    SpecError(key, "must be a list of tables", f"write [[model.{key}]]")
                )
                continue
            for i, table in enumerate(tables):
                with problems.collect():
                    part = read(table, grid, f"{key}[{i}]")
                    (boundaries if key == "boundaries" else barriers).append(part)
    problems.raise_any()
    return {
        "name": data["name"],
        "description": str(data.get("description", "")),
        "barriers": barriers,
        "grid": grid,
        "properties": properties,
        "boundaries": boundaries,
        "periods": periods,
        "initial_head": data.get("initial_head"),
        "solver": solver,
    }


def _dataclass_from(cls, data: dict, where: str):
    names = {f.name for f in fields(cls)}
    check_keys(data, names, where)
    problems = Problems()
    for key, value in data.items():
        with problems.collect():
            _check_type(value, _FIELD_TYPES[cls][key], f"{where}.{key}")
    problems.raise_any()
    try:
        return cls(**data)
    except TypeError as exc:
        missing = re.findall(r"'(\w+)'", str(exc))
        raise SpecError(
            f"{where}.{missing[0] if missing else '?'}", "missing", "add it to the table"
        ) from exc


def _check_type(value, kind: str, where: str) -> None:
    """``value`` is of ``kind`` ("number", "int", "bool" or "str"); else a named SpecError."""
    if kind == "bool":
        if not isinstance(value, bool):
            raise SpecError(where, f"{value!r} is not true or false", "write true or false")
    elif kind == "str":
        if not isinstance(value, str):
            raise SpecError(where, f"{value!r} is not text", 'write it in quotes, e.g. "EPSG:4548"')
    else:
        numbers(value, where, integer=kind == "int")


def _uppermost_active_cells(grid: Grid) -> np.ndarray:
    """(n, 3) layer, row, column of the uppermost active cell of every column with one."""
    active = grid.arrays()["idomain"] > 0
    rows, cols = np.nonzero(active.any(axis=0))
    return np.column_stack([active.argmax(axis=0)[rows, cols], rows, cols])


def _select_cells(data: dict, grid: Grid, where: str, kind: str) -> np.ndarray:
    """Resolve a boundary's ``cells`` / ``where`` / ``points`` selection to (n, 3) indices."""
    given = [key for key in ("cells", "where", "points") if key in data]
    if len(given) > 1:
        raise SpecError(where, f"gives both {given[0]!r} and {given[1]!r}", "give one selection")
    if not given:
        if kind in ("rch", "evt"):
            return _uppermost_active_cells(grid)
        raise SpecError(where, "selects no cells", "add cells, where or points")
    if given[0] == "cells":
        cells = data["cells"]
        if not (
            isinstance(cells, list)
            and cells
            and all(isinstance(c, list) and len(c) == 3 for c in cells)
        ):
            raise SpecError(
                f"{where}.cells", "must be a list of [layer, row, column]", "0-based indices"
            )
        numbers(cells, f"{where}.cells", integer=True, shape_hint="0-based indices")
        return np.asarray(cells, int)
    if given[0] == "points":
        layer = data.get("layer")
        if layer is None:
            raise SpecError(f"{where}.layer", "missing for points", "add layer = <0-based layer>")
        _index(layer, grid.nlay, f"{where}.layer", "layer")
        points = data["points"]
        if not (
            isinstance(points, list)
            and points
            and all(isinstance(p, list) and len(p) == 2 for p in points)
        ):
            raise SpecError(
                f"{where}.points", "must be a list of [x, y]", "give [[x, y], ...] in m"
            )
        numbers(points, f"{where}.points", shape_hint="coordinates in m")
        x = np.array([float(point[0]) for point in points])
        y = np.array([float(point[1]) for point in points])
        _, rows, cols = grid.resolve().locate(x, y)
        outside = np.flatnonzero(rows < 0)
        if outside.size:
            n = int(outside[0])
            raise SpecError(
                f"{where}.points[{n}]",
                f"point ({x[n]:.1f}, {y[n]:.1f}) is outside the grid",
                "move it inside the model area or enlarge the grid",
            )
        return np.column_stack([np.full(len(x), int(layer)), rows, cols])
    sel = data["where"]
    check_keys(sel, {"layer", "row", "col"}, f"{where}.where")
    ranges = []
    for axis, n in zip(("layer", "row", "col"), grid.shape, strict=True):
        v = sel.get(axis)
        if v is None:
            ranges.append(range(n))
        elif isinstance(v, list):
            if len(v) != 2:
                raise SpecError(
                    f"{where}.where.{axis}", f"{v!r} is not a range", "give [start, stop) 0-based"
                )
            start = _index(v[0], n, f"{where}.where.{axis}[0]", axis)
            stop = _index(v[1], n, f"{where}.where.{axis}[1]", axis)
            ranges.append(range(start, stop))
        else:
            ranges.append(range(_index(v, n, f"{where}.where.{axis}", axis), int(v) + 1))
    idomain = grid.arrays()["idomain"]
    cells = [
        (k, i, j)
        for k in ranges[0]
        for i in ranges[1]
        for j in ranges[2]
        if 0 <= k < grid.nlay and 0 <= i < grid.nrow and 0 <= j < grid.ncol and idomain[k, i, j] > 0
    ]
    if not cells:
        raise SpecError(
            f"{where}.where",
            f"{sel} matches no active cell",
            f"check the indices (0-based: layer 0..{grid.nlay - 1}, row 0..{grid.nrow - 1}, "
            f"col 0..{grid.ncol - 1})",
        )
    return np.asarray(cells, int)


def _index(value, n: int, where: str, axis: str) -> int:
    """``value`` checked to be an integer index (0-based; the grid has ``n`` along ``axis``);
    whether it lies inside the grid is checked where the selection is resolved."""
    if not (isinstance(value, int) and not isinstance(value, bool)):
        raise SpecError(
            where, f"{value!r} is not a {axis} index", f"give an integer 0..{n - 1} (0-based)"
        )
    return value


def _values_from(data: dict, ncell: int, where: str) -> np.ndarray:
    if isinstance(data, dict):
        check_keys(data, {"start", "end"}, where)
        if set(data) != {"start", "end"}:
            raise SpecError(where, "a linear value needs both start and end", "")
        numbers([data["start"], data["end"]], where)
        return np.linspace(float(data["start"]), float(data["end"]), ncell)
    if isinstance(data, list) and not all(is_number(v) for v in data):
        numbers(data, where)
        raise SpecError(where, "must be a flat list of numbers", "give one value per cell")
    numbers(data, where)
    arr = np.asarray(data, float)
    if arr.ndim == 0:
        return np.full(ncell, float(arr))
    if arr.size != ncell:
        raise SpecError(
            where, f"has {arr.size} values for {ncell} cells", "give one value per cell or a scalar"
        )
    return arr.reshape(-1)


def boundary_from_dict(data: dict, grid: Grid, where: str) -> Boundary:
    """A :class:`Boundary` from its TOML table (see :mod:`gwsim.spec` for the layout)."""
    kind = str(data.get("kind", "")).lower()
    if kind not in BOUNDARY_FIELDS:
        raise SpecError(
            f"{where}.kind",
            f"unknown boundary kind {data.get('kind')!r}",
            f"use one of {list(BOUNDARY_FIELDS)}",
        )
    value_fields = BOUNDARY_FIELDS[kind]
    check_keys(
        data, {"kind", "name", "cells", "where", "points", "layer", "periods", *value_fields}, where
    )
    if "name" not in data:
        raise SpecError(f"{where}.name", "missing", "give the boundary a name (used in budgets)")
    cells = _select_cells(data, grid, where, kind)
    missing = [f for f in value_fields if f not in data]
    if missing:
        raise SpecError(
            f"{where}.{missing[0]}", f"missing for a {kind} boundary", f"add {missing[0]} = ..."
        )
    values = {f: _values_from(data[f], len(cells), f"{where}.{f}") for f in value_fields}
    periods = {}
    check_keys(data.get("periods", {}), data.get("periods", {}), f"{where}.periods")
    for key, vals in data.get("periods", {}).items():
        if not str(key).isdigit():
            raise SpecError(f"{where}.periods.{key}", "is not a period number", 'use "1", "2", ...')
        check_keys(vals, set(value_fields), f"{where}.periods.{key}")
        periods[int(key)] = {
            f: _values_from(v, len(cells), f"{where}.periods.{key}.{f}") for f, v in vals.items()
        }
    return Boundary(kind=kind, name=str(data["name"]), cells=cells, values=values, periods=periods)


def barrier_from_dict(data: dict, grid: Grid, where: str) -> Barrier:
    """A :class:`Barrier` from TOML: ``name``, ``rows`` and ``cols`` ([first, last], inclusive)
    of the enclosed block, ``layers`` (list), ``k`` (m/d) and ``thickness`` (m)."""
    check_keys(data, {"name", "rows", "cols", "layers", "k", "thickness"}, where)
    for key in ("name", "rows", "cols", "layers"):
        if key not in data:
            raise SpecError(f"{where}.{key}", "missing", "give name, rows, cols and layers")
    for key, n in (("rows", grid.nrow), ("cols", grid.ncol)):
        pair = data[key]
        if not (isinstance(pair, list) and len(pair) == 2):
            raise SpecError(f"{where}.{key}", f"{pair!r}", "give [first, last], 0-based, inclusive")
        for i, v in enumerate(pair):
            _index(v, n, f"{where}.{key}[{i}]", key[:-1])
    if not isinstance(data["layers"], list):
        raise SpecError(f"{where}.layers", f"{data['layers']!r} is not a list", "e.g. [0, 1]")
    for i, v in enumerate(data["layers"]):
        _index(v, grid.nlay, f"{where}.layers[{i}]", "layer")
    for key in ("k", "thickness"):
        if key in data:
            numbers(data[key], f"{where}.{key}")
    return Barrier.around(
        str(data["name"]),
        tuple(int(v) for v in data["rows"]),
        tuple(int(v) for v in data["cols"]),
        [int(v) for v in data["layers"]],
        grid.shape,
        float(data.get("k", 1e-4)),
        float(data.get("thickness", 0.6)),
    )
