"""The two site models (models/valley_porous, models/redbed_fracture) and their scenarios.

Each model is run once per module with MODFLOW 6 at its design pumping; the tests check that heads
and budgets are physically sensible for the conceptual model (issue 19: both models reach the
catchment divides), not particular numbers, since the parameters are typical values that surveyed
ones will replace.
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
SEEPAGE_TOLERANCE = 0.05  # m: a seepage drain holds the water table this close to the surface
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
    """(nrow, ncol) head of the uppermost saturated active cell of each column, m (nan: none)."""
    wet = (flow.saturation[t] > 0) & np.isfinite(flow.head[t]) & (flow.grid.idomain > 0)
    first = np.argmax(wet, axis=0)
    table = np.take_along_axis(flow.head[t], first[None], axis=0)[0]
    return np.where(wet.any(axis=0), table, np.nan)


def _budget_closes(flow) -> None:
    """Inflows equal outflows within MAX_DISCREPANCY, from the budget by boundary (steady)."""
    budget = flow.budget()
    total_in = sum(q_in for q_in, _ in budget.values())
    total_out = sum(q_out for _, q_out in budget.values())
    assert abs(total_in - total_out) < MAX_DISCREPANCY / 100 * total_in
    assert flow.percent_discrepancy < MAX_DISCREPANCY


def _water_table_below_surface_except_at_seepage(spec, flow) -> None:
    """Nowhere above the land surface by more than the drains allow, and wherever the water table
    reaches the surface the seepage drain there discharges (a spring), elsewhere it is dry."""
    table = _water_table(flow)
    top = spec.grid.resolve().top
    active = np.isfinite(table)
    assert np.all(table[active] < top[active] + 1.0)
    seep = np.zeros(top.shape)
    drains = spec.boundary("seepage").cells
    seep[drains[:, 1], drains[:, 2]] = flow.sources["seepage"][-1][tuple(drains.T)]
    at_surface = active & (table >= top - SEEPAGE_TOLERANCE)
    assert np.all(seep[~at_surface] > -1e-3)  # no spring below the surface
    assert np.all(seep[at_surface & (table > top + SEEPAGE_TOLERANCE)] < 0)


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
    """Mass balance within 0.5 %; rain on the valley floor and on the hillslopes equals rate x
    area; the up-valley end brings its specified underflow in and lets nothing out; the wells
    deliver their design rate (no dry-well shortfall: that would have raised)."""
    spec, flow = valley
    _budget_closes(flow)
    budget = flow.budget()
    area = spec.grid.resolve().cell_area
    for name in ("rain", "hillslope_rain"):
        rain = spec.boundary(name)
        rows, cols = rain.cells[:, 1], rain.cells[:, 2]
        expected = (rain.values["rate"] * area[rows, cols]).sum()
        assert budget[name][0] == pytest.approx(expected, rel=1e-6)
    assert budget["hillslope_rain"][0] > 0
    inflow = spec.boundary("valley_inflow").values["rate"].sum()
    assert budget["valley_inflow"] == pytest.approx((inflow, 0.0), rel=1e-6)
    assert budget["valley_outflow"][1] > 0
    assert budget["chajia_wells"][1] == pytest.approx(1800.0, rel=1e-6)


def test_valley_groundwater_flows_to_a_gaining_river(valley):
    """Expected at design pumping with the dry-season river bed (0.5 m/d): the river gains along
    its whole reach, least opposite the wells; the water table rises from the river to both
    divides away from the wells (the hillslopes drain to the valley)."""
    spec, flow = valley
    river = spec.boundary("river")
    q = flow.sources["river"][-1][tuple(river.cells.T)]  # m³/d into the aquifer per cell
    assert np.all(q < 0)
    wells = spec.boundary("chajia_wells").cells
    near = np.isin(river.cells[:, 2], wells[:, 2])
    assert -q[near].mean() < -q[~near].mean()
    row = river.cells[0, 1]
    col = spec.grid.ncol // 4  # 1.5 km upstream of the wells
    table = _water_table(flow)[:, col]
    active = np.flatnonzero(np.isfinite(table))
    assert np.all(np.diff(table[active[0] : row + 1]) < 0)
    assert np.all(np.diff(table[row : active[-1] + 1]) > 0)


def test_valley_water_table_below_land_surface_except_at_seepage(valley):
    _water_table_below_surface_except_at_seepage(*valley)


def test_valley_well_cells_stay_saturated(valley):
    """No dry wells: the pumped water level stays above the bottom of every screened cell."""
    spec, flow = valley
    cells = tuple(spec.boundary("chajia_wells").cells.T)
    assert np.all(flow.saturation[-1][cells] > 0.5)


@pytest.mark.slow  # a transient year: about 50 s
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


@pytest.mark.slow  # a flow run and the capture zone: about 40 s
def test_valley_low_stage_river_feeds_the_wells(tmp_path):
    """The case that governs the zones (README): at dry-season stage with the river bed at the
    top of its range (5 m/d) the reach opposite the wells loses water, and river water makes up
    more than 5 % of the pumping, so the river lies inside the capture zone (a 傍河 source)."""
    overrides = {"river.bed_k": {"value": 5.0, "unit": "m/d"}}
    spec, flow = _run("valley_porous", tmp_path, "low_stage", overrides)
    _budget_closes(flow)
    river = spec.boundary("river")
    q = flow.sources["river"][-1][tuple(river.cells.T)]
    wells = spec.boundary("chajia_wells").cells
    losing = river.cells[q > 0, 2]
    assert losing.size > 0
    assert np.all(np.abs(losing - wells[:, 2].mean()) < spec.grid.ncol / 4)  # opposite the wells
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncatedZoneWarning)
        zones = protection_zones(flow, {"chajia": ["chajia_wells"]}, progress=False)
    shares = {k: s for k, (_, s) in zones.sources[0].capture.recharge_sources.items()}
    assert shares.get("river", 0.0) > 0.05


def test_redbed_k_decays_with_depth_to_fresh_rock():
    """In the built spec the layer median of horizontal K falls with every layer down to the base
    of the weathered zone, at the rate of K0 exp(-z/lambda) within 20 % between 5 and 40 m
    (interbeds scatter single cells), and below the base it is the fresh-rock K (k.minimum, less
    in mudstone)."""
    params = load_params(ROOT / "models" / "redbed_fracture" / "params.toml")
    spec = SiteModel(ROOT / "models" / "redbed_fracture", "steady", params).build()
    k = np.median(spec.properties.k, axis=(1, 2))
    bounds = np.concatenate([[0.0], np.cumsum(params["grid.layer_thickness"].value)])
    depth = 0.5 * (bounds[1:] + bounds[:-1])
    weathered = bounds[1:] <= params["k.weathered_base"].value
    assert np.all(np.diff(k[weathered]) < 0)
    assert np.all(k[~weathered] <= params["k.minimum"].value)
    assert k[~weathered].max() < k[weathered].min()
    upper = (depth > 5) & (depth < 40)
    slope = -np.polyfit(depth[upper], np.log(k[upper]), 1)[0]
    assert slope == pytest.approx(1.0 / params["k.decay_length"].value, rel=0.2)
    assert np.all(spec.properties.k22 < spec.properties.k)  # across-strike K is the smaller


def test_redbed_flow_runs_downslope_to_a_gaining_stream(redbed):
    """Mass balance within 0.5 %; the stream gains in every cell; away from the wells and the
    gullies the water table falls from both divides to the stream."""
    spec, flow = redbed
    _budget_closes(flow)
    stream = spec.boundary("stream")
    assert np.all(flow.sources["stream"][-1][tuple(stream.cells.T)] < 0)
    row = stream.cells[0, 1]
    table = _water_table(flow)[:, 3]
    active = np.flatnonzero(np.isfinite(table))
    assert np.all(np.diff(table[active[0] : row + 1]) < 0)
    assert np.all(np.diff(table[row : active[-1] + 1]) > 0)


def test_redbed_water_table_below_land_surface_except_at_seepage(redbed):
    """Also: under the divides the water table lies within the weathered zone, not in fresh rock,
    and springs (seepage) take out less than a tenth of the rain."""
    spec, flow = redbed
    _water_table_below_surface_except_at_seepage(spec, flow)
    table = _water_table(flow)
    depth = spec.grid.resolve().top - table
    base = load_params(ROOT / "models" / "redbed_fracture" / "params.toml")["k.weathered_base"]
    assert np.nanmax(depth) < base.value
    budget = flow.budget()
    assert budget["seepage"][1] < 0.1 * budget["rain"][0]


def test_redbed_well_cells_stay_saturated(redbed):
    """No dry wells: every screened cell keeps water at design pumping (400 m³/d)."""
    spec, flow = redbed
    wells = spec.boundary("nancun_wells")
    cells = tuple(wells.cells.T)
    assert np.all(flow.saturation[-1][cells] > 0.5)
    assert flow.budget()["nancun_wells"][1] == pytest.approx(-wells.values["rate"].sum())


@pytest.mark.parametrize(
    ("model", "folder", "source"),
    [
        pytest.param("valley", "valley_porous", "chajia", marks=pytest.mark.slow),
        ("redbed", "redbed_fracture", "nancun"),
    ],
)
def test_protection_zones_nest_and_end_where_the_water_does(model, folder, source, request):
    """Class 1 within class 2 within the outer zone, for both methods; class 1 and 2 never reach
    the model edge. Nancun's zones end at its divides (no truncation warning). Chajia's
    steady-state zone reaches only the up-valley end, through particles that pass the gaining
    river with (almost) none of their water: the up-valley inflow gives under 1 % of the pumping."""
    _, flow = request.getfixturevalue(model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        zones = protection_zones(flow, {source: [SITES[folder]]}, progress=False)
    truncations = [str(w.message) for w in caught if w.category is TruncatedZoneWarning]
    src = zones.sources[0]
    for method in ("numerical", "empirical"):
        z = getattr(src, method)
        assert z["class2"].buffer(1e-6).contains(z["class1"])
        assert z["quasi"].buffer(1e-6).contains(z["class2"])
    assert not src.truncated["class2"]
    assert src.numerical["class1"].area > 0
    shares = {kind: share for kind, (_, share) in src.capture.recharge_sources.items()}
    if source == "nancun":
        assert not truncations and not src.truncated["quasi"]
    else:
        assert all("steady-state" in t and "west edge" in t for t in truncations)
        assert shares.get("injection", 0.0) < 0.01
    # where the pumped water comes from must account for all of it: flux-weighted particles from
    # every entry point (recharge, river, inflow boundaries) within 10 % (lattice resolution)
    assert sum(shares.values()) == pytest.approx(1.0, abs=0.1)
