"""Map furniture: the frame of a map in km, a scale bar, a north arrow, legends, saving figures.

These helpers draw no results; the domain plots (:mod:`gwsim.plots`, :mod:`gwsim.risk_plots`,
:mod:`gwsim.zoning.plotting`) draw results and call them to frame their maps. Coordinates are the
model CRS in metres, labelled in kilometres.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from gwsim.flowfield import FlowField
from gwsim.writers import atomic_path


def add_scale_bar(ax, length_m: float | None = None) -> None:
    """A scale bar in the lower-left corner of a map in metres."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    if length_m is None:
        raw = (x1 - x0) / 5.0
        length_m = float(10 ** np.floor(np.log10(raw)))
        for step in (5.0, 2.0):
            if step * length_m <= raw:
                length_m *= step
                break
    xs, ys = x0 + 0.05 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    ax.plot([xs, xs + length_m], [ys, ys], color="black", lw=3, solid_capstyle="butt")
    label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    ax.text(xs + length_m / 2, ys + 0.015 * (y1 - y0), label, ha="center", va="bottom", fontsize=8)


def add_north_arrow(ax) -> None:
    """A north arrow in the upper-right corner (grid north = map north for unrotated grids)."""
    ax.annotate(
        "N",
        xy=(0.95, 0.95),
        xytext=(0.95, 0.83),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        arrowprops={"facecolor": "black", "width": 4, "headwidth": 10},
    )


def km_axes(ax, crs: str | None) -> None:
    """Label a map's axes in km of the model CRS."""
    ax.set_aspect("equal")
    ax.xaxis.set_major_formatter(lambda v, _: f"{v / 1000:.1f}")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v / 1000:.1f}")
    ax.set_xlabel(f"x (km, {crs or 'model coordinates'})")
    ax.set_ylabel("y (km)")


def map_frame(ax, flow: FlowField, title: str) -> None:
    """Frame a map on the model grid's extent: km axes, scale bar, north arrow and title."""
    km_axes(ax, flow.grid.crs)
    xe, ye = flow.grid.to_model(flow.grid.x_edges_local[[0, -1]], flow.grid.y_edges_local[[-1, 0]])
    ax.set_xlim(*xe)
    ax.set_ylim(*ye)
    add_scale_bar(ax)
    add_north_arrow(ax)
    ax.set_title(title)


def save_figure(fig, path: str | Path, dpi: int = 150) -> Path:
    """Save a figure as PNG atomically and close it."""
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    plt.close(fig)
    return path


def unique_legend(ax, loc: str) -> None:
    """A legend with each label once (artists drawn per feature repeat their labels)."""
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), loc=loc, fontsize=7, framealpha=0.9)


def draw_geometry(ax, geom, **style) -> None:
    """Fill or outline a shapely (Multi)Polygon on a matplotlib axes."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    polygons = getattr(geom, "geoms", [geom])
    for poly in polygons:
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        rings = [np.asarray(poly.exterior.coords)] + [np.asarray(r.coords) for r in poly.interiors]
        verts = np.concatenate(rings)
        codes = np.concatenate(
            [
                [MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 2) + [MplPath.CLOSEPOLY]
                for r in rings
            ]
        )
        ax.add_patch(PathPatch(MplPath(verts, codes), **style))
