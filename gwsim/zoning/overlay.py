"""Overlay: vulnerability × load (× value) → key-zone kinds, plus protection and treatment zones.

The delineation of every cell, in order (the matrices and lists are scheme data,
:mod:`gwsim.zoning.scheme`):

1. pollution risk = ``risk_matrix[vulnerability class, load class]``;
2. control kind = ``zone_matrix[risk class, value class]`` (priority / key / general
   prevention-and-control zones by default);
3. the kinds in ``precedence`` replace it where their mask holds, the first listed winning:
   ``protection`` — inside a source protection zone of a class in ``protection_from`` (HJ 338-2018
   class 1, class 2, quasi-protection zone); ``treatment`` — within ``radius_m`` of a monitoring well
   where a parameter exceeds its GB/T 14848-2017 Class III limit (parameters in
   ``ignore_parameters``, e.g. natural iron and manganese, excepted).

Cells where a layer has no data get code 0 (outside). This follows the structure of the national
key-zone guides (protection-type + control-type areas; earlier guides' protection,
prevention-and-control and treatment zones); the guide's own thresholds and matrix were not
available, so gwsim's defaults are stated in ``data/keyzone_scheme.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
import xarray as xr

from gwsim.errors import SpecError
from gwsim.zoning.drastic import drastic_index, drastic_ratings
from gwsim.zoning.grading import grade
from gwsim.zoning.layers import check_aligned, require
from gwsim.zoning.load import PollutionSource, check_inside, source_hazard, spread_load
from gwsim.zoning.scheme import KeyZoneScheme
from gwsim.zoning.value import ProtectionZone, groundwater_value, zone_mask
from gwsim.zoning.vectors import number, read_table

MONITORING_COLUMNS = ("well", "x", "y", "parameter", "concentration_mg_L")
OUTSIDE = 0


@dataclass(frozen=True)
class Sample:
    """One monitored concentration (mg/L) at a well (x, y in the layers' CRS, m)."""

    well: str
    x: float
    y: float
    parameter: str  # a key of the GB/T 14848 table, e.g. "nitrate_n"
    concentration_mg_L: float


def read_monitoring(path: str | Path) -> list[Sample]:
    """Monitoring results from CSV with columns ``well, x, y, parameter, concentration_mg_L``."""
    where = "treatment.monitoring"
    samples = []
    for n, row in enumerate(read_table(path, where, MONITORING_COLUMNS), start=1):
        at = f"{where} row {n} ({row['well']!r})"
        samples.append(
            Sample(
                well=row["well"],
                x=number(row["x"], at, "x"),
                y=number(row["y"], at, "y"),
                parameter=row["parameter"].strip(),
                concentration_mg_L=number(row["concentration_mg_L"], at, "concentration_mg_L"),
            )
        )
    return samples


def exceedances(
    samples: Sequence[Sample], limits: Mapping[str, float], ignore: Sequence[str] = ()
) -> list[Sample]:
    """Samples above their GB/T 14848 Class III limit; an unknown parameter is an error."""
    for n, s in enumerate(samples, start=1):
        if s.parameter not in limits:
            raise SpecError(
                f"treatment.monitoring row {n} ({s.well!r})",
                f"parameter {s.parameter!r} has no GB/T 14848 Class III limit",
                f"use one of {sorted(limits)}",
            )
    return [
        s
        for s in samples
        if s.parameter not in ignore and s.concentration_mg_L > limits[s.parameter]
    ]


def treatment_mask(
    samples: Sequence[Sample], radius_m: float, template: xr.DataArray
) -> np.ndarray:
    """(ny, nx) bool: cells whose centre is within ``radius_m`` of a sample's well."""
    xc, yc = np.meshgrid(template.x.values, template.y.values)
    mask = np.zeros(template.shape, bool)
    for s in samples:
        mask |= (xc - s.x) ** 2 + (yc - s.y) ** 2 <= radius_m**2
    return mask


def apply_matrix(row_class: np.ndarray, col_class: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``matrix[row_class, col_class]`` cell by cell; −1 where either class is −1 (no data)."""
    valid = (row_class >= 0) & (col_class >= 0)
    picked = np.asarray(matrix)[np.maximum(row_class, 0), np.maximum(col_class, 0)]
    return np.where(valid, picked, -1)


def zone_codes(
    vulnerability_class: np.ndarray,
    load_class: np.ndarray,
    value_class: np.ndarray,
    masks: Mapping[str, np.ndarray],
    scheme: KeyZoneScheme,
) -> tuple[np.ndarray, np.ndarray]:
    """(risk class, zone code) of every cell by the overlay of the module docstring.

    ``masks`` holds a bool array for each kind in ``scheme.precedence`` (``protection``,
    ``treatment``).
    """
    risk = apply_matrix(vulnerability_class, load_class, scheme.risk_matrix)
    zone = apply_matrix(risk, value_class, scheme.zone_matrix)
    zone = np.where(zone < 0, OUTSIDE, zone)
    inside = zone != OUTSIDE
    for kind in reversed(scheme.precedence):
        zone = np.where(masks[kind] & inside, scheme.kinds[kind]["code"], zone)
    return risk.astype(np.int8), zone.astype(np.int8)


def delineate(
    layers: Mapping[str, xr.DataArray],
    scheme: KeyZoneScheme,
    sources: Sequence[PollutionSource] = (),
    zones: Sequence[ProtectionZone] = (),
    samples: Sequence[Sample] = (),
) -> xr.Dataset:
    """Delineate key zones on aligned layers: vulnerability, load, value, overlay.

    Parameters
    ----------
    layers : {name: layer} on one grid and CRS (:mod:`gwsim.zoning.layers`).
    scheme : classes, thresholds and matrices (:func:`gwsim.zoning.scheme.scheme_from_dict`).
    sources : enterprise inventory (:func:`gwsim.zoning.load.read_inventory`); all inside the grid.
    zones : source protection zones (:func:`gwsim.zoning.value.read_protection_zones`); only
        those of ``scheme.protection_method`` unless it is ``"all"``.
    samples : monitoring results (:func:`read_monitoring`); all inside the grid.

    Returns
    -------
    xarray.Dataset on the layers' grid: ``zone`` (kind code, CF flags; 0 outside),
    ``vulnerability_index``, the seven DRASTIC ratings, ``load`` and the class of each assessment
    (``*_class``, −1 = no data), ``hazard`` per source, and the exceedances behind treatment zones.
    """
    check_aligned(layers)
    require(layers, ["yield"], "groundwater value")
    if scheme.protection_method != "all":
        zones = [z for z in zones if z.properties.get("method") == scheme.protection_method]
    template = layers["top"]
    check_inside([(s.name, s.geometry) for s in sources], template, "load.inventory")
    check_inside(
        [(s.well, shapely.Point(s.x, s.y)) for s in samples], template, "treatment.monitoring well"
    )
    ratings = drastic_ratings(layers, scheme.drastic, scheme.codes)
    index = drastic_index(ratings, scheme.weights)
    v_class = grade(index.values, scheme.vulnerability_breaks)
    hazards = [source_hazard(s, scheme.load_factors, scheme.limits) for s in sources]
    load = spread_load(sources, hazards, layers["head"], **scheme.kernel)
    l_class = grade(load.values, scheme.load_breaks)
    value = groundwater_value(
        layers["yield"],
        scheme.yield_breaks,
        zones,
        scheme.zone_class,
        layers.get("use"),
        scheme.use_class,
        scheme.use_codes or scheme.codes.get("use"),
    )
    exceeding = exceedances(samples, scheme.limits, scheme.ignore_parameters)
    masks = {
        "protection": zone_mask(zones, scheme.protection_from, template),
        "treatment": treatment_mask(exceeding, scheme.treatment_radius_m, template),
    }
    risk, zone = zone_codes(v_class, l_class, value.values, masks, scheme)
    return (
        _result(template, ratings, index, load, v_class, l_class, value, risk, zone, scheme)
        .assign(
            hazard=(
                "source",
                np.array(hazards, float),
                {"long_name": "source hazard T*Q*L", "units": "1"},
            ),
            source_name=("source", np.array([s.name for s in sources], dtype=object)),
        )
        .assign_attrs(
            exceedances="; ".join(
                f"{s.well}: {s.parameter} {s.concentration_mg_L:g} mg/L > {scheme.limits[s.parameter]:g}"
                for s in exceeding
            )
            or "none"
        )
    )


def _classes_attrs(classes: Sequence[str], long_name: str) -> dict:
    return {
        "long_name": long_name,
        "flag_values": np.arange(len(classes), dtype=np.int8),
        "flag_meanings": " ".join(classes),
        "comment": "-1 where a layer has no data",
    }


def _result(
    template, ratings, index, load, v_class, l_class, value, risk, zone, scheme
) -> xr.Dataset:
    dims = template.dims
    kinds = sorted(scheme.kinds.items(), key=lambda kv: kv[1]["code"])
    ds = ratings.copy()
    ds["vulnerability_index"] = index
    ds["load"] = load
    ds["vulnerability_class"] = (
        dims,
        v_class,
        _classes_attrs(scheme.vulnerability_classes, "vulnerability class")
        | {"breaks": scheme.vulnerability_breaks},
    )
    ds["load_class"] = (
        dims,
        l_class,
        _classes_attrs(scheme.load_classes, "pollution-source load class")
        | {"breaks": scheme.load_breaks},
    )
    ds["value_class"] = (
        dims,
        value.values,
        _classes_attrs(scheme.value_classes, "groundwater value class"),
    )
    ds["risk_class"] = (dims, risk, _classes_attrs(scheme.risk_classes, "pollution risk class"))
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
