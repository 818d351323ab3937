"""Files of an enterprise-risk run: ranked risk table, control-option table, figures, plume netCDF.

Everything is written after every transport run has finished, each file atomically and with the
provenance attributes it is given: ``risk_table.csv/.md``, ``control_options.csv/.md/.png`` and,
per transport run, ``plumes/<key>`` (ranked runs) or ``control/<option>`` (option runs) ``.nc``,
``_map.png`` and ``_breakthrough.png``; the site files and maps of :mod:`gwsim.risk.maps`
(enterprises, receptors, control structures and protection zones as GeoJSON, ``risk_map.png``,
``control_options_map.png``, ``control_breakthrough.png``).
"""

from __future__ import annotations

from pathlib import Path

from gwsim.mapping import save_figure
from gwsim.risk.assessment import RiskAssessment
from gwsim.risk.control import ControlComparison
from gwsim.risk.leak_transport import RunResult, plume_at
from gwsim.risk.leaks import Enterprise
from gwsim.risk.maps import write_site_maps
from gwsim.risk.plots import plot_breakthrough, plot_control_options, plot_plume_map
from gwsim.writers import write_table


def plume_runs(
    risk: RiskAssessment, comparison: ControlComparison | None, target: RunResult | None
) -> list[tuple[str, RunResult, str]]:
    """(file stem, run, figure title, control option label or "") of every transport run: the
    ranked runs, then each control option's run other than ``target`` (the ranked run the
    options were compared for)."""
    runs = [(f"plumes/{r.key}", r, "", "") for r in risk.runs]
    if comparison is not None:
        runs += [
            (f"control/{label.replace(' ', '_')}", r, f"{target.key}: {label}", label)
            for label, r in comparison.runs.items()
            if r is not target
        ]
    return runs


def write_risk_outputs(
    out: Path,
    name: str,
    risk: RiskAssessment,
    comparison: ControlComparison | None,
    target: RunResult | None,
    enterprises: list[Enterprise],
    attrs: dict,
    outputs: dict,
) -> list[Path]:
    """Write the tables, figures and netCDF files of a risk run into ``out``; return the paths.

    ``attrs`` are the provenance attributes (the transport engine and why are added); ``outputs``
    switches the per-run files: ``netcdf``, ``maps``, ``curves`` (bool).
    """
    why = risk.engine_reason
    attrs = {**attrs, "transport_engine": why}
    written = write_table(
        risk.rows,
        out,
        "risk_table",
        attrs,
        f"{name}: enterprise risk ranking",
        "Ranked by the largest peak / GB/T 14848 Class III ratio at a source well, then at "
        "any receptor. captured_share: share of footprint particles the source's wells "
        "capture (forward tracking); exceeds_limit_at_d: first exceedance (linear between "
        f"output times). Transport engine: {why}.",
    )
    if comparison is not None:
        written += write_table(
            comparison.rows,
            out,
            "control_options",
            attrs,
            f"Control options for {target.enterprise}: {target.contaminant.name}, "
            f"{target.case.name} case",
            "mass_leaving_site_g: mass crossing the site boundary over the run, less what "
            "containment wells pump back and a reactive barrier destroys (0: not reached), so a "
            "wall that only delays reads as a later arrival; pumping_volume_m3: containment pumping over the "
            "simulated time (cost proxy); containment_captured_share: share of footprint "
            "particles the containment wells capture.",
        )
        fig = plot_control_options(
            comparison.rows, f"Control options for {target.enterprise} ({target.key})"
        )
        written.append(save_figure(fig, out / "control_options.png"))
    site, files = write_site_maps(out, risk, comparison, target, enterprises, attrs, outputs)
    written += files
    for stem, run, title, option in plume_runs(risk, comparison, target):
        run.plume.attrs.update(attrs)
        if outputs["netcdf"]:
            written.append(plume_at(run.plume, risk.times).to_netcdf(out / f"{stem}.nc"))
        if outputs["maps"]:
            ax = plot_plume_map(run, enterprises, title, site, site.controls_of(option))
            written.append(save_figure(ax.figure, out / f"{stem}_map.png"))
        if outputs["curves"]:
            ax = plot_breakthrough(run, title)
            written.append(save_figure(ax.figure, out / f"{stem}_breakthrough.png"))
    return written
