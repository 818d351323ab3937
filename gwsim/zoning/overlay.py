"""Overlay: three assessments → control-type and general areas, under protection-type areas.

The delineation of every cell, in order (the matrices and lists are scheme data,
:mod:`gwsim.zoning.scheme`):

1. stage 1: ``first_matrix[class of first_rows, class of first_columns]`` — in the 2023 scheme
   value × vulnerability → control-type or not; in the 2014 scheme vulnerability × load → risk;
2. stage 2: ``zone_matrix[stage-1 class, class of second_columns]`` → zone kind — in the 2023
   scheme control-type × load → 一级 / 二级管控区, else 一般区;
3. the masks in ``precedence`` replace it, the first listed winning, each by the kind
   ``mask_kind`` names, on every cell of the grid whatever the layers hold: ``class1``,
   ``class2``, ``quasi`` (HJ 338-2018 source protection zones), ``recharge_area`` (the sources'
   recharge areas), ``special`` (mineral-water and famous-spring areas) and, where the scheme has
   one, ``treatment`` (within ``radius_m`` of a well above its GB/T 14848-2017 Class III limit).

Cells where a layer has no data and no mask holds get code 0 (outside). Which thresholds are the
guide's and which are gwsim defaults is stated in the scheme file's ``[sources]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import shapely
import xarray as xr

from gwsim.zoning.drastic import drastic_index, drastic_ratings
from gwsim.zoning.grading import grade, resolved_breaks
from gwsim.zoning.layers import check_aligned, require
from gwsim.zoning.load import (
    PollutionSource,
    check_inside,
    land_use_load,
    source_hazard,
    spread_load,
)
from gwsim.zoning.monitoring import Sample, exceedances, near_wells, quality_map
from gwsim.zoning.scheme import KeyZoneScheme
from gwsim.zoning.value import ProtectionZone, groundwater_value, zone_mask

OUTSIDE = 0


def apply_matrix(row_class: np.ndarray, col_class: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``matrix[row_class, col_class]`` cell by cell; −1 where either class is −1 (no data)."""
    valid = (row_class >= 0) & (col_class >= 0)
    picked = np.asarray(matrix)[np.maximum(row_class, 0), np.maximum(col_class, 0)]
    return np.where(valid, picked, -1)


def zone_codes(
    classes: Mapping[str, np.ndarray], masks: Mapping[str, np.ndarray], scheme: KeyZoneScheme
) -> tuple[np.ndarray, np.ndarray]:
    """(stage-1 class, zone code) of every cell by the overlay of the module docstring.

    ``classes`` holds the class index arrays of ``"vulnerability"``, ``"load"`` and ``"value"``
    (−1 = no data); ``masks`` a bool array for each mask in ``scheme.precedence``.
    """
    first = apply_matrix(
        classes[scheme.first_rows], classes[scheme.first_columns], scheme.first_matrix
    )
    zone = apply_matrix(first, classes[scheme.second_columns], scheme.zone_matrix)
    zone = np.where(zone < 0, OUTSIDE, zone)
    for mask in reversed(scheme.precedence):
        zone = np.where(masks[mask], scheme.kinds[scheme.mask_kind[mask]]["code"], zone)
    return first.astype(np.int8), zone.astype(np.int8)


def _masks(zones, exceeding, scheme: KeyZoneScheme, template) -> dict[str, np.ndarray]:
    masks = {}
    for mask in scheme.precedence:
        if mask == "treatment":
            masks[mask] = near_wells(exceeding, scheme.treatment_radius_m, template)
        else:
            masks[mask] = zone_mask(zones, [mask], template)
    return masks


def _quality(layers, samples, scheme: KeyZoneScheme, template) -> np.ndarray | None:
    """GB/T 14848 class per cell: the ``water_quality`` layer where it has one, else wells."""
    monitored = (
        quality_map(
            samples, scheme.limits, scheme.ignore_parameters, scheme.quality_radius_m, template
        )
        if samples
        else np.zeros(template.shape, np.int8)
    )
    if "water_quality" not in layers:
        return monitored if samples else None
    mapped = np.nan_to_num(layers["water_quality"].values.astype(float), nan=0.0)
    return np.where(mapped > 0, mapped, monitored).astype(np.int8)


def delineate(
    layers: Mapping[str, xr.DataArray],
    scheme: KeyZoneScheme,
    sources: Sequence[PollutionSource] = (),
    zones: Sequence[ProtectionZone] = (),
    samples: Sequence[Sample] = (),
    land_use: Sequence[tuple[str, object]] = (),
) -> xr.Dataset:
    """Delineate key zones on aligned layers: vulnerability, load, value, overlay.

    Parameters
    ----------
    layers : {name: layer} on one grid and CRS (:mod:`gwsim.zoning.layers`).
    scheme : classes, thresholds and matrices (:func:`gwsim.zoning.scheme.scheme_from_dict`).
    sources : enterprise inventory (:func:`gwsim.zoning.load.read_inventory`); all inside the grid.
    zones : protection-type areas (:func:`gwsim.zoning.value.read_protection_zones`,
        :func:`~gwsim.zoning.value.zones_from_protection`); zones with a ``method`` property of
        another method than ``scheme.protection_method`` are left out unless it is ``"all"``.
    samples : monitoring results (:func:`gwsim.zoning.monitoring.read_monitoring`) for the
        water-quality term and the treatment zone; all inside the grid.
    land_use : (category, polygon) area sources (:func:`gwsim.zoning.load.read_land_use`).

    Returns
    -------
    xarray.Dataset on the layers' grid: ``zone`` (kind code, CF flags; 0 outside),
    ``vulnerability_index``, the seven DRASTIC ratings, ``load``, ``water_quality`` (GB/T 14848
    class, 0 unknown) and the class of each assessment and of stage 1 (``*_class``, −1 = no
    data), ``hazard`` per source, and the Class III exceedances.
    """
    check_aligned(layers)
    require(layers, ["yield"], "groundwater value")
    if scheme.protection_method != "all":
        zones = [
            z
            for z in zones
            if z.properties.get("method", scheme.protection_method) == scheme.protection_method
        ]
    template = layers["top"]
    check_inside([(s.name, s.geometry) for s in sources], template, "load.inventory")
    check_inside(
        [(s.well, shapely.Point(s.x, s.y)) for s in samples], template, "quality.monitoring well"
    )
    ratings = drastic_ratings(layers, scheme.drastic, scheme.codes)
    index = drastic_index(ratings, scheme.weights)
    n_v = len(scheme.vulnerability_classes)
    v_breaks = resolved_breaks(
        scheme.vulnerability_breaks, index.values, n_v, "vulnerability.breaks"
    )
    hazards = [source_hazard(s, scheme.load_factors, scheme.limits) for s in sources]
    load = spread_load(sources, hazards, layers["head"], **scheme.kernel)
    load = load + np.where(
        np.isfinite(load.values),
        land_use_load(land_use, scheme.load_factors["land_use_load"], template),
        np.nan,
    )
    l_breaks = resolved_breaks(
        scheme.load_breaks, load.values, len(scheme.load_classes), "load.breaks"
    )
    quality = _quality(layers, samples, scheme, template)
    value = groundwater_value(
        layers["yield"],
        scheme.yield_breaks,
        zones,
        scheme.zone_class,
        layers.get("use"),
        scheme.use_class,
        scheme.use_codes or scheme.codes.get("use"),
        quality,
        scheme.quality_class,
    )
    exceeding = exceedances(samples, scheme.limits, scheme.ignore_parameters)
    classes = {
        "vulnerability": grade(index.values, v_breaks),
        "load": grade(load.values, l_breaks),
        "value": value.values,
    }
    first, zone = zone_codes(classes, _masks(zones, exceeding, scheme, template), scheme)
    ds = _result(template, ratings, index, load, classes, first, zone, scheme)
    ds["vulnerability_class"].attrs["breaks"] = v_breaks
    ds["load_class"].attrs["breaks"] = l_breaks
    ds["water_quality"] = (
        template.dims,
        np.zeros(template.shape, np.int8) if quality is None else quality,
        {"long_name": "GB/T 14848-2017 water-quality class (1-5 = I-V; 0 not known)"},
    )
    return ds.assign(
        hazard=("source", np.array(hazards, float), {"long_name": "source hazard T*Q*L"}),
        source_name=("source", np.array([s.name for s in sources], dtype=object)),
    ).assign_attrs(
        scheme=scheme.title,
        exceedances="; ".join(
            f"{s.well}: {s.parameter} {s.concentration_mg_L:g} mg/L > "
            f"{scheme.limits[s.parameter]:g}"
            for s in exceeding
        )
        or "none",
    )


def _classes_attrs(classes: Sequence[str], long_name: str) -> dict:
    return {
        "long_name": long_name,
        "flag_values": np.arange(len(classes), dtype=np.int8),
        "flag_meanings": " ".join(classes),
        "comment": "-1 where a layer has no data",
    }


def _result(template, ratings, index, load, classes, first, zone, scheme) -> xr.Dataset:
    dims = template.dims
    kinds = sorted(scheme.kinds.items(), key=lambda kv: kv[1]["code"])
    ds = ratings.copy()
    ds["vulnerability_index"] = index
    ds["load"] = load.assign_attrs(long_name="pollution-source load (point and area sources)")
    names = {
        "vulnerability": "vulnerability class",
        "load": "pollution-source load class",
        "value": "groundwater functional value class",
    }
    for assessment, long_name in names.items():
        ds[f"{assessment}_class"] = (
            dims,
            classes[assessment].astype(np.int8),
            _classes_attrs(scheme.classes(assessment), long_name),
        )
    ds["first_class"] = (
        dims,
        first,
        _classes_attrs(
            scheme.first_classes, f"overlay stage 1: {scheme.first_rows} x {scheme.first_columns}"
        ),
    )
    ds["zone"] = (
        dims,
        zone,
        {
            "long_name": "key zone kind for groundwater pollution prevention",
            "flag_values": np.array([OUTSIDE] + [k["code"] for _, k in kinds], dtype=np.int8),
            "flag_meanings": " ".join(["outside"] + [name for name, _ in kinds]),
        },
    )
    ds.attrs["crs"] = template.attrs["crs"]
    return ds
