"""Vector inputs of key-zone delineation: GeoJSON features and CSV tables.

GeoJSON read here may carry a legacy ``crs`` member (``{"type": "name", "properties": {"name":
"EPSG:4548"}}``); without one it is longitude/latitude on WGS 84 (RFC 7946). Geometries are
transformed into the layers' CRS (``always_xy``: easting first).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyproj
import shapely

from gwsim.errors import SpecError

WGS84 = "EPSG:4326"


def read_features(path: str | Path, crs: str, where: str) -> list[tuple[object, dict]]:
    """(shapely geometry in ``crs``, properties) of every feature of a GeoJSON file."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(where, f"file {path} not found", "check the path")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SpecError(where, f"{path.name} is not valid JSON: {exc}", "fix the file") from exc
    if data.get("type") != "FeatureCollection":
        raise SpecError(where, f"{path.name} is not a GeoJSON FeatureCollection", "")
    source = data.get("crs", {}).get("properties", {}).get("name", WGS84)
    to_grid = pyproj.Transformer.from_crs(source, crs, always_xy=True)
    features = []
    for n, feature in enumerate(data.get("features", []), start=1):
        try:
            geometry = shapely.geometry.shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SpecError(f"{where} feature {n}", "has no valid geometry", "fix it") from exc
        if not pyproj.CRS.from_user_input(source).equals(pyproj.CRS.from_user_input(crs)):
            geometry = shapely.transform(
                geometry, lambda xy: _transformed(to_grid, xy), include_z=False
            )
        features.append((geometry, dict(feature.get("properties") or {})))
    return features


def _transformed(transformer: pyproj.Transformer, xy):
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    xy = xy.copy()
    xy[:, 0], xy[:, 1] = x, y
    return xy


def read_table(path: str | Path, where: str, columns: tuple[str, ...]) -> list[dict]:
    """Rows of a CSV file (UTF-8, header row) as dicts; the listed columns must be present."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(where, f"file {path} not found", "check the path")
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(row for row in f if not row.startswith("#"))
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise SpecError(where, f"{path.name} has no column {missing[0]!r}", f"need {columns}")
        return list(reader)


def number(value, where: str, what: str) -> float:
    """A table entry as a float; :class:`SpecError` naming the row otherwise."""
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise SpecError(where, f"{what} {value!r} is not a number", "fix the row") from exc
