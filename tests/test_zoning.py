"""Key-zone delineation: DRASTIC, grading, load, value and the overlay on small synthetic grids.

DRASTIC references are worked by hand from the published rating tables (Aller et al. 1987,
converted to metric in gwsim/zoning/data/drastic.toml); they are exact (integer ratings). The
overlay tests state the 2023 guide's rules as the ministry pages and a municipal draft plan quote
them (DOMAIN.md); the wave-1 matrix tests run on the 2014 scheme, which keeps that matrix shape.
"""

import math
import sys

import numpy as np
import pytest
import shapely

from gwsim.errors import SpecError
from gwsim.flowfield import FlowField
from gwsim.grid import StructuredGrid
from gwsim.standards import class3_limits
from gwsim.zoning.drastic import drastic_index, drastic_ratings, drastic_table, index_range
from gwsim.zoning.grading import grade
from gwsim.zoning.layers import as_layer, check_aligned, layers_from_flow, read_layer
from gwsim.zoning.load import (
    PollutionSource,
    land_use_load,
    load_factors,
    source_hazard,
    spread_load,
)
from gwsim.zoning.model_layers import from_model_options, layers_from_model
from gwsim.zoning.monitoring import Sample, quality_map
from gwsim.zoning.overlay import delineate, zone_codes
from gwsim.zoning.scheme import scheme_from_dict
from gwsim.zoning.value import ProtectionZone, groundwater_value

SCHEME_2014 = {"scheme": "2014"}

CRS = "EPSG:4548"
X = np.array([500050.0, 500150.0])
Y = np.array([3100150.0, 3100050.0])
LIMITS = class3_limits()


def layer(values, name, x=X, y=Y, crs=CRS, **attrs):
    return as_layer(np.asarray(values, float), x, y, crs, name, **attrs)


def categorical(names, table, name):
    codes = {n: i + 1 for i, n in enumerate(table)}
    return layer(
        [[codes[n] for n in row] for row in names],
        name,
        flag_values=np.arange(1, len(table) + 1),
        flag_meanings=" ".join(table),
    )


def two_cell_layers(fractured: bool = True) -> dict:
    """Column 0: valley sand and gravel; column 1: weathered red-bed sandstone (both rows alike).

    Land surface a plane rising 5 % to the east (slope 5 %, T = 9).
    """
    top = 100.0 + 0.05 * (X - X[0])

    def rows(a, b):
        return [[a, b], [a, b]]

    layers = {
        "top": layer(rows(*top), "top"),
        "head": layer(rows(top[0] - 3.0, top[1] - 20.0), "head"),  # D = 3 m, 20 m
        "recharge": layer(rows(300.0, 126.0), "recharge"),
        "k": layer(rows(45.0, 1.0), "k"),
        "porosity": layer(rows(0.25, 0.02), "porosity"),
        "aquifer_media": categorical(
            rows("sand_and_gravel", "redbed_sandstone_conglomerate"),
            ["sand_and_gravel", "redbed_sandstone_conglomerate"],
            "aquifer_media",
        ),
        "soil_media": categorical(
            rows("sandy_loam", "clay_loam"), ["sandy_loam", "clay_loam"], "soil_media"
        ),
        "vadose_zone_media": categorical(
            rows("silt_clay", "redbed_weathered_sandstone"),
            ["silt_clay", "redbed_weathered_sandstone"],
            "vadose_zone_media",
        ),
        "yield": layer(rows(2000.0, 200.0), "yield"),
    }
    if fractured:
        layers["aquifer_type"] = categorical(
            rows("porous", "fractured"), ["porous", "fractured"], "aquifer_type"
        )
    return layers


# ----------------------------------------------------------------------------- DRASTIC
def test_drastic_index_of_hand_worked_cells():
    table = drastic_table()
    weights = {"D": 5, "R": 4, "A": 3, "S": 2, "T": 1, "I": 5, "C": 3}
    ratings = drastic_ratings(two_cell_layers(), table)
    # valley: D 3 m -> 9, R 300 mm/a -> 9, A sand and gravel 8, S sandy loam 6, T 5 % -> 9,
    # I silt/clay 3, C 45 m/d -> 8:  5*9 + 4*9 + 3*8 + 2*6 + 9 + 5*3 + 3*8 = 165
    # red bed: D 20 m -> 3, R 126 -> 6, A 6, S clay loam 3, T 9, I weathered sandstone 6,
    # C on K n_ref/n = 1 * 0.25 / 0.02 = 12.5 m/d -> 4:  15 + 24 + 18 + 6 + 9 + 30 + 12 = 114
    expected = {"D": (9, 3), "R": (9, 6), "A": (8, 6), "S": (6, 3), "T": (9, 9), "I": (3, 6)}
    expected["C"] = (8, 4)
    for param, (valley, redbed) in expected.items():
        assert ratings[param].values[0].tolist() == [valley, redbed], param
    index = drastic_index(ratings, weights)
    np.testing.assert_array_equal(index.values, [[165.0, 114.0], [165.0, 114.0]])
    # without the red-bed adaptation C of 1 m/d rates 1: 114 - 3 * (4 - 1) = 105
    plain = drastic_index(drastic_ratings(two_cell_layers(fractured=False), table), weights)
    assert plain.values[0, 1] == 105.0


def test_range_bounds_are_half_open_and_nan_is_no_data():
    layers = two_cell_layers()
    top = layers["top"].values
    # depth exactly 1.5 m (a bound) rates 9, just under rates 10; NaN head gives NaN
    layers["head"] = layers["head"].copy(
        data=np.array([[top[0, 0] - 1.5, top[0, 1] - 1.49], [np.nan, top[1, 1] - 40.0]])
    )
    d = drastic_ratings(layers, drastic_table())["D"].values
    assert d[0].tolist() == [9.0, 10.0]
    assert np.isnan(d[1, 0]) and d[1, 1] == 1.0


def test_index_range_and_equal_interval_grading():
    table = drastic_table()
    assert index_range({"D": 5, "R": 4, "A": 3, "S": 2, "T": 1, "I": 5, "C": 3}, table) == (
        26.0,
        226.0,
    )
    scheme = scheme_from_dict({})
    np.testing.assert_allclose(scheme.vulnerability_breaks, [66.0, 106.0, 146.0, 186.0])
    classes = grade([26.0, 65.9, 66.0, 146.0, 185.99, 186.0, 226.0, np.nan], [66, 106, 146, 186])
    assert classes.tolist() == [0, 0, 1, 3, 3, 4, 4, -1]


def test_scenario_ratings_add_a_category_and_unknown_ones_are_named():
    layers = two_cell_layers()
    layers["aquifer_media"].attrs["flag_meanings"] = "alluvial_gravel redbed_sandstone_conglomerate"
    with pytest.raises(SpecError, match=r"layers\.aquifer_media.*'alluvial_gravel'"):
        drastic_ratings(layers, drastic_table())
    ratings = drastic_ratings(layers, drastic_table({"A": {"alluvial_gravel": 7}}))
    assert ratings["A"].values[0, 0] == 7.0


# ----------------------------------------------------------------------------- layers
def test_misaligned_grids_and_crss_are_named():
    layers = two_cell_layers()
    layers["k"] = layer(layers["k"].values, "k", x=X + 50.0)
    with pytest.raises(SpecError, match=r"layers\.k: x coordinates differ.*50 m"):
        check_aligned(layers)
    layers = two_cell_layers()
    layers["recharge"] = layer(layers["recharge"].values, "recharge", crs="EPSG:4547")
    with pytest.raises(SpecError, match=r"layers\.recharge: CRS .*CM 114E.* differs"):
        check_aligned(layers)


def test_netcdf_layer_round_trip_takes_the_crs_from_the_grid_mapping(tmp_path):
    from gwsim.grid import crs_wkt

    k = layer([[1.0, 2.0], [3.0, 4.0]], "k")
    ds = k.to_dataset(name="hk")
    ds["hk"].attrs = {"units": "m/d", "grid_mapping": "spatial_ref"}
    ds["spatial_ref"] = ((), 0, {"crs_wkt": crs_wkt(CRS)})
    ds = ds.sortby("y")  # stored south first: read_layer turns it north first
    ds.to_netcdf(tmp_path / "k.nc")
    back = read_layer(tmp_path / "k.nc", "k", "hk")
    np.testing.assert_array_equal(back.values, k.values)
    check_aligned({"k": k, "k_file": back})
    with pytest.raises(SpecError, match=r"layers\.k: variable 'k' not in k\.nc"):
        read_layer(tmp_path / "k.nc", "k")


def test_geotiff_without_rioxarray_names_the_package(tmp_path, monkeypatch):
    (tmp_path / "k.tif").write_bytes(b"II*\x00")
    monkeypatch.setitem(sys.modules, "rioxarray", None)
    with pytest.raises(SpecError, match=r"layers\.k: .*needs the rioxarray package.*pip install"):
        read_layer(tmp_path / "k.tif", "k")


def two_layer_flow(head_top: float = 24.0) -> tuple[FlowField, np.ndarray]:
    """2 x 3 columns of a 5 m/d layer (30-20 m) over a 50 m/d layer (20-0 m); 1 mm/d recharge."""
    nlay, nrow, ncol = 2, 2, 3
    head = np.full((1, nlay, nrow, ncol), 18.0)
    head[0, 0] = head_top
    head[0, 0, 1, 2] = np.nan  # layer 0 dry in one column: the water table is in layer 1
    k = np.stack([np.full((nrow, ncol), 5.0), np.full((nrow, ncol), 50.0)])
    rch = np.zeros((1, nlay, nrow, ncol))
    rch[0, 0] = 0.001 * 100.0 * 50.0  # 1 mm/d on 100 m x 50 m cells
    zeros = np.zeros((1, nlay, nrow, ncol))
    flow = FlowField(
        grid=StructuredGrid(
            delr=np.full(ncol, 100.0),
            delc=np.full(nrow, 50.0),
            top=np.full((nrow, ncol), 30.0),
            botm=np.stack([np.full((nrow, ncol), 20.0), np.full((nrow, ncol), 0.0)]),
            idomain=np.ones((nlay, nrow, ncol), int),
            xorigin=500000.0,
            yorigin=3100000.0,
            crs=CRS,
        ),
        icelltype=np.ones((nlay, nrow, ncol), int),
        porosity=np.stack([np.full((nrow, ncol), 0.3), np.full((nrow, ncol), 0.2)]),
        times=np.array([1.0]),
        kstpkper=np.array([[0, 0]]),
        head=head,
        saturation=np.ones_like(head),
        flow_right_face=zeros,
        flow_front_face=zeros,
        flow_lower_face=zeros,
        sources={"rain": rch},
        source_types={"rain": "RCH"},
    )
    return flow, k


def test_layers_from_a_flow_field():
    flow, k = two_layer_flow()
    layers = layers_from_flow(flow, k)
    assert layers["head"].values.tolist() == [[24.0, 24.0, 24.0], [24.0, 24.0, 18.0]]
    assert layers["k"].values[1].tolist() == [5.0, 5.0, 50.0]
    assert layers["porosity"].values[1, 2] == 0.2
    np.testing.assert_allclose(layers["recharge"].values, 365.25)
    assert layers["top"].y.values.tolist() == [3100075.0, 3100025.0]
    assert layers["top"].x.values.tolist() == [500050.0, 500150.0, 500250.0]


def test_layers_from_a_model_take_the_main_aquifer_media_and_a_thiem_yield():
    flow, k = two_layer_flow(head_top=29.0)  # water table 1 m below land in layer 0
    media = [
        {"aquifer": "massive_shale", "soil": "silty_loam", "vadose": "silt_clay"},
        {"aquifer": "sand_and_gravel", "soil": "sand", "vadose": "sand_and_gravel"},
    ]
    options = from_model_options({"media": media}, flow.grid.nlay)
    layers = layers_from_model(flow, k, options)
    # transmissivity: layer 0 5 m/d x 9 m = 45, layer 1 50 m/d x 18 m = 900 m2/d -> main aquifer 1
    assert layers["k"].values.tolist() == [[50.0] * 3, [50.0] * 3]
    names = str(layers["aquifer_media"].attrs["flag_meanings"]).split()
    assert {names[int(c) - 1] for c in layers["aquifer_media"].values.ravel()} == {
        "sand_and_gravel"
    }
    vadose = str(layers["vadose_zone_media"].attrs["flag_meanings"]).split()
    assert vadose[int(layers["vadose_zone_media"].values[0, 0]) - 1] == "silt_clay"
    # the dry column: water table at 18 m in layer 1, so 10 m of layer 0 and 2 m of layer 1
    # are unsaturated -> layer 0's vadose medium
    assert vadose[int(layers["vadose_zone_media"].values[1, 2]) - 1] == "silt_clay"
    # Thiem: Q = 2 pi T s / ln(R / r_w), T = 945 m2/d, s = 3 m, R = 300 m, r_w = 0.15 m
    expected = 2 * math.pi * 945.0 * 3.0 / math.log(300.0 / 0.15)
    assert layers["yield"].values[0, 0] == pytest.approx(expected, rel=1e-12)
    with pytest.raises(SpecError, match=r"layers\.from_model\.media.*one .* per model layer \(2\)"):
        from_model_options({"media": media[:1]}, 2)


# ----------------------------------------------------------------------------- load
def test_source_hazard_hand_worked():
    factors = load_factors()
    plating = PollutionSource(
        "plating", "electroplating", shapely.Point(0, 0), ("chromium_vi",), 30.0, "general"
    )
    # T = 1 + log10(1000 / 0.05); Q(30 t) = 3; L = 0.8 * 0.5
    expected = (1 + math.log10(1000 / 0.05)) * 3 * 0.8 * 0.5
    assert source_hazard(plating, factors, LIMITS) == pytest.approx(expected, rel=1e-12)
    more = load_factors({"anti_seepage_factor": {"general": 1.0}})
    assert source_hazard(plating, more, LIMITS) == pytest.approx(expected / 0.5, rel=1e-12)
    for bad, message in [
        ({"contaminants": ("nickel",)}, "contaminant 'nickel'"),
        ({"type": "brewery"}, "source type 'brewery'"),
        ({"anti_seepage": "concrete"}, "anti-seepage status 'concrete'"),
    ]:
        source = PollutionSource(**{**plating.__dict__, **bad})
        with pytest.raises(SpecError, match=f"load.inventory 'plating'.*{message}"):
            source_hazard(source, factors, LIMITS)


def test_load_kernel_is_elongated_down_the_gradient():
    x = 500000.0 + 50.0 * np.arange(81) + 25.0
    y = 3100000.0 + 50.0 * np.arange(41)[::-1] + 25.0
    head = as_layer(np.tile(40.0 - 0.001 * (x - x[0]), (41, 1)), x, y, CRS, "head")  # flows east
    source = PollutionSource("s", "landfill", shapely.Point(x[40], y[20]), ("ammonia_n",), 1, "key")
    load = spread_load([source], [2.0], head, 1000.0, 150.0, 200.0).values
    assert load[20, 40] == pytest.approx(2.0)
    assert load[20, 60] == pytest.approx(2.0 / math.e)  # 1000 m downgradient: H / e
    assert load[20, 37] == pytest.approx(2.0 / math.e)  # 150 m upgradient
    assert load[16, 40] == pytest.approx(2.0 / math.e)  # 200 m across
    assert load[20, 50] > 10 * load[20, 30]  # 500 m down vs up


# ----------------------------------------------------------------------------- value
def test_groundwater_value_from_yield_use_and_zones():
    yields = layer([[2000.0, 2000.0], [50.0, 500.0]], "yield")
    use = layer([[1, 2], [1, 1]], "use", flag_values=[1, 2], flag_meanings="drinking none")
    zone = ProtectionZone("src", "quasi", shapely.box(500100, 3100000, 500200, 3100100), {})
    value = groundwater_value(
        yields, [100.0, 1000.0], [zone], {"quasi": 1}, use, {"drinking": 2, "none": 0}
    )
    # yield classes [[2, 2], [0, 1]]; use caps the top-right cell at low; the quasi zone holds
    # the bottom-right cell, already medium
    assert value.values.tolist() == [[2, 0], [0, 1]]
    value = groundwater_value(
        yields, [100.0, 1000.0], [zone], {"quasi": 2}, use, {"drinking": 2, "none": 0}
    )
    assert value.values.tolist() == [[2, 0], [0, 2]]


# ----------------------------------------------------------------------------- overlay
def codes_of(scheme) -> dict[str, int]:
    return {name: kind["code"] for name, kind in scheme.kinds.items()}


def test_overlay_follows_the_2023_guide():
    """Value high and vulnerability high -> control-type; high load -> 一级管控区; the same cell
    with low value -> 一般区; any cell in a recharge area is protection-type whatever its layers."""
    scheme = scheme_from_dict({})  # the default: the 2023 guide
    code = codes_of(scheme)
    assert scheme.kinds["control_1"]["name_zh"] == "一级管控区"
    assert scheme.kinds["general"]["name_zh"] == "一般区"
    # cells: high value / very high vulnerability / high load; the same with low value; high
    # value and high vulnerability with low load; high load and vulnerability but medium value;
    # high value and load but medium vulnerability; no data at all
    classes = {
        "value": np.array([[2, 0, 2, 1, 2, -1]]),
        "vulnerability": np.array([[4, 4, 3, 4, 2, -1]]),
        "load": np.array([[2, 2, 0, 2, 2, -1]]),
    }
    none = {mask: np.zeros((1, 6), bool) for mask in scheme.precedence}
    first, zone = zone_codes(classes, none, scheme)
    assert first.tolist() == [[1, 0, 1, 0, 0, -1]]  # control-type screen
    assert zone.tolist() == [
        [code["control_1"], code["general"], code["control_2"], code["general"], code["general"], 0]
    ]
    # a recharge area over every cell, including the one without data: all protection-type
    masks = dict(none, recharge_area=np.ones((1, 6), bool))
    _, zone = zone_codes(classes, masks, scheme)
    assert zone.tolist() == [[code["recharge_area"]] * 6]
    assert scheme.kinds["recharge_area"]["group"] == "protection"
    # protection-type parts keep their order: class 1 inside the recharge area stays class 1
    masks["class1"] = np.array([[True, False, False, False, False, False]])
    _, zone = zone_codes(classes, masks, scheme)
    assert zone[0, :2].tolist() == [code["source_class1"], code["recharge_area"]]
    # no treatment zone in the 2023 scheme
    assert scheme.treatment_radius_m is None and "treatment" not in scheme.kinds


def test_2014_scheme_keeps_risk_then_value_and_treatment():
    scheme = scheme_from_dict(SCHEME_2014)
    code = codes_of(scheme)
    classes = {
        "vulnerability": np.array([[4, 0, 2], [2, 2, -1]]),
        "load": np.array([[2, 0, 1], [1, 1, 0]]),
        "value": np.array([[2, 2, 0], [0, 2, 2]]),
    }
    none = {mask: np.zeros((2, 3), bool) for mask in scheme.precedence}
    risk, zone = zone_codes(classes, none, scheme)
    # risk: very_high x high -> high; very_low x low -> low; medium x medium -> medium
    assert risk.tolist() == [[2, 0, 1], [1, 1, -1]]
    assert zone.tolist() == [
        [code["key_control"], code["general_control"], code["general_control"]],
        [code["general_control"], code["key_control"], 0],
    ]
    masks = dict(none)
    masks["class2"] = np.array([[False, True, False], [False, False, True]])
    masks["treatment"] = np.array([[False, True, True], [False, False, False]])
    _, zone = zone_codes(classes, masks, scheme)
    # protection wins over treatment; protection holds on the no-data cell too
    assert zone.tolist()[0] == [code["key_control"], code["protection"], code["treatment"]]
    assert zone[1, 2] == code["protection"]
    flipped = scheme_from_dict(
        {**SCHEME_2014, "overlay": {"precedence": ["treatment", "class1", "class2", "quasi"]}}
    )
    _, zone = zone_codes(classes, masks, flipped)
    assert zone[0, 1] == code["treatment"]


def test_a_scenario_can_replace_the_zone_kinds():
    kind = {
        "name_en": "watch",
        "name_zh": "关注区",
        "colour": "#ff0000",
        "group": "control",
        "requirements_en": ["watch"],
        "requirements_zh": ["关注"],
    }
    replaced = scheme_from_dict(
        {
            "kinds": {"replace": True, "watch": {**kind, "code": 1}, "rest": {**kind, "code": 2}},
            "overlay": {
                "precedence": [],
                "mask_kind": {},
                "zone_matrix": {
                    "not_control": ["rest", "rest", "rest"],
                    "control": ["watch", "watch", "watch"],
                },
            },
        }
    )
    assert sorted(replaced.kinds) == ["rest", "watch"]
    assert replaced.kinds["watch"]["source"] == "scenario file"
    merged = scheme_from_dict({"kinds": {"watch": {**kind, "code": 99}}})
    assert "watch" in merged.kinds and "control_1" in merged.kinds


def test_every_default_threshold_names_its_source():
    for data in ({}, SCHEME_2014):
        scheme = scheme_from_dict(data)
        from gwsim.zoning.scheme import threshold_rows

        rows = threshold_rows(data, scheme)
        assert rows and all(r["source"] and r["source"] != "scenario file" for r in rows)
        assert all(kind["source"] for kind in scheme.kinds.values())
    edited = {"load": {"breaks": [2.0, 6.0]}}
    rows = {r["key"]: r for r in threshold_rows(edited, scheme_from_dict(edited))}
    assert rows["load.breaks"]["source"] == "scenario file"
    assert rows["load.classes"]["source"] == "gwsim default"


def test_changing_a_weight_or_threshold_changes_the_result_as_expected():
    layers = two_cell_layers()
    base = delineate(layers, scheme_from_dict({}))
    weights = {"D": 5, "R": 4, "A": 3, "S": 2, "T": 1, "I": 5, "C": 5}
    heavier = delineate(layers, scheme_from_dict({"vulnerability": {"weights": weights}}))
    # C weight 3 -> 5 adds 2 * C (8 in the valley, 4 on the red beds)
    np.testing.assert_array_equal(
        heavier["vulnerability_index"] - base["vulnerability_index"], [[16, 8], [16, 8]]
    )
    assert base["vulnerability_class"].values[0].tolist() == [3, 2]  # 165 high, 114 medium
    lowered = delineate(layers, scheme_from_dict({"vulnerability": {"breaks": [50, 60, 70, 110]}}))
    assert lowered["vulnerability_class"].values[0].tolist() == [4, 4]


def test_delineate_on_a_synthetic_grid():
    x = 500000.0 + 100.0 * np.arange(30) + 50.0
    y = 3100000.0 + 100.0 * np.arange(20)[::-1] + 50.0
    base = two_cell_layers()
    layers = {
        name: as_layer(np.repeat(np.repeat(da.values[:, :1], 20 // 2, 0), 30, 1), x, y, CRS, name)
        for name, da in base.items()
    }
    for name in ("aquifer_media", "soil_media", "vadose_zone_media", "aquifer_type"):
        layers[name].attrs.update(
            {k: base[name].attrs[k] for k in ("flag_values", "flag_meanings")}
        )
    layers["top"] = as_layer(np.full((20, 30), 40.0), x, y, CRS, "top")
    layers["head"] = as_layer(np.tile(37.0 - 0.001 * (x - x[0]), (20, 1)), x, y, CRS, "head")
    source = PollutionSource(
        "gas", "gas_station", shapely.Point(501000, 3101000), ("benzene",), 150.0, "none"
    )
    zone = ProtectionZone("w", "class2", shapely.Point(502500, 3101000).buffer(220.0), {})
    sample = Sample("mw", 500250.0, 3101750.0, "nitrate_n", 25.0)
    scheme = scheme_from_dict(SCHEME_2014)
    ds = delineate(layers, scheme, [source], [zone], [sample])
    code = codes_of(scheme)
    # hazard: T = 1 + log10(1000 / 0.01) = 6, Q(150 t) = 4, L = 0.7 -> 16.8
    assert float(ds["hazard"][0]) == pytest.approx(16.8)
    row, col = 10, 10  # the source's cell: high load on a high-vulnerability valley
    assert ds["zone"].values[row, col] == code["key_control"]
    assert ds["zone"].values[10, 25] == code["protection"]
    assert ds["zone"].values[2, 2] == code["treatment"]
    assert ds["zone"].values[0, 29] == code["key_control"]  # no load, high vulnerability and yield
    assert "nitrate_n 25 mg/L > 20" in ds.attrs["exceedances"]
    outside = PollutionSource("far", "gas_station", shapely.Point(0, 0), ("benzene",), 1.0, "key")
    with pytest.raises(SpecError, match=r"load\.inventory 'far': lies outside the area"):
        delineate(layers, scheme_from_dict({}), [outside])
    del layers["soil_media"]
    with pytest.raises(SpecError, match=r"layers\.soil_media: missing"):
        delineate(layers, scheme_from_dict({}))


@pytest.mark.parametrize(
    ("section", "bad", "key"),
    [
        ("vulnerability", {"weights": {"D": 5}}, "vulnerability.weights"),
        ("vulnerability", {"breaks": [1, 2]}, "vulnerability.breaks"),
        ("load", {"breaks": [5.0, 1.0]}, "load.breaks"),
        ("load", {"colour": "red"}, "load.colour"),
        ("overlay", {"first_matrix": {"low": ["not_control"] * 5}}, "overlay.first_matrix"),
        (
            "overlay",
            {"zone_matrix": {"not_control": ["a", "b", "c"], "control": []}},
            "zone_matrix",
        ),
        ("value", {"zone_class": {"class3": "high"}}, "value.zone_class.class3"),
        ("quality", {"ignore_parameters": ["radon"]}, "quality.ignore_parameters"),
        ("treatment", {"radius_m": 250.0}, "treatment: this scheme has no such section"),
    ],
)
def test_bad_scheme_entries_are_named(section, bad, key):
    with pytest.raises(SpecError, match=key.replace(".", r"\.")):
        scheme_from_dict({section: bad})


def test_a_matrix_missing_a_class_and_an_unknown_zone_kind_are_named():
    missing = {"overlay": {"first_matrix": {"low": ["not_control"] * 5, "medium": ["control"] * 5}}}
    with pytest.raises(SpecError, match=r"overlay\.first_matrix: has no row for class 'high'"):
        scheme_from_dict(missing)
    matrix = {"not_control": ["general"] * 3, "control": ["control_2", "priority_control", "x"]}
    with pytest.raises(
        SpecError, match=r"overlay\.zone_matrix\.control: entry 'priority_control' unknown"
    ):
        scheme_from_dict({"overlay": {"zone_matrix": matrix}})
    with pytest.raises(
        SpecError, match=r"overlay\.mask_kind\.quasi: zone kind 'protection' unknown"
    ):
        scheme_from_dict({"overlay": {"mask_kind": {"quasi": "protection"}}})
    with pytest.raises(SpecError, match=r"overlay\.precedence: lists treatment"):
        scheme_from_dict(
            {"overlay": {"precedence": ["treatment"], "mask_kind": {"treatment": "general"}}}
        )
    with pytest.raises(SpecError, match=r"scheme file not found"):
        scheme_from_dict({"scheme": "2019"})


def test_natural_breaks_split_clear_groups():
    from gwsim.zoning.grading import natural_breaks

    values = np.array([1.0, 1.0, 2.0, 2.0, 10.0, 11.0, 12.0, 30.0, 31.0, np.nan])
    # three obvious groups (by eye, and the Fisher-Jenks optimum): {1, 2}, {10-12}, {30, 31}
    assert grade(values, natural_breaks(values, 3, "load.breaks")).tolist() == [
        0, 0, 0, 0, 1, 1, 1, 2, 2, -1,
    ]  # fmt: skip
    with pytest.raises(SpecError, match=r"load\.breaks: natural breaks need at least 3"):
        natural_breaks(np.array([1.0, 1.0, 2.0]), 3, "load.breaks")


def test_water_quality_caps_the_value_and_land_use_adds_load():
    yields = layer([[2000.0, 2000.0], [2000.0, 2000.0]], "yield")
    scheme = scheme_from_dict({})
    # wells: one at the top-left cell meeting Class III, one at the bottom-right above it
    samples = [
        Sample("a", 500050.0, 3100150.0, "nitrate_n", 5.0),
        Sample("b", 500150.0, 3100050.0, "nitrate_n", 25.0),
    ]
    quality = quality_map(samples, LIMITS, [], 60.0, yields)
    assert quality.tolist() == [[3, 0], [0, 4]]  # 0 = no well within 60 m
    value = groundwater_value(
        yields, scheme.yield_breaks, quality=quality, quality_class=scheme.quality_class
    )
    assert value.values.tolist() == [[2, 2], [2, 1]]  # worse than Class III -> medium at most
    areas = [("livestock", shapely.box(500000, 3100100, 500100, 3100200))]
    areas.append(("farmland", shapely.box(500000, 3100000, 500200, 3100200)))
    load = land_use_load(areas, scheme.load_factors["land_use_load"], yields)
    assert load.tolist() == [[6.0, 1.5], [1.5, 1.5]]  # the first polygon wins where they overlap
    with pytest.raises(SpecError, match=r"load\.land_use: land use 'quarry' has no load"):
        land_use_load([("quarry", areas[0][1])], scheme.load_factors["land_use_load"], yields)


def test_inventory_geojson_without_crs_is_lon_lat_and_is_transformed(tmp_path):
    import json

    import pyproj

    from gwsim.zoning.load import read_inventory

    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [116.59, 28.25]},
        "properties": {
            "name": "works",
            "type": "tannery",
            "contaminants": ["chromium_vi", "sulfate"],
            "quantity_t": 12,
            "anti_seepage": "key",
        },
    }
    path = tmp_path / "inventory.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    (source,) = read_inventory(path, CRS)
    x, y = pyproj.Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(116.59, 28.25)
    assert (source.geometry.x, source.geometry.y) == pytest.approx((x, y), abs=1e-6)
    assert 400000 < x < 500000  # easting first, west of the 117E central meridian
    assert source.contaminants == ("chromium_vi", "sulfate") and source.quantity_t == 12.0
