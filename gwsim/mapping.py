"""Map furniture: the frame of a map in km, a scale bar, a north arrow, legends, saving figures;
a figure whose canvas fits the model, labels that do not overlap (moved, with a leader line, or
dropped when they are only contour labels), and the planner's own vector layers (GeoJSON) drawn
underneath.

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
    ax.plot([xs, xs + length_m], [ys, ys], color="black", lw=3, solid_capstyle="butt", zorder=9)
    label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    ax.text(
        xs + length_m / 2,
        ys + 0.015 * (y1 - y0),
        label,
        ha="center",
        va="bottom",
        fontsize=8,
        zorder=9,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        gid="furniture",
    )


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
        fontfamily="DejaVu Sans",
        arrowprops={"facecolor": "black", "width": 4, "headwidth": 10},
        zorder=9,
        gid="furniture",
    )


def _km(value: float, _position=None) -> str:
    """Metres as kilometres with as many decimals as the tick needs (3122.25, 3122.5)."""
    return f"{value / 1000:.3f}".rstrip("0").rstrip(".")


def km_axes(ax, crs: str | None) -> None:
    """Label a map's axes in km of the model CRS."""
    ax.set_aspect("equal")
    ax.xaxis.set_major_formatter(_km)
    ax.yaxis.set_major_formatter(_km)
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


def unique_legend(ax, loc: str, **options) -> None:
    """A legend with each label once (artists drawn per feature repeat their labels); ``options``
    go to ``ax.legend`` (e.g. ``bbox_to_anchor`` and ``ncols`` for a legend outside the axes)."""
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), loc=loc, fontsize=7, framealpha=0.9, **options)


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


def map_figure(flow: FlowField, width_in: float = 9.0, legend_rows: int = 3):
    """A figure and axes whose canvas fits the model's extent (aspect), with room below the map
    for a legend of ``legend_rows`` rows."""
    x, y = flow.grid.corners()
    aspect = np.ptp(y) / max(np.ptp(x), 1e-9)
    map_height = float(np.clip((width_in - 1.2) * aspect, 2.5, 11.0))
    fig = plt.figure(
        figsize=(width_in, map_height + 1.0 + 0.22 * legend_rows), layout="constrained"
    )
    return fig, fig.add_subplot()


def legend_below(ax, ncol: int = 2) -> None:
    """One legend (each label once) below the map, outside it, so it covers nothing."""
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.figure.legend(
        unique.values(), unique.keys(), loc="outside lower center", ncol=ncol, fontsize=8,
        frameon=False,
    )  # fmt: skip


def cells_polygon(flow: FlowField, cells: np.ndarray):
    """The union of the map squares of (layer, row, col) cells, model coordinates (a river)."""
    import shapely

    x, y = flow.grid.corners()
    rc = np.unique(np.asarray(cells)[:, 1:3], axis=0)
    squares = [
        shapely.Polygon([(x[r, c], y[r, c]), (x[r, c + 1], y[r, c + 1]),
                         (x[r + 1, c + 1], y[r + 1, c + 1]), (x[r + 1, c], y[r + 1, c])])
        for r, c in rc
    ]  # fmt: skip
    return shapely.union_all(squares)


def _overlaps(box, boxes) -> bool:
    return any(box.overlaps(other) for other in boxes)


def _overlap_area(box, boxes) -> float:
    """Summed overlap (pixels²) of a text box with others."""
    area = 0.0
    for other in boxes:
        w = min(box.x1, other.x1) - max(box.x0, other.x0)
        h = min(box.y1, other.y1) - max(box.y0, other.y0)
        area += max(w, 0.0) * max(h, 0.0)
    return area


def _text_box(note, renderer):
    """The box of an annotation's text (without its leader line), padded by 2 pixels."""
    from matplotlib.text import Text

    note.update_positions(renderer)  # where the text goes for the current offset
    return Text.get_window_extent(note, renderer).padded(2)


def _inside(box, frame) -> bool:
    return frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)


def place_labels(ax, labels: list[dict], avoid=(), laid_out: bool = False) -> list:
    """Annotate points without overlaps: each label tries offsets around its point (with a leader
    line when moved away) and takes the first that overlaps no label placed before it, nothing in
    ``avoid`` (artists) and stays inside the axes, or, when none does, the one overlapping least.
    ``labels``: dicts of ``text``, ``xy`` and annotate keywords; ``laid_out``: the figure was drawn
    since its layout last changed (panels of one figure labelled after one draw). Returns the
    annotations."""
    fig = ax.figure
    if not laid_out:
        fig.canvas.draw()  # lays the figure out, so extents are final
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    taken = [a.get_window_extent(renderer) for a in avoid]
    offsets = [(0, 10), (0, -16), (8, 8), (8, -14), (-8, 8), (-8, -14), (24, 24), (24, -28), (-24, 24), (-24, -28),
               (48, 0), (-48, 0), (0, 40), (0, -44), (60, 40), (-60, 40), (60, -44), (-60, -44),
               (0, 80), (0, -84), (90, 60), (-90, 60), (90, -64), (-90, -64)]  # fmt: skip
    placed = []
    for item in labels:
        style = {k: v for k, v in item.items() if k not in ("text", "xy")}
        best, best_cost = None, np.inf
        for i, (dx, dy) in enumerate(offsets):
            note = ax.annotate(
                item["text"], item["xy"], xytext=(dx, dy), textcoords="offset points",
                ha="center" if dx == 0 else "left" if dx > 0 else "right",
                va="bottom" if dy >= 0 else "top",
                arrowprops={"arrowstyle": "-", "lw": 0.6, "color": "0.2"} if i >= 6 else None,
                zorder=10, **style,
            )  # fmt: skip
            box = _text_box(note, renderer)
            cost = _overlap_area(box, taken) + (0.0 if _inside(box, inside) else box.width * 1e3)
            if cost < best_cost:
                if best is not None:
                    best.remove()
                best, best_cost = note, cost
            else:
                note.remove()
            if cost == 0.0:
                break
        taken.append(_text_box(best, renderer))
        placed.append(best)
    return placed


def drop_hidden_labels(ax, labels, keep) -> int:
    """Remove the texts of ``labels`` (e.g. contour labels) that overlap any artist of ``keep``
    (place names, the scale bar, the north arrow); returns how many were removed."""
    renderer = ax.figure.canvas.get_renderer()
    boxes = [a.get_window_extent(renderer) for a in keep]
    removed = 0
    for text in list(labels):
        if _overlaps(text.get_window_extent(renderer), boxes):
            text.remove()
            removed += 1
    return removed


def furniture(ax) -> list:
    """The scale bar's label and the north arrow of a map (artists not to be covered)."""
    return [t for t in ax.texts if t.get_gid() == "furniture"]


def read_vector_layer(path: Path, crs: str | None) -> list[dict]:
    """GeoJSON features of a planner's layer, reprojected to ``crs`` when the file names another
    (GeoJSON without a "crs" member is taken as WGS 84 longitude/latitude, as RFC 7946 says)."""
    import json

    import shapely
    from shapely.geometry import shape

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    source = data.get("crs", {}).get("properties", {}).get("name", "EPSG:4326")
    features = [
        {"geometry": shape(f["geometry"]), "properties": f.get("properties") or {}}
        for f in data.get("features", [])
        if f.get("geometry")
    ]
    if crs and source and "CRS84" not in source and source.split(":")[-1] == crs.split(":")[-1]:
        return features
    if crs:
        from pyproj import Transformer

        to_model = Transformer.from_crs(
            "EPSG:4326" if "CRS84" in source else source, crs, always_xy=True
        )
        for f in features:
            f["geometry"] = shapely.transform(
                f["geometry"], lambda xy: np.column_stack(to_model.transform(xy[:, 0], xy[:, 1]))
            )
    return features


def draw_vector_layers(ax, layers, crs: str | None, name_of) -> list[dict]:
    """Draw GeoJSON layers (``{"path", "name_zh", "name_en", "color"}``) under everything else:
    polygons outlined, lines as lines, points as small squares. Returns point labels to place
    (``{"text", "xy"}``); ``name_of(properties or layer)`` picks the label in the map's language."""
    labels = []
    for layer in layers:
        color = layer.get("color", "0.35")
        legend = name_of(layer)
        for f in read_vector_layer(layer["path"], crs):
            geom = f["geometry"]
            parts = getattr(geom, "geoms", [geom])
            for part in parts:
                kind = part.geom_type
                if kind == "Polygon":
                    draw_geometry(ax, part, facecolor="none", edgecolor=color, lw=0.8, ls="-.",
                                  zorder=1, label=legend)  # fmt: skip
                elif kind == "LineString":
                    xs, ys = part.xy
                    ax.plot(xs, ys, color=color, lw=0.9, zorder=1, label=legend)
                elif kind == "Point":
                    ax.plot(part.x, part.y, "s", ms=4, color=color, zorder=1, label=legend)
                    name = name_of(f["properties"])
                    if name:
                        labels.append({"text": name, "xy": (part.x, part.y), "fontsize": 7,
                                       "color": color})  # fmt: skip
    return labels
