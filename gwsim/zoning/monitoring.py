"""Monitoring results: samples at wells, GB/T 14848-2017 Class III exceedances, water quality.

Samples come from CSV with columns ``well, x, y, parameter, concentration_mg_L`` (x, y in the
layers' CRS, m). They serve two purposes: the water-quality term of functional value
(:func:`quality_map`) and, in schemes that have one, the treatment zone (2014 trial guide).

gwsim holds the Class III limits only, so a well's water is rated "Class III or better" (3) when
every sample meets its limit and "worse than Class III" (4, read as Class IV) otherwise — the
single-factor rule of GB/T 14848-2017 (the worst parameter sets the class). Parameters listed as
natural background (e.g. iron, manganese in red beds) are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from gwsim.errors import SpecError
from gwsim.zoning.vectors import number, read_table

MONITORING_COLUMNS = ("well", "x", "y", "parameter", "concentration_mg_L")
CLASS_III_OR_BETTER, WORSE_THAN_III = 3, 4


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
    where = "quality.monitoring"
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
                f"quality.monitoring row {n} ({s.well!r})",
                f"parameter {s.parameter!r} has no GB/T 14848 Class III limit",
                f"use one of {sorted(limits)}",
            )
    return [
        s
        for s in samples
        if s.parameter not in ignore and s.concentration_mg_L > limits[s.parameter]
    ]


def near_wells(samples: Sequence[Sample], radius_m: float, template: xr.DataArray) -> np.ndarray:
    """(ny, nx) bool: cells whose centre is within ``radius_m`` of a sample's well."""
    xc, yc = np.meshgrid(template.x.values, template.y.values)
    mask = np.zeros(template.shape, bool)
    for s in samples:
        mask |= (xc - s.x) ** 2 + (yc - s.y) ** 2 <= radius_m**2
    return mask


def quality_map(
    samples: Sequence[Sample],
    limits: Mapping[str, float],
    ignore: Sequence[str],
    radius_m: float,
    template: xr.DataArray,
) -> np.ndarray:
    """(ny, nx) int8 GB/T 14848 class of each cell from the wells within ``radius_m``: 4 (worse
    than Class III) near any exceeding well, else 3 near any well, else 0 (not monitored)."""
    exceeding = exceedances(samples, limits, ignore)
    kept = [s for s in samples if s.parameter not in ignore]
    quality = np.where(near_wells(kept, radius_m, template), CLASS_III_OR_BETTER, 0)
    quality = np.where(near_wells(exceeding, radius_m, template), WORSE_THAN_III, quality)
    return quality.astype(np.int8)
