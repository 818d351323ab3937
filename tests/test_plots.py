"""Maps and sections draw from results alone: the flow field's K, boundary cells and levels."""

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from gwsim.engines import run_flow
from gwsim.errors import FlowFieldError
from gwsim.mapping import save_figure
from gwsim.plots import plot_cross_section


def test_cross_section_marks_river_stage_and_well_screen(tmp_path, steady_layered_spec):
    """Column 9 crosses the river (row 11, stage from the RIV input) and well W1 (row 6, layer 3,
    screened from its bottom, 0 m, to its top, 15 m); cells are coloured by the NPF K. Levels are
    those of the input files, which flopy writes to about 9 significant digits (rel 1e-8)."""
    spec = steady_layered_spec
    flow = run_flow(spec, tmp_path / "run")
    ax = plot_cross_section(flow, col=8, title="test")
    stage = ax.findobj(lambda a: a.get_label() == "river (stage)")[0]
    x, level = stage.get_offsets()[0]
    assert x == pytest.approx(10.5 * 50.0)
    assert level == pytest.approx(spec.boundary("river").values["stage"][8], rel=1e-8)
    screen = ax.findobj(lambda a: a.get_label() == "w1 (screen)")[0]
    np.testing.assert_allclose(screen.get_ydata(), [0.0, 15.0])
    colours = ax.collections[0].get_array()
    np.testing.assert_allclose(np.sort(colours), np.sort(flow.k[:, :, 8].ravel()))
    assert save_figure(ax.figure, tmp_path / "section.png").stat().st_size > 0


def test_cross_section_without_k_says_how_to_get_it(tmp_path, steady_layered_spec):
    flow = replace(run_flow(steady_layered_spec, tmp_path), k=None)
    with pytest.raises(FlowFieldError, match=r"K is unknown.*NPF"):
        plot_cross_section(flow, row=3)


def test_analysis_modules_do_not_load_matplotlib():
    code = (
        "import sys, gwsim.capture, gwsim.protection, gwsim.sensitivity, gwsim.wells;"
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
