"""Model spec: TOML loading and the validation errors, each naming the problem and the fix."""

import copy
import textwrap

import numpy as np
import pytest

from gwsim.errors import SpecError
from gwsim.spec import ModelSpec

BASE = {
    "name": "valley",
    "grid": {
        "nlay": 2,
        "nrow": 4,
        "ncol": 5,
        "delr": 100.0,
        "delc": 100.0,
        "top": 30.0,
        "botm": [20.0, 5.0],
        "xorigin": 500000.0,
        "yorigin": 3100000.0,
    },
    "properties": {"k": [1.0, 50.0], "sy": 0.15, "porosity": [0.35, 0.25]},
    "boundaries": [
        {"kind": "chd", "name": "east", "where": {"col": 4}, "head": 25.0},
        {
            "kind": "riv",
            "name": "river",
            "where": {"layer": 0, "row": 2},
            "stage": {"start": 28.0, "end": 26.0},
            "cond": 500.0,
            "rbot": 24.0,
        },
        {
            "kind": "wel",
            "name": "W1",
            "points": [[500150.0, 3100250.0]],
            "layer": 1,
            "rate": -300.0,
        },
        {"kind": "rch", "name": "rain", "rate": 5e-4},
    ],
}


def modified(path: str, value):
    """BASE with one entry (dotted path, list indices as integers) replaced or deleted."""
    data = copy.deepcopy(BASE)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = data
    for p in parents:
        target = target[p]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data


DELETE = object()


def test_base_spec_loads_and_resolves_selections():
    spec = ModelSpec.from_dict(BASE)
    assert spec.boundary("east").cells.shape == (8, 3)  # both layers, 4 rows
    river = spec.boundary("river")
    np.testing.assert_allclose(river.values["stage"], np.linspace(28.0, 26.0, 5))
    assert spec.boundary("W1").cells.tolist() == [[1, 1, 1]]  # 250 m north of the bottom edge
    assert len(spec.boundary("rain").cells) == 20  # uppermost active cell of every column


def test_toml_file_round_trip(tmp_path):
    path = tmp_path / "model.toml"
    path.write_text(
        textwrap.dedent("""
        name = "small"
        [grid]
        nlay = 1
        nrow = 3
        ncol = 3
        delr = 10.0
        delc = 10.0
        top = 10.0
        botm = [0.0]
        [properties]
        k = 5.0
        [[boundaries]]
        kind = "chd"
        name = "west"
        cells = [[0, 0, 0], [0, 1, 0]]
        head = [9.0, 8.5]
        [[periods]]
        length = 1.0
    """)
    )
    spec = ModelSpec.from_toml(path)
    assert spec.boundary("west").values["head"].tolist() == [9.0, 8.5]
    assert spec.grid.crs == "EPSG:4548"


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        ("properties.k", [-1.0, 50.0], "properties.k", "must be positive"),
        ("properties.porosity", 1.4, "properties.porosity", "within (0, 1]"),
        ("properties.sy", -0.1, "properties.sy", "specific yield"),
        ("properties.k", [1.0, 2.0, 3.0], "properties.k", "does not fit the grid"),
        ("grid.botm", [20.0, 25.0], "grid.botm", "bottom at or above the layer top"),
        ("grid.botm", [35.0, 5.0], "grid.botm", "bottom at or above the layer top"),
        ("grid.delr", -5.0, "grid.delr", "must be positive"),
        ("grid.nrow", 0, "grid.nrow", "positive integer"),
        ("grid.crs", "EPSG:99999999", "grid.crs", "unknown CRS"),
        (
            "boundaries.2.points",
            [[400000.0, 3100250.0]],
            "boundaries[2].points[0]",
            "outside the grid",
        ),
        ("boundaries.0.where", {"col": 9}, "boundaries[0].where", "matches no active cell"),
        ("boundaries.1.rbot", 27.0, "boundary 'river'.rbot", "river bottom above the stage"),
        ("boundaries.1.rbot", 19.0, "boundary 'river'.rbot", "below the bottom 20 m of its cell"),
        ("boundaries.1.cond", -1.0, "boundary 'river'.cond", "conductance must be >= 0"),
        ("boundaries.2.name", "a_name_far_too_long_for_modflow", "boundary", "at most 16"),
        ("boundaries.2.name", "east", "boundary 'east'", "used twice"),
        ("boundaries.2.rate", DELETE, "boundaries[2].rate", "missing for a wel boundary"),
        ("boundaries.2.kind", "lake", "boundaries[2].kind", "unknown boundary kind"),
        ("boundaries.0.head", [1.0, 2.0], "boundaries[0].head", "2 values for 8 cells"),
        ("boundaries.0.colour", "red", "boundaries[0].colour", "unknown key"),
        ("grid.ncols", 5, "grid.ncols", "unknown key"),
        ("solver", {"speed": 3}, "solver.speed", "unknown key"),
        ("name", "7up", "model.name", "must start with a letter"),
        ("periods", [{"length": 0.0}], "periods[0].length", "must be > 0 days"),
        ("periods", [{"length": 1.0, "nstp": 0}], "periods[0].nstp", "integer >= 1"),
        (
            "boundaries.1.periods",
            {"3": {"stage": 27.0}},
            "boundary 'river'.periods",
            "does not exist",
        ),
        ("grid", DELETE, "model.grid", "missing"),
        (
            "barriers",
            [{"name": "wall", "rows": [1, 2], "cols": [1, 2]}],
            "barriers[0].layers",
            "missing",
        ),
        (
            "barriers",
            [{"name": "w", "rows": [1, 2], "cols": [1, 2], "layers": [0], "k": -1.0}],
            "barrier 'w'",
            "must be > 0",
        ),
        (
            "barriers",
            [{"name": "w", "rows": [1, 2], "cols": [1, 2], "layers": [5]}],
            "barrier 'w'",
            "outside the grid",
        ),
    ],
)
def test_bad_input_names_field_and_problem(path, value, field, message):
    data = modified(path, value)
    with pytest.raises(SpecError) as err:
        ModelSpec.from_dict(data)
    assert field in str(err.value)
    assert message in str(err.value)


def test_boundary_in_inactive_cell_is_refused():
    data = copy.deepcopy(BASE)
    idomain = np.ones((2, 4, 5), int)
    idomain[1, 1, 1] = 0
    data["grid"]["idomain"] = idomain.tolist()
    with pytest.raises(SpecError, match=r"boundary 'W1'.*\(1, 1, 1\).*inactive"):
        ModelSpec.from_dict(data)


def test_unreadable_toml_is_explained(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("name = \n")
    with pytest.raises(SpecError, match="not valid TOML"):
        ModelSpec.from_toml(path)
    with pytest.raises(SpecError, match="file not found"):
        ModelSpec.from_toml(tmp_path / "absent.toml")
