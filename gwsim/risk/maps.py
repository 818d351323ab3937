"""The site files and maps of an enterprise-risk run (one call from :mod:`gwsim.risk.outputs`).

Writes, beside the risk tables: the GeoJSON of :class:`gwsim.risk.geometry.RiskSite`
(enterprises, receptors, control structures, the source wells' protection zones); with maps on,
``risk_map.png`` (the worst run's plume with everything on the site) and, when options were
compared, ``control_options_map.png`` (one map per option with the structures it builds); with
curves on, ``control_breakthrough.png`` (every option's curve per receptor, Class III limit line).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gwsim.mapping import save_figure
from gwsim.protection import ProtectionZones
from gwsim.risk.assessment import RiskAssessment
from gwsim.risk.control import ControlComparison
from gwsim.risk.geometry import RiskSite, risk_site
from gwsim.risk.leak_transport import RunResult
from gwsim.risk.leaks import Enterprise
from gwsim.risk.plots import plot_option_breakthrough, plot_option_maps, plot_risk_map


def write_site_maps(
    out: Path,
    risk: RiskAssessment,
    comparison: ControlComparison | None,
    target: RunResult | None,
    enterprises: Sequence[Enterprise],
    attrs: dict,
    outputs: dict,
    zones: ProtectionZones | None = None,
) -> tuple[RiskSite, list[Path]]:
    """Write the site's GeoJSON files and maps into ``out``; return the site (the per-run maps
    draw it too) and the paths. ``outputs``: ``maps`` and ``curves`` (bool) switch the figures;
    ``zones``: the scenario's protection zones (default: those of the source wells on the run's
    flow field, from the capture zones the assessment tracked for its zone receptors)."""
    worst = risk.worst()
    site = risk_site(worst.plume.flow, enterprises, worst.probes, comparison, zones, risk.captures)
    written = site.write(out, attrs)
    if outputs["maps"]:
        ax = plot_risk_map(site, worst)
        written.append(save_figure(ax.figure, out / "risk_map.png"))
        if comparison is not None:
            fig = plot_option_maps(site, comparison, target)
            written.append(save_figure(fig, out / "control_options_map.png"))
    if outputs["curves"] and comparison is not None:
        fig = plot_option_breakthrough(comparison)
        written.append(save_figure(fig, out / "control_breakthrough.png"))
    return site, written
