"""Maps and sections draw from results alone: the flow field's K, boundary cells and levels."""

import subprocess
import sys
import warnings
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


def test_protection_map_draws_chinese_names_without_missing_glyphs(tmp_path):
    """A source named in Chinese on a bilingual map: matplotlib warns "Glyph … missing from
    font(s)" for every character its fonts lack; none may appear. Needs a CJK font, which
    `make setup` installs (the mplfonts wheel ships Noto Sans CJK SC)."""
    from builders import Q, uniform_flow_spec

    from gwsim.errors import TruncatedZoneWarning
    from gwsim.fonts import cjk_family
    from gwsim.protection import protection_zones

    if cjk_family() is None:
        pytest.skip("no CJK font on this machine (run `make setup`, which installs mplfonts)")
    flow = run_flow(uniform_flow_spec({"w1": (0, Q)}), tmp_path / "run")
    with pytest.warns(TruncatedZoneWarning):
        zones = protection_zones(
            flow, {"cj": ["w1"]}, names={"cj": {"zh": "查家水源地", "en": "Chajia"}}, progress=False
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = zones.plot(flow)
        save_figure(ax.figure, tmp_path / "map.png")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing[:3]
    texts = [t.get_text() for t in ax.texts]
    assert "查家水源地 Chajia" in texts


def test_map_labels_do_not_overlap(tmp_path):
    """Place names are moved until they overlap neither each other nor the scale bar and north
    arrow."""
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from gwsim.mapping import place_labels

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    placed = place_labels(ax, [{"text": f"label {i}", "xy": (5, 5)} for i in range(4)])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [Text.get_window_extent(p, renderer) for p in placed]  # the texts, not leaders
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    plt.close(fig)


def test_no_cjk_font_warns_once(monkeypatch):
    import gwsim.fonts as fonts
    from gwsim.errors import MissingFontWarning

    monkeypatch.setattr(fonts, "_bundled_file", lambda: None)
    monkeypatch.setattr(fonts, "SYSTEM_FAMILIES", ("No Such Font",))
    fonts.cjk_family.cache_clear()
    try:
        with pytest.warns(MissingFontWarning) as record:
            assert fonts.cjk_family() is None and fonts.cjk_family() is None
        assert len(record) == 1
    finally:
        fonts.cjk_family.cache_clear()


def test_vector_layer_in_longitude_latitude_is_reprojected(tmp_path):
    """A GeoJSON layer without a "crs" member is WGS 84 lon/lat (RFC 7946); on the central
    meridian 117°E, EPSG:4548's easting is its false easting, 500,000 m (the projection's
    definition), to a millimetre."""
    import json

    from gwsim.mapping import read_vector_layer

    path = tmp_path / "villages.geojson"
    feature = {"type": "Feature", "properties": {"name_zh": "查家"},
               "geometry": {"type": "Point", "coordinates": [117.0, 28.0]}}  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    (read,) = read_vector_layer(path, "EPSG:4548")
    assert read["geometry"].x == pytest.approx(500000.0, abs=1e-3)
    assert read["properties"]["name_zh"] == "查家"


def test_demo_layers_in_the_model_crs_are_read_as_they_are():
    """The demo's illustrative villages are in EPSG:4548 already: no reprojection."""
    from pathlib import Path

    from gwsim.mapping import read_vector_layer

    path = Path(__file__).parents[1] / "scenarios" / "demo_layers" / "villages.geojson"
    points = read_vector_layer(path, "EPSG:4548")
    first = points[0]["geometry"]
    assert (first.x, first.y) == (556450.0, 3123650.0)
    assert {p["properties"]["name_zh"] for p in points} == {"上村", "河口村", "下屋"}
