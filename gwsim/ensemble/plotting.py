"""Maps of an ensemble's capture probabilities (matplotlib; model CRS, m)."""

from __future__ import annotations

import numpy as np

from gwsim.ensemble.realization import MAPS
from gwsim.ensemble.runner import EnsembleRun
from gwsim.subcells import mask_to_polygon


def plot_probability(run: EnsembleRun, zones: dict, title: str):
    """One panel per map: probability colours, 50/90/95 % outlines, the deterministic zone."""
    import matplotlib.pyplot as plt

    from gwsim.mapping import draw_geometry, map_frame

    xe, ye = run.lattice
    cx, cy = run.flow.grid.to_model(*np.meshgrid(xe, ye))
    width, height = run.flow.grid.extent_local
    if width > 1.5 * height:  # a long domain: maps stacked
        layout, size = (len(MAPS), 1), (10.0, len(MAPS) * (10.0 * height / width + 1.2))
    else:
        layout, size = (1, len(MAPS)), (5.2 * len(MAPS), 4.6)
    fig, axes = plt.subplots(*layout, figsize=size, squeeze=False)
    styles = {0.5: ":", 0.9: "--", 0.95: "-"}
    for ax, name in zip(axes.ravel(), MAPS, strict=True):
        mesh = ax.pcolormesh(
            cx,
            cy,
            np.ma.masked_equal(run.reducer.probability(name), 0),
            cmap="viridis",
            vmin=0,
            vmax=1,
        )
        for level, geom in zones[name].items():
            draw_geometry(ax, geom, fill=False, ec="white", ls=styles[level], lw=1.0)
        deterministic = mask_to_polygon(run.flow, run.deterministic.mask(name), xe, ye)
        draw_geometry(ax, deterministic, fill=False, ec="red", lw=1.0)
        map_frame(ax, run.flow, name)
        fig.colorbar(mesh, ax=ax, shrink=0.7, label="probability")
    fig.suptitle(
        f"{title}: capture probability, {run.reducer.n} realizations\n"
        "white: P ≥ 50 % (dotted), 90 % (dashed), 95 % (solid); red: deterministic zone"
    )
    fig.tight_layout()
    return fig
