"""The transport domain (gwsim.solute.domain): the cells a plume can reach, and what each engine
does with it.

Flow: gwsim's MODFLOW 6 run of one 1 m layer, 31 × 120 cells of 1 m, uniform flow along +x at
seepage velocity 1 m/d (tests/builders.py); a 5 g/d point source at x = 10.5 m, 20 days,
α = (4, 1, 1) m. References are the same engine on every active cell (``domain="all"``): a
domain cut where the plume has not arrived must not change the concentrations beyond round-off
(MT3D-USGS writes single precision: 1e-6 of the peak), and a cut through the plume must warn.
"""

import numpy as np
import pytest
from builders import uniform_spec

from gwsim.engines import mf6_fmi, mt3d, run_flow
from gwsim.engines.mf6_binary import read_heads
from gwsim.errors import SpecError
from gwsim.solute import Source, transport
from gwsim.solute.domain import TransportDomainWarning, reach_domain
from gwsim.solute.schedule import step_schedule

pytestmark = [pytest.mark.needs_mf6]

DISPERSIVITY = (4.0, 1.0, 1.0)
SOURCE = Source(10.5, 15.5, mass_rate=5.0)
TIMES = [10.0, 20.0]
SOURCE_CELL = (0, 15, 10)


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(uniform_spec(31, 120, 1.0), tmp_path_factory.mktemp("domain"))


def columns_before(flow, x: float) -> np.ndarray:
    """The domain of the cells west of ``x`` (m)."""
    return np.broadcast_to(flow.grid.xcenters < x, flow.shape).copy()


def test_reach_domain_follows_the_flow_with_margins(flow):
    """Forward tracking at 1 m/d for 2 × 20 d ends at x ≈ 50.5 m; the longitudinal margin
    3·sqrt(2·4·40) = 53.7 m reaches x ≈ 104 m; the transverse one, 3·sqrt(2·1·40) = 26.8 m
    around every visited column, reaches the west edge 10 m upstream and every row."""
    domain = reach_domain(flow, [SOURCE_CELL], 20.0, flow.porosity, *DISPERSIVITY[:2])
    inside = flow.grid.xcenters[15][domain[0, 15]]
    assert inside.min() == pytest.approx(0.5)
    assert domain[0, :, 60].all()
    assert 100.0 < inside.max() < 108.0
    assert not domain[0, :, 110:].any()
    ring = mt3d.edge_ring(domain, flow.grid.idomain > 0)
    assert ring.any() and not (ring & domain).any()


def test_mf6_steps_limited_in_the_domain_only(flow):
    """A fast cell outside the domain no longer sets MODFLOW 6's steps."""
    domain = columns_before(flow, 60.0)
    porosity = flow.porosity.copy()
    porosity[0, 15, 100] = 0.001  # 250 times faster water, outside the domain
    steps = {
        name: int(
            step_schedule(flow, [SOURCE], np.array(TIMES), porosity, 1, 4, 0.5, 0.05, d).nstp.sum()
        )
        for name, d in (("all", None), ("domain", domain))
    }
    assert steps["all"] > 100 * steps["domain"]


@pytest.mark.needs_mt3d
def test_mt3d_domain_cut_far_from_the_plume_changes_nothing(flow, monkeypatch):
    """The reach domain and a cut at x = 100 m (plume front at 30 m, σ = 12.6 m: 5.5 σ) against the
    whole grid: concentrations within 1e-6 of the peak, 0 mg/L outside; MT3D solves only the
    domain's cells (ICBUND)."""
    kwargs = {"dispersivity": DISPERSIVITY, "engine": "mt3d"}
    reference = transport(flow, [SOURCE], TIMES, domain="all", **kwargs).concentration.values
    peak = np.nanmax(reference)
    seen = []
    built = mt3d.build_mt3d
    monkeypatch.setattr(mt3d, "build_mt3d", lambda spec, *a: seen.append(spec) or built(spec, *a))
    for domain in ("reach", columns_before(flow, 100.0)):
        with np.errstate(invalid="ignore"):
            plume = transport(flow, [SOURCE], TIMES, domain=domain, **kwargs)
        np.testing.assert_allclose(plume.concentration.values, reference, rtol=0, atol=1e-6 * peak)
    solved = mt3d.icbund(flow, seen[-1].problem.domain)
    assert (solved == 1).sum() == 31 * 100 and (solved == -1).sum() == 2 * 31


def test_mf6_domain_cut_far_from_the_plume_changes_nothing(flow, tmp_path):
    """A cut at x = 100 m (the 20-day plume's front at 30 m, σ = 12.6 m: 5.5 σ ahead) against
    every cell, same steps (uniform flow: the same Courant and path limits): within 1e-6 of the
    peak (measured 5.0e-8), 0 mg/L beyond the cut; the GWT model holds the 3,100 cells only."""
    kwargs = {"dispersivity": DISPERSIVITY, "engine": "mf6"}
    reference = transport(flow, [SOURCE], TIMES, domain="all", **kwargs).concentration.values
    cut = transport(
        flow, [SOURCE], TIMES, domain=columns_before(flow, 100.0), workspace=tmp_path, **kwargs
    ).concentration.values
    peak = np.nanmax(reference)
    assert np.abs(cut - reference).max() < 1e-6 * peak
    assert (cut[:, 0, :, 100:] == 0).all()
    raw = read_heads(tmp_path / "gwt.ucn", flow.shape)[2]  # MODFLOW 6 writes 1e30 where inactive
    assert (np.abs(raw[-1]) < 1e29).sum() == 31 * 100


@pytest.mark.parametrize(
    ("engine", "edge_loss", "rel"),
    [
        # MT3D: its budget closes to 2e-4 %, the concentrations are single precision
        pytest.param(
            "mt3d",
            lambda ws: mt3d.read_edge_loss(ws / "transport.list"),
            1e-3,
            marks=pytest.mark.needs_mt3d,
        ),
        # MODFLOW 6: the GWT budget's SSM_DOMAIN-EDGE outflow (measured 2.3e-7)
        ("mf6", lambda ws: mf6_fmi.read_edge_loss(ws / "gwt.lst"), 1e-6),
    ],
)
def test_cut_through_the_plume_warns_and_books_the_loss(flow, tmp_path, engine, edge_loss, rel):
    """A cut at x = 25 m, inside the plume: transport() warns, and the dissolved mass in the
    domain (MT3D: and its inner ring, as MT3D-USGS advects held cells too) plus what left
    through its edge is the 100 g the source added, within ``rel``."""
    with pytest.warns(TransportDomainWarning, match="left through the edge"):
        plume = transport(
            flow,
            [SOURCE],
            TIMES,
            dispersivity=DISPERSIVITY,
            engine=engine,
            domain=columns_before(flow, 25.0),
            workspace=tmp_path,
        )
    left = edge_loss(tmp_path)
    volume = flow.grid.cell_area * flow.saturated_thickness[0] * flow.porosity
    inside = np.nansum(plume.concentration.values[-1] * volume)
    assert left > 0.05
    assert inside + left * 100.0 == pytest.approx(100.0, rel=rel)


@pytest.mark.parametrize(
    ("domain", "match"),
    [("everywhere", "'reach', 'all'"), (np.ones((1, 31, 120)), "bool"), ("cut", "source")],
)
def test_bad_domain_is_a_spec_error(flow, domain, match):
    if isinstance(domain, str) and domain == "cut":
        domain = ~columns_before(flow, 20.0)
    with pytest.raises(SpecError, match=match):
        transport(flow, [SOURCE], TIMES, domain=domain)
