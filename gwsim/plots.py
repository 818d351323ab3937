"""Maps and sections for planners: heads with wells, rivers and boundaries; capture and protection
zones; a vertical section coloured by K.

Plot functions take results (a :class:`~gwsim.FlowField`, zones, boundaries) and draw them; they
never recompute anything. Everything they draw comes from the results (rivers and wells from the
flow field's boundary cells, K from its NPF input); the frame, scale bar and north arrow from
:mod:`gwsim.mapping`. Coordinates are the model CRS in metres, labelled in kilometres.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.ticker import MaxNLocator

from gwsim.errors import FlowFieldError
from gwsim.flowfield import FlowField
from gwsim.fonts import cjk_family, with_map_fonts
from gwsim.mapping import (
    cells_polygon,
    draw_geometry,
    draw_vector_layers,
    drop_hidden_labels,
    furniture,
    legend_below,
    map_figure,
    map_frame,
    place_labels,
    unique_legend,
)
from gwsim.names import METHOD_NAMES, label

_BOUNDARY_STYLE = {
    "wel": {"marker": "o", "color": "crimson", "label": "pumping well"},
    "inflow": {"marker": ">", "color": "darkgreen", "label": "injection / inflow (WEL > 0)"},
    "riv": {"marker": "s", "color": "tab:blue", "label": "river"},
    "drn": {"marker": "s", "color": "tab:cyan", "label": "drain"},
    "chd": {"marker": "s", "color": "dimgray", "label": "fixed head"},
    "ghb": {"marker": "s", "color": "tab:olive", "label": "general head"},
}


def plot_head_map(
    flow: FlowField,
    layer: int = 0,
    time_index: int = -1,
    boundaries: Sequence = (),
    ax=None,
    title: str | None = None,
):
    """Head contours (m) of one layer at one saved step, with the boundary cells of ``boundaries``.

    ``boundaries`` are :class:`gwsim.spec.Boundary` objects (their kind picks the symbol): wells
    by the sign of their rate (pumping, or injection/inflow), drains only where they discharge at
    that step (seepage drains cover every land-surface cell but flow only where the water table
    meets the surface). ``layer`` is 0-based. Returns the matplotlib axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 7), constrained_layout=True)
    head = flow.head[time_index, layer]
    x, y = flow.grid.xcenters, flow.grid.ycenters
    finite = np.isfinite(head)
    if finite.any():
        lo, hi = np.nanmin(head), np.nanmax(head)
        levels = MaxNLocator(16).tick_values(lo, hi) if hi > lo else [lo - 0.5, lo + 0.5]
        filled = ax.contourf(x, y, np.ma.masked_invalid(head), levels=levels, cmap="viridis_r")
        lines = ax.contour(
            x, y, np.ma.masked_invalid(head), levels=levels, colors="k", linewidths=0.5
        )
        ax.clabel(lines, fmt="%.1f", fontsize=7)
        plt.colorbar(filled, ax=ax, label=f"head in layer {layer} (0-based), m", shrink=0.8)
    shown = set()
    for b in boundaries:
        kind = b.kind
        cells = b.cells
        if kind == "wel" and float(np.sum(b.values_in_period(0)["rate"])) > 0:
            kind = "inflow"
        if kind == "drn" and b.name.lower() in flow.sources:
            q = flow.sources[b.name.lower()][time_index][tuple(cells.T)]
            cells = cells[q < 0]
        style = _BOUNDARY_STYLE.get(kind)
        if style is None or len(cells) == 0:
            continue
        rows, cols = cells[:, 1], cells[:, 2]
        label = style["label"] if style["label"] not in shown else None
        shown.add(style["label"])
        size = 40 if kind == "wel" else 10
        ax.scatter(
            x[rows, cols],
            y[rows, cols],
            s=size,
            marker=style["marker"],
            color=style["color"],
            edgecolors="white" if kind == "wel" else "none",
            linewidths=0.8,
            label=label,
            zorder=3,
        )
        if kind == "wel":
            ax.annotate(
                b.name,
                (x[rows[0], cols[0]], y[rows[0], cols[0]]),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=8,
                color="crimson",
            )
    map_frame(
        ax, flow, title or f"Heads, layer {layer} (0-based), t = {flow.times[time_index]:g} d"
    )
    if shown:
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    return ax


ZONE_STYLE = {  # colour, (Chinese, English) legend name
    "class1": ("#d7301f", ("一级保护区", "class 1 (100 d)")),
    "class2": ("#fc8d59", ("二级保护区", "class 2 (1000 d)")),
    "quasi": ("#fdd49e", ("准保护区", "outer zone (recharge area)")),
}
_EMPIRICAL_EDGE = {"class1": "#67000d", "class2": "#a63603"}


def _head_contours(ax, flow: FlowField, layer: int) -> list:
    """Head contours of ``layer`` at the last step; returns the contour labels (texts)."""
    return head_contours(ax, flow, flow.head[-1, layer])


def head_contours(ax, flow: FlowField, head: np.ndarray) -> list:
    """Contours of a (nrow, ncol) head map (m; NaN or masked where none) in the map's style;
    returns the contour labels (texts)."""
    head = np.ma.masked_invalid(head)
    if head.count() == 0:
        return []
    levels = MaxNLocator(12).tick_values(head.min(), head.max())
    lines = ax.contour(
        flow.grid.xcenters,
        flow.grid.ycenters,
        head,
        levels=levels,
        colors="steelblue",
        linewidths=0.6,
        alpha=0.8,
        zorder=2,
    )
    texts = ax.clabel(lines, fmt="%.1f", fontsize=6)
    for text in texts:
        text.set_zorder(5)  # above the zones' fill; dropped where they would hide a name
    return list(texts)


def _boundaries_of_type(flow: FlowField, *types: str) -> dict[str, np.ndarray]:
    """{package name: (m, 3) cells} of the flow field's boundary packages of budget ``types``."""
    return {
        name: cells
        for name, cells in flow.boundary_cells.items()
        if flow.source_types[name] in types
    }


def draw_rivers(ax, flow: FlowField, legend: str) -> None:
    """River (RIV) cells as one connected polygon each: the river as a planner sees it."""
    for cells in _boundaries_of_type(flow, "RIV").values():
        draw_geometry(
            ax,
            cells_polygon(flow, cells),
            facecolor="#9ecae1",
            edgecolor="#3182bd",
            lw=0.8,
            zorder=3,
            label=legend,
        )


def plot_capture_zone(zone, ax=None, flow: FlowField | None = None, layer: int | None = None):
    """Capture zones (one outline per travel time) and the recharge area; returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 7), constrained_layout=True)
    if flow is not None:
        _head_contours(ax, flow, int(zone.wells[0].cells[0][0]) if layer is None else layer)
    draw_geometry(
        ax,
        zone.recharge_area,
        facecolor="#c6dbef",
        edgecolor="none",
        alpha=0.6,
        label="recharge area",
    )
    cmap = plt.get_cmap("autumn")
    for i, t in enumerate(zone.travel_times):
        label = "steady state" if np.isinf(t) else f"{t:g} d"
        draw_geometry(
            ax,
            zone.polygons[t],
            facecolor="none",
            lw=1.5,
            edgecolor=cmap(i / max(1, len(zone.travel_times) - 1)),
            label=label,
        )
    for w in zone.wells:
        ax.plot(w.x, w.y, "o", color="crimson", mec="white", label=w.name)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Capture zones")
    return ax


def map_language(language: str) -> str:
    """The language maps can draw: English when no font has Chinese glyphs."""
    return language if language == "en" or cjk_family() else "en"


@with_map_fonts
def plot_protection_zones(zones, flow: FlowField, ax=None, title: str | None = None, layers=()):
    """HJ 338 zones of every source on a map that fits the model: numerical zones filled,
    empirical circles (one per well) outlined on top, the river as a polygon, head contours, the
    planner's vector layers underneath, names in the zones' language, labels that do not overlap
    and the legend below the map. Returns the axes."""
    language = map_language(zones.language)

    def name(pair) -> str:
        return label(pair, language)

    def name_of(props) -> str:
        zh, en = props.get("name_zh"), props.get("name_en")
        fallback = props.get("name", "")
        return name((zh or en or fallback, en or fallback or zh or ""))

    if ax is None:
        _, ax = map_figure(flow, legend_rows=3 + len(layers))
    place = draw_vector_layers(ax, layers, flow.grid.crs, name_of)
    layer = int(zones.sources[0].capture.wells[0].cells[0][0])
    contour_labels = _head_contours(ax, flow, layer)
    draw_rivers(ax, flow, name(("河流", "river")))
    several = len(zones.sources) > 1
    for src in zones.sources:
        for zone in ("quasi", "class2", "class1"):
            color, zone_name = ZONE_STYLE[zone]
            draw_geometry(ax, src.numerical[zone], facecolor=color, edgecolor="k", lw=0.6,
                          alpha=0.6, zorder=4, gid="keep-clear" if zone == "class1" else None,
                          label=f"{name(zone_name)} · {name(METHOD_NAMES['numerical'])}")  # fmt: skip
        for zone in ("class2", "class1"):
            who = f"{name(src.names)}: " if several else ""
            draw_geometry(
                ax,
                src.empirical[zone],
                facecolor="none",
                ls=(0, (4, 2)),
                lw=1.6,
                edgecolor=_EMPIRICAL_EDGE[zone],
                zorder=6,
                path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
                label=f"{name(ZONE_STYLE[zone][1])} · {who}R = αKIT/n = {src.radius_text(zone)} m",
            )
        for w in src.wells:
            ax.plot(w.x, w.y, "o", color="black", mec="white", ms=6, zorder=7, gid="keep-clear",
                    label=name(("水井", "production well")))  # fmt: skip
        x = float(np.mean([w.x for w in src.wells]))  # above the wells' class 1 zones
        y = max(src.numerical["class1"].bounds[3], src.empirical["class1"].bounds[3])
        halo = [patheffects.withStroke(linewidth=3, foreground="white")]
        place.insert(0, {"text": name(src.names), "xy": (x, y), "fontsize": 11,
                         "path_effects": halo})  # fmt: skip
    map_frame(ax, flow, title or name(("饮用水水源保护区（HJ 338-2018）",
                                       "Drinking-water source protection zones (HJ 338-2018)")))  # fmt: skip
    legend_below(ax, ncol=2)
    clear = [a for a in ax.get_children() if a.get_gid() == "keep-clear"]
    placed = place_labels(ax, place, avoid=furniture(ax) + clear)
    drop_hidden_labels(ax, contour_labels, placed + furniture(ax))
    return ax


@with_map_fonts
def plot_entry_fractions(zones, flow: FlowField, ax=None):
    """Why the outer zone reaches where it does: the fraction f of the water entering each
    sub-cell (rain, a losing river, a boundary) that reaches the wells, 0-1, with each source's
    outer zone outlined and its cut-off f* in the legend. Returns the axes."""
    language = map_language(zones.language)
    if ax is None:
        _, ax = map_figure(flow, legend_rows=2)
    mesh = None
    for src in zones.sources:
        entries = src.capture.entries
        if entries is None:
            continue
        xe, ye = src.capture.subcell_edges
        f = np.full((ye.size - 1, xe.size - 1), np.nan)
        order = np.argsort(entries.fraction)  # the largest fraction of a sub-cell shows
        f[entries.row[order], entries.col[order]] = entries.fraction[order]
        gx, gy = flow.grid.to_model(*np.meshgrid(xe, ye))
        mesh = ax.pcolormesh(gx, gy, np.ma.masked_where(~(f > 0), f), cmap="YlGnBu",
                             vmin=0.0, vmax=1.0, zorder=2)  # fmt: skip
        cut = ", ".join(f"{c.kind} f* = {c.cutoff:.2f}" for c in src.closure)
        draw_geometry(ax, src.numerical["quasi"], facecolor="none", edgecolor="#b30000",
                      lw=1.4, zorder=5,
                      label=f"{label(src.names, language)}: "
                      f"{label(ZONE_STYLE['quasi'][1], language)} ({cut})")  # fmt: skip
        for w in src.wells:
            ax.plot(w.x, w.y, "o", color="black", mec="white", ms=5, zorder=7)
    draw_rivers(ax, flow, label(("河流", "river"), language))
    if mesh is not None:
        plt.colorbar(mesh, ax=ax, shrink=0.8,
                     label=label(("截获比例 f", "share f reaching the wells"), language))  # fmt: skip
    map_frame(ax, flow, label(("准保护区：补给水进入含水层处", "Outer zone: where the pumped "
                               "water enters the aquifer"), language))  # fmt: skip
    legend_below(ax, ncol=1)
    return ax


def plot_cross_section(
    flow: FlowField,
    row: int | None = None,
    col: int | None = None,
    ax=None,
    time_index: int = -1,
    exaggeration: float = 10.0,
    title: str | None = None,
):
    """A vertical section along one row (west-east) or one column (north-south) of the grid.

    Cells are coloured by horizontal K (m/d, log scale) of the flow field; the water table (head of
    the uppermost saturated cell, m) is a blue line; rivers and drains are marked at their stage or
    elevation at ``time_index``, and wells by their screened interval. Give exactly one of ``row`` and ``col``
    (0-based). ``exaggeration`` is the vertical exaggeration (stated on the plot). Returns the axes.
    """
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import LogNorm

    if (row is None) == (col is None):
        raise ValueError("give exactly one of row= and col= for the section")
    if flow.k is None:
        raise FlowFieldError(
            "the flow field's K is unknown (its model's NPF input could not be read), so the "
            "section cannot be coloured by K: read the flow field with FlowField.from_mf6 from a "
            "simulation folder whose model has an NPF package"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4.5), constrained_layout=True)
    section = (slice(None), row, slice(None)) if col is None else (slice(None), slice(None), col)
    widths = flow.grid.delr if col is None else flow.grid.delc
    edges = np.concatenate([[0.0], np.cumsum(widths)])
    k = flow.k[section]
    tops, bots = flow.grid.cell_top[section], flow.grid.botm[section]
    active = flow.grid.idomain[section] > 0
    lay, pos = np.nonzero(active)
    quads = [
        [(edges[p], bots[q, p]), (edges[p + 1], bots[q, p]), (edges[p + 1], tops[q, p]),
         (edges[p], tops[q, p])]
        for q, p in zip(lay, pos, strict=True)
    ]  # fmt: skip
    low = k[active].min()
    norm = LogNorm(low, max(k[active].max(), 10 * low))
    cells = PolyCollection(quads, array=k[lay, pos], cmap="YlOrBr", norm=norm, edgecolors="face",
                           lw=0.2)  # fmt: skip
    ax.add_collection(cells)
    plt.colorbar(cells, ax=ax, label="horizontal K (m/d)", shrink=0.9)
    head = flow.head[time_index][section]
    wet = (flow.saturation[time_index][section] > 0) & np.isfinite(head)
    first = np.argmax(wet, axis=0)
    table = np.where(wet.any(axis=0), head[first, np.arange(head.shape[1])], np.nan)
    centres = 0.5 * (edges[1:] + edges[:-1])
    ax.plot(centres, table, color="tab:blue", lw=1.5, label="water table")
    along = 2 if col is None else 1
    for name, cells in _boundaries_of_type(flow, "RIV", "DRN", "WEL").items():
        on = cells[:, 1] == row if col is None else cells[:, 2] == col
        if not on.any():
            continue
        where = cells[on, along]
        if flow.source_types[name] != "WEL":
            level = flow.boundary_levels[name][time_index][on]
            ax.scatter(centres[where], level, marker="v", s=40, color="navy", zorder=4,
                       label=f"{name} (stage)")  # fmt: skip
        else:
            for p in np.unique(where):
                screened = cells[on][where == p, 0]
                ax.plot([centres[p]] * 2, [bots[screened.max(), p], tops[screened.min(), p]],
                        color="crimson", lw=3, solid_capstyle="butt", zorder=5,
                        label=f"{name} (screen)")  # fmt: skip
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(np.nanmin(bots[active]), np.nanmax(tops[active]) + 0.05 * np.ptp(tops[active]))
    ax.set_aspect(exaggeration)
    axis = f"row {row + 1}, west to east" if col is None else f"column {col + 1}, north to south"
    ax.set_xlabel(f"distance along {axis} (m)")
    ax.set_ylabel("elevation (m a.s.l.)")
    ax.set_title(f"{title or flow.model_name}: vertical exaggeration {exaggeration:g}x")
    unique_legend(ax, "lower left")
    return ax
