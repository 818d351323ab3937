"""A short Markdown report of a scenario run: inputs, water balance, zones, key assumptions."""

from __future__ import annotations

from pathlib import Path

from gwsim.flowfield import FlowField
from gwsim.writers import atomic_path, markdown_table


def _grid_lines(flow: FlowField) -> list[str]:
    return [
        f"- Grid: {flow.grid.nlay} layers × {flow.grid.nrow} rows × {flow.grid.ncol} columns, cells "
        f"{flow.grid.delr.min():g}–{flow.grid.delr.max():g} m × {flow.grid.delc.min():g}–{flow.grid.delc.max():g} m, "
        f"origin ({flow.grid.xorigin:.0f}, {flow.grid.yorigin:.0f}) m in {flow.grid.crs or 'model coordinates'}",
        f"- Flow: {'steady state' if flow.steady else f'transient, {flow.ntimes} saved steps'}; "
        f"volume-budget discrepancy {flow.percent_discrepancy:.3f} %"
        if flow.percent_discrepancy is not None
        else "- Flow: budget discrepancy not reported",
    ]


def _params_table(params: dict) -> str:
    rows = [
        {"parameter": key, "value": p.value, "unit": p.unit, "source": p.source}
        for key, p in params.items()
    ]
    return markdown_table(rows)


def _assumptions(
    flow: FlowField, params: dict | None, zones, sensitivity: list[dict] | None
) -> list[str]:
    notes = []
    if params:
        unverified = [
            k
            for k, p in params.items()
            if "verify" in p.source.lower() or "typical" in p.source.lower()
        ]
        if unverified:
            notes.append(
                f"{len(unverified)} parameters are typical values, not surveyed ones "
                f"({', '.join(unverified[:8])}{', …' if len(unverified) > 8 else ''}): replace them "
                "with site data before the zones are used for decisions."
            )
    notes.append(
        "Travel times scale with the effective porosity n (R = α·K·I·T/n; capture-zone isochrones ∝ n): "
        "n is the least known parameter, especially in fractured rock."
    )
    notes.append(
        "Steady-state flow at design pumping: seasonal changes of river stage and recharge shift the "
        "zones; check them with the transient variant where one exists."
        if flow.steady
        else "Transient flow: zones follow particles released at the start of the simulation."
    )
    if zones is not None:
        cut = [s.name for s in zones.sources if any(s.truncated.values())]
        if cut:
            notes.append(
                f"The outer zone of {', '.join(cut)} reaches the model edge and is cut there: the "
                "recharge area continues beyond the model (the edge is a head or flux boundary)."
            )
    if sensitivity:
        worst = max(sensitivity, key=lambda r: abs(r.get("class2_change_pct") or 0.0))
        notes.append(
            f"The class-2 zone is most sensitive to {worst['parameter']} (×{worst['factor']:g} changes "
            f"its area by {worst['class2_change_pct']:+.0f} % for {worst['source']}): survey it first."
        )
    return notes


def write_report(
    path: str | Path,
    title: str,
    description: str,
    flow: FlowField,
    params: dict | None = None,
    zones=None,
    sensitivity: list[dict] | None = None,
    figures: dict[str, str] | None = None,
    checks: list[str] | None = None,
) -> Path:
    """Write the scenario report as Markdown (atomically); returns its path.

    ``figures`` maps a caption to an image file name beside the report; ``checks`` are the input
    checks' lines (plausibility warnings, converted units) to record.
    """
    lines = [f"# {title}", "", description, ""]
    lines += [
        f"*gwsim {flow.attrs.get('gwsim_version', '?')}, inputs sha256 "
        f"{flow.attrs.get('inputs_sha256', '?')[:16]}…, {flow.attrs.get('date_created', '')}*",
        "",
    ]
    lines += ["## Model", "", *_grid_lines(flow), ""]
    if params:
        lines += ["### Parameters (value, unit, source)", "", _params_table(params)]
    budget = [
        {"boundary": name, "in_m3_per_d": round(q_in, 1), "out_m3_per_d": round(q_out, 1)}
        for name, (q_in, q_out) in flow.budget().items()
    ]
    lines += ["## Water balance (last time step)", "", markdown_table(budget)]
    if zones is not None:
        lines += ["## Protection zones (HJ 338-2018)", "", markdown_table(zones.table())]
        for src in zones.sources:
            shares = ", ".join(
                f"{k} {100 * v:.0f} %" for k, (_, v) in src.capture.recharge_sources.items()
            )
            rate = sum(w.rate for w in src.capture.wells)
            lines.append(f"- {src.name}: pumping {rate:.0f} m³/d; water from {shares or 'unknown'}")
        lines.append("")
    if sensitivity:
        lines += ["## Sensitivity (one at a time)", "", markdown_table(sensitivity)]
    for caption, name in (figures or {}).items():
        lines += [f"![{caption}]({name})", ""]
    if checks:
        lines += ["## Input checks", "", *[f"- {line}" for line in checks], ""]
    lines += ["## Assumptions that matter most", ""]
    lines += [
        f"{i}. {note}" for i, note in enumerate(_assumptions(flow, params, zones, sensitivity), 1)
    ]
    text = "\n".join(lines).rstrip() + "\n"
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(text)
    return path
