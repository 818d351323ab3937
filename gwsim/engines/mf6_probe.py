"""Does this MODFLOW 6 rotate its dispersion tensor right? A tiny GWT run, known by behaviour.

MODFLOW 6 up to 6.6 (modflow6 issue #2826, fixed by PR #2849, June 2026) computes the horizontal
angle of the dispersion tensor with ``acos(qx / |q|)``, which lies in [0, π]: a flow with qy < 0
gets the tensor of its mirror image qy > 0, and its plume spreads along the wrong diagonal.

:func:`probe_mf6_dispersion` runs the same problem twice, with the flow turned +45° (qy > 0) and
-45° (qy < 0) from +x: one confined layer of 31 × 31 cells of 1 m, uniform flow of seepage
velocity 1 m/d set by fixed heads on the edges, a continuous point source of 1 g/d at the centre,
α_L = 2 m, α_T = 0.2 m, 6 days in 6 steps (upstream advection, XT3D dispersion). Mirrored across
the x axis the two problems are the same, on a grid that is symmetric too, so a correct MODFLOW 6
gives mirrored plumes that agree to solver tolerance (1e-10 of the peak with isotropic
dispersion, where the bug cannot act); the bug makes them differ by about 30 % of the peak.
Upstream advection, because MODFLOW 6.4.1's TVD scheme is not mirror-symmetric by itself (3.7 %
of the peak on this probe with isotropic dispersion) and would blur the verdict. Runs in about
a second of CPU.
"""

from __future__ import annotations

import subprocess
import tempfile
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import flopy
import numpy as np

from gwsim.errors import EngineError, GwsimError, Mf6DispersionWarning
from gwsim.executables import (
    describe_probe,
    find_executable,
    manifest_folders,
    read_manifest,
)

NCELL = 31  # cells per side (odd: the source is the centre cell)
VELOCITY = 1.0  # m/d, seepage velocity
POROSITY = 0.25
K = 1.0  # m/d
DISPERSIVITY = (2.0, 0.2)  # alpha_L, alpha_T, m
DAYS, STEPS = 6.0, 6
TOLERANCE = 1e-3  # of the peak: far above solver round-off (1e-10), far below the bug (0.3)


@dataclass(frozen=True)
class DispersionProbe:
    """Result of :func:`probe_mf6_dispersion`.

    ``asymmetry``: largest |c(qy > 0) − c(qy < 0) mirrored| over the peak concentration (-);
    ``mirrors``: whether it is within ``tolerance``, i.e. the dispersion tensor turns with the flow.
    """

    mirrors: bool
    asymmetry: float
    tolerance: float

    def to_dict(self) -> dict:
        return asdict(self)


def _simulation(workspace: Path, mf6: Path, qy_sign: int) -> flopy.mf6.MFSimulation:
    """Flow (GWF) and transport (GWT) of the probe with the flow turned ``qy_sign`` * 45°."""
    sim = flopy.mf6.MFSimulation(sim_ws=str(workspace), exe_name=str(mf6), verbosity_level=0)
    flopy.mf6.ModflowTdis(sim, nper=1, perioddata=[(DAYS, STEPS, 1.0)])
    gwf = flopy.mf6.ModflowGwf(sim, modelname="gwf")
    gwt = flopy.mf6.ModflowGwt(sim, modelname="gwt")
    for model in (gwf, gwt):
        ims = flopy.mf6.ModflowIms(
            sim,
            filename=f"{model.name}.ims",
            outer_dvclose=1e-10,
            inner_dvclose=1e-11,
            linear_acceleration="bicgstab",
        )
        sim.register_ims_package(ims, [model.name])
        flopy.mf6.ModflowGwfdis(
            model, nlay=1, nrow=NCELL, ncol=NCELL, delr=1.0, delc=1.0, top=1.0, botm=0.0
        ) if model is gwf else flopy.mf6.ModflowGwtdis(
            model, nlay=1, nrow=NCELL, ncol=NCELL, delr=1.0, delc=1.0, top=1.0, botm=0.0
        )
    # uniform flow at +-45°: head falls along (cos 45°, qy_sign sin 45°) in model x, y
    gradient = VELOCITY * POROSITY / K
    x = np.arange(NCELL) + 0.5
    y = NCELL - x  # row 0 is the northern row
    direction = np.array([1.0, qy_sign]) / np.sqrt(2.0)
    edge = [
        ((0, i, j), 10.0 - gradient * (x[j] * direction[0] + y[i] * direction[1]))
        for i in range(NCELL)
        for j in range(NCELL)
        if i in (0, NCELL - 1) or j in (0, NCELL - 1)
    ]
    flopy.mf6.ModflowGwfnpf(gwf, icelltype=0, k=K, save_specific_discharge=True)
    flopy.mf6.ModflowGwfic(gwf, strt=10.0)
    flopy.mf6.ModflowGwfchd(gwf, stress_period_data={0: edge})
    flopy.mf6.ModflowGwtic(gwt, strt=0.0)
    flopy.mf6.ModflowGwtadv(gwt, scheme="UPSTREAM")
    flopy.mf6.ModflowGwtdsp(gwt, alh=DISPERSIVITY[0], ath1=DISPERSIVITY[1])
    flopy.mf6.ModflowGwtmst(gwt, porosity=POROSITY)
    flopy.mf6.ModflowGwtssm(gwt)
    centre = NCELL // 2
    flopy.mf6.ModflowGwtsrc(gwt, stress_period_data={0: [((0, centre, centre), 1.0)]})
    flopy.mf6.ModflowGwtoc(
        gwt, concentration_filerecord="gwt.ucn", saverecord=[("CONCENTRATION", "LAST")]
    )
    flopy.mf6.ModflowGwfgwt(sim, exgtype="GWF6-GWT6", exgmnamea="gwf", exgmnameb="gwt")
    return sim


def _plume(workspace: Path, mf6: Path, qy_sign: int) -> np.ndarray:
    sim = _simulation(workspace, mf6, qy_sign)
    sim.write_simulation(silent=True)
    try:
        run = subprocess.run(
            [str(mf6)], cwd=workspace, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EngineError(f"the dispersion probe did not run with {mf6}: {exc}") from exc
    if "normal termination" not in run.stdout.lower():
        raise EngineError(f"the dispersion probe did not run with {mf6}", run.stdout[-3000:])
    conc = flopy.utils.HeadFile(str(workspace / "gwt.ucn"), text="CONCENTRATION")
    try:
        return np.asarray(conc.get_data(), float)[0]
    finally:
        conc.close()


def probe_mf6_dispersion(mf6: str | Path | None = None) -> DispersionProbe:
    """Run the mirrored-flow probe with ``mf6`` (the one gwsim finds by default)."""
    mf6 = Path(mf6) if mf6 is not None else find_executable("mf6")
    with tempfile.TemporaryDirectory(prefix="gwsim-mf6-probe-") as tmp:
        north, south = (Path(tmp) / name for name in ("north", "south"))
        north.mkdir()
        south.mkdir()
        c_north = _plume(north, mf6, +1)
        c_south = _plume(south, mf6, -1)
    asymmetry = float(np.abs(c_north - c_south[::-1]).max() / c_north.max())
    return DispersionProbe(asymmetry <= TOLERANCE, asymmetry, TOLERANCE)


def probe_record(path: Path, log=print) -> dict:
    """The probe verdict of the mf6 at ``path`` as the manifest records it (``{"error": ...}``
    when the probe cannot run); ``gwsim install-exes`` passes it to the installer."""
    try:
        probe = probe_mf6_dispersion(path)
    except GwsimError as exc:
        log(f"the mf6 dispersion probe did not run: {exc}")
        return {"error": str(exc).splitlines()[0]}
    log(f"mf6 dispersion probe{describe_probe(probe.to_dict())}")
    return probe.to_dict()


def installed_mf6_probe() -> DispersionProbe | None:
    """The probe verdict the manifest records for the mf6 gwsim uses (None if not recorded)."""
    path = find_executable("mf6")
    for folder in manifest_folders(path):
        info = read_manifest(folder).get("mf6")
        if info and Path(info.path) == path and info.dispersion_probe:
            if "error" in info.dispersion_probe:
                return None
            return DispersionProbe(**info.dispersion_probe)
    return None


def warn_mf6_dispersion(probe: DispersionProbe, stacklevel: int = 2) -> None:
    """Issue :class:`~gwsim.errors.Mf6DispersionWarning` when ``probe`` says the mf6 is wrong."""
    if probe.mirrors:
        return
    warnings.warn(
        f"the MODFLOW 6 in use turns the dispersion tensor wrongly where the flow has qy < 0 "
        f"(mirrored plumes differ by {probe.asymmetry:.0%} of the peak on gwsim's probe): "
        "modflow6 issue #2826, fixed by PR #2849 (June 2026). Use engine='mt3d' (MT3D-USGS is "
        "right), or install an official MODFLOW 6 release from after mid-2026 (flopy's "
        "get-modflow) and register it with `gwsim install-exes --mf6 PATH`",
        Mf6DispersionWarning,
        stacklevel=stacklevel + 1,
    )
