"""Random log-K fields per hydrogeologic unit (gstools), read from ``[uncertainty.fields]``.

A unit is a set of model layers (0-based, as every index in gwsim scenario files). Its field Y(x, y) is a zero-mean Gaussian random field of
ln K with variance ``variance`` (of ln K, -), correlation lengths ``len_scale`` (m; one number, or
[along the main axis, across it]) and main axis ``angle`` (degrees counter-clockwise from the grid's
x axis); the unit's cells take K·exp(Y) (horizontal and vertical K alike), so the geometric mean of
each cell's K stays the deterministic model's value and ``variance = 0`` gives that model exactly::

    [uncertainty.fields.gravel]
    layers = [1, 2]
    variance = 0.5
    len_scale = [400.0, 200.0]
    angle = 0.0
    model = "exponential"
    conditioning = [{ x = 510200.0, y = 3120300.0, k = 35.0 }]  # model coordinates, m; K m/d

``conditioning`` holds measured K (pumping tests) at points: the field is then conditioned (simple
kriging of ln(K measured / K model), gstools ``CondSRF``) and honours them exactly. The field is a
function of the grid and the integer seed alone: the same scenario and seed give the same field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gwsim.config import check_keys
from gwsim.errors import SpecError
from gwsim.grid import StructuredGrid

COVARIANCE_MODELS = ("exponential", "gaussian", "matern", "spherical")
_KEYS = {"layers", "variance", "len_scale", "angle", "model", "conditioning"}


@dataclass(frozen=True)
class UnitField:
    """The ln-K random field of one hydrogeologic unit (see the module docstring)."""

    name: str
    layers: tuple[int, ...]  # 0-based
    variance: float  # of ln K, -
    len_scale: tuple[float, float]  # m, main axis and across
    angle: float  # degrees counter-clockwise from the grid's x axis
    model: str = "exponential"
    conditioning: tuple[tuple[float, float, float], ...] = ()  # (x, y model coordinates m, K m/d)

    @classmethod
    def from_table(cls, name: str, table, nlay: int) -> UnitField:
        """Parse ``[uncertainty.fields.<name>]`` for a model of ``nlay`` layers."""
        where = f"uncertainty.fields.{name}"
        check_keys(table, _KEYS, where)
        layers = table.get("layers")
        if not (
            isinstance(layers, list)
            and layers
            and all(
                isinstance(k, int) and not isinstance(k, bool) and 0 <= k < nlay for k in layers
            )
        ):
            raise SpecError(
                f"{where}.layers",
                f"{layers!r} are not layers",
                f"list layers 0..{nlay - 1} (0-based)",
            )
        variance = table.get("variance")
        if isinstance(variance, bool) or not isinstance(variance, (int, float)):
            raise SpecError(
                f"{where}.variance", "missing or not a number", "give the ln-K variance"
            )
        if not variance >= 0:
            raise SpecError(
                f"{where}.variance",
                f"negative variance {variance}",
                "give a variance >= 0 (of ln K)",
            )
        scale = table.get("len_scale", 100.0)
        scale = [scale] * 2 if isinstance(scale, (int, float)) else scale
        if not (
            isinstance(scale, list)
            and len(scale) == 2
            and all(isinstance(s, (int, float)) and s > 0 for s in scale)
        ):
            raise SpecError(
                f"{where}.len_scale", f"{scale!r}", "give a length > 0 (m) or [along, across]"
            )
        model = table.get("model", "exponential")
        if model not in COVARIANCE_MODELS:
            raise SpecError(
                f"{where}.model", f"unknown covariance model {model!r}", f"use {COVARIANCE_MODELS}"
            )
        points = []
        for i, point in enumerate(table.get("conditioning", [])):
            check_keys(point, {"x", "y", "k"}, f"{where}.conditioning[{i}]")
            if not all(isinstance(point.get(c), (int, float)) for c in "xyk") or point["k"] <= 0:
                raise SpecError(
                    f"{where}.conditioning[{i}]", f"{point!r}", "give x, y (m) and k > 0 (m/d)"
                )
            points.append((float(point["x"]), float(point["y"]), float(point["k"])))
        return cls(
            name,
            tuple(layers),
            float(variance),
            (float(scale[0]), float(scale[1])),
            float(table.get("angle", 0.0)),
            model,
            tuple(points),
        )

    def covariance(self):
        """The gstools covariance model (2-D, grid-local axes)."""
        import gstools as gs

        cls = {
            "exponential": gs.Exponential,
            "gaussian": gs.Gaussian,
            "matern": gs.Matern,
            "spherical": gs.Spherical,
        }[self.model]
        return cls(
            dim=2, var=self.variance, len_scale=list(self.len_scale), angles=np.deg2rad(self.angle)
        )

    def check_points(self, grid: StructuredGrid) -> None:
        """Raise :class:`SpecError` when a conditioning point lies outside the grid."""
        for i, (x, y, _) in enumerate(self.conditioning):
            row, _ = grid.locate(np.array([x]), np.array([y]))[1:]
            if row[0] < 0:
                raise SpecError(
                    f"uncertainty.fields.{self.name}.conditioning[{i}]",
                    f"({x}, {y}) lies outside the model grid",
                    "give model coordinates (m) inside the grid",
                )

    def log_factor(self, grid: StructuredGrid, k: np.ndarray, seed: int) -> np.ndarray:
        """Y (nrow, ncol): the ln-K perturbation of this unit for ``seed``.

        ``k`` is the deterministic K (nlay, nrow, ncol), used to turn measured K into the
        perturbation the field must take at conditioning points.
        """
        if self.variance == 0:
            return np.zeros((grid.nrow, grid.ncol))
        import gstools as gs

        xe, ye = grid.x_edges_local, grid.y_edges_local
        x, y = 0.5 * (xe[1:] + xe[:-1]), 0.5 * (ye[1:] + ye[:-1])
        model = self.covariance()
        if self.conditioning:
            px, py, pk = (np.array(c) for c in zip(*self.conditioning, strict=True))
            _, row, col = grid.locate(px, py)
            lx, ly = grid.to_local(px, py)
            unit_lnk = np.log(k[list(self.layers)][:, row, col]).mean(axis=0)
            krige = gs.krige.Simple(
                model, cond_pos=[lx, ly], cond_val=np.log(pk) - unit_lnk, mean=0
            )
            field = gs.CondSRF(krige)((x, y), mesh_type="structured", seed=seed)
        else:
            field = structured_field(gs.SRF(model, mean=0.0, seed=seed), x, y)
        return np.asarray(field).T  # gstools gives (nx, ny); rows run along y


def structured_field(srf, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``srf((x, y), mesh_type="structured")`` (nx, ny) of a gstools randomization-method field,
    summed as one matrix product.

    gstools sums sqrt(var/N)·Σ_m [z1_m cos(k_m·p) + z2_m sin(k_m·p)] with cosines and sines at
    every point. The isometrized position is a linear map p = M (x, y), so k·p = (Mᵀk)·(x, y) and
    each mode factorises on a structured grid: exp(i k·p) = exp(i k'x x) exp(i k'y y). The sum is
    then Re[(A·w) Bᵀ] with A = exp(i k'x x) (nx, N), B = exp(i k'y y) (ny, N), w = z1 - i z2:
    the same field to round-off (tested against gstools) at a fraction of the cost (Chajia's
    14,640 cells: 0.4 s → 0.02 s). Other generators, a nugget or lat-lon models go to gstools.
    """
    from gstools.field.generator import RandMeth

    generator, model = srf.generator, srf.model
    if type(generator) is not RandMeth or model.nugget > 0 or model.latlon or model.dim != 2:
        return srf((x, y), mesh_type="structured")
    if model.var == 0:
        return np.zeros((len(x), len(y)))
    iso = model.isometrize(np.eye(2))  # M: positions to isotropic coordinates
    kx, ky = iso.T @ generator._cov_sample  # wave vectors in grid coordinates
    weights = generator._z_1 - 1j * generator._z_2
    a = np.exp(1j * np.multiply.outer(np.asarray(x, float), kx)) * weights
    b = np.exp(1j * np.multiply.outer(np.asarray(y, float), ky))
    return np.sqrt(model.var / generator.mode_no) * (a @ b.T).real


def perturbed_conductivity(
    fields: list[UnitField], grid: StructuredGrid, k: np.ndarray, seeds: list[int]
) -> tuple[np.ndarray, dict[str, float]]:
    """The K multiplier exp(Y) (nlay, nrow, ncol) of all units, and each unit's mean Y.

    A layer in two units takes both perturbations (their sum); layers in none keep factor 1.
    """
    log_factor = np.zeros(grid.shape)
    means = {}
    for unit, seed in zip(fields, seeds, strict=True):
        y = unit.log_factor(grid, k, seed)
        log_factor[list(unit.layers)] += y[None]
        means[f"lnK {unit.name}"] = float(y.mean())
    return np.exp(log_factor), means
