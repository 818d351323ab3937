"""A point source in uniform flow at 45° to the grid, in four directions, with engine="auto" and
engine="mt3d", on flow fields from plain flopy MODFLOW 6 models.

Reference: the analytic continuous point source in uniform 2-D flow
(:func:`gwsim.analytic.transport.point_source_2d`, Wexler 1992), in coordinates along and across
the flow. One confined layer 1 m thick, 61 × 61 cells of 2 m, uniform flow of seepage velocity
1 m/d toward NE, NW, SW or SE set by fixed heads on the edges, a source of 10 g/d 14 m upstream
of the centre, α_L = 10 m, α_T = 1 m, no diffusion, 30 days (as in shared/tools/README.md, on a
smaller grid for a short run).

Each plume must lie within 20 % of the analytic solution (median relative error over the cells
where c > 5 % of the peak, the source cell left out: the analytic value there is singular) and
the four must agree when mirrored onto one direction within 5 % of the peak. Measured with
MT3D-USGS: medians 9.6 % (NE), 8.6 % (NW), 9.6 % (SW), 10.3 % (SE), mirrored plumes within 1.7 %
of the peak (grid error: with α_L = 5 m, grid Peclet 0.4, the medians are 14-17 %). MODFLOW 6 6.4.1 (the
wheel's) gets the dispersion tensor of the mirrored flow where qy < 0 (modflow6 issue #2826), so
``engine="mf6"`` forced on it must warn on the south-going plumes and not on the north-going ones.
"""

import warnings

import flopy
import numpy as np
import pytest
from builders import run_plain_gwf

from gwsim import FlowField
from gwsim.analytic.transport import point_source_2d
from gwsim.engines import transport_choice
from gwsim.engines.mf6_probe import DispersionProbe
from gwsim.engines.transport_choice import mf6_verdict
from gwsim.errors import Mf6DispersionWarning
from gwsim.solute import Source, transport

pytestmark = [pytest.mark.needs_mf6, pytest.mark.needs_mt3d]

NCELL, CELL = 61, 2.0  # cells per side, m
Q, N, K = 0.25, 0.25, 10.0  # Darcy flux m/d, porosity, m/d: seepage velocity 1 m/d
ALPHA_L, ALPHA_T = 10.0, 1.0  # m
RATE, DAYS = 10.0, 30.0  # g/d, d
UPSTREAM = 5  # cells per axis between the source and the centre
MEDIAN_TOL = 0.20  # median relative error against the analytic solution
MIRROR_TOL = 0.05  # of the peak, mirrored plumes
DIRECTIONS = {"NE": (1, 1), "NW": (-1, 1), "SW": (-1, -1), "SE": (1, -1)}  # (sign x, sign y)


def oblique_flow(ws, sx: int, sy: int) -> FlowField:
    """Uniform flow toward (sx, sy)/√2 on a 1-layer grid with fixed heads on every edge cell."""
    sim = flopy.mf6.MFSimulation(sim_ws=str(ws))
    flopy.mf6.ModflowTdis(sim, nper=1, perioddata=[(1.0, 1, 1.0)])
    flopy.mf6.ModflowIms(sim, complexity="simple", outer_dvclose=1e-10, inner_dvclose=1e-11)
    gwf = flopy.mf6.ModflowGwf(sim, modelname="flow", save_flows=True)
    flopy.mf6.ModflowGwfdis(
        gwf, nlay=1, nrow=NCELL, ncol=NCELL, delr=CELL, delc=CELL, top=1.0, botm=0.0
    )
    flopy.mf6.ModflowGwfnpf(
        gwf, k=K, save_flows=True, save_saturation=True, save_specific_discharge=True
    )
    flopy.mf6.ModflowGwfic(gwf, strt=10.0)
    x = (np.arange(NCELL) + 0.5) * CELL
    y = x[::-1]  # row 0 is the northern row
    gradient = Q / K
    edge = [
        ((0, i, j), 10.0 - gradient * (sx * x[j] + sy * y[i]) / np.sqrt(2.0))
        for i in range(NCELL)
        for j in range(NCELL)
        if i in (0, NCELL - 1) or j in (0, NCELL - 1)
    ]
    flopy.mf6.ModflowGwfchd(gwf, stress_period_data=edge)
    return run_plain_gwf(sim, gwf, ws, porosity=N)


def source_cell(sx: int, sy: int) -> tuple[int, int]:
    """(row, col) of the source, UPSTREAM cells back from the centre along each axis."""
    centre = NCELL // 2
    return centre + sy * UPSTREAM, centre - sx * UPSTREAM


@pytest.fixture(scope="module")
def flows(tmp_path_factory):
    return {
        name: oblique_flow(tmp_path_factory.mktemp(name), *signs)
        for name, signs in DIRECTIONS.items()
    }


def run(flow: FlowField, sx: int, sy: int, engine: str):
    row, col = source_cell(sx, sy)
    x, y = flow.grid.xcenters[row, col], flow.grid.ycenters[row, col]
    plume = transport(
        flow,
        [Source(x, y, mass_rate=RATE)],
        [DAYS],
        porosity=N,
        dispersivity=(ALPHA_L, ALPHA_T, ALPHA_T),
        engine=engine,
    )
    return plume, plume.concentration.values[-1, 0]


def analytic(flow: FlowField, sx: int, sy: int) -> np.ndarray:
    row, col = source_cell(sx, sy)
    dx = flow.grid.xcenters - flow.grid.xcenters[row, col]
    dy = flow.grid.ycenters - flow.grid.ycenters[row, col]
    along = (sx * dx + sy * dy) / np.sqrt(2.0)
    across = (-sy * dx + sx * dy) / np.sqrt(2.0)
    v = Q / N
    return point_source_2d(along, across, DAYS, v, ALPHA_L * v, ALPHA_T * v, RATE, 1.0, N)


def mirrored(c: np.ndarray, sx: int, sy: int) -> np.ndarray:
    """``c`` mirrored onto the NE plume (columns flipped for westward, rows for southward flow)."""
    return c[::sy, ::sx]


def median_error(flow, c: np.ndarray, sx: int, sy: int) -> float:
    exact = analytic(flow, sx, sy)
    compared = c > 0.05 * np.nanmax(c)
    compared[source_cell(sx, sy)] = False
    assert compared.sum() > 50
    return float(np.median(np.abs(c[compared] / exact[compared] - 1)))


@pytest.mark.parametrize("engine", ["auto", "mt3d"])
def test_four_directions_match_the_analytic_solution_and_each_other(flows, engine):
    plumes = {}
    for name, (sx, sy) in DIRECTIONS.items():
        plume, c = run(flows[name], sx, sy, engine)
        if engine == "auto":
            verdict = mf6_verdict()
            expected = "mf6" if verdict is not None and verdict.mirrors else "mt3d"
            assert plume.attrs["transport_engine"] == expected
            assert plume.attrs["transport_engine_reason"].startswith("auto: ")
        assert median_error(flows[name], c, sx, sy) < MEDIAN_TOL, name
        plumes[name] = mirrored(c, sx, sy)
    peak = np.nanmax(plumes["NE"])
    for name in ("NW", "SW", "SE"):
        assert np.nanmax(np.abs(plumes[name] - plumes["NE"])) < MIRROR_TOL * peak, name


def test_forced_mf6_that_fails_the_probe_warns_where_qy_is_negative(flows):
    verdict = mf6_verdict()
    if verdict is None or verdict.mirrors:
        pytest.skip("the installed mf6 turns its dispersion tensor right (or was not probed)")
    with pytest.warns(Mf6DispersionWarning, match="#2826"):
        run(flows["SE"], *DIRECTIONS["SE"], "mf6")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Mf6DispersionWarning)
        run(flows["NE"], *DIRECTIONS["NE"], "mf6")


@pytest.mark.parametrize(
    ("verdict", "engine"),
    [
        (DispersionProbe(True, 1e-11, 1e-3), "mf6"),
        (DispersionProbe(False, 0.3, 1e-3), "mt3d"),
        (None, "mt3d"),
    ],
)
def test_auto_follows_the_probe_verdict(monkeypatch, verdict, engine):
    """auto: MODFLOW 6 only for an mf6 that passed the probe; the reason says why."""
    monkeypatch.setattr(transport_choice, "mf6_verdict", lambda: verdict)
    choice = transport_choice.choose_transport_engine("auto")
    assert choice.engine == engine
    assert choice.reason.startswith(f"auto: {transport_choice.ENGINE_NAMES[engine]}")
    assert transport_choice.choose_transport_engine("mt3d").engine == "mt3d"
