"""gwsim.risk.mass: cumulative mass into a well and across a site boundary, against MT3D-USGS's own
mass conservation, and the "not reached" floor.

The column: 1 row × 40 cells of 1 m, 1 m thick, confined; a fixed head on the west cell feeds a
well in the east cell pumping 0.25 m³/d, the only outlet (Darcy flux 0.25 m/d, seepage velocity
1 m/d at n = 0.25). A 1 g/d leak in cell 10 for 10 d travels 29 m to the well. With R = 1 and no
decay, the mass pumped out by each time must equal the mass leaked less the mass still in the
column (a hand balance; MT3D-USGS conserves mass to its reported discrepancy, here < 1e-3 %).
"""

from functools import partial

import numpy as np
import pytest
import shapely

from gwsim.engines import run_flow
from gwsim.risk import (
    NOT_REACHED,
    Contaminant,
    Enterprise,
    LeakCase,
    Receptor,
    boundary_crossing,
    receptor_probe,
    receptor_summary,
    run_leak,
)
from gwsim.risk.mass import cell_mass, integration_times
from gwsim.risk.report import shown
from gwsim.solute import DualDomain
from gwsim.spec import Boundary, Grid, ModelSpec, Properties

pytestmark = [pytest.mark.needs_mf6, pytest.mark.needs_mt3d]

LEAK = Enterprise(
    "plant",
    shapely.Point(10.5, 0.5),
    [Contaminant("nitrite_n", mass_rate=1.0)],
    [LeakCase("abnormal", start=0.0, duration=10.0)],
)
TIMES = [10.0, 30.0, 60.0]


@pytest.fixture(scope="module")
def column(tmp_path_factory):
    spec = ModelSpec(
        "column",
        Grid(1, 1, 40, 1.0, 1.0, 1.0, [0.0]),
        Properties(k=10.0, icelltype=0, porosity=0.25),
        [
            Boundary("chd", "west", [(0, 0, 0)], {"head": 11.0}),
            Boundary("wel", "well", [(0, 0, 39)], {"rate": -0.25}),
        ],
    )
    return run_flow(spec, tmp_path_factory.mktemp("column"))


def _run(flow, receptors=(), **kwargs):
    probes = [receptor_probe(flow, r, "receptor") for r in receptors]
    return run_leak(
        flow,
        LEAK,
        LEAK.contaminants[0],
        LEAK.cases[0],
        probes,
        TIMES,
        engine="mt3d",
        **{"dispersivity": (1.0, 0.1, 0.1), **kwargs},
    )


def _stored(flow, run, retardation=1.0):
    cells = np.argwhere(flow.grid.idomain > 0)
    return cell_mass(flow, run.plume.concentration.values, cells, retardation).sum(axis=1)


def test_mass_pumped_out_equals_leaked_minus_stored(column):
    """Trapezoid integral of Q·c at the well = leaked - stored: at the end to 1e-3 of the 10 g
    leaked, and at every output time to 1e-2 (measured 7.5e-3 at 33 d, while the peak passes
    the well: MT3D books the sink with the concentrations of its own ~0.5 d Courant steps, so the
    integral over the 0.3 d outputs runs up to half a step of the peak rate behind; it catches up
    once the plume has passed, measured 2.8e-4 at 60 d). By 60 d > 95 % has been pumped out."""
    run = _run(column, [Receptor("well", "source_well", "well")])
    pumped = run.mass["well"]
    balance = run.leaked - _stored(column, run)
    assert np.abs(pumped - balance).max() < 1e-2 * run.leaked[-1]
    assert abs(pumped[-1] - balance[-1]) < 1e-3 * run.leaked[-1]
    assert pumped[-1] > 0.95 * run.leaked[-1]
    summary = receptor_summary(run)
    assert summary["well"]["mass"] == pytest.approx(pumped[-1])


def test_boundary_crossing_is_what_is_outside_the_site_or_pumped_out(column):
    """Mass crossing the leak cell's boundary = mass stored outside it + mass pumped out (no decay),
    to 1e-2 of the mass leaked (the pumped-out integral's lag, see above); it never decreases by
    more than round-off."""
    run = _run(column, [Receptor("well", "source_well", "well")])
    crossing = run.mass["plant boundary"]
    conc = run.plume.concentration.values
    outside = np.argwhere(column.grid.idomain > 0)
    outside = outside[outside[:, 2] != 10]
    held_outside = cell_mass(column, conc, outside, 1.0).sum(axis=1)
    assert np.abs(crossing - (held_outside + run.mass["well"])).max() < 1e-2 * run.leaked[-1]
    assert np.diff(crossing).min() > -1e-4 * run.leaked[-1]


def test_dual_domain_balance_closes_with_the_reconstructed_matrix(column):
    """With a matrix domain (θ_im 0.1, ζ 0.05 1/d) the balance over the whole column - leaked -
    stored in fractures and matrix - pumped out - is zero to 1 % of the mass leaked: the matrix
    concentrations integrated from the mobile ones hold what MT3D stored there (the well
    integral's lag, see above, is part of it)."""
    dual = DualDomain(0.1, 0.05)
    run = _run(column, [Receptor("well", "source_well", "well")], dual_domain=dual)
    everywhere = np.ones(column.shape[1:], bool)
    residual = boundary_crossing(
        column,
        run.times,
        run.plume.concentration.values,
        everywhere,
        run.leaked,
        retardation=1.0,
        decay=0.0,
        immobile=(dual.immobile_porosity, dual.transfer_rate),
    )
    assert np.abs(residual).max() < 1e-2 * run.leaked[-1]
    # the matrix holds mass back: less is pumped out than without it
    single = _run(column, [Receptor("well", "source_well", "well")])
    assert run.mass["well"][-1] < 0.9 * single.mass["well"][-1]


def test_a_receptor_the_plume_never_reaches_reads_not_reached(column):
    """A monitoring well 8 m upstream of the leak with α_L 0.1 m (Peclet 80 against the flow):
    MT3D leaves round-off there (1e-19-like values); the summary reads 0 (below the floor) and
    prints "未到达 / not reached"."""
    run = _run(
        column,
        [Receptor("upstream", "monitoring_well", (2.5, 0.5))],
        dispersivity=(0.1, 0.01, 0.01),
        domain="all",  # every cell solved: outside the plume's reach a cell reads exactly 0
    )
    assert 0 < run.series["upstream"].max() < 1e-4 * run.limit
    s = receptor_summary(run)["upstream"]
    assert s["ratio"] == 0.0 and s["peak"] == 0.0 and s["peak_time"] is None
    assert s["exceeds_at"] is None
    assert shown(s["ratio"]) == NOT_REACHED == "未到达 / not reached"
    assert shown(0.25, "d") == "0.25 d"


def test_integration_times_keep_the_outputs_and_add_equal_steps():
    """The outputs asked for stay; 200 equal steps to the end are added."""
    t = integration_times([10.0, 100.0, 7300.0])
    assert {10.0, 100.0, 7300.0} <= set(t)
    assert np.diff(t).max() <= 7300.0 / 200 + 1e-9


def test_superposed_cases_match_their_own_runs(column):
    """One 1 g/d unit-response run gives the abnormal (10 d) and a normal (continuous, from 5 d)
    case: against a separate MT3D run per case, concentrations at the well within 3 % of each
    case's peak (measured 1.8 % abnormal, 1.0 % normal) and masses within 2 % of the mass leaked
    (measured 0.85 %, 0.33 %). The equation is linear, but MT3D's TVD flux limiter is not, so the
    difference of two unit responses and the direct pulse are two discretizations of the same
    exact solution; they differ by about the scheme's own error (Ogata-Banks: 1.1 %); the masses
    are superposed from the unit response's own mass integral."""
    from gwsim.risk.leak_transport import leak_plume
    from gwsim.risk.superposition import UnitResponse, unit_times

    well = [Receptor("well", "source_well", "well")]
    cases = [LEAK.cases[0], LeakCase("normal", start=5.0)]
    saved = integration_times(TIMES)
    cells = np.array([[0, 0, 10]])
    unit = leak_plume(
        column,
        cells,
        1.0,
        LeakCase("unit"),
        unit_times(saved, cases),
        LEAK.contaminants[0],
        engine="mt3d",
        dispersivity=(1.0, 0.1, 0.1),
    )
    probes = [receptor_probe(column, well[0], "well")]
    for case in cases:
        leak = partial(run_leak, column, LEAK, LEAK.contaminants[0], case, probes, TIMES,
                       engine="mt3d", dispersivity=(1.0, 0.1, 0.1))  # fmt: skip
        direct = leak()
        superposed = leak(unit=UnitResponse(unit))
        a, b = direct.series["well"], superposed.series["well"]
        dm = np.abs(direct.mass["well"] - superposed.mass["well"]).max()
        assert np.abs(a - b).max() < 3e-2 * a.max()
        assert dm < 2e-2 * direct.leaked[-1]


def test_superposed_mass_of_a_short_leak_over_a_long_life_closes_the_balance(column):
    """The 10-day leak over a 2000-day life (outputs every 10 d, about the pulse's width at the
    well): by the end the mass pumped out must equal the mass leaked less the mass still stored
    (MT3D-USGS's own conservation, a hand balance). Superposed from the unit response's mass
    integral: within 1e-4 of the 10 g leaked (measured 7e-7). The former way, the trapezoid of
    the superposed concentrations on the output times, was 1.3 % high here (two integrals on
    grids shifted by the leak's duration, whose errors do not cancel; on Chajia's 100-day
    leak 6.8 %), and a direct run's own trapezoid 1.1 %."""
    from gwsim.risk.leak_transport import leak_plume
    from gwsim.risk.superposition import UnitResponse, unit_times

    times = np.geomspace(3.0, 2000.0, 12)
    case = LEAK.cases[0]
    unit = leak_plume(
        column,
        np.array([[0, 0, 10]]),
        1.0,
        LeakCase("unit"),
        unit_times(integration_times(times), [case]),
        LEAK.contaminants[0],
        engine="mt3d",
        dispersivity=(1.0, 0.1, 0.1),
    )
    probes = [receptor_probe(column, Receptor("well", "source_well", "well"), "well")]
    run = run_leak(column, LEAK, LEAK.contaminants[0], case, probes, times, engine="mt3d",
                   dispersivity=(1.0, 0.1, 0.1), unit=UnitResponse(unit))  # fmt: skip
    balance = run.leaked[-1] - _stored(column, run)[-1]
    assert run.mass["well"][-1] == pytest.approx(balance, abs=1e-4 * run.leaked[-1])


def test_courant_reaches_the_transport_run(column, monkeypatch):
    """run_leak's courant goes to gwsim.transport (the risk scenarios' transport.courant)."""
    import gwsim.risk.leak_transport as leak_transport

    seen = []
    transport = leak_transport.transport
    monkeypatch.setattr(
        leak_transport,
        "transport",
        lambda *args, **kwargs: seen.append(kwargs["courant"]) or transport(*args, **kwargs),
    )
    slow, fast = _run(column), _run(column, courant=1.0)
    assert seen == [0.5, 1.0]
    # TVD at Courant 1 against 0.5 on the 1 m column: the same plume to a few % of its peak
    a, b = slow.plume.concentration.values, fast.plume.concentration.values
    assert np.nanmax(np.abs(a - b)) < 0.05 * np.nanmax(a)


def test_unit_response_integrates_each_sink_once(monkeypatch):
    """Cases superposed from one unit response share its sink-mass integral: two cases at one
    well integrate it once, and each case's mass is rate · [M(t - start) - M(t - stop)] of
    that integral (the cumulative trapezoid of a hand-made unit response, exact to 1e-12)."""
    from types import SimpleNamespace

    import gwsim.risk.superposition as superposition

    saved = np.arange(1.0, 11.0)
    unit_c = np.zeros((saved.size, 1, 1, 2))
    unit_c[:, 0, 0, 1] = saved**2  # mg/L per g/d at the well cell
    unit = superposition.UnitResponse(
        SimpleNamespace(times=saved, concentration=SimpleNamespace(values=unit_c))
    )
    calls = []
    integrate = superposition.sink_mass
    monkeypatch.setattr(superposition, "sink_mass", lambda *a: calls.append(1) or integrate(*a))
    well, rates = np.array([[0, 0, 1]]), np.array([2.0])
    pulse, continuous = LeakCase("abnormal", start=2.0, duration=3.0), LeakCase("normal")
    times = np.array([4.0, 8.0, 10.0])
    a = superposition.case_sink_mass(unit, 5.0, pulse, times, well, rates)
    b = superposition.case_sink_mass(unit, 0.5, continuous, times, well, rates)
    assert len(calls) == 1
    t, r = np.arange(11.0), 2.0 * np.arange(11.0) ** 2  # g/d pumped out: 2 m3/d x t^2 mg/L
    at = dict(zip(t, np.concatenate([[0.0], np.cumsum(0.5 * (r[1:] + r[:-1]))]), strict=True))
    assert a == pytest.approx([5.0 * (at[2.0] - 0.0), 5.0 * (at[6.0] - at[3.0]), 5.0 * (at[8.0] - at[5.0])], rel=1e-12)  # fmt: skip
    assert b == pytest.approx([0.5 * at[t] for t in times], rel=1e-12)
