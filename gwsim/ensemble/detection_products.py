"""Detection products of an ensemble: how likely each candidate monitoring well detects each
enterprise's leak in time.

:class:`DetectionAnalysis` feeds :func:`gwsim.monitoring.detection_matrix` one realization's flow
field at a time, with the settings of a monitoring scenario
(:class:`gwsim.monitoring.scenario.MonitoringScenario`: its ``[detection]``, ``[receptors]``,
``[candidates]`` and ``[[enterprises]]`` tables).
The candidates are fixed on the deterministic run (lattice, HJ 164 control points, existing wells);
each realization's leak points and receptors (the supply wells and their class-2 zone) are its own.
The swarm uses the same seed in every realization (common random numbers), so realizations differ
by their parameters only and a zero-variance ensemble repeats the deterministic detections.

Per realization and enterprise the analysis counts, per candidate, the enterprise's leak points
(one per wet footprint cell) detected in time and sums their detection times;
:class:`DetectionReducer` adds the counts up. The detection probability of a candidate for an
enterprise is the share of (realization, leak point) pairs it detects: a leak equally likely to
start in any footprint cell, the weighting of the monitoring design's objective. Its overall
probability weights each enterprise equally.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from gwsim.fonts import with_map_fonts
from gwsim.monitoring.detection import detection_matrix
from gwsim.names import label
from gwsim.writers import markdown_table, write_table


class DetectionAnalysis:
    """Per realization: which candidate detects which enterprise's leak points in time.

    ``scenario`` is a validated monitoring scenario; its model is not used (the ensemble's is)
    and is dropped so that the analysis travels light with each task.
    """

    name = "detection"

    def __init__(self, scenario):
        self.scenario = dataclasses.replace(scenario, spec=None, site=None)
        self.points: np.ndarray | None = None  # (m, 2) candidates, m; fixed by prepare
        self.existing: np.ndarray = np.empty(0, int)  # indices of the existing wells

    @property
    def enterprise_names(self) -> list[str]:
        return [e.name for e in self.scenario.enterprises]

    def describe(self) -> dict:
        """What defines the analysis (for the ensemble's plan key)."""
        s = self.scenario
        return {
            "name": self.name,
            "enterprises": [repr(e) for e in s.enterprises],
            "detection": s.detection,
            "receptors": s.receptors,
            "candidates": repr(s.candidates),
            "layout": repr(s.layout),
        }

    def prepare(self, flow) -> None:
        """Fix the candidate wells on the deterministic flow field."""
        self.points, self.existing = self.scenario.candidate_points(flow)

    def compute(self, flow) -> dict[str, np.ndarray]:
        """(E, m) ``hits`` (leak points detected in time) and ``time_sum`` (their detection
        times summed, d), and (E,) ``points`` (leak points per enterprise), on ``flow``."""
        receptors, _, _ = self.scenario.supply_receptors(flow)
        sources, group = self.scenario.leak_points(flow)
        matrix = detection_matrix(
            flow, sources, self.points, receptors=receptors, **self.scenario.detection_options()
        )
        detects, time = matrix.detects[0], np.where(matrix.detects[0], matrix.time[0], 0.0)
        n = len(self.scenario.enterprises)
        hits = np.zeros((n, len(self.points)), np.int32)
        time_sum = np.zeros((n, len(self.points)))
        np.add.at(hits, group, detects)
        np.add.at(time_sum, group, time)
        return {"hits": hits, "time_sum": time_sum, "points": np.bincount(group, minlength=n)}

    def reducer(self) -> DetectionReducer:
        return DetectionReducer(self)


class DetectionReducer:
    """Running detection counts per enterprise and candidate: fixed size, whatever the number of
    realizations."""

    def __init__(self, analysis: DetectionAnalysis):
        self.analysis = analysis
        self.n = 0
        self.hits: np.ndarray | None = None  # (E, m) leak points detected, summed
        self.time_sum: np.ndarray | None = None  # (E, m) d
        self.points: np.ndarray | None = None  # (E,) leak points per enterprise

    def add(self, index: int, arrays: dict[str, np.ndarray]) -> None:
        if self.hits is None:
            self.hits = np.zeros(arrays["hits"].shape, np.int64)
            self.time_sum = np.zeros(arrays["hits"].shape)
            self.points = arrays["points"]
        self.hits += arrays["hits"]
        self.time_sum += arrays["time_sum"]
        self.n += 1

    def probability(self) -> np.ndarray:
        """(E, m) share of realizations and leak points each candidate detects in time."""
        return self.hits / np.maximum(self.n * self.points[:, None], 1)

    def mean_time(self) -> np.ndarray:
        """(E, m) mean detection time over the detections, d (inf: never detects)."""
        return np.where(self.hits > 0, self.time_sum / np.maximum(self.hits, 1), np.inf)

    def write(self, out: Path, deterministic: dict, flow, title: str, attrs: dict):
        """``detection_probability.csv/.md`` and ``detection_probability.png``; returns (paths,
        report lines)."""
        from gwsim.mapping import save_figure

        if self.n == 0:
            return [], [DETECTION_TITLE, "", "No realization succeeded: nothing to show.", ""]
        rows = detection_rows(self, deterministic)
        paths = write_table(
            rows,
            out,
            "detection_probability",
            attrs,
            f"{title}: detection probability per candidate well 监测井检出概率",
            DETECTION_NOTES,
        )
        figure = plot_detection(flow, self, title)
        paths.append(save_figure(figure, out / "detection_probability.png"))
        return paths, _report_lines(self, rows)


COLUMNS = {  # bilingual table columns and map labels
    key: label(names, "both")
    for key, names in {
        "candidate": ("候选井", "candidate"),
        "enterprise": ("企业", "enterprise"),
        "existing": ("现有井", "existing"),
        "probability": ("总检出概率", "detection probability"),
        "deterministic": ("确定性", "deterministic"),
        "mean_time": ("平均检出时间 d", "mean detection d"),
        "never": ("未检出候选井", "candidate that never detects"),
    }.items()
}
DETECTION_TITLE = "## Detection probability of candidate monitoring wells 监测井检出概率"
DETECTION_NOTES = (
    "Detection probability: the share of realizations and of the enterprise's leak points "
    "(one per footprint cell) that the candidate detects in time (within the window and the lead "
    "time before the plume reaches a supply well or its class-2 zone). Overall: enterprises "
    "weighted equally. Deterministic: the same share in the deterministic run."
)


def overall(probability: np.ndarray) -> np.ndarray:
    """(m,) detection probability with every enterprise weighted equally."""
    return probability.mean(axis=0)


def detection_rows(reducer: DetectionReducer, deterministic: dict) -> list[dict]:
    """One row per candidate, most likely to detect first: x, y, existing or not, overall and
    per-enterprise probabilities, the deterministic share and the mean detection time."""
    analysis = reducer.analysis
    p = reducer.probability()
    det = deterministic["hits"] / np.maximum(deterministic["points"][:, None], 1)
    total, mean_time = overall(p), reducer.mean_time()
    existing = set(analysis.existing.tolist())
    rows = []
    for k in np.argsort(-total, kind="stable"):
        row = {
            COLUMNS["candidate"]: int(k),
            "x_m": round(float(analysis.points[k, 0]), 1),
            "y_m": round(float(analysis.points[k, 1]), 1),
            COLUMNS["existing"]: k in existing,
            COLUMNS["probability"]: round(float(total[k]), 3),
            COLUMNS["deterministic"]: round(float(overall(det)[k]), 3),
        }
        for e, name in enumerate(analysis.enterprise_names):
            t = mean_time[e, k]
            row[f"P {name}"] = round(float(p[e, k]), 3)
            row[f"{COLUMNS['mean_time']} {name}"] = round(float(t), 1) if np.isfinite(t) else "inf"
        rows.append(row)
    return rows


@with_map_fonts
def plot_detection(flow, reducer: DetectionReducer, title: str):
    """Map of the candidates coloured by overall detection probability, with the enterprises'
    footprints and the water-table contours of ``flow`` (the deterministic run)."""
    import matplotlib.pyplot as plt

    from gwsim.mapping import draw_geometry, unique_legend
    from gwsim.monitoring.plots import water_table_contours, zoom_frame

    analysis = reducer.analysis
    points = analysis.points
    fig, ax = plt.subplots(figsize=(10, 7), constrained_layout=True)
    water_table_contours(ax, flow)
    corners = [points]
    for e in analysis.scenario.enterprises:
        draw_geometry(
            ax,
            e.footprint.buffer(5.0),
            facecolor="saddlebrown",
            edgecolor="k",
            lw=0.5,
            label=COLUMNS["enterprise"],
        )
        centre = e.footprint.centroid
        ax.annotate(
            e.name,
            (centre.x, centre.y),
            xytext=(5, 5),
            textcoords="offset points",
            fontsize=7,
            color="saddlebrown",
        )
        corners.append(np.reshape(e.footprint.bounds, (2, 2)))
    p = overall(reducer.probability())
    never = p == 0
    ax.scatter(*points[never].T, s=3, color="0.6", zorder=2, label=COLUMNS["never"])
    order = np.flatnonzero(~never)[np.argsort(p[~never])]  # the likeliest on top
    dots = ax.scatter(
        points[order, 0],
        points[order, 1],
        c=p[order],
        s=20,
        cmap="viridis",
        vmin=0,
        vmax=max(float(p.max()), 1e-3),  # the colours span the probabilities that occur
        edgecolors="k",
        linewidths=0.3,
        zorder=3,
        label=COLUMNS["candidate"],
    )
    fig.colorbar(dots, ax=ax, shrink=0.7, label=COLUMNS["probability"])
    zoom_frame(ax, flow, np.concatenate(corners), f"{title}: {reducer.n} realizations")
    unique_legend(ax, "lower right")
    return fig


def _report_lines(reducer: DetectionReducer, rows: list[dict]) -> list[str]:
    top = [r for r in rows[:10] if r[COLUMNS["probability"]] > 0]
    lines = [
        DETECTION_TITLE,
        "",
        f"{reducer.n} realizations, {len(rows)} candidates, enterprises "
        f"{', '.join(reducer.analysis.enterprise_names)}. {DETECTION_NOTES}",
        "",
    ]
    if not top:
        return [*lines, "No candidate detects any leak in time in any realization.", ""]
    lines += [f"The {len(top)} most likely to detect:", "", markdown_table(top).rstrip()]
    return [*lines, "", "![detection probability](detection_probability.png)", ""]
