"""MT3D-USGS's link file written from a FlowField, against the one MODFLOW-NWT's LMT package writes.

The reference is MODFLOW-NWT (LMT8, a program nobody on the team wrote) on the same small model as
a MODFLOW 6 simulation (tests/mt3d_link_models.py: two layers, convertible top, CHD, GHB, RIV,
DRN, WEL, RCH, EVT; steady, and steady + transient with storage). gwsim writes its link file from
``FlowField.from_mf6`` of the MODFLOW 6 run; the same MT3D-USGS input then runs on each link file.

Tolerances. MODFLOW-NWT's conductances are single precision and its heads settle to about 1e-8 m
(head closure 1e-7 m; MODFLOW 6's 1e-9 m); with conductances of about 100 m²/d that moves flows by
about 1e-5 m³/d, 1e-7 of the largest face flow (150 m³/d), and both files store single-precision
reals (relative rounding 6e-8). Flows must agree within 1e-6 of the step's largest face flow and
saturated thicknesses within 1e-5 m (measured 2.3e-7 and 1e-6 m). MT3D-USGS computes in single
precision, so concentrations must agree within 1e-5 of the peak (measured 2.0e-7 steady, 3.0e-7
transient).
"""

import dataclasses
import shutil

import flopy
import mt3d_link_models as models
import numpy as np
import pytest

from gwsim import FlowField
from gwsim.engines.mt3d import (
    LINK_FILE,
    Mt3dSpec,
    build_mt3d,
    run_mt3d,
)
from gwsim.engines.mt3d_link import write_link_file
from gwsim.engines.transport_interface import SoluteProblem
from gwsim.errors import GwsimError

FLOW_TOL = 1e-6  # of the step's largest face flow
THICKNESS_TOL = 1e-5  # m
CONC_TOL = 1e-5  # of the peak concentration


@pytest.fixture(scope="module", params=["steady", "transient"])
def case(request, tmp_path_factory):
    """(workspace, FlowField of MODFLOW 6, transport spec) with MODFLOW-NWT's link file there."""
    steady = request.param == "steady"
    ws = tmp_path_factory.mktemp(request.param)
    models.run_nwt(ws, steady)
    models.run_mf6(ws, steady)
    flow = FlowField.from_mf6(ws)
    if steady:  # one flow step drives a 200-day transport run
        perlen, nstp, tsmult, steps = [200.0], [1], [1.0], [[0]]
        times = np.array([100.0, 200.0])
    else:  # the flow model's periods and steps
        perlen, nstp, tsmult, steps = [1.0, 50.0], [1, 5], [1.0, 1.2], [[0], [1, 2, 3, 4, 5]]
        times = flow.times[[2, 5]]
    nper = len(perlen)
    problem = SoluteProblem(
        porosity=np.full(flow.shape, 0.25),
        dispersivity=(10.0, 1.0, 0.1),
        mass_sources={p: [((0, 5, 2), 100.0)] for p in range(nper)},  # g/d, upgradient
        fixed_concentrations={p: [] for p in range(nper)},
    )
    spec = Mt3dSpec(
        flow=flow,
        steps=steps,
        perlen=np.array(perlen),
        nstp=np.array(nstp),
        tsmult=np.array(tsmult),
        dt_max=np.array(perlen) / np.array(nstp),
        times=times,
        problem=problem,
    )
    return ws, flow, spec


def test_link_file_matches_modflow_nwt_record_by_record(case):
    ws, flow, spec = case
    info = write_link_file(flow, ws / "gwsim.ftl", spec.steps)
    ours = models.read_link_records(ws / "gwsim.ftl", flow.shape)
    theirs = models.read_link_records(ws / "nwt.ftl", flow.shape)
    assert [r[:2] for r in ours] == [r[:2] for r in theirs]
    header_ours, header_theirs = ours[0][2], theirs[0][2]
    flags = np.r_[0:6, 7:21]  # package flags, ISS, number of periods, further packages
    assert np.array_equal(header_ours[flags] > 0, header_theirs[flags] > 0)
    # MTCHD: LMT counts only fixed heads of BAS's IBOUND (0 here, CHD sets them later); MT3D
    # reads the CNH record whatever it says
    assert header_ours[6] == 24
    assert info.steady == bool(header_theirs[7])
    scale = {}
    for label, key, ref in theirs[1:]:
        if label in ("QXX", "QYY"):
            scale[key] = max(scale.get(key, 0.0), float(np.abs(ref).max()))
    for (label, key, mine), (_, _, ref) in zip(ours[1:], theirs[1:], strict=True):
        if label == "THKSAT":
            np.testing.assert_allclose(mine, ref, rtol=0, atol=THICKNESS_TOL)
        elif label in ("RCH", "EVT"):
            assert np.array_equal(mine[0], ref[0])
            np.testing.assert_allclose(mine[1], ref[1], rtol=0, atol=FLOW_TOL * scale[key])
        elif isinstance(mine, list):  # point sources: same cells, same flows
            assert [c for c, _ in mine] == [c for c, _ in ref]
            np.testing.assert_allclose(
                [q for _, q in mine], [q for _, q in ref], rtol=0, atol=FLOW_TOL * scale[key]
            )
        else:
            np.testing.assert_allclose(mine, ref, rtol=0, atol=FLOW_TOL * scale[key])


def test_mt3d_gives_the_same_plume_on_both_link_files(case):
    ws, flow, spec = case
    ours = run_mt3d(spec, ws / "mt3d_gwsim")
    reference_ws = ws / "mt3d_nwt"
    reference_ws.mkdir()
    shutil.copy(ws / "nwt.ftl", reference_ws / LINK_FILE)
    link = write_link_file(flow, ws / "gwsim.ftl", spec.steps)  # same SSM sizes
    mt = build_mt3d(spec, link, reference_ws)
    mt.write_input()
    ok, _ = mt.run_model(silent=True, normal_msg="program completed")
    assert ok
    ucn = flopy.utils.UcnFile(str(reference_ws / "MT3D001.UCN"))
    reference = ucn.get_alldata()
    ucn.close()
    peak = np.nanmax(ours.concentration)
    assert peak > 1.0  # mg/L: the plume is there
    assert np.nanmax(np.abs(ours.concentration - reference)) <= CONC_TOL * peak
    assert ours.percent_discrepancy is not None and ours.percent_discrepancy < 0.1


def test_pass_through_cells_and_mismatched_steps_are_refused(case):
    ws, flow, spec = case
    if flow.ntimes > 1:
        with pytest.raises(GwsimError, match="one flow-field step per MT3D flow step"):
            run_mt3d(Mt3dSpec(**{**spec.__dict__, "nstp": spec.nstp + 1}), ws / "mismatch")
    flow.grid.idomain[1, 0, 0] = -1
    try:
        with pytest.raises(GwsimError, match="pass-through"):
            write_link_file(flow, ws / "bad.ftl", spec.steps)
    finally:
        flow.grid.idomain[1, 0, 0] = 1


def test_newton_model_with_rotated_anisotropy(tmp_path):
    """MT3D-USGS on a flow field MODFLOW-NWT cannot make (Newton, anisotropy rotated 30°).

    No solute reaches a boundary in 100 d, so the dissolved mass must equal the 1000 g injected
    (within 0.5 %: single precision and MT3D's own mass-balance discrepancy; measured 999.9997 g),
    and the plume's centroid must move along the flow, which the rotated anisotropy turns 23.4°
    from the head gradient (analytic, see run_mf6_newton_rotated); within 2° for the grid and
    the plume's boundary effects (measured 23.8°).
    """
    models.run_mf6_newton_rotated(tmp_path)
    flow = FlowField.from_mf6(tmp_path)
    source = (0, 20, 5)
    problem = SoluteProblem(
        porosity=np.full(flow.shape, 0.25),
        dispersivity=(5.0, 0.5, 0.05),
        mass_sources={0: [(source, 10.0)]},  # g/d
        fixed_concentrations={0: []},
    )
    spec = Mt3dSpec(
        flow=flow,
        steps=[[0]],
        perlen=np.array([100.0]),
        nstp=np.array([1]),
        tsmult=np.array([1.0]),
        dt_max=np.array([100.0]),
        times=np.array([100.0]),
        problem=problem,
    )
    result = run_mt3d(spec, tmp_path / "mt3d")
    mass = np.nan_to_num(result.concentration[-1]) * (
        flow.grid.cell_area * flow.saturated_thickness[0] * 0.25
    )  # g per cell
    assert mass.sum() == pytest.approx(1000.0, rel=5e-3)
    _, rows, cols = np.indices(flow.shape)
    east = np.sum(mass * (cols - source[2])) / mass.sum()
    north = np.sum(mass * (source[1] - rows)) / mass.sum()
    assert np.degrees(np.arctan2(north, east)) == pytest.approx(
        np.degrees(np.arctan(16 * np.sin(np.pi / 6) * np.cos(np.pi / 6) / 16)), abs=2.0
    )
    assert result.percent_discrepancy is not None and result.percent_discrepancy < 0.1


def test_recharge_on_two_cells_of_a_column_goes_to_wel(case):
    """MODFLOW 6 may recharge several cells of a column (list-based RCH); LMT's RCH record holds
    one layer per column, so the lower cells' recharge is written as WEL point sources."""
    ws, flow, spec = case
    recharge = flow.sources["rcha_0"]
    deeper = np.zeros_like(recharge)
    deeper[:, 1, :2, :] = 0.5 * recharge[:, 0, :2, :]  # rows 0-1 also recharged in layer 2
    sources = {n: q for n, q in flow.sources.items() if n != "wel_0"} | {"rch_deep": deeper}
    types = {n: flow.source_types.get(n, "RCH") for n in sources}
    changed = dataclasses.replace(flow, sources=sources, source_types=types)
    info = write_link_file(changed, ws / "deep.ftl", spec.steps)
    records = models.read_link_records(ws / "deep.ftl", flow.shape)
    wel = next(r[2] for r in records if r[0] == "WEL")
    rch = next(r[2] for r in records if r[0] == "RCH")
    recharged = np.argwhere(deeper[0, 1] != 0)  # not the fixed-head column: MODFLOW 6 skips it
    assert len(recharged) == 30
    assert [c for c, _ in wel] == [(2, i + 1, j + 1) for i, j in recharged]
    np.testing.assert_allclose([q for _, q in wel], deeper[0, 1][deeper[0, 1] != 0], rtol=1e-6)
    assert np.all(rch[0] == 1)  # 1-based layer of the uppermost recharged cell
    assert info.max_points == 24 + 10 + 5 + 24 + 30  # CHD, RIV, DRN, GHB, deep recharge


def test_step_relieved_flows_keep_every_balance_and_the_plume_away_from_them(case):
    """The flows re-routed for MT3D's explicit step (gwsim.engines.mt3d_link) keep each cell's
    water balance and each package's total (1e-9 of the largest face flow), turn no discharge
    cell into a source and lengthen MT3D's TVD step (DTRACK2, fmi1.f). MT3D on them gives the
    same plume within 1 % of its peak: with the stream's water leaving where it enters the
    stream's column, outside those columns (measured 2.0e-3 steady, 3.7e-4 transient); with
    the recharge re-routing forced on every water-table cell (fraction 1.01), outside the
    water-table cells (measured 7.0e-4 steady, 2.3e-4 transient)."""
    from gwsim.engines.mt3d_link import discharge_exits, recharge_past_thin_cells

    ws, flow, spec = case
    reference = run_mt3d(spec, ws / "relieved_reference").concentration
    peak = np.nanmax(reference)
    exits, passed = discharge_exits(flow), recharge_past_thin_cells(flow, 1.01)
    scale = np.abs(flow.flow_right_face).max()
    for relieved in (exits, passed):
        for t in range(flow.ntimes):
            before = flow.net_face_inflow(t) + sum(q[t] for q in flow.sources.values())
            after = relieved.net_face_inflow(t) + sum(q[t] for q in relieved.sources.values())
            np.testing.assert_allclose(after, before, rtol=0, atol=1e-9 * scale)
        for name, q in flow.sources.items():
            assert relieved.sources[name].sum() == pytest.approx(q.sum(), rel=1e-12, abs=1e-9)
            if flow.source_types[name] in ("RIV", "DRN", "GHB"):
                assert not np.any((relieved.sources[name] > 1e-12) & (q <= 0))
        assert _dtrack2(relieved, 0.25) >= _dtrack2(flow, 0.25)
    assert _dtrack2(discharge_exits(passed), 0.25) > _dtrack2(flow, 0.25)
    columns = np.any(exits.flow_lower_face != flow.flow_lower_face, axis=(0, 1))
    water_table = np.any(passed.flow_lower_face != flow.flow_lower_face, axis=0)
    for relieved, changed in ((exits, np.broadcast_to(columns, flow.shape)), (passed, water_table)):
        ours = run_mt3d(dataclasses.replace(spec, flow=relieved), ws / "relieved").concentration
        assert np.nanmax(np.abs(ours - reference)[:, ~changed]) <= 1e-2 * peak


def test_step_relief_leaves_the_columns_of_kept_cells_as_they_are(case):
    """A leak in a stream's column (or a receptor reading a thin water-table cell) must see the
    flows as they are: step_relieved leaves every column holding a kept cell untouched, and
    still re-routes the others."""
    from gwsim.engines.mt3d_link import discharge_exits, recharge_past_thin_cells, step_relieved

    _, flow, _ = case
    for relieve in (discharge_exits, lambda f, keep=(): recharge_past_thin_cells(f, 1.01, keep)):
        changed = np.argwhere(
            np.any(relieve(flow).flow_lower_face != flow.flow_lower_face, axis=(0, 1))
        )
        assert len(changed) >= 2
        row, col = changed[0]
        kept = relieve(flow, keep=[(flow.shape[0] - 1, row, col)])  # the bottom cell only
        assert np.array_equal(
            kept.flow_lower_face[:, :, row, col], flow.flow_lower_face[:, :, row, col]
        )
        for name, q in flow.sources.items():
            assert np.array_equal(kept.sources[name][:, :, row, col], q[:, :, row, col])
        other = tuple(changed[1])
        assert np.any(
            kept.flow_lower_face[(slice(None), slice(None), *other)]
            != flow.flow_lower_face[(slice(None), slice(None), *other)]
        )
    assert step_relieved(flow, keep=np.argwhere(flow.grid.idomain > 0)) is flow  # nothing moved


def _dtrack2(flow: FlowField, porosity: float) -> float:
    """MT3D-USGS's TVD step limit (fmi1.f, DTRACK2) over the wet cells of the first step, d."""
    largest = 0.0
    for axis, q in ((2, flow.flow_right_face[0]), (1, flow.flow_front_face[0]), (0, flow.flow_lower_face[0])):  # fmt: skip
        a = np.abs(q)
        before = np.zeros_like(a)
        before[(slice(None),) * axis + (slice(1, None),)] = a[
            (slice(None),) * axis + (slice(0, -1),)
        ]
        largest = largest + np.maximum(a, before)
    volume = flow.grid.cell_area * flow.saturated_thickness[0] * porosity
    wet = (flow.grid.idomain > 0) & (flow.saturated_thickness[0] > 0) & (largest > 0)
    return float((volume[wet] / largest[wet]).min())
