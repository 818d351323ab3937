"""Shared fixtures: small models built from specs, in per-test workspaces."""

import numpy as np
import pytest

from gwsim.spec import Boundary, Grid, ModelSpec, Properties, StressPeriod


def layered_spec(transient: bool = False) -> ModelSpec:
    """A 3-layer heterogeneous model with every boundary kind gwsim knows (m, d).

    20 x 25 cells of 50 m; a river along row 10 with a falling stage, a pumping well and an
    injection well, recharge, ET, a drain, a general head boundary on the west and fixed heads on
    the east. Transient: a steady first period, then a pumping and a wet period.
    """
    nlay, nrow, ncol = 3, 20, 25
    rng = np.random.default_rng(42)
    k = np.exp(rng.normal(np.log([[[40.0]], [[5.0]], [[20.0]]]), 0.5, (nlay, nrow, ncol)))
    periods = [StressPeriod(1.0, 1, 1.0, True)]
    if transient:
        periods += [StressPeriod(30.0, 6, 1.3, False), StressPeriod(60.0, 4, 1.0, False)]
    later = (lambda changes: changes) if transient else (lambda changes: {})
    river_cells = [(0, 10, j) for j in range(ncol)]
    stage = np.linspace(29.0, 27.0, ncol)
    boundaries = [
        Boundary("riv", "river", river_cells, {"stage": stage, "cond": 800.0, "rbot": stage - 1.5}),
        Boundary("wel", "W1", [(2, 5, 8)], {"rate": -900.0}, periods=later({2: {"rate": -1500.0}})),
        Boundary("wel", "inj", [(1, 15, 18)], {"rate": 200.0}),
        Boundary(
            "rch",
            "rain",
            [(0, i, j) for i in range(nrow) for j in range(ncol)],
            {"rate": 5e-4},
            periods=later({2: {"rate": 1.5e-3}}),
        ),
        Boundary(
            "evt",
            "et",
            [(0, i, j) for i in range(nrow) for j in range(ncol)],
            {"surface": 30.0, "rate": 2e-4, "depth": 2.5},
        ),
        Boundary("drn", "ditch", [(0, 2, j) for j in range(5, 15)], {"elev": 28.6, "cond": 300.0}),
        Boundary(
            "ghb",
            "west",
            [(k_, i, 0) for k_ in range(3) for i in range(nrow)],
            {"bhead": 29.5, "cond": 50.0},
        ),
        Boundary(
            "chd",
            "east",
            [(k_, i, ncol - 1) for k_ in range(3) for i in range(nrow)],
            {"head": 27.0},
        ),
    ]
    return ModelSpec(
        name="layered",
        grid=Grid(nlay, nrow, ncol, 50.0, 50.0, 30.0, [22.0, 15.0, 0.0], 500000.0, 3100000.0),
        properties=Properties(
            k=k, k33=k / 20.0, ss=1e-5, sy=0.15, porosity=0.25, icelltype=[1, 0, 0]
        ),
        boundaries=boundaries,
        periods=periods,
        initial_head=28.0,
    )


@pytest.fixture
def steady_layered_spec() -> ModelSpec:
    return layered_spec(transient=False)


@pytest.fixture
def transient_layered_spec() -> ModelSpec:
    return layered_spec(transient=True)
