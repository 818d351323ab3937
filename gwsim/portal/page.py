"""One self-contained HTML page of one or more runs: the data model of :mod:`gwsim.portal.collect`
as JSON inside the page, with the page's own script and style sheet (``assets/``) inlined.

The page loads nothing: figures are ``data:`` URIs, Markdown is turned into HTML here
(``markdown-it-py``), and latitude/longitude come from a quadratic polynomial in the map
coordinates fitted with pyproj over the map's extent (its largest error, in metres, is in the
page). Pages are written atomically (:func:`gwsim.writers.atomic_path`).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import asdict
from importlib import resources
from pathlib import Path

import numpy as np

from gwsim._version import __version__
from gwsim.portal.model import PortalError, Run, labels
from gwsim.writers import atomic_path

FIT_POINTS = 9  # points per side of the grid the lat/lon polynomial is fitted on
CHECK_POINTS = 17  # points per side of the grid its error is measured on


def _terms(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(dx), dx, dy, dx * dx, dx * dy, dy * dy], axis=-1)


def lonlat_fit(crs: str, bounds: tuple[float, float, float, float]) -> dict:
    """Coefficients of lon, lat (deg) as quadratics in (x - x0, y - y0) / 1000 m over
    ``bounds`` (xmin, ymin, xmax, ymax) of ``crs``, and the fit's largest error (m)."""
    import pyproj

    to_geo = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    xmin, ymin, xmax, ymax = bounds
    pad = 0.1 * max(xmax - xmin, ymax - ymin, 1000.0)
    xmin, ymin, xmax, ymax = xmin - pad, ymin - pad, xmax + pad, ymax + pad
    x0, y0 = (xmin + xmax) / 2, (ymin + ymax) / 2

    def grid(n):
        gx, gy = np.meshgrid(np.linspace(xmin, xmax, n), np.linspace(ymin, ymax, n))
        return gx.ravel(), gy.ravel()

    fx, fy = grid(FIT_POINTS)
    lon, lat = to_geo.transform(fx, fy)
    a = _terms((fx - x0) / 1000, (fy - y0) / 1000)
    c_lon = np.linalg.lstsq(a, lon, rcond=None)[0]
    c_lat = np.linalg.lstsq(a, lat, rcond=None)[0]
    cx, cy = grid(CHECK_POINTS)
    lon_t, lat_t = to_geo.transform(cx, cy)
    b = _terms((cx - x0) / 1000, (cy - y0) / 1000)
    metres_per_deg = 111_320.0
    err = np.hypot(
        (b @ c_lon - lon_t) * metres_per_deg * np.cos(np.deg2rad(lat_t)),
        (b @ c_lat - lat_t) * metres_per_deg,
    )
    return {
        "x0": x0,
        "y0": y0,
        "lon": c_lon.tolist(),
        "lat": c_lat.tolist(),
        "max_error_m": float(err.max()),
    }


def _coords(geometry: dict):
    def walk(c):
        if c and isinstance(c[0], int | float):
            yield c
        else:
            for item in c:
                yield from walk(item)

    return walk(geometry["coordinates"])


def bounds_of(runs: list[Run]) -> tuple[float, float, float, float] | None:
    """(xmin, ymin, xmax, ymax) of every feature of every run; None without features."""
    points = [
        p
        for r in runs
        for layer in r.layers
        for f in layer.features
        for p in _coords(f["geometry"])
    ]
    if not points:
        return None
    xy = np.asarray(points, float)[:, :2]
    return (*xy.min(axis=0).tolist(), *xy.max(axis=0).tolist())


def render_markdown(text: str, figures: dict[str, str]) -> tuple[str, set[str]]:
    """HTML of a Markdown text (raw HTML off) with its images inlined; and the figures used."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(text)
    used = set()
    for token in tokens:
        for child in token.children or []:
            if child.type == "image" and child.attrGet("src") in figures:
                used.add(child.attrGet("src"))
                child.attrSet("src", figures[child.attrGet("src")])
    return md.renderer.render(tokens, md.options, {}), used


def run_data(run: Run, page_dir: Path) -> dict:
    """The JSON the page script reads for one run."""
    texts, used = [], set()
    for name in sorted(run.texts, key=lambda n: (n != "report.md", n)):
        html, figs = render_markdown(run.texts[name], run.figures)
        texts.append({"name": name, "html": html})
        used |= figs
    href = Path(os.path.relpath(run.folder, page_dir)).as_posix()
    return {
        "name": run.name,
        "href": "" if href == "." else href + "/",
        "crs": run.crs,
        "bounds": bounds_of([run]),
        "notes": run.notes,
        "tables": [asdict(t) for t in run.tables],
        "layers": [asdict(layer) for layer in run.layers],
        "texts": texts,
        "figures": [{"name": n, "uri": u} for n, u in run.figures.items() if n not in used],
        "files": run.files,
        "provenance": run.provenance,
    }


def _asset(name: str) -> str:
    return resources.files("gwsim.portal").joinpath("assets", name).read_text(encoding="utf-8")


def render_page(runs: list[Run], page_dir: Path, title: dict[str, str]) -> str:
    """The page's HTML text for ``runs``, its links relative to ``page_dir``."""
    crs = {r.crs for r in runs if r.crs}
    if len(crs) > 1:
        raise PortalError(
            f"the runs use different coordinate systems ({sorted(crs)}) (fix: build one page "
            "per coordinate system)"
        )
    crs_name = crs.pop() if crs else None
    bounds = bounds_of(runs)
    data = {
        "title": title,
        "generated": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "gwsim_version": __version__,
        "crs": crs_name,
        "bounds": bounds,
        "lonlat": lonlat_fit(crs_name, bounds) if crs_name and bounds else None,
        "columns": labels()["columns"],
        "runs": [run_data(r, page_dir) for r in runs],
    }
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    payload = payload.replace("</", "<\\/")
    return (
        '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
        f"<title>{_escape(title['zh'])} / {_escape(title['en'])}</title>\n"
        f"<style>\n{_asset('portal.css')}</style>\n</head>\n<body>\n"
        "<noscript>This page needs JavaScript. 本页面需要启用 JavaScript。</noscript>\n"
        f'<script type="application/json" id="gwsim-data">{payload}</script>\n'
        f"<script>\n{_asset('portal.js')}</script>\n</body>\n</html>\n"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_page(runs: list[Run], path: str | Path, title: dict[str, str]) -> Path:
    """Render ``runs`` into the page ``path``, atomically (never half-written)."""
    path = Path(path)
    text = render_page(runs, path.resolve().parent, title)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
