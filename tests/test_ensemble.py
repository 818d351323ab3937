"""Ensembles (gwsim.ensemble): zero variance reproduces the deterministic run, the capture
probability of a point matches the analytic uniform-flow capture zone sampled with the same K
distribution, an interrupted ensemble resumes to the uninterrupted result, and bad input fails
before anything runs.

Reference: the steady capture zone of a well in uniform flow (Javandel & Tsang 1986; Grubb 1993):
seen from the well, the dividing streamline at angle θ from the upstream axis lies at
|y| = Q/(2bq)·(1 − θ/π), q = K·I.
"""

import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from builders import UNIFORM_FLUX, UNIFORM_K, uniform_spec
from interrupt import REPO, kill_half_way
from scipy.stats import norm

from gwsim.ensemble.distributions import Distribution
from gwsim.ensemble.fields import UnitField
from gwsim.ensemble.products import write_products
from gwsim.ensemble.realization import EnsemblePlan
from gwsim.ensemble.reduce import RecordStore
from gwsim.ensemble.runner import kernel_threads, run_ensemble
from gwsim.errors import GwsimError, SpecError
from gwsim.params import Param
from gwsim.scenario import load_scenario
from gwsim.spec import Boundary

pytestmark = [
    pytest.mark.needs_mf6,
    pytest.mark.filterwarnings("ignore::gwsim.capture.TruncatedZoneWarning"),
]


NROW, NCOL, CELL = 31, 41, 10.0  # tiny uniform-flow model, m
WELL_ROW, WELL_COL, RATE = 15, 28, 20.0  # the well's cell and rate, m3/d
GRADIENT = UNIFORM_FLUX / UNIFORM_K  # fixed by the fixed heads, whatever K


def tiny_spec(k: float = UNIFORM_K):
    """uniform_spec (1 layer, 1 m thick, flow along +x) with K = k m/d and one pumping well."""
    spec = uniform_spec(NROW, NCOL, CELL)
    well = Boundary("wel", "well", [(0, WELL_ROW, WELL_COL)], {"rate": -RATE})
    return replace(
        spec,
        properties=replace(spec.properties, k=k),
        boundaries=[*spec.boundaries, well],
    )


@dataclass
class TinySite:
    """A site model in memory: one parameter, aquifer.k (m/d), as a site folder would have."""

    params: dict
    variant: str = "steady"

    def build(self, params=None):
        return tiny_spec((params or self.params)["aquifer.k"].value)


def site_plan(k_distribution: dict, seed: int = 7, **kwargs) -> EnsemblePlan:
    site = TinySite({"aquifer.k": Param(UNIFORM_K, "m/d", "test", minimum=0.0)})
    dist = Distribution.from_table(k_distribution, "test")
    return EnsemblePlan(
        sources={"s": ["well"]}, site=site, parameters={"aquifer.k": dist}, seed=seed, **kwargs
    )


def field_plan(variance: float = 0.3, seed: int = 3) -> EnsemblePlan:
    field = UnitField.from_table("aq", {"layers": [0], "variance": variance, "len_scale": 80.0}, 1)
    return EnsemblePlan(sources={"s": ["well"]}, spec=tiny_spec(), fields=[field], seed=seed)


def test_zero_variance_reproduces_the_deterministic_run(tmp_path):
    plan = site_plan({"distribution": "normal", "mean": UNIFORM_K, "sd": 0.0})
    plan.fields = field_plan(variance=0.0).fields
    run = run_ensemble(plan, 2, tmp_path, workers=0, progress=False, log=lambda *a: None)
    store = RecordStore(tmp_path / "records", plan.key())
    for i in range(2):
        result = store.read(i)
        assert result.areas == run.deterministic.areas  # exact: the same model, the same zones
        for name in result.masks:
            assert np.array_equal(result.mask(name), run.deterministic.mask(name))
    paths = write_products(run, tmp_path / "products", "tiny", {"inputs_sha256": "test"})
    ds = xr.open_dataset(tmp_path / "products" / "probability.nc")
    for name in ("capture_100d", "capture_1000d", "capture_steady"):
        p = ds[f"p_{name}"].values
        assert set(np.unique(p)) <= {0.0, 1.0}
        assert np.array_equal(p == 1, ds[f"deterministic_{name}"].values == 1)
        assert ds[f"p_{name}"].attrs["units"] == "1"
    assert ds.attrs["Conventions"] == "CF-1.8" and ds.attrs["realizations"] == 2
    ds.close()
    assert {p.name for p in paths} >= {"probability_map.png", "zone_areas.csv", "summary.json"}


def analytic_probability(k: np.ndarray, x: float, y: float) -> np.ndarray:
    """True where the point (x, y) lies in the steady capture zone for K = k (Javandel-Tsang)."""
    xw, yw = (WELL_COL + 0.5) * CELL, (NROW - WELL_ROW - 0.5) * CELL
    theta = np.arctan2(abs(y - yw), xw - x)  # from the upstream axis
    half_width = RATE / (2 * 1.0 * k * GRADIENT)  # Q / (2 b q), b = 1 m
    return abs(y - yw) < half_width * (1 - theta / np.pi)


@pytest.mark.parametrize("n", [pytest.param(16), pytest.param(200, marks=pytest.mark.slow)])
def test_capture_probability_matches_the_analytic_zone(tmp_path, n):
    sigma = 0.4  # of ln K
    plan = site_plan({"distribution": "lognormal", "median": UNIFORM_K, "sigma": sigma})
    run = run_ensemble(plan, n, tmp_path, workers=0, progress=False, log=lambda *a: None)
    # a sub-cell centre 147.5 m upstream of the well, 37.5 m off its axis: about half the K draws
    # put it inside the zone
    x, y = (WELL_COL + 0.5) * CELL - 147.5, (NROW - WELL_ROW - 0.5) * CELL + 37.5
    row = int((NROW * CELL - y) // (CELL / 2))
    col = int(x // (CELL / 2))
    store = RecordStore(tmp_path / "records", plan.key())
    model = np.array([store.read(i).mask("capture_steady")[row, col] for i in range(n)])
    k = run.reducer.column("values", "aquifer.k")
    formula = analytic_probability(k, x, y)
    # the same draws: the model and the formula disagree only for K within the zone's
    # discretisation (half a sub-cell of 40-70 m half-widths, a few % of K) of the critical K
    assert np.mean(model != formula) <= 0.1
    # and the estimate matches the exact probability within 3 binomial standard errors
    xw = (WELL_COL + 0.5) * CELL
    theta = np.arctan2(37.5, xw - x)
    k_critical = RATE * (1 - theta / np.pi) / (2 * GRADIENT * 37.5)
    exact = norm.cdf(np.log(k_critical / UNIFORM_K) / sigma)
    assert abs(run.reducer.probability("capture_steady")[row, col] - exact) <= 3 * np.sqrt(
        exact * (1 - exact) / n
    )


def test_killed_ensemble_resumes_to_the_uninterrupted_result(tmp_path):
    n = 4
    whole = run_ensemble(field_plan(), n, tmp_path / "whole", workers=0, progress=False)
    out = tmp_path / "killed"
    recorded = kill_half_way("test_ensemble", n, out, tmp_path, timeout=120)
    resumed = run_ensemble(field_plan(), n, out, workers=0, progress=False)
    assert resumed.resumed == recorded
    for name, counts in whole.reducer.counts.items():
        assert np.array_equal(resumed.reducer.counts[name], counts)
    for part in ("areas", "values"):
        for key in whole.reducer.keys(part):
            assert np.array_equal(
                resumed.reducer.column(part, key), whole.reducer.column(part, key)
            )


@pytest.mark.parametrize(
    "processes", [pytest.param(False), pytest.param(True, marks=pytest.mark.slow)]
)
def test_distributed_workers_give_the_serial_result(tmp_path, processes):
    # a dask LocalCluster of 2 workers (threads by default: worker processes each compile the
    # tracking kernels, which takes long on a shared machine; processes in the slow run)
    n = 3
    serial = run_ensemble(field_plan(), n, tmp_path / "serial", workers=0, progress=False)
    cluster = run_ensemble(
        field_plan(), n, tmp_path / "dask", workers=2, processes=processes, progress=False
    )
    assert cluster.reducer.n == n
    for name, counts in serial.reducer.counts.items():
        assert np.array_equal(cluster.reducer.counts[name], counts)
    assert np.array_equal(
        cluster.reducer.column("values", "lnK aq"), serial.reducer.column("values", "lnK aq")
    )


@pytest.mark.parametrize(
    "workers, cores, threads", [(2, 2, 1), (3, 2, 1), (2, 4, 2), (1, 2, None), (1, 1, None)]
)
def test_local_workers_share_the_cores_for_the_kernel(workers, cores, threads):
    assert kernel_threads(workers, cores) == threads


def test_a_task_sets_numba_threads_in_its_own_thread_only(monkeypatch):
    """numba.set_num_threads holds per thread: the worker thread that runs a realization gets
    the share, the thread that started it keeps numba's default."""
    import threading

    import numba

    from gwsim.ensemble import runner

    monkeypatch.setattr(runner, "run_realization", lambda plan, index: numba.get_num_threads())
    seen = {}
    worker = threading.Thread(target=lambda: seen.update(task=runner._run_realization(None, 0, 1)))
    worker.start()
    worker.join()
    assert seen["task"] == 1
    assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS


# ---------------------------------------------------------------------- bad input
SCENARIO = """
name = "bad"
kind = "uncertainty"
[model]
site = "{site}"
[protection]
sources = {{ chajia = ["chajia_wells"] }}
[uncertainty]
realizations = 10
{extra}
"""


def scenario_file(tmp_path, extra: str) -> Path:
    path = tmp_path / "bad.toml"
    site = (REPO / "models" / "valley_porous").as_posix()
    path.write_text(SCENARIO.format(site=site, extra=extra))
    return path


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        (
            '[uncertainty.parameters]\n"aquifer.porosity" = { distribution = "beta", a = 2 }',
            "uncertainty.parameters.aquifer.porosity.distribution",
            "unknown distribution",
        ),
        (
            "[uncertainty.fields.gravel]\nlayers = [1, 2]\nvariance = -0.5",
            "uncertainty.fields.gravel.variance",
            "negative variance",
        ),
        (
            '[uncertainty.parameters]\n"river.bed_k" = { distribution = "lognormal", median = 0.5, sigma = -1 }',
            "uncertainty.parameters.river.bed_k.sigma",
            "negative standard deviation",
        ),
        (
            '[uncertainty.parameters]\n"aquifer.porosityy" = { distribution = "fixed", value = 0.2 }',
            "uncertainty.parameters.aquifer.porosityy",
            "unknown site parameter",
        ),
        (
            'scheduler = "tcp://127.0.0.1:{port}"',
            "uncertainty.scheduler",
            "no dask scheduler answers",
        ),
    ],
)
def test_bad_input_fails_before_anything_runs(tmp_path, monkeypatch, extra, field, words):
    monkeypatch.chdir(tmp_path)
    path = scenario_file(tmp_path, extra.replace("{port}", str(free_port())))
    with pytest.raises(SpecError) as err:
        load_scenario(path)
    assert err.value.field == field and words in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]  # nothing written


def test_a_failed_realization_is_recorded_and_left_out(tmp_path, monkeypatch):
    import gwsim.ensemble.realization as realization
    from gwsim.errors import DryWellWarning, EngineError

    flow = realization._flow

    def failing(plan, spec, workspace):
        if "gwsim-r1-" in str(workspace):
            raise EngineError("flow model 'uniform' did not converge")
        if "gwsim-r2-" in str(workspace):  # the wells deliver less than their rate
            warnings.warn("well delivers -15 m³/d, not -20", DryWellWarning, stacklevel=2)
        return flow(plan, spec, workspace)

    monkeypatch.setattr(realization, "_flow", failing)
    run = run_ensemble(field_plan(), 4, tmp_path, workers=0, progress=False, log=lambda *a: None)
    assert run.reducer.n == 2 and sorted(run.reducer.failed) == [1, 2]
    assert "did not converge" in run.reducer.failed[1]
    assert "DryWellWarning" in run.reducer.failed[2]
    assert run.reducer.indices == [0, 3]
    store = RecordStore(tmp_path / "records", field_plan().key())
    assert store.read(1).failed == run.reducer.failed[1]  # recorded: a resume does not rerun it


@pytest.mark.parametrize("name", ["chajia_uncertainty", "nancun_uncertainty"])
def test_site_uncertainty_scenarios_load(name):
    scenario = load_scenario(REPO / "scenarios" / f"{name}.toml")
    assert scenario.realizations == 200 and scenario.plan.parameters and scenario.plan.fields
    spec, values = scenario.plan.realization_spec(0)
    assert set(values) == {*scenario.plan.parameters, f"lnK {scenario.plan.fields[0].name}"}
    again, same = scenario.plan.realization_spec(0)  # defined by the scenario and seed alone
    assert same == values and np.array_equal(spec.properties.k, again.properties.k)


def test_conditioned_field_honours_measured_k_and_is_fixed_by_its_seed():
    grid = tiny_spec().grid.resolve()
    k = np.full(grid.shape, UNIFORM_K)
    x, y = float(grid.xcenters[10, 12]), float(grid.ycenters[10, 12])  # a cell centre
    table = {"layers": [0], "variance": 1.0, "len_scale": [60.0, 30.0], "angle": 30.0}
    conditioned = UnitField.from_table(
        "aq", {**table, "conditioning": [{"x": x, "y": y, "k": 40.0}]}, 1
    )
    for seed in (1, 2):
        field = conditioned.log_factor(grid, k, seed)
        assert field[10, 12] == pytest.approx(np.log(40.0 / UNIFORM_K), abs=1e-6)
    free = UnitField.from_table("aq", table, 1)
    assert np.array_equal(free.log_factor(grid, k, 5), free.log_factor(grid, k, 5))
    assert not np.array_equal(free.log_factor(grid, k, 5), free.log_factor(grid, k, 6))
    with pytest.raises(SpecError, match="outside the model grid"):
        UnitField.from_table(
            "aq", {**table, "conditioning": [{"x": -5.0, "y": 0.0, "k": 1.0}]}, 1
        ).check_points(grid)


def test_cli_scheduler_that_does_not_answer_stops_the_run(tmp_path, monkeypatch, capsys):
    from gwsim.cli import main

    monkeypatch.chdir(tmp_path)
    path = scenario_file(tmp_path, "")
    assert main(["run", str(path), "--scheduler", f"tcp://127.0.0.1:{free_port()}"]) == 2
    assert "no dask scheduler answers" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]  # nothing written


def test_template_workspace_gives_the_heads_of_a_workspace_flopy_wrote(tmp_path, monkeypatch):
    """A realization run from the template (only changed numbers rewritten) equals the same
    realization written whole by flopy (gwsim.engines.mf6.run): the same numbers reach MODFLOW 6,
    so the heads and flows agree exactly; the template's own files stay as they were, and its
    external list files are read without flopy."""
    from gwsim.engines import mf6, mf6_model_input
    from gwsim.engines.mf6_template import Mf6Template, TemplateCache

    plan = field_plan(variance=0.5)
    ghb = Boundary("ghb", "drain_edge", [(0, 3, 5), (0, 4, 5)], {"bhead": 0.9, "cond": 2.0})

    def realization(index, rate):
        spec, _ = plan.realization_spec(index)
        *others, well = spec.boundaries
        return replace(spec, boundaries=[*others, ghb, replace(well, values={"rate": rate})])

    first, spec = realization(0, -RATE), realization(1, -15.0)
    template = Mf6Template.write(first, tmp_path / "template")
    before = {p.name: p.read_bytes() for p in template.folder.iterdir()}
    reference = mf6.run(spec, tmp_path / "flopy")
    (tmp_path / "filled").mkdir()
    assert template.fill(spec, tmp_path / "filled") == 4  # k, k22, k33, the well's list
    monkeypatch.setattr(mf6_model_input, "_flopy_model_input", None)  # the light reader reads all
    flow = mf6.solve(spec, tmp_path / "filled")
    assert np.array_equal(flow.head, reference.head, equal_nan=True)  # exact: same numbers
    assert flow.boundary_levels.keys() == reference.boundary_levels.keys() == {"drain_edge"}
    assert np.array_equal(
        flow.boundary_levels["drain_edge"], reference.boundary_levels["drain_edge"]
    )
    for name in ("flow_right_face", "flow_front_face", "flow_lower_face"):
        assert np.array_equal(getattr(flow, name), getattr(reference, name))
    assert all(np.array_equal(flow.sources[n], reference.sources[n]) for n in reference.sources)
    assert {p.name: p.read_bytes() for p in template.folder.iterdir()} == before
    cache = TemplateCache(size=1)
    assert cache.template(spec) is cache.template(first)  # one structure, one template
    other = replace(spec, boundaries=spec.boundaries[:-2])  # no GHB, no well: another structure
    with pytest.raises(GwsimError, match="differs from the template"):
        template.fill(other, tmp_path / "filled")
    old = cache.template(spec).folder
    assert cache.template(other).folder != old and not old.exists()  # the older one left
    cache.clear()


def test_structured_field_is_the_gstools_field():
    """fields.structured_field (modes summed as a matrix product) against gstools' own sum, for
    a rotated anisotropic model on an uneven grid (tolerance 1e-10 of a unit-variance field)."""
    import gstools as gs

    from gwsim.ensemble.fields import structured_field

    x = np.sort(np.random.default_rng(0).uniform(0.0, 3000.0, 40))
    y = np.linspace(0.0, 1500.0, 30)
    model = gs.Gaussian(dim=2, var=1.0, len_scale=[300.0, 80.0], angles=np.deg2rad(35.0))
    reference = gs.SRF(model, mean=0.0, seed=42)((x, y), mesh_type="structured")
    field = structured_field(gs.SRF(model, mean=0.0, seed=42), x, y)
    assert field.shape == reference.shape == (40, 30)
    np.testing.assert_allclose(field, reference, rtol=0, atol=1e-10)
