"""Maps of key zones and of the three assessments behind them (they draw results, never compute)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pyproj
import shapely
import xarray as xr
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from gwsim.fonts import with_map_fonts
from gwsim.mapping import add_north_arrow, add_scale_bar, km_axes
from gwsim.zoning.layers import cell_size
from gwsim.zoning.load import PollutionSource
from gwsim.zoning.monitoring import Sample
from gwsim.zoning.scheme import KeyZoneScheme
from gwsim.zoning.value import ProtectionZone

_ZONE_LINES = {"class1": "-", "class2": "--", "quasi": ":", "recharge_area": "-.", "special": "-"}


def _edges(layer: xr.DataArray) -> tuple[np.ndarray, np.ndarray]:
    dx, dy = cell_size(layer)
    x, y = layer.x.values, layer.y.values
    return np.append(x - dx / 2, x[-1] + dx / 2), np.append(y + dy / 2, y[-1] - dy / 2)


def _outline(ax, geometry, **style) -> None:
    for part in getattr(geometry, "geoms", [geometry]):
        for ring in [part.exterior, *part.interiors]:
            x, y = np.asarray(ring.coords).T
            ax.plot(x, y, **style)


def _frame(ax, layer: xr.DataArray, crs: str, title: str) -> None:
    epsg = pyproj.CRS.from_user_input(crs).to_epsg()
    km_axes(ax, f"EPSG:{epsg}" if epsg else pyproj.CRS.from_user_input(crs).name)
    xe, ye = _edges(layer)
    ax.set_xlim(xe[0], xe[-1])
    ax.set_ylim(ye[-1], ye[0])
    add_scale_bar(ax)
    add_north_arrow(ax)
    ax.set_title(title)


@with_map_fonts
def plot_key_zones(
    ds: xr.Dataset,
    scheme: KeyZoneScheme,
    sources: Sequence[PollutionSource] = (),
    zones: Sequence[ProtectionZone] = (),
    exceeding: Sequence[Sample] = (),
    counties: Sequence[tuple[str, object]] = (),
    title: str = "Key zones for groundwater pollution prevention",
    ax=None,
):
    """The zone raster with protection-zone outlines, enterprises, exceeding wells and counties.

    Returns the matplotlib axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 7.5), constrained_layout=True)
    kinds = sorted(scheme.kinds.items(), key=lambda kv: kv[1]["code"])
    codes = [0] + [k["code"] for _, k in kinds]
    cmap = ListedColormap(["#ffffff"] + [k["colour"] for _, k in kinds])
    bounds = np.append(np.array(codes) - 0.5, codes[-1] + 0.5)
    xe, ye = _edges(ds["zone"])
    ax.pcolormesh(xe, ye, ds["zone"].values, cmap=cmap, norm=BoundaryNorm(bounds, cmap.N))
    present = set(np.unique(ds["zone"].values))
    handles = [
        Patch(facecolor=k["colour"], edgecolor="0.3", label=f"{k['name_zh']} {k['name_en']}")
        for name, k in kinds
        if k["code"] in present
    ]
    for kind in _ZONE_LINES:
        shown = [z for z in zones if z.zone == kind]
        for z in shown:
            _outline(ax, z.geometry, color="navy", lw=1.0, ls=_ZONE_LINES[kind])
        if shown:
            handles.append(Line2D([], [], color="navy", ls=_ZONE_LINES[kind], label=f"{kind} zone"))
    for name, geometry in counties:
        _outline(ax, geometry, color="0.25", lw=1.2, ls="-.")
        point = geometry.representative_point()
        ax.annotate(name, (point.x, point.y), fontsize=8, color="0.25", ha="center")
    if counties:
        handles.append(Line2D([], [], color="0.25", ls="-.", label="county boundary"))
    if sources:
        xy = np.array([shapely.get_coordinates(s.geometry.centroid)[0] for s in sources])
        ax.scatter(xy[:, 0], xy[:, 1], marker="^", s=40, color="black", zorder=4)
        handles.append(Line2D([], [], marker="^", color="black", ls="", label="enterprise"))
    if exceeding:
        xy = np.array([(s.x, s.y) for s in exceeding])
        ax.scatter(
            xy[:, 0], xy[:, 1], marker="X", s=60, color="darkred", edgecolors="white", zorder=5
        )
        handles.append(
            Line2D([], [], marker="X", color="darkred", ls="", label="well > GB/T 14848 Class III")
        )
    _frame(ax, ds["zone"], ds.attrs["crs"], title)
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False
    )
    return ax


@with_map_fonts
def plot_assessments(ds: xr.Dataset, scheme: KeyZoneScheme, title: str = ""):
    """Vulnerability, load and value classes side by side; returns the figure."""
    fig, axes = plt.subplots(1, 3, figsize=(16, 5), constrained_layout=True)
    panels = [
        ("vulnerability_class", scheme.vulnerability_classes, "DRASTIC vulnerability", "YlOrRd"),
        ("load_class", scheme.load_classes, "pollution-source load", "Purples"),
        ("value_class", scheme.value_classes, "groundwater value", "Blues"),
    ]
    xe, ye = _edges(ds["zone"])
    for ax, (var, classes, label, cmap_name) in zip(axes, panels, strict=True):
        n = len(classes)
        cmap = plt.get_cmap(cmap_name, n)
        mesh = ax.pcolormesh(
            xe, ye, np.ma.masked_less(ds[var].values, 0), cmap=cmap, vmin=-0.5, vmax=n - 0.5
        )
        bar = fig.colorbar(mesh, ax=ax, ticks=range(n), shrink=0.8)
        bar.ax.set_yticklabels(classes, fontsize=8)
        _frame(ax, ds["zone"], ds.attrs["crs"], label)
    if title:
        fig.suptitle(title)
    return fig
