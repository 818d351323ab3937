"""Products of a reduced ensemble: probability maps (netCDF with CF attributes, PNG, GeoJSON of
the zones that hold with 50/90/95 % probability), zone-area percentiles and the parameters that
drive the spread (Spearman rank correlation), and a Markdown report section; then the products of
the plan's analyses (risk: :mod:`.risk_products`; detection: :mod:`.detection_products`), each
with its report section. Areas in ha, coordinates in the model CRS (m), probabilities as fractions
0..1.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xarray as xr
from shapely.geometry import mapping

from gwsim.ensemble.plotting import plot_probability
from gwsim.ensemble.realization import FAILURE_KINDS, MAPS, failure_kind, subcell_centres
from gwsim.ensemble.runner import EnsembleRun
from gwsim.grid import xy_coords
from gwsim.subcells import mask_to_polygon
from gwsim.writers import atomic_path, markdown_table, write_geojson, write_table

LEVELS = (0.5, 0.9, 0.95)  # probabilities of the probabilistic zones
PERCENTILES = (5, 10, 50, 90, 95)


def probability_dataset(run: EnsembleRun, attrs: dict) -> xr.Dataset:
    """Capture probabilities per sub-cell and the deterministic zones, CF-1.8 attributes."""
    grid = run.flow.grid
    coords = xy_coords(*subcell_centres(run.flow, run.lattice), rotated=grid.angrot != 0)
    data = {}
    for name, (_, meaning) in MAPS.items():
        data[f"p_{name}"] = (
            ("y", "x"),
            run.reducer.probability(name).astype("float32"),
            {
                "long_name": f"probability that {meaning}",
                "units": "1",
                "grid_mapping": "crs",
                "valid_range": np.array([0.0, 1.0], "float32"),
            },
        )
        data[f"deterministic_{name}"] = (
            ("y", "x"),
            run.deterministic.mask(name).astype("int8"),
            {
                "long_name": f"deterministic run: {meaning} (1 yes, 0 no)",
                "units": "1",
                "grid_mapping": "crs",
                "flag_values": np.array([0, 1], "int8"),
                "flag_meanings": "outside inside",
            },
        )
    data["crs"] = ((), np.int32(0), {"crs_wkt": grid.crs_wkt(), "spatial_ref": grid.crs_wkt()})
    ds = xr.Dataset(data, coords=coords)
    ds.attrs = {
        "Conventions": "CF-1.8",
        "title": "gwsim ensemble: capture probabilities of drinking-water sources",
        "realizations": run.reducer.n,
        "failed_realizations": len(run.reducer.failed),
        "lattice": "sub-cells of the capture-zone lattice (capture_zone subdivisions)",
        **attrs,
    }
    return ds


def probability_zones(run: EnsembleRun) -> dict[str, dict[float, object]]:
    """{map: {probability level: geometry where the probability is at least that}}."""
    xe, ye = run.lattice
    return {
        name: {
            level: mask_to_polygon(run.flow, run.reducer.probability(name) >= level - 1e-12, xe, ye)
            for level in LEVELS
        }
        for name in MAPS
    }


def area_rows(run: EnsembleRun) -> list[dict]:
    """Zone areas (ha): deterministic, mean and percentiles over the realizations."""
    rows = []
    for key in run.reducer.keys("areas"):
        values = run.reducer.column("areas", key)
        pct = np.percentile(values, PERCENTILES)
        rows.append(
            {
                "zone": key,
                "deterministic_ha": round(run.deterministic.areas[key], 2),
                "mean_ha": round(float(values.mean()), 2),
                **{f"p{p}_ha": round(float(v), 2) for p, v in zip(PERCENTILES, pct, strict=True)},
            }
        )
    return rows


def driver_rows(run: EnsembleRun) -> list[dict]:
    """Spearman rank correlation of each sampled value with each zone area; strongest first."""
    from scipy.stats import spearmanr

    rows = []
    for zone in run.reducer.keys("areas"):
        area = run.reducer.column("areas", zone)
        for key in run.reducer.keys("values"):
            value = run.reducer.column("values", key)
            if run.reducer.n < 3 or np.ptp(value) == 0 or np.ptp(area) == 0:
                continue
            rho = float(spearmanr(value, area).statistic)
            rows.append({"zone": zone, "parameter": key, "spearman_rho": round(rho, 3)})
    return sorted(rows, key=lambda r: (r["zone"], -abs(r["spearman_rho"])))


def write_products(run: EnsembleRun, out: str | Path, title: str, attrs: dict) -> list[Path]:
    """Write every product into ``out``; return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written, report = (
        [],
        [
            f"# {title}: uncertainty",
            "",
            *_failures(run.reducer.failed, run.reducer.n + len(run.reducer.failed)),
        ],
    )
    if run.zones is not None:
        paths, lines = _capture_products(run, out, title, attrs)
        written += paths
        report += lines
    for name, reducer in run.reducer.analyses.items():
        prefix = f"{name}."
        deterministic = {
            k[len(prefix) :]: v for k, v in run.deterministic.extras.items() if k.startswith(prefix)
        }
        paths, lines = reducer.write(out, deterministic, run.flow, title, attrs)
        written += paths
        report += lines
    with atomic_path(out / "ensemble_report.md") as tmp:
        tmp.write_text("\n".join(report), encoding="utf-8")
    written.append(out / "ensemble_report.md")
    summary = {
        "realizations": run.reducer.n,
        "failed": {str(i): reason for i, reason in sorted(run.reducer.failed.items())},
        "failed_by_kind": failure_counts(run.reducer.failed),
        "resumed": run.resumed,
        "workers": run.workers,
        "wall_s": run.wall_s,
        "mean_timings_s": {
            k: float(np.mean(run.reducer.column("timings", k))) for k in run.reducer.keys("timings")
        },
        "products": (["capture"] if run.zones is not None else []) + list(run.reducer.analyses),
        **attrs,
    }
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2))
    written.append(out / "summary.json")
    return written


def _capture_products(run: EnsembleRun, out: Path, title: str, attrs: dict):
    """Probability maps, zones, area and driver tables; returns (paths, report lines)."""
    from gwsim.mapping import save_figure

    written = []
    ds = probability_dataset(run, attrs)
    with atomic_path(out / "probability.nc") as tmp:
        ds.to_netcdf(tmp)
    written.append(out / "probability.nc")
    zones = probability_zones(run)
    features = [
        {
            "geometry": mapping(geom),
            "properties": {"map": name, "probability_at_least": level, "area_ha": geom.area / 1e4},
        }
        for name, by_level in zones.items()
        for level, geom in by_level.items()
        if not geom.is_empty
    ]
    written.append(
        write_geojson(out / "probability_zones.geojson", features, run.flow.grid.crs, attrs)
    )
    figure = plot_probability(run, zones, title)
    written.append(save_figure(figure, out / "probability_map.png"))
    areas, drivers = area_rows(run), driver_rows(run)
    written += write_table(areas, out, "zone_areas", attrs, "Zone areas over the ensemble (ha)")
    if drivers:
        written += write_table(drivers, out, "drivers", attrs, "What drives the spread")
    return written, _capture_report(run, areas, drivers, zones)


def failure_counts(failed: dict[int, str]) -> dict[str, int]:
    """{FAILURE_KINDS key: number of failed realizations of that kind} (kinds with any)."""
    kinds = [failure_kind(reason) for reason in failed.values()]
    return {kind: kinds.count(kind) for kind in FAILURE_KINDS if kind in kinds}


def _failures(failed: dict[int, str], total: int) -> list[str]:
    """Report lines on failed realizations of ``total`` (none when all succeeded), by kind: a
    well field that cannot deliver its rate is an outcome of the parameters, not of the solver."""
    if not failed:
        return []
    lines = [f"{len(failed)} of {total} realization(s) failed and are left out of every product:"]
    lines += [
        f"- {FAILURE_KINDS[kind]}: {n} of {total} realizations"
        for kind, n in failure_counts(failed).items()
    ]
    lines += ["", *(f"- {i}: {reason}" for i, reason in sorted(failed.items())[:20])]
    return [*lines, ""]


def _capture_report(run, areas, drivers, zones) -> list[str]:
    lines = [
        f"{run.reducer.n} realizations. Probabilistic zones: the area where water reaches the "
        "wells within the travel time in at least 50 %, 90 % or 95 % of the realizations.",
        "",
        "| map | " + " | ".join(f"P ≥ {int(lv * 100)} % (ha)" for lv in LEVELS) + " |",
        "|---|" + "---|" * len(LEVELS),
    ]
    for name, by_level in zones.items():
        lines.append(
            f"| {name} | " + " | ".join(f"{g.area / 1e4:.2f}" for g in by_level.values()) + " |"
        )
    lines += ["", "## Zone areas (ha)", "", markdown_table(areas).rstrip(), ""]
    lines += ["## Which parameter drives the spread", ""]
    if drivers:
        for zone in dict.fromkeys(r["zone"] for r in drivers):
            top = next(r for r in drivers if r["zone"] == zone)
            lines.append(
                f"- {zone}: **{top['parameter']}** (Spearman ρ = {top['spearman_rho']:+.2f})"
            )
        lines += ["", markdown_table(drivers).rstrip()]
    else:
        lines.append("Nothing varies, or too few realizations to rank.")
    return [*lines, "", "![probability maps](probability_map.png)", ""]
