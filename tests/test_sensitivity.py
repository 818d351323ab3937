"""One-at-a-time sensitivity: scaled copies of a spec, and the porosity case without a re-run."""

from types import SimpleNamespace

import numpy as np
import pytest
import shapely

from gwsim.engines import run_flow
from gwsim.errors import SpecError
from gwsim.sensitivity import scaled_spec, zone_sensitivity


def test_k_scales_every_component(steady_layered_spec):
    spec = steady_layered_spec
    base = spec.properties.arrays(spec.grid.shape)
    scaled = scaled_spec(spec, "k", 2.0).properties.arrays(spec.grid.shape)
    for name in ("k", "k22", "k33"):
        np.testing.assert_allclose(scaled[name], 2.0 * base[name], rtol=1e-15, err_msg=name)
    np.testing.assert_array_equal(scaled["porosity"], base["porosity"])
    # the original is untouched (a deep copy)
    np.testing.assert_array_equal(spec.properties.arrays(spec.grid.shape)["k"], base["k"])


def test_porosity_is_capped_at_one(steady_layered_spec):
    spec = steady_layered_spec  # porosity 0.25 everywhere
    arrays = lambda s: s.properties.arrays(s.grid.shape)  # noqa: E731
    assert np.all(arrays(scaled_spec(spec, "porosity", 0.5))["porosity"] == 0.125)
    assert np.all(arrays(scaled_spec(spec, "porosity", 8.0))["porosity"] == 1.0)


def test_recharge_scales_in_every_period(transient_layered_spec):
    spec = transient_layered_spec  # rain 5e-4 m/d, 1.5e-3 m/d from period 2
    rain = scaled_spec(spec, "recharge", 0.5).boundary("rain")
    assert np.all(rain.values["rate"] == 2.5e-4)
    assert np.all(rain.periods[2]["rate"] == 7.5e-4)
    assert np.all(spec.boundary("rain").values["rate"] == 5e-4)
    well = scaled_spec(spec, "recharge", 0.5).boundary("W1")  # other boundaries unchanged
    assert np.all(well.values["rate"] == -900.0)


def test_unknown_parameter_is_refused(steady_layered_spec):
    with pytest.raises(SpecError, match="unknown parameter 'storage'"):
        scaled_spec(steady_layered_spec, "storage", 2.0)


def test_porosity_cases_reuse_the_base_flow(tmp_path, steady_layered_spec):
    """Porosity changes travel times only: its cases take the base flow field with the new
    porosity (no MODFLOW run), and a zone ∝ 1/n halves when n doubles."""
    base_flow = run_flow(steady_layered_spec, tmp_path / "base")
    seen = []

    def zones_of(flow):
        seen.append(flow)
        side = 100.0 / np.sqrt(float(flow.porosity.mean()))  # area ∝ 1/n
        zone = shapely.box(0.0, 0.0, side, side)
        return SimpleNamespace(
            sources=[SimpleNamespace(name="town", numerical={"class2": zone, "quasi": zone})]
        )

    rows = zone_sensitivity(
        steady_layered_spec,
        base_flow,
        zones_of(base_flow),
        zones_of,
        tmp_path / "cases",
        parameters=("porosity",),
        factors=(2.0,),
        progress=False,
    )
    assert rows[0]["class2_change_pct"] == pytest.approx(-50.0)
    assert seen[-1].head is base_flow.head and np.all(seen[-1].porosity == 0.5)
    assert not (tmp_path / "cases").exists()


def test_river_conductance_scales_in_every_period(steady_layered_spec):
    spec = steady_layered_spec
    river = scaled_spec(spec, "river_cond", 10.0).boundary("river")
    np.testing.assert_allclose(river.values["cond"], 10.0 * spec.boundary("river").values["cond"])
    np.testing.assert_array_equal(river.values["stage"], spec.boundary("river").values["stage"])
    assert np.all(scaled_spec(spec, "river_cond", 10.0).boundary("ditch").values["cond"] == 300.0)
