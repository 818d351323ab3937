"""Draw the cross-section figures of the two site models (``models/<site>/cross_section.png``).

Builds each site model with its default parameters and variant, runs it with MODFLOW 6 in a
temporary folder, and draws a vertical section through a well of the source (across the valley for
Chajia, up the slope for Nancun) with :func:`gwsim.plots.plot_cross_section`. Run from the
repository root: ``.venv/bin/python models/plot_sections.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from gwsim.engines import run_flow
from gwsim.mapping import save_figure
from gwsim.plots import plot_cross_section
from gwsim.scenario import SiteModel

MODELS = Path(__file__).resolve().parent
# site folder -> (source wells, vertical exaggeration, title)
SECTIONS = {
    "valley_porous": ("chajia_wells", 10.0, "Chajia valley, divide to divide through a well"),
    "redbed_fracture": ("nancun_wells", 5.0, "Nancun catchment, divide to divide through a well"),
}


def main() -> list[Path]:
    """Write both figures; return their paths."""
    written = []
    for folder, (wells, exaggeration, title) in SECTIONS.items():
        site = SiteModel.from_table({"site": folder}, MODELS)
        spec = site.build()
        with tempfile.TemporaryDirectory() as work:
            flow = run_flow(spec, work)
        col = int(spec.boundary(wells).cells[0, 2])
        ax = plot_cross_section(flow, col=col, exaggeration=exaggeration, title=title)
        written.append(save_figure(ax.figure, site.folder / "cross_section.png", dpi=110))
    return written


if __name__ == "__main__":
    for path in main():
        print(path)
