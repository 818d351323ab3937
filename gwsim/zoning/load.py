"""Pollution-source load: an enterprise inventory, per-source hazard, spread down the gradient.

Per-source hazard (dimensionless; factors in ``data/source_load.toml``, gwsim defaults to verify)::

    H = T · Q · L
    T = 1 + log10(C_ref / C_III)      toxicity of the most toxic main contaminant, C_III its
                                      GB/T 14848 Class III limit (mg/L), C_ref = 1000 mg/L
    Q = rating 1-5 of the quantity stored, handled or disposed of (t/a)
    L = release_factor[type] · anti_seepage_factor[status]    likelihood of release, 0-1

Spreading (a distance kernel; particle paths are not used): each source loads the cells around it
with an anisotropic Gaussian kernel elongated down the hydraulic gradient of the water table at
the source::

    w = exp(−(a/L_a)² − (t/L_t)²),   L_a = L_down for a ≥ 0 (downgradient), L_up for a < 0

with a and t the distances (m) along and across the downgradient direction from the nearest point
of the source (the cell centres inside a footprint polygon, or the point); a flat water table
(|∇h| < 1e-9) gives a round kernel of radius L_t. The load of a cell is Σ H_s·w_s (hazard units).

Area sources by land use (farmland, livestock, industrial land...) add a load per cell inside their
polygons, ``land_use_load[category]`` (hazard units, ``data/source_load.toml``, gwsim defaults to
verify), unspread: diffuse sources load the ground where they lie. The total is then graded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
import xarray as xr

from gwsim.config import package_table
from gwsim.errors import SpecError
from gwsim.zoning.layers import cell_of, geometry_mask, hydraulic_gradient
from gwsim.zoning.vectors import number, read_features, read_table

INVENTORY_COLUMNS = ("name", "type", "contaminants", "quantity_t", "anti_seepage")


@dataclass(frozen=True)
class PollutionSource:
    """One entry of an enterprise inventory (coordinates in the layers' CRS, m)."""

    name: str
    type: str  # a key of source_load.toml's release_factor, e.g. "electroplating"
    geometry: object  # shapely Point (location) or Polygon (footprint)
    contaminants: tuple[str, ...]  # keys of the GB/T 14848 table, e.g. ("chromium_vi",)
    quantity_t: float  # contaminant-bearing material stored, handled or disposed of, t/a
    anti_seepage: str  # "none", "unknown", "general" or "key"


def load_factors(overrides: Mapping | None = None) -> dict:
    """The hazard factors of ``data/source_load.toml``, with a scenario's entries replacing them
    (``release_factor`` and ``anti_seepage_factor`` merged key by key)."""
    factors = package_table("gwsim.zoning", "source_load.toml")
    for key, value in (overrides or {}).items():
        if isinstance(value, Mapping):
            factors[key] = {**factors[key], **value}
        else:
            factors[key] = value
    return factors


def read_inventory(path: str | Path, crs: str) -> list[PollutionSource]:
    """Read an enterprise inventory from CSV or GeoJSON.

    CSV columns: ``name, type, x, y, contaminants, quantity_t, anti_seepage`` (x, y in the layers'
    CRS, m; contaminants separated by ``;``), and optionally ``footprint`` (a WKT polygon).
    GeoJSON: Point or Polygon features with those properties (contaminants a list or a
    ``;``-separated string). Errors name the row.
    """
    path = Path(path)
    where = "load.inventory"
    rows = []
    if path.suffix.lower() in (".geojson", ".json"):
        for n, (geometry, props) in enumerate(read_features(path, crs, where), start=1):
            rows.append((n, geometry, props))
    else:
        for n, row in enumerate(read_table(path, where, (*INVENTORY_COLUMNS, "x", "y")), start=1):
            at = f"{where} row {n} ({row['name']!r})"
            if row.get("footprint"):
                try:
                    geometry = shapely.from_wkt(row["footprint"])
                except shapely.errors.GEOSException as exc:
                    raise SpecError(
                        at, "footprint is not WKT", "give POLYGON ((x y, ...))"
                    ) from exc
            else:
                geometry = shapely.Point(number(row["x"], at, "x"), number(row["y"], at, "y"))
            rows.append((n, geometry, row))
    return [_source(n, geometry, props, where) for n, geometry, props in rows]


def _source(n: int, geometry, props: dict, where: str) -> PollutionSource:
    at = f"{where} row {n} ({props.get('name', '')!r})"
    missing = [c for c in INVENTORY_COLUMNS if props.get(c) in (None, "")]
    if missing:
        raise SpecError(at, f"no {missing[0]}", f"give {INVENTORY_COLUMNS}")
    contaminants = props["contaminants"]
    if isinstance(contaminants, str):
        contaminants = [c.strip() for c in contaminants.split(";") if c.strip()]
    if geometry.geom_type not in ("Point", "Polygon", "MultiPolygon"):
        raise SpecError(at, f"geometry is a {geometry.geom_type}", "give a Point or Polygon")
    return PollutionSource(
        name=str(props["name"]),
        type=str(props["type"]),
        geometry=geometry,
        contaminants=tuple(contaminants),
        quantity_t=number(props["quantity_t"], at, "quantity_t"),
        anti_seepage=str(props["anti_seepage"]),
    )


def source_hazard(source: PollutionSource, factors: Mapping, limits: Mapping[str, float]) -> float:
    """H = T·Q·L of one source (see the module docstring); errors name the source."""
    at = f"load.inventory {source.name!r}"
    for contaminant in source.contaminants:
        if contaminant not in limits:
            raise SpecError(
                at,
                f"contaminant {contaminant!r} has no GB/T 14848 Class III limit",
                f"use one of {sorted(limits)}",
            )
    if not source.contaminants:
        raise SpecError(at, "no main contaminant", "list at least one")
    if source.type not in factors["release_factor"]:
        raise SpecError(
            at,
            f"source type {source.type!r} has no release factor",
            f"use one of {sorted(factors['release_factor'])} or add it under [load.release_factor]",
        )
    if source.anti_seepage not in factors["anti_seepage_factor"]:
        raise SpecError(
            at,
            f"anti-seepage status {source.anti_seepage!r} unknown",
            f"use one of {sorted(factors['anti_seepage_factor'])}",
        )
    if source.quantity_t < 0:
        raise SpecError(at, f"quantity_t {source.quantity_t:g} < 0", "give t/a >= 0")
    toxicity = 1.0 + math.log10(
        factors["toxicity_reference_mg_L"] / min(limits[c] for c in source.contaminants)
    )
    bounds, ratings = factors["quantity_upper_bounds_t"], factors["quantity_ratings"]
    quantity = ratings[int(np.searchsorted(bounds, source.quantity_t, side="right"))]
    likelihood = (
        factors["release_factor"][source.type] * factors["anti_seepage_factor"][source.anti_seepage]
    )
    return toxicity * quantity * likelihood


def check_inside(named: Sequence[tuple[str, object]], template: xr.DataArray, where: str) -> None:
    """Raise :class:`SpecError` naming the first (name, geometry) not wholly inside the grid."""
    for name, geometry in named:
        x, y = shapely.get_coordinates(geometry).T
        row, _ = cell_of(template, x, y)
        if np.any(row < 0):
            raise SpecError(
                f"{where} {name!r}",
                f"lies outside the area (near x={x[0]:.0f}, y={y[0]:.0f})",
                "check its coordinates and CRS, or remove it",
            )


def read_land_use(path: str | Path, crs: str, key: str = "land_use") -> list[tuple[str, object]]:
    """(category, polygon) of each feature of a land-use GeoJSON (category in property ``key``)."""
    where = "load.land_use"
    areas = []
    for n, (geometry, props) in enumerate(read_features(path, crs, where), start=1):
        if key not in props or geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise SpecError(f"{where} feature {n}", f"needs a Polygon and a {key!r} property", "")
        areas.append((str(props[key]), geometry))
    return areas


def land_use_load(
    areas: Sequence[tuple[str, object]], table: Mapping[str, float], template: xr.DataArray
) -> np.ndarray:
    """(ny, nx) load of area sources: ``table[category]`` in cells whose centre is in a polygon
    (the first polygon listed wins where they overlap); 0 elsewhere."""
    load = np.zeros(template.shape)
    taken = np.zeros(template.shape, bool)
    for category, geometry in areas:
        if category not in table:
            raise SpecError(
                "load.land_use",
                f"land use {category!r} has no load",
                f"use one of {sorted(table)} or add it under [load.land_use_load]",
            )
        cells = geometry_mask(geometry, template) & ~taken
        load[cells] = float(table[category])
        taken |= cells
    return load


def spread_load(
    sources: Sequence[PollutionSource],
    hazards: Sequence[float],
    head: xr.DataArray,
    downgradient_m: float,
    upgradient_m: float,
    transverse_m: float,
) -> xr.DataArray:
    """Load of every cell, Σ H_s·w_s, with the kernel of the module docstring (hazard units)."""
    dhdx, dhdy = hydraulic_gradient(head)
    xc, yc = np.meshgrid(head.x.values, head.y.values)
    load = np.zeros(head.shape)
    for source, hazard in zip(sources, hazards, strict=True):
        footprint = geometry_mask(source.geometry, head)
        if footprint.any():
            px, py = xc[footprint], yc[footprint]
        else:
            px, py = shapely.get_coordinates(source.geometry.representative_point()).T
        row, col = cell_of(head, px[0], py[0])
        gx, gy = -dhdx[row[0], col[0]], -dhdy[row[0], col[0]]
        norm = math.hypot(gx, gy)
        weight = np.zeros(head.shape)
        for x0, y0 in zip(px, py, strict=True):
            dx, dy = xc - x0, yc - y0
            if norm < 1e-9 or not np.isfinite(norm):
                w = np.exp(-(dx**2 + dy**2) / transverse_m**2)
            else:
                along = (dx * gx + dy * gy) / norm
                across = (-dx * gy + dy * gx) / norm
                length = np.where(along >= 0, downgradient_m, upgradient_m)
                w = np.exp(-((along / length) ** 2) - (across / transverse_m) ** 2)
            weight = np.maximum(weight, w)
        load += hazard * weight
    load = np.where(np.isfinite(head.values), load, np.nan)
    return (
        head.copy(data=load)
        .rename("load")
        .assign_attrs(
            long_name="pollution-source load (sum of hazard x kernel weight)",
            units="1",
            kernel=f"Gaussian, 1/e at {downgradient_m:g} m down, {upgradient_m:g} m up, "
            f"{transverse_m:g} m across the hydraulic gradient",
        )
    )
