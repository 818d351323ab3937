"""Groundwater functional value: aquifer yield, use and water quality, and protection-type areas.

Value class of a cell (classes ordered low → high, e.g. low/medium/high)::

    value = max(zone class, min(yield class, use class, quality class))

- zone class: the class given to the source protection zone containing the cell (HJ 338-2018
  class 1, class 2 and the outer, quasi-protection zone; e.g. class 1 and 2 → high, quasi → medium);
  cells outside every zone get none (−1);
- yield class: single-well yield (m³/d, the ``yield`` layer) graded by breaks;
- use class: the class of the groundwater use in the ``use`` layer (e.g. drinking → high,
  agriculture → medium, none → low); without a ``use`` layer no cap;
- quality class: the highest value class that the cell's GB/T 14848-2017 water-quality class
  (I-V, from a ``water_quality`` layer or from monitoring wells, :mod:`gwsim.zoning.monitoring`)
  allows (e.g. I-III → high, IV → medium, V → low); unmonitored cells get no cap.

An aquifer is worth more only where it yields water, that water is (or is planned to be) used and
is fit for use ("functional value in practice rates water quality and quantity", DOMAIN.md); a
protection-type area raises the value whatever the yield.

Protection-type areas are read from GeoJSON in the format of :mod:`gwsim.protection`: one feature
per zone with properties ``source`` and ``zone`` (``class1``, ``class2``, ``quasi``,
``recharge_area`` or ``special`` — mineral-water and famous-spring areas, drawn by the user), and
optionally ``method``; or built from a flow model by :func:`zones_from_protection`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from gwsim.errors import SpecError
from gwsim.zoning.grading import grade
from gwsim.zoning.layers import categories, geometry_mask
from gwsim.zoning.vectors import read_features

ZONE_CLASSES = ("class1", "class2", "quasi", "recharge_area", "special")
QUALITY_CLASSES = ("I", "II", "III", "IV", "V")  # GB/T 14848-2017, codes 1-5


@dataclass(frozen=True)
class ProtectionZone:
    """One source protection zone (geometry in the layers' CRS)."""

    source: str
    zone: str  # one of ZONE_CLASSES
    geometry: object  # shapely (Multi)Polygon
    properties: dict


def read_protection_zones(
    path: str | Path, crs: str, where: str = "value.protection_zones"
) -> list[ProtectionZone]:
    """Read protection-type areas from GeoJSON; errors name the feature."""
    zones = []
    for n, (geometry, props) in enumerate(read_features(path, crs, where), start=1):
        at = f"{where} feature {n} ({props.get('source', '')!r})"
        if props.get("zone") not in ZONE_CLASSES:
            raise SpecError(at, f"zone {props.get('zone')!r}", f"use one of {ZONE_CLASSES}")
        if geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise SpecError(at, f"geometry is a {geometry.geom_type}", "give a Polygon")
        zones.append(ProtectionZone(str(props.get("source", "")), props["zone"], geometry, props))
    return zones


def zone_mask(zones: Sequence[ProtectionZone], kinds: Sequence[str], template) -> np.ndarray:
    """(ny, nx) bool: cells whose centre is in a zone of one of ``kinds``."""
    mask = np.zeros(template.shape, bool)
    for zone in zones:
        if zone.zone in kinds:
            mask |= geometry_mask(zone.geometry, template)
    return mask


def zones_from_protection(result, method: str = "numerical") -> list[ProtectionZone]:
    """Protection-type areas from a :class:`gwsim.protection.ProtectionZones` result: each
    source's class-1, class-2 and quasi zones of ``method``, and its recharge area (the land
    surface where recharge reaching the wells enters, from particle tracking)."""
    zones = []
    for src in result.sources:
        drawn = getattr(src, method)
        for kind in ("class1", "class2", "quasi"):
            zones.append(ProtectionZone(src.name, kind, drawn[kind], {"method": method}))
        zones.append(
            ProtectionZone(src.name, "recharge_area", src.capture.recharge_area, {"method": method})
        )
    return zones


def groundwater_value(
    yield_m3_per_day: xr.DataArray,
    yield_breaks: Sequence[float],
    zones: Sequence[ProtectionZone] = (),
    zone_class: Mapping[str, int] | None = None,
    use: xr.DataArray | None = None,
    use_class: Mapping[str, int] | None = None,
    use_codes: Mapping[int, str] | None = None,
    quality: np.ndarray | None = None,
    quality_class: Mapping[int, int] | None = None,
) -> xr.DataArray:
    """Value class (int8, 0 = lowest, −1 = no data) of every cell (formula in the module doc).

    Parameters
    ----------
    yield_m3_per_day : single-well yield layer, m³/d.
    yield_breaks : the n−1 yields (m³/d) between the n value classes.
    zones, zone_class : protection zones and the class index of each zone kind.
    use, use_class, use_codes : the categorical use layer, the class index of each use, and its
        {code: name} table (default: the layer's CF flag attributes).
    quality, quality_class : (ny, nx) GB/T 14848 class 1-5 of each cell (0 or NaN: unknown) and
        the highest value class index each quality class allows.
    """
    value = grade(yield_m3_per_day.values, yield_breaks)
    if use is not None:
        names = categories(use, "use", use_codes)
        used = np.full(names.shape, -1, np.int8)
        for name in np.unique(names):
            if name == "":
                continue
            if name not in (use_class or {}):
                raise SpecError(
                    "layers.use",
                    f"category {name!r} has no value class",
                    f"add it to [value.use_class] (known: {sorted(use_class or {})})",
                )
            used[names == name] = use_class[name]
        value = np.where((value < 0) | (used < 0), np.int8(-1), np.minimum(value, used))
    if quality is not None:
        value = np.minimum(value, _quality_cap(quality, quality_class or {}, len(yield_breaks)))
    for kind in ZONE_CLASSES:
        if zone_class and kind in zone_class:
            inside = zone_mask(zones, [kind], yield_m3_per_day)
            value = np.where(inside & (value >= 0), np.maximum(value, zone_class[kind]), value)
    return (
        yield_m3_per_day.copy(data=np.asarray(value).astype(np.int8))
        .rename("value_class")
        .assign_attrs(long_name="groundwater functional value class", units="1")
    )


def _quality_cap(quality, quality_class: Mapping[int, int], top: int) -> np.ndarray:
    """Highest value class allowed by each cell's GB/T 14848 class (``top`` where unknown)."""
    quality = np.nan_to_num(np.asarray(quality, float), nan=0.0)
    cap = np.full(quality.shape, top, np.int8)
    for code in np.unique(quality[quality > 0]):
        if int(code) not in quality_class:
            raise SpecError(
                "layers.water_quality",
                f"value {code:g} is not a GB/T 14848 class",
                "give classes 1-5 (I-V), 0 or NaN where unknown",
            )
        cap[quality == code] = quality_class[int(code)]
    return cap
