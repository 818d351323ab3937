"""The data model of the information page: a run's tables, map layers, texts, figures and
provenance (:class:`Run`), the bilingual titles of known products (``labels.json``) and the
page's error type.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from gwsim.errors import GwsimError


class PortalError(GwsimError):
    """A run folder cannot be turned into a page: a file is missing or unreadable."""


@cache
def labels() -> dict:
    """Bilingual titles of known tables, layers and columns (``labels.json``)."""
    text = resources.files("gwsim.portal").joinpath("labels.json").read_text(encoding="utf-8")
    return json.loads(text)


def title_of(kind: str, stem: str) -> dict[str, str]:
    """``{"en": ..., "zh": ...}`` for the product ``stem`` of ``kind`` ("tables" or "layers");
    a stem ending in digits (``wells_8``) takes the entry of its prefix with the number added."""
    known = labels()[kind]
    if stem in known:
        return dict(known[stem])
    match = re.fullmatch(r"(.*_)(\d+)", stem)
    if match and match[1] in known:
        return {lang: f"{text} ({match[2]})" for lang, text in known[match[1]].items()}
    return {"en": stem.replace("_", " "), "zh": stem.replace("_", " ")}


@dataclass
class Table:
    """One CSV table of a run: its cells exactly as in the file (strings)."""

    key: str  # file stem
    title: dict[str, str]
    columns: list[str]
    rows: list[list[str]]
    file: str | None  # path relative to the run folder; None for a table derived from JSON
    provenance: dict[str, str] = field(default_factory=dict)


@dataclass
class Layer:
    """A map layer: GeoJSON features in the run's CRS and how to draw them."""

    key: str
    title: dict[str, str]
    style: str  # a style name the page script knows (zones, keyzones, lines, points, ...)
    features: list[dict]
    file: str | None = None  # the file it comes from, relative to the run folder
    visible: bool = True
    times: list[float] | None = None  # output times (d) of time-dependent features


@dataclass
class Run:
    """Everything the page shows of one run folder."""

    name: str
    folder: Path
    crs: str | None = None  # "EPSG:<code>" of the map coordinates, if known
    summary: dict = field(default_factory=dict)
    provenance: dict[str, dict[str, str]] = field(default_factory=dict)  # file -> attributes
    tables: list[Table] = field(default_factory=list)
    layers: list[Layer] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # Markdown file name -> text
    figures: dict[str, str] = field(default_factory=dict)  # PNG name -> data URI
    files: list[str] = field(default_factory=list)  # relative paths of the data files
    notes: list[str] = field(default_factory=list)  # what could not be shown, and why
