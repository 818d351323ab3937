"""The ensemble's leak risk as a figure: each receptor's peak concentration over the realizations,
as a share of the GB/T 14848 Class III limit (log axis), beside the deterministic run's.

One row per enterprise and receptor: a bar from P5 to P95, a dot at P50, a red diamond at the
deterministic peak, the limit as a vertical line, and the probability of exceeding it at the
right. Peaks below :data:`gwsim.risk.mass.RATIO_FLOOR` of the limit are drawn at that floor, in
the grey band labelled "not reached".
"""

from __future__ import annotations

import numpy as np

from gwsim.fonts import with_map_fonts
from gwsim.names import label
from gwsim.risk.mass import RATIO_FLOOR

TEXT = {  # bilingual labels of the figure
    key: label(names, "both")
    for key, names in {
        "axis": ("峰值浓度 / III类限值", "peak concentration / Class III limit"),
        "spread": ("P5–P95", "P5–P95"),
        "median": ("中位数 P50", "median P50"),
        "deterministic": ("确定性模型", "deterministic run"),
        "limit": ("III类限值", "Class III limit"),
        "floor": ("未到达", "not reached"),
        "exceed": ("超标概率", "P(exceed)"),
    }.items()
}


@with_map_fonts
def plot_risk_distribution(reducer, deterministic: dict, title: str):
    """The figure of ``reducer`` (a :class:`~gwsim.ensemble.risk_products.RiskReducer` with at
    least one realization) and ``deterministic`` (the deterministic run's ``peak`` (E, R), mg/L)."""
    import matplotlib.pyplot as plt

    from gwsim.mapping import unique_legend

    analysis = reducer.analysis
    limits = reducer.limits[:, None]  # (E, 1) mg/L
    ratio = np.maximum(reducer.values("peak") / limits, RATIO_FLOOR)  # (n, E, R)
    det = np.maximum(np.asarray(deterministic["peak"]) / limits, RATIO_FLOOR)
    exceed = reducer.exceedance_probability()  # (E, R)
    low, mid, high = np.percentile(ratio, (5, 50, 95), axis=0)
    names, receptors = [e.name for e in analysis.enterprises], analysis.receptor_names
    rows = [(i, j) for i in range(len(names)) for j in range(len(receptors))]
    y = np.arange(len(rows))[::-1]
    fig, ax = plt.subplots(figsize=(9.0, 1.8 + 0.38 * len(rows)), constrained_layout=True)
    ax.axvspan(RATIO_FLOOR / 3, RATIO_FLOOR * 1.5, color="0.9", label=TEXT["floor"])
    for k, (i, j) in enumerate(rows):
        ax.plot(
            [low[i, j], high[i, j]],
            [y[k]] * 2,
            color="tab:blue",
            lw=4,
            alpha=0.5,
            label=TEXT["spread"],
        )
        ax.plot(mid[i, j], y[k], "o", color="tab:blue", label=TEXT["median"])
        ax.plot(det[i, j], y[k], "D", color="tab:red", ms=5, label=TEXT["deterministic"])
        ax.annotate(
            f"{exceed[i, j]:.2f}",
            (1.01, y[k]),
            xycoords=("axes fraction", "data"),
            va="center",
            fontsize=8,
        )
    ax.axvline(1.0, color="k", ls="--", lw=1, label=TEXT["limit"])
    ax.annotate(TEXT["exceed"], (1.01, 1.0), xycoords="axes fraction", va="bottom", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(RATIO_FLOOR / 3, max(10.0, 3 * float(max(high.max(), det.max()))))
    ax.set_yticks(y, [f"{names[i]} · {receptors[j]}" for i, j in rows], fontsize=8)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(TEXT["axis"])
    unique_legend(ax, "upper center", bbox_to_anchor=(0.5, -0.12 - 0.5 / len(rows)), ncols=5)
    ax.set_title(f"{title}: {reducer.n} realizations", fontsize=10)
    return fig
