"""gwsim.risk: leak source terms, receptor concentrations against the analytic 2-D point source,
ranking, capture screening by tracking, and bad inputs.

Transport runs use gwsim specs (MODFLOW 6 flow, MT3D-USGS transport, the scenarios' default): one
layer 1 m thick, 1 m cells, uniform flow along +x with seepage velocity 1 m/d (as the transport
tests).
"""

import numpy as np
import pytest
import shapely
from builders import uniform_flow_spec, uniform_spec
from scipy.optimize import brentq

from gwsim import EngineError, SpecError
from gwsim.analytic.transport import point_source_2d
from gwsim.engines import mt3d, run_flow
from gwsim.risk import (
    Contaminant,
    Enterprise,
    LeakCase,
    Receptor,
    assess_enterprise_risk,
    capture_screening,
    exceedance_time,
    leak_cells,
    leak_mass_rate,
    output_times,
)
from gwsim.spec import Boundary

pytestmark = [pytest.mark.needs_mf6, pytest.mark.needs_mt3d]

NITRITE = Contaminant("nitrite_n", concentration=100.0)  # Class III limit 1.0 mg/L
CONTINUOUS = LeakCase("continuous", seepage=0.05)  # 0.05 m³/d x 100 mg/L = 5 g/d


def quiet(message):
    """Drop progress messages."""


@pytest.fixture(scope="module")
def plain_spec():
    """31 x 70 cells of 1 m, no wells: the set-up of the transport tests' 2-D point source."""
    return uniform_spec(31, 70, 1.0)


@pytest.fixture(scope="module")
def plain(plain_spec, tmp_path_factory):
    return run_flow(plain_spec, tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="module")
def wellfield_spec():
    """21 x 40 cells of 2 m with a source well pumping 4 m³/d at (61, 21): it captures a band
    ±Q/(2bq) = ±8 m wide far upstream. (MODFLOW-NWT does not converge on 1 m cells with a well.)"""
    spec = uniform_spec(21, 40, 2.0)
    spec.boundaries.append(Boundary("wel", "source", [(0, 10, 30)], {"rate": -4.0}))
    return spec


@pytest.fixture(scope="module")
def wellfield(wellfield_spec, tmp_path_factory):
    return run_flow(wellfield_spec, tmp_path_factory.mktemp("wellfield"))


def test_source_term_is_seepage_times_concentration():
    """HJ 610: g/d = m³/d x mg/L; a given mass rate is used as is."""
    assert leak_mass_rate(NITRITE, LeakCase("abnormal", seepage=2.0, duration=100.0)) == 200.0
    assert leak_mass_rate(Contaminant("nitrite_n", mass_rate=7.0), CONTINUOUS) == 7.0
    assert LeakCase("abnormal", 2.0, start=10.0, duration=100.0).stop == 110.0


def test_peak_and_exceedance_match_the_analytic_point_source(plain, plain_spec):
    """Peak and first exceedance 10 m downstream of a 5 g/d continuous leak: within 10 % of
    the 2-D continuous point source (measured 1.0 % and 0.1 %).

    The tolerance is the transport tests' for the same grid and dispersivities (4 m, 1 m):
    10 % where c > 5 % of the peak. The exceedance time is interpolated between daily outputs;
    the curve is smooth there, so interpolation adds < 0.1 d.
    """
    plant = Enterprise("plant", shapely.Point(10.5, 15.5), [NITRITE], [CONTINUOUS])
    receptor = Receptor("mw", "monitoring_well", (20.5, 15.5))
    result = assess_enterprise_risk(
        plain,
        [plant],
        [receptor],
        np.arange(1.0, 31.0),
        engine="mt3d",
        dispersivity=(4.0, 1.0, 1.0),
        log=quiet,
    )
    assert result.engine == "mt3d"
    row = next(r for r in result.rows if r["receptor"] == "mw")

    def exact(t):
        return float(point_source_2d(10.0, 0.0, t, 1.0, 4.0, 1.0, 5.0, 1.0, 0.25))

    assert row["peak_mg_L"] == pytest.approx(exact(30.0), rel=0.10)
    assert row["peak_to_limit"] == pytest.approx(exact(30.0) / 1.0, rel=0.10)
    assert row["exceeds_limit_at_d"] == pytest.approx(
        brentq(lambda t: exact(t) - 1.0, 1, 30), rel=0.1
    )
    boundary = next(r for r in result.rows if r["receptor_kind"] == "site_boundary")
    assert boundary["peak_mg_L"] > row["peak_mg_L"]  # next to the leak


def test_exceedance_time_interpolates_and_says_never():
    """Linear interpolation between output times, from 0 mg/L at t = 0."""
    assert exceedance_time([10.0, 20.0], [0.5, 1.5], 1.0) == pytest.approx(15.0)
    assert exceedance_time([10.0], [2.0], 1.0) == pytest.approx(5.0)
    assert exceedance_time([10.0, 20.0], [0.5, 0.9], 1.0) is None
    times = output_times(7300.0)
    assert {100.0, 1000.0, 7300.0} <= set(times.tolist()) and len(times) >= 30


def test_source_wells_rank_first_and_screening_says_who_is_captured(wellfield, wellfield_spec):
    """An enterprise upstream of the well (captured, low concentration there) outranks one beside
    the capture band (not captured) with a far higher ratio at a monitoring well next to it."""
    upstream = Enterprise("upstream", shapely.Point(21.0, 21.0), [NITRITE], [CONTINUOUS])
    beside = Enterprise(
        "beside",
        shapely.box(20.0, 32.0, 24.0, 36.0),
        [Contaminant("nitrite_n", concentration=200.0)],
        [LeakCase("abnormal", seepage=0.05, duration=20.0)],
    )
    receptors = [
        Receptor("source", "source_well", "source"),
        Receptor("mw", "monitoring_well", (29.0, 33.0)),
    ]
    result = assess_enterprise_risk(
        wellfield,
        [beside, upstream],
        receptors,
        [20.0, 40.0, 60.0],
        engine="mt3d",
        log=quiet,
    )
    assert [r.enterprise for r in result.runs] == ["upstream", "beside"]
    ranks = {(r["enterprise"], r["receptor"]): r for r in result.rows}
    assert (
        ranks[("beside", "mw")]["peak_to_limit"] > 10 * ranks[("upstream", "mw")]["peak_to_limit"]
    )
    assert ranks[("upstream", "source")]["rank"] == 1
    assert ranks[("upstream", "source")]["captured_share"] == 1.0
    assert ranks[("beside", "source")]["captured_share"] == 0.0
    assert 30 < ranks[("upstream", "source")]["capture_travel_time_d"] < 40  # 40 m at >= 1 m/d


def test_capture_screening_against_the_analytic_capture_band(tmp_path):
    """Uniform flow, one well (Q = 100 m³/d, b = 10 m, q = 0.02 m/d): the capture zone is
    ±Q/(2bq) = ±250 m wide far upstream. A site 300 m upstream on the axis is wholly captured, one
    150 m upstream and 400 m aside is not."""
    flow = run_flow(uniform_flow_spec({"well": (0, 100.0)}), tmp_path)
    well_x, well_y = flow.grid.xcenters[46, 46], flow.grid.ycenters[46, 46]
    sites = {"up": (well_x - 300.0, well_y), "aside": (well_x - 150.0, well_y + 400.0)}
    shares = {}
    for name, (x, y) in sites.items():
        cells = leak_cells(flow, shapely.Point(x, y), name)
        shares[name], _ = capture_screening(flow, cells, ["well"])
    assert shares["up"][0] == 1.0 and shares["aside"][0] == 0.0


@pytest.mark.parametrize(
    ("enterprise", "match"),
    [
        (Enterprise("far", shapely.Point(500.0, 5.0), [NITRITE], [CONTINUOUS]), "outside"),
        (Enterprise("hole", shapely.Point(30.5, 5.5), [NITRITE], [CONTINUOUS]), "inactive"),
        (
            Enterprise(
                "neg",
                shapely.Point(5.5, 5.5),
                [Contaminant("nitrite_n", mass_rate=-1.0)],
                [CONTINUOUS],
            ),
            r"mass_rate: is -1.0",
        ),
        (
            Enterprise("pfas", shapely.Point(5.5, 5.5), [Contaminant("pfoa", 1.0)], [CONTINUOUS]),
            r"'pfoa' has no GB/T 14848 Class III limit .* add a line 'pfoa = <limit in mg/L>'",
        ),
        (
            Enterprise("bad", shapely.Point(5.5, 5.5), [NITRITE], [LeakCase("x", seepage=-2.0)]),
            r"cases\[0\]\.seepage",
        ),
    ],
)
def test_bad_inputs_raise_before_any_run(plain, enterprise, match, monkeypatch):
    """Outside the grid, an inactive column, a negative mass rate, a contaminant without a limit
    (naming it and the table to add it to), a negative seepage: SpecError naming the enterprise,
    before any transport run."""
    import dataclasses

    idomain = plain.grid.idomain.copy()
    idomain[0, 25, 30] = 0
    holed = dataclasses.replace(plain, grid=dataclasses.replace(plain.grid, idomain=idomain))
    monkeypatch.setattr("gwsim.risk.leak_transport.transport", None)  # any run would fail loudly
    with pytest.raises(SpecError, match=match) as info:
        assess_enterprise_risk(holed, [enterprise], [], [10.0], log=quiet)
    assert enterprise.name in str(info.value)


def test_failing_transport_run_raises_engine_error(plain, plain_spec, monkeypatch, tmp_path):
    """MT3D stopping mid-run raises EngineError with its listing; the assessment returns nothing."""
    monkeypatch.setattr(mt3d, "MAX_TRANSPORT_STEPS", 1)
    plant = Enterprise("plant", shapely.Point(10.5, 15.5), [NITRITE], [CONTINUOUS])
    with pytest.raises(EngineError, match=r"mt3dusgs run in .* failed"):
        assess_enterprise_risk(plain, [plant], [], [10.0], engine="mt3d", log=quiet)


def _scenario(tmp_path, **changes):
    """A small enterprise-risk scenario on an inline 1-layer model (2 m cells, flow along +x)."""
    from gwsim.risk.scenario import EnterpriseRiskScenario

    data = {
        "name": "tiny",
        "kind": "enterprise_risk",
        "model": {
            "name": "tiny",
            "grid": {
                "nlay": 1,
                "nrow": 11,
                "ncol": 30,
                "delr": 2.0,
                "delc": 2.0,
                "top": 1.0,
                "botm": [0.0],
            },
            "properties": {"k": 10.0, "icelltype": 0, "porosity": 0.25},
            "boundaries": [
                {"kind": "chd", "name": "west", "where": {"col": 0}, "head": 11.45},
                {"kind": "chd", "name": "east", "where": {"col": 29}, "head": 10.0},
            ],
        },
        "transport": {"service_life": 40.0, "n_times": 4, "dispersivity": [2.0, 0.2, 0.2]},
        "receptors": [{"name": "mw", "kind": "monitoring_well", "x": 31.0, "y": 11.0}],
        "enterprises": [
            {
                "name": "plant",
                "point": [11.0, 11.0],
                "contaminants": [{"name": "nitrite_n", "concentration": 100.0}],
                "cases": [{"name": "abnormal", "seepage": 0.05, "duration": 10.0}],
            }
        ],
        "controls": {"natural_attenuation": True, "anti_seepage": {"factor": 0.5}},
    }
    for dotted, value in changes.items():
        *path, key = dotted.split("__")
        table = data
        for part in path:
            table = table[part] if not part.isdigit() else table[int(part)]
        table[key] = value
    return EnterpriseRiskScenario.from_dict(data, tmp_path / "tiny.toml")


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"enterprises__0__point": [500.0, 11.0]}, r"enterprises\.plant\.point: .* outside"),
        (
            {"enterprises__0__contaminants": [{"name": "pfoa", "concentration": 1.0}]},
            r"enterprises\.plant\.contaminants\[0\]\.name: 'pfoa' has no .*data/gbt14848_class3.toml",
        ),
        (
            {"enterprises__0__contaminants": [{"name": "nitrite_n", "mass_rate": -1.0}]},
            r"enterprises\.plant\.contaminants\[0\]\.mass_rate: is -1.0",
        ),
        ({"receptors__0__kind": "tap"}, r"receptors\[0\]: needs a name and a kind"),
        ({"controls__anti_seepage": {"factor": 2.0}}, r"controls\.anti_seepage\.factor"),
        ({"transport__life": 40.0}, r"transport\.life: unknown key"),
    ],
)
def test_scenario_bad_inputs_name_the_key(tmp_path, changes, match):
    """Reading a scenario rejects bad input with one line naming the key and the fix."""
    with pytest.raises(SpecError, match=match):
        _scenario(tmp_path, **changes)


def test_scenario_writes_results_only_after_every_run(tmp_path, monkeypatch):
    """The tiny scenario writes its tables, figures and netCDF files; a transport run that fails
    (MT3D stopping) raises EngineError and leaves no netCDF or table behind."""
    scenario = _scenario(tmp_path)
    written = scenario.run(tmp_path / "out", log=quiet)
    names = {p.name for p in written}
    assert {"risk_table.csv", "control_options.csv", "control_options.png"} <= names
    assert any(n.endswith(".nc") for n in names) and any(n.endswith("_map.png") for n in names)
    monkeypatch.setattr(mt3d, "MAX_TRANSPORT_STEPS", 1)
    with pytest.raises(EngineError):
        scenario.run(tmp_path / "failed", log=quiet)
    assert not list((tmp_path / "failed").rglob("*.nc*"))
    assert not list((tmp_path / "failed").rglob("*.csv"))


def test_named_target_options_run_beside_the_other_enterprises_runs(tmp_path, monkeypatch):
    """One pool for the scenario: with controls.enterprise named, the target's leak runs go
    first and its option runs start while another enterprise's run is still going (it waits
    here, up to 60 s, for an option run to start; run one after the other, it never would).
    The tables equal those of the same scenario with the options run after every leak run."""
    import threading

    import gwsim.concurrency as concurrency
    import gwsim.risk.leak_transport as leak_transport

    scenario = _scenario(
        tmp_path,
        enterprises=[
            {
                "name": "plant",
                "point": [11.0, 11.0],
                "contaminants": [{"name": "nitrite_n", "concentration": 100.0}],
                "cases": [{"name": "abnormal", "seepage": 0.05, "duration": 10.0}],
            },
            {
                "name": "other",
                "point": [11.0, 5.0],
                "contaminants": [{"name": "nitrite_n", "concentration": 10.0}],
                "cases": [{"name": "abnormal", "seepage": 0.05, "duration": 10.0}],
            },
        ],
        controls={
            "enterprise": "plant",
            "reactive_barrier": {"polygon": [[20, 8], [24, 8], [24, 14], [20, 14]], "decay": 0.1},
        },
    )
    monkeypatch.setattr(concurrency, "available_cores", lambda: 2)
    option_started, overlapped = threading.Event(), []
    transport = leak_transport.transport

    def watched(flow, sources, times, **kwargs):
        if np.ndim(kwargs["decay"]):  # the reactive barrier's run
            option_started.set()
        elif sources[0].y < 8.0:  # the other enterprise's leak
            overlapped.append(option_started.wait(timeout=60))
        return transport(flow, sources, times, **kwargs)

    monkeypatch.setattr(leak_transport, "transport", watched)
    scenario.run(tmp_path / "pooled", log=quiet)
    assert overlapped == [True]
    monkeypatch.setattr(leak_transport, "transport", transport)
    scenario.control_target = "worst"  # the options wait for the whole ranking
    scenario.run(tmp_path / "after", log=quiet)
    for table in ("risk_table.csv", "control_options.csv"):
        rows = [
            [line for line in (tmp_path / out / table).read_text().splitlines() if line[0] != "#"]
            for out in ("pooled", "after")
        ]
        assert rows[0] == rows[1]
