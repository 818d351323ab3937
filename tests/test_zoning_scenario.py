"""The keyzones scenario kind on the illustrative pilot: outputs, planner edits and bad input."""

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from gwsim.cli import main
from gwsim.scenario import load_scenario

PILOT = Path(__file__).parents[1] / "scenarios" / "keyzones_pilot.toml"


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
    out = tmp_path / "out"
    assert main(["run", str(PILOT), "--out", str(out)]) == 0
    names = ["keyzones.nc", "keyzones.geojson", "zone_areas.csv", "zone_areas.md"]
    names += ["control_requirements.md", "keyzones_map.png", "assessments_map.png"]
    printed = capsys.readouterr().out
    for name in names:
        assert (out / name).is_file() and name in printed
    with xr.open_dataset(out / "keyzones.nc") as ds:
        assert len(ds.attrs["inputs_sha256"]) == 64 and "ILLUSTRATIVE" in ds.attrs["description"]
        assert "4548" in ds["spatial_ref"].attrs["crs_wkt"]
        assert ds["zone"].attrs["grid_mapping"] == "spatial_ref"
        zone = ds["zone"].values
    # every zone kind is present on the pilot, and every cell is mapped
    assert set(np.unique(zone)) == {1, 2, 3, 4, 5}
    lines = (out / "zone_areas.csv").read_text().splitlines()
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    total = {r["zone"]: float(r["area_ha"]) for r in rows if r["county"] == "all"}
    assert sum(total.values()) == pytest.approx(12 * 11 * 100.0)  # 12 km x 11 km in ha
    counties = {r["county"] for r in rows}
    assert counties == {"West district (illustrative)", "East district (illustrative)", "all"}
    for kind, area in total.items():
        by_county = sum(
            float(r["area_ha"]) for r in rows if r["zone"] == kind and r["county"] != "all"
        )
        assert by_county == pytest.approx(area)
    geo = json.loads((out / "keyzones.geojson").read_text())
    assert geo["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::4548"
    assert len(geo["gwsim"]["inputs_sha256"]) == 64
    for feature in geo["features"]:
        props = feature["properties"]
        assert props["area_ha"] == pytest.approx(total[props["zone"]])
        assert props["requirements"]
    assert "优先防控区" in (out / "control_requirements.md").read_text()


def test_planner_edits_in_the_scenario_change_the_result_as_expected(pilot):
    base = load_scenario(pilot).delineate()
    code = {"priority_control": 3, "key_control": 4}
    edited(pilot, "breaks = [1.0, 5.0]", "breaks = [0.5, 2.0]")
    lower = load_scenario(pilot).delineate()
    # lower load thresholds: more high-load cells, a larger priority zone, never a smaller one
    assert (lower["load_class"] >= base["load_class"]).all()
    base_priority = int((base["zone"] == code["priority_control"]).sum())
    assert int((lower["zone"] == code["priority_control"]).sum()) > base_priority
    edited(
        pilot,
        'weights = "standard"',
        "weights = { D = 5, R = 4, A = 3, S = 2, T = 1, I = 5, C = 5 }",
    )
    heavier = load_scenario(pilot).delineate()
    np.testing.assert_allclose(
        heavier["vulnerability_index"] - lower["vulnerability_index"], 2 * lower["C"]
    )
    edited(
        pilot,
        'medium = ["general_control", "key_control", "key_control"]',
        'medium = ["general_control", "general_control", "general_control"]',
    )
    fewer = load_scenario(pilot).delineate()
    assert int((fewer["zone"] == code["key_control"]).sum()) < int(
        (heavier["zone"] == code["key_control"]).sum()
    )


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
            "treatment.monitoring row 11 ('MW99'): parameter 'radon'",
        ),
        (None, "radius_m = 250.0", "radius_m = -5", "treatment.radius_m"),
        (None, "[counties]", "[counties]\ncolour = 1", "counties"),
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
