"""One small flow model written twice with plain flopy: MODFLOW-NWT (LPF + PCG, with the LMT link
file) and MODFLOW 6, set up to solve the same equations (m, d).

2 layers (top convertible, water table inside it; bottom confined) of 12 x 16 cells of 25 m:
fixed heads on the east edge, a general-head boundary on the west, a river along row 6, a drain,
a pumping well in the bottom layer, recharge and ET. Steady first period (1 d), then a transient
period (50 d, 5 steps growing by 1.2) with doubled pumping and storage (Sy 0.2 on top, Ss 1e-4 in
the bottom; Ss = 0 in the top layer, since LPF stores only by Sy where the water table is in a
convertible cell while MODFLOW 6 adds Ss there too).

Formulations that match: LPF with CONSTANTCV and NOVFC (vertical conductance from full cell
thickness, no vertical-flow correction) is MODFLOW 6 NPF's default; both use the harmonic mean of
cell transmissivities K * saturated thickness between cells.
"""

import flopy
import numpy as np

from gwsim.executables import find_executable

NLAY, NROW, NCOL, DX = 2, 12, 16, 25.0
TOP, BOTM = 30.0, [20.0, 0.0]
HK, VK = [10.0, 5.0], [1.0, 0.5]
PERIODS = [(1.0, 1, 1.0, True), (50.0, 5, 1.2, False)]  # perlen, nstp, tsmult, steady
EAST_HEAD, WEST_HEAD, GHB_COND = 26.0, 28.5, 100.0
RIVER = [(0, 6, j, 27.2, 200.0, 25.5) for j in range(3, 13)]  # cell, stage, cond, rbot
DRAIN = [(0, 10, j, 25.8, 100.0) for j in range(4, 9)]  # cell, elevation, cond
WELL = (1, 3, 10)
PUMPING = [-300.0, -600.0]  # m³/d per period
RECHARGE = 4e-4  # m/d
ET = (29.5, 2e-4, 3.0)  # surface, max rate, extinction depth
# Head closures, m. MODFLOW-NWT's conductances are single precision: its outer iterations settle
# into a limit cycle of about 1e-8 m, so 1e-7 m is the tightest it reaches on this model.
NWT_CLOSE, MF6_CLOSE = 1e-7, 1e-9


def _west():
    return [(k, i, 0) for k in range(NLAY) for i in range(NROW)]


def _east():
    return [(k, i, NCOL - 1) for k in range(NLAY) for i in range(NROW)]


def run_nwt(workspace, steady: bool, link_file: str = "nwt.ftl") -> None:
    """Run MODFLOW-NWT (LPF, PCG) with LMT writing ``link_file`` (unformatted, extended)."""
    periods = PERIODS[:1] if steady else PERIODS
    mf = flopy.modflow.Modflow(
        "nwt", version="mfnwt", exe_name=str(find_executable("mfnwt")), model_ws=str(workspace)
    )
    flopy.modflow.ModflowDis(
        mf,
        NLAY,
        NROW,
        NCOL,
        len(periods),
        delr=DX,
        delc=DX,
        top=TOP,
        botm=BOTM,
        perlen=[p[0] for p in periods],
        nstp=[p[1] for p in periods],
        tsmult=[p[2] for p in periods],
        steady=[p[3] for p in periods],
        itmuni=4,
        lenuni=2,
    )
    flopy.modflow.ModflowBas(mf, ibound=1, strt=27.0)
    flopy.modflow.ModflowLpf(
        mf,
        laytyp=[1, 0],
        hk=HK,
        vka=VK,
        ss=[0.0, 1e-4],
        sy=0.2,
        constantcv=True,
        novfc=True,
        ipakcb=0,
    )
    flopy.modflow.ModflowDe4(mf, itmx=200, hclose=NWT_CLOSE)
    flopy.modflow.ModflowChd(
        mf, stress_period_data={0: [[*c, EAST_HEAD, EAST_HEAD] for c in _east()]}
    )
    flopy.modflow.ModflowGhb(
        mf, stress_period_data={0: [[*c, WEST_HEAD, GHB_COND] for c in _west()]}
    )
    flopy.modflow.ModflowRiv(mf, stress_period_data={0: [list(r) for r in RIVER]})
    flopy.modflow.ModflowDrn(mf, stress_period_data={0: [list(d) for d in DRAIN]})
    flopy.modflow.ModflowWel(
        mf, stress_period_data={p: [[*WELL, q]] for p, q in enumerate(PUMPING[: len(periods)])}
    )
    flopy.modflow.ModflowRch(mf, nrchop=1, rech=RECHARGE)
    flopy.modflow.ModflowEvt(mf, nevtop=1, surf=ET[0], evtr=ET[1], exdp=ET[2])
    flopy.modflow.ModflowOc(
        mf,
        stress_period_data={
            (p, k): ["save head"] for p, per in enumerate(periods) for k in range(per[1])
        },
    )
    flopy.modflow.ModflowLmt(
        mf,
        output_file_name=link_file,
        output_file_header="extended",
        output_file_format="unformatted",
    )
    mf.write_input()
    ok, out = mf.run_model(silent=True)
    assert ok, out[-20:]


def run_mf6(workspace, steady: bool) -> None:
    """Run the MODFLOW 6 equivalent of :func:`run_nwt`."""
    periods = PERIODS[:1] if steady else PERIODS
    sim = flopy.mf6.MFSimulation(sim_ws=str(workspace), exe_name=str(find_executable("mf6")))
    flopy.mf6.ModflowTdis(sim, nper=len(periods), perioddata=[p[:3] for p in periods])
    flopy.mf6.ModflowIms(
        sim,
        outer_dvclose=MF6_CLOSE,
        inner_dvclose=MF6_CLOSE / 10,
        rcloserecord=1e-4,
        outer_maximum=200,
        inner_maximum=300,
        linear_acceleration="bicgstab",
    )
    gwf = flopy.mf6.ModflowGwf(sim, modelname="gwf", save_flows=True)
    flopy.mf6.ModflowGwfdis(
        gwf, nlay=NLAY, nrow=NROW, ncol=NCOL, delr=DX, delc=DX, top=TOP, botm=BOTM
    )
    flopy.mf6.ModflowGwfnpf(
        gwf, icelltype=[1, 0], k=HK, k33=VK, save_flows=True, save_saturation=True
    )
    flopy.mf6.ModflowGwfic(gwf, strt=27.0)
    flopy.mf6.ModflowGwfsto(
        gwf,
        iconvert=[1, 0],
        ss=[0.0, 1e-4],
        sy=0.2,
        steady_state={0: True},
        transient={1: True} if not steady else None,
    )
    flopy.mf6.ModflowGwfchd(gwf, stress_period_data={0: [[c, EAST_HEAD] for c in _east()]})
    flopy.mf6.ModflowGwfghb(
        gwf, stress_period_data={0: [[c, WEST_HEAD, GHB_COND] for c in _west()]}
    )
    flopy.mf6.ModflowGwfriv(gwf, stress_period_data={0: [[r[:3], *r[3:]] for r in RIVER]})
    flopy.mf6.ModflowGwfdrn(gwf, stress_period_data={0: [[d[:3], *d[3:]] for d in DRAIN]})
    flopy.mf6.ModflowGwfwel(
        gwf, stress_period_data={p: [[WELL, q]] for p, q in enumerate(PUMPING[: len(periods)])}
    )
    flopy.mf6.ModflowGwfrcha(gwf, recharge=RECHARGE)
    flopy.mf6.ModflowGwfevta(gwf, surface=ET[0], rate=ET[1], depth=ET[2])
    flopy.mf6.ModflowGwfoc(
        gwf,
        head_filerecord="gwf.hds",
        budget_filerecord="gwf.cbc",
        saverecord=[("HEAD", "ALL"), ("BUDGET", "ALL")],
    )
    sim.write_simulation(silent=True)
    ok, out = sim.run_simulation(silent=True)
    assert ok, out[-20:]


def read_link_records(path, shape) -> list[tuple[str, tuple[int, int], object]]:
    """The records of an unformatted (stream, single precision) MT3D link file.

    Each is (label, (kper, kstp), values): a float array for array records, a list of
    ((k, i, j), q) for point records, a (layer, rate) pair for RCH/EVT; the header comes first as
    ("HEADER", (0, 0), its 21 integers).
    """
    nlay, nrow, ncol = shape
    data = open(path, "rb").read()
    records = [("HEADER", (0, 0), np.frombuffer(data[11:95], "<i4"))]
    pos = 95
    while pos < len(data):
        ints = np.frombuffer(data[pos : pos + 20], "<i4")
        label = data[pos + 20 : pos + 36].decode().strip()
        key, pos = (int(ints[0]), int(ints[1])), pos + 36
        if label in ("CNH", "WEL", "DRN", "RIV", "GHB"):
            num = int(np.frombuffer(data[pos : pos + 4], "<i4")[0])
            rows = np.frombuffer(
                data[pos + 4 : pos + 4 + 16 * num], [("c", "<i4", 3), ("q", "<f4")]
            )
            records.append((label, key, [(tuple(r["c"]), float(r["q"])) for r in rows]))
            pos += 4 + 16 * num
        elif label in ("RCH", "EVT"):
            n = nrow * ncol
            layer = np.frombuffer(data[pos : pos + 4 * n], "<i4")
            rate = np.frombuffer(data[pos + 4 * n : pos + 8 * n], "<f4")
            records.append((label, key, (layer, rate)))
            pos += 8 * n
        else:
            n = nlay * nrow * ncol
            records.append((label, key, np.frombuffer(data[pos : pos + 4 * n], "<f4")))
            pos += 4 * n
    return records


def run_mf6_newton_rotated(workspace) -> None:
    """A MODFLOW 6 model MODFLOW-NWT cannot represent: Newton, horizontal anisotropy rotated 30°
    (XT3D, the full conductivity tensor).

    One convertible layer (0 to 20 m) of 30 x 30 cells of 10 m, water table near 15 m; fixed
    heads on all four edges falling 2 m from west to east (h = 16 - x/150), so the head gradient
    is uniform along x and the flow, K·(-grad h), turns toward +y by atan(Kxy/Kxx) = 23.4° with K
    20 m/d along 30° and 4 m/d across; steady.
    """
    sim = flopy.mf6.MFSimulation(sim_ws=str(workspace), exe_name=str(find_executable("mf6")))
    flopy.mf6.ModflowTdis(sim, nper=1, perioddata=[(1.0, 1, 1.0)])
    flopy.mf6.ModflowIms(
        sim,
        complexity="complex",
        outer_dvclose=MF6_CLOSE,
        inner_dvclose=MF6_CLOSE / 10,
        linear_acceleration="bicgstab",
    )
    gwf = flopy.mf6.ModflowGwf(sim, modelname="gwf", save_flows=True, newtonoptions="NEWTON")
    flopy.mf6.ModflowGwfdis(gwf, nlay=1, nrow=30, ncol=30, delr=10.0, delc=10.0, top=20.0, botm=0.0)
    flopy.mf6.ModflowGwfnpf(
        gwf,
        icelltype=1,
        k=20.0,
        k22=4.0,
        angle1=30.0,
        xt3doptions=True,
        save_flows=True,
        save_saturation=True,
    )
    flopy.mf6.ModflowGwfic(gwf, strt=15.0)
    flopy.mf6.ModflowGwfchd(
        gwf,
        stress_period_data={
            0: [
                [(0, i, j), 16.0 - (j + 0.5) * 10.0 / 150.0]
                for i in range(30)
                for j in range(30)
                if i in (0, 29) or j in (0, 29)
            ]
        },
    )
    flopy.mf6.ModflowGwfoc(
        gwf,
        head_filerecord="gwf.hds",
        budget_filerecord="gwf.cbc",
        saverecord=[("HEAD", "ALL"), ("BUDGET", "ALL")],
    )
    sim.write_simulation(silent=True)
    ok, out = sim.run_simulation(silent=True)
    assert ok, out[-20:]
