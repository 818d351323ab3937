"""Figures of enterprise risk and control options: risk and option maps, breakthrough curves,
option bars.

They draw results of :func:`gwsim.risk.assess_enterprise_risk` and
:func:`gwsim.risk.compare_options` and what :mod:`gwsim.risk.geometry` places on the map (the
enterprises' footprints, the receptors, the control structures, the source's protection zones),
and compute nothing new; concentrations are shown as ratios to the GB/T 14848 Class III limit (-).
Labels are in Chinese and English (English only where no font has Chinese glyphs).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.colors import LogNorm

from gwsim.fonts import with_map_fonts
from gwsim.mapping import draw_geometry, legend_below, map_figure, map_frame, place_labels
from gwsim.monitoring.plots import water_table_contours, zoom_frame
from gwsim.names import OPTION_NAMES, RISK_FEATURE_NAMES, ZONE_NAMES, label
from gwsim.plots import ZONE_STYLE, draw_rivers, map_language
from gwsim.risk.control import ControlComparison
from gwsim.risk.geometry import MapFeature, RiskSite, enterprise_features, receptor_features
from gwsim.risk.leak_transport import HJ610_TIMES, RunResult
from gwsim.risk.leaks import Enterprise

FLOOR = 1e-3  # smallest peak / Class III limit drawn on the maps (-)
_POINT_STYLE = {  # kind -> marker, colour, size (points²)
    "source_well": ("o", "crimson", 60),
    "monitoring_well": ("^", "navy", 50),
    "containment_well": ("D", "darkorange", 55),
}
_WALL_COLOR, _BARRIER_COLOR, _ENTERPRISE_COLOR = "#00a087", "#6a3d9a", "saddlebrown"
_HALO = [patheffects.withStroke(linewidth=3, foreground="white")]


def _name(pair: tuple[str, str]) -> str:
    return label(pair, map_language("both"))


def _kind(kind: str) -> str:
    return _name(RISK_FEATURE_NAMES[kind])


def _option(option: str) -> str:
    return _name(OPTION_NAMES.get(option, (option, option)))


def _envelope(run: RunResult) -> np.ndarray:
    """(nrow, ncol) largest concentration over time and layers / Class III limit (-); 0 in
    columns with no active cell (NaN in the plume)."""
    values = run.plume.concentration.values
    largest = np.fmax.reduce(values.reshape(-1, *values.shape[-2:]), axis=0)  # NaN: inactive
    return np.nan_to_num(largest, nan=0.0) / run.limit


def _draw_plume(ax, run: RunResult, envelope: np.ndarray, norm: LogNorm):
    """The run's ``envelope`` (:func:`_envelope`; log colours from FLOOR) and its Class III
    contour; returns the mesh."""
    grid = run.plume.flow.grid
    mesh = ax.pcolormesh(grid.xcenters, grid.ycenters, np.ma.masked_less_equal(envelope, FLOOR),
                         norm=norm, cmap="magma_r", shading="nearest", zorder=3, alpha=0.9)  # fmt: skip
    if envelope.max() > 1:
        ax.contour(grid.xcenters, grid.ycenters, envelope, [1.0], colors="red", linewidths=1.2,
                   zorder=4)  # fmt: skip
        ax.plot([], [], color="red", lw=1.2, label=_name(("III类限值等值线", "Class III limit")))
    return mesh


def _draw_zones(ax, site: RiskSite) -> None:
    """The numerical HJ 338 zones of the sources, outlined (the plume shows through)."""
    for src in site.zones.sources if site.zones else []:
        for zone in ("quasi", "class2", "class1"):
            color = ZONE_STYLE[zone][0]
            draw_geometry(ax, src.numerical[zone], facecolor="none", edgecolor=color, lw=1.3,
                          ls=(0, (5, 2)), zorder=2, label=_name(ZONE_NAMES[zone]))  # fmt: skip


def _draw_features(ax, features: Sequence[MapFeature], labels: list[dict]) -> None:
    """Enterprises, receptors and control structures; their names go to ``labels``."""
    for f in features:
        geom, legend = f.geometry, _kind(f.kind)
        if f.kind == "enterprise":
            shape = geom.buffer(10.0) if geom.area == 0 else geom
            draw_geometry(ax, shape, facecolor="none", edgecolor=_ENTERPRISE_COLOR, lw=1.6,
                          zorder=6, label=legend)  # fmt: skip
            where = geom.representative_point()
            labels.append({"text": f.name, "xy": (where.x, where.y), "fontsize": 8,
                           "color": _ENTERPRISE_COLOR, "path_effects": _HALO})  # fmt: skip
        elif f.kind == "cutoff_wall":
            legend += f" (k = {f.properties['k_m_per_d']:g} m/d, {f.properties['thickness_m']:g} m)"
            for part in getattr(geom, "geoms", [geom]):
                ax.plot(*part.xy, color=_WALL_COLOR, lw=3.2, solid_capstyle="butt", zorder=7,
                        path_effects=_HALO, label=legend)  # fmt: skip
        elif f.kind == "reactive_barrier":
            legend += f" (λ = {f.properties['extra_decay_per_d']:g} 1/d)"
            draw_geometry(ax, geom, facecolor=_BARRIER_COLOR, edgecolor=_BARRIER_COLOR, alpha=0.5,
                          hatch="//", lw=1.2, zorder=7, label=legend)  # fmt: skip
        else:
            marker, color, size = _POINT_STYLE[f.kind]
            ax.scatter(geom.x, geom.y, s=size, marker=marker, color=color, edgecolors="white",
                       linewidths=0.8, zorder=8, label=legend)  # fmt: skip
            text = f.name
            if f.kind == "containment_well":
                text = f"{f.properties['rate_m3_d']:g} m³/d"
            labels.append({"text": text, "xy": (geom.x, geom.y), "fontsize": 7, "color": color,
                           "path_effects": _HALO})  # fmt: skip


def _draw_site(ax, site: RiskSite, controls: Sequence[MapFeature], run: RunResult) -> list[dict]:
    """Water-table contours of ``run``'s flow field (a wall or containment wells change it), the
    river, the zones, enterprises, receptors and ``controls``; returns the labels to place."""
    water_table_contours(ax, run.plume.flow)
    draw_rivers(ax, site.flow, _name(("河流", "river")))
    _draw_zones(ax, site)
    labels: list[dict] = []
    _draw_features(ax, [*site.enterprises, *site.receptors, *controls], labels)
    return labels


def _colorbar(fig, mesh, **kw) -> None:
    text = _name(("峰值浓度 / III类限值", "peak concentration / Class III limit (-)"))
    fig.colorbar(mesh, shrink=0.8, label=text, **kw)


def _norm(envelopes: Sequence[np.ndarray]) -> LogNorm:
    return LogNorm(FLOOR, max(1.0, *(float(np.nanmax(e)) for e in envelopes)))


def _case_title(run: RunResult) -> str:
    return f"{run.enterprise}: {run.contaminant.name}, {run.case.name}"


@with_map_fonts
def plot_plume_map(
    run: RunResult,
    enterprises: Sequence[Enterprise],
    title: str = "",
    site: RiskSite | None = None,
    controls: Sequence[MapFeature] = (),
):
    """Largest concentration over time and layers / Class III limit, with the limit contour,
    water-table contours, the river, the enterprises' footprints and the receptors of ``run``
    (or those of ``site``, with its protection zones) and ``controls``; returns the axes."""
    flow = run.plume.flow
    if site is None:
        site = RiskSite(flow, enterprise_features(enterprises), receptor_features(flow, run.probes))
    fig, ax = map_figure(flow, legend_rows=3)
    envelope = _envelope(run)
    mesh = _draw_plume(ax, run, envelope, _norm([envelope]))
    labels = _draw_site(ax, site, controls, run)
    _colorbar(fig, mesh, ax=ax)
    limit = _name(("III类限值", "Class III limit"))
    map_frame(ax, flow, title or f"{_case_title(run)} ({limit} {run.limit:g} mg/L)")
    legend_below(ax, ncol=3)
    place_labels(ax, labels)
    return ax


@with_map_fonts
def plot_risk_map(site: RiskSite, run: RunResult, title: str = ""):
    """The risk map: the worst run's plume envelope with every enterprise, receptor, protection
    zone and every control structure compared (named by its option); returns the axes."""
    heading = _name(("企业泄漏风险与管控措施", "Enterprise leak risk and control options"))
    return plot_plume_map(run, (), title or f"{heading}\n{_case_title(run)}", site, site.controls)


@with_map_fonts
def plot_option_maps(site: RiskSite, comparison: ControlComparison, target: RunResult):
    """One map per control option (a small multiple on a shared colour scale), each with the
    plume envelope of its run and the structures it builds, zoomed to the target enterprise,
    the receptors, the structures and the plume above 1 % of the limit. Returns the figure."""
    runs = comparison.runs
    grid = site.flow.grid
    near = [f.geometry for f in site.enterprises if f.name == target.enterprise]
    near += [f.geometry for f in [*site.receptors, *site.controls]]
    boxes = [g.bounds for g in near]
    envelopes = {option: _envelope(run) for option, run in runs.items()}
    for envelope in envelopes.values():
        rows, cols = np.nonzero(envelope > 0.01)
        boxes += [(x, y, x, y) for x, y in zip(grid.xcenters[rows, cols], grid.ycenters[rows, cols],
                                                strict=True)]  # fmt: skip
    xy = np.array([[b[0], b[1]] for b in boxes] + [[b[2], b[3]] for b in boxes])
    aspect = float(np.clip(np.ptp(xy[:, 1]) / max(np.ptp(xy[:, 0]), 1.0), 0.3, 2.0))
    n = len(runs)
    ncol = min(n, 3)
    nrow = -(-n // ncol)
    height = (4.0 * aspect + 1.5) * nrow + 1.6  # in: maps (~4 in wide), titles and ticks, legend
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.2 * ncol + 1.2, height), squeeze=False,
                             layout="constrained")  # fmt: skip
    norm = _norm(list(envelopes.values()))
    mesh, labels = None, []
    for ax, (option, run) in zip(axes.flat, runs.items(), strict=False):
        mesh = _draw_plume(ax, run, envelopes[option], norm)
        labels.append(_draw_site(ax, site, site.controls_of(option), run))
        zoom_frame(ax, site.flow, xy, _option(option), margin=0.1)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    _colorbar(fig, mesh, ax=axes.ravel().tolist())
    handles = {}
    for ax in axes.flat[:n]:
        for h, text in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(text, h)
    fig.legend(handles.values(), handles.keys(), loc="outside lower center", ncol=3, fontsize=8,
               frameon=False)  # fmt: skip
    fig.suptitle(_name(("管控措施比选", "Control options compared")) + f": {_case_title(target)}")
    fig.canvas.draw()  # lays the panels out once; labelling them leaves the layout as it is
    fig.set_layout_engine("none")
    for ax, panel_labels in zip(axes.flat, labels, strict=False):
        place_labels(ax, panel_labels, laid_out=True)
    return fig


@with_map_fonts
def plot_breakthrough(run: RunResult, title: str = ""):
    """Concentration / Class III limit against time at every receptor; returns the axes."""
    _, ax = plt.subplots(figsize=(8, 5), constrained_layout=True)
    for name, series in run.series.items():
        ax.plot(
            run.plume.times, series / run.limit, marker=".", label=f"{name} ({run.kinds[name]})"
        )
    _time_axes(ax, [run])
    ax.set_title(
        title
        or f"{_case_title(run)} (leak {run.case.start:g} d to "
        + ("end" if run.case.stop is None else f"{run.case.stop:g} d")
        + ")"
    )
    ax.legend(fontsize=8)
    return ax


def _time_axes(ax, runs: Sequence[RunResult]) -> None:
    """The Class III limit line, HJ 610's prediction times, log axes and bilingual labels."""
    limit = runs[0].limit
    text = _name(("III类限值", "Class III limit"))
    ax.axhline(1.0, color="red", lw=1, ls="--", label=f"{text} ({limit:g} mg/L)")
    for t in HJ610_TIMES:
        ax.axvline(t, color="grey", lw=0.6, ls=":")
    ax.set_xscale("log")
    positive = [s[s > 0].min() for r in runs for s in r.series.values() if np.any(s > 0)]
    if positive:
        ax.set_yscale("log")
        ax.set_ylim(max(min(positive) / limit, 1e-6), None)
    ax.set_xlabel(_name(("时间（d）", "time since the start of the simulation (d)")))
    ax.set_ylabel(_name(("浓度 / III类限值", "concentration / Class III limit (-)")))


@with_map_fonts
def plot_option_breakthrough(comparison: ControlComparison, title: str = ""):
    """Breakthrough curves of every control option, one panel per receptor, with the Class III
    limit line; returns the figure."""
    runs = comparison.runs
    first = next(iter(runs.values()))
    receptors = list(first.series)
    ncol = min(len(receptors), 2)
    nrow = -(-len(receptors) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(6.5 * ncol, 4.2 * nrow + 0.6), squeeze=False,
                             layout="constrained")  # fmt: skip
    for ax, receptor in zip(axes.flat, receptors, strict=False):
        for option, run in runs.items():
            ax.plot(run.plume.times, run.series[receptor] / run.limit, marker=".",
                    label=_option(option))  # fmt: skip
        _time_axes(ax, list(runs.values()))
        ax.set_title(f"{receptor} ({first.kinds[receptor]})", fontsize=10)
    for ax in axes.flat[len(receptors) :]:
        ax.set_visible(False)
    handles, texts = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, texts, loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(title or _name(("管控措施下的浓度历时曲线", "Breakthrough under each option"))
                 + f": {_case_title(first)}")  # fmt: skip
    return fig


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
    for axis, key, scale, label_ in (
        (ax_mass, "mass_leaving_site_g", 1e-3, "mass leaving the site over the run (kg)"),
        (ax_pump, "pumping_volume_m3", 1e-3, "pumping volume (1000 m³)"),
    ):
        axis.barh(y, [first[o][key] * scale for o in options], color="tab:gray")
        axis.set_yticks(y, options if axis is ax_mass else [""] * len(options))
        axis.invert_yaxis()
        axis.set_xlabel(label_)
    fig.suptitle(title or "Risk-control options")
    return fig
