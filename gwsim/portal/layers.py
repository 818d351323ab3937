"""Map layers of a run page: its GeoJSON files as they are (protection zones one layer per
method, a risk run's control structures one per kind: cut-off walls, reactive barriers,
containment wells; enterprise footprints with their risk rank from the risk table), and the
layers computed from its fields (head contours from ``heads.nc``, plume bands from
``plumes/*.nc`` and ``control/*.nc``) and from its model folder (rivers and pumping wells, read
through :meth:`gwsim.FlowField.from_mf6`).

Coordinates stay in the run's CRS (EPSG:4548 for the site models), rounded to 1 cm. Contours and
bands come from ``contourpy`` (the library behind matplotlib's contours) at build time, so the
page draws plain polygons and lines.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np

from gwsim.errors import GwsimError
from gwsim.portal.model import Layer, PortalError, Run, labels, title_of

# GeoJSON products with their own drawing style, by file stem (others: "generic")
STYLES = {
    "keyzones": "keyzones",
    "probability_zones": "probability",
    "zones": "zones",
    "enterprises": "enterprises",
    "receptors": "receptors",
}
PLUME_TIMES = 6  # output times kept per plume (log-spaced over the run)
PLUME_BANDS = (0.1, 1.0)  # band edges as multiples of the Class III limit


def rounded(coords):
    """GeoJSON coordinates rounded to 1 cm (nested lists)."""
    if coords and isinstance(coords[0], int | float):
        return [round(float(c), 2) for c in coords]
    return [rounded(c) for c in coords]


def _feature(geometry: dict, properties: dict) -> dict:
    geometry = {"type": geometry["type"], "coordinates": rounded(geometry["coordinates"])}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def crs_of(value: str | None) -> str | None:
    """``"EPSG:<code>"`` of a CRS given as an OGC URN, an ``EPSG:`` name or WKT; None if none."""
    if not value:
        return None
    match = re.search(r"EPSG::?(\d+)", value)
    if match:
        return f"EPSG:{match[1]}"
    import pyproj

    try:
        epsg = pyproj.CRS.from_user_input(value).to_epsg()
    except pyproj.exceptions.CRSError:
        return None
    return f"EPSG:{epsg}" if epsg else None


def keyzone_properties(props: dict) -> dict:
    """Key-zone properties with both languages under ``*_en``/``*_zh`` (files written before the
    2023 scheme carry ``name`` and ``requirements`` in English only)."""
    out = dict(props)
    out.setdefault("name_en", props.get("name", props.get("zone", "")))
    out.setdefault("requirements_en", props.get("requirements", []))
    out.setdefault("requirements_zh", [])
    out.pop("requirements", None)
    return out


# GeoJSON products drawn as one layer per value of a property: file stem -> property
SPLIT_BY = {"protection_zones": "method", "control_structures": "kind"}


def _split_layer(stem: str, value: str, title: dict) -> tuple[dict, str]:
    """Title and style of the layer of ``stem``'s features whose split property is ``value``:
    protection zones by method, control structures by kind (wall, barrier, wells)."""
    if stem == "protection_zones":
        label = labels()["methods"].get(value, {"en": value, "zh": value})
        return {
            k: f"{title[k]}: {label[k]}" for k in title
        }, f"protection_{value}" if value else "zones"
    return title_of("layers", f"{stem}:{value}"), value


def geojson_layer(path: Path, data: dict) -> tuple[list[Layer], dict, str | None]:
    """The layers of a GeoJSON file (protection zones: one per method; control structures: one
    per kind), its provenance attributes and its CRS."""
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise PortalError(f"{path} is not a GeoJSON FeatureCollection (fix: rerun the scenario)")
    stem = path.stem
    crs = crs_of((data.get("crs") or {}).get("properties", {}).get("name"))
    attrs = {k: str(v) for k, v in (data.get("gwsim") or {}).items() if k != "crs_wkt"}
    crs = crs or crs_of((data.get("gwsim") or {}).get("crs_wkt"))
    features = [f for f in data["features"] if f.get("geometry")]
    title = title_of("layers", stem)
    if stem in SPLIT_BY:
        key = SPLIT_BY[stem]
        layers = []
        for value in dict.fromkeys(f["properties"].get(key, "") for f in features):
            chosen = [f for f in features if f["properties"].get(key, "") == value]
            layer_title, style = _split_layer(stem, value, title)
            layers.append(
                Layer(
                    key=f"{stem}:{value}",
                    title=layer_title,
                    style=style,
                    features=[_feature(f["geometry"], f["properties"]) for f in chosen],
                    file=path.name,
                )
            )
        return layers, attrs, crs
    style = STYLES.get(stem, "generic")
    if re.fullmatch(r"wells_\d+", stem):
        style = "monitoring"
    props = keyzone_properties if style == "keyzones" else dict
    layer = Layer(
        key=stem,
        title=title,
        style=style,
        features=[_feature(f["geometry"], props(f.get("properties") or {})) for f in features],
        file=path.name,
    )
    return [layer], attrs, crs


def _lines(x: np.ndarray, y: np.ndarray, z: np.ndarray, level: float) -> list[list]:
    import contourpy

    gen = contourpy.contour_generator(x, y, np.ma.masked_invalid(z), line_type="Separate")
    return [line.tolist() for line in gen.lines(level) if len(line) > 1]


def _bands(x: np.ndarray, y: np.ndarray, z: np.ndarray, lo: float, hi: float) -> list[list]:
    """Polygons (outer ring then holes) where lo <= z < hi."""
    import contourpy

    gen = contourpy.contour_generator(x, y, np.ma.masked_invalid(z), fill_type="OuterOffset")
    points, offsets = gen.filled(lo, hi)
    return [
        [pts[a:b].tolist() for a, b in itertools.pairwise(off)]
        for pts, off in zip(points, offsets, strict=True)
    ]


def nice_levels(values: np.ndarray, n: int = 12) -> np.ndarray:
    """Round contour levels over the range of ``values`` (matplotlib's MaxNLocator)."""
    from matplotlib.ticker import MaxNLocator

    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    levels = MaxNLocator(n).tick_values(lo, hi)
    return levels[(levels > lo) & (levels < hi)]


def water_table(head: np.ndarray) -> np.ndarray:
    """(nrow, ncol) head of the uppermost wet cell of each column (NaN where all are dry)."""
    wet = np.isfinite(head)
    first = np.argmax(wet, axis=0)
    table = np.take_along_axis(head, first[None], axis=0)[0]
    return np.where(wet.any(axis=0), table, np.nan)


def head_contour_layer(path: Path) -> Layer:
    """Head contours (m) of the water table at the last output time of ``heads.nc``."""
    import xarray as xr

    with xr.open_dataset(path) as ds:
        head = ds["head"].isel(time=-1).values.astype(float)
        x, y = ds["x"].values, ds["y"].values
    head[np.abs(head) > 1e20] = np.nan  # MODFLOW's dry and inactive markers
    table = water_table(head)
    features = []
    if np.isfinite(table).any():
        for level in nice_levels(table):
            for line in _lines(x, y, table, level):
                geometry = {"type": "LineString", "coordinates": line}
                features.append(_feature(geometry, {"head_m": round(float(level), 2)}))
    return Layer(
        "head_contours", title_of("layers", "head_contours"), "contours", features, file=path.name
    )


def well_features(flow, name: str, cells: np.ndarray) -> list[dict]:
    """One point per pumping column of the WEL package ``name``: its screened layers (1-based)
    and total rate (m³/d, positive) at the last stress period."""
    rates = flow.sources[name][-1]
    columns: dict[tuple[int, int], dict] = {}
    for lay, r, c in cells:
        rate = -float(rates[lay, r, c])
        if rate > 0:
            entry = columns.setdefault((int(r), int(c)), {"name": name, "layers": [], "rate": 0.0})
            entry["layers"].append(int(lay) + 1)
            entry["rate"] += rate
    return [
        _feature(
            {"type": "Point", "coordinates": [flow.grid.xcenters[r, c], flow.grid.ycenters[r, c]]},
            {"name": e["name"], "layers": e["layers"], "rate_m3_d": round(e["rate"], 1)},
        )
        for (r, c), e in columns.items()
    ]


def model_layers(model_dir: Path) -> list[Layer]:
    """Rivers (merged cells of RIV, DRN and SFR packages) and pumping wells (per column, with
    their rates, m³/d) of the MODFLOW 6 model in ``model_dir``."""
    import shapely

    from gwsim.flowfield import FlowField

    flow = FlowField.from_mf6(model_dir)
    xc, yc = flow.grid.corners()
    rivers, wells = [], []
    for name, cells in flow.boundary_cells.items():
        kind = flow.source_types[name]
        if kind in ("RIV", "DRN", "SFR"):
            r, c = cells[:, 1], cells[:, 2]
            boxes = shapely.polygons(
                np.stack(
                    [
                        np.stack([xc[r, c], xc[r, c + 1], xc[r + 1, c + 1], xc[r + 1, c]], -1),
                        np.stack([yc[r, c], yc[r, c + 1], yc[r + 1, c + 1], yc[r + 1, c]], -1),
                    ],
                    -1,
                )
            )
            merged = shapely.union_all(boxes)
            rivers.append(
                _feature(shapely.geometry.mapping(merged), {"name": name, "package": kind})
            )
        elif kind == "WEL":
            wells += well_features(flow, name, cells)
    return [
        Layer("rivers", title_of("layers", "rivers"), "rivers", rivers, file=model_dir.name + "/"),
        Layer(
            "supply_wells",
            title_of("layers", "supply_wells"),
            "wells",
            wells,
            file=model_dir.name + "/",
        ),
    ]


def plume_times(times: np.ndarray) -> list[int]:
    """Indices of up to PLUME_TIMES output times, spread evenly in log time."""
    if len(times) <= PLUME_TIMES:
        return list(range(len(times)))
    wanted = np.geomspace(max(times[0], 1e-6), times[-1], PLUME_TIMES)
    return sorted({int(np.argmin(np.abs(times - t))) for t in wanted})


def plume_layer(path: Path, folder: Path, limit: float | None, kind: str, visible: bool) -> Layer:
    """Concentration bands (highest over the layers) at chosen times of a plume netCDF:
    0.1-1 times the Class III limit and above it (10 % and 100 % of the peak without a limit)."""
    import xarray as xr

    with xr.open_dataset(path) as ds:
        conc = ds["concentration"]
        conc = (conc.max("layer") if "layer" in conc.dims else conc).values
        times = ds["time"].values.astype(float)
        x, y = ds["x"].values, ds["y"].values
    edges = [f * limit for f in PLUME_BANDS] if limit else [0.1 * np.nanmax(conc), np.nanmax(conc)]
    features = []
    for i in plume_times(times):
        for band, (lo, hi) in enumerate(zip(edges, [*edges[1:], np.inf], strict=True)):
            for rings in _bands(x, y, conc[i], lo, min(hi, 1e300)):
                props = {
                    "time_d": round(float(times[i]), 1),
                    "band": band,
                    "from_mg_L": float(f"{lo:.3g}"),
                }
                features.append(_feature({"type": "Polygon", "coordinates": rings}, props))
    title = {k: f"{v}: {path.stem.replace('_', ' ')}" for k, v in title_of("layers", kind).items()}
    chosen = [round(float(times[i]), 1) for i in plume_times(times)]
    return Layer(
        f"{kind}:{path.stem}",
        title,
        "plume",
        features,
        file=path.relative_to(folder).as_posix(),
        visible=visible,
        times=chosen,
    )


def rank_enterprises(layer: Layer, risk_rows: list[dict]) -> None:
    """Add to each enterprise footprint of ``layer`` (``enterprises.geojson``) its best risk
    rank and highest peak / Class III limit ratio in the risk table; footprints drawn in rank
    order (the first-ranked last, on top)."""
    ranked: dict[str, dict] = {}
    for row in risk_rows:
        entry = ranked.setdefault(row["enterprise"], {"risk_rank": int(row["rank"]), "peak": 0.0})
        entry["risk_rank"] = min(entry["risk_rank"], int(row["rank"]))
        entry["peak"] = max(entry["peak"], float(row["peak_to_limit"] or 0))
    for feature in layer.features:
        entry = ranked.get(feature["properties"].get("name"))
        if entry:
            feature["properties"].update(risk_rank=entry["risk_rank"], peak_to_limit=entry["peak"])
    layer.features.sort(key=lambda f: -f["properties"].get("risk_rank", np.inf))


RISK_COLUMNS = ("rank", "enterprise", "contaminant", "case", "class3_limit_mg_L", "peak_to_limit")


def _computed(run: Run, path: Path, make) -> list[Layer]:
    """``make()``'s layers; a field gwsim cannot read becomes a note on the page (a derived
    layer is not worth failing a page for)."""
    try:
        return make()
    except (KeyError, ValueError, OSError, GwsimError) as exc:
        where = path.relative_to(run.folder).as_posix()
        run.notes.append(f"{where} not shown on the map: {type(exc).__name__}: {exc}")
        return []


def add_computed_layers(run: Run) -> None:
    """Add the layers computed from the run's netCDF fields and model folder to ``run``."""
    folder = run.folder
    if (folder / "heads.nc").is_file():
        run.layers += _computed(
            run, folder / "heads.nc", lambda: [head_contour_layer(folder / "heads.nc")]
        )
    if (folder / "model" / "mfsim.nam").is_file():
        run.layers += _computed(run, folder / "model", lambda: model_layers(folder / "model"))
    risk = next((t for t in run.tables if t.key == "risk_table"), None)
    rows = []
    if risk and set(RISK_COLUMNS) <= set(risk.columns):
        rows = [dict(zip(risk.columns, row, strict=False)) for row in risk.rows]
    limits = {f"{r['enterprise']}_{r['contaminant']}_{r['case']}": r for r in rows}
    top = min(rows, key=lambda r: int(r["rank"])) if rows else None
    top_stem = top and f"{top['enterprise']}_{top['contaminant']}_{top['case']}"
    for kind in ("plumes", "control"):
        for i, path in enumerate(sorted((folder / kind).glob("*.nc"))):
            row = limits.get(path.stem, top if kind == "control" else None)
            limit = float(row["class3_limit_mg_L"]) if row and row["class3_limit_mg_L"] else None
            visible = kind == "plumes" and (path.stem == top_stem or (i == 0 and not rows))
            run.layers += _computed(
                run,
                path,
                lambda path=path, limit=limit, kind=kind, visible=visible: [
                    plume_layer(path, folder, limit, kind.rstrip("s"), visible)
                ],
            )
    for layer in run.layers:
        if layer.key == "enterprises" and rows:
            rank_enterprises(layer, rows)
    monitoring = sorted(
        (layer for layer in run.layers if layer.style == "monitoring"),
        key=lambda layer: int(layer.key.rsplit("_", 1)[-1]),
    )
    for layer in monitoring[:-1]:  # designs by number of wells: the largest shown first
        layer.visible = False
