"""Key-zone delineation: DRASTIC, grading, load, value and the overlay on small synthetic grids.

DRASTIC references are worked by hand from the published rating tables (Aller et al. 1987,
converted to metric in gwsim/zoning/data/drastic.toml); they are exact (integer ratings).
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
from gwsim.zoning.load import PollutionSource, load_factors, source_hazard, spread_load
from gwsim.zoning.overlay import Sample, delineate, zone_codes
from gwsim.zoning.scheme import scheme_from_dict
from gwsim.zoning.value import ProtectionZone, groundwater_value

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


def test_layers_from_a_flow_field():
    nlay, nrow, ncol = 2, 2, 3
    head = np.full((1, nlay, nrow, ncol), 18.0)
    head[0, 0] = 24.0
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
    layers = layers_from_flow(flow, k)
    assert layers["head"].values.tolist() == [[24.0, 24.0, 24.0], [24.0, 24.0, 18.0]]
    assert layers["k"].values[1].tolist() == [5.0, 5.0, 50.0]
    assert layers["porosity"].values[1, 2] == 0.2
    np.testing.assert_allclose(layers["recharge"].values, 365.25)
    assert layers["top"].y.values.tolist() == [3100075.0, 3100025.0]
    assert layers["top"].x.values.tolist() == [500050.0, 500150.0, 500250.0]


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
def test_overlay_matrix_on_a_small_grid():
    scheme = scheme_from_dict({})
    vulnerability = np.array([[4, 0, 2], [2, 2, -1]])
    load = np.array([[2, 0, 1], [1, 1, 0]])
    value = np.array([[2, 2, 0], [0, 2, 2]])
    none = np.zeros((2, 3), bool)
    risk, zone = zone_codes(
        vulnerability, load, value, {"protection": none, "treatment": none}, scheme
    )
    # risk: very_high x high -> high; very_low x low -> low; medium x medium -> medium
    assert risk.tolist() == [[2, 0, 1], [1, 1, -1]]
    code = {name: kind["code"] for name, kind in scheme.kinds.items()}
    assert zone.tolist() == [
        [code["priority_control"], code["key_control"], code["general_control"]],
        [code["general_control"], code["key_control"], 0],
    ]
    protection = np.array([[False, True, False], [False, False, True]])
    treatment = np.array([[False, True, True], [False, False, False]])
    _, zone = zone_codes(
        vulnerability, load, value, {"protection": protection, "treatment": treatment}, scheme
    )
    # protection wins over treatment; no-data cells stay outside (0)
    assert zone[0].tolist() == [code["priority_control"], code["protection"], code["treatment"]]
    assert zone[1, 2] == 0
    flipped = scheme_from_dict({"overlay": {"precedence": ["treatment", "protection"]}})
    _, zone = zone_codes(
        vulnerability, load, value, {"protection": protection, "treatment": treatment}, flipped
    )
    assert zone[0, 1] == code["treatment"]


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
    ds = delineate(layers, scheme_from_dict({}), [source], [zone], [sample])
    code = {name: kind["code"] for name, kind in scheme_from_dict({}).kinds.items()}
    # hazard: T = 1 + log10(1000 / 0.01) = 6, Q(150 t) = 4, L = 0.7 -> 16.8
    assert float(ds["hazard"][0]) == pytest.approx(16.8)
    row, col = 10, 10  # the source's cell: high load on a high-vulnerability valley
    assert ds["zone"].values[row, col] == code["priority_control"]
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
        ("overlay", {"risk_matrix": {"low": ["low"]}}, "overlay.risk_matrix"),
        (
            "overlay",
            {"zone_matrix": {"low": ["a", "b", "c"], "medium": [], "high": []}},
            "zone_matrix",
        ),
        ("value", {"zone_class": {"class3": "high"}}, "value.zone_class.class3"),
        ("treatment", {"ignore_parameters": ["radon"]}, "treatment.ignore_parameters"),
    ],
)
def test_bad_scheme_entries_are_named(section, bad, key):
    with pytest.raises(SpecError, match=key.replace(".", r"\.")):
        scheme_from_dict({section: bad})


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
