"""The information page (gwsim.portal): run folders in, one self-contained bilingual HTML out.

Most tests build pages from a run folder written here with gwsim's own writers (fast); one runs
a small flow scenario through ``gwsim run`` (mf6) to check the hook and the model layers. The
real-browser tests drive Debian's Chromium through Playwright; they are skipped, with the reason,
where either is missing (``make browser`` installs both).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

from gwsim.cli import main
from gwsim.errors import TruncatedZoneWarning
from gwsim.portal import PAGE_NAME, PortalError, collect_run, write_run_page, write_site
from gwsim.portal.page import lonlat_fit
from gwsim.risk.geometry import MapFeature
from gwsim.writers import write_geojson, write_table
from gwsim.zoning.scheme import scheme_file, scheme_from_dict

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parent.parent
ATTRS = {"gwsim_version": "test", "inputs_sha256": "abc123"}
TINY_SCENARIO = """name = "tiny_wellfield"
description = "Two wells beside a river (test scenario)"

[model]
name = "tiny"

[model.grid]
nlay = 1
nrow = 16
ncol = 24
delr = 50.0
delc = 50.0
top = 30.0
botm = [10.0]
xorigin = 556000.0
yorigin = 3122000.0
crs = "EPSG:4548"

[model.properties]
k = [40.0]
porosity = [0.25]
icelltype = [0]

[[model.periods]]
length = 1.0
steady = true

[[model.boundaries]]
kind = "riv"
name = "river"
where = { layer = 0, row = 8 }
stage = { start = 25.0, end = 23.0 }
cond = 500.0
rbot = { start = 24.0, end = 22.0 }

[[model.boundaries]]
kind = "chd"
name = "hills"
where = { layer = 0, row = 0 }
head = 27.0

[[model.boundaries]]
kind = "rch"
name = "rain"
rate = 5e-4

[[model.boundaries]]
kind = "wel"
name = "wellfield"
points = [[556525.0, 3122525.0], [556725.0, 3122525.0]]
layer = 0
rate = -300.0

[protection]
sources = { town = ["wellfield"] }
media = { town = "gravel" }
"""


def _square(x, y, half):
    ring = [[x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def write_risk_site(folder: Path, x0: float, y0: float) -> None:
    """The site files of a risk run, as gwsim.risk.geometry writes them: two enterprise
    footprints, a source and a monitoring well, and the structures of three control options."""
    import shapely

    plant = shapely.box(x0 + 475, y0 + 425, x0 + 575, y0 + 525)
    site = {
        "enterprises": [
            MapFeature("enterprise", "plant", plant, {"area_m2": 10_000.0}),
            MapFeature("enterprise", "farm", shapely.box(x0 + 100, y0 + 100, x0 + 200, y0 + 150)),
        ],
        "receptors": [
            MapFeature("source_well", "wells", shapely.Point(x0 + 800, y0 + 500), {"layers": [0]}),
            MapFeature("monitoring_well", "MW1", shapely.Point(x0 + 650, y0 + 475)),
        ],
        "control_structures": [
            MapFeature("cutoff_wall", "cut-off wall", shapely.LineString(plant.exterior.coords),
                       {"k_m_per_d": 1e-4, "thickness_m": 0.6, "length_m": 400.0}, "cut-off wall"),
            MapFeature("containment_well", "hydraulic containment 1",
                       shapely.Point(x0 + 625, y0 + 475), {"rate_m3_d": 800.0},
                       "hydraulic containment"),
            MapFeature("reactive_barrier", "reactive barrier",
                       shapely.box(x0 + 590, y0 + 400, x0 + 610, y0 + 550),
                       {"extra_decay_per_d": 0.05}, "reactive barrier"),
        ],
    }  # fmt: skip
    for stem, features in site.items():
        collection = [f.to_geojson() for f in features]
        write_geojson(folder / f"{stem}.geojson", collection, "EPSG:4548", ATTRS)


def make_run_folder(folder: Path) -> Path:
    """A run folder with the products of a flow, key-zone and risk run (small, synthetic)."""
    x0, y0 = 556_000.0, 3_122_000.0
    zones = []
    for method, scale in (("numerical", 1.0), ("empirical", 1.3)):
        for zone, half, time in (("class1", 60, 100.0), ("class2", 300, 1000.0)):
            props = {
                "source": "town",
                "zone": zone,
                "method": method,
                "travel_time_d": time,
                "area_ha": round((2 * half * scale) ** 2 / 1e4, 2),
                "truncated": False,
            }
            zones.append(
                {
                    "type": "Feature",
                    "geometry": _square(x0 + 800, y0 + 500, half * scale),
                    "properties": props,
                }
            )
    write_geojson(folder / "protection_zones.geojson", zones, "EPSG:4548", ATTRS)
    rows = [
        {
            "source": "town",
            "zone": "class1",
            "numerical_area_ha": 1.44,
            "empirical_area_ha": 2.43,
            "table_radius_m": "200-500 (gravel)",
        },
        {
            "source": "town",
            "zone": "class2",
            "numerical_area_ha": 36.0,
            "empirical_area_ha": 60.84,
            "table_radius_m": "2000-5000 (gravel)",
        },
    ]
    write_table(rows, folder, "protection_zones", ATTRS, "Protection zones")
    scheme = scheme_from_dict(scheme_file("2023"))
    keyzones = []
    for i, (name, kind) in enumerate(sorted(scheme.kinds.items(), key=lambda kv: kv[1]["code"])):
        props = {
            "zone": name,
            "code": kind["code"],
            "name_en": kind["name_en"],
            "name_zh": kind["name_zh"],
            "area_ha": 10.0 * (i + 1),
            "requirements_en": kind["requirements_en"],
            "requirements_zh": kind["requirements_zh"],
        }
        keyzones.append(
            {
                "type": "Feature",
                "geometry": _square(x0 + 300 * i, y0 - 400, 140),
                "properties": props,
            }
        )
    write_geojson(folder / "keyzones.geojson", keyzones, "EPSG:4548", ATTRS)
    write_table(
        [{"zone": "protection", "area_ha": 10.0, "percent": 12.5}],
        folder,
        "zone_areas",
        ATTRS,
        "Key-zone areas",
    )
    write_table(
        [
            {
                "rank": 1,
                "enterprise": "plant",
                "contaminant": "tce",
                "case": "abnormal",
                "receptor": "wells",
                "peak_mg_L": 0.14,
                "class3_limit_mg_L": 0.07,
                "peak_to_limit": 2.0,
            },
            {
                "rank": 2,
                "enterprise": "farm",
                "contaminant": "nitrate",
                "case": "normal",
                "receptor": "wells",
                "peak_mg_L": 0.012,
                "class3_limit_mg_L": 20.0,
                "peak_to_limit": 0.0006,
            },
        ],
        folder,
        "risk_table",
        ATTRS,
        "Risk",
    )
    x = x0 + 25.0 + 50.0 * np.arange(30)
    y = y0 + 1000.0 - 25.0 - 50.0 * np.arange(20)
    xx, yy = np.meshgrid(x, y)
    times = np.array([10.0, 100.0, 1000.0])
    conc = np.stack(
        [0.5 * np.exp(-((xx - x0 - 525) ** 2 + (yy - y0 - 475) ** 2) / (2e3 * t)) for t in times]
    )[:, None]
    write_risk_site(folder, x0, y0)
    (folder / "plumes").mkdir()
    xr.Dataset(
        {"concentration": (("time", "layer", "y", "x"), conc)},
        coords={"time": times, "layer": [0], "y": y, "x": x},
        attrs={"crs": "EPSG:4548"},
    ).to_netcdf(folder / "plumes" / "plant_tce_abnormal.nc")
    head = 30.0 - 0.004 * (xx - x0) - 0.002 * (yy - y0)
    xr.Dataset(
        {"head": (("time", "layer", "y", "x"), head[None, None])},
        coords={"time": [1.0], "layer": [0], "y": y, "x": x},
    ).to_netcdf(folder / "heads.nc")
    summary = {
        "scenario": "synthetic",
        "budget_m3_per_day": {
            "wells": {"in": 0.0, "out": 600.0},
            "rain": {"in": 812.34, "out": 0.0},
        },
        **ATTRS,
    }
    (folder / "summary.json").write_text(json.dumps(summary))
    plt.imsave(folder / "head_map.png", head)
    (folder / "report.md").write_text(
        "# Synthetic run\n\nInputs and assumptions.\n\n![Heads](head_map.png)\n"
    )
    return folder


@pytest.fixture
def run_folder(tmp_path) -> Path:
    return make_run_folder(tmp_path / "run")


def page_data(path: Path) -> dict:
    """The JSON data model embedded in a page."""
    text = path.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="gwsim-data">(.*?)</script>', text, re.S)
    return json.loads(match[1])


def csv_rows(path: Path) -> list[list[str]]:
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    return list(csv.reader(lines))


# ------------------------------------------------------------------ data model and page
def test_page_numbers_equal_the_run_csv_files(run_folder):
    page = write_run_page(run_folder)
    data = page_data(page)
    tables = {t["key"]: t for t in data["runs"][0]["tables"]}
    for path in sorted(run_folder.glob("*.csv")):
        rows = csv_rows(path)
        assert tables[path.stem]["columns"] == rows[0]
        assert tables[path.stem]["rows"] == rows[1:]
    balance = tables["water_balance"]["rows"]
    assert balance[-1] == ["total", "812.3", "600.0"]  # summary.json: 812.34 in, 600 out


def test_page_is_self_contained(run_folder):
    page = write_run_page(run_folder)
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)
    assert "default-src 'none'" in text  # the page itself forbids loading anything
    data = page_data(page)
    run = data["runs"][0]
    assert all(f["uri"].startswith("data:image/png;base64,") for f in run["figures"])
    assert "data:image/png;base64," in run["texts"][0]["html"]  # report.md's image, inlined
    assert {"report.md", "head_map.png", "plumes/plant_tce_abnormal.nc"} <= set(run["files"])


def test_layers_of_a_run_folder(run_folder):
    run = collect_run(run_folder)
    layers = {layer.key: layer for layer in run.layers}
    assert {
        "protection_zones:numerical",
        "protection_zones:empirical",
        "keyzones",
        "head_contours",
        "plume:plant_tce_abnormal",
        "enterprises",
    } <= set(layers)
    assert run.crs == "EPSG:4548"
    plume = layers["plume:plant_tce_abnormal"]
    assert plume.times == [10.0, 100.0, 1000.0] and plume.visible  # the top-ranked case
    bands = {f["properties"]["from_mg_L"] for f in plume.features}
    assert bands == {0.007, 0.07}  # 0.1 and 1 times the Class III limit of the risk table
    farm, plant = layers["enterprises"].features  # the first-ranked drawn last, on top
    assert (plant["properties"]["risk_rank"], farm["properties"]["risk_rank"]) == (1, 2)
    assert plant["properties"]["peak_to_limit"] == 2.0
    assert plant["geometry"]["type"] == "Polygon"  # at its footprint, not at the plume
    x, y = np.array(plant["geometry"]["coordinates"][0]).T
    assert (x.min(), y.min(), x.max(), y.max()) == (556_475.0, 3_122_425.0, 556_575.0, 3_122_525.0)
    levels = sorted({f["properties"]["head_m"] for f in layers["head_contours"].features})
    assert levels and all(22.0 < v < 30.0 for v in levels)


def test_risk_site_layers_equal_the_files(run_folder):
    """Control structures one layer per kind, receptors and enterprises: the page's features are
    the files' (coordinates rounded to 1 cm), with their styles."""
    page = write_run_page(run_folder)
    layers = {layer["key"]: layer for layer in page_data(page)["runs"][0]["layers"]}
    files = {
        stem: json.loads((run_folder / f"{stem}.geojson").read_text(encoding="utf-8"))["features"]
        for stem in ("control_structures", "receptors", "enterprises")
    }
    for kind in ("cutoff_wall", "containment_well", "reactive_barrier"):
        layer = layers[f"control_structures:{kind}"]
        assert layer["style"] == kind and layer["file"] == "control_structures.geojson"
        (feature,) = layer["features"]
        (expected,) = [f for f in files["control_structures"] if f["properties"]["kind"] == kind]
        assert feature["geometry"]["coordinates"] == expected["geometry"]["coordinates"]
        assert feature["properties"] == expected["properties"]
    assert layers["control_structures:cutoff_wall"]["title"]["zh"] == "管控措施：垂直防渗墙"
    assert layers["receptors"]["style"] == "receptors"
    assert [f["properties"] for f in layers["receptors"]["features"]] == [
        f["properties"] for f in files["receptors"]
    ]
    names = {f["properties"]["name"] for f in layers["enterprises"]["features"]}
    assert names == {f["properties"]["name"] for f in files["enterprises"]} == {"plant", "farm"}


def test_run_named_by_its_provenance_without_summary(run_folder):
    (run_folder / "summary.json").unlink()
    write_table([{"a": 1}], run_folder, "extra", {"scenario": "pilot"})
    assert collect_run(run_folder).name == "pilot"  # not the folder's name


def test_key_zone_requirements_in_both_languages(run_folder):
    run = collect_run(run_folder)
    (layer,) = [layer for layer in run.layers if layer.style == "keyzones"]
    scheme = scheme_from_dict(scheme_file("2023"))
    for feature in layer.features:
        props = feature["properties"]
        kind = scheme.kinds[props["zone"]]
        assert props["requirements_zh"] == kind["requirements_zh"]
        assert props["requirements_en"] == kind["requirements_en"]
        assert re.search(r"[\u4e00-\u9fff]", props["name_zh"])


def test_lonlat_approximation_matches_pyproj():
    import pyproj

    bounds = (450_000.0, 3_110_000.0, 465_000.0, 3_125_000.0)
    fit = lonlat_fit("EPSG:4548", bounds)
    assert fit["max_error_m"] < 0.05  # quadratic over 15 km of a Gauss-Kruger zone
    x, y = 457_321.0, 3_117_654.0
    lon, lat = pyproj.Transformer.from_crs("EPSG:4548", "EPSG:4326", always_xy=True).transform(x, y)
    dx, dy = (x - fit["x0"]) / 1000, (y - fit["y0"]) / 1000
    terms = np.array([1, dx, dy, dx * dx, dx * dy, dy * dy])
    assert terms @ fit["lon"] == pytest.approx(lon, abs=1e-6)  # 1e-6 deg ~ 0.1 m
    assert terms @ fit["lat"] == pytest.approx(lat, abs=1e-6)


def test_site_of_several_runs(run_folder, tmp_path):
    other = make_run_folder(tmp_path / "other")
    page = write_site([run_folder, other], tmp_path / "site")
    data = page_data(page)
    assert [r["name"] for r in data["runs"]] == ["synthetic (run)", "synthetic (other)"]
    assert data["runs"][0]["href"] == "../run/"  # links to the data files beside the site
    assert page.stat().st_size < 15e6


# ------------------------------------------------------------------ bad input
def test_folder_without_results_is_named(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("nothing")
    with pytest.raises(PortalError, match=r"empty holds no results"):
        write_run_page(tmp_path / "empty")
    assert not (tmp_path / "empty" / PAGE_NAME).exists()
    with pytest.raises(PortalError, match="does not exist"):
        collect_run(tmp_path / "missing")


def test_missing_layer_file_is_named_and_no_page_is_written(run_folder, tmp_path):
    (run_folder / "protection_zones.geojson").unlink()
    with pytest.raises(PortalError, match=r"protection_zones\.geojson is missing"):
        write_run_page(run_folder)
    with pytest.raises(PortalError, match=r"protection_zones\.geojson is missing"):
        write_site([run_folder], tmp_path / "site")
    assert not (run_folder / PAGE_NAME).exists() and not (tmp_path / "site").exists()


def test_risk_table_without_enterprise_footprints_is_named(run_folder):
    (run_folder / "enterprises.geojson").unlink()  # a risk run from before the footprints
    with pytest.raises(PortalError, match=r"enterprises\.geojson is missing \(risk_table\.csv"):
        write_run_page(run_folder)


def test_a_run_without_a_layer_file_notes_it(run_folder):
    (run_folder / "keyzones.geojson").unlink()  # a key-zone run with outputs.geojson = false
    (run_folder / "keyzones.nc").write_bytes(b"")
    page = write_run_page(run_folder, strict=False)
    notes = page_data(page)["runs"][0]["notes"]
    assert notes == ["keyzones.geojson was not written: the map does not show keyzones.nc"]


def test_an_unreadable_field_is_a_note(run_folder):
    xr.Dataset({"mass": ("time", [1.0])}, coords={"time": [1.0]}).to_netcdf(
        run_folder / "plumes" / "other.nc"
    )
    run = collect_run(run_folder)
    (note,) = run.notes  # the KeyError's wording is xarray's
    assert note.startswith("plumes/other.nc not shown on the map: KeyError")
    assert "concentration" in note
    assert "plume:plant_tce_abnormal" in {layer.key for layer in run.layers}


def test_missing_figure_is_named(run_folder):
    (run_folder / "head_map.png").unlink()
    with pytest.raises(PortalError, match=r"head_map\.png is missing \(report\.md shows it\)"):
        write_run_page(run_folder)


def test_failed_page_leaves_the_previous_one(run_folder):
    page = write_run_page(run_folder)
    before = page.read_bytes()
    (run_folder / "summary.json").write_text("{not json")
    with pytest.raises(PortalError, match=r"summary\.json"):
        write_run_page(run_folder)
    assert page.read_bytes() == before
    assert not [p for p in run_folder.iterdir() if p.name.startswith(f".{PAGE_NAME}")]


def test_cli_portal_reports_bad_input(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["portal", str(tmp_path / "empty"), "--out", str(tmp_path / "site")]) == 2
    assert "holds no results" in capsys.readouterr().err


# ------------------------------------------------------------------ a real run
@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    (folder / "tiny.toml").write_text(TINY_SCENARIO)
    with warnings.catch_warnings(record=True) as caught:  # the CLI resets the warning filters
        assert main(["run", str(folder / "tiny.toml"), "--out", str(folder / "out")]) == 0
    assert {type(w.message) for w in caught} <= {TruncatedZoneWarning}  # a small model
    return folder / "out"


@pytest.mark.needs_mf6
def test_gwsim_run_writes_report_html(tiny_run):
    data = page_data(tiny_run / PAGE_NAME)
    layers = {layer["key"]: layer for layer in data["runs"][0]["layers"]}
    assert len(layers["supply_wells"]["features"]) == 2
    assert {f["properties"]["rate_m3_d"] for f in layers["supply_wells"]["features"]} == {300.0}
    assert layers["rivers"]["features"][0]["geometry"]["type"] == "Polygon"  # 24 cells merged
    assert {"head_contours", "protection_zones:numerical"} <= set(layers)


# ------------------------------------------------------------------ in a real browser
def browser_skip_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright not installed (run `make browser`: pip install playwright)"
    if not CHROMIUM.is_file():
        return (
            "Debian's chromium not installed (run `make browser` as root: apt-get install chromium)"
        )
    return None


needs_browser = pytest.mark.skipif(
    browser_skip_reason() is not None, reason=browser_skip_reason() or ""
)


def open_in_browser(page_path: Path, screenshot: Path, actions) -> tuple[list, list]:
    """Open ``page_path`` in headless Chromium, run ``actions(page)``, save a screenshot;
    return (console errors and page errors, requests other than the page itself)."""
    from playwright.sync_api import sync_playwright

    url = page_path.resolve().as_uri()
    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: r.url != url and requests.append(r.url))
            page.goto(url)
            actions(page)
            page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    return errors, requests


def _toggle_and_switch(page):
    box = page.locator('input[data-layer$="/head_contours"]')
    group = page.locator('#world g[data-layer$="/head_contours"]')
    assert box.is_checked() and group.is_visible()
    box.uncheck()
    assert group.is_hidden()
    assert page.locator("#lang").inner_text() == "English"  # the page opens in Chinese
    page.click("#lang")
    assert page.locator("nav button[data-tab=map]").inner_text() == "Map"
    page.locator("#mapsvg").hover()
    assert "EPSG:4548" in page.locator("#coords").inner_text()
    assert "°N" in page.locator("#coords").inner_text()


@needs_browser
def test_page_in_a_browser(run_folder, tmp_path):
    page_path = write_run_page(run_folder)

    def actions(page):
        _toggle_and_switch(page)
        page.locator('#world g[data-layer$="/keyzones"] path').first.click(force=True)
        props = page.locator("#props").inner_text()
        assert "Management requirements" in props and "°N" in props and "EPSG:4548" in props
        page.click("nav button[data-tab=tables]")
        cells = page.locator('table[data-table="synthetic/protection_zones"] tbody tr')
        shown = [row.locator("td").all_inner_texts() for row in cells.all()]
        assert shown == csv_rows(run_folder / "protection_zones.csv")[1:]
        page.click('table[data-table="synthetic/protection_zones"] th[data-col=numerical_area_ha]')
        page.click('table[data-table="synthetic/protection_zones"] th[data-col=numerical_area_ha]')
        first = cells.first.locator("td").nth(1).inner_text()
        assert first == "class2"  # sorted by area, descending
        page.click("nav button[data-tab=map]")

    errors, requests = open_in_browser(page_path, tmp_path / "synthetic.png", actions)
    assert errors == [] and requests == []


@needs_browser
def test_control_structures_in_a_browser(run_folder, tmp_path):
    """The wall, barrier and containment wells are their own layers with a legend entry each;
    unticking the wall hides it; the enterprises carry their rank at their footprint."""
    page_path = write_run_page(run_folder)

    def actions(page):
        page.click("#lang")
        legend = page.locator(".legend").inner_text()
        for words in ("cut-off wall (0.6 m, k = 0.0001 m/d)", "permeable reactive barrier",
                      "containment well", "source well", "monitoring well", "enterprise"):  # fmt: skip
            assert words in legend, words
        wall = page.locator('#world g[data-layer$="/control_structures:cutoff_wall"]')
        assert wall.is_visible()
        page.locator('input[data-layer$="/control_structures:cutoff_wall"]').uncheck()
        assert wall.is_hidden() and "cut-off wall" not in page.locator(".legend").inner_text()
        ranks = page.locator("#marks text.ranklabel").all_text_contents()
        assert sorted(ranks) == ["1", "2"]
        page.locator('#marks path[data-layer$="/control_structures:containment_well"]').click()
        assert "800" in page.locator("#props").inner_text()

    errors, requests = open_in_browser(page_path, tmp_path / "controls.png", actions)
    assert errors == [] and requests == []


@needs_browser
def test_site_in_a_browser(run_folder, tmp_path):
    other = make_run_folder(tmp_path / "other")
    page_path = write_site([run_folder, other], tmp_path / "site")

    def actions(page):
        assert page.locator("h4").all_inner_texts()[:2] == [
            "synthetic (run) ⌖",
            "synthetic (other) ⌖",
        ]
        page.locator(".zoomrun").first.click()  # zoom to one run (both cover the same area)
        page.click("nav button[data-tab=provenance]")
        assert "abc123" in page.locator("main").inner_text()  # inputs_sha256 of the files
        page.click("nav button[data-tab=files]")
        href = page.locator("a", has_text="plumes/plant_tce_abnormal.nc").first.get_attribute(
            "href"
        )
        assert href == "../run/plumes/plant_tce_abnormal.nc"

    errors, requests = open_in_browser(page_path, tmp_path / "site.png", actions)
    assert errors == [] and requests == []


@needs_browser
@pytest.mark.needs_mf6
def test_run_page_in_a_browser(tiny_run, tmp_path):
    shot = tmp_path / "tiny.png"
    errors, requests = open_in_browser(tiny_run / PAGE_NAME, shot, _toggle_and_switch)
    assert errors == [] and requests == []
    assert shot.stat().st_size > 10_000


SHIPPED = sorted(p.name for p in (REPO / "scenarios").glob("*.toml"))


@needs_browser
@pytest.mark.slow
@pytest.mark.parametrize("scenario", SHIPPED)
def test_shipped_scenario_page_in_a_browser(scenario, tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(REPO / "scenarios" / scenario), "--out", str(out)]) == 0

    def actions(page):
        page.click("#lang")
        boxes = page.locator("input[data-layer]")
        if boxes.count():
            boxes.first.click()

    errors, requests = open_in_browser(out / PAGE_NAME, tmp_path / "page.png", actions)
    assert errors == [] and requests == []
    shutil.copy(tmp_path / "page.png", tmp_path.parent / f"{Path(scenario).stem}.png")
