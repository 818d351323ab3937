"""Risk and detection products of ensembles (gwsim.ensemble.risk_products, .detection_products):
with zero variance they equal one deterministic transport run and one deterministic detection
matrix, an interrupted ensemble resumes to the uninterrupted result, and bad scenario input fails
before anything runs.

References: :func:`gwsim.risk.run_leak` / :func:`gwsim.risk.receptor_summary` and
:func:`gwsim.monitoring.detection_matrix` called directly on the deterministic model, outside the
ensemble machinery.
"""

import csv
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import shapely
from builders import UNIFORM_K, uniform_spec
from interrupt import REPO, kill_half_way

from gwsim.engines import run_flow
from gwsim.ensemble.detection_products import DetectionAnalysis
from gwsim.ensemble.distributions import Distribution
from gwsim.ensemble.fields import UnitField
from gwsim.ensemble.products import write_products
from gwsim.ensemble.realization import EnsemblePlan
from gwsim.ensemble.risk_products import RiskAnalysis, header
from gwsim.ensemble.runner import run_ensemble
from gwsim.errors import SpecError
from gwsim.monitoring import detection_matrix
from gwsim.monitoring.scenario import Enterprise as MonitoredEnterprise
from gwsim.monitoring.scenario import MonitoringScenario
from gwsim.params import Param
from gwsim.risk import (
    Contaminant,
    Enterprise,
    LeakCase,
    Receptor,
    exceedance_time,
    receptor_probe,
    receptor_summary,
    run_leak,
)
from gwsim.scenario import load_scenario
from gwsim.spec import Boundary

pytestmark = [
    pytest.mark.needs_mf6,
    pytest.mark.needs_mt3d,
    pytest.mark.filterwarnings("ignore::gwsim.capture.TruncatedZoneWarning"),
]


# 31 x 41 cells of 10 m, one layer 1 m thick, seepage velocity 1 m/d along +x; a well pumping
# 20 m3/d 200 m downstream of a leak; y of row r is (31 - r - 0.5) * 10 m
NROW, NCOL, CELL = 31, 41, 10.0
LEAK_XY = (85.0, 155.0)
TIMES = np.linspace(10.0, 300.0, 30)  # d
RECEPTORS = [
    Receptor("well", "source_well", "well"),
    Receptor("MW_axis", "monitoring_well", (145.0, 155.0)),  # 60 m downstream: exceeds
    Receptor("MW_side", "monitoring_well", (145.0, 255.0)),  # 100 m aside: never reached
]
LEAK = Enterprise(
    "plant",
    shapely.Point(LEAK_XY),
    [Contaminant("nitrite_n", concentration=100.0)],  # Class III limit 1.0 mg/L
    [LeakCase("continuous", seepage=0.5), LeakCase("short", seepage=0.5, duration=5.0)],
)
DISPERSIVITY = (10.0, 1.0, 0.1)


def tiny_spec(k: float = UNIFORM_K):
    spec = uniform_spec(NROW, NCOL, CELL)
    well = Boundary("wel", "well", [(0, 15, 28)], {"rate": -20.0})
    return replace(
        spec, properties=replace(spec.properties, k=k), boundaries=[*spec.boundaries, well]
    )


class TinySite:
    """A site model in memory with one parameter, aquifer.k (m/d)."""

    variant = "steady"

    def __init__(self):
        self.params = {"aquifer.k": Param(UNIFORM_K, "m/d", "test", minimum=0.0)}

    def build(self, params=None):
        return tiny_spec((params or self.params)["aquifer.k"].value)


def monitoring() -> MonitoringScenario:
    """Candidates every 20 m; detection when 5 % of a 100-particle swarm has passed, within
    300 d and before the plume reaches the well's 100-d zone."""
    return MonitoringScenario(
        name="tiny",
        source=Path("tiny.toml"),
        spec=None,
        enterprises=[MonitoredEnterprise("plant", shapely.Point(LEAK_XY), 50.0)],
        detection={
            "window": 300.0,
            "method": "swarm",
            "particles": 100,
            "n_steps": 30,
            "dispersivity": [2.0, 0.2, 0.02],
            "detection_limit": None,
            "min_share": 0.05,
            "lead_time": 0.0,
            "seed": 0,
            "porosity_factors": [1.0],
        },
        receptors={"wells": ["well"], "class2_travel_time": 100.0},
        candidates={"spacing": 20.0, "area": None, "existing": [], "clearance": 5.0},
        design={},
        layout=None,
    )


def analyses(cases=None):
    risk = RiskAnalysis(
        [LEAK],
        RECEPTORS,
        TIMES,
        DISPERSIVITY,
        "mt3d",
        {"plant": "continuous"} if cases is None else cases,
    )
    return [risk, DetectionAnalysis(monitoring())]


def zero_variance_plan() -> EnsemblePlan:
    dist = Distribution.from_table({"distribution": "normal", "mean": UNIFORM_K, "sd": 0.0}, "k")
    return EnsemblePlan(
        sources={}, site=TinySite(), parameters={"aquifer.k": dist}, analyses=analyses()
    )


def field_plan() -> EnsemblePlan:
    field = UnitField.from_table("aq", {"layers": [0], "variance": 0.3, "len_scale": 80.0}, 1)
    return EnsemblePlan(
        sources={"s": ["well"]}, spec=tiny_spec(), fields=[field], seed=3, analyses=analyses()
    )


def quiet(*args):
    """Drop progress messages."""


@pytest.fixture(scope="module")
def zero_variance(tmp_path_factory):
    """Two zero-variance realizations with risk and detection (no capture maps), their products,
    and the deterministic model run on its own."""
    out = tmp_path_factory.mktemp("zero")
    run = run_ensemble(zero_variance_plan(), 2, out, workers=0, progress=False, log=quiet)
    write_products(run, out / "products", "tiny", {"inputs_sha256": "test"})
    flow = run_flow(tiny_spec(), out / "reference")
    return run, out / "products", flow


def test_zero_variance_risk_equals_one_deterministic_transport_run(zero_variance):
    run, products, flow = zero_variance
    probes = [receptor_probe(flow, r, "test") for r in RECEPTORS]
    contaminant, case = LEAK.contaminants[0], LEAK.cases[0]
    leak = run_leak(
        flow, LEAK, contaminant, case, probes, TIMES, engine="mt3d", dispersivity=DISPERSIVITY
    )
    summary = receptor_summary(leak)
    reducer = run.reducer.analyses["risk"]
    assert reducer.n == 2 and run.zones is None and not run.reducer.counts
    for j, (name, series) in enumerate(leak.series.items()):  # receptors, then the boundary
        expected = summary[name]
        arrival = exceedance_time(leak.times, series, 0.01 * leak.limit)
        for i in range(2):  # the same model: the same numbers, to MT3D's output precision
            assert reducer.values("peak")[i, 0, j] == pytest.approx(expected["peak"], rel=1e-6)
            peak_time = reducer.values("peak_time")[i, 0, j]  # nan: not reached
            assert peak_time == expected["peak_time"] or (
                expected["peak_time"] is None and np.isnan(peak_time)
            )
            got = reducer.values("arrival")[i, 0, j]
            assert np.isnan(got) if arrival is None else got == pytest.approx(arrival, rel=1e-6)
    rows = {r[header("receptor")]: r for r in csv_rows(products / "risk_distribution.csv")}
    exceeds = {name: s["exceeds_at"] is not None for name, s in summary.items()}
    assert exceeds == {"well": True, "MW_axis": True, "MW_side": False, "plant boundary": True}
    for name, series_name in zip(rows, leak.series, strict=True):
        assert float(rows[name][header("p_exceed")]) == float(exceeds[series_name])  # 0/1
        peaks = {float(rows[name][header("peak", p)]) for p in (5, 50, 95)}
        assert peaks == {float(rows[name][header("det_peak")])}
        assert peaks == {float(f"{summary[series_name]['peak']:.3g}")}
    assert rows["MW_side"][header("arrival", 50)] == "inf"


def test_zero_variance_detection_equals_the_deterministic_detection(zero_variance):
    run, products, flow = zero_variance
    scenario = monitoring()
    points, _ = scenario.candidate_points(flow)
    receptors, _, _ = scenario.supply_receptors(flow)
    sources, _ = scenario.leak_points(flow)
    matrix = detection_matrix(
        flow, sources, points, receptors=receptors, **scenario.detection_options()
    )
    expected = matrix.detects[0].mean(axis=0)  # one leak point: 0 or 1 per candidate
    reducer = run.reducer.analyses["detection"]
    probability = reducer.probability()[0]
    assert set(np.unique(probability)) == {0.0, 1.0}
    assert np.array_equal(probability, expected)
    assert 0 < expected.sum() < len(points)  # some candidates detect, some do not
    rows = csv_rows(products / "detection_probability.csv")
    assert len(rows) == len(points)
    assert (products / "detection_probability.png").stat().st_size > 0
    report = (products / "ensemble_report.md").read_text(encoding="utf-8")
    assert "受体风险" in report and "检出概率" in report


def test_risk_figure_draws_the_percentiles_of_the_peak_over_the_limit(zero_variance):
    """The figure's markers sit at the reducer's P50 and the deterministic peak, as a share of
    the limit; a peak that is not reached sits at the floor; the report shows the figure."""
    from gwsim.ensemble.risk_plot import plot_risk_distribution
    from gwsim.risk.mass import RATIO_FLOOR

    run, products, _ = zero_variance
    reducer = run.reducer.analyses["risk"]
    assert (products / "risk_distribution.png").stat().st_size > 0
    report = (products / "ensemble_report.md").read_text(encoding="utf-8")
    assert "![leak risk over the ensemble](risk_distribution.png)" in report
    peak = reducer.values("peak")  # (2, 1, R): both realizations the same
    deterministic = {"peak": 2.0 * peak[0]}  # deliberately off, to tell the markers apart
    figure = plot_risk_distribution(reducer, deterministic, "test")
    ax = figure.axes[0]
    medians = [ln.get_xdata()[0] for ln in ax.lines if ln.get_marker() == "o"]
    diamonds = [ln.get_xdata()[0] for ln in ax.lines if ln.get_marker() == "D"]
    ratio = peak[0, 0] / reducer.limits[0]
    expected = np.maximum(ratio, RATIO_FLOOR)
    assert medians == pytest.approx(expected, rel=1e-12)
    assert diamonds == pytest.approx(np.maximum(2 * ratio, RATIO_FLOOR), rel=1e-12)
    assert (expected == RATIO_FLOOR).any() and (expected > 1).any()  # floored and exceeding rows
    figure.clear()


def csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def test_worst_case_is_chosen_on_the_deterministic_run(tmp_path, monkeypatch):
    """Of a continuous leak and a 5-day one, the continuous leak peaks higher; the deterministic
    run's transport of the chosen case is not run again (2 cases + 1 realization = 3 runs)."""
    plan = zero_variance_plan()
    plan.analyses = analyses(cases={})[:1]
    runs = []
    transport_run = RiskAnalysis._run
    monkeypatch.setattr(
        RiskAnalysis, "_run", lambda self, *args: runs.append(args[2]) or transport_run(self, *args)
    )
    run = run_ensemble(plan, 1, tmp_path, workers=0, progress=False, log=quiet)
    assert plan.analyses[0].chosen["plant"][1].name == "continuous"
    assert run.reducer.analyses["risk"].n == 1
    assert [case.name for _, case in runs] == ["continuous", "short", "continuous"]


def test_killed_ensemble_with_products_resumes_to_the_uninterrupted_result(tmp_path):
    n = 4
    whole = run_ensemble(field_plan(), n, tmp_path / "whole", workers=0, progress=False, log=quiet)
    out = tmp_path / "killed"
    recorded = kill_half_way("test_ensemble_products", n, out, tmp_path, timeout=180)
    resumed = run_ensemble(field_plan(), n, out, workers=0, progress=False, log=quiet)
    assert resumed.resumed == recorded
    risk, again = whole.reducer.analyses["risk"], resumed.reducer.analyses["risk"]
    for number in ("peak", "peak_time", "arrival", "exceeds"):
        assert np.array_equal(again.values(number), risk.values(number), equal_nan=True)
    assert np.ptp(risk.values("peak")[:, 0, 1]) > 0  # the realizations differ
    detection = whole.reducer.analyses["detection"]
    assert np.array_equal(resumed.reducer.analyses["detection"].hits, detection.hits)
    assert np.array_equal(resumed.reducer.analyses["detection"].time_sum, detection.time_sum)


# ---------------------------------------------------------------------- bad input
SCENARIO = """
name = "bad"
kind = "uncertainty"
[model]
site = "{site}"
[uncertainty]
realizations = 4
{extra}
"""
RISK = """
[uncertainty.risk.transport]
service_life = 3650.0
[[uncertainty.risk.receptors]]
name = "chajia"
kind = "source_well"
well = "{well}"
[[uncertainty.risk.enterprises]]
name = "chem_plant"
point = [450300.0, 3121620.0]
[[uncertainty.risk.enterprises.contaminants]]
name = "trichloroethylene"
concentration = 200.0
[[uncertainty.risk.enterprises.cases]]
name = "abnormal"
seepage = 1.0
duration = 100.0
"""
DETECTION = """
[uncertainty.detection.detection]
window = 3650.0
{detection}
[uncertainty.detection.receptors]
wells = ["chajia_wells"]
[uncertainty.detection.candidates]
spacing = 100.0
[[uncertainty.detection.enterprises]]
name = "chem_plant"
point = [450300.0, 3121620.0]
"""


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ('products = ["capture", "risks"]', "uncertainty.products", "unknown product 'risks'"),
        ('products = ["risk"]', "uncertainty.risk", "missing"),
        (
            'products = ["detection"]' + RISK.format(well="chajia_wells"),
            "uncertainty.products",
            "[uncertainty.risk] is given but 'risk' is not asked for",
        ),
        (
            'products = ["risk"]' + RISK.format(well="nowhere_wells"),
            "uncertainty.risk.receptors[0].well",
            "'nowhere_wells' is not a well",
        ),
        (
            'products = ["risk"]'
            + RISK.format(well="chajia_wells").replace(
                'kind = "source_well"\nwell = "chajia_wells"',
                'kind = "monitoring_well"\nx = 10.0\ny = 20.0',
            ),
            "uncertainty.risk.receptors[0]",
            "outside the model grid",
        ),
        (
            'products = ["risk"]\n[uncertainty.risk.cases]\nchem_plant = "leaky"'
            + RISK.format(well="chajia_wells"),
            "uncertainty.risk.cases.chem_plant",
            "names no single leak case",
        ),
        (
            'products = ["detection"]' + DETECTION.format(detection="porosity_factors = [1.0]"),
            "uncertainty.detection.detection.porosity_factors",
            "draws its own fields",
        ),
        (
            'products = ["detection"]'
            + DETECTION.format(detection="").replace("chajia_wells", "nowhere"),
            "uncertainty.detection.receptors.wells",
            "'nowhere' is not a well",
        ),
    ],
)
def test_bad_product_input_fails_before_anything_runs(tmp_path, monkeypatch, extra, field, words):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "bad.toml"
    site = (REPO / "models" / "valley_porous").as_posix()
    path.write_text(SCENARIO.format(site=site, extra=extra))
    with pytest.raises(SpecError) as err:
        load_scenario(path)
    assert err.value.field == field and words in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]  # nothing written


def test_chajia_risk_scenario_loads():
    scenario = load_scenario(REPO / "scenarios" / "chajia_uncertainty_risk.toml")
    names = [a.name for a in scenario.plan.analyses]
    assert names == ["risk", "detection"] and scenario.plan.sources
    assert scenario.realizations <= 16
