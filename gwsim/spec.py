"""Model specification: plain dataclasses that describe a structured groundwater-flow model.

A :class:`ModelSpec` holds the grid, the hydraulic properties of every cell, the boundary conditions
and the stress periods, in metres and days, independent of any engine. Engines
(:mod:`gwsim.engines`) turn it into MODFLOW input. Specs come from Python (the site models' build
scripts) or from TOML (:meth:`ModelSpec.from_toml`); unknown keys are errors, and
:meth:`ModelSpec.validate` reports the first problem as a :class:`~gwsim.errors.SpecError` that
names the field and the fix.

Boundary kinds and the values each cell carries (MODFLOW 6 meaning):

========  ===========================================================
``chd``   ``head`` (m)
``ghb``   ``bhead`` (m), ``cond`` (m²/d)
``riv``   ``stage`` (m), ``cond`` (m²/d), ``rbot`` (m)
``drn``   ``elev`` (m), ``cond`` (m²/d)
``wel``   ``rate`` (m³/d; negative = pumping)
``rch``   ``rate`` (m/d; recharge flux applied to the cell's area)
``evt``   ``surface`` (m), ``rate`` (m/d, maximum ET), ``depth`` (m, extinction depth)
========  ===========================================================

In TOML a boundary picks its cells with ``cells`` (a list of [layer, row, column], 0-based),
``where`` (``{layer = 0, row = 5}``; a value may be an int or a [start, stop) range; every active
cell that matches) or ``points`` (a list of [x, y] in model coordinates, with ``layer``). ``rch``
and ``evt`` without a selection apply to the uppermost active cell of every column. A value is a
scalar, a list with one value per cell, or ``{start = a, end = b}`` (linear along the selection,
e.g. a river stage falling downstream). ``periods = {"2" = {stage = 21.0}}`` changes values from
stress period 2 (0-based) on.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from gwsim.errors import SpecError
from gwsim.grid import StructuredGrid, stacked_tops

BOUNDARY_FIELDS: dict[str, tuple[str, ...]] = {
    "chd": ("head",),
    "ghb": ("bhead", "cond"),
    "riv": ("stage", "cond", "rbot"),
    "drn": ("elev", "cond"),
    "wel": ("rate",),
    "rch": ("rate",),
    "evt": ("surface", "rate", "depth"),
}
_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,15}$")


@dataclass
class Grid:
    """A structured grid (m). ``botm`` has one entry per layer; row 0 is the northern row."""

    nlay: int
    nrow: int
    ncol: int
    delr: Any  # column widths along x: scalar or (ncol,)
    delc: Any  # row widths along y: scalar or (nrow,)
    top: Any  # top of layer 0: scalar or (nrow, ncol)
    botm: Any  # layer bottoms: (nlay,) or (nlay, nrow, ncol)
    xorigin: float = 0.0  # x of the lower-left corner in the CRS, m
    yorigin: float = 0.0  # y of the lower-left corner in the CRS, m
    angrot: float = 0.0  # rotation, degrees counter-clockwise
    idomain: Any = None  # (nlay, nrow, ncol) 1 active, 0 inactive; None = all active
    crs: str = "EPSG:4548"  # CGCS2000 / 3-degree Gauss-Kruger CM 117E

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.nlay, self.nrow, self.ncol)

    def arrays(self) -> dict[str, np.ndarray]:
        """delr, delc, top, botm and idomain broadcast to full arrays."""
        return {
            "delr": np.broadcast_to(np.asarray(self.delr, float), (self.ncol,)).copy(),
            "delc": np.broadcast_to(np.asarray(self.delc, float), (self.nrow,)).copy(),
            "top": np.broadcast_to(np.asarray(self.top, float), self.shape[1:]).copy(),
            "botm": layered(self.botm, self.shape, "grid.botm"),
            "idomain": (
                np.ones(self.shape, int)
                if self.idomain is None
                else np.broadcast_to(np.asarray(self.idomain, int), self.shape).copy()
            ),
        }

    def resolve(self) -> StructuredGrid:
        """The grid's geometry as a :class:`~gwsim.grid.StructuredGrid` (full arrays)."""
        return StructuredGrid(
            **self.arrays(),
            xorigin=self.xorigin,
            yorigin=self.yorigin,
            angrot=self.angrot,
            crs=self.crs,
        )

    def cell_of_point(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, col) of the cell containing model point (x, y), or None outside the grid."""
        grid = self.resolve()
        row, col = grid.locate_local(*grid.to_local(x, y))
        return None if row[0] < 0 else (int(row[0]), int(col[0]))


@dataclass
class Properties:
    """Hydraulic properties; each a scalar, one value per layer, or an (nlay, nrow, ncol) array."""

    k: Any  # horizontal hydraulic conductivity along rows (x), m/d
    k33: Any = None  # vertical hydraulic conductivity, m/d (default: k / 10)
    k22: Any = None  # horizontal K across the principal direction, m/d (default: k)
    angle1: Any = 0.0  # azimuth of the principal K direction, degrees counter-clockwise from x
    ss: Any = 1e-5  # specific storage, 1/m
    sy: Any = 0.15  # specific yield, -
    porosity: Any = 0.25  # effective porosity for tracking and transport, -
    icelltype: Any = None  # 0 confined, 1 convertible (default: layer 0 convertible, others not)

    def arrays(self, shape) -> dict[str, np.ndarray]:
        k = layered(self.k, shape, "properties.k")
        icelltype = self.icelltype
        if icelltype is None:
            icelltype = [1] + [0] * (shape[0] - 1)
        return {
            "k": k,
            "k22": k.copy() if self.k22 is None else layered(self.k22, shape, "properties.k22"),
            "k33": k / 10.0 if self.k33 is None else layered(self.k33, shape, "properties.k33"),
            "angle1": layered(self.angle1, shape, "properties.angle1"),
            "ss": layered(self.ss, shape, "properties.ss"),
            "sy": layered(self.sy, shape, "properties.sy"),
            "porosity": layered(self.porosity, shape, "properties.porosity"),
            "icelltype": layered(icelltype, shape, "properties.icelltype").astype(int),
        }


@dataclass
class Boundary:
    """One named boundary condition: its kind, cells and per-cell values (see module docstring).

    ``values`` hold the values from stress period 0; ``periods`` maps a later period index to the
    fields that change then (values persist until changed, as in MODFLOW).
    """

    kind: str
    name: str
    cells: np.ndarray  # (n, 3) int: layer, row, column (0-based)
    values: dict[str, np.ndarray]  # field -> (n,)
    periods: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)

    def __post_init__(self):
        self.cells = np.asarray(self.cells, int).reshape(-1, 3)
        n = len(self.cells)
        self.values = {k: _per_cell(v, n) for k, v in self.values.items()}
        self.periods = {
            int(p): {k: _per_cell(v, n) for k, v in vals.items()}
            for p, vals in self.periods.items()
        }

    def values_in_period(self, period: int) -> dict[str, np.ndarray]:
        """The values in force during stress period ``period``."""
        current = dict(self.values)
        for p in sorted(self.periods):
            if p <= period:
                current.update(self.periods[p])
        return current


@dataclass
class Barrier:
    """A thin vertical barrier (cut-off wall) on cell faces: MODFLOW's horizontal flow barrier.

    ``faces`` are (layer, row1, col1, row2, col2) pairs of horizontally adjacent cells (0-based);
    the wall has hydraulic conductivity ``k`` (m/d) and ``thickness`` (m), i.e. a hydraulic
    characteristic k / thickness (1/d). :meth:`around` builds a wall enclosing a block of cells.
    """

    name: str
    faces: np.ndarray  # (n, 5) int
    k: float = 1e-4  # m/d, e.g. a soil-bentonite wall ~1e-9 m/s
    thickness: float = 0.6  # m

    def __post_init__(self):
        self.faces = np.asarray(self.faces, int).reshape(-1, 5)

    @property
    def hydraulic_characteristic(self) -> float:
        """k / thickness, 1/d."""
        return self.k / self.thickness

    @classmethod
    def around(
        cls,
        name: str,
        rows: tuple[int, int],
        cols: tuple[int, int],
        layers,
        shape,
        k: float = 1e-4,
        thickness: float = 0.6,
    ) -> Barrier:
        """A wall on the outer faces of the block rows[0]..rows[1], cols[0]..cols[1] (inclusive)
        in each of ``layers``; sides on the grid edge are left open (no neighbour there)."""
        (r0, r1), (c0, c1) = rows, cols
        _, nrow, ncol = shape
        faces = []
        for k_ in layers:
            for c in range(c0, c1 + 1):
                if r0 > 0:
                    faces.append((k_, r0 - 1, c, r0, c))
                if r1 < nrow - 1:
                    faces.append((k_, r1, c, r1 + 1, c))
            for r in range(r0, r1 + 1):
                if c0 > 0:
                    faces.append((k_, r, c0 - 1, r, c0))
                if c1 < ncol - 1:
                    faces.append((k_, r, c1, r, c1 + 1))
        return cls(name, np.asarray(faces, int), k, thickness)


@dataclass
class StressPeriod:
    """A stress period: length (d), number of time steps, step multiplier, steady or transient."""

    length: float = 1.0
    nstp: int = 1
    tsmult: float = 1.0
    steady: bool = True


@dataclass
class Solver:
    """Convergence settings of the flow solution (heads in m, flow residuals in m³/d)."""

    dvclose: float = 1e-8  # head change closure, m
    rclose: float = 1e-6  # flow residual closure, m³/d
    outer_maximum: int = 200
    inner_maximum: int = 500
    newton: bool = False  # Newton-Raphson for convertible layers that may dry out


@dataclass
class ModelSpec:
    """A complete structured flow model in metres and days."""

    name: str
    grid: Grid
    properties: Properties
    boundaries: list[Boundary] = field(default_factory=list)
    periods: list[StressPeriod] = field(default_factory=lambda: [StressPeriod()])
    initial_head: Any = None  # scalar or (nlay, nrow, ncol), m; None = top of the model
    solver: Solver = field(default_factory=Solver)
    description: str = ""
    barriers: list[Barrier] = field(default_factory=list)

    @property
    def steady(self) -> bool:
        return all(p.steady for p in self.periods)

    def boundary(self, name: str) -> Boundary:
        """The boundary called ``name``."""
        for b in self.boundaries:
            if b.name == name:
                return b
        raise SpecError(
            "boundaries",
            f"no boundary named {name!r}",
            f"use one of {[b.name for b in self.boundaries]}",
        )

    # ------------------------------------------------------------------ validation
    def validate(self) -> ModelSpec:
        """Check the spec; raise :class:`SpecError` naming the first problem. Returns ``self``."""
        validate_spec(self)
        return self

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_toml(cls, path: str | Path) -> ModelSpec:
        """Load and validate a spec from a TOML file (see the module docstring for the layout)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text())
        except FileNotFoundError as exc:
            raise SpecError(str(path), "file not found", "check the path") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(str(path), f"not valid TOML: {exc}", "fix the syntax") from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict) -> ModelSpec:
        """Build and validate a spec from a dict with the TOML layout."""
        _check_keys(
            data,
            {
                "name",
                "description",
                "grid",
                "properties",
                "boundaries",
                "periods",
                "initial_head",
                "solver",
                "barriers",
            },
            "model",
        )
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
        _validate_grid(grid)
        boundaries = [
            boundary_from_dict(b, grid, f"boundaries[{i}]")
            for i, b in enumerate(data.get("boundaries", []))
        ]
        barriers = [
            barrier_from_dict(b, grid, f"barriers[{i}]")
            for i, b in enumerate(data.get("barriers", []))
        ]
        spec = cls(
            name=data["name"],
            description=data.get("description", ""),
            barriers=barriers,
            grid=grid,
            properties=properties,
            boundaries=boundaries,
            periods=periods,
            initial_head=data.get("initial_head"),
            solver=solver,
        )
        return spec.validate()


# ---------------------------------------------------------------------- helpers
def grid_origin_at(
    lon: float, lat: float, crs: str, local_x: float, local_y: float, angrot: float = 0.0
) -> tuple[float, float]:
    """Grid origin (lower-left corner, m in ``crs``) that puts the grid-local point
    (``local_x``, ``local_y``) m at longitude/latitude (degrees, WGS 84 / CGCS2000)."""
    import pyproj

    east, north = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    a = np.deg2rad(angrot)
    return (
        east - (local_x * np.cos(a) - local_y * np.sin(a)),
        north - (local_x * np.sin(a) + local_y * np.cos(a)),
    )


def layered(value, shape, name: str) -> np.ndarray:
    """A scalar, one value per layer, or a full array, as a float array of ``shape``."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 1 and arr.size == shape[0]:
        arr = arr[:, None, None]
    try:
        return np.broadcast_to(arr, shape).astype(float)
    except ValueError as exc:
        raise SpecError(
            name,
            f"has shape {arr.shape}, which does not fit the grid {shape}",
            f"give a scalar, {shape[0]} values (one per layer) or an array shaped {shape}",
        ) from exc


def _per_cell(value, n: int) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    return arr.reshape(-1)


def _check_keys(data: dict, allowed: set[str], where: str) -> None:
    if not isinstance(data, dict):
        raise SpecError(where, f"must be a table, got {type(data).__name__}", "see the spec layout")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SpecError(
            f"{where}.{unknown[0]}",
            "unknown key",
            f"remove it or use one of: {', '.join(sorted(allowed))}",
        )


def _dataclass_from(cls, data: dict, where: str):
    names = {f.name for f in fields(cls)}
    _check_keys(data, names, where)
    try:
        return cls(**data)
    except TypeError as exc:
        missing = re.findall(r"'(\w+)'", str(exc))
        raise SpecError(
            f"{where}.{missing[0] if missing else '?'}", "missing", "add it to the table"
        ) from exc


def _uppermost_active_cells(grid: Grid) -> np.ndarray:
    idomain = grid.arrays()["idomain"]
    active = idomain > 0
    cells = []
    for i in range(grid.nrow):
        for j in range(grid.ncol):
            k = np.flatnonzero(active[:, i, j])
            if k.size:
                cells.append((k[0], i, j))
    return np.asarray(cells, int).reshape(-1, 3)


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
        cells = []
        for n, point in enumerate(data["points"]):
            x, y = float(point[0]), float(point[1])
            rc = grid.cell_of_point(x, y)
            if rc is None:
                raise SpecError(
                    f"{where}.points[{n}]",
                    f"point ({x:.1f}, {y:.1f}) is outside the grid",
                    "move it inside the model area or enlarge the grid",
                )
            cells.append((int(layer), *rc))
        return np.asarray(cells, int)
    sel = data["where"]
    _check_keys(sel, {"layer", "row", "col"}, f"{where}.where")
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
        _check_keys(data, {"start", "end"}, where)
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
    """A :class:`Boundary` from its TOML table (see the module docstring)."""
    kind = str(data.get("kind", "")).lower()
    if kind not in BOUNDARY_FIELDS:
        raise SpecError(
            f"{where}.kind",
            f"unknown boundary kind {data.get('kind')!r}",
            f"use one of {list(BOUNDARY_FIELDS)}",
        )
    value_fields = BOUNDARY_FIELDS[kind]
    _check_keys(
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
        _check_keys(vals, set(value_fields), f"{where}.periods.{key}")
        periods[int(key)] = {
            f: _values_from(v, len(cells), f"{where}.periods.{key}.{f}") for f, v in vals.items()
        }
    return Boundary(kind=kind, name=str(data["name"]), cells=cells, values=values, periods=periods)


def barrier_from_dict(data: dict, grid: Grid, where: str) -> Barrier:
    """A :class:`Barrier` from TOML: ``name``, ``rows`` and ``cols`` ([first, last], inclusive)
    of the enclosed block, ``layers`` (list), ``k`` (m/d) and ``thickness`` (m)."""
    _check_keys(data, {"name", "rows", "cols", "layers", "k", "thickness"}, where)
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


# ---------------------------------------------------------------------- validation
def _first_bad(mask: np.ndarray) -> str:
    idx = np.argwhere(mask)
    return f"{int(mask.sum())} cells, first at (layer, row, col) {tuple(int(i) for i in idx[0])}"


def _validate_grid(grid: Grid) -> None:
    for name in ("nlay", "nrow", "ncol"):
        value = getattr(grid, name)
        if not isinstance(value, int) or value < 1:
            raise SpecError(f"grid.{name}", f"must be a positive integer, got {value!r}", "")
    for name, n in (("delr", grid.ncol), ("delc", grid.nrow)):
        arr = np.asarray(getattr(grid, name), float)
        if arr.ndim > 0 and arr.size != n:
            raise SpecError(f"grid.{name}", f"has {arr.size} values for {n} cells", "")
        if np.any(arr <= 0):
            raise SpecError(f"grid.{name}", "cell widths must be positive (m)", "")
    try:
        a = grid.arrays()
    except ValueError as exc:
        raise SpecError("grid", str(exc), "check the shapes of top, botm and idomain") from exc
    bad = a["botm"] >= stacked_tops(a["top"], a["botm"])
    if bad.any():
        raise SpecError(
            "grid.botm",
            f"layer bottom at or above the layer top in {_first_bad(bad)}",
            "make each bottom lower than the top/bottom above it",
        )
    if not (a["idomain"] > 0).any():
        raise SpecError("grid.idomain", "no active cell", "set idomain = 1 where the aquifer is")
    if grid.crs:
        import pyproj

        try:
            pyproj.CRS.from_user_input(grid.crs)
        except pyproj.exceptions.CRSError as exc:
            raise SpecError(
                "grid.crs", f"unknown CRS {grid.crs!r}", 'use e.g. "EPSG:4548"'
            ) from exc


def _validate_properties(spec: ModelSpec) -> None:
    props = spec.properties.arrays(spec.grid.shape)
    active = spec.grid.arrays()["idomain"] > 0
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


def _validate_boundaries(spec: ModelSpec) -> None:
    grid = spec.grid.arrays()
    shape = spec.grid.shape
    names = set()
    for b in spec.boundaries:
        where = f"boundary {b.name!r}"
        if b.kind not in BOUNDARY_FIELDS:
            raise SpecError(
                where, f"unknown kind {b.kind!r}", f"use one of {list(BOUNDARY_FIELDS)}"
            )
        if not _NAME_PATTERN.match(b.name):
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
        late = [p for p in b.periods if p >= len(spec.periods) or p < 1]
        if late:
            raise SpecError(
                f"{where}.periods",
                f"period {late[0]} does not exist",
                f"use 1..{len(spec.periods) - 1}",
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


def _validate_barriers(spec: ModelSpec) -> None:
    shape = np.asarray(spec.grid.shape)
    for b in spec.barriers:
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


def _validate_periods(spec: ModelSpec) -> None:
    if not spec.periods:
        raise SpecError("periods", "no stress period", "add at least one [[periods]] entry")
    for i, p in enumerate(spec.periods):
        if not p.length > 0:
            raise SpecError(f"periods[{i}].length", f"must be > 0 days, got {p.length}", "")
        if not (isinstance(p.nstp, int) and p.nstp >= 1):
            raise SpecError(f"periods[{i}].nstp", f"must be an integer >= 1, got {p.nstp}", "")
        if not p.tsmult > 0:
            raise SpecError(f"periods[{i}].tsmult", "must be > 0", "")


def validate_spec(spec: ModelSpec) -> None:
    """Raise :class:`SpecError` for the first problem found in ``spec``."""
    if not spec.name or not _NAME_PATTERN.match(spec.name):
        raise SpecError(
            "model.name",
            f"{spec.name!r} must start with a letter and have at most 16 letters, digits, _ or -",
            "rename the model (MODFLOW limits model names to 16 characters)",
        )
    _validate_grid(spec.grid)
    _validate_properties(spec)
    _validate_periods(spec)
    _validate_boundaries(spec)
    _validate_barriers(spec)
    if spec.initial_head is not None:
        layered(spec.initial_head, spec.grid.shape, "initial_head")
