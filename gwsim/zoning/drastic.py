"""Intrinsic vulnerability: the DRASTIC index and its adaptation to fractured red beds.

DRASTIC (Aller et al. 1987) rates seven hydrogeologic parameters from 1 to 10 and sums them with
weights::

    DI = w_D·D + w_R·R + w_A·A + w_S·S + w_T·T + w_I·I + w_C·C      (standard weights 5-4-3-2-1-5-3)

D depth to water (m), R net recharge (mm/a), A aquifer media, S soil media, T topography (slope, %),
I impact of the vadose zone, C hydraulic conductivity (m/d). With the standard weights DI ranges
from 23 to 226 (26 to 226 with the typical ratings kept here: :func:`index_range`). The rating
tables are data (``data/drastic.toml``), converted from the published imperial units.

Where the layers come from: D = ``top`` − ``head``; T = slope of ``top``; R = ``recharge``;
C = ``k``; A, S and I from the categorical layers ``aquifer_media``, ``soil_media`` and
``vadose_zone_media`` through their code tables.

**Red-bed adaptation** (gwsim's, stated here and in the data file; verify with site data): in cells
where the optional ``aquifer_type`` layer says ``fractured`` (weathered-fracture aquifers of the
Cretaceous–Paleogene red beds), (1) A and I use red-bed categories mapped to the nearest
Aller et al. medium, with the rating chosen inside its published range by the degree of fracturing;
(2) C is rated on the porosity-equivalent conductivity K·n_ref/n (n the effective fracture
porosity from the ``porosity`` layer, n_ref = 0.25), the conductivity a porous medium would need
for the same seepage velocity K·I/n. Weights and the other ratings are unchanged, so porous and
fractured cells share one index scale and one set of classes.

Reference: Aller, L., Bennett, T., Lehr, J. H., Petty, R. J. and Hackett, G. (1987). DRASTIC: a
standardized system for evaluating ground water pollution potential using hydrogeologic settings.
US EPA, EPA/600/2-87/035.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from gwsim.config import package_table
from gwsim.errors import SpecError
from gwsim.zoning.grading import grade
from gwsim.zoning.layers import categories, depth_to_water, require, slope_percent

PARAMETERS = ("D", "R", "A", "S", "T", "I", "C")
CATEGORICAL_LAYERS = {"A": "aquifer_media", "S": "soil_media", "I": "vadose_zone_media"}
AQUIFER_TYPES = ("porous", "fractured")
LAYERS = ("top", "head", "recharge", "k", *CATEGORICAL_LAYERS.values())


def drastic_table(ratings: Mapping[str, Mapping[str, int]] | None = None) -> dict:
    """The DRASTIC weights and rating tables of ``data/drastic.toml``.

    ``ratings`` ({parameter: {category: rating}}, e.g. ``{"A": {"weathered_granite": 4}}``) adds
    categories or changes ratings of A, S and I; ratings must be integers 1–10.
    """
    table = package_table("gwsim.zoning", "drastic.toml")
    for param, extra in (ratings or {}).items():
        where = f"vulnerability.ratings.{param}"
        if param not in CATEGORICAL_LAYERS:
            raise SpecError(where, "not a categorical parameter", "use A, S or I")
        for category, rating in extra.items():
            if not (isinstance(rating, int) and 1 <= rating <= 10):
                raise SpecError(f"{where}.{category}", f"rating {rating!r}", "use an integer 1-10")
        table["parameters"][param]["ratings"] = {**table["parameters"][param]["ratings"], **extra}
    return table


def drastic_weights(weights: str | Mapping[str, float], table: dict) -> dict[str, float]:
    """Weights by parameter: a named set of the table (``"standard"``, ``"pesticide"``) or a table
    ``{D: 5, R: 4, ...}`` of positive numbers for all seven parameters."""
    where = "vulnerability.weights"
    if isinstance(weights, str):
        if weights not in table["weights"]:
            raise SpecError(
                where, f"unknown weight set {weights!r}", f"use {sorted(table['weights'])}"
            )
        weights = table["weights"][weights]
    if not isinstance(weights, Mapping) or set(weights) != set(PARAMETERS):
        raise SpecError(where, f"{weights!r}", f"give one weight for each of {list(PARAMETERS)}")
    for param, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, int | float) or w <= 0:
            raise SpecError(f"{where}.{param}", f"{w!r} is not a positive number", "")
    return {p: float(weights[p]) for p in PARAMETERS}


def index_range(weights: Mapping[str, float], table: dict) -> tuple[float, float]:
    """The DRASTIC index's possible range (Σ w·min rating, Σ w·max rating) under ``table``.

    26-226 for the standard weights and the typical ratings of ``data/drastic.toml`` (net recharge
    tops out at 9; the published 23-226 takes 1, the low end of massive shale's 1-3 range, for A).
    """
    lo = hi = 0.0
    for param in PARAMETERS:
        entry = table["parameters"][param]
        ratings = list(
            entry["ratings"].values() if param in CATEGORICAL_LAYERS else entry["ratings"]
        )
        lo += weights[param] * min(ratings)
        hi += weights[param] * max(ratings)
    return lo, hi


def rate_ranges(values, upper_bounds, ratings) -> np.ndarray:
    """Ratings of a ranged parameter: ``ratings[i]`` for upper_bounds[i−1] <= v < upper_bounds[i];
    NaN where the value is NaN."""
    classes = grade(values, upper_bounds)
    rated = np.asarray(ratings, float)[np.maximum(classes, 0)]
    return np.where(classes < 0, np.nan, rated)


def rate_categories(names: np.ndarray, ratings: Mapping[str, int], layer: str) -> np.ndarray:
    """Ratings of category names ("" = no data → NaN); a category with no rating is an error
    naming the layer and the category."""
    rated = np.full(names.shape, np.nan)
    for category in np.unique(names):
        if category == "":
            continue
        if category not in ratings:
            raise SpecError(
                f"layers.{layer}",
                f"category {category!r} has no DRASTIC rating",
                f"add it under [vulnerability.ratings] or use one of {sorted(ratings)}",
            )
        rated[names == category] = ratings[category]
    return rated


def fractured_cells(
    layers: Mapping[str, xr.DataArray], codes: Mapping[str, Mapping[int, str]]
) -> np.ndarray:
    """(ny, nx) bool: cells whose ``aquifer_type`` is ``fractured`` (none without that layer)."""
    if "aquifer_type" not in layers:
        return np.zeros(layers["top"].shape, bool)
    names = categories(layers["aquifer_type"], "aquifer_type", codes.get("aquifer_type"))
    unknown = sorted(set(np.unique(names)) - {"", *AQUIFER_TYPES})
    if unknown:
        raise SpecError(
            "layers.aquifer_type",
            f"category {unknown[0]!r} is not an aquifer type",
            f"use {AQUIFER_TYPES}",
        )
    return names == "fractured"


def drastic_ratings(
    layers: Mapping[str, xr.DataArray],
    table: dict,
    codes: Mapping[str, Mapping[int, str]] | None = None,
) -> xr.Dataset:
    """The seven DRASTIC ratings (1–10, NaN where a layer has no data) of every cell.

    Parameters
    ----------
    layers : aligned layers (see :mod:`gwsim.zoning.layers`): ``top``, ``head``, ``recharge``,
        ``k``, ``aquifer_media``, ``soil_media``, ``vadose_zone_media``; ``aquifer_type`` and
        ``porosity`` for the red-bed adaptation.
    table : :func:`drastic_table`.
    codes : {layer: {code: category}} for categorical layers without CF flag attributes.
    """
    require(layers, LAYERS, "DRASTIC vulnerability")
    codes = codes or {}
    params = table["parameters"]
    fractured = fractured_cells(layers, codes)
    values = {
        "D": depth_to_water(layers["top"], layers["head"]).values,
        "R": layers["recharge"].values,
        "T": slope_percent(layers["top"]).values,
        "C": layers["k"].values.astype(float),
    }
    if fractured.any():
        require(layers, ["porosity"], "the red-bed adaptation of C in fractured cells")
        n = layers["porosity"].values
        if np.any(fractured & ~(n > 0)):
            raise SpecError("layers.porosity", "not positive in fractured cells", "give n > 0")
        n_ref = table["fractured"]["reference_porosity"]
        values["C"] = np.where(
            fractured, values["C"] * n_ref / np.where(fractured, n, 1.0), values["C"]
        )
    template = layers["top"]
    ratings = {}
    for param in PARAMETERS:
        entry = params[param]
        if param in CATEGORICAL_LAYERS:
            name = CATEGORICAL_LAYERS[param]
            names = categories(layers[name], name, codes.get(name))
            rated = rate_categories(names, entry["ratings"], name)
        else:
            rated = rate_ranges(values[param], entry["upper_bounds"], entry["ratings"])
        ratings[param] = (
            template.dims,
            rated,
            {"long_name": f"DRASTIC rating of {entry['name']}", "units": "1"},
        )
    return xr.Dataset(ratings, coords=template.coords)


def drastic_index(ratings: xr.Dataset, weights: Mapping[str, float]) -> xr.DataArray:
    """DI = Σ w_p·r_p over the seven parameters (NaN where any rating is NaN)."""
    index = sum(weights[p] * ratings[p] for p in PARAMETERS)
    return index.rename("vulnerability_index").assign_attrs(
        long_name="DRASTIC vulnerability index",
        units="1",
        weights=" ".join(f"{p}={weights[p]:g}" for p in PARAMETERS),
    )
