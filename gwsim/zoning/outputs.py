"""Key-zone outputs: zone raster (netCDF, GeoTIFF), zone polygons (GeoJSON), area tables,
management requirements (both languages wherever zones are shown).

Every writer takes provenance attributes (:func:`gwsim.provenance.provenance_attrs`) and writes
atomically (:func:`gwsim.writers.atomic_path`). Areas are cell counts × cell area (ha), each
cell counted in the zone and the county that contain its centre.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyproj
import shapely
import xarray as xr

from gwsim.grid import crs_wkt
from gwsim.writers import atomic_path, write_geojson
from gwsim.zoning.layers import cell_area_m2, cell_boxes, geometry_mask
from gwsim.zoning.scheme import KeyZoneScheme

M2_PER_HA = 1e4
AREA_COLUMNS = ("county", "zone", "name_en", "name_zh", "group", "cells", "area_ha", "percent")


def write_zone_netcdf(ds: xr.Dataset, path: Path, attrs: dict) -> Path:
    """The delineation dataset as CF netCDF with a ``spatial_ref`` grid mapping (m, EPSG WKT)."""
    out = ds.copy()
    wkt = crs_wkt(ds.attrs["crs"])
    out["spatial_ref"] = xr.DataArray(0, attrs={"crs_wkt": wkt, "spatial_ref": wkt})
    for var in out.data_vars.values():
        if var.dims == ("y", "x"):
            var.attrs["grid_mapping"] = "spatial_ref"
    out["x"].attrs.update(units="m", standard_name="projection_x_coordinate")
    out["y"].attrs.update(units="m", standard_name="projection_y_coordinate")
    out.attrs.update(
        title="gwsim key zones for groundwater pollution prevention", Conventions="CF-1.8"
    )
    out.attrs.update(attrs)
    encoding = {v: {"zlib": True, "complevel": 4} for v in out.data_vars if out[v].ndim == 2}
    with atomic_path(path) as tmp:
        out.to_netcdf(tmp, engine="netcdf4", encoding=encoding)
    return path


def write_zone_geotiff(ds: xr.Dataset, path: Path, attrs: dict) -> Path:
    """The zone raster (int8 kind codes, 0 outside) as a GeoTIFF with its CRS (``rioxarray``)."""
    import rioxarray  # noqa: F401  (registers the .rio accessor)

    zone = ds["zone"].astype(np.int8)
    zone.attrs = {
        "long_name": zone.attrs.get("long_name", ""),
        **{k: str(v) for k, v in attrs.items()},
    }
    zone = zone.rio.write_crs(crs_wkt(ds.attrs["crs"])).rio.write_nodata(0)
    with atomic_path(path) as tmp:
        zone.rio.to_raster(tmp, driver="GTiff", compress="deflate")
    return path


def zone_features(ds: xr.Dataset, scheme: KeyZoneScheme) -> list[dict]:
    """One GeoJSON feature per zone kind present: the union of its cells, with its names and
    management requirements in English and Chinese, group, area (ha) and source."""
    boxes = cell_boxes(ds["zone"])
    area = cell_area_m2(ds["zone"])
    features = []
    for name, kind in sorted(scheme.kinds.items(), key=lambda kv: kv[1]["code"]):
        cells = ds["zone"].values == kind["code"]
        if not cells.any():
            continue
        geometry = shapely.simplify(shapely.union_all(boxes[cells]), 0.0)
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(geometry),
                "properties": {
                    "zone": name,
                    "code": kind["code"],
                    "name_en": kind["name_en"],
                    "name_zh": kind["name_zh"],
                    "group": kind["group"],
                    "area_ha": round(float(cells.sum() * area / M2_PER_HA), 2),
                    "requirements_en": kind["requirements_en"],
                    "requirements_zh": kind["requirements_zh"],
                    "source": kind["source"],
                },
            }
        )
    return features


def write_zone_geojson(ds: xr.Dataset, scheme: KeyZoneScheme, path: Path, attrs: dict) -> Path:
    """Zone polygons (:func:`zone_features`) as GeoJSON in the layers' CRS, named by its EPSG code
    (a CRS without one is kept as WKT in the ``gwsim`` member's ``crs_wkt``)."""
    epsg = pyproj.CRS.from_user_input(ds.attrs["crs"]).to_epsg()
    if epsg is None:
        attrs = {**attrs, "crs_wkt": crs_wkt(ds.attrs["crs"])}
    return write_geojson(path, zone_features(ds, scheme), epsg and f"EPSG:{epsg}", attrs)


def county_names(template: xr.DataArray, counties: Sequence[tuple[str, object]]) -> np.ndarray:
    """(ny, nx) name of the county containing each cell centre ("" outside all of them)."""
    names = np.full(template.shape, "", dtype=object)
    for name, geometry in counties:
        names[geometry_mask(geometry, template) & (names == "")] = name
    return names


def area_table(
    ds: xr.Dataset, scheme: KeyZoneScheme, counties: Sequence[tuple[str, object]] = ()
) -> list[dict]:
    """Area (ha) and share of the mapped area (%) of each zone kind, per county when given.

    Rows for each county (cells outside every county under ``"(outside counties)"``), then for
    ``"all"``; kinds with no cells are listed with zero area; each group ends with the totals of
    protection-type areas, control-type areas and key zones (both).
    """
    zone = ds["zone"].values
    area = cell_area_m2(ds["zone"])
    groups = [("all", np.ones(zone.shape, bool))]
    if counties:
        names = county_names(ds["zone"], counties)
        groups = [(n, names == n) for n, _ in counties]
        if (names == "").any():
            groups.append(("(outside counties)", names == ""))
        groups.append(("all", np.ones(zone.shape, bool)))
    rows = []
    for county, mask in groups:
        mapped = int((mask & (zone > 0)).sum())
        kinds = sorted(scheme.kinds.items(), key=lambda kv: kv[1]["code"])
        lines = [
            (name, kind["name_en"], kind["name_zh"], kind["group"], [kind["code"]])
            for name, kind in kinds
        ]
        for group, (name_en, name_zh) in scheme.group_names.items():
            members = ("protection", "control") if group == "key" else (group,)
            codes = [k["code"] for _, k in kinds if k["group"] in members]
            lines.append((f"total_{group}", name_en, name_zh, "total", codes))
        for zone_name, name_en, name_zh, group, codes in lines:
            cells = int((mask & np.isin(zone, codes)).sum())
            rows.append(
                {
                    "county": county,
                    "zone": zone_name,
                    "name_en": name_en,
                    "name_zh": name_zh,
                    "group": group,
                    "cells": cells,
                    "area_ha": round(cells * area / M2_PER_HA, 2),
                    "percent": round(100.0 * cells / mapped, 2) if mapped else 0.0,
                }
            )
    return rows


def write_requirements(scheme: KeyZoneScheme, path: Path, attrs: dict) -> Path:
    """The management requirements of every zone kind, in Chinese and English, as Markdown."""
    lines = [f"# 分区管控要求 / Management requirements by zone kind ({scheme.title})", ""]
    for name, kind in sorted(scheme.kinds.items(), key=lambda kv: kv[1]["code"]):
        lines += [f"## {kind['name_zh']} / {kind['name_en']} (`{name}`, code {kind['code']})", ""]
        lines += [f"Group: {kind['group']}; source: {kind['source']}.", ""]
        lines += [f"- {text}" for text in kind["requirements_zh"]] + [""]
        lines += [f"- {text}" for text in kind["requirements_en"]] + [""]
    lines += ["Provenance:", ""] + [f"- {k}: {v}" for k, v in attrs.items()]
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
