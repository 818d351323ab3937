"""Parameter files: units and sources required, overrides checked and converted."""

import textwrap

import pytest

from gwsim.errors import SpecError
from gwsim.params import apply_overrides, convert, load_params

FILE = textwrap.dedent("""
    [aquifer.k]
    value = 60.0
    unit = "m/d"
    source = "DOMAIN.md typical sand and gravel"

    [recharge.rate]
    value = 9.6e-4
    unit = "m/d"
    source = "1750 mm/a x 0.2"

    [wells.rate]
    value = 600.0
    unit = "m³/d"
    source = "design"
""")


@pytest.fixture
def params(tmp_path):
    path = tmp_path / "params.toml"
    path.write_text(FILE)
    return load_params(path)


def test_load_flattens_and_normalises_units(params):
    assert params["aquifer.k"].value == 60.0
    assert params["wells.rate"].unit == "m3/d"
    assert "1750" in params["recharge.rate"].source


def test_overrides_convert_known_units(params):
    new = apply_overrides(
        params,
        {
            "recharge.rate": {"value": 350.0, "unit": "mm/a"},
            "wells.rate": {"value": 10.0, "unit": "L/s"},
        },
        "model.overrides",
    )
    assert new["recharge.rate"].value == pytest.approx(350.0 / 365.25 / 1000.0)
    assert new["wells.rate"].value == pytest.approx(864.0)
    assert params["wells.rate"].value == 600.0  # the original is untouched


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"aquifer.kk": {"value": 1.0, "unit": "m/d"}},
            "model.overrides.aquifer.kk: unknown parameter",
        ),
        ({"aquifer.k": {"value": 1.0}}, "model.overrides.aquifer.k: value without a unit"),
        ({"aquifer.k": 30.0}, "needs a value and its unit"),
        (
            {"aquifer.k": {"value": 1.0, "unit": "m3/d"}},
            "cannot be converted to the expected 'm/d'",
        ),
    ],
)
def test_bad_overrides_name_the_key(params, overrides, message):
    with pytest.raises(SpecError) as err:
        apply_overrides(params, overrides, "model.overrides")
    assert message in str(err.value)


def test_values_without_unit_or_source_are_refused(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[a]\nvalue = 1.0\nunit = "m"\n')
    with pytest.raises(SpecError, match="a: has no source"):
        load_params(path)
    path.write_text("a = 1.0\n")
    with pytest.raises(SpecError, match="is a bare value"):
        load_params(path)


def test_convert_list_values():
    assert convert([1.0, 2.0], "cm/s", "m/d", "x") == [864.0, 1728.0]


def test_bounds_are_checked_in_the_file_and_on_override(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[q]\nvalue = [5.0, 6.0]\nunit = "m3/d"\nsource = "design"\nmin = 0.0\n')
    params = load_params(path)
    with pytest.raises(SpecError, match=r"s\.q: -1.0 m3/d is below the allowed minimum 0.0"):
        apply_overrides(params, {"q": {"value": [5.0, -1.0], "unit": "m3/d"}}, "s")
    path.write_text('[q]\nvalue = -2.0\nunit = "m3/d"\nsource = "design"\nmin = 0.0\n')
    with pytest.raises(SpecError, match="below the allowed minimum"):
        load_params(path)
