"""Bad input to gwsim.transport on flow fields from plain flopy MODFLOW 6 models: each is a clear
gwsim error (naming the problem and the fix) raised before any engine runs, or a warning, and no
plume file is left behind.

The flow models: one row of 21 cells of 1 m in uniform flow along +x (2 layers, the top one dry,
for the dry-cell case), and a 21 × 21 grid in uniform flow toward the south-east (qy < 0, 45° to
the grid) for the MODFLOW 6 dispersion warning. Unknown contaminants are refused by the risk
assessment and scenario reader (tests/test_risk.py, tests/test_standards.py).
"""

import warnings

import flopy
import numpy as np
import pytest
from builders import run_plain_gwf

from gwsim.engines import transport_choice
from gwsim.engines.mf6_probe import DispersionProbe
from gwsim.errors import GwsimError, Mf6DispersionWarning, SpecError
from gwsim.solute import Source, transport

pytestmark = pytest.mark.needs_mf6

K, N = 10.0, 0.25  # m/d, porosity


def row_model(ws, nlay=1, top=1.0, botm=(0.0,), spdis=True, saturation=True):
    """One row of 21 cells of 1 m, fixed heads 10.5 m (west) and 10 m (east) in the bottom
    layer; NPF saves what ``spdis`` and ``saturation`` say. Returns its FlowField."""
    sim = flopy.mf6.MFSimulation(sim_ws=str(ws))
    flopy.mf6.ModflowTdis(sim, nper=1, perioddata=[(1.0, 1, 1.0)])
    flopy.mf6.ModflowIms(sim, complexity="simple", outer_dvclose=1e-10, inner_dvclose=1e-11)
    gwf = flopy.mf6.ModflowGwf(sim, modelname="flow", save_flows=True)
    flopy.mf6.ModflowGwfdis(
        gwf, nlay=nlay, nrow=1, ncol=21, delr=1.0, delc=1.0, top=top, botm=list(botm)
    )
    flopy.mf6.ModflowGwfnpf(
        gwf,
        icelltype=1,
        k=K,
        save_flows=True,
        save_saturation=saturation,
        save_specific_discharge=spdis,
    )
    flopy.mf6.ModflowGwfic(gwf, strt=10.0)
    bottom = nlay - 1
    chd = [((bottom, 0, 0), 10.5), ((bottom, 0, 20), 10.0)]
    flopy.mf6.ModflowGwfchd(gwf, stress_period_data=chd)
    return run_plain_gwf(sim, gwf, ws, porosity=N)


def no_plume_files(root) -> bool:
    return not [p for p in root.rglob("*") if p.suffix in (".nc", ".ucn", ".UCN")]


def test_source_in_a_dry_cell_is_refused(tmp_path):
    """Top layer 12-20 m, water table near 10 m: a source given in it is refused by name; without
    z it goes to the uppermost wet layer."""
    flow = row_model(tmp_path / "flow", nlay=2, top=20.0, botm=(12.0, 0.0))
    assert np.all(flow.saturation[0, 0] == 0) and np.all(flow.saturation[0, 1] > 0)
    workspace = tmp_path / "run"
    with pytest.raises(SpecError, match=r"sources\[0\]: .* inactive or dry cell \(layer 0") as info:
        transport(flow, [Source(5.5, 0.5, z=15.0, mass_rate=1.0)], [5.0], workspace=workspace)
    assert "fix: move the source" in str(info.value)
    assert not workspace.exists()
    plume = transport(flow, [Source(5.5, 0.5, mass_rate=1.0)], [5.0], engine="mt3d")
    assert np.nanmax(plume.concentration.values[-1, 1]) > 0
    assert np.nanmax(np.nan_to_num(plume.concentration.values[-1, 0])) == 0


def test_source_in_an_inactive_cell_is_refused(tmp_path):
    flow = row_model(tmp_path / "flow")
    flow.grid.idomain[0, 0, 7] = 0
    with pytest.raises(SpecError, match=r"sources\[1\]: .* inactive or dry cell \(layer 0, row 0"):
        transport(
            flow,
            [Source(3.5, 0.5, mass_rate=1.0), Source(7.5, 0.5, z=0.5, mass_rate=1.0)],
            [5.0],
            workspace=tmp_path / "run",
        )
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("engine", ["mf6", "mt3d"])
def test_flow_without_saturation_is_refused_by_either_engine(tmp_path, engine):
    flow = row_model(tmp_path / "flow", saturation=False)
    with pytest.raises(GwsimError, match=r"no saturation .* set SAVE_SATURATION and SAVE_FLOWS"):
        transport(flow, [Source(5.5, 0.5, mass_rate=1.0)], [5.0], engine=engine)
    assert no_plume_files(tmp_path)


@pytest.mark.needs_mt3d
def test_flow_without_specific_discharge_is_refused_by_mf6_not_mt3d(tmp_path):
    """MODFLOW 6 alone says "ERROR OCCURRED WHILE READING FILE gwt.fmi"; gwsim names the missing
    record and both ways out. MT3D-USGS (gwsim's link file) needs no specific discharge."""
    flow = row_model(tmp_path / "flow", spdis=False)
    source = [Source(5.5, 0.5, mass_rate=1.0)]
    with pytest.raises(GwsimError, match="no DATA-SPDIS") as info:
        transport(flow, source, [5.0], engine="mf6", workspace=tmp_path / "gwt")
    assert "SAVE_SPECIFIC_DISCHARGE" in str(info.value) and "engine='mt3d'" in str(info.value)
    assert "SAVE_SATURATION" not in str(info.value)
    assert no_plume_files(tmp_path)
    plume = transport(flow, source, [5.0], dispersivity=(0.5, 0.05, 0.05), engine="mt3d")
    mass = np.nansum(plume.concentration.values[-1]) * N * 1.0  # g: 1 m³ cells
    assert mass == pytest.approx(5.0, rel=1e-3)  # 1 g/d for 5 d, 3 plume widths from the ends


def south_east_flow(ws):
    """21 × 21 cells of 2 m, one 1 m layer, fixed edge heads: uniform flow toward the SE."""
    n, cell = 21, 2.0
    sim = flopy.mf6.MFSimulation(sim_ws=str(ws))
    flopy.mf6.ModflowTdis(sim, nper=1, perioddata=[(1.0, 1, 1.0)])
    flopy.mf6.ModflowIms(sim, complexity="simple", outer_dvclose=1e-10, inner_dvclose=1e-11)
    gwf = flopy.mf6.ModflowGwf(sim, modelname="flow", save_flows=True)
    flopy.mf6.ModflowGwfdis(gwf, nlay=1, nrow=n, ncol=n, delr=cell, delc=cell, top=1.0, botm=0.0)
    flopy.mf6.ModflowGwfnpf(
        gwf, k=K, save_flows=True, save_saturation=True, save_specific_discharge=True
    )
    flopy.mf6.ModflowGwfic(gwf, strt=10.0)
    x = (np.arange(n) + 0.5) * cell
    y = x[::-1]
    edge = [
        ((0, i, j), 10.0 - 0.025 * (x[j] - y[i]) / np.sqrt(2.0))
        for i in range(n)
        for j in range(n)
        if i in (0, n - 1) or j in (0, n - 1)
    ]
    flopy.mf6.ModflowGwfchd(gwf, stress_period_data=edge)
    return run_plain_gwf(sim, gwf, ws, porosity=N)


@pytest.mark.parametrize(
    ("verdict", "warns"),
    [(DispersionProbe(False, 0.3, 1e-3), True), (DispersionProbe(True, 1e-11, 1e-3), False)],
)
def test_forced_mf6_warns_only_when_it_failed_the_probe(tmp_path, monkeypatch, verdict, warns):
    """engine="mf6" forced on an mf6 whose probe verdict (faked here, whatever mf6 is installed)
    says it mirrors the tensor: one Mf6DispersionWarning naming the bug and the ways out, and
    the plume is still returned; on an mf6 that passed: no warning."""
    flow = south_east_flow(tmp_path / "flow")
    monkeypatch.setattr(transport_choice, "mf6_verdict", lambda: verdict)
    source = [Source(9.0, 33.0, mass_rate=1.0)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plume = transport(flow, source, [10.0], dispersivity=(4.0, 0.4, 0.4), engine="mf6")
    dispersion = [w for w in caught if issubclass(w.category, Mf6DispersionWarning)]
    assert len(dispersion) == (1 if warns else 0)
    if warns:
        message = str(dispersion[0].message)
        assert "#2826" in message and "engine='mt3d'" in message and "get-modflow" in message
    assert plume.attrs["transport_engine"] == "mf6"
    assert np.nanmax(plume.concentration.values) > 0


@pytest.mark.parametrize("engine", ["mf6", "mt3d"])
def test_dual_domain_on_a_layered_model(tmp_path, engine):
    """Regression: MODFLOW 6 6.4 could not read the IST file of a model of several layers (flopy
    writes "porosity LAYERED", which gwsim did not rename to 6.4's THETAIM). With a fast transfer
    rate and θ_im = n, the mobile pores hold half of the 5 g added (tolerance 2 %: the exchange
    is not instantaneous)."""
    from gwsim.solute import DualDomain

    flow = row_model(tmp_path / "flow", nlay=2, top=1.0, botm=(0.5, 0.0))
    plume = transport(
        flow,
        [Source(5.5, 0.5, z=0.25, mass_rate=1.0)],
        [5.0],
        dispersivity=(0.5, 0.05, 0.05),
        dual_domain=DualDomain(N, 10.0),
        engine=engine,
    )
    mobile = np.nansum(plume.concentration.values[-1]) * N * 0.5  # g: cells of 0.5 m³
    assert mobile == pytest.approx(2.5, rel=0.02)
