"""Capture zones against the analytic zone of a well in uniform flow, and bad input."""

import copy
import itertools
import json
import warnings

import numpy as np
import pytest
import shapely
from builders import DARCY, A, B, N, Q, uniform_flow_spec
from scipy.optimize import brentq

from gwsim.capture import (
    CaptureZoneError,
    IncompleteZoneWarning,
    TruncatedZoneWarning,
    capture_zone,
)
from gwsim.engines import run_flow
from gwsim.spec import StressPeriod

pytestmark = pytest.mark.needs_mf6


@pytest.fixture(scope="module")
def single_well(tmp_path_factory):
    flow = run_flow(uniform_flow_spec({"well": (0, Q)}), tmp_path_factory.mktemp("cz"))
    with pytest.warns(TruncatedZoneWarning, match="west edge"):
        zone = capture_zone(flow, ["well"], travel_times=(100, 1000, 5000, np.inf), progress=False)
    return flow, zone


def test_steady_zone_matches_javandel_tsang(single_well):
    """Stagnation point Q/(2πbq), half-width Q/(4bq) at the well and the dividing streamline
    y = Q/(2bq)(1 − θ/π) upstream (Javandel & Tsang 1986), within 5 % or one 10 m cell: the
    zone is resolved on 5 m sub-cells and the finite-difference well is a 10 m cell.
    """
    _, zone = single_well
    well = zone.wells[0]
    steady = zone.polygons[np.inf]
    assert steady.bounds[2] - well.x == pytest.approx(A, abs=max(0.05 * A, 10.0))
    for upstream in (0.0, 100.0, 300.0):
        section = shapely.LineString(
            [(well.x - upstream, well.y - 900), (well.x - upstream, well.y + 900)]
        )
        half_width = steady.intersection(section).length / 2
        exact = brentq(
            lambda y, u=upstream: y - Q / (2 * B * DARCY) * (1 - np.arctan2(y, u) / np.pi),
            1e-9,
            Q / (2 * B * DARCY),
        )
        assert half_width == pytest.approx(exact, abs=max(0.05 * exact, 10.0)), upstream
    assert zone.truncated[np.inf] == ["west"] and zone.truncated[1000.0] == []


@pytest.mark.parametrize("days", [100.0, 1000.0, 5000.0])
def test_isochrones_along_the_axis_match_bear_and_jacobs(single_well, days):
    """Upstream reach of the T-day zone: t(r) = (n/q)(r − a ln(1 + r/a)) (Bear & Jacobs 1965),
    within 5 % or one local cell (10 m near the well, ~17 m at 570 m)."""
    flow, zone = single_well
    exact = brentq(lambda r: N / DARCY * (r - A * np.log1p(r / A)) - days, 1e-6, 1e6)
    reach = zone.wells[0].x - zone.polygons[days].bounds[0]
    _, _, col = flow.grid.locate(zone.wells[0].x - exact, zone.wells[0].y)
    assert reach == pytest.approx(exact, abs=max(0.05 * exact, flow.grid.delr[col[0]]))


def test_zones_nest_and_all_pumped_water_is_accounted_for(single_well):
    _, zone = single_well
    times = zone.travel_times
    for inner, outer in itertools.pairwise(times):
        assert zone.polygons[outer].buffer(1e-6).contains(zone.polygons[inner])
    # all water here enters through the western fixed heads
    assert set(zone.recharge_sources) == {"boundary"}
    assert zone.recharge_sources["boundary"][1] == pytest.approx(1.0, abs=0.02)


def test_geojson_has_crs_and_truncation_flags(single_well, tmp_path):
    _, zone = single_well
    path = zone.to_geojson(tmp_path / "cz.geojson")
    data = json.loads(path.read_text())
    assert data["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::4548"
    zones = [f for f in data["features"] if f["properties"]["kind"] == "capture_zone"]
    assert [f["properties"]["travel_time_d"] for f in zones] == [100.0, 1000.0, 5000.0, None]
    assert [f["properties"]["truncated"] for f in zones] == [False, False, False, True]
    assert data["gwsim"]["gwsim_version"]


def test_competing_wells_split_the_zone(tmp_path):
    flow = run_flow(uniform_flow_spec({"up": (-20, Q), "down": (20, Q)}), tmp_path)
    with pytest.warns(TruncatedZoneWarning, match="west"):
        zone = capture_zone(flow, ["up", "down"], travel_times=(1000, np.inf), progress=False)
    up, down = (zone.per_well[name][np.inf] for name in ("up", "down"))
    assert up.area > 0 and down.area > 0
    assert up.intersection(down).area < 1e-6 * zone.polygons[np.inf].area
    assert (up.area + down.area) == pytest.approx(zone.polygons[np.inf].area, rel=0.02)
    # the upgradient well takes the water from further west
    assert up.centroid.x < down.centroid.x


def test_bad_wells_and_times_are_explained(single_well):
    flow, _ = single_well
    with pytest.raises(CaptureZoneError, match="outside the grid"):
        capture_zone(flow, [(0.0, 0.0)], progress=False)
    with pytest.raises(CaptureZoneError, match="pumps nothing"):
        capture_zone(flow, [(500005.0, 3000005.0)], progress=False)
    with pytest.raises(CaptureZoneError, match="no well package named 'nope'"):
        capture_zone(flow, ["nope"], progress=False)
    with pytest.raises(CaptureZoneError, match="must be > 0"):
        capture_zone(flow, ["well"], travel_times=(0, 100), progress=False)


def test_transient_flow_that_ends_too_soon_is_flagged(tmp_path, transient_layered_spec):
    """91 days of transient flow cannot show which water reaches the well in 1000 days."""
    flow = run_flow(transient_layered_spec, tmp_path)
    with pytest.warns(IncompleteZoneWarning, match="still moving when the transient"):
        capture_zone(flow, ["W1"], travel_times=(1000,), progress=False)


def test_a_repeated_cycle_of_constant_flow_gives_the_steady_zone(tmp_path, steady_layered_spec):
    """A transient run of constant stresses (a steady start, then two years) ends before much of
    the water arrives; repeating its last year (cycle_days) must converge, without an
    IncompleteZoneWarning, to the zones of the steady run: the reference. Tolerance: the two
    zones differ by less than 5 % of the steady zone's area (sub-cell rounding of paths that
    restart on a cycle boundary)."""
    steady = run_flow(steady_layered_spec, tmp_path / "steady")
    ref = capture_zone(steady, ["W1"], travel_times=(1000, np.inf), progress=False)
    periodic_spec = copy.deepcopy(steady_layered_spec)
    periodic_spec.periods = [StressPeriod(1.0, 1, 1.0, True)] + [
        StressPeriod(365.0, 3, 1.0, False) for _ in range(2)
    ]
    periodic = run_flow(periodic_spec, tmp_path / "periodic")
    with warnings.catch_warnings():
        warnings.simplefilter("error", IncompleteZoneWarning)
        zone = capture_zone(
            periodic, ["W1"], travel_times=(1000, np.inf), cycle_days=365.0, progress=False
        )
    assert zone.cycles >= 1
    for t in (1000.0, np.inf):
        diff = zone.polygons[t].symmetric_difference(ref.polygons[t]).area
        assert diff < 0.05 * ref.polygons[t].area, t
    with pytest.raises(CaptureZoneError, match="no saved step"):
        capture_zone(periodic, ["W1"], travel_times=(1000,), cycle_days=400.0, progress=False)
