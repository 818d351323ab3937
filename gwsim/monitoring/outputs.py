"""Monitoring outputs: the table of a designed network's wells (coordinates, screen, purpose, HJ 164
sampling frequency, what each sees) as CSV/Markdown and GeoJSON, and everything a monitoring
scenario writes (coverage curve, maps, detection by enterprise, existing-well evaluation, the
attribution example, summary), each file atomically with provenance."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gwsim.flowfield import FlowField
from gwsim.mapping import save_figure
from gwsim.monitoring.attribution import Detection, attribute_source
from gwsim.monitoring.design import NetworkDesign
from gwsim.monitoring.detection import DetectionMatrix
from gwsim.monitoring.evaluation import evaluate_network
from gwsim.monitoring.layout import LayoutRules, sampling_frequency, well_purposes
from gwsim.monitoring.plots import plot_coverage_curve, plot_network, plot_origin
from gwsim.provenance import provenance_attrs
from gwsim.wells import resolve_wells
from gwsim.writers import atomic_path, write_geojson, write_table


@dataclass
class MonitoringResults:
    """What a monitoring scenario computed, before anything is written."""

    flow: FlowField
    matrix: DetectionMatrix
    designs: dict[int, NetworkDesign]  # by number of new wells
    curve: list[dict]  # coverage-vs-wells rows
    sets: dict[str, np.ndarray]  # layout rules: label -> candidate indices
    recharge: dict  # {name: recharge area of the supply wells}
    zones: dict  # {map label: (geometry, style)}
    sources: list  # leak points (gwsim.Source)
    group: np.ndarray  # enterprise index of each leak point
    existing_idx: np.ndarray  # candidate indices of the existing wells


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


def write_outputs(scenario, r: MonitoringResults, out: Path, started: float, log) -> list[Path]:
    """Write a monitoring scenario's tables, GeoJSON, maps and summary; return the paths."""
    flow, matrix, designs, curve = r.flow, r.matrix, r.designs, r.curve
    sets, recharge, zones, sources, group = r.sets, r.recharge, r.zones, r.sources, r.group
    existing_idx = r.existing_idx
    attrs = provenance_attrs(scenario.inputs_hash, executables=["mf6"])
    attrs.update(scenario=scenario.name, scenario_file=str(scenario.source))
    names = [e.name for e in scenario.enterprises]
    footprints = {e.name: e.footprint for e in scenario.enterprises}
    high = {e.name for e in scenario.enterprises if e.high_risk}
    xy = np.array([[s.x, s.y] for s in sources])
    supply = {
        (float(flow.grid.xcenters[r_, c_]), float(flow.grid.ycenters[r_, c_]))
        for name in scenario.receptors["wells"]
        for _, r_, c_ in resolve_wells(flow, [name])[0].cells
    }
    written = []
    by_enterprise = []
    for n in scenario.design["n_wells"]:
        d = designs[n]
        rules = sets if n >= scenario.apply_from else {}
        radius = scenario.layout.flank_radius if scenario.layout else LayoutRules().flank_radius
        rows = well_rows(flow, d, group, names, high, rules, footprints, recharge, radius)
        written += write_wells(
            rows, out, f"wells_{n}", flow.grid.crs, attrs, f"{scenario.name}: {n}-well network"
        )
        shown = [
            {
                "index": row["candidate"],
                "name": row["name"],
                "purpose": "existing" if row["existing"] else row["purpose"],
                "sees": np.flatnonzero(d.detects[:, row["candidate"]] > 0),
            }
            for row in rows
        ]
        ax = plot_network(
            flow,
            matrix.candidates,
            shown,
            xy,
            {e.name: e.footprint for e in scenario.enterprises},
            zones,
            supply,
            title=f"{scenario.name}: {n} new wells, {100 * d.coverage:.0f} % of leaks detected in time",
        )
        written.append(save_figure(ax.figure, out / f"network_map_{n}.png"))
        for g, name in enumerate(names):
            mine = group == g
            by_enterprise.append(
                {
                    "n_wells": n,
                    "enterprise": name,
                    "detected_share": round(float(d.source_probability[mine].mean()), 3),
                    "earliest_detection_d": round(float(d.source_time[mine].min()), 1),
                    "reaches_receptor_d": round(float(matrix.receptor_time[:, mine].min()), 1),
                }
            )
    written += write_table(
        curve, out, "coverage_curve", attrs, f"{scenario.name}: coverage vs wells"
    )
    written.append(
        save_figure(
            plot_coverage_curve(curve, f"{scenario.name}: coverage vs number of wells").figure,
            out / "coverage_curve.png",
        )
    )
    written += write_table(
        by_enterprise,
        out,
        "detection_by_enterprise",
        attrs,
        f"{scenario.name}: detection by enterprise",
    )
    if len(existing_idx):
        ev = evaluate_network(matrix, existing_idx, designs[max(scenario.design["n_wells"])].chosen)
        rows = [
            {
                "coverage_existing": round(ev.coverage, 4),
                "coverage_with_proposed": round(ev.coverage_with_proposed, 4),
            }
        ]
        written += write_table(ev.wells, out, "existing_wells", attrs, "Existing wells")
        written += write_table(
            ev.proposed + rows, out, "proposed_value", attrs, "What each proposed well adds"
        )
    if scenario.attribution:
        written += attribution_example(scenario, r, out, attrs, log)
    summary = {
        "scenario": scenario.name,
        "coverage": {str(r["n_wells"]): r["coverage_milp"] for r in curve},
        "undetectable_leak_points": matrix.undetectable.tolist(),
        "seconds": round(time.perf_counter() - started, 1),
        **attrs,
    }
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2))
    written.append(out / "summary.json")
    log(f"scenario {scenario.name}: wrote {len(written)} files to {out}")
    return written


def attribution_example(scenario, r: MonitoringResults, out: Path, attrs: dict, log) -> list[Path]:
    """A leak from the named enterprise, detected (or not) by the wells of one design.

    The wells are sampled when the last of the detecting wells first sees the leak (t_obs);
    a detecting well's travel-time window is (0, its first detection), a non-detecting
    well's (0, t_obs): the leak started at most that long ago."""
    flow, matrix, designs, group = r.flow, r.matrix, r.designs, r.group
    a = scenario.attribution
    design = designs[a["n_wells"]]
    true = [e.name for e in scenario.enterprises].index(a["enterprise"])
    first = design.detection_time[group == true][:, design.network].min(axis=0)
    if not np.isfinite(first).any():
        log(f"scenario {scenario.name}: no well of the design sees {a['enterprise']}: no example")
        return []
    t_obs = float(first[np.isfinite(first)].max())
    detections = [
        Detection(
            tuple(matrix.candidates[c, :2]),
            (0.0, float(t) if np.isfinite(t) else t_obs),
            1.0 if np.isfinite(t) else None,
            name=f"MW{k + 1}",
        )
        for k, (c, t) in enumerate(zip(design.network, first, strict=True))
    ]
    footprints = {e.name: e.footprint for e in scenario.enterprises}
    result = attribute_source(
        flow,
        detections,
        footprints,
        particles=a["particles"],
        dispersivity=tuple(scenario.detection["dispersivity"]),
        log_sigma=None,
    )
    rows = [{"true_enterprise": a["enterprise"], **r} for r in result.ranking]
    probability = {r["enterprise"]: r["probability"] for r in result.ranking}
    written = write_table(
        rows, out, "attribution", attrs, f"Attribution of a leak from {a['enterprise']}"
    )
    ax = plot_origin(
        flow,
        result.origin,
        detections,
        result.detected,
        footprints,
        probability,
        title=f"Leak from {a['enterprise']} seen by {int(result.detected.sum())} wells: likely origin",
    )
    written.append(save_figure(ax.figure, out / "attribution_map.png"))
    origin = result.origin.to_dataset()
    origin.attrs.update(attrs)
    with atomic_path(out / "attribution_origin.nc") as tmp:
        origin.to_netcdf(tmp, engine="netcdf4")
    written.append(out / "attribution_origin.nc")
    log(
        f"scenario {scenario.name}: attribution ranks {result.most_likely} first (true: {a['enterprise']})"
    )
    return written
