"""The two site models of issue 6 (models/valley_porous, models/redbed_fracture) and their scenarios.

Each model is run once per module with MODFLOW 6 at its design pumping; the tests check that heads
and budgets are physically sensible for the conceptual model, not particular numbers, since the
parameters are typical values that surveyed ones will replace.
"""

import warnings
from pathlib import Path

import numpy as np
import pytest

from gwsim.capture import TruncatedZoneWarning
from gwsim.engines import run_flow
from gwsim.errors import DryWellWarning, MassBalanceWarning
from gwsim.params import load_params
from gwsim.protection import protection_zones
from gwsim.scenario import SiteModel, load_scenario

pytestmark = pytest.mark.needs_mf6

ROOT = Path(__file__).resolve().parents[1]
MAX_DISCREPANCY = 0.5  # %, issue 6
SITES = {"valley_porous": "chajia_wells", "redbed_fracture": "nancun_wells"}


def _run(folder: str, workspace: Path, variant: str | None = None, overrides: dict | None = None):
    """(spec, flow) of a site model; dry wells and a poor mass balance raise instead of warning."""
    table = {"site": folder} | ({"variant": variant} if variant else {})
    site = SiteModel.from_table(table | {"overrides": overrides or {}}, ROOT / "models")
    spec = site.build()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DryWellWarning)
        warnings.simplefilter("error", MassBalanceWarning)
        flow = run_flow(spec, workspace)
    return spec, flow


@pytest.fixture(scope="module")
def valley(tmp_path_factory):
    return _run("valley_porous", tmp_path_factory.mktemp("valley"))


@pytest.fixture(scope="module")
def redbed(tmp_path_factory):
    return _run("redbed_fracture", tmp_path_factory.mktemp("redbed"))


def _water_table(flow, t: int = -1) -> np.ndarray:
    """(nrow, ncol) head of the uppermost saturated cell of each column, m."""
    wet = (flow.saturation[t] > 0) & np.isfinite(flow.head[t])
    first = np.argmax(wet, axis=0)
    return np.take_along_axis(flow.head[t], first[None], axis=0)[0]


@pytest.mark.parametrize("folder", sorted(SITES))
def test_parameter_files_give_unit_and_source_and_flag_the_site_position(folder):
    """Every value has a unit and a source (load_params refuses others), and the town position
    is flagged approximate, so nobody mistakes it for a survey."""
    params = load_params(ROOT / "models" / folder / "params.toml")
    assert all(p.unit and p.source for p in params.values())
    for key in ("site.lon", "site.lat"):
        assert "APPROXIMATE" in params[key].source


@pytest.mark.parametrize("name", ["chajia_protection", "nancun_protection"])
def test_scenarios_load_and_name_the_source_wells(name):
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    wells = next(iter(scenario.protection["sources"].values()))
    assert wells[0] in {b.name for b in scenario.spec.boundaries if b.kind == "wel"}


def test_valley_budget_closes_and_matches_the_inputs(valley):
    """Mass balance within 0.5 %; recharge in equals rate x cap area; the hills feed the valley;
    the wells deliver their design rate (no dry-well shortfall: that would have raised)."""
    spec, flow = valley
    assert flow.percent_discrepancy < MAX_DISCREPANCY
    budget = flow.budget()
    rain = spec.boundary("rain")
    area = len(rain.cells) * spec.grid.delr * spec.grid.delc
    assert budget["rain"][0] == pytest.approx(rain.values["rate"][0] * area, rel=1e-6)
    assert budget["hills"][0] > 0 and budget["hills"][1] == 0
    assert budget["chajia_wells"][1] == pytest.approx(1800.0, rel=1e-6)


def test_valley_groundwater_flows_to_a_gaining_river(valley):
    """Expected at design pumping: the river gains along its whole reach (the wells, 250 m from it,
    draw groundwater from the hills and from under the partly penetrating channel), least opposite
    the wells; in the gravel, heads fall from both margins to the river away from the wells."""
    spec, flow = valley
    river = spec.boundary("river")
    q = flow.sources["river"][-1][tuple(river.cells.T)]  # m³/d into the aquifer per cell
    assert np.all(q < 0)
    wells = spec.boundary("chajia_wells").cells
    near = np.isin(river.cells[:, 2], wells[:, 2])
    assert -q[near].mean() < -q[~near].mean()
    row = river.cells[0, 1]
    col = spec.grid.ncol // 4  # 1.5 km upstream of the wells
    head = flow.head[-1, 1, :, col]
    assert np.all(np.diff(head[: row + 1]) < 0) and np.all(np.diff(head[row:]) > 0)


def test_valley_well_cells_stay_saturated(valley):
    """No dry wells: the pumped water level stays above the bottom of every screened cell."""
    spec, flow = valley
    cells = tuple(spec.boundary("chajia_wells").cells.T)
    assert np.all(flow.saturation[-1][cells] > 0.5)


def test_valley_seasonal_river_loses_in_the_wet_season_and_gains_in_the_dry(tmp_path):
    """One wet/dry cycle: when the stage rises 1 m the river recharges bank storage, and at the
    end of the dry season it gains along its whole reach; mass balance within 0.5 %."""
    overrides = {"recharge.seasonal_years": {"value": 1, "unit": "-"}}
    spec, flow = _run("valley_porous", tmp_path, "seasonal", overrides)
    assert flow.percent_discrepancy < MAX_DISCREPANCY
    q = flow.sources["river"]
    first_wet = np.flatnonzero(flow.kstpkper[:, 1] == 1)[0]
    assert q[first_wet].clip(min=0).sum() > 100.0  # m³/d of bank infiltration
    river = tuple(spec.boundary("river").cells.T)
    assert np.all(q[-1][river] < 0)


def test_redbed_k_decays_with_depth():
    """In the built spec the layer median of horizontal K falls with every layer, at the rate of
    K0 exp(-z/lambda) within 20 % between 5 and 40 m (interbeds scatter single cells)."""
    params = load_params(ROOT / "models" / "redbed_fracture" / "params.toml")
    spec = SiteModel(ROOT / "models" / "redbed_fracture", "steady", params).build()
    k = np.median(spec.properties.k, axis=(1, 2))
    assert np.all(np.diff(k) < 0)
    bounds = np.concatenate([[0.0], np.cumsum(params["grid.layer_thickness"].value)])
    depth = 0.5 * (bounds[1:] + bounds[:-1])
    upper = (depth > 5) & (depth < 40)
    slope = -np.polyfit(depth[upper], np.log(k[upper]), 1)[0]
    assert slope == pytest.approx(1.0 / params["k.decay_length"].value, rel=0.2)
    assert np.all(spec.properties.k22 < spec.properties.k)  # across-strike K is the smaller


def test_redbed_flow_runs_downslope_to_a_gaining_stream(redbed):
    """Mass balance within 0.5 %; the stream gains in every cell; the water table falls towards
    the stream away from the wells and stays below the land surface above the stream row."""
    spec, flow = redbed
    assert flow.percent_discrepancy < MAX_DISCREPANCY
    stream = tuple(spec.boundary("stream").cells.T)
    assert np.all(flow.sources["stream"][-1][stream] < 0)
    table = _water_table(flow)
    assert np.all(np.diff(table[:, 3]) < 0)  # row 0 (divide) to the stream row
    top = np.asarray(spec.grid.top)
    assert np.all(table[:-1] < top[:-1])


def test_redbed_well_cells_stay_saturated(redbed):
    """No dry wells: every screened cell keeps water at design pumping (400 m³/d)."""
    spec, flow = redbed
    wells = spec.boundary("nancun_wells")
    cells = tuple(wells.cells.T)
    assert np.all(flow.saturation[-1][cells] > 0.5)
    assert flow.budget()["nancun_wells"][1] == pytest.approx(-wells.values["rate"].sum())


@pytest.mark.parametrize(
    ("model", "source"),
    [pytest.param("valley", "chajia", marks=pytest.mark.slow), ("redbed", "nancun")],
)
def test_protection_zones_nest(model, source, request):
    """Class 1 within class 2 within the outer zone, for both methods; only the outer zone (the
    recharge area, reaching the hills or the divide) touches the model edge."""
    spec, flow = request.getfixturevalue(model)
    wells = [b.name for b in spec.boundaries if b.kind == "wel"]
    with pytest.warns(TruncatedZoneWarning):
        zones = protection_zones(flow, {source: wells}, progress=False)
    src = zones.sources[0]
    for method in ("numerical", "empirical"):
        z = getattr(src, method)
        assert z["class2"].buffer(1e-6).contains(z["class1"])
        assert z["quasi"].buffer(1e-6).contains(z["class2"])
    assert not src.truncated["class2"]
    assert src.numerical["class1"].area > 0
    # where the pumped water comes from must account for all of it: flux-weighted particles from
    # every entry point (recharge, hill boundaries) within 10 % (lattice resolution)
    shares = sum(share for _, share in src.capture.recharge_sources.values())
    assert shares == pytest.approx(1.0, abs=0.1)
