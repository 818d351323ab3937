"""Monitoring-network design (issue 16): MILP vs brute force, physical sense of the detection
matrix in uniform flow, attribution, HJ 164 layout rules, ensembles and bad input.

References nobody here wrote: exhaustive enumeration of every choice of wells (the MILP must match
it exactly), and the seepage velocity v = K·I/n of uniform flow (tests/uniform_flow.py), against
which the median arrival of a weakly dispersed swarm must agree within 10 %.
"""

import dataclasses
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from builders import DARCY, N, uniform_flow_spec

import gwsim
from gwsim.config import read_toml
from gwsim.engines import run_flow
from gwsim.errors import SpecError
from gwsim.monitoring import (
    Detection,
    DetectionMatrix,
    LayoutRules,
    MonitoringError,
    attribute_source,
    choose_wells,
    control_points,
    design_network,
    detection_matrix,
    evaluate_network,
)
from gwsim.monitoring.design import network_coverage
from gwsim.monitoring.scenario import MonitoringScenario

pytestmark = pytest.mark.needs_mf6

V = DARCY / N  # seepage velocity of the uniform-flow model, m/d
CELL = 10.0  # m, cell width near the centre of the uniform-flow model
WEAK = (0.1, 0.01, 0.001)  # m: dispersivities small enough for advective arrival times


@pytest.fixture(scope="module")
def uniform(tmp_path_factory):
    """Uniform flow west to east at v = 0.08 m/d; returns (flow, x0, y0) of the centre cell."""
    flow = run_flow(uniform_flow_spec({}), tmp_path_factory.mktemp("uniform"))
    c = flow.grid.nrow // 2
    return flow, float(flow.grid.xcenters[c, c]), float(flow.grid.ycenters[c, c])


def _matrix(detects, rng, window=1000.0):
    f, s, m = detects.shape
    time = np.where(detects, rng.uniform(10, window, detects.shape), np.inf)
    area = np.where(detects, rng.uniform(1e3, 1e5, detects.shape), np.inf)
    return DetectionMatrix(
        detects, time, area, np.full((f, s), np.inf), np.zeros((m, 3)), "swarm", window
    )


# ---------------------------------------------------------------------- the choice
@pytest.mark.parametrize("fields", [1, 3])
def test_milp_coverage_equals_brute_force(fields):
    """Every choice of n of 9 candidates enumerated: the MILP's coverage is the best (exactly),
    with existing wells and a layout rule too; greedy never beats it and its bound holds."""
    rng = np.random.default_rng(fields)
    for _ in range(4):
        m = _matrix(rng.random((fields, 10, 9)) < 0.25, rng)
        for n in (1, 2, 3):
            best = max(network_coverage(m, c)[0] for c in itertools.combinations(range(9), n))
            milp = choose_wells(m, n, solver="milp")
            assert milp.solver == "milp" and milp.gap == 0.0
            assert milp.coverage == pytest.approx(best, abs=1e-12)
            greedy = choose_wells(m, n, solver="greedy")
            assert greedy.coverage <= best + 1e-12
            assert best <= greedy.coverage / (1 - greedy.gap) + 1e-9
        rule = {"control": np.array([7, 8])}
        best = max(
            network_coverage(m, [0, *c])[0]
            for c in itertools.combinations(range(1, 9), 2)
            if {7, 8} & set(c)
        )
        d = choose_wells(m, 2, existing=[0], rules=rule, solver="milp")
        assert d.coverage == pytest.approx(best, abs=1e-12)
        assert set(d.chosen) & {7, 8} and 0 in d.network


def test_chosen_in_order_of_value_and_marginals_add_up():
    m = _matrix(np.random.default_rng(7).random((1, 20, 12)) < 0.2, np.random.default_rng(8))
    d = choose_wells(m, 4)
    assert np.all(np.diff(d.marginal) <= 1e-12)
    assert d.marginal.sum() == pytest.approx(d.coverage)
    assert d.detects.shape == (20, 12) and d.detection_time.shape == (20, 12)


def test_ties_break_by_earliest_detection():
    """Two candidates see the same sources; the one that sees them earlier is chosen."""
    detects = np.ones((1, 3, 2), bool)
    time = np.array([[[500.0, 200.0]] * 3])
    m = DetectionMatrix(
        detects, time, np.ones_like(time), np.full((1, 3), np.inf), np.zeros((2, 3)), "swarm", 1e3
    )
    assert choose_wells(m, 1, solver="milp").chosen.tolist() == [1]
    assert choose_wells(m, 1, solver="greedy").chosen.tolist() == [1]


# ---------------------------------------------------------------------- physical sense
def test_upstream_detects_nothing_downstream_detects(uniform):
    flow, x0, y0 = uniform
    source = [gwsim.Source(x0 - 100, y0)]
    candidates = [[x0 - 200, y0], [x0 - 120, y0], [x0 + 100, y0], [x0 + 100, y0 + 150]]
    m = detection_matrix(flow, source, candidates, window=5000, dispersivity=WEAK)
    assert m.detects[0, 0].tolist() == [False, False, True, False]


def test_detection_time_follows_seepage_velocity(uniform):
    """Median arrival (min_share 0.5) at cells d m downstream: (d - cell/2) / v within 10 %
    (v = K I / n = 0.08 m/d), and the time per extra distance 1 / v within 10 %."""
    flow, x0, y0 = uniform
    distances = np.array([100.0, 200.0, 300.0])
    candidates = [[x0 - 150 + d, y0] for d in distances]
    m = detection_matrix(
        flow,
        [gwsim.Source(x0 - 150, y0)],
        candidates,
        window=4000,
        n_steps=80,
        min_share=0.5,
        dispersivity=WEAK,
    )
    t = m.time[0, 0]
    np.testing.assert_allclose(t, (distances - CELL / 2) / V, rtol=0.10)
    np.testing.assert_allclose(np.diff(t) / np.diff(distances), 1 / V, rtol=0.10)


def test_detection_must_come_before_the_receptor(uniform):
    """A candidate beyond a class-2 zone (receptor) does not count; one before it does; the
    receptor arrival is about the advective time to the zone's edge."""
    flow, x0, y0 = uniform
    zone = shapely.box(x0 + 95, y0 - 50, x0 + 145, y0 + 50)
    m = detection_matrix(
        flow,
        [gwsim.Source(x0, y0)],
        [[x0 + 50, y0], [x0 + 200, y0]],
        window=4000,
        receptors=[zone],
        dispersivity=WEAK,
    )
    assert m.detects[0, 0].tolist() == [True, False]
    assert m.receptor_time[0, 0] == pytest.approx(95 / V, rel=0.1)


def test_ensemble_gives_detection_probability(uniform):
    """Two fields, the second with twice the porosity (half the speed): a window between the two
    arrival times gives probability 0.5, and the design's coverage is its expected value."""
    flow, x0, y0 = uniform
    slow = dataclasses.replace(flow, porosity=flow.porosity * 2)
    design = design_network(
        [flow, slow],
        [gwsim.Source(x0 - 100, y0)],
        [[x0 + 50, y0], [x0 - 150, y0]],
        1,
        window=2000 + 0.5 * (150 / V),
        dispersivity=WEAK,
    )
    assert design.detects[0].tolist() == [0.5, 0.0]
    assert design.coverage == pytest.approx(0.5)
    assert design.chosen.tolist() == [0]


# ---------------------------------------------------------------------- attribution
def test_attribution_ranks_the_true_enterprise_first(uniform):
    """Leaks from the middle of three enterprises, detected at two wells (not at three others):
    the middle one ranks first, and the origin map peaks upstream of the detecting wells."""
    flow, x0, y0 = uniform
    enterprises = {
        name: shapely.box(x0 - 200, y0 + dy - 15, x0 - 170, y0 + dy + 15)
        for name, dy in (("north", 120), ("middle", 0), ("south", -120))
    }
    leaks = [gwsim.Source(x0 - 190 + dx, y0 + dy) for dx in (0, 20) for dy in (-10, 10)]
    wells = np.array([[x0 + 100, y0 + dy] for dy in (-120, -60, 0, 20, 120)])
    truth = detection_matrix(flow, leaks, wells, window=5000, dispersivity=(5, 0.5, 0.05))
    seen = truth.probability.mean(axis=0) > 0.5
    assert seen.sum() >= 2 and not seen[[0, 4]].any()
    detections = [
        Detection(tuple(w), (0.0, 5000.0), 1.0 if s else None, name=f"W{i}")
        for i, (w, s) in enumerate(zip(wells, seen, strict=True))
    ]
    result = attribute_source(
        flow, detections, enterprises, particles=200, dispersivity=(5, 0.5, 0.05)
    )
    assert result.most_likely == "middle"
    assert result.ranking[0]["probability"] > 0.9
    assert float(result.origin.sum()) == pytest.approx(1.0)
    peak = result.origin.where(result.origin == result.origin.max(), drop=True)
    assert float(peak["x"].min()) < x0 + 100 and abs(float(peak["y"].mean()) - y0) < 60


# ---------------------------------------------------------------------- layout and evaluation
def test_control_rule_puts_a_well_upgradient_of_each_enterprise(uniform):
    flow, x0, y0 = uniform
    plant = shapely.box(x0 - 20, y0 - 20, x0 + 20, y0 + 20)
    suggested = control_points(flow, {"plant": plant}, distance=40)
    assert suggested[0] == pytest.approx([x0 - 60, y0], abs=1.0)  # flow is towards +x
    lattice = np.array([[x0 + dx, y0 + dy] for dx in (-55, 60, 150) for dy in (-30, 0, 30)])
    candidates = np.concatenate([lattice, suggested])
    design = design_network(
        flow,
        [gwsim.Source(x0, y0)],
        candidates,
        2,
        window=4000,
        dispersivity=WEAK,
        layout=LayoutRules(control=True),
        enterprises={"plant": plant},
    )
    control = design.layout["control:plant"]
    assert set(design.chosen) & set(control)
    assert all(candidates[c, 0] < x0 - 20 for c in control)
    assert design.coverage == 1.0


def test_evaluate_existing_wells_and_proposed_ones():
    rng = np.random.default_rng(3)
    m = _matrix(rng.random((1, 15, 8)) < 0.3, rng)
    ev = evaluate_network(m, existing=[0, 1], proposed=[5, 6])
    assert ev.coverage == pytest.approx(network_coverage(m, [0, 1])[0])
    assert ev.coverage_with_proposed == pytest.approx(network_coverage(m, [0, 1, 5, 6])[0])
    assert sum(r["adds_in_order"] for r in ev.proposed) == pytest.approx(
        ev.coverage_with_proposed - ev.coverage, abs=1e-3
    )
    assert len(ev.wells) == 2


# ---------------------------------------------------------------------- bad input
def test_candidates_outside_the_grid_or_inactive_are_errors(uniform):
    flow, x0, y0 = uniform
    with pytest.raises(MonitoringError, match="outside the model grid"):
        detection_matrix(flow, [gwsim.Source(x0, y0)], [[x0, y0], [0.0, 0.0]])
    grid = flow.grid
    idomain = grid.idomain.copy()
    c = grid.nrow // 2
    idomain[0, c, c + 5] = 0
    holed = dataclasses.replace(flow, grid=dataclasses.replace(grid, idomain=idomain))
    with pytest.raises(MonitoringError, match="inactive or dry"):
        detection_matrix(holed, [gwsim.Source(x0, y0)], [[x0 + 50, y0]])
    with pytest.raises(MonitoringError, match=r"\(m, 2\) or \(m, 3\)"):
        detection_matrix(flow, [gwsim.Source(x0, y0)], [[1.0, 2.0, 3.0, 4.0]])


def test_more_wells_than_candidates_is_an_error():
    m = _matrix(np.ones((1, 2, 3), bool), np.random.default_rng(0))
    with pytest.raises(MonitoringError, match="only 2 candidates besides the 1 existing"):
        choose_wells(m, 3, existing=[0])


def test_sources_no_candidate_sees_are_stated_not_a_crash(uniform):
    """A source downstream of every candidate: coverage < 1, it is listed as undetectable."""
    flow, x0, y0 = uniform
    design = design_network(
        flow,
        [gwsim.Source(x0 - 100, y0), gwsim.Source(x0 + 300, y0)],
        [[x0, y0], [x0, y0 + 30]],
        1,
        window=3000,
        dispersivity=WEAK,
    )
    assert design.undetectable.tolist() == [1] and design.undetected.tolist() == [1]
    assert design.coverage == pytest.approx(0.5)


def test_source_outside_grid_and_missing_mass_rate_are_errors(uniform):
    flow, x0, y0 = uniform
    with pytest.raises(MonitoringError, match="outside the model grid"):
        detection_matrix(flow, [gwsim.Source(0.0, 0.0)], [[x0, y0]])
    with pytest.raises(MonitoringError, match="mass_rate"):
        detection_matrix(flow, [gwsim.Source(x0, y0)], [[x0, y0]], detection_limit=0.01)


def test_detection_limit_uses_the_flux_concentration(uniform):
    """c = ṁ G / Q: a leak of 1 g/d seen in a 10 m cell carrying Q = q·10 m·10 m = 2 m³/d is at
    most 0.5 mg/L, so a 1 mg/L limit never detects it and 0.1 mg/L does."""
    flow, x0, y0 = uniform
    leak = [gwsim.Source(x0 - 100, y0, mass_rate=1.0)]
    well = [[x0 + 50, y0]]
    kw = {"window": 4000, "dispersivity": WEAK}
    assert detection_matrix(flow, leak, well, detection_limit=0.1, **kw).detects.all()
    assert not detection_matrix(flow, leak, well, detection_limit=1.0, **kw).detects.any()


@pytest.mark.slow
def test_transport_method_agrees_with_the_swarm(uniform, tmp_path):
    """The transport alternative (MODFLOW 6 GWT) detects the same candidates as the swarm, with
    detection times within 25 % (different physics of the front: grid vs particles)."""
    flow, x0, y0 = uniform
    leak = [gwsim.Source(x0 - 100, y0, mass_rate=10.0)]
    candidates = [[x0 - 150, y0], [x0 + 50, y0], [x0 + 50, y0 + 100]]
    kw = {"window": 3000, "detection_limit": 0.5}
    swarm = detection_matrix(flow, leak, candidates, dispersivity=(2.0, 0.2, 0.02), **kw)
    gwt = detection_matrix(
        flow,
        leak,
        candidates,
        method="transport",
        transport_options={"dispersivity": (2.0, 0.2, 0.02)},
        **kw,
    )
    assert swarm.detects.tolist() == gwt.detects.tolist()
    hit = swarm.detects
    np.testing.assert_allclose(gwt.time[hit], swarm.time[hit], rtol=0.25)


# ---------------------------------------------------------------------- scenarios
ROOT = Path(__file__).resolve().parents[1]


def _demo_scenario(**changes) -> dict:
    """A monitoring scenario on the small demo valley of scenarios/enterprise_risk_valley.toml."""
    model = read_toml(ROOT / "scenarios" / "enterprise_risk_valley.toml")["model"]
    data = {
        "name": "demo_monitoring",
        "kind": "monitoring",
        "model": model,
        "detection": {"window": 3650.0, "particles": 100, "n_steps": 40, "lead_time": 91.0},
        "receptors": {"wells": ["wellfield"], "class2_travel_time": 100.0},  # small, fast model
        "candidates": {
            "spacing": 100.0,
            "area": [
                [556300.0, 3123400.0],
                [558900.0, 3123400.0],
                [558900.0, 3124000.0],
                [556300.0, 3124000.0],
            ],
        },
        "design": {"n_wells": [2, 4], "curve": 4, "layout": {"control": True, "apply_from": 4}},
        "enterprises": [
            {
                "name": "chem_plant",
                "footprint": [
                    [557400.0, 3123600.0],
                    [557650.0, 3123600.0],
                    [557650.0, 3123750.0],
                    [557400.0, 3123750.0],
                ],
                "high_risk": True,
            },
            {
                "name": "farm",
                "footprint": [
                    [556600.0, 3123500.0],
                    [556800.0, 3123500.0],
                    [556800.0, 3123650.0],
                    [556600.0, 3123650.0],
                ],
            },
        ],
        "attribution": {"enterprise": "chem_plant", "particles": 100},
    }
    data.update(changes)
    return data


def test_monitoring_scenario_writes_networks_curve_maps_and_attribution(tmp_path):
    path = ROOT / "scenarios" / "demo_monitoring.toml"  # only names the base folder
    scenario = MonitoringScenario.from_dict(_demo_scenario(), path)
    written = {p.name for p in scenario.run(tmp_path, log=lambda _: None)}
    for name in (
        "wells_2.csv",
        "wells_4.geojson",
        "network_map_4.png",
        "coverage_curve.png",
        "coverage_curve.csv",
        "detection_by_enterprise.csv",
        "summary.json",
    ):
        assert name in written
    curve = pd.read_csv(tmp_path / "coverage_curve.csv", comment="#")
    assert (curve["coverage_milp"] >= curve["coverage_greedy"] - 1e-9).all()
    free = curve[~curve["layout_rules"]]["coverage_milp"]
    assert free.is_monotonic_increasing
    wells = json.loads((tmp_path / "wells_4.geojson").read_text())
    assert wells["crs"]["properties"]["name"].endswith("4548")
    purposes = [f["properties"]["purpose"] for f in wells["features"]]
    assert len(purposes) == 4 and "control" in purposes  # the rules apply from 4 wells
    assert set(purposes) <= {"control", "spread", "early_warning"}
    assert all(f["properties"]["samples_per_year"] in (2, 4) for f in wells["features"])
    ranking = pd.read_csv(tmp_path / "attribution.csv", comment="#")
    assert ranking["enterprise"].iloc[0] == "chem_plant"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"colour": 1}, "scenario.colour"),
        ({"attribution": {"enterprise": "nobody"}}, "attribution.enterprise"),
        ({"design": {"n_wells": [0]}}, "design.n_wells"),
        ({"detection": {"method": "magic"}}, "detection.method"),
        ({"receptors": {"wells": ["nowell"]}}, "receptors.wells"),
    ],
)
def test_monitoring_scenario_errors_name_the_key(change, key):
    with pytest.raises(SpecError) as info:
        MonitoringScenario.from_dict(_demo_scenario(**change), ROOT / "scenarios" / "x.toml")
    assert info.value.field.startswith(key)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["chajia_monitoring", "nancun_monitoring"])
def test_site_monitoring_scenarios_run(name, tmp_path):
    """The two site scenarios: networks of 3, 5 and 8 wells, and the attribution example ranks
    the enterprise that leaked first."""
    path = ROOT / "scenarios" / f"{name}.toml"
    scenario = MonitoringScenario.from_dict(read_toml(path), path)
    written = {p.name for p in scenario.run(tmp_path, log=lambda _: None)}
    assert {"wells_3.csv", "wells_5.csv", "wells_8.csv", "attribution_map.png"} <= written
    ranking = pd.read_csv(tmp_path / "attribution.csv", comment="#")
    assert ranking["enterprise"].iloc[0] == ranking["true_enterprise"].iloc[0]
