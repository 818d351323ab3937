"""A confined layer in uniform flow with wells: the analytic capture-zone setting (m, d)."""

import numpy as np

from gwsim.spec import Boundary, Grid, ModelSpec, Properties

K_UNIFORM, B, N, GRADIENT, Q = 10.0, 10.0, 0.25, 0.002, 100.0  # m/d, m, -, -, m³/d
DARCY = K_UNIFORM * GRADIENT  # specific discharge q, m/d
A = Q / (2 * np.pi * B * DARCY)  # stagnation distance, m


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
