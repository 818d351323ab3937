"""MODFLOW 6 engine against the Thiem and Theis solutions, and its failure handling."""

import numpy as np
import pytest

from gwsim.analytic.wells import theis_drawdown, thiem_drawdown
from gwsim.engines import run_flow
from gwsim.errors import DryWellWarning, EngineError, MassBalanceWarning
from gwsim.spec import Barrier, Boundary, Grid, ModelSpec, Properties, StressPeriod

pytestmark = pytest.mark.needs_mf6

K, B, Q = 20.0, 10.0, 1000.0  # m/d, m, m3/d
T = K * B


def test_thiem_steady_drawdown_within_one_percent(tmp_path):
    """Steady well inside a fixed-head ring (121 x 121 cells of 10 m, R = 550 m).

    The ring cells hold Thiem's head at their own centre distance, so the only error left is the
    finite-difference one, which is below 1 % from two cells out (r >= 20 m) and far smaller
    further out; 1 % is the issue's tolerance.
    """
    n, d, radius, h0 = 121, 10.0, 550.0, 50.0
    centres = (np.arange(n) + 0.5) * d
    xx, yy = np.meshgrid(centres, centres[::-1])
    r = np.hypot(xx - n * d / 2, yy - n * d / 2)
    ring = r >= radius
    spec = ModelSpec(
        "thiem",
        Grid(1, n, n, d, d, h0, [h0 - B]),
        Properties(k=K, icelltype=0),
        [
            Boundary(
                "chd",
                "ring",
                [(0, i, j) for i, j in zip(*np.nonzero(ring), strict=True)],
                {"head": h0 - thiem_drawdown(r[ring], Q, T, radius)},
            ),
            Boundary("wel", "well", [(0, n // 2, n // 2)], {"rate": -Q}),
        ],
    )
    flow = run_flow(spec, tmp_path)
    for cells_out in (2, 5, 10, 20, 40):
        j = n // 2 + cells_out
        dist = cells_out * d
        drawdown = h0 - flow.head[0, 0, n // 2, j]
        assert drawdown == pytest.approx(thiem_drawdown(dist, Q, T, radius), rel=0.01), cells_out
    assert flow.budget()["well"] == pytest.approx((0.0, Q))


def test_theis_transient_drawdown_within_two_percent(tmp_path):
    """Transient confined pumping on a telescoping grid (10 m core cells growing to ~6 km).

    Compared 2-8 cells (20-80 m) from the well, from the 9th time step on (backward-Euler time
    error decays as steps lengthen) and only while the radius of influence 1.5*sqrt(T t / S)
    stays inside 80 % of the distance to the no-flow edge, since Theis assumes an infinite
    aquifer. There the scheme is within 1 %; 2 % is the issue's tolerance.
    """
    storativity = 1e-4
    widths = [10.0 * 1.25**i for i in range(1, 25)]
    widths = widths[: int(np.searchsorted(np.cumsum(widths), 6000.0)) + 1]
    delr = np.array(widths[::-1] + [10.0] * 11 + widths)
    n = len(delr)
    spec = ModelSpec(
        "theis",
        Grid(1, n, n, delr, delr, B, [0.0]),
        Properties(k=K, ss=storativity / B, icelltype=0),
        [Boundary("wel", "well", [(0, n // 2, n // 2)], {"rate": -Q})],
        periods=[StressPeriod(10.0, 40, 1.2, steady=False)],
        initial_head=0.0,
    )
    flow = run_flow(spec, tmp_path)
    edges = np.concatenate([[0.0], np.cumsum(delr)])
    centres = 0.5 * (edges[1:] + edges[:-1])
    edge_distance = edges[-1] - centres[n // 2]
    checked = 0
    for step in range(8, flow.ntimes):
        t = flow.times[step]
        if 1.5 * np.sqrt(T * t / storativity) > 0.8 * edge_distance:
            break
        for cells_out in (2, 3, 5, 8):
            j = n // 2 + cells_out
            r = centres[j] - centres[n // 2]
            expected = theis_drawdown(r, t, Q, T, storativity)
            assert -flow.head[step, 0, n // 2, j] == pytest.approx(expected, rel=0.02), (step, r)
            checked += 1
    assert checked >= 40


def test_failed_run_raises_with_listing_tail(tmp_path):
    """One outer iteration cannot meet the head-change closure: MODFLOW 6 stops with an error."""
    spec = ModelSpec(
        "noconv",
        Grid(1, 5, 5, 10.0, 10.0, 10.0, [0.0]),
        Properties(k=1.0, icelltype=0),
        [
            Boundary("wel", "w", [(0, 2, 2)], {"rate": -10.0}),
            Boundary("chd", "edge", [(0, 0, 0)], {"head": 5.0}),
        ],
    )
    spec.solver.outer_maximum = 1
    spec.solver.inner_maximum = 1
    with pytest.raises(EngineError) as err:
        run_flow(spec, tmp_path)
    assert "noconv" in str(err.value)
    assert "FAILED TO MEET SOLVER CONVERGENCE" in err.value.listing_tail


def test_well_in_a_dried_cell_warns(tmp_path):
    """Without Newton, an over-pumped convertible cell dries and its well stops: say so."""
    spec = ModelSpec(
        "drydown",
        Grid(1, 5, 5, 10.0, 10.0, 10.0, [0.0]),
        Properties(k=1e-3, icelltype=1),
        [
            Boundary("wel", "hog", [(0, 2, 2)], {"rate": -1e4}),
            Boundary("chd", "edge", [(0, 0, 0)], {"head": 5.0}),
        ],
    )
    with pytest.warns(DryWellWarning, match="hog"):
        run_flow(spec, tmp_path)


def test_budget_discrepancy_over_half_a_percent_warns(tmp_path, steady_layered_spec):
    """A solver stopped far from convergence leaves a volume-budget error, read from the listing."""
    solver = steady_layered_spec.solver
    solver.dvclose, solver.rclose, solver.inner_maximum, solver.outer_maximum = 5.0, 1e4, 2, 2
    with pytest.warns(MassBalanceWarning, match="discrepancy"):
        flow = run_flow(steady_layered_spec, tmp_path)
    assert flow.percent_discrepancy > 0.5


def test_cut_off_wall_shuts_the_enclosed_block_off(tmp_path):
    """A 0.6 m wall of K = 1e-4 m/d around a block in 10 m/d sand cuts the flow through the
    block by over two orders of magnitude (each wall face conducts 0.033 m²/d against 100 m²/d
    between open cells; about 0.2 % of the flow still seeps through), and the water goes round
    it: the total flow across the model is nearly unchanged."""
    n_row, n_col = 21, 41

    def spec(barriers):
        return ModelSpec(
            "wall",
            Grid(1, n_row, n_col, 20.0, 20.0, 10.0, [0.0]),
            Properties(k=10.0, icelltype=0),
            [
                Boundary("chd", "west", [(0, r, 0) for r in range(n_row)], {"head": 10.0}),
                Boundary("chd", "east", [(0, r, n_col - 1) for r in range(n_row)], {"head": 9.0}),
            ],
            barriers=barriers,
        )

    rows, cols = (8, 12), (18, 22)
    wall = Barrier.around("wall", rows, cols, [0], (1, n_row, n_col))
    assert len(wall.faces) == 2 * 5 + 2 * 5
    open_flow = run_flow(spec([]), tmp_path / "open")
    walled = run_flow(spec([wall]), tmp_path / "walled")
    inside = walled.flow_right_face[0, 0, rows[0] : rows[1] + 1, cols[0] - 1]
    before = open_flow.flow_right_face[0, 0, rows[0] : rows[1] + 1, cols[0] - 1]
    assert np.abs(inside).sum() < 1e-2 * np.abs(before).sum()
    assert walled.budget()["east"][1] == pytest.approx(open_flow.budget()["east"][1], rel=0.1)


def test_newton_well_in_a_drying_cell_is_reduced_and_reported(tmp_path):
    """With Newton, MF6 reduces a well's rate as its cell dries (AUTO_FLOW_REDUCE); gwsim warns."""
    spec = ModelSpec(
        "newtondry",
        Grid(1, 5, 5, 10.0, 10.0, 10.0, [0.0]),
        Properties(k=1e-2, icelltype=1),
        [
            Boundary("wel", "hog", [(0, 2, 2)], {"rate": -50.0}),
            Boundary("chd", "edge", [(0, 0, 0)], {"head": 5.0}),
        ],
    )
    spec.solver.newton = True
    with pytest.warns(DryWellWarning, match="hog"):
        flow = run_flow(spec, tmp_path)
    assert 0.0 < flow.budget()["hog"][1] < 50.0
