"""Solver settings: the IMS options of ``[model.solver]`` reach MODFLOW 6's IMS file, the defaults
write the same IMS as before the options existed, and bad values are refused with the fix."""

import copy

import pytest

from gwsim.engines import mf6
from gwsim.errors import SpecError
from gwsim.spec import ModelSpec, Solver
from tests.test_spec import BASE


def ims_lines(spec: ModelSpec, tmp_path) -> list[str]:
    """The IMS file flopy writes for ``spec``, as stripped lower-case lines without comments."""
    mf6.build_simulation(spec, tmp_path)
    (ims,) = tmp_path.glob("*.ims")
    text = ims.read_text()
    return [
        " ".join(line.split()).lower() for line in text.splitlines() if not line.startswith("#")
    ]


def test_newton_defaults_write_moderate_ims(tmp_path):
    spec = ModelSpec.from_dict(BASE | {"solver": {"newton": True, "dvclose": 1e-4}})
    lines = ims_lines(spec, tmp_path)
    assert "complexity moderate" in lines
    assert "inner_rclose 1.00000000e-06 strict" in lines
    assert "under_relaxation dbd" in lines
    assert "linear_acceleration bicgstab" in lines
    assert not any(line.startswith(("backtracking", "under_relaxation_")) for line in lines)


def test_tuned_options_reach_the_ims_file(tmp_path):
    data = copy.deepcopy(BASE)
    data["solver"] = {
        "newton": True,
        "complexity": "complex",
        "rclose_option": "l2norm_rclose",
        "under_relaxation_theta": 0.7,
        "under_relaxation_kappa": 1e-4,
        "under_relaxation_gamma": 0.2,
        "under_relaxation_momentum": 0.001,
        "backtracking_number": 10,
    }
    lines = ims_lines(ModelSpec.from_dict(data), tmp_path)
    for expected in (
        "complexity complex",
        "inner_rclose 1.00000000e-06 l2norm_rclose",
        "under_relaxation_theta 0.70000000",
        "under_relaxation_kappa 1.00000000e-04",
        "under_relaxation_gamma 0.20000000",
        "under_relaxation_momentum 0.00100000",
        "backtracking_number 10",
    ):
        assert expected in lines


@pytest.mark.parametrize(
    "options, field, message",
    [
        ({"complexity": "hard"}, "solver.complexity", "not an IMS choice"),
        ({"rclose_option": "loose"}, "solver.rclose_option", "not an IMS choice"),
        ({"under_relaxation_theta": 1.5}, "solver.under_relaxation_theta", "outside 0-1"),
        ({"backtracking_number": -1}, "solver.backtracking_number", "negative"),
        ({"backtracking_number": 2.5}, "solver.backtracking_number", "integer"),
    ],
)
def test_bad_solver_options_are_refused(options, field, message):
    with pytest.raises(SpecError, match=message) as info:
        ModelSpec.from_dict(BASE | {"solver": options})
    assert field in str(info.value)


def test_python_api_checks_the_same():
    with pytest.raises(SpecError, match="not an IMS choice"):
        Solver(complexity="hard")
