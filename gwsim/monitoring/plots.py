"""Maps and curves of monitoring networks: wells and what each sees, coverage vs number of wells,
and the origin map of an attribution. Plot functions draw results; they never recompute them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from gwsim.flowfield import FlowField
from gwsim.mapping import add_north_arrow, add_scale_bar, draw_geometry, km_axes, unique_legend
from gwsim.plots import head_contours

PURPOSE_STYLE = {
    "control": {"marker": "^", "color": "tab:green", "label": "control (upgradient)"},
    "spread": {"marker": "o", "color": "tab:orange", "label": "spread (downgradient / sides)"},
    "early_warning": {"marker": "D", "color": "tab:purple", "label": "early warning (source)"},
    "existing": {"marker": "s", "color": "black", "label": "existing well"},
}


def zoom_frame(ax, flow: FlowField, xy: np.ndarray, title: str, margin: float = 0.15) -> None:
    """Axes in km, limited to the points ``xy`` (n, 2) plus a margin, with a scale bar, a north
    arrow and a title."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = margin * max(*(hi - lo), 200.0)
    km_axes(ax, flow.grid.crs)
    ax.set_xlim(lo[0] - pad, hi[0] + pad)
    ax.set_ylim(lo[1] - pad, hi[1] + pad)
    add_scale_bar(ax)
    add_north_arrow(ax)
    ax.set_title(title)


def _bounds_points(geometries) -> np.ndarray:
    """(2k, 2) corners of the bounding boxes of shapely geometries."""
    boxes = [g.bounds for g in geometries if not g.is_empty]
    return np.array([[b[0], b[1]] for b in boxes] + [[b[2], b[3]] for b in boxes]).reshape(-1, 2)


def water_table_contours(ax, flow: FlowField) -> None:
    """Contours of the water-table head (uppermost wet cell of each column), m."""
    wet = (flow.saturation[-1] > 0) & np.isfinite(flow.head[-1])
    first = np.argmax(wet, axis=0)
    head = np.take_along_axis(flow.head[-1], first[None], axis=0)[0]
    head_contours(ax, flow, np.where(wet.any(axis=0), head, np.nan))


def _context(ax, flow, enterprises, zones, supply_wells):
    water_table_contours(ax, flow)
    for label, (geometry, style) in zones.items():
        draw_geometry(ax, geometry, label=label, **style)
    for name, footprint in enterprises.items():
        draw_geometry(
            ax,
            footprint.buffer(5.0),
            facecolor="saddlebrown",
            edgecolor="k",
            lw=0.5,
            alpha=0.8,
            label="enterprise",
        )
        c = footprint.centroid
        ax.annotate(
            name,
            (c.x, c.y),
            xytext=(5, 5),
            textcoords="offset points",
            fontsize=7,
            color="saddlebrown",
        )
    for x, y in supply_wells:
        ax.plot(x, y, "o", color="crimson", mec="white", ms=7, label="supply well", zorder=5)


def plot_network(
    flow: FlowField,
    candidates: np.ndarray,
    wells: list[dict],
    source_xy: np.ndarray,
    enterprises: dict,
    zones: dict | None = None,
    supply_wells=(),
    title: str = "Monitoring network",
    ax=None,
):
    """Map of a network: each well (``wells``: dicts with index, name, purpose, sees = source
    indices) by purpose, a line to every leak point it detects, the candidates, enterprises,
    protection zones ({label: (geometry, style)}) and water-table contours."""
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 7), constrained_layout=True)
    _context(ax, flow, enterprises, zones or {}, supply_wells)
    ax.scatter(candidates[:, 0], candidates[:, 1], s=3, color="0.6", label="candidate", zorder=2)
    cmap = plt.get_cmap("tab10")
    for k, w in enumerate(wells):
        x, y = candidates[w["index"], :2]
        colour = cmap(k % 10)
        for s in w["sees"]:
            ax.plot([source_xy[s, 0], x], [source_xy[s, 1], y], color=colour, lw=0.6, alpha=0.6)
        style = PURPOSE_STYLE[w["purpose"]]
        ax.scatter(
            x,
            y,
            s=60,
            marker=style["marker"],
            color=style["color"],
            edgecolors="k",
            label=style["label"],
            zorder=6,
        )
        ax.annotate(
            w["name"],
            (x, y),
            xytext=(5, -9),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold",
            color=colour,
        )
    ax.scatter(
        source_xy[:, 0], source_xy[:, 1], s=8, marker="x", color="k", label="leak point", zorder=4
    )
    shown = [candidates[:, :2], source_xy, _bounds_points(enterprises.values())]
    shown.append(_bounds_points(g for label, (g, _) in (zones or {}).items() if "zone" in label))
    zoom_frame(ax, flow, np.concatenate(shown), title)
    unique_legend(ax, "lower right")
    return ax


def plot_coverage_curve(rows: list[dict], title: str = "Coverage vs number of wells", ax=None):
    """Expected coverage (%) of the best network of each size (rows: n_wells, coverage_milp,
    coverage_greedy[, greedy_bound])."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    n = [r["n_wells"] for r in rows]
    ax.plot(n, [100 * r["coverage_milp"] for r in rows], "o-", label="optimal (MILP)")
    ax.plot(n, [100 * r["coverage_greedy"] for r in rows], "s--", label="greedy")
    ax.set_xlabel("number of new wells")
    ax.set_ylabel("leaks detected before the source (%)")
    ax.set_ylim(0, 105)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title)
    return ax


def plot_origin(
    flow: FlowField,
    origin,
    detections: list,
    detected: np.ndarray,
    enterprises: dict,
    probability: dict[str, float],
    title: str = "Where did the leak start?",
    ax=None,
):
    """The origin probability map with the sampled wells (filled: detected) and the enterprises
    labelled with their probability."""
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 7), constrained_layout=True)
    values = np.ma.masked_less(origin.values, 1e-3 * float(origin.max()))  # show the likely part
    mesh = ax.pcolormesh(*flow.grid.corners(), values, cmap="magma_r", shading="flat")
    plt.colorbar(mesh, ax=ax, label="origin probability per cell", shrink=0.8)
    water_table_contours(ax, flow)
    for name, footprint in enterprises.items():
        draw_geometry(ax, footprint.buffer(5.0), facecolor="none", edgecolor="saddlebrown", lw=1.5)
        c = footprint.centroid
        ax.annotate(
            f"{name}: {100 * probability[name]:.0f} %",
            (c.x, c.y),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=8,
            color="saddlebrown",
        )
    for d, hit in zip(detections, detected, strict=True):
        ax.plot(
            d.well[0],
            d.well[1],
            "o",
            ms=8,
            mec="k",
            color="red" if hit else "white",
            label="detected" if hit else "not detected",
        )
    wells = np.array([d.well[:2] for d in detections])
    zoom_frame(ax, flow, np.concatenate([wells, _bounds_points(enterprises.values())]), title, 0.4)
    unique_legend(ax, "lower right")
    return ax
