"""Model specs that several test modules build on (m, d).

- :func:`layered_spec`: a 3-layer heterogeneous model with every boundary kind gwsim knows (the
  ``steady_layered_spec`` and ``transient_layered_spec`` fixtures in ``conftest.py``).
- :func:`uniform_spec`: one layer 1 m thick in uniform flow along +x, seepage velocity
  ``UNIFORM_VELOCITY`` (transport, risk and control tests).
- :func:`uniform_flow_spec`: a confined layer in uniform flow with wells on a telescoped grid, the
  analytic capture-zone setting (capture, protection and risk tests).
"""

import subprocess

import flopy
import numpy as np

from gwsim.executables import find_executable
from gwsim.flowfield import FlowField
from gwsim.spec import Boundary, Grid, ModelSpec, Properties, StressPeriod

# uniform_spec: Darcy flux m/d, porosity, seepage velocity m/d, hydraulic conductivity m/d
UNIFORM_FLUX, UNIFORM_POROSITY, UNIFORM_VELOCITY, UNIFORM_K = 0.25, 0.25, 1.0, 10.0

# uniform_flow_spec: K m/d, thickness m, porosity, head gradient, well rate m³/d
K_UNIFORM, B, N, GRADIENT, Q = 10.0, 10.0, 0.25, 0.002, 100.0
DARCY = K_UNIFORM * GRADIENT  # specific discharge q, m/d
A = Q / (2 * np.pi * B * DARCY)  # stagnation distance, m


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


def uniform_spec(nrow: int, ncol: int, delr: float) -> ModelSpec:
    """A 1-layer, 1 m thick model with uniform flow along +x; left edge x = 0, bottom y = 0.

    Fixed heads on the first and last columns give a Darcy flux of ``UNIFORM_FLUX`` (m/d), hence
    a seepage velocity of ``UNIFORM_VELOCITY`` (m/d) at porosity ``UNIFORM_POROSITY``.
    """
    drop = UNIFORM_FLUX * (ncol - 1) * delr / UNIFORM_K
    west = [(0, i, 0) for i in range(nrow)]
    east = [(0, i, ncol - 1) for i in range(nrow)]
    return ModelSpec(
        "uniform",
        Grid(1, nrow, ncol, delr, delr, 1.0, [0.0]),
        Properties(k=UNIFORM_K, icelltype=0, porosity=UNIFORM_POROSITY),
        [
            Boundary("chd", "west", west, {"head": 10.0 + drop}),
            Boundary("chd", "east", east, {"head": 10.0}),
        ],
    )


def uniform_flow_spec(wells: dict[str, tuple[int, float]]) -> ModelSpec:
    """One confined layer, uniform flow west to east between fixed-head columns.

    10 m cells within 400 m of the centre, growing by 1.2 outward to ~875 m; wells given as
    {name: (column offset from the centre, rate m³/d)} on the centre row.
    """
    grow = [10.0 * 1.2**k for k in range(1, 13)]
    widths = np.array(grow[::-1] + [10.0] * 80 + grow)
    n = len(widths)
    centres = np.cumsum(widths) - widths / 2
    west, east = 100.0 - GRADIENT * centres[0], 100.0 - GRADIENT * centres[-1]
    boundaries = [
        Boundary("chd", "west", [(0, r, 0) for r in range(n)], {"head": west}),
        Boundary("chd", "east", [(0, r, n - 1) for r in range(n)], {"head": east}),
    ]
    for name, (offset, rate) in wells.items():
        boundaries.append(Boundary("wel", name, [(0, n // 2, n // 2 + offset)], {"rate": -rate}))
    return ModelSpec(
        "uniform",
        Grid(1, n, n, widths, widths, B, [0.0], xorigin=500000.0, yorigin=3000000.0),
        Properties(k=K_UNIFORM, icelltype=0, porosity=N),
        boundaries,
    )


def run_plain_gwf(sim, gwf, ws, porosity) -> FlowField:
    """Finish a flow model written with plain flopy (heads and budgets saved every step), run
    mf6 in ``ws`` and read it as gwsim reads any MODFLOW 6 model."""
    flopy.mf6.ModflowGwfoc(
        gwf,
        head_filerecord="flow.hds",
        budget_filerecord="flow.cbc",
        saverecord=[("HEAD", "ALL"), ("BUDGET", "ALL")],
    )
    sim.write_simulation(silent=True)
    subprocess.run([str(find_executable("mf6"))], cwd=ws, capture_output=True, check=True)
    return FlowField.from_mf6(ws, porosity=porosity)
