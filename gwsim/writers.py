"""Writing result files: atomically, with provenance (GeoJSON, CSV and Markdown tables).

Every writer goes through :func:`atomic_path`: the file is written to a temporary name in the target
folder and renamed into place, so a failed run never leaves a half-written result.

* GeoJSON: a FeatureCollection with its CRS (``urn:ogc:def:crs:EPSG::<code>``, or the WKT in the
  ``gwsim`` member when the CRS has no EPSG code) and the provenance attributes in ``gwsim``.
* Tables: the CSV starts with ``# key: value`` comment lines carrying the provenance attributes
  (pandas reads it with ``comment="#"``); the Markdown has an optional title and notes and ends with
  the provenance.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)  # mkstemp makes 0600; results are ordinary files
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_geojson(path: str | Path, features: list[dict], crs: str | None, attrs: dict) -> Path:
    """A GeoJSON FeatureCollection with its CRS and provenance, written atomically.

    The CRS is named by its EPSG code when it has one; otherwise its WKT goes into the ``gwsim``
    member (``crs_wkt``).
    """
    import pyproj

    collection = {"type": "FeatureCollection", "features": features, "gwsim": dict(attrs)}
    if crs:
        parsed = pyproj.CRS.from_user_input(crs)
        epsg = parsed.to_epsg()
        if epsg:
            collection["crs"] = {
                "type": "name",
                "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"},
            }
        else:
            collection["gwsim"]["crs_wkt"] = parsed.to_wkt()
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(collection, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def _columns(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(k for row in rows for k in row))


def markdown_table(rows: list[dict]) -> str:
    """A Markdown table of ``rows`` (columns in order of first appearance)."""
    if not rows:
        return "(no rows)\n"
    columns = _columns(rows)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_table(
    rows: list[dict],
    folder: str | Path,
    stem: str,
    attrs: dict | None = None,
    title: str = "",
    notes: str = "",
) -> list[Path]:
    """``<stem>.csv`` and ``<stem>.md`` in ``folder``; returns both paths."""
    attrs = attrs or {}
    buf = io.StringIO()
    buf.writelines(f"# {k}: {v}\n" for k, v in attrs.items())
    writer = csv.DictWriter(buf, fieldnames=_columns(rows))
    writer.writeheader()
    writer.writerows(rows)
    md = ([f"# {title}", ""] if title else []) + [markdown_table(rows).rstrip()]
    if notes:
        md += ["", notes]
    if attrs:
        md += ["", "Provenance:", ""] + [f"- {k}: {v}" for k, v in attrs.items()]
    paths = []
    for suffix, text in ((".csv", buf.getvalue()), (".md", "\n".join(md) + "\n")):
        path = Path(folder) / f"{stem}{suffix}"
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
