"""Gridded layers for key-zone delineation: one regular grid, one CRS.

A layer is an :class:`xarray.DataArray` with dimensions ``("y", "x")``, cell-centre coordinates in
metres of a projected CRS (``x`` increasing east, ``y`` decreasing: row 0 is the northern row, as
in MODFLOW), and the CRS in ``attrs["crs"]`` (anything :mod:`pyproj` reads: ``"EPSG:4548"``, WKT).
Layers come from netCDF (CF: the CRS from the ``grid_mapping`` variable's ``crs_wkt`` or a ``crs``
attribute), from GeoTIFF (through ``rioxarray``, an optional dependency) or from a gwsim flow model
(:func:`layers_from_flow`). Every analysis in :mod:`gwsim.zoning` needs its layers aligned:
:func:`check_aligned` refuses grids or CRSs that differ, naming the layer.

Layer names used by :mod:`gwsim.zoning` (units):

=====================  ==========================================================================
``top``                land surface, m
``head``               water-table elevation, m
``recharge``           net recharge, mm/a
``k``                  horizontal hydraulic conductivity at the water table, m/d
``porosity``           effective porosity, - (needed where ``aquifer_type`` is fractured)
``aquifer_type``       categorical: ``porous`` or ``fractured`` (optional; default porous)
``aquifer_media``      categorical (DRASTIC A)
``soil_media``         categorical (DRASTIC S)
``vadose_zone_media``  categorical (DRASTIC I)
``yield``              single-well yield, m³/d
``use``                categorical groundwater use (optional)
=====================  ==========================================================================

Categorical layers hold integer codes; their names come from CF ``flag_values``/``flag_meanings``
attributes or from a ``{code: name}`` table given with the layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pyproj
import shapely
import xarray as xr

from gwsim.errors import SpecError
from gwsim.flowfield import FlowField
from gwsim.grid import StructuredGrid

DIMS = ("y", "x")
DAYS_PER_YEAR = 365.25


def as_layer(values, x, y, crs: str, name: str, units: str = "", **attrs) -> xr.DataArray:
    """A layer from a (ny, nx) array and its cell-centre coordinates (m, ``y`` north first)."""
    da = xr.DataArray(
        np.asarray(values),
        dims=DIMS,
        coords={"y": ("y", np.asarray(y, float)), "x": ("x", np.asarray(x, float))},
        name=name,
        attrs={"crs": crs, **({"units": units} if units else {}), **attrs},
    )
    return da.sortby("x").sortby("y", ascending=False)


def read_layer(path: str | Path, name: str, variable: str | None = None) -> xr.DataArray:
    """Read one layer from a netCDF or GeoTIFF file.

    Parameters
    ----------
    path : ``.nc`` (netCDF) or ``.tif``/``.tiff`` (GeoTIFF, needs the ``rioxarray`` package).
    name : the layer's name in gwsim (``"k"``, ``"aquifer_media"``...); errors name it.
    variable : the netCDF variable holding it (default ``name``); ignored for GeoTIFF.

    Returns
    -------
    xarray.DataArray with dims ``("y", "x")``, ``attrs["crs"]`` and the file's other attributes.
    """
    path = Path(path)
    where = f"layers.{name}"
    if not path.is_file():
        raise SpecError(where, f"file {path} not found", "check the path")
    suffix = path.suffix.lower()
    if suffix in (".tif", ".tiff"):
        da = _read_geotiff(path, where)
    elif suffix in (".nc", ".nc4", ".cdf"):
        da = _read_netcdf(path, variable or name, where)
    else:
        raise SpecError(where, f"cannot read {path.name}", "give a netCDF (.nc) or GeoTIFF (.tif)")
    extra = [d for d in da.dims if d not in DIMS]
    for dim in extra:
        if da.sizes[dim] != 1:
            raise SpecError(
                where, f"has dimension {dim!r} of size {da.sizes[dim]}", "give a 2-D map"
            )
    da = da.squeeze(extra, drop=True)
    if set(da.dims) != set(DIMS):
        raise SpecError(where, f"has dimensions {da.dims}", "give a map with dimensions (y, x)")
    layer = as_layer(da.transpose(*DIMS).values, da["x"], da["y"], da.attrs.pop("crs"), name)
    layer.attrs.update(da.attrs)
    return layer


def _read_netcdf(path: Path, variable: str, where: str) -> xr.DataArray:
    with xr.open_dataset(path) as ds:
        if variable not in ds:
            names = sorted(str(v) for v in ds.data_vars)
            raise SpecError(
                where, f"variable {variable!r} not in {path.name}", f"use one of {names}"
            )
        da = ds[variable].load()
        mapping = ds.get(da.attrs.get("grid_mapping", ""))
        crs = (
            (mapping.attrs.get("crs_wkt") or mapping.attrs.get("spatial_ref"))
            if mapping is not None
            else None
        )
        crs = crs or da.attrs.get("crs") or ds.attrs.get("crs")
    if not crs:
        raise SpecError(
            where, f"{path.name} gives no CRS", "add a CF grid_mapping variable or a crs attribute"
        )
    da.attrs["crs"] = crs
    da.attrs.pop("grid_mapping", None)
    return da


def _read_geotiff(path: Path, where: str) -> xr.DataArray:
    try:
        import rioxarray
    except ImportError as exc:
        raise SpecError(
            where,
            f"reading GeoTIFF {path.name} needs the rioxarray package, which is not installed",
            "pip install rioxarray, or convert the layer to netCDF",
        ) from exc
    da = rioxarray.open_rasterio(path, masked=True)
    if da.rio.crs is None:
        raise SpecError(where, f"{path.name} has no CRS", "georeference the GeoTIFF")
    crs = da.rio.crs.to_wkt()
    da = da.drop_vars([c for c in da.coords if c not in ("x", "y")])
    da.attrs = {k: v for k, v in da.attrs.items() if k not in ("scale_factor", "add_offset")}
    da.attrs["crs"] = crs
    return da


def require(layers: Mapping[str, xr.DataArray], names, purpose: str) -> None:
    """Raise :class:`SpecError` naming the first of ``names`` missing from ``layers``."""
    for name in names:
        if name not in layers:
            raise SpecError(
                f"layers.{name}", f"missing (needed for {purpose})", "add it to the [layers] table"
            )


def check_aligned(layers: Mapping[str, xr.DataArray]) -> None:
    """Raise :class:`SpecError` unless all layers share one regular grid and one CRS.

    The grid is the cell-centre coordinates (to 1e-6 of a cell); the CRS is compared by
    :mod:`pyproj` (so ``"EPSG:4548"`` equals its WKT). The error names the first layer that
    differs from the first one and how.
    """
    items = list(layers.items())
    if not items:
        raise SpecError("layers", "no layers given", "give at least the vulnerability layers")
    ref_name, ref = items[0]
    dx, dy = cell_size(ref, ref_name)
    ref_crs = _crs(ref, ref_name)
    for name, layer in items[1:]:
        where = f"layers.{name}"
        if layer.shape != ref.shape:
            raise SpecError(
                where,
                f"grid of {layer.shape[0]} x {layer.shape[1]} cells differs from {ref_name}'s "
                f"{ref.shape[0]} x {ref.shape[1]}",
                "resample all layers onto one grid",
            )
        for axis, size in (("x", dx), ("y", dy)):
            offset = np.max(np.abs(layer[axis].values - ref[axis].values))
            if offset > 1e-6 * size:
                raise SpecError(
                    where,
                    f"{axis} coordinates differ from {ref_name}'s by up to {offset:g} m",
                    "resample all layers onto one grid",
                )
        if not _crs(layer, name).equals(ref_crs):
            raise SpecError(
                where,
                f"CRS {_crs(layer, name).name!r} differs from {ref_name}'s {ref_crs.name!r}",
                "reproject all layers into one CRS",
            )


def _crs(layer: xr.DataArray, name: str) -> pyproj.CRS:
    crs = layer.attrs.get("crs")
    if not crs:
        raise SpecError(f"layers.{name}", "has no CRS", "set attrs['crs'], e.g. 'EPSG:4548'")
    crs = pyproj.CRS.from_user_input(crs)
    if not crs.is_projected:
        raise SpecError(f"layers.{name}", f"CRS {crs.name!r} is not projected", "use metres")
    return crs


def cell_size(layer: xr.DataArray, name: str = "layer") -> tuple[float, float]:
    """(dx, dy) in m of a regular grid; :class:`SpecError` if the spacing is irregular."""
    sizes = []
    for axis in ("x", "y"):
        step = np.abs(np.diff(layer[axis].values))
        if step.size == 0 or np.ptp(step) > 1e-6 * step.max():
            raise SpecError(
                f"layers.{name}",
                f"{axis} spacing is not regular (need at least 2 equally spaced cells)",
                "resample onto a regular grid",
            )
        sizes.append(float(step.mean()))
    return sizes[0], sizes[1]


def cell_area_m2(layer: xr.DataArray) -> float:
    """Area of one cell of a layer's regular grid, m²."""
    dx, dy = cell_size(layer)
    return dx * dy


def depth_to_water(top: xr.DataArray, head: xr.DataArray) -> xr.DataArray:
    """Depth to water D = top − head (m); negative where the head is above land (flowing)."""
    return (top - head).rename("depth_to_water").assign_attrs(units="m", crs=top.attrs["crs"])


def slope_percent(top: xr.DataArray) -> xr.DataArray:
    """Land-surface slope in percent, 100·|∇z|, by central differences (one-sided at edges)."""
    dx, dy = cell_size(top, "top")
    dzdy, dzdx = np.gradient(top.values.astype(float), dy, dx)
    return top.copy(data=100.0 * np.hypot(dzdx, dzdy)).rename("slope").assign_attrs(units="%")


def hydraulic_gradient(head: xr.DataArray) -> tuple[np.ndarray, np.ndarray]:
    """(∂h/∂x, ∂h/∂y) of the water table (-), y pointing north."""
    dx, dy = cell_size(head, "head")
    dhdrow, dhdx = np.gradient(head.values.astype(float), dy, dx)
    return dhdx, -dhdrow  # rows run south


def cell_of(layer: xr.DataArray, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the cells containing points (m); -1 where outside the grid."""
    dx, dy = cell_size(layer)
    x, y = np.atleast_1d(np.asarray(x, float)), np.atleast_1d(np.asarray(y, float))
    col = np.floor((x - (layer.x.values[0] - dx / 2)) / dx).astype(int)
    row = np.floor(((layer.y.values[0] + dy / 2) - y) / dy).astype(int)
    inside = (col >= 0) & (col < layer.sizes["x"]) & (row >= 0) & (row < layer.sizes["y"])
    return np.where(inside, row, -1), np.where(inside, col, -1)


def cell_boxes(layer: xr.DataArray) -> np.ndarray:
    """(ny, nx) array of shapely boxes, one per cell."""
    dx, dy = cell_size(layer)
    xc, yc = np.meshgrid(layer.x.values, layer.y.values)
    return shapely.box(xc - dx / 2, yc - dy / 2, xc + dx / 2, yc + dy / 2)


def geometry_mask(geometry, layer: xr.DataArray) -> np.ndarray:
    """(ny, nx) bool: cells whose centre lies in (or on the edge of) a shapely geometry."""
    xc, yc = np.meshgrid(layer.x.values, layer.y.values)
    return shapely.intersects_xy(geometry, xc, yc)


def categories(
    layer: xr.DataArray, name: str, codes: Mapping[int, str] | None = None
) -> np.ndarray:
    """(ny, nx) category names of a categorical layer's integer codes ("" where NaN).

    The names come from ``codes`` ({code: name}) when given, else from the layer's CF
    ``flag_values`` and ``flag_meanings`` attributes; a code with no name is an error naming the
    layer and the code.
    """
    where = f"layers.{name}"
    if codes is None:
        if "flag_values" not in layer.attrs or "flag_meanings" not in layer.attrs:
            raise SpecError(
                where,
                "categorical layer without a code table",
                f"add [vulnerability.codes.{name}] or CF flag_values/flag_meanings to the file",
            )
        values = np.atleast_1d(layer.attrs["flag_values"])
        codes = dict(zip(values.tolist(), str(layer.attrs["flag_meanings"]).split(), strict=True))
    codes = {int(c): str(n) for c, n in codes.items()}
    data = layer.values.astype(float)
    present = np.unique(data[np.isfinite(data)])
    for code in present:
        if code != int(code) or int(code) not in codes:
            raise SpecError(
                where, f"code {code:g} has no category name", f"known codes: {sorted(codes)}"
            )
    names = np.full(data.shape, "", dtype=object)
    for code, label in codes.items():
        names[data == code] = label
    return names


def regular_refinement(delr: np.ndarray, delc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Model row and column under each cell of the regular grid of the smallest cell widths.

    Key-zone layers share one regular raster; a model grid whose row and column widths are whole
    multiples of the smallest (e.g. 25 m rows in a valley, 50 m on its hillslopes) maps onto that
    raster exactly by repeating rows and columns. Raises :class:`SpecError` otherwise.
    """

    def index(widths: np.ndarray, axis: str) -> np.ndarray:
        ratio = widths / widths.min()
        if not np.allclose(ratio, np.round(ratio), rtol=0.0, atol=1e-6):
            raise SpecError(
                "model",
                f"the {axis} widths {sorted({float(w) for w in widths})} m are not whole "
                "multiples of the smallest, so the model has no regular raster",
                "give the key-zone layers as files, or use widths that are multiples of the finest",
            )
        return np.repeat(np.arange(widths.size), np.round(ratio).astype(int))

    return index(np.asarray(delc, float), "row"), index(np.asarray(delr, float), "column")


def on_regular_grid(
    layers: Mapping[str, xr.DataArray], grid: StructuredGrid
) -> dict[str, xr.DataArray]:
    """Layers on a model's cells (unrotated) moved onto its regular raster
    (:func:`regular_refinement`); unchanged when the model grid is regular already."""
    rows, cols = regular_refinement(grid.delr, grid.delc)
    if rows.size == grid.nrow and cols.size == grid.ncol:
        return dict(layers)
    dx, dy = float(grid.delr.min()), float(grid.delc.min())
    x = grid.xorigin + (np.arange(cols.size) + 0.5) * dx
    y = grid.yorigin + float(grid.delc.sum()) - (np.arange(rows.size) + 0.5) * dy
    return {
        name: xr.DataArray(
            da.values[np.ix_(rows, cols)],
            dims=DIMS,
            coords={"y": ("y", y), "x": ("x", x)},
            name=da.name,
            attrs=da.attrs,
        )
        for name, da in layers.items()
    }


def layers_from_flow(
    flow: FlowField, k: np.ndarray, time_index: int = -1
) -> dict[str, xr.DataArray]:
    """The layers a gwsim flow model already knows, at one saved time step, on its regular raster
    (:func:`on_regular_grid`)."""
    return on_regular_grid(model_cell_layers(flow, k, time_index), flow.grid)


def model_cell_layers(
    flow: FlowField, k: np.ndarray, time_index: int = -1
) -> dict[str, xr.DataArray]:
    """The layers a gwsim flow model already knows, at one saved time step, on the model's cells.

    Parameters
    ----------
    flow : a :class:`~gwsim.FlowField` on an unrotated grid with a CRS.
    k : (nlay, nrow, ncol) horizontal hydraulic conductivity, m/d (e.g.
        ``spec.properties.arrays(spec.grid.shape)["k"]``).
    time_index : saved step to use (default the last).

    Returns
    -------
    dict with ``top`` (m), ``head`` (the water table: head of the uppermost wet cell, m),
    ``recharge`` (mm/a: the flow into each column from recharge packages, budget type ``RCH``,
    divided by the cell area; 0 without one), ``k`` and ``porosity`` of the water-table cell.
    Columns with no wet cell are NaN.
    """
    if flow.grid.angrot != 0:
        raise SpecError("model", "the grid is rotated", "key-zone layers need an unrotated grid")
    if not flow.grid.crs:
        raise SpecError("model", "the flow field has no CRS", "give the model grid a crs")
    k = np.asarray(k, float)
    if k.shape != flow.shape:
        raise SpecError("model.k", f"shape {k.shape} is not the grid's {flow.shape}", "")
    head = flow.head[time_index]
    wet = np.isfinite(head)
    layer = np.argmax(wet, axis=0)
    any_wet = wet.any(axis=0)
    rows, cols = np.indices(layer.shape)

    def at_water_table(values: np.ndarray) -> np.ndarray:
        return np.where(any_wet, values[layer, rows, cols], np.nan)

    area = np.outer(flow.grid.delc, flow.grid.delr)
    rch = sum(
        (
            q[time_index].sum(axis=0)
            for n, q in flow.sources.items()
            if flow.source_types[n] == "RCH"
        ),
        np.zeros(area.shape),
    )
    x, y = flow.grid.xcenters[0], flow.grid.ycenters[:, 0]

    def make(values: np.ndarray, name: str, units: str) -> xr.DataArray:
        return as_layer(values, x, y, flow.grid.crs, name, units)

    return {
        "top": make(np.where(any_wet, flow.grid.top, np.nan), "top", "m"),
        "head": make(at_water_table(head), "head", "m"),
        "recharge": make(
            np.where(any_wet, rch / area * 1000.0 * DAYS_PER_YEAR, np.nan), "recharge", "mm/a"
        ),
        "k": make(at_water_table(k), "k", "m/d"),
        "porosity": make(at_water_table(flow.porosity), "porosity", "1"),
    }
