"""Fill numba's on-disk cache with the tracking kernels: ``python -m gwsim.tracking.warm``.

The kernels are compiled with ``cache=True``: the first call in any later process loads machine
code from the cache instead of compiling (seconds). ``make setup`` runs this once after installing,
so that even the first :func:`gwsim.track` of a fresh installation compiles nothing. It tracks one
particle through a two-cell flow field, which compiles the one signature every call uses.
"""

from __future__ import annotations

import numpy as np

from gwsim.flowfield import FlowField
from gwsim.grid import StructuredGrid
from gwsim.tracking.pollock import track_particles
from gwsim.tracking.tracker import track


def two_cell_flow() -> FlowField:
    """One layer, one row, two 10 m cells, 1 m³/d flowing east into a fixed-head cell."""
    shape = (1, 1, 1, 2)
    return FlowField(
        grid=StructuredGrid(
            delr=np.full(2, 10.0),
            delc=np.full(1, 10.0),
            top=np.full((1, 2), 10.0),
            botm=np.zeros((1, 1, 2)),
            idomain=np.ones((1, 1, 2), int),
        ),
        icelltype=np.zeros((1, 1, 2), int),
        porosity=0.25,
        times=np.array([1.0]),
        kstpkper=np.array([[0, 0]]),
        head=np.full(shape, 10.0),
        saturation=np.ones(shape),
        flow_right_face=np.array([1.0, 0.0]).reshape(shape),
        flow_front_face=np.zeros(shape),
        flow_lower_face=np.zeros(shape),
        sources={"chd": np.array([1.0, -1.0]).reshape(shape)},
        source_types={"chd": "CHD"},
    )


def warm() -> dict:
    """Track one particle (end point and pathline); return the kernel's cache statistics."""
    track(two_cell_flow(), [[2.0, 5.0, 5.0]], pathlines=True)
    stats = track_particles.stats
    return {"hits": sum(stats.cache_hits.values()), "misses": sum(stats.cache_misses.values())}


if __name__ == "__main__":
    print(f"gwsim tracking kernels: {warm()} (numba cache in {track_particles.stats.cache_path})")
