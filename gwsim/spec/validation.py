"""Validation of a model specification's parts: each function raises a
:class:`~gwsim.errors.SpecError` naming the first problem, the field and the fix.
"""

from __future__ import annotations

import re

import numpy as np

from gwsim.errors import SpecError
from gwsim.spec.components import (
    BOUNDARY_FIELDS,
    Barrier,
    Boundary,
    Grid,
    Properties,
    StressPeriod,
)

NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,15}$")
MAX_CELLS = 20_000_000  # a FlowField of more cells exceeds a workstation's memory


def _first_bad(mask: np.ndarray) -> str:
    idx = np.argwhere(mask)
    return f"{int(mask.sum())} cells, first at (layer, row, col) {tuple(int(i) for i in idx[0])}"


def validate_name(name: str) -> None:
    """The model name: a letter, then at most 15 letters, digits, _ or - (MODFLOW's limit)."""
    if not name or not NAME_PATTERN.match(name):
        raise SpecError(
            "model.name",
            f"{name!r} must start with a letter and have at most 16 letters, digits, _ or -",
            "rename the model (MODFLOW limits model names to 16 characters)",
        )


def validate_grid(grid: Grid) -> None:
    """Dimensions, cell widths, layer bottoms below their tops, an active cell and a known CRS."""
    for name in ("nlay", "nrow", "ncol"):
        value = getattr(grid, name)
        if not isinstance(value, int) or value < 1:
            raise SpecError(f"grid.{name}", f"must be a positive integer, got {value!r}", "")
    if grid.nlay * grid.nrow * grid.ncol > MAX_CELLS:
        raise SpecError(
            "grid",
            f"{grid.nlay} × {grid.nrow} × {grid.ncol} cells is more than gwsim can hold in memory "
            f"({MAX_CELLS:,} cells)",
            "use fewer, larger cells",
        )
    for name, n in (("delr", grid.ncol), ("delc", grid.nrow)):
        arr = np.asarray(getattr(grid, name), float)
        if arr.ndim > 0 and arr.size != n:
            raise SpecError(f"grid.{name}", f"has {arr.size} values for {n} cells", "")
        if np.any(arr <= 0):
            raise SpecError(f"grid.{name}", "cell widths must be positive (m)", "")
    try:
        geometry = grid.resolve()
    except ValueError as exc:
        raise SpecError("grid", str(exc), "check the shapes of top, botm and idomain") from exc
    bad = geometry.botm >= geometry.cell_top
    if bad.any():
        raise SpecError(
            "grid.botm",
            f"layer bottom at or above the layer top in {_first_bad(bad)}",
            "make each bottom lower than the top/bottom above it",
        )
    if not geometry.active.any():
        raise SpecError("grid.idomain", "no active cell", "set idomain = 1 where the aquifer is")
    if grid.crs:
        import pyproj

        try:
            pyproj.CRS.from_user_input(grid.crs)
        except pyproj.exceptions.CRSError as exc:
            raise SpecError(
                "grid.crs", f"unknown CRS {grid.crs!r}", 'use e.g. "EPSG:4548"'
            ) from exc


def validate_properties(properties: Properties, grid: Grid) -> None:
    """Every property of every active cell within its physical range."""
    props = properties.arrays(grid.shape)
    active = grid.arrays()["idomain"] > 0
    rules = {
        "k": (lambda v: v > 0, "hydraulic conductivity must be positive (m/d)"),
        "k22": (lambda v: v > 0, "hydraulic conductivity must be positive (m/d)"),
        "k33": (lambda v: v > 0, "vertical hydraulic conductivity must be positive (m/d)"),
        "ss": (lambda v: v >= 0, "specific storage must be >= 0 (1/m)"),
        "sy": (lambda v: (v >= 0) & (v <= 1), "specific yield must be within [0, 1]"),
        "porosity": (lambda v: (v > 0) & (v <= 1), "effective porosity must be within (0, 1]"),
        "icelltype": (lambda v: (v == 0) | (v == 1), "icelltype must be 0 (confined) or 1"),
    }
    for name, (ok, problem) in rules.items():
        bad = active & ~ok(props[name])
        if bad.any():
            raise SpecError(
                f"properties.{name}",
                f"{problem}; {_first_bad(bad)}",
                "correct the value (units m, d)",
            )


def validate_boundaries(boundaries: list[Boundary], grid: Grid, nper: int) -> None:
    """Names, cells (inside the grid, active), one finite value per cell in every period of the
    ``nper`` stress periods, and the values' signs and order (river bottom below stage and bed)."""
    shape = grid.shape
    grid = grid.arrays()
    names = set()
    for b in boundaries:
        where = f"boundary {b.name!r}"
        if b.kind not in BOUNDARY_FIELDS:
            raise SpecError(
                where, f"unknown kind {b.kind!r}", f"use one of {list(BOUNDARY_FIELDS)}"
            )
        if not NAME_PATTERN.match(b.name):
            raise SpecError(
                where,
                "name must start with a letter and have at most 16 letters, digits, _ or -",
                "rename it (MODFLOW package names are limited to 16 characters)",
            )
        if b.name.lower() in names:
            raise SpecError(where, "name is used twice (names are case-insensitive)", "rename one")
        names.add(b.name.lower())
        if len(b.cells) == 0:
            raise SpecError(where, "has no cells", "select at least one cell")
        outside = np.any((b.cells < 0) | (b.cells >= np.asarray(shape)), axis=1)
        if outside.any():
            n = int(np.flatnonzero(outside)[0])
            raise SpecError(
                where,
                f"cell {tuple(int(i) for i in b.cells[n])} (entry {n}) is outside the grid {shape}",
                "use 0-based (layer, row, column) inside the grid",
            )
        inactive = grid["idomain"][tuple(b.cells.T)] <= 0
        if inactive.any():
            n = int(np.flatnonzero(inactive)[0])
            raise SpecError(
                where,
                f"cell {tuple(int(i) for i in b.cells[n])} (entry {n}) is inactive",
                "move it to an active cell or activate the cell in grid.idomain",
            )
        expected = set(BOUNDARY_FIELDS[b.kind])
        for period in [0, *b.periods]:
            vals = b.values_in_period(period)
            if set(vals) != expected:
                raise SpecError(where, f"needs exactly the values {sorted(expected)}", "")
            for f, v in vals.items():
                if v.size != len(b.cells) or not np.all(np.isfinite(v)):
                    raise SpecError(f"{where}.{f}", "needs one finite value per cell", "")
            _check_boundary_values(b, vals, where, period)
            if b.kind == "riv":
                cell_bottom = grid["botm"][tuple(b.cells.T)]
                low = vals["rbot"] < cell_bottom
                if low.any():
                    n = int(np.flatnonzero(low)[0])
                    raise SpecError(
                        f"{where}.rbot",
                        f"river bottom {vals['rbot'][n]:g} m is below the bottom "
                        f"{cell_bottom[n]:g} m of its cell {tuple(int(i) for i in b.cells[n])}",
                        "put the river in a deeper layer or raise rbot",
                    )
        late = [p for p in b.periods if p >= nper or p < 1]
        if late:
            raise SpecError(
                f"{where}.periods", f"period {late[0]} does not exist", f"use 1..{nper - 1}"
            )


def _check_boundary_values(b: Boundary, vals: dict, where: str, period: int) -> None:
    suffix = f" in period {period}" if period else ""
    if "cond" in vals and np.any(vals["cond"] < 0):
        raise SpecError(f"{where}.cond", f"conductance must be >= 0 (m²/d){suffix}", "")
    if b.kind == "riv" and np.any(vals["rbot"] > vals["stage"]):
        n = int(np.flatnonzero(vals["rbot"] > vals["stage"])[0])
        raise SpecError(
            f"{where}.rbot",
            f"river bottom above the stage at entry {n}{suffix}",
            "lower rbot below stage",
        )
    if b.kind == "evt" and np.any((vals["rate"] < 0) | (vals["depth"] <= 0)):
        raise SpecError(f"{where}", f"ET rate must be >= 0 and depth > 0{suffix}", "")


def validate_barriers(barriers: list[Barrier], grid: Grid) -> None:
    """Positive k and thickness; faces inside the grid between horizontally adjacent cells."""
    shape = np.asarray(grid.shape)
    for b in barriers:
        where = f"barrier {b.name!r}"
        if not (b.k > 0 and b.thickness > 0):
            raise SpecError(where, "k (m/d) and thickness (m) must be > 0", "")
        if len(b.faces) == 0:
            raise SpecError(
                where, "has no faces", "enclose at least one cell not on every grid edge"
            )
        first, second = b.faces[:, [0, 1, 2]], b.faces[:, [0, 3, 4]]
        outside = np.any((first < 0) | (first >= shape) | (second < 0) | (second >= shape), axis=1)
        if outside.any():
            raise SpecError(
                where, f"face {b.faces[np.argmax(outside)].tolist()} is outside the grid", ""
            )
        steps = np.abs(first[:, 1:] - second[:, 1:]).sum(axis=1)
        if np.any(steps != 1):
            raise SpecError(where, "faces must join horizontally adjacent cells", "")


def validate_periods(periods: list[StressPeriod]) -> None:
    """At least one period; positive lengths and multipliers, integer step counts >= 1."""
    if not periods:
        raise SpecError("periods", "no stress period", "add at least one [[periods]] entry")
    for i, p in enumerate(periods):
        if not p.length > 0:
            raise SpecError(f"periods[{i}].length", f"must be > 0 days, got {p.length}", "")
        if not (isinstance(p.nstp, int) and p.nstp >= 1):
            raise SpecError(f"periods[{i}].nstp", f"must be an integer >= 1, got {p.nstp}", "")
        if not p.tsmult > 0:
            raise SpecError(f"periods[{i}].tsmult", "must be > 0", "")
