"""Figures of enterprise risk and control options: plume maps, breakthrough curves, option bars.

They draw results of :func:`gwsim.risk.assess_enterprise_risk` and
:func:`gwsim.risk.compare_options` and compute nothing new;
concentrations are shown as ratios to the GB/T 14848 Class III limit (-).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from gwsim.mapping import draw_geometry, map_frame
from gwsim.risk.leak_transport import HJ610_TIMES, RunResult
from gwsim.risk.leaks import Enterprise

_KIND_STYLE = {
    "source_well": {"marker": "o", "color": "crimson"},
    "monitoring_well": {"marker": "^", "color": "navy"},
}


def plot_plume_map(run: RunResult, enterprises: Sequence[Enterprise], title: str = ""):
    """Largest concentration over time and layers / Class III limit, with the limit contour,
    the enterprises' footprints and the receptors; returns the axes."""
    flow = run.plume.flow
    envelope = np.nanmax(run.plume.concentration.values, axis=(0, 1)) / run.limit
    fig, ax = plt.subplots(figsize=(10, 7), constrained_layout=True)
    shown = np.ma.masked_less_equal(envelope, 1e-3)
    if shown.count():
        mesh = ax.pcolormesh(
            flow.grid.xcenters,
            flow.grid.ycenters,
            shown,
            norm=LogNorm(1e-3, max(float(shown.max()), 1.0)),
            cmap="magma_r",
            shading="nearest",
        )
        fig.colorbar(mesh, ax=ax, shrink=0.8, label="peak concentration / Class III limit (-)")
        if envelope.max() > 1:
            ax.contour(
                flow.grid.xcenters,
                flow.grid.ycenters,
                envelope,
                [1.0],
                colors="red",
                linewidths=1.2,
            )
    for e in enterprises:
        geom = (
            e.footprint.buffer(0.5 * flow.grid.delr.min()) if e.footprint.area == 0 else e.footprint
        )
        draw_geometry(ax, geom, facecolor="none", edgecolor="black", lw=1.2)
        centre = e.footprint.centroid
        ax.annotate(e.name, (centre.x, centre.y), xytext=(5, 5), textcoords="offset points")
    for probe in run.probes:
        style = _KIND_STYLE.get(probe.kind)
        if style is None:
            continue
        r, c = probe.cells[:, 1], probe.cells[:, 2]
        ax.scatter(
            flow.grid.xcenters[r, c], flow.grid.ycenters[r, c], s=30, edgecolors="white", **style
        )
        ax.annotate(
            probe.name, (flow.grid.xcenters[r[0], c[0]], flow.grid.ycenters[r[0], c[0]]), fontsize=8
        )
    map_frame(
        ax,
        flow,
        title
        or f"{run.enterprise}: {run.contaminant.name}, {run.case.name} case "
        f"(red: Class III limit {run.limit:g} mg/L)",
    )
    return ax


def plot_breakthrough(run: RunResult, title: str = ""):
    """Concentration / Class III limit against time at every receptor; returns the axes."""
    _, ax = plt.subplots(figsize=(8, 5), constrained_layout=True)
    times = run.plume.times
    for name, series in run.series.items():
        ax.plot(times, series / run.limit, marker=".", label=f"{name} ({run.kinds[name]})")
    ax.axhline(1.0, color="red", lw=1, ls="--", label=f"Class III limit ({run.limit:g} mg/L)")
    for t in HJ610_TIMES:
        ax.axvline(t, color="grey", lw=0.6, ls=":")
    ax.set_xscale("log")
    positive = [s[s > 0].min() for s in run.series.values() if np.any(s > 0)]
    if positive:
        ax.set_yscale("log")
        ax.set_ylim(max(min(positive) / run.limit, 1e-6), None)
    ax.set_xlabel("time since the start of the simulation (d)")
    ax.set_ylabel("concentration / Class III limit (-)")
    ax.set_title(
        title
        or f"{run.enterprise}: {run.contaminant.name}, {run.case.name} case "
        f"(leak {run.case.start:g} d to "
        + ("end" if run.case.stop is None else f"{run.case.stop:g} d")
        + ")"
    )
    ax.legend(fontsize=8)
    return ax


def plot_control_options(rows: list[dict], title: str = ""):
    """Grouped bars of peak / Class III limit per receptor and option (log scale, down to 1e-4 of
    the largest, when the values span more than two orders), beside bars of the mass leaving the
    site and of the pumping volume; returns the figure."""
    options = list(dict.fromkeys(r["option"] for r in rows))
    receptors = list(dict.fromkeys(r["receptor"] for r in rows))
    ratio = {(r["option"], r["receptor"]): r["peak_to_limit"] for r in rows}
    fig, (ax, ax_mass, ax_pump) = plt.subplots(
        1, 3, figsize=(15, 5), gridspec_kw={"width_ratios": [3, 1, 1]}, constrained_layout=True
    )
    width = 0.8 / len(options)
    x = np.arange(len(receptors))
    for i, opt in enumerate(options):
        ax.bar(x + i * width, [ratio[(opt, r)] for r in receptors], width, label=opt)
    values = np.array([v for v in ratio.values() if v > 0])
    if values.size and values.max() / values.min() > 100:
        ax.set_yscale("log")
        ax.set_ylim(1e-4 * values.max(), 2 * values.max())
    ax.axhline(1.0, color="red", lw=1, ls="--", label="Class III limit")
    ax.set_xticks(x + 0.4 - width / 2, receptors, rotation=15)
    ax.set_ylabel("peak concentration / Class III limit (-)")
    ax.legend(fontsize=8)
    first = {r["option"]: r for r in rows}
    y = np.arange(len(options))
    for axis, key, scale, label in (
        (ax_mass, "mass_leaving_site_g", 1e-3, "mass outside the site at the end (kg)"),
        (ax_pump, "pumping_volume_m3", 1e-3, "pumping volume (1000 m³)"),
    ):
        axis.barh(y, [first[o][key] * scale for o in options], color="tab:gray")
        axis.set_yticks(y, options if axis is ax_mass else [""] * len(options))
        axis.invert_yaxis()
        axis.set_xlabel(label)
    fig.suptitle(title or "Risk-control options")
    return fig
