"""Monitoring outputs: the table of a designed network's wells (coordinates, screen, purpose, HJ 164
sampling frequency, what each sees) as CSV/Markdown and GeoJSON, with provenance."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gwsim.capture import write_geojson
from gwsim.flowfield import FlowField
from gwsim.monitoring.design import NetworkDesign
from gwsim.monitoring.layout import sampling_frequency, well_purposes
from gwsim.tables import write_table


def screen_interval(flow: FlowField, point) -> tuple[float, float]:
    """(top, bottom) elevation (m) of a well's screen: the cell of a point with z, or from the
    water table to the bottom of the lowest wet cell of its column."""
    lay, row, col = flow.grid.locate(
        point[0], point[1], point[2] if np.isfinite(point[2]) else None
    )
    r, c = int(row[0]), int(col[0])
    wet = np.flatnonzero((flow.grid.idomain[:, r, c] > 0) & (flow.saturation[-1, :, r, c] > 0))
    layers = [int(lay[0])] if lay[0] >= 0 else wet
    top = flow.grid.botm[layers[0], r, c] + flow.saturated_thickness[-1, layers[0], r, c]
    return float(top), float(flow.grid.botm[layers[-1], r, c])


def well_rows(
    flow: FlowField,
    design: NetworkDesign,
    source_group: np.ndarray,
    group_names: list[str],
    high_risk: set[str],
    sets: dict[str, np.ndarray],
    enterprises: dict,
    recharge_areas: dict | None,
    spread_radius: float,
    prefix: str = "MW",
) -> list[dict]:
    """One row per well of the network (existing first, then chosen in order of value)."""
    network = design.network
    points = design.matrix.candidates
    purposes = well_purposes(network, points, sets, enterprises, recharge_areas, spread_radius)
    marginal = dict(zip(design.chosen.tolist(), design.marginal.tolist(), strict=True))
    rows = []
    for k, (c, purpose) in enumerate(zip(network, purposes, strict=True)):
        sees = np.flatnonzero(design.detects[:, c] > 0)
        groups = sorted({group_names[g] for g in source_group[sees]})
        per_year, why = sampling_frequency(purpose, high_risk=bool(high_risk & set(groups)))
        top, bottom = screen_interval(flow, points[c])
        _, r, col = flow.grid.locate(points[c, 0], points[c, 1])
        land = float(flow.grid.top[r[0], col[0]])
        existing = c in design.existing
        rows.append(
            {
                "name": f"{'existing' if existing else prefix}{k + 1}",
                "candidate": int(c),
                "x": round(float(points[c, 0]), 1),
                "y": round(float(points[c, 1]), 1),
                "screen_top_m": round(top, 2),
                "screen_bottom_m": round(bottom, 2),
                "screen_depth_m": f"{land - top:.1f}-{land - bottom:.1f}",
                "purpose": purpose,
                "existing": existing,
                "samples_per_year": per_year,
                "sampling": why,
                "detects": " ".join(groups),
                "leak_points_detected": len(sees),
                "first_detection_d": round(
                    float(design.detection_time[sees, c].min(initial=np.inf)), 1
                ),
                "adds_coverage": round(marginal.get(int(c), 0.0), 4),
            }
        )
    return rows


def write_wells(
    rows: list[dict], folder: Path, stem: str, crs, attrs: dict, title: str
) -> list[Path]:
    """``<stem>.csv``, ``<stem>.md`` and ``<stem>.geojson`` of the well rows."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["x"], row["y"]]},
            "properties": dict(row),
        }
        for row in rows
    ]
    notes = (
        "Screen elevations in m a.s.l., depths in m below the land surface. Sampling frequency: "
        "DOMAIN.md's reading of HJ 164-2020 (at least twice a year, quarterly for high-risk "
        "sources); verify against the standard's text."
    )
    paths = write_table(rows, folder, stem, attrs, title, notes)
    paths.append(write_geojson(Path(folder) / f"{stem}.geojson", features, crs, attrs))
    return paths
