"""Risk maps: what they draw (gwsim.risk.geometry), where the model puts it, the GeoJSON files,
and the figures (gwsim.risk.plots) drawing each option's structures.

The model of the control tests (one confined layer, 21 x 40 cells of 2 m, origin (0, 0), a source
well at row 10, column 30, i.e. (61, 21)); a plant on the 3 x 3 cells of x, y in 18-24 m. The
references are the cells' own edges and centres: a wall around the plant's block runs along the
block's outline (24 m), a barrier polygon 4 m wide holds the centres of 2 columns (x = 35, 37 m).
Coordinates must agree to round-off (1e-9 m). The figures draw synthetic plumes (no transport
run): they must show exactly the structures and curves they are given.
"""

import json
import warnings

import numpy as np
import pytest
import shapely
import xarray as xr
from builders import uniform_spec
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch

from gwsim.capture import capture_zone
from gwsim.engines import run_flow
from gwsim.mapping import save_figure
from gwsim.protection import protection_zones
from gwsim.risk import (
    AntiSeepage,
    Contaminant,
    CutoffWall,
    Enterprise,
    HydraulicContainment,
    LeakCase,
    NaturalAttenuation,
    ReactiveBarrier,
    Receptor,
    leak_cells,
    receptor_probe,
)
from gwsim.risk.control import ControlComparison
from gwsim.risk.geometry import control_features, risk_site, source_zones
from gwsim.risk.leak_transport import RunResult
from gwsim.risk.plots import plot_option_breakthrough, plot_option_maps, plot_risk_map
from gwsim.risk.receptors import resolve_zone_receptors, zone_captures
from gwsim.solute import Plume
from gwsim.spec import Boundary

pytestmark = [
    pytest.mark.needs_mf6,
    # an 80 x 42 m model: every capture zone reaches its west edge
    pytest.mark.filterwarnings("ignore::gwsim.errors.TruncatedZoneWarning"),
]

PLANT = Enterprise(
    "plant",
    shapely.box(18.0, 18.0, 24.0, 24.0),
    [Contaminant("nitrite_n", concentration=100.0)],
    [LeakCase("continuous", seepage=0.05)],
)
OPTIONS = [
    NaturalAttenuation(),
    AntiSeepage(0.1),
    CutoffWall(k=1e-2, thickness=0.6),
    HydraulicContainment(((33.0, 21.0, 4.0),)),
    ReactiveBarrier(shapely.box(34.0, 0.0, 38.0, 42.0), decay=0.5),
]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    spec = uniform_spec(21, 40, 2.0)
    spec.boundaries.append(Boundary("wel", "source", [(0, 10, 30)], {"rate": -4.0}))
    return spec, run_flow(spec, tmp_path_factory.mktemp("flow"))


def probes(flow):
    return [
        receptor_probe(flow, Receptor("mw", "monitoring_well", (45.0, 21.0)), "mw"),
        receptor_probe(flow, Receptor("source", "source_well", "source"), "source"),
    ]


def synthetic_run(flow, peak: float) -> RunResult:
    """A Gaussian plume moving east from the plant at 0.02 m/d, ``peak`` mg/L at its centre
    (the Class III limit of nitrite is 1 mg/L)."""
    times = np.array([10.0, 100.0, 1000.0])
    x, y = flow.grid.xcenters, flow.grid.ycenters
    c = np.stack([peak * np.exp(-((x - 21 - 0.02 * t) ** 2 + (y - 21) ** 2) / 200) for t in times])
    concentration = xr.DataArray(
        c[:, None],
        dims=("time", "layer", "y", "x"),
        coords={"time": times, "layer": [0], "y": y[:, 0], "x": x[0]},
    )
    plume = Plume(concentration, None, None, {}, flow)
    found = probes(flow)
    series = {p.name: p.series(concentration.values) for p in found}
    return RunResult(PLANT.name, *PLANT.contaminants, *PLANT.cases, 1.0, plume, series, found)


@pytest.fixture(scope="module")
def comparison(model):
    """The options, their changes and a run each, as compare_options keeps them (synthetic
    plumes, no transport run)."""
    spec, flow = model
    cells = leak_cells(flow, PLANT.footprint, "plant")
    return ControlComparison(
        [],
        {o.label: synthetic_run(flow, 5.0 / (i + 1)) for i, o in enumerate(OPTIONS)},
        options={o.label: o for o in OPTIONS},
        changes={o.label: o.change(spec, flow, cells) for o in OPTIONS},
    )


def test_wall_follows_the_outline_of_the_plants_block(model, comparison):
    _, flow = model
    (wall,) = control_features(flow, OPTIONS[2], comparison.changes["cut-off wall"])
    assert wall.kind == "cutoff_wall" and wall.geometry.is_ring  # closed around the block
    outline = PLANT.footprint.exterior
    assert shapely.hausdorff_distance(wall.geometry, outline) == pytest.approx(0.0, abs=1e-9)
    assert wall.properties["length_m"] == pytest.approx(24.0)
    assert wall.properties["thickness_m"] == 0.6 and wall.properties["k_m_per_d"] == 1e-2
    assert wall.properties["k_over_thickness_per_d"] == pytest.approx(1e-2 / 0.6)
    assert wall.properties["layers"] == [0]


def test_barrier_wells_and_liner(model, comparison):
    _, flow = model
    (barrier,) = control_features(flow, OPTIONS[4], comparison.changes["reactive barrier"])
    assert barrier.geometry.equals(OPTIONS[4].polygon)
    assert barrier.properties["model_cells_per_layer"] == 2 * 21  # centres x = 35, 37 m
    assert barrier.properties["extra_decay_per_d"] == 0.5
    (well,) = control_features(flow, OPTIONS[3], comparison.changes["hydraulic containment"])
    assert (well.geometry.x, well.geometry.y) == (33.0, 21.0)
    assert well.properties["rate_m3_d"] == 4.0
    for option in OPTIONS[:2]:
        assert control_features(flow, option, comparison.changes[option.label]) == []


def test_geojson_files_carry_crs_names_and_units(model, comparison, tmp_path):
    """The files hold what the site holds: same coordinates, CRS of the model, provenance,
    names in both languages and the option that builds each structure."""
    _, flow = model
    site = risk_site(flow, [PLANT], probes(flow), comparison, zones=None)
    written = site.write(tmp_path, {"gwsim_version": "test"})
    names = sorted(p.name for p in written)
    assert names == [
        "control_structures.geojson",
        "enterprises.geojson",
        "protection_zones.geojson",
        "receptors.geojson",
    ]
    data = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in written}
    for collection in data.values():
        assert collection["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::4548"
        assert collection["gwsim"]["gwsim_version"] == "test"
    (plant,) = data["enterprises"]["features"]
    assert shapely.geometry.shape(plant["geometry"]).equals(PLANT.footprint)
    assert plant["properties"]["area_m2"] == 36.0 and plant["properties"]["name_en"] == "plant"
    receptors = {f["properties"]["name"]: f for f in data["receptors"]["features"]}
    assert receptors["mw"]["geometry"]["coordinates"] == [45.0, 21.0]  # its cell's centre
    assert receptors["source"]["geometry"]["coordinates"] == [61.0, 21.0]
    assert receptors["source"]["properties"]["kind_zh"] == "水源井"
    controls = data["control_structures"]["features"]
    assert [f["properties"]["kind"] for f in controls] == [
        "cutoff_wall",
        "containment_well",
        "reactive_barrier",
    ]
    wall = controls[0]["properties"]
    assert wall["name_zh"] == "垂直防渗墙：cut-off wall" and wall["option"] == "cut-off wall"
    ring = np.array(controls[0]["geometry"]["coordinates"])
    np.testing.assert_allclose(ring[0], ring[-1])  # written as a closed line


def test_source_zones_are_those_of_the_well_by_name(model):
    """The zones drawn on a risk map are HJ 338's of the source well: the same whether the well
    is named or given by its pumping column (areas within 1e-6 relative)."""
    _, flow = model
    probe = receptor_probe(flow, Receptor("source", "source_well", "source"), "source")
    ours = source_zones(flow, [probe])
    reference = protection_zones(flow, {"source": ["source"]}, progress=False)
    for zone in ("class1", "class2", "quasi"):
        assert ours.sources[0].numerical[zone].area == pytest.approx(
            reference.sources[0].numerical[zone].area, rel=1e-6
        )
    monitoring = receptor_probe(flow, Receptor("mw", "monitoring_well", (45.0, 21.0)), "mw")
    assert source_zones(flow, [monitoring]) is None


def test_source_zones_reuse_the_zone_receptors_capture(model, monkeypatch):
    """The maps' protection zones reuse the capture zone tracked for the zone receptors (no
    second tracking run) and equal those tracked afresh (exactly: the same particles); the
    receptor zone tracked from the well's columns is the one tracked by its name (areas within
    1e-9 relative)."""
    _, flow = model
    receptors = [
        Receptor("source", "source_well", "source"),
        Receptor("class 2", "protection_zone", ("source", 1000.0)),
    ]
    captures = zone_captures(flow, receptors)
    resolved = resolve_zone_receptors(flow, receptors, captures)[1].location
    by_name = capture_zone(flow, ["source"], [1000.0], progress=False).polygons[1000.0]
    assert resolved.area == pytest.approx(by_name.area, rel=1e-9)
    probe = receptor_probe(flow, receptors[0], "source")
    afresh = source_zones(flow, [probe])

    def no_tracking(*args, **kwargs):
        raise AssertionError("the capture zone was tracked again")

    monkeypatch.setattr("gwsim.protection.capture_zone", no_tracking)
    reused = source_zones(flow, [probe], captures)
    for zone in ("class1", "class2", "quasi"):
        assert reused.sources[0].numerical[zone].equals(afresh.sources[0].numerical[zone])
        assert reused.sources[0].empirical[zone].equals(afresh.sources[0].empirical[zone])


def _no_missing_glyphs(draw):
    """Run ``draw``; fail on matplotlib's "Glyph … missing from font(s)" warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = draw()
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing[:3]
    return result


def test_option_maps_draw_each_options_structures(model, comparison, tmp_path):
    """One panel per option, each with its own structures only: the wall along the block's
    outline, the hatched barrier polygon, the containment well at its position."""
    _, flow = model
    site = risk_site(flow, [PLANT], probes(flow), comparison)
    target = comparison.runs["natural attenuation"]
    fig = _no_missing_glyphs(lambda: plot_option_maps(site, comparison, target))
    panels = {ax.get_title().split()[-1]: ax for ax in fig.axes if ax.get_title()}
    assert set(panels) == {"attenuation", "retrofit", "wall", "containment", "barrier"}

    def walls(ax):
        return [a for a in ax.lines if "cut-off wall" in a.get_label()]

    def barriers(ax):
        return [p for p in ax.patches if isinstance(p, PathPatch) and p.get_hatch() == "//"]

    def wells(ax):
        return [c for c in ax.collections if "containment well" in c.get_label()]

    (wall,) = walls(panels["wall"])
    ring = shapely.LineString(np.column_stack(wall.get_data()))
    assert shapely.hausdorff_distance(ring, PLANT.footprint.exterior) == pytest.approx(0, abs=1e-9)
    assert len(barriers(panels["barrier"])) == 1
    (well,) = wells(panels["containment"])
    np.testing.assert_allclose(well.get_offsets(), [[33.0, 21.0]])
    for name in ("attenuation", "retrofit"):
        assert not walls(panels[name]) and not barriers(panels[name]) and not wells(panels[name])
    assert save_figure(fig, tmp_path / "options.png").stat().st_size > 0


def test_risk_map_draws_zones_and_every_structure(model, comparison):
    _, flow = model
    site = risk_site(flow, [PLANT], probes(flow), comparison)
    ax = _no_missing_glyphs(lambda: plot_risk_map(site, comparison.runs["natural attenuation"]))
    legend = {t.get_text() for t in ax.figure.legends[0].get_texts()}
    for words in ("class 1 protection zone", "class 2 protection zone", "cut-off wall",
                  "containment well", "permeable reactive barrier", "enterprise", "source well",
                  "monitoring well", "Class III limit"):  # fmt: skip
        assert any(words in text for text in legend), words
    assert "plant" in {t.get_text() for t in ax.texts}


def test_option_breakthrough_curves_and_the_limit_line(comparison):
    """Per receptor, one curve per option (its series / the Class III limit of 1 mg/L) and the
    limit line at 1."""
    fig = plot_option_breakthrough(comparison)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == ["mw (monitoring_well)", "source (source_well)"]
    for ax, receptor in zip(shown, ["mw", "source"], strict=True):
        curves = [line for line in ax.lines if line.get_marker() == "."]
        assert len(curves) == len(OPTIONS)
        for line, run in zip(curves, comparison.runs.values(), strict=True):
            np.testing.assert_allclose(line.get_ydata(), run.series[receptor] / 1.0)
        (limit,) = [
            line for line in ax.lines if isinstance(line, Line2D) and "III" in line.get_label()
        ]
        assert set(limit.get_ydata()) == {1.0}
