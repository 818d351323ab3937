"""Key-zone layers from a site model: depth to water, recharge, media, conductivity, yield.

A keyzones scenario that names a model (``[model]``, as a flow scenario) gets these layers from
the model's steady heads and properties instead of files (:func:`layers_from_model`):

- ``top``, ``head`` (the water table), ``recharge``, ``porosity``: :func:`gwsim.zoning.layers.
  layers_from_flow`;
- ``k``: the horizontal K of the main aquifer, the saturated model layer of largest
  transmissivity K·b in the column (DRASTIC C rates the aquifer, not a clay cap above it);
- ``aquifer_media`` (DRASTIC A): the category of that main-aquifer layer; ``vadose_zone_media``
  (I): of the layer holding most of the unsaturated zone between land surface and water table
  (the water-table layer where the water table is at or above land); ``soil_media`` (S): of the
  uppermost active layer. Categories per model layer come from the scenario's
  ``[layers.from_model] media`` list (DRASTIC category names, :mod:`gwsim.zoning.drastic`);
- ``yield``: a single well's yield by the Thiem equation Q = 2π·T·s / ln(R/r_w) (Thiem 1906),
  with T the saturated transmissivity of the column (m²/d), s the design drawdown (m, at most half
  the saturated thickness), R the radius of influence and r_w the well radius (m). s, R and r_w
  are gwsim defaults (``DEFAULT_YIELD``), to replace by pumping-test results.

:func:`protection_options` validates the scenario's ``[protection]`` table (the sources whose
zones and recharge areas :mod:`gwsim.protection` draws on the model), as a flow scenario does.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from gwsim.config import check_keys, number, require_table
from gwsim.errors import SpecError
from gwsim.flowfield import FlowField
from gwsim.grid import StructuredGrid
from gwsim.site_model import protection_sources
from gwsim.spec import ModelSpec
from gwsim.zoning.layers import as_layer, model_cell_layers, on_regular_grid

PROTECTION_KEYS = {"sources", "method", "alpha", "media", "subdivisions"}
MEDIA_KEYS = {"aquifer": "aquifer_media", "soil": "soil_media", "vadose": "vadose_zone_media"}
DEFAULT_YIELD = {"drawdown_m": 3.0, "radius_of_influence_m": 300.0, "well_radius_m": 0.15}


def from_model_options(table, nlay: int) -> dict:
    """The validated ``[layers.from_model]`` table: ``media`` (one {aquifer, soil, vadose} table
    per model layer, top first) and ``yield`` (Thiem parameters, defaults ``DEFAULT_YIELD``)."""
    where = "layers.from_model"
    check_keys(table, {"media", "yield"}, where)
    media = table.get("media")
    if not (isinstance(media, list) and len(media) == nlay):
        raise SpecError(
            f"{where}.media",
            f"gives {len(media) if isinstance(media, list) else media!r} entries",
            f"give one {{aquifer, soil, vadose}} table per model layer ({nlay}), top first",
        )
    for n, entry in enumerate(media, start=1):
        check_keys(entry, MEDIA_KEYS, f"{where}.media[{n}]")
        missing = [k for k in MEDIA_KEYS if not isinstance(entry.get(k), str)]
        if missing:
            raise SpecError(f"{where}.media[{n}]", f"no {missing[0]}", f"give {sorted(MEDIA_KEYS)}")
    given = check_keys(require_table(table.get("yield", {}), f"{where}.yield"), DEFAULT_YIELD, "")
    thiem = {
        k: number({**DEFAULT_YIELD, **given}, k, f"{where}.yield", above=0) for k in DEFAULT_YIELD
    }
    if thiem["radius_of_influence_m"] <= thiem["well_radius_m"]:
        raise SpecError(f"{where}.yield", "radius of influence <= well radius", "make R > r_w")
    return {"media": media, "yield": thiem}


def grid_template(grid: StructuredGrid) -> xr.DataArray:
    """An all-NaN layer on a model grid's cell centres (to check file layers against it)."""
    if grid.angrot != 0:
        raise SpecError("model", "the grid is rotated", "key-zone layers need an unrotated grid")
    if not grid.crs:
        raise SpecError("model", "the model grid has no CRS", "give the model grid a crs")
    shape = grid.xcenters.shape
    template = as_layer(
        np.full(shape, np.nan), grid.xcenters[0], grid.ycenters[:, 0], grid.crs, "top"
    )
    return on_regular_grid({"top": template}, grid)["top"]


def _categorical(index: np.ndarray, valid: np.ndarray, names: list[str], template, name: str):
    """A categorical layer of ``names[index]`` (NaN where not ``valid``) with CF flags."""
    meanings = sorted(set(names))
    codes = np.array([meanings.index(n) + 1 for n in names], float)
    return _like(template, np.where(valid, codes[index], np.nan), name).assign_attrs(
        flag_values=np.arange(1, len(meanings) + 1), flag_meanings=" ".join(meanings)
    )


def _like(template: xr.DataArray, values: np.ndarray, name: str) -> xr.DataArray:
    return xr.DataArray(
        values,
        coords=template.coords,
        dims=template.dims,
        name=name,
        attrs={"crs": template.attrs["crs"]},
    )


def layers_from_model(flow: FlowField, k: np.ndarray, options: dict, time_index: int = -1):
    """The key-zone layers of the module docstring from a flow result and its K (m/d)."""
    layers = model_cell_layers(flow, k, time_index)
    grid = flow.grid
    head = flow.head[time_index]
    valid = np.isfinite(layers["head"].values)
    water_table = np.nan_to_num(layers["head"].values, nan=-np.inf)
    tops, bots = grid.cell_top, grid.botm
    saturated = np.clip(np.minimum(np.nan_to_num(head, nan=-np.inf), tops) - bots, 0.0, None)
    transmissivity = np.asarray(k, float) * saturated
    main = np.argmax(transmissivity, axis=0)
    rows, cols = np.indices(main.shape)
    layers["k"] = layers["k"].copy(data=np.where(valid, k[main, rows, cols], np.nan))
    unsaturated = np.clip(np.minimum(tops, grid.top) - np.maximum(bots, water_table), 0.0, None) * (
        grid.idomain > 0
    )
    wt_layer = np.argmax(np.isfinite(head), axis=0)
    vadose = np.where(unsaturated.max(axis=0) > 0, np.argmax(unsaturated, axis=0), wt_layer)
    soil = np.argmax(grid.idomain > 0, axis=0)
    media = options["media"]
    template = layers["top"]
    for key, layer_name in MEDIA_KEYS.items():
        index = {"aquifer": main, "soil": soil, "vadose": vadose}[key]
        names = [entry[key] for entry in media]
        layers[layer_name] = _categorical(index, valid, names, template, layer_name)
    thiem = options["yield"]
    total_b = saturated.sum(axis=0)
    drawdown = np.minimum(thiem["drawdown_m"], 0.5 * total_b)
    q = (
        2.0
        * np.pi
        * transmissivity.sum(axis=0)
        * drawdown
        / np.log(thiem["radius_of_influence_m"] / thiem["well_radius_m"])
    )
    layers["yield"] = _like(template, np.where(valid, q, np.nan), "yield")
    layers["yield"].attrs.update(
        units="m3/d",
        long_name="single-well yield, Thiem Q = 2 pi T s / ln(R / r_w)",
        comment=f"s = min({thiem['drawdown_m']:g} m, half the saturated thickness), "
        f"R = {thiem['radius_of_influence_m']:g} m, r_w = {thiem['well_radius_m']:g} m "
        "(gwsim defaults)",
    )
    return on_regular_grid(layers, grid)


def yield_rows(from_model: dict | None) -> list[dict]:
    """Threshold rows of the Thiem yield parameters of a model-driven scenario."""
    if from_model is None:
        return []
    return [
        {
            "key": f"layers.from_model.yield.{key}",
            "value": str(value),
            "source": "gwsim default (verify by pumping tests)"
            if value == DEFAULT_YIELD[key]
            else "scenario file",
        }
        for key, value in from_model["yield"].items()
    ]


def protection_options(table, spec: ModelSpec) -> dict | None:
    """Validated keyword arguments of protection_zones (plus ``method``) from [protection]."""
    if table is None:
        return None
    check_keys(table, PROTECTION_KEYS, "protection")
    sources = protection_sources(table, spec)
    method = table.get("method", "numerical")
    if method not in ("numerical", "empirical"):
        raise SpecError("protection.method", f"{method!r}", 'use "numerical" or "empirical"')
    options = {k: v for k, v in table.items() if k not in ("sources", "method")}
    number(options, "alpha", "protection", above=0)
    options["sources"] = sources
    options["method"] = method
    return options
