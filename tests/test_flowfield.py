"""FlowField: cell balances, models gwsim did not build, export, bad input."""

import flopy
import numpy as np
import pytest
import xarray as xr

from gwsim import FlowField
from gwsim.engines import run_flow
from gwsim.errors import FlowFieldError
from gwsim.executables import find_executable

pytestmark = pytest.mark.needs_mf6


def cell_imbalance(flow: FlowField, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Net flow into each cell (faces + sources) and the cell's throughput (sum of inflows)."""
    parts = [flow.net_face_inflow(t)] + [q[t] for q in flow.sources.values()]
    face_terms = [
        flow.flow_right_face[t],
        np.roll(flow.flow_right_face[t], 1, axis=2),
        flow.flow_front_face[t],
        np.roll(flow.flow_front_face[t], 1, axis=1),
        flow.flow_lower_face[t],
        np.roll(flow.flow_lower_face[t], 1, axis=0),
    ]
    through = sum(np.abs(f) for f in face_terms) + sum(np.abs(q[t]) for q in flow.sources.values())
    return sum(parts), through / 2.0


def test_every_cell_balances_in_a_transient_model(tmp_path, transient_layered_spec):
    """Faces + boundary flows + storage close each cell to < 1e-6 of its throughput.

    The solver closes the flow residual to 1e-6 m³/d (strict), so a cell passing ~1e1-1e3 m³/d
    balances to well under 1e-6 relative; a sign or face mix-up would be off by O(1).
    """
    flow = run_flow(transient_layered_spec, tmp_path)
    assert flow.ntimes == 11 and not flow.steady
    assert {"sto-ss", "sto-sy", "river", "w1", "rain", "et", "ditch", "west", "east"} <= set(
        flow.sources
    )
    for t in range(flow.ntimes):
        net, through = cell_imbalance(flow, t)
        active = flow.grid.idomain > 0
        assert np.all(np.abs(net[active]) <= 1e-6 * through[active] + 1e-9), t
    assert flow.percent_discrepancy < 0.01


def test_river_and_well_budgets_follow_the_spec(tmp_path, steady_layered_spec):
    flow = run_flow(steady_layered_spec, tmp_path)
    assert flow.steady
    assert flow.budget()["w1"] == pytest.approx((0.0, 900.0))
    rain_in, _ = flow.budget()["rain"]
    # MODFLOW ignores boundary flows into fixed-head cells: the east column gets no recharge
    assert rain_in == pytest.approx(5e-4 * 50.0 * 50.0 * 20 * 24)
    assert flow.grid.crs == "EPSG:4548"


def plain_flopy_model(ws) -> None:
    """A model written with plain flopy: idomain holes, rotated-free, two packages of a kind."""
    sim = flopy.mf6.MFSimulation(
        sim_name="plain", sim_ws=str(ws), exe_name=str(find_executable("mf6"))
    )
    flopy.mf6.ModflowTdis(sim, nper=2, perioddata=[(1.0, 1, 1.0), (10.0, 3, 1.5)])
    flopy.mf6.ModflowIms(
        sim, outer_dvclose=1e-9, inner_dvclose=1e-10, rcloserecord=[1e-9, "strict"]
    )
    gwf = flopy.mf6.ModflowGwf(sim, modelname="aquifer", save_flows=True)
    idomain = np.ones((2, 6, 7), int)
    idomain[1, 0, :2] = 0
    flopy.mf6.ModflowGwfdis(
        gwf,
        nlay=2,
        nrow=6,
        ncol=7,
        delr=[10, 10, 20, 20, 20, 10, 10],
        delc=15.0,
        top=20.0,
        botm=[10.0, 0.0],
        idomain=idomain,
        xorigin=1000.0,
        yorigin=2000.0,
    )
    flopy.mf6.ModflowGwfnpf(gwf, k=[5.0, 1.0], icelltype=[1, 0], save_flows=True)
    flopy.mf6.ModflowGwfic(gwf, strt=18.0)
    flopy.mf6.ModflowGwfsto(
        gwf, ss=1e-5, sy=0.1, iconvert=[1, 0], steady_state={0: True}, transient={1: True}
    )
    flopy.mf6.ModflowGwfchd(gwf, stress_period_data=[[(0, r, 6), 17.0] for r in range(6)])
    flopy.mf6.ModflowGwfwel(gwf, stress_period_data={1: [[(1, 3, 3), -20.0]]}, pname="wa")
    flopy.mf6.ModflowGwfwel(gwf, stress_period_data=[[(0, 1, 1), 5.0]], pname="wb")
    flopy.mf6.ModflowGwfrcha(gwf, recharge=1e-3)
    flopy.mf6.ModflowGwfoc(
        gwf,
        head_filerecord="aq.hds",
        budget_filerecord="aq.cbc",
        saverecord=[("HEAD", "ALL"), ("BUDGET", "ALL")],
    )
    sim.write_simulation(silent=True)
    assert sim.run_simulation(silent=True)[0]


def test_reads_a_model_gwsim_did_not_build(tmp_path):
    plain_flopy_model(tmp_path)
    flow = FlowField.from_mf6(tmp_path, porosity=0.3)
    heads = flopy.utils.HeadFile(str(tmp_path / "aq.hds"))
    assert flow.ntimes == 4
    active = flow.grid.idomain > 0
    for t, totim in enumerate(heads.get_times()):  # every step of a 2-layer transient model
        np.testing.assert_allclose(flow.head[t][active], heads.get_data(totim=totim)[active])
    assert not np.allclose(flow.head[1], flow.head[3])  # pumping from period 2 on draws down
    assert np.isnan(flow.head[3][1, 0, 0])
    assert flow.source_types == {
        "sto-ss": "STO-SS",
        "sto-sy": "STO-SY",
        "wa": "WEL",
        "wb": "WEL",
        "rcha_0": "RCH",
        "chd_0": "CHD",
    }
    assert not flow.saturation_saved  # computed from heads instead
    assert (flow.grid.xorigin, flow.grid.yorigin) == (1000.0, 2000.0)
    for t in range(flow.ntimes):
        net, through = cell_imbalance(flow, t)
        assert np.all(np.abs(net[active]) <= 1e-6 * through[active] + 1e-9), t
    # in the steady period all recharge leaves through the fixed heads on the east edge
    eastward = flow.flow_right_face[0, :, :, :-1].sum(axis=(0, 1))
    assert np.all(eastward > 0)
    assert eastward[-1] == pytest.approx(flow.budget(0)["chd_0"][1], rel=1e-6)


def test_locate_points(tmp_path):
    plain_flopy_model(tmp_path)
    flow = FlowField.from_mf6(tmp_path)
    lay, row, col = flow.grid.locate(
        [1001.0, 1025.0, 999.0], [2089.0, 2001.0, 2050.0], [15.0, 5.0, 5.0]
    )
    assert lay.tolist() == [0, 1, -1]
    assert row.tolist() == [0, 5, -1]
    assert col.tolist() == [0, 2, -1]


def test_netcdf_has_cf_crs_and_provenance(tmp_path, steady_layered_spec):
    flow = run_flow(steady_layered_spec, tmp_path / "run")
    path = flow.to_netcdf(tmp_path / "out" / "heads.nc")
    with xr.open_dataset(path) as ds:
        assert ds["head"].dims == ("time", "layer", "y", "x")
        assert ds["head"].attrs["units"] == "m"
        assert "CGCS2000" in ds["spatial_ref"].attrs["crs_wkt"]
        assert ds.attrs["gwsim_version"] and ds.attrs["flopy_version"]
        assert ds.attrs["mf6_version"].startswith("6.")
        assert len(ds.attrs["inputs_sha256"]) == 64
        assert ds["x"][0] == pytest.approx(500025.0)
        assert ds["y"][0] == pytest.approx(3100000.0 + 20 * 50.0 - 25.0)
        np.testing.assert_allclose(ds["head"].values, flow.head)
    assert not list((tmp_path / "out").glob(".*tmp"))


def test_failed_netcdf_write_leaves_nothing(tmp_path, steady_layered_spec, monkeypatch):
    flow = run_flow(steady_layered_spec, tmp_path / "run")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    with pytest.raises(OSError):
        flow.to_netcdf(tmp_path / "out" / "heads.nc")
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("porosity", [0.0, -0.1, 1.5, np.full((2, 6, 3), 0.2)])
def test_bad_porosity_is_refused(tmp_path, porosity):
    plain_flopy_model(tmp_path)
    with pytest.raises(FlowFieldError, match="porosity"):
        FlowField.from_mf6(tmp_path, porosity=porosity)


def test_missing_or_unknown_model_is_explained(tmp_path):
    with pytest.raises(FlowFieldError, match=r"no mfsim\.nam"):
        FlowField.from_mf6(tmp_path)
    plain_flopy_model(tmp_path)
    with pytest.raises(FlowFieldError, match="no GWF model named 'nope'"):
        FlowField.from_mf6(tmp_path, model="nope")
    (tmp_path / "aq.cbc").unlink()
    with pytest.raises(FlowFieldError, match="run the simulation"):
        FlowField.from_mf6(tmp_path)


def test_conductivity_is_read_from_the_npf_input_of_a_plain_model(tmp_path):
    """K as written by flopy (5 and 1 m/d by layer); K22, K33 and ANGLE1 take MODFLOW 6's
    defaults (K22 = K, K33 = K22, ANGLE1 = 0) when the NPF input leaves them out."""
    plain_flopy_model(tmp_path)
    flow = FlowField.from_mf6(tmp_path)
    expected = np.broadcast_to(np.array([5.0, 1.0])[:, None, None], flow.shape)
    for name in ("k", "k22", "k33"):
        np.testing.assert_array_equal(getattr(flow, name), expected, err_msg=name)
    np.testing.assert_array_equal(flow.angle1, np.zeros(flow.shape))
    np.testing.assert_array_equal(flow.boundary_cells["wa"], [[1, 3, 3]])  # pumps from period 2


def test_conductivity_is_read_on_first_use_and_not_from_changed_input(tmp_path):
    """from_mf6 leaves the NPF text unparsed until K is used (tracking never uses it); a pickled
    flow field carries K itself; other files written beside the model do not matter, but once
    the NPF file changed, K is refused, not read from the new input."""
    import pickle

    plain_flopy_model(tmp_path)
    flow = FlowField.from_mf6(tmp_path)
    assert callable(vars(flow)["k"])  # not read yet
    copied = pickle.loads(pickle.dumps(flow))
    assert not callable(vars(copied)["k"])
    np.testing.assert_array_equal(copied.k33[:, 0, 0], [5.0, 1.0])
    later = FlowField.from_mf6(tmp_path)
    (tmp_path / "mt3d.btn").write_text("written by another program\n")
    np.testing.assert_array_equal(later.k, flow.k)
    changed = FlowField.from_mf6(tmp_path)
    npf = next(tmp_path.glob("*.npf"))
    npf.write_text(npf.read_text().replace("5.0", "7.0"))
    with pytest.raises(FlowFieldError, match=r"NPF input .* changed or vanished since"):
        changed.k  # noqa: B018


def test_gwsim_model_carries_its_k_and_boundary_geometry(tmp_path, steady_layered_spec):
    """K and K33 (heterogeneous, K33 = K/20) are the spec's (the engine passes what it wrote to
    the NPF input); every river and drain cell is listed with its stage or elevation, also where
    the package moves no water.

    Levels are read from the package input, which flopy writes to 7-8 decimals (about 9
    significant digits): they match the spec's to 5e-9 + 1e-8 relative.
    """
    spec = steady_layered_spec
    flow = run_flow(spec, tmp_path)
    props = spec.properties.arrays(spec.grid.shape)
    np.testing.assert_array_equal(flow.k, props["k"])
    np.testing.assert_array_equal(flow.k33, props["k33"])
    river, ditch = spec.boundary("river"), spec.boundary("ditch")
    np.testing.assert_array_equal(flow.boundary_cells["river"], river.cells)
    np.testing.assert_allclose(
        flow.boundary_levels["river"][0], river.values["stage"], rtol=1e-8, atol=5e-9
    )
    assert not flow.sources["ditch"].any()  # the water table is below the ditch: it is dry
    np.testing.assert_array_equal(flow.boundary_cells["ditch"], ditch.cells)
    np.testing.assert_array_equal(flow.boundary_levels["ditch"], np.full((1, 10), 28.6))
    assert flow.source_types["river"] == "RIV" and "chd" not in flow.boundary_levels


def test_with_porosity_checks_once_and_shares_the_arrays(tmp_path):
    plain_flopy_model(tmp_path)
    flow = FlowField.from_mf6(tmp_path, porosity=0.3)
    flow.derived["cached"] = True
    denser = flow.with_porosity(0.15)
    assert np.all(denser.porosity == 0.15) and np.all(flow.porosity == 0.3)
    assert denser.head is flow.head and denser.flow_right_face is flow.flow_right_face
    assert denser.k is flow.k and denser.grid is flow.grid
    assert denser.derived == {}  # velocities derived from the old porosity are not carried over
    with pytest.raises(FlowFieldError, match=r"porosity must be in \(0, 1\]"):
        flow.with_porosity(1.5)


# ---------------------------------------------------------------- numpy readers against flopy's
def array_package_model(ws) -> None:
    """Transient, array recharge and ET (RCHA, EVTA), a drain and a river without names given
    by gwsim, MAW-free: the budget kinds the tracking model lacks."""
    sim = flopy.mf6.MFSimulation(
        sim_name="arr", sim_ws=str(ws), exe_name=str(find_executable("mf6"))
    )
    flopy.mf6.ModflowTdis(sim, nper=2, perioddata=[(1.0, 1, 1.0), (100.0, 4, 1.3)])
    flopy.mf6.ModflowIms(
        sim, outer_dvclose=1e-9, inner_dvclose=1e-10, rcloserecord=[1e-9, "strict"]
    )
    gwf = flopy.mf6.ModflowGwf(sim, modelname="arr", save_flows=True)
    flopy.mf6.ModflowGwfdis(
        gwf, nlay=2, nrow=8, ncol=9, delr=25.0, delc=20.0, top=15.0, botm=[8.0, 0.0]
    )
    flopy.mf6.ModflowGwfnpf(
        gwf,
        k=np.linspace(2.0, 9.0, 144).reshape(2, 8, 9),
        k33=0.5,
        icelltype=[1, 0],
        save_flows=True,
        save_saturation=True,
        save_specific_discharge=True,
    )
    flopy.mf6.ModflowGwfic(gwf, strt=13.0)
    flopy.mf6.ModflowGwfsto(
        gwf, ss=1e-5, sy=0.1, iconvert=[1, 0], steady_state={0: True}, transient={1: True}
    )
    flopy.mf6.ModflowGwfchd(
        gwf, stress_period_data=[[(k, r, 8), 12.0] for k in range(2) for r in range(8)]
    )
    flopy.mf6.ModflowGwfrcha(gwf, recharge={0: 1e-3, 1: np.linspace(0, 3e-3, 72).reshape(8, 9)})
    flopy.mf6.ModflowGwfevta(gwf, surface=14.5, rate=5e-4, depth=2.0)
    flopy.mf6.ModflowGwfdrn(
        gwf, stress_period_data={1: [[(0, 2, c), 12.5, 40.0] for c in range(5)]}
    )
    flopy.mf6.ModflowGwfriv(
        gwf, stress_period_data=[[(0, 6, c), 12.8, 60.0, 11.0] for c in range(8)]
    )
    flopy.mf6.ModflowGwfwel(gwf, stress_period_data={1: [[(1, 4, 4), -30.0]]})
    flopy.mf6.ModflowGwfoc(
        gwf,
        head_filerecord="arr.hds",
        budget_filerecord="arr.cbc",
        saverecord=[("HEAD", "ALL"), ("BUDGET", "ALL")],
    )
    sim.write_simulation(silent=True)
    assert sim.run_simulation(silent=True)[0]


def line_model(ws, nrow: int, ncol: int) -> None:
    """A steady 3-layer model one row or one column wide (a cross-section): face flows of
    grids where the neighbours along rows, columns and layers differ by 1 or ``ncol`` nodes."""
    sim = flopy.mf6.MFSimulation(
        sim_name="line", sim_ws=str(ws), exe_name=str(find_executable("mf6"))
    )
    flopy.mf6.ModflowTdis(sim)
    flopy.mf6.ModflowIms(sim, outer_dvclose=1e-9, inner_dvclose=1e-10)
    gwf = flopy.mf6.ModflowGwf(sim, modelname="line", save_flows=True)
    flopy.mf6.ModflowGwfdis(
        gwf, nlay=3, nrow=nrow, ncol=ncol, delr=10.0, delc=10.0, top=10.0, botm=[6.0, 3.0, 0.0]
    )
    flopy.mf6.ModflowGwfnpf(gwf, k=[5.0, 1.0, 3.0], save_flows=True)
    flopy.mf6.ModflowGwfic(gwf, strt=9.0)
    ends = [[(k, 0, 0), 9.0] for k in range(3)] + [[(k, nrow - 1, ncol - 1), 8.0] for k in range(3)]
    flopy.mf6.ModflowGwfchd(gwf, stress_period_data=ends)
    flopy.mf6.ModflowGwfrcha(gwf, recharge=1e-3)
    flopy.mf6.ModflowGwfwel(gwf, stress_period_data=[[(2, nrow // 2, ncol // 2), -5.0]])
    flopy.mf6.ModflowGwfoc(
        gwf,
        head_filerecord="line.hds",
        budget_filerecord="line.cbc",
        saverecord=[("HEAD", "ALL"), ("BUDGET", "ALL")],
    )
    sim.write_simulation(silent=True)
    assert sim.run_simulation(silent=True)[0]


@pytest.mark.parametrize("builder", ["tracking", "arrays", "plain", "one row", "one column"])
def test_numpy_readers_give_what_flopys_readers_give(tmp_path, builder):
    """Heads, face flows, every package's flows, saturation, K and boundary levels of five
    models (list and array recharge/ET, wells, rivers, drains, GHB, CHD, storage, steady and
    transient periods, one-row and one-column grids) equal what flopy reads: exactly (same bytes, same arithmetic) except
    face flows, which flopy's get_structured_faceflows sums in another order (1e-12 relative)."""
    from modpath7_reference import build_flow_model

    from gwsim.engines import mf6_model_input

    {
        "tracking": lambda ws: build_flow_model(ws, transient=True),
        "arrays": array_package_model,
        "plain": plain_flopy_model,
        "one row": lambda ws: line_model(ws, nrow=1, ncol=12),
        "one column": lambda ws: line_model(ws, nrow=12, ncol=1),
    }[builder](tmp_path)
    flow = FlowField.from_mf6(tmp_path)
    grb = flopy.mf6.utils.MfGrdFile(str(flow.files["grb"]), verbose=False)
    heads = flopy.utils.HeadFile(str(flow.files["head"]), precision="double")
    cbc = flopy.utils.CellBudgetFile(str(flow.files["budget"]), precision="double")
    np.testing.assert_array_equal(flow.times, heads.get_times())
    np.testing.assert_array_equal(flow.grid.botm, grb.bot.reshape(flow.shape))
    np.testing.assert_array_equal(flow.grid.idomain, grb.idomain.reshape(flow.shape))
    active = flow.grid.idomain > 0
    for t, totim in enumerate(flow.times):
        h = heads.get_data(totim=totim)
        wet = active & (np.abs(h) < 1e29)
        np.testing.assert_array_equal(flow.head[t][wet], h[wet])
        assert np.isnan(flow.head[t][~wet]).all()
        flowja = cbc.get_data(totim=totim, text="FLOW-JA-FACE")[0].ravel()
        faces = flopy.mf6.utils.get_structured_faceflows(flowja, grb_file=str(flow.files["grb"]))
        for name, ref in zip(("right", "front", "lower"), faces, strict=True):
            got = getattr(flow, f"flow_{name}_face")[t]
            np.testing.assert_allclose(got, ref.reshape(flow.shape), rtol=1e-12, atol=1e-12)
        expected = {}
        for rec in cbc.recordarray[cbc.recordarray["totim"] == totim]:
            text = rec["text"].decode().strip()
            if text in ("FLOW-JA-FACE", "DATA-SPDIS", "DATA-SAT"):
                continue
            name = rec["paknam2"].decode().strip().lower() or text.lower()
            q = cbc.get_data(
                totim=totim, text=text, paknam2=rec["paknam2"].decode().strip(), full3D=True
            )[0]
            expected[name] = expected.get(name, 0.0) + np.ma.filled(q, 0.0)
        assert expected.keys() == flow.sources.keys()
        for name, q in expected.items():
            np.testing.assert_array_equal(flow.sources[name][t], q, err_msg=name)
        if flow.saturation_saved:
            sat = cbc.get_data(totim=totim, text="DATA-SAT")[0]
            np.testing.assert_array_equal(flow.saturation[t].ravel()[sat["node"] - 1], sat["sat"])
    # the input: the parser's reading equals flopy's (which it falls back to)
    parsed = mf6_model_input._parsed_model_input(tmp_path, None, npf=True)
    by_flopy = mf6_model_input._flopy_model_input(tmp_path, None, npf=True)
    assert parsed["files"] == by_flopy["files"] and parsed["model_name"] == by_flopy["model_name"]
    assert parsed["package_order"] == by_flopy["package_order"]
    for key in ("k", "k22", "k33", "angle1"):
        np.testing.assert_array_equal(parsed["conductivity"][key], by_flopy["conductivity"][key])
    assert parsed["levels"].keys() == by_flopy["levels"].keys()
    for name, periods in parsed["levels"].items():
        assert periods.keys() == by_flopy["levels"][name].keys()
        for p, (nodes, values) in periods.items():
            np.testing.assert_array_equal(nodes, by_flopy["levels"][name][p][0])
            np.testing.assert_array_equal(np.array(values, float), by_flopy["levels"][name][p][1])


def test_input_the_parser_leaves_alone_is_read_by_flopy(tmp_path, monkeypatch):
    """When the light input parser meets a form it does not read, flopy reads the input: same
    flow field."""
    from gwsim.engines import mf6_input

    plain_flopy_model(tmp_path)
    parsed = FlowField.from_mf6(tmp_path)

    def unsupported(*args, **kwargs):
        raise mf6_input.UnsupportedInput("binary array input")

    monkeypatch.setattr(mf6_input, "read_arrays", unsupported)
    by_flopy = FlowField.from_mf6(tmp_path)
    for name in ("k", "k22", "k33", "angle1", "head", "flow_right_face"):
        np.testing.assert_array_equal(getattr(by_flopy, name), getattr(parsed, name))
    assert by_flopy.boundary_cells.keys() == parsed.boundary_cells.keys()
