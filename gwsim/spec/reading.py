"""Model specifications from TOML tables: the parts of a spec, each key checked, and the cells a
boundary's ``cells`` / ``where`` / ``points`` selection picks (see :mod:`gwsim.spec`).
"""

from __future__ import annotations

import re
from dataclasses import fields

import numpy as np

from gwsim.config import check_keys
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


def spec_fields_from_dict(data: dict) -> dict:
    """The keyword arguments of :class:`~gwsim.spec.ModelSpec` from a dict with the TOML layout;
    keys, the grid and every boundary's cells are checked, the rest by ``ModelSpec.validate``."""
    check_keys(data, SPEC_KEYS, "model")
    for required in ("name", "grid", "properties"):
        if required not in data:
            raise SpecError(f"model.{required}", "missing", f"add a [{required}] entry")
    grid = _dataclass_from(Grid, data["grid"], "grid")
    properties = _dataclass_from(Properties, data["properties"], "properties")
    periods = [
        _dataclass_from(StressPeriod, p, f"periods[{i}]")
        for i, p in enumerate(data.get("periods", [{}]))
    ]
    solver = _dataclass_from(Solver, data.get("solver", {}), "solver")
    validate_grid(grid)
    boundaries = [
        boundary_from_dict(b, grid, f"boundaries[{i}]")
        for i, b in enumerate(data.get("boundaries", []))
    ]
    barriers = [
        barrier_from_dict(b, grid, f"barriers[{i}]") for i, b in enumerate(data.get("barriers", []))
    ]
    return {
        "name": data["name"],
        "description": data.get("description", ""),
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
    try:
        return cls(**data)
    except TypeError as exc:
        missing = re.findall(r"'(\w+)'", str(exc))
        raise SpecError(
            f"{where}.{missing[0] if missing else '?'}", "missing", "add it to the table"
        ) from exc


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
        cells = np.asarray(data["cells"], int)
        if cells.ndim != 2 or cells.shape[1] != 3:
            raise SpecError(f"{where}.cells", "must be a list of [layer, row, column]", "")
        return cells
    if given[0] == "points":
        layer = data.get("layer")
        if layer is None:
            raise SpecError(f"{where}.layer", "missing for points", "add layer = <0-based layer>")
        x = np.array([float(point[0]) for point in data["points"]])
        y = np.array([float(point[1]) for point in data["points"]])
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
            ranges.append(range(int(v[0]), int(v[1])))
        else:
            ranges.append(range(int(v), int(v) + 1))
    idomain = grid.arrays()["idomain"]
    cells = [
        (k, i, j)
        for k in ranges[0]
        for i in ranges[1]
        for j in ranges[2]
        if 0 <= k < grid.nlay and 0 <= i < grid.nrow and 0 <= j < grid.ncol and idomain[k, i, j] > 0
    ]
    if not cells:
        raise SpecError(f"{where}.where", f"{sel} matches no active cell", "check the indices")
    return np.asarray(cells, int)


def _values_from(data: dict, ncell: int, where: str) -> np.ndarray:
    if isinstance(data, dict):
        check_keys(data, {"start", "end"}, where)
        if set(data) != {"start", "end"}:
            raise SpecError(where, "a linear value needs both start and end", "")
        return np.linspace(float(data["start"]), float(data["end"]), ncell)
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
    return Barrier.around(
        str(data["name"]),
        tuple(int(v) for v in data["rows"]),
        tuple(int(v) for v in data["cols"]),
        [int(v) for v in data["layers"]],
        grid.shape,
        float(data.get("k", 1e-4)),
        float(data.get("thickness", 0.6)),
    )
