"""The parts of a model specification: grid, properties, boundaries, barriers, stress periods and
solver settings, as plain dataclasses in metres and days (see :mod:`gwsim.spec` for the layout).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gwsim.errors import SpecError
from gwsim.grid import StructuredGrid

BOUNDARY_FIELDS: dict[str, tuple[str, ...]] = {
    "chd": ("head",),
    "ghb": ("bhead", "cond"),
    "riv": ("stage", "cond", "rbot"),
    "drn": ("elev", "cond"),
    "wel": ("rate",),
    "rch": ("rate",),
    "evt": ("surface", "rate", "depth"),
}


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
    """Convergence settings of the flow solution (heads in m, flow residuals in m³/d) and how
    MODFLOW 6's IMS reaches them.

    The fields after ``newton`` tune the nonlinear iteration of models that may not converge
    (cells drying and rewetting under Newton); their defaults keep IMS's own defaults of the
    chosen ``complexity``. ``""``/``None`` mean "IMS's default".
    """

    dvclose: float = 1e-8  # head change closure, m
    rclose: float = 1e-6  # flow residual closure, m³/d
    outer_maximum: int = 200
    inner_maximum: int = 500
    newton: bool = False  # Newton-Raphson for convertible layers that may dry out
    # IMS defaults: "simple", "moderate" or "complex"; "": moderate with Newton, simple without
    complexity: str = ""
    # "strict" (infinity norm, met on the first inner iteration), "l2norm_rclose", "relative_rclose"
    rclose_option: str = "strict"
    # delta-bar-delta under-relaxation (with Newton): weight reduction factor, increment, history
    # factor and momentum, each 0-1
    under_relaxation_theta: float | None = None
    under_relaxation_kappa: float | None = None
    under_relaxation_gamma: float | None = None
    under_relaxation_momentum: float | None = None
    backtracking_number: int | None = None  # residual-reduction backtracking steps per iteration

    def __post_init__(self):
        for name, allowed in (
            ("complexity", ("", "simple", "moderate", "complex")),
            ("rclose_option", ("strict", "l2norm_rclose", "relative_rclose")),
        ):
            if getattr(self, name) not in allowed:
                raise SpecError(
                    f"solver.{name}",
                    f"{getattr(self, name)!r} is not an IMS choice",
                    f"use one of {', '.join(repr(a) for a in allowed)}",
                )
        for name in ("theta", "kappa", "gamma", "momentum"):
            value = getattr(self, f"under_relaxation_{name}")
            if value is not None and not 0.0 <= value <= 1.0:
                raise SpecError(
                    f"solver.under_relaxation_{name}", f"{value} is outside 0-1", "give 0-1"
                )
        if self.backtracking_number is not None and self.backtracking_number < 0:
            raise SpecError("solver.backtracking_number", "is negative", "give 0 or more steps")

    def ims_keywords(self) -> dict:
        """flopy ``ModflowIms`` arguments of these settings (those left at IMS's default omitted)."""
        keywords = {
            "complexity": self.complexity or ("moderate" if self.newton else "simple"),
            "outer_dvclose": self.dvclose,
            "outer_maximum": self.outer_maximum,
            "inner_maximum": self.inner_maximum,
            "inner_dvclose": self.dvclose,
            "rcloserecord": [self.rclose, self.rclose_option],
            "linear_acceleration": "bicgstab" if self.newton else "cg",
            "under_relaxation": "dbd" if self.newton else "none",
        }
        tuned = {
            f"under_relaxation_{name}": getattr(self, f"under_relaxation_{name}")
            for name in ("theta", "kappa", "gamma", "momentum")
        }
        tuned["backtracking_number"] = self.backtracking_number
        return keywords | {key: value for key, value in tuned.items() if value is not None}


@functools.lru_cache(maxsize=64)
def _projected(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """(east, north) m in ``crs`` of a longitude/latitude; kept, as making the transformer
    costs ~75 ms (an ensemble builds its site model once per realization)."""
    import pyproj

    return pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)


def grid_origin_at(
    lon: float, lat: float, crs: str, local_x: float, local_y: float, angrot: float = 0.0
) -> tuple[float, float]:
    """Grid origin (lower-left corner, m in ``crs``) that puts the grid-local point
    (``local_x``, ``local_y``) m at longitude/latitude (degrees, WGS 84 / CGCS2000)."""
    east, north = _projected(lon, lat, crs)
    a = np.deg2rad(angrot)
    return (
        east - (local_x * np.cos(a) - local_y * np.sin(a)),
        north - (local_x * np.sin(a) + local_y * np.cos(a)),
    )


def layered(value, shape, name: str) -> np.ndarray:
    """A scalar, one value per layer, or a full array, as a float array of ``shape``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise SpecError(
            name,
            "is not a number or a regular array of numbers",
            f"give a scalar, {shape[0]} values (one per layer) or an array shaped {shape}",
        ) from exc
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
