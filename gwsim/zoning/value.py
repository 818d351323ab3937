"""Groundwater functional value: source protection zones, aquifer yield and use, graded.

Value class of a cell (classes ordered low → high, e.g. low/medium/high)::

    value = max(zone class, min(yield class, use class))

- zone class: the class given to the source protection zone containing the cell (HJ 338-2018
  class 1, class 2 and the outer, quasi-protection zone; e.g. class 1 and 2 → high, quasi → medium);
  cells outside every zone get none (−1);
- yield class: single-well yield (m³/d, the ``yield`` layer) graded by breaks;
- use class: the class of the groundwater use in the ``use`` layer (e.g. drinking → high,
  agriculture → medium, none → low); without a ``use`` layer the yield class alone.

An aquifer is worth more only where it both yields water and that water is (or is planned to be)
used; a protection zone raises the value whatever the yield.

Protection zones are read from GeoJSON in the format of :mod:`gwsim.protection` (issue 5): one
feature per zone with properties ``source``, ``zone`` (``class1``, ``class2`` or ``quasi``),
``method``, ``travel_time_d`` and ``area_ha``.
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

ZONE_CLASSES = ("class1", "class2", "quasi")


@dataclass(frozen=True)
class ProtectionZone:
    """One source protection zone (geometry in the layers' CRS)."""

    source: str
    zone: str  # "class1", "class2" or "quasi"
    geometry: object  # shapely (Multi)Polygon
    properties: dict


def read_protection_zones(path: str | Path, crs: str) -> list[ProtectionZone]:
    """Read source protection zones from GeoJSON; errors name the feature."""
    where = "value.protection_zones"
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


def groundwater_value(
    yield_m3_per_day: xr.DataArray,
    yield_breaks: Sequence[float],
    zones: Sequence[ProtectionZone] = (),
    zone_class: Mapping[str, int] | None = None,
    use: xr.DataArray | None = None,
    use_class: Mapping[str, int] | None = None,
    use_codes: Mapping[int, str] | None = None,
) -> xr.DataArray:
    """Value class (int8, 0 = lowest, −1 = no data) of every cell (formula in the module doc).

    Parameters
    ----------
    yield_m3_per_day : single-well yield layer, m³/d.
    yield_breaks : the n−1 yields (m³/d) between the n value classes.
    zones, zone_class : protection zones and the class index of each zone kind.
    use, use_class, use_codes : the categorical use layer, the class index of each use, and its
        {code: name} table (default: the layer's CF flag attributes).
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
    for kind in ZONE_CLASSES:
        if zone_class and kind in zone_class:
            inside = zone_mask(zones, [kind], yield_m3_per_day)
            value = np.where(inside & (value >= 0), np.maximum(value, zone_class[kind]), value)
    return (
        yield_m3_per_day.copy(data=value.astype(np.int8))
        .rename("value_class")
        .assign_attrs(long_name="groundwater functional value class", units="1")
    )
