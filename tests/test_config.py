"""The config layer: located TOML errors, unknown keys with a suggestion, numbers, units and
gwsim's data tables."""

import math

import pytest

from gwsim.config import check_keys, convert, number, package_table, read_toml
from gwsim.errors import SpecError


def test_unknown_key_names_the_key_a_close_match_and_the_valid_keys():
    with pytest.raises(SpecError) as err:
        check_keys({"alpah": 1.5, "sources": {}}, {"alpha", "sources", "media"}, "protection")
    assert err.value.field == "protection.alpah"
    assert err.value.problem == "unknown key"
    assert "did you mean 'alpha'?" in err.value.fix
    assert "['alpha', 'media', 'sources']" in err.value.fix


def test_unknown_key_without_a_close_match_lists_the_valid_keys_only():
    with pytest.raises(SpecError) as err:
        check_keys({"colour": "red"}, {"name", "kind"}, "", "scenario key")
    assert err.value.field == "colour"  # top level: the bare key
    assert err.value.problem == "unknown scenario key"
    assert err.value.fix == "use one of ['kind', 'name']"


def test_known_keys_pass_and_a_non_table_is_refused():
    table = {"name": "x"}
    assert check_keys(table, {"name", "kind"}, "") is table
    with pytest.raises(SpecError, match=r"outputs: must be a table, got list"):
        check_keys(["netcdf"], {"netcdf"}, "outputs")


def test_toml_syntax_error_is_located_at_file_line_and_column(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "x"\n[model\nspec = "a.toml"\n')
    with pytest.raises(SpecError) as err:
        read_toml(path)
    # tomllib's own position for the unclosed table header: line 2, column 7 (1-based)
    assert err.value.field == f"{path}:2:7"
    assert err.value.problem.startswith("not valid TOML: Expected ']'")
    assert "(at line" not in str(err.value)


def test_missing_file_is_named_with_the_fix(tmp_path):
    with pytest.raises(SpecError, match=r"params\.toml: parameter file not found.*model folder"):
        read_toml(tmp_path / "params.toml", "parameter file", "check the model folder")


def test_units_convert_by_known_factors_and_unknown_pairs_are_refused():
    # 1 cm/s = 0.01 m/s x 86400 s/d = 864 m/d; 1 L/s = 0.001 m3/s x 86400 s/d = 86.4 m3/d
    assert convert(1.0, "cm/s", "m/d", "k") == pytest.approx(864.0, rel=1e-12)
    assert convert([1.0, 2.0], "L/s", "m³/d", "rate") == pytest.approx([86.4, 172.8], rel=1e-12)
    # 1000 mm/a over 365.25 d/a = 2.7379e-3 m/d
    assert convert(1000.0, "mm/a", "m/d", "rch") == pytest.approx(1 / 365.25, rel=1e-12)
    assert convert(5.0, "m/d", "m/d", "k") == 5.0
    with pytest.raises(SpecError) as err:
        convert(30.0, "m3/h", "m/d", "wells.rate")
    assert err.value.field == "wells.rate"
    assert "'m3/h' cannot be converted to the expected 'm/d'" in err.value.problem


@pytest.mark.parametrize(
    ("value", "unit", "to", "expected"),
    [
        # issue 12's units; factors from the definitions: 1 h = 1/24 d, 1 L = 1e-3 m3,
        # 1 d = 86400 s, 1 a = 365.25 d (Julian year), 1 mm = 1e-3 m
        (30.0, "m3/h", "m3/d", 720.0),
        (30.0, "m³/h", "m3/d", 720.0),
        (2.0, "L/s", "m3/d", 172.8),
        (600.0, "m3/d", "m3/d", 600.0),
        (1e-4, "m/s", "m/d", 8.64),
        (1e-2, "cm/s", "m/d", 8.64),
        (60.0, "m/d", "m/d", 60.0),
        (365.25, "mm/a", "m/d", 1e-3),
        (2.0, "mm/d", "m/d", 2e-3),
        (1e-3, "m/d", "m/d", 1e-3),
    ],
)
def test_issue12_units_for_rates_k_and_recharge(value, unit, to, expected):
    assert convert(value, unit, to, "x") == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("value", [True, math.nan, math.inf, "60 m/d", -1.0, 0.0])
def test_number_refuses_non_numbers_non_finite_and_out_of_range(value):
    with pytest.raises(SpecError, match=r"protection\.alpha: is .* \(fix: give a number > 0\)"):
        number({"alpha": value}, "alpha", "protection", above=0)


def test_number_defaults_and_bounds():
    assert number({}, "start", "cases[0]", minimum=0.0, default=0.0) == 0.0
    assert number({}, "decay", "controls", minimum=0.0) is None
    assert number({"k": 3}, "k", "wall", minimum=0.0) == 3.0
    with pytest.raises(SpecError, match=r"wall\.k: is -1 \(fix: give a number >= 0.0\)"):
        number({"k": -1}, "k", "wall", minimum=0.0)


def test_package_tables_are_read_fresh_from_the_installed_data():
    limits = package_table("gwsim", "gbt14848_class3.toml")["limits"]
    # GB/T 14848-2017 Table 1, Class III: nitrate (as N) <= 20 mg/L, chromium(VI) <= 0.05 mg/L
    assert limits["nitrate_n"] == 20.0 and limits["chromium_vi"] == 0.05
    limits["nitrate_n"] = 0.0  # a caller's change does not leak into the next read
    assert package_table("gwsim", "gbt14848_class3.toml")["limits"]["nitrate_n"] == 20.0
    drastic = package_table("gwsim.zoning", "drastic.toml")
    # Aller et al. (1987): standard DRASTIC weights D5 R4 A3 S2 T1 I5 C3
    assert drastic["weights"]["standard"] == {
        "D": 5,
        "R": 4,
        "A": 3,
        "S": 2,
        "T": 1,
        "I": 5,
        "C": 3,
    }
