"""The keyzones scenario kind: the illustrative pilot (outputs, planner edits, bad input) and the
valley-model-driven scenario (layers and protection-type areas from the site model)."""

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from gwsim.cli import main
from gwsim.scenario import load_scenario

SCENARIOS = Path(__file__).parents[1] / "scenarios"
PILOT = SCENARIOS / "keyzones_pilot.toml"
CHAJIA = SCENARIOS / "keyzones_chajia.toml"


@pytest.fixture
def pilot(tmp_path) -> Path:
    """A copy of the pilot scenario and its inputs, free to edit."""
    shutil.copy(PILOT, tmp_path / PILOT.name)
    shutil.copytree(PILOT.parent / "keyzones_pilot", tmp_path / "keyzones_pilot")
    return tmp_path / PILOT.name


def edited(path: Path, old: str, new: str) -> Path:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


def test_pilot_writes_raster_polygons_tables_requirements_and_maps(tmp_path, capsys):
    import rioxarray

    out = tmp_path / "out"
    assert main(["run", str(PILOT), "--out", str(out)]) == 0
    names = ["keyzones.nc", "keyzones.tif", "keyzones.geojson", "zone_areas.csv", "zone_areas.md"]
    names += ["thresholds.csv", "control_requirements.md", "keyzones_map.png"]
    names += ["assessments_map.png"]
    printed = capsys.readouterr().out
    for name in names:
        assert (out / name).is_file() and name in printed
    scheme = load_scenario(PILOT).scheme
    code = {name: kind["code"] for name, kind in scheme.kinds.items()}
    with xr.open_dataset(out / "keyzones.nc") as ds:
        assert len(ds.attrs["inputs_sha256"]) == 64 and "ILLUSTRATIVE" in ds.attrs["description"]
        assert "4548" in ds["spatial_ref"].attrs["crs_wkt"]
        assert ds["zone"].attrs["grid_mapping"] == "spatial_ref"
        zone = ds["zone"].values
    tif = rioxarray.open_rasterio(out / "keyzones.tif").squeeze()
    assert tif.rio.crs.to_epsg() == 4548
    np.testing.assert_array_equal(tif.values, zone)  # same raster, exactly
    # every cell is mapped; the pilot holds every kind but a separate recharge area (its quasi
    # zones are drawn by hand and contain it)
    present = set(np.unique(zone))
    assert 0 not in present
    assert present == set(code.values()) - {code["recharge_area"]}
    lines = (out / "zone_areas.csv").read_text().splitlines()
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    kinds = [r for r in rows if r["group"] != "total"]
    total = {r["zone"]: float(r["area_ha"]) for r in kinds if r["county"] == "all"}
    assert sum(total.values()) == pytest.approx(12 * 11 * 100.0)  # 12 km x 11 km in ha
    counties = {r["county"] for r in rows}
    assert counties == {"West district (illustrative)", "East district (illustrative)", "all"}
    for kind, area in total.items():
        by_county = sum(
            float(r["area_ha"]) for r in kinds if r["zone"] == kind and r["county"] != "all"
        )
        assert by_county == pytest.approx(area)
    totals = {r["zone"]: float(r["area_ha"]) for r in rows if r["county"] == "all"}
    assert totals["total_key"] == pytest.approx(
        totals["total_protection"] + totals["total_control"]
    )
    assert totals["total_key"] + total["general"] == pytest.approx(12 * 11 * 100.0)
    geo = json.loads((out / "keyzones.geojson").read_text())
    assert geo["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::4548"
    assert len(geo["gwsim"]["inputs_sha256"]) == 64
    for feature in geo["features"]:
        props = feature["properties"]
        assert props["area_ha"] == pytest.approx(total[props["zone"]])
        assert props["name_zh"] and props["name_en"]
        assert props["requirements_zh"] and props["requirements_en"]
    requirements = (out / "control_requirements.md").read_text()
    assert "一级管控区 / class-1 control area" in requirements and "优先防控区" not in requirements
    thresholds = (out / "thresholds.md").read_text()
    assert "gwsim default" in thresholds and "pilot choice" in thresholds


def test_planner_edits_in_the_scenario_change_the_result_as_expected(pilot):
    scenario = load_scenario(pilot)
    code = {name: kind["code"] for name, kind in scenario.scheme.kinds.items()}
    base = scenario.delineate()
    edited(pilot, "breaks = [1.0, 5.0]", "breaks = [0.5, 2.0]")
    lower = load_scenario(pilot).delineate()
    # lower load thresholds: more high-load cells, a larger 一级管控区, never a smaller one
    assert (lower["load_class"] >= base["load_class"]).all()
    assert int((lower["zone"] == code["control_1"]).sum()) > int(
        (base["zone"] == code["control_1"]).sum()
    )
    edited(
        pilot,
        'weights = "standard"',
        "weights = { D = 5, R = 4, A = 3, S = 2, T = 1, I = 5, C = 5 }",
    )
    heavier = load_scenario(pilot).delineate()
    np.testing.assert_allclose(
        heavier["vulnerability_index"] - lower["vulnerability_index"], 2 * lower["C"]
    )
    # natural breaks instead of equal intervals: breaks from the mapped index, 5 classes
    edited(pilot, 'breaks = "equal_interval"', 'breaks = "natural_breaks"')
    natural = load_scenario(pilot).delineate()
    assert len(natural["vulnerability_class"].attrs["breaks"]) == 4
    assert set(np.unique(natural["vulnerability_class"])) == {0, 1, 2, 3, 4}
    # the 2014 scheme on the same inputs: treatment zones around the exceeding wells
    edited(pilot, 'scheme = "2023"', 'scheme = "2014"')
    old = load_scenario(pilot)
    assert old.scheme.kinds["treatment"]["name_zh"] == "治理区"
    assert int((old.delineate()["zone"] == old.scheme.kinds["treatment"]["code"]).sum()) > 0


def _append(path: Path, line: str) -> None:
    with path.open("a") as f:
        f.write(line)


def _drop_variable(folder: Path, name: str) -> None:
    with xr.open_dataset(folder / "layers.nc") as ds:
        ds = ds.load()
    ds.drop_vars(name).to_netcdf(folder / "layers_edit.nc")


def _rename_category(folder: Path, name: str, old: str, new: str) -> None:
    with xr.open_dataset(folder / "layers.nc") as ds:
        ds = ds.load()
    ds[name].attrs["flag_meanings"] = ds[name].attrs["flag_meanings"].replace(old, new)
    ds.to_netcdf(folder / "layers_edit.nc")


def _shift_k(folder: Path, name: str, dx: float) -> None:
    with xr.open_dataset(folder / "layers.nc") as ds:
        ds = ds.load()
    ds[[name, "spatial_ref"]].assign_coords(x=ds.x + dx).to_netcdf(folder / "k_shifted.nc")


@pytest.mark.parametrize(
    ("prepare", "old", "new", "key"),
    [
        (
            lambda f: _drop_variable(f, "soil_media"),
            "layers.nc",
            "layers_edit.nc",
            "layers.soil_media: missing",
        ),
        (
            lambda f: _rename_category(f, "aquifer_media", "sand_and_gravel", "alluvium"),
            "layers.nc",
            "layers_edit.nc",
            "layers.aquifer_media: category 'alluvium' has no DRASTIC rating",
        ),
        (
            lambda f: _shift_k(f, "k", 30.0),
            "[vulnerability]",
            'k = { file = "keyzones_pilot/k_shifted.nc" }\n\n[vulnerability]',
            "layers.k: x coordinates differ",
        ),
        (
            lambda f: _append(
                f / "enterprises.csv", "far works,tannery,300000,3000000,chromium_vi,5,none,\n"
            ),
            "",
            "",
            "load.inventory 'far works': lies outside the area",
        ),
        (
            lambda f: _append(
                f / "enterprises.csv", "odd works,tannery,455000,3120000,nickel,5,none,\n"
            ),
            "",
            "",
            "'odd works': contaminant 'nickel' has no GB/T 14848",
        ),
        (
            lambda f: _append(f / "monitoring.csv", "MW99,455000,3120000,radon,5\n"),
            "",
            "",
            "quality.monitoring row 11 ('MW99'): parameter 'radon'",
        ),
        (None, "radius_m = 500.0", "radius_m = -5", "quality.radius_m"),
        (None, "[counties]", "[counties]\ncolour = 1", "counties"),
        (
            None,
            "[sources]",
            "[kinds.control_9]\ncode = 9\n\n[sources]",
            "kinds.control_9: no name_en",
        ),
        (
            None,
            "[sources]",
            '[overlay.zone_matrix]\nnot_control = ["general", "general", "general"]\n'
            'control = ["control_2", "priority_control", "control_1"]\n\n[sources]',
            "overlay.zone_matrix.control: entry 'priority_control' unknown",
        ),
        (
            None,
            'scheme = "2023"',
            'scheme = "my_scheme.toml"',
            "my_scheme.toml: scheme file not found",
        ),
    ],
)
def test_bad_input_is_one_clear_line_naming_it_and_writes_nothing(
    pilot, tmp_path, capsys, prepare, old, new, key
):
    if prepare:
        prepare(pilot.parent / "keyzones_pilot")
    if old:
        edited(pilot, old, new)
    out = tmp_path / "out"
    assert main(["run", str(pilot), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gwsim: error:") and key in err
    assert len(err.splitlines()) == 1
    assert not out.exists()


def _model_scenario(tmp_path: Path, layer: str) -> Path:
    """A keyzones scenario on the valley model with one extra layer file."""
    media = '{ aquifer = "sand_and_gravel", soil = "sand", vadose = "sand_and_gravel" }'
    text = f"""
name = "model_check"
kind = "keyzones"
[model]
site = "{(SCENARIOS.parent / "models" / "valley_porous").as_posix()}"
[layers]
water_quality = "{layer}"
[layers.from_model]
media = [{media}, {media}, {media}]
"""
    path = tmp_path / "model_check.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("dx", "crs", "key"),
    [
        (0.0, "EPSG:4547", "layers.water_quality: CRS 'CGCS2000 / 3-degree Gauss-Kruger CM 114E'"),
        (
            30.0,
            "EPSG:4548",
            "layers.water_quality: x coordinates differ from model's by up to 30 m",
        ),
    ],
)
def test_layers_on_another_grid_or_crs_than_the_model_are_named(tmp_path, capsys, dx, crs, key):
    from gwsim.grid import crs_wkt
    from gwsim.site_model import read_model_table
    from gwsim.zoning.model_layers import grid_template

    spec, _, _ = read_model_table({"site": "../models/valley_porous"}, CHAJIA)
    template = grid_template(spec.grid.resolve())
    ds = (
        template.fillna(3.0).rename("water_quality").assign_coords(x=template.x + dx)
    ).to_dataset()
    ds["water_quality"].attrs = {"grid_mapping": "spatial_ref"}
    ds["spatial_ref"] = ((), 0, {"crs_wkt": crs_wkt(crs)})
    ds.to_netcdf(tmp_path / "wq.nc")
    out = tmp_path / "out"
    assert main(["run", str(_model_scenario(tmp_path, "wq.nc")), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert key in err and len(err.splitlines()) == 1
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.needs_mf6
def test_valley_model_scenario_draws_protection_from_gwsim_results(tmp_path):
    """Layers and protection-type areas from the valley model: the source's class-1 zone from
    particle tracking is protection-type, whatever the assessments say there."""
    from gwsim.zoning.value import zone_mask

    out = tmp_path / "out"
    scenario = load_scenario(CHAJIA)
    written = scenario.run(out, log=lambda _: None)
    assert out / "protection_zones.geojson" in written
    with xr.open_dataset(out / "keyzones.nc") as ds:
        zone = ds["zone"].load()
        has_data = np.isfinite(ds["vulnerability_index"].values)
    code = {name: kind["code"] for name, kind in scenario.scheme.kinds.items()}
    features = json.loads((out / "protection_zones.geojson").read_text())["features"]
    import shapely

    class1 = [
        shapely.geometry.shape(f["geometry"])
        for f in features
        if f["properties"]["zone"] == "class1" and f["properties"]["method"] == "numerical"
    ]
    inside = zone_mask(
        [type("Z", (), {"zone": "class1", "geometry": g})() for g in class1], ["class1"], zone
    )
    assert inside.any() and (zone.values[inside] == code["source_class1"]).all()
    assert (zone.values == code["recharge_area"]).any()
    assert has_data.any() and (zone.values[has_data] > 0).all()  # the model's inactive rim: no data
