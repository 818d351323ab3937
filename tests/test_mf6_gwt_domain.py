"""MODFLOW 6 GWT on the transport domain only (gwsim.engines.mf6_fmi) and steps graded along the
sources' paths (gwsim.solute.schedule.path_step_limit).

References: the flow model's own face flows and water balance (the budget file written for the
domain must carry the same flows), MODFLOW 6 on every cell on transient flow, path integrals done
by hand, and the Ogata–Banks solution (gwsim.analytic.transport) in a column with a fast cell.
The cuts on steady flow (far ahead of the plume, and through it with the mass booked at the
edge) are tests/test_transport_domain.py's, for both engines.
"""

import itertools

import numpy as np
import pytest
from builders import uniform_flow_spec, uniform_spec

from gwsim.analytic.transport import ogata_banks
from gwsim.engines import run_flow
from gwsim.engines.mf6_binary import read_budget
from gwsim.engines.mf6_fmi import EDGE_PACKAGE, write_domain_budget
from gwsim.solute import Source, transport
from gwsim.solute.domain import source_paths
from gwsim.solute.schedule import graded_schedule, path_step_limit, step_schedule
from gwsim.tracking.result import Pathlines

pytestmark = [pytest.mark.needs_mf6]


@pytest.fixture(scope="module")
def well_flow(tmp_path_factory):
    """Uniform flow with a 500 m³/d pumping well at row 52, column 57 (10 m cells there)."""
    return run_flow(uniform_flow_spec({"well": (5, 500.0)}), tmp_path_factory.mktemp("well"))


def test_domain_budget_carries_the_flow_models_flows(well_flow, tmp_path):
    """A 30 × 30 block around the well (rows 40-69, columns 30-59): the budget written for it
    holds FLOW-JA-FACE over the block's own connections (900 cells + 2 × 1,740 faces), the
    well's entry and no fixed-head entry (those columns lie outside), one edge entry per
    boundary face equal to the flow model's face flow into the block, and every block cell's
    water balance closes as the flow model's own (to 1e-9 of the largest face flow)."""
    domain = np.zeros(well_flow.shape, bool)
    domain[0, 40:70, 30:60] = True
    out = tmp_path / "domain.cbc"
    write_domain_budget(well_flow.files["budget"], well_flow.files["grb"], domain, out)
    records = {r.package or r.text: r for r in read_budget(out)}
    flowja = records["FLOW-JA-FACE"].array
    assert flowja.size == 900 + 2 * 2 * 30 * 29
    assert records["WELL"].q.tolist() == pytest.approx([-500.0])
    assert records["WEST"].q.size == records["EAST"].q.size == 0

    _, nrow, ncol = well_flow.shape
    frf, fff = well_flow.flow_right_face[0, 0], well_flow.flow_front_face[0, 0]
    edge = records[EDGE_PACKAGE]
    assert edge.q.size == 4 * 30
    for node, outside, q in zip(edge.node, edge.node2, edge.q, strict=True):
        (i, j), (oi, oj) = divmod(int(node), ncol), divmod(int(outside), ncol)
        into = {
            (0, -1): frf[oi, oj],
            (0, 1): -frf[i, j],
            (-1, 0): fff[oi, oj],
            (1, 0): -fff[i, j],
        }[(oi - i, oj - j)]
        assert q == pytest.approx(into, abs=1e-9)

    scale = max(np.abs(frf).max(), np.abs(fff).max())
    reference = np.zeros((nrow, ncol))  # the flow model's net face inflow per cell
    reference[:, 1:] += frf[:, :-1]
    reference[:, :-1] -= frf[:, :-1]
    reference[1:, :] += fff[:-1, :]
    reference[:-1, :] -= fff[:-1, :]
    reference[52, 57] -= 500.0
    balance = np.zeros(nrow * ncol)
    cells = np.flatnonzero(domain.ravel())
    position = 0
    for n in cells:  # the GWT model's connections: the cell, then its neighbours by number
        i, j = divmod(int(n), ncol)
        neighbours = [(i - 1, j), (i, j - 1), (i, j + 1), (i + 1, j)]
        inside = [(a, b) for a, b in neighbours if 40 <= a < 70 and 30 <= b < 60]
        balance[n] += flowja[position + 1 : position + 1 + len(inside)].sum()
        position += 1 + len(inside)
    assert position == flowja.size
    for record in (records["WELL"], edge):
        np.add.at(balance, record.node, record.q)
    np.testing.assert_allclose(balance[cells], reference.ravel()[cells], rtol=0, atol=1e-9 * scale)


def one_path(points: list[tuple[float, float]]) -> Pathlines:
    """A particle along x through ``points`` (x m, t d)."""
    x, t = (np.array(v, float) for v in zip(*points, strict=True))
    zeros = np.zeros_like(x)
    return Pathlines(np.array([0, x.size]), x, zeros, zeros, t, zeros.astype(int))


def test_path_limit_is_the_time_average_along_the_path():
    """100 m at 1 m/d, then 10 m at 100 m/d (a well's cell), R = 2, α_L = 10 m, ε = 0.05:
    2·α_L·R/v is 40 d on the slow part, 0.4 d on the fast one, so the limit is
    ε·40 = 2 d while the front is on the slow part (retarded age ≤ 200 d) and
    ε·(40·200 + 0.4·0.2)/200.2 = 1.998 d once it has passed the well; the local rule,
    2·ε·R·α_L/max|v|, would give 0.02 d."""
    limit = path_step_limit(one_path([(0, 0), (100, 100), (110, 100.1)]), 10.0, 2.0, 0.05, 1e4)
    assert limit(np.array([1e-3, 50.0, 199.0])) == pytest.approx([2.0, 2.0, 2.0], rel=1e-9)
    late = 0.05 * (40 * 200 + 0.4 * 0.2) / 200.2
    assert limit(np.array([300.0, 5000.0])) == pytest.approx([late, late], rel=1e-9)


def test_graded_schedule_keeps_every_step_within_the_limits():
    """Limit 0.1 + 0.05·age d, a source switch at 30 d (a new front), Courant limit 2 d, output
    at 50 and 100 d: every step within both limits for every front, periods ending on the edges,
    saved steps at the outputs, and far fewer steps than 0.1 d throughout (1,000)."""

    def limit(age):
        return 0.1 + 0.05 * np.asarray(age)

    edges, times = np.array([0.0, 30.0, 50.0, 100.0]), np.array([50.0, 100.0])
    schedule = graded_schedule(edges, times, 2.0, limit, [0.0, 30.0], 0.5)
    ends = [0.0]
    for length, n in zip(schedule.perlen, schedule.nstp, strict=True):
        ends += [ends[-1] + length * (k + 1) / n for k in range(n)]
    ends = np.array(ends)
    for t0, t1 in itertools.pairwise(ends):
        fronts = [s for s in (0.0, 30.0) if s <= t0 + 1e-9]
        allowed = min(2.0, *(float(limit(t0 - s)) for s in fronts))
        assert t1 - t0 <= allowed * (1 + 1e-9)
    assert set(edges) <= {round(e, 9) for e in schedule.edges}
    saved = [schedule.edges[p + 1] for p, steps in enumerate(schedule.save_steps) if steps]
    assert saved == pytest.approx(times)
    assert schedule.nstp.sum() < 200


def test_column_with_a_fast_cell_matches_ogata_banks_on_graded_steps(tmp_path):
    """A 100 m column (0.5 m cells, v = 1 m/d) with one cell of porosity 0.05 at x = 20 m
    (5 m/d), c0 held at x = 0, α_L = 2 m, ε = 0.02: the local rule sizes every step for the
    fast cell (0.016 d), the graded rule for the path (Courant 0.05 d in the fast cell): 3 x
    fewer steps (800 against 2,500), and within 10 % of Ogata–Banks wherever c > 5 % of c0 at
    40 d (the reference at the travel-time distance: 0.4 m less beyond the fast cell). Measured
    2.5 % (the local rule's 0.016 d steps: 0.6 %)."""
    flow = run_flow(uniform_spec(1, 201, 0.5), tmp_path / "flow")
    porosity = flow.porosity.copy()
    porosity[0, 0, 40] = 0.05
    source = Source(0.25, 0.25, concentration=1.0, fixed=True)
    kwargs = {"dispersivity": (2.0, 0.1, 0.1), "numerical_dispersion": 0.02}
    t = 40.0
    paths = source_paths(flow, [(0, 0, 0)], t, porosity)
    counts = [
        step_schedule(
            flow, [source], np.array([t]), porosity, 1, 2.0, 0.5, 0.02, None, p
        ).nstp.sum()
        for p in (None, paths)
    ]
    assert counts[1] * 3 <= counts[0]
    plume = transport(flow, [source], [t / 2, t], porosity=porosity, engine="mf6", **kwargs)
    x = flow.grid.xcenters[0] - 0.25
    x = np.where(x > 20.25, x - 0.5 * (1 - 1 / 5), x)  # travel-time distance
    exact = ogata_banks(x, t, 1.0, 2.0)
    simulated = plume.concentration.sel(time=t).values[0, 0]
    compared = (exact > 0.05) & (np.arange(x.size) != 40)
    assert compared.sum() > 20
    assert np.max(np.abs(simulated[compared] / exact[compared] - 1)) < 0.10


@pytest.mark.filterwarnings("ignore::gwsim.errors.Mf6DispersionWarning")
@pytest.mark.filterwarnings("ignore:the flow model's time steps give Courant")
def test_domain_run_on_transient_flow_matches_the_whole_grid(transient_layered_spec, tmp_path):
    """Transient flow (3 layers, storage, river, wells, recharge, ET, drain, GHB and fixed heads;
    11 flow steps): the budget written for a box of rows 0-14 and columns 0-17 (99 edge faces
    carrying up to 35 m³/d) is read step by step, and the plume of a 100 g/d leak in layer 0 at
    row 4, column 3 over 91 d on that box matches every cell's to 1e-6 of the peak (measured
    8e-18: round-off; the plume stays well inside)."""
    flow = run_flow(transient_layered_spec, tmp_path / "flow")
    grid = flow.grid
    source = Source(grid.xcenters[4, 3], grid.ycenters[4, 3], 25.0, mass_rate=100.0)
    box = np.zeros(flow.shape, bool)
    box[:, :15, :18] = True
    box &= flow.grid.idomain > 0
    times = flow.times[[5, -1]]
    kwargs = {"dispersivity": (10.0, 1.0, 0.1), "engine": "mf6"}
    whole = transport(flow, [source], times, domain="all", **kwargs).concentration.values
    cut = transport(flow, [source], times, domain=box, **kwargs).concentration.values
    peak = np.nanmax(whole)
    assert peak > 0
    np.testing.assert_allclose(cut, whole, rtol=0, atol=1e-6 * peak)
