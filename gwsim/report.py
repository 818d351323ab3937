"""A short Markdown report of a scenario run: inputs, water balance, zones, key assumptions.

For protection zones it states, per source: the zones of both methods; K, I, n, T and α of every
well and where each came from; the outer zone's water balance (area × recharge rate against the
recharge share × pumping) and why the zone reaches where it does; which method should govern
(HJ 338-2018) and why; and the assumption that moves each zone most.
"""

from __future__ import annotations

from pathlib import Path

from gwsim.flowfield import FlowField
from gwsim.names import ZONE_NAMES, label
from gwsim.sensitivity import most_sensitive
from gwsim.writers import atomic_path, markdown_table

_KIND = {
    "recharge": "rain recharge",
    "river": "river leakage",
    "boundary": "inflow through model boundaries",
    "injection": "injection",
}


def grid_lines(flow: FlowField) -> list[str]:
    """Markdown bullet lines describing the model grid (layers, cell sizes in m, origin, CRS)
    and the flow (steady or transient, volume-budget discrepancy in %)."""
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
        cut = [s.name for s in zones.sources if s.truncated["quasi"]]
        if cut:
            notes.append(
                f"The outer zone of {', '.join(cut)} reaches the model edge: water enters there "
                "through a head or flux boundary, and the recharge area continues beyond the model."
            )
    if sensitivity:
        for source, zones_ in most_sensitive(sensitivity).items():
            moves = ", ".join(
                f"{label(ZONE_NAMES[z], 'en').split(' protection')[0]}: {r['parameter']} "
                f"×{r['factor']:g} ({r[f'{z}_change_pct']:+.0f} %)"
                for z, r in zones_.items()
            )
            notes.append(f"What moves the zones of {source} most: {moves}. Survey these first.")
    return notes


def _why_lines(src) -> list[str]:
    """The outer zone's balance and reach of one source, as sentences."""
    pumped = src.pumping
    lines = []
    for c in src.closure:
        share = 100 * c.captured / pumped
        rate = f" = {c.area_ha:.1f} ha × {c.rate_mm_a:.0f} mm/a" if c.kind == "recharge" else ""
        lines.append(
            f"  - {_KIND.get(c.kind, c.kind)}: {share:.0f} % of {pumped:.0f} m³/d = "
            f"{c.captured:.0f} m³/d; entering the outer zone {c.in_zone:.0f} m³/d{rate} "
            f"(closure {c.error_pct:+.1f} %); cut-off f* = {c.cutoff:.2f} "
            f"({c.outside:.0f} m³/d of the captured water enters where less of it reaches the wells)"
        )
    captured = sum(c.captured for c in src.closure)
    if captured > 0:
        in_zone = sum(c.in_zone for c in src.closure)
        lines.append(
            f"  - all entries: the wells capture {captured:.0f} m³/d of entering water "
            f"({100 * captured / pumped:.0f} % of the pumping; the rest is storage in transient "
            f"flow, or lattice error); {in_zone:.0f} m³/d enters the outer zone: closure "
            f"{100 * (in_zone / captured - 1):+.1f} %"
        )
    distance, direction = src.reach
    edges = src.truncated["quasi"]
    end = (
        f"it reaches the model's {' and '.join(edges)} edge, where water enters through a boundary"
        if edges
        else "it ends inside the model, where the entering water no longer reaches the wells"
    )
    lines.append(
        f"  - reach: {distance:.0f} m {direction} of the nearest well; {end}. Inside the zone at "
        "least f* of the water entering reaches the wells; beyond it less does, the rest going to "
        "the river, drains or the model's outflow."
    )
    if src.capture.cycles:
        lines.append(
            f"  - seasonal flow: the last cycle was repeated {src.capture.cycles} times until the "
            f"zones stopped changing ({src.capture.still_moving} particles still moving)."
        )
    return lines


def _zone_lines(zones) -> list[str]:
    lines = ["## Protection zones (HJ 338-2018)", "", markdown_table(zones.table())]
    lines += [
        "Empirical zones: one circle per production well, R = α·K·I·T/n, the radii above and on "
        "the map being these:",
        "",
        markdown_table(zones.well_table()),
        "### Outer zone (准保护区): where the pumped water enters",
        "",
        "Each entry cell of the model carries its inflow and the fraction f of it that reaches "
        "the wells; the outer zone takes the cells with the largest f until its inflow equals "
        "the wells' share of that water (cut-off f*), joined with class 2. Water balance:",
        "",
        markdown_table(zones.closure_table()),
    ]
    for src in zones.sources:
        lines.append(f"- **{label(src.names, 'both')}**, pumping {src.pumping:.0f} m³/d:")
        lines += _why_lines(src)
    lines += ["", "### Which method governs", ""]
    lines += [f"- **{label(src.names, 'both')}**: {src.recommendation()}" for src in zones.sources]
    lines.append("")
    return lines


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
    lines += ["## Model", "", *grid_lines(flow), ""]
    if params:
        lines += ["### Parameters (value, unit, source)", "", _params_table(params)]
    budget = [
        {"boundary": name, "in_m3_per_d": round(q_in, 1), "out_m3_per_d": round(q_out, 1)}
        for name, (q_in, q_out) in flow.budget().items()
    ]
    lines += ["## Water balance (last time step)", "", markdown_table(budget)]
    if zones is not None:
        lines += _zone_lines(zones)
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
        tmp.write_text(text, encoding="utf-8")
    return path
