"""HJ 338-2018 protection zones: the empirical formula, nesting, outputs, bad input."""

import json

import numpy as np
import pytest
from builders import GRADIENT, K_UNIFORM, N, Q, uniform_flow_spec

from gwsim.capture import TruncatedZoneWarning
from gwsim.engines import run_flow
from gwsim.protection import ProtectionZoneError, empirical_radius, protection_zones

pytestmark = pytest.mark.needs_mf6


@pytest.mark.parametrize(
    ("k", "gradient", "days", "porosity", "alpha", "radius"),
    [
        # valley sand and gravel: 1.5 * 50 m/d * 0.002 * 100 d / 0.25 = 60 m
        (50.0, 0.002, 100.0, 0.25, 1.5, 60.0),
        (50.0, 0.002, 1000.0, 0.25, 1.5, 600.0),
        # weathered red beds: 1.5 * 1 m/d * 0.01 * 100 d / 0.01 = 150 m
        (1.0, 0.01, 100.0, 0.01, 1.5, 150.0),
        # no safety factor: 1 * 20 * 0.005 * 1000 / 0.2 = 500 m
        (20.0, 0.005, 1000.0, 0.2, 1.0, 500.0),
    ],
)
def test_empirical_radius_hand_worked(k, gradient, days, porosity, alpha, radius):
    assert empirical_radius(k, gradient, days, porosity, alpha) == pytest.approx(radius)


@pytest.mark.parametrize("bad", [{"k": 0.0}, {"porosity": 1.5}, {"gradient": -0.01}])
def test_empirical_radius_refuses_bad_values(bad):
    args = {"k": 10.0, "gradient": 0.01, "travel_time": 100.0, "porosity": 0.2} | bad
    with pytest.raises(ProtectionZoneError, match=next(iter(bad))):
        empirical_radius(**args)


@pytest.fixture(scope="module")
def zones(tmp_path_factory):
    flow = run_flow(uniform_flow_spec({"w1": (0, Q)}), tmp_path_factory.mktemp("pz"))
    with pytest.warns(TruncatedZoneWarning):
        result = protection_zones(
            flow, {"town": ["w1"]}, media={"town": "fine sand"}, progress=False
        )
    return flow, result


def test_zones_nest_and_formula_uses_model_parameters(zones):
    _, pz = zones
    src = pz.sources[0]
    for method in ("numerical", "empirical"):
        z = getattr(src, method)
        assert z["class2"].buffer(1e-6).contains(z["class1"])
        assert z["quasi"].buffer(1e-6).contains(z["class2"])
    well = src.wells[0]
    assert well.k == K_UNIFORM and well.porosity == N
    # the gradient near the well is the regional one steepened by the cone of depression
    assert GRADIENT < well.gradient < 10 * GRADIENT
    assert well.radius_class1 == pytest.approx(1.5 * K_UNIFORM * well.gradient * 100 / N)
    assert src.empirical["class1"].area == pytest.approx(np.pi * well.radius_class1**2, rel=0.01)


def test_geojson_has_one_feature_per_source_zone_method(zones, tmp_path):
    _, pz = zones
    data = json.loads(pz.to_geojson(tmp_path / "protection_zones.geojson").read_text())
    assert data["crs"]["properties"]["name"].endswith("EPSG::4548")
    props = [f["properties"] for f in data["features"]]
    assert {(p["zone"], p["method"]) for p in props} == {
        (z, m) for z in ("class1", "class2", "quasi") for m in ("numerical", "empirical")
    }
    numerical = {p["zone"]: p for p in props if p["method"] == "numerical"}
    assert (
        numerical["class1"]["travel_time_d"] == 100.0
        and numerical["quasi"]["travel_time_d"] is None
    )
    assert numerical["quasi"]["truncated"] is True and numerical["class1"]["truncated"] is False
    assert (
        numerical["class1"]["area_ha"]
        < numerical["class2"]["area_ha"]
        < numerical["quasi"]["area_ha"]
    )


def test_comparison_table_in_csv_and_markdown(zones, tmp_path):
    _, pz = zones
    csv_path, md_path = pz.write_tables(tmp_path)
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("# gwsim_version: ")  # provenance first
    rows = [line for line in lines if not line.startswith("#")]
    assert rows[0].startswith("source,zone,numerical_area_ha")
    assert len(rows) == 4
    assert "30-50 (fine sand)" in md_path.read_text()


def test_bad_inputs(zones):
    flow, _ = zones
    with pytest.raises(ProtectionZoneError, match="not in the HJ 338 table"):
        protection_zones(flow, {"town": ["w1"]}, media={"town": "clay"}, progress=False)
    with pytest.raises(ProtectionZoneError, match="no sources"):
        protection_zones(flow, {}, progress=False)


def test_outer_zone_balances_the_captured_water_and_carries_both_names(tmp_path, zones):
    """The outer zone by flux: the water entering it equals the wells' share of each kind of
    entry within 20 % (the issue's bound; here the only entry is the west fixed-head edge), and
    every feature names its zone in Chinese and English."""
    _, pz = zones
    src = pz.sources[0]
    assert src.closure and all(abs(c.error_pct) < 20.0 for c in src.closure)
    total = sum(c.captured for c in src.closure)
    assert total == pytest.approx(src.pumping, rel=0.1)
    assert src.numerical["quasi"].buffer(1e-6).contains(src.numerical["class2"])
    assert src.truncated["quasi"] == ["west"]  # the water enters through the west edge
    data = json.loads(pz.to_geojson(tmp_path / "zones.geojson").read_text(encoding="utf-8"))
    names = {(f["properties"]["zone"], f["properties"]["name_zh"]) for f in data["features"]}
    assert ("class1", "town一级保护区") in names and ("quasi", "town准保护区") in names
    assert {f["properties"]["name_en"] for f in data["features"]} >= {
        "town class 1 protection zone"
    }


def test_one_circle_per_well_with_the_radius_the_table_prints(tmp_path):
    """Two wells in one WEL boundary give two circles; the table prints each well's R (the same
    rounding as the map's legend) with K, I, n and where each came from."""
    spec = uniform_flow_spec({"w1": (0, Q)})
    flow = run_flow(spec, tmp_path)
    with pytest.warns(TruncatedZoneWarning):
        pz = protection_zones(
            flow,
            {"town": ["w1"]},
            names={"town": {"zh": "某镇水源地", "en": "Town"}},
            language="zh",
            progress=False,
        )
    src = pz.sources[0]
    (row,) = pz.well_table()
    assert row["R_class1_m"] == round(src.wells[0].radius_class1, 1)
    assert src.radius_text("class1") == f"{row['R_class1_m']:g}"
    assert row["K_from"].startswith("flow model K") and "|∇h|" in row["I_from"]
    assert pz.table()[0]["zone"] == "一级保护区" and pz.table()[0]["source"] == "某镇水源地"
    assert "numerical zones" in src.recommendation()
    with pytest.raises(ProtectionZoneError, match="language"):
        protection_zones(flow, {"town": ["w1"]}, language="fr", progress=False)
