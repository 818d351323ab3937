"""Reading a run folder's products into one data model for the information page.

A run folder is whatever ``gwsim run`` wrote: tables (``<stem>.csv`` with ``# key: value``
provenance lines, beside ``<stem>.md``), GeoJSON layers, netCDF fields, ``summary.json``,
``report.md`` and figures. :func:`collect_run` reads the products it finds, by file, so a product
a new scenario kind writes plugs in without code here: every top-level CSV becomes a table, every
top-level GeoJSON a map layer (:mod:`gwsim.portal.layers` adds the layers computed from netCDF
fields and the model folder). Known products get bilingual titles from ``labels.json``.

Bad input raises :class:`PortalError` naming the missing or unreadable file and the fix; nothing
is written then.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from pathlib import Path

from gwsim.portal.layers import add_computed_layers, geojson_layer
from gwsim.portal.model import PortalError, Run, Table, labels, title_of

# files whose presence shows a folder holds gwsim results
RESULT_SUFFIXES = (".csv", ".geojson", ".nc", ".md", ".json")
# products whose table or field is drawn by a layer file: (present file pattern, required file)
COMPANIONS = (
    (r"protection_zones\.csv", "protection_zones.geojson"),
    (r"keyzones\.nc", "keyzones.geojson"),
    (r"control_requirements\.md", "keyzones.geojson"),
    (r"probability\.nc", "probability_zones.geojson"),
    (r"(wells_\d+)\.csv", r"\1.geojson"),
    (r"risk_table\.csv", "enterprises.geojson"),
)
PAGE_NAME = "report.html"
# folders holding a MODFLOW model (recognised by mfsim.nam) are listed as one link, not file by file
MODEL_MARKER = "mfsim.nam"


def result_files(folder: Path) -> list[Path]:
    """The top-level result files of ``folder`` (no hidden files, no page written earlier)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name != PAGE_NAME
    )


def check_run_folder(folder: Path, strict: bool = True) -> list[str]:
    """Raise :class:`PortalError` when ``folder`` is not a run folder or misses a layer file.

    With ``strict=False`` (a run that just finished: it chose not to write a layer) a missing
    layer file is returned as a note for the page instead."""
    if not folder.is_dir():
        raise PortalError(
            f"run folder {folder} does not exist (fix: give a folder `gwsim run` wrote)"
        )
    names = {p.name for p in result_files(folder)}
    if not any(name.endswith(RESULT_SUFFIXES) for name in names):
        raise PortalError(
            f"run folder {folder} holds no results (no summary.json, report.md, *.csv, *.geojson "
            "or *.nc) (fix: run `gwsim run SCENARIO.toml --out` into it first)"
        )
    notes = []
    for pattern, required in COMPANIONS:
        for name in sorted(names):
            match = re.fullmatch(pattern, name)
            if match and match.expand(required) not in names:
                missing = match.expand(required)
                if not strict:
                    notes.append(f"{missing} was not written: the map does not show {name}")
                    continue
                raise PortalError(
                    f"run folder {folder}: layer file {missing} is missing ({name} is there, "
                    "and the map draws it from that file) (fix: rerun the scenario, or restore "
                    "the file)"
                )
    return notes


def read_csv_table(path: Path, folder: Path) -> Table:
    """A CSV table with its ``# key: value`` provenance lines; cells kept as written."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PortalError(f"cannot read table {path}: {exc}") from exc
    lines = text.splitlines()
    comments = [line for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#")]
    provenance = dict(
        (k.strip(), v.strip()) for k, _, v in (c[1:].partition(":") for c in comments)
    )
    records = list(csv.reader(io.StringIO("\n".join(body))))
    if not records:
        raise PortalError(f"table {path} has no header line (fix: rerun the scenario)")
    return Table(
        key=path.stem,
        title=title_of("tables", path.stem),
        columns=records[0],
        rows=records[1:],
        file=path.relative_to(folder).as_posix(),
        provenance=provenance,
    )


def table_order(table: Table) -> tuple[int, str]:
    """Known tables in the order of ``labels.json`` (``wells_<n>`` by its prefix), then the
    others by name."""
    known = list(labels()["tables"])
    stem = re.sub(r"(?<=_)\d+$", "", table.key)
    return (known.index(stem) if stem in known else len(known), table.key)


def read_json(path: Path) -> dict:
    """A JSON file; a :class:`PortalError` naming it when it is unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PortalError(f"cannot read {path}: {exc} (fix: rerun the scenario)") from exc


def water_balance(summary: dict) -> Table | None:
    """The water balance table of a flow run's ``summary.json`` (m³/d, rounded to 0.1)."""
    budget = summary.get("budget_m3_per_day")
    if not budget:
        return None
    rows = [[term, f"{flows['in']:.1f}", f"{flows['out']:.1f}"] for term, flows in budget.items()]
    total_in = sum(f["in"] for f in budget.values())
    total_out = sum(f["out"] for f in budget.values())
    rows.append(["total", f"{total_in:.1f}", f"{total_out:.1f}"])
    return Table(
        key="water_balance",
        title=title_of("tables", "water_balance"),
        columns=["term", "in_m3_d", "out_m3_d"],
        rows=rows,
        file=None,
    )


def data_files(folder: Path) -> list[str]:
    """Relative paths of the run's data files: top level and one folder down, a model folder
    as itself (not its files)."""
    paths = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name == PAGE_NAME:
            continue
        if path.is_file():
            paths.append(path.name)
        elif path.is_dir():
            if (path / MODEL_MARKER).is_file() or any(
                (sub / MODEL_MARKER).is_file() for sub in path.iterdir() if sub.is_dir()
            ):
                paths.append(path.name + "/")
                continue
            paths += [
                p.relative_to(folder).as_posix()
                for p in sorted(path.iterdir())
                if p.is_file() and not p.name.startswith(".")
            ]
    return paths


def figure_uri(path: Path) -> str:
    """A PNG as a ``data:`` URI (the page must not load anything)."""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def markdown_images(text: str) -> list[str]:
    """The relative image paths a Markdown text shows (``![...](path)``)."""
    return [m for m in re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text) if "://" not in m]


def collect_run(folder: str | Path, name: str | None = None, strict: bool = True) -> Run:
    """Read the run folder ``folder`` into a :class:`Run` (tables, layers, texts, figures,
    provenance, file list). Raises :class:`PortalError` naming what is missing; with
    ``strict=False`` a missing layer file is a note on the page (:func:`check_run_folder`)."""
    folder = Path(folder).resolve()
    notes = check_run_folder(folder, strict)
    files = result_files(folder)
    run = Run(name=name or folder.name, folder=folder, notes=notes)
    by_name = {p.name: p for p in files}
    if "summary.json" in by_name:
        run.summary = read_json(by_name["summary.json"])
        run.name = name or run.summary.get("scenario", run.name)
        attrs = {k: v for k, v in run.summary.items() if isinstance(v, str | int | float)}
        run.provenance["summary.json"] = {k: str(v) for k, v in attrs.items()}
    for path in files:
        if path.suffix == ".csv":
            table = read_csv_table(path, folder)
            run.tables.append(table)
            run.provenance[path.name] = table.provenance
        elif path.suffix == ".geojson":
            layers, attrs, crs = geojson_layer(path, read_json(path))
            run.layers += layers
            run.provenance[path.name] = attrs
            run.crs = run.crs or crs
        elif path.suffix == ".md" and path.with_suffix(".csv").name not in by_name:
            run.texts[path.name] = path.read_text(encoding="utf-8")
        elif path.suffix == ".png":
            run.figures[path.name] = figure_uri(path)
    if not name and "scenario" not in run.summary:  # a kind without summary.json
        named = [a["scenario"] for a in run.provenance.values() if a.get("scenario")]
        run.name = named[0] if named else run.name
    balance = water_balance(run.summary)
    if balance is not None:
        run.tables.append(balance)
    run.tables.sort(key=table_order)
    for md_name, text in run.texts.items():
        for image in markdown_images(text):
            if not (folder / image).is_file():
                raise PortalError(
                    f"run folder {folder}: {image} is missing ({md_name} shows it) (fix: rerun "
                    "the scenario, or restore the file)"
                )
    add_computed_layers(run)
    run.files = data_files(folder)
    return run
