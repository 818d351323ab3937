"""Shared fixtures and test infrastructure.

- Fixtures: the layered model of :mod:`models` as specs (steady and transient).
- ``needs_<program>`` markers: a test (or a module, through ``pytestmark``) that runs a MODFLOW
  program is skipped, with the fix in the reason, when that program is not installed.
- The repository must gain no files during a run: a test that writes outside its ``tmp_path``
  (e.g. a program dropping its log in the working directory) fails the session.
"""

import functools
import subprocess
from pathlib import Path

import pytest
from builders import layered_spec

from gwsim.errors import ExecutableError
from gwsim.executables import find_executable
from gwsim.spec import ModelSpec

REPO = Path(__file__).resolve().parent.parent
UNTRACKED_AT_START = pytest.StashKey[set[str] | None]()

PROGRAM_MARKERS = {  # marker name: program, as gwsim.executables names it
    "needs_mf6": "mf6",
    "needs_mfnwt": "mfnwt",
    "needs_mt3d": "mt3dusgs",
    "needs_mp7": "mp7",
}


def pytest_configure(config):
    for marker, program in PROGRAM_MARKERS.items():
        config.addinivalue_line(
            "markers", f"{marker}: runs {program}; skipped when {program} is not installed"
        )


@functools.cache
def missing_program_reason(program: str) -> str | None:
    """Why tests that run ``program`` are skipped, or None when it is installed."""
    try:
        find_executable(program)
    except ExecutableError:
        return f"{program} not installed: run `gwsim install-exes`"
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker, program in PROGRAM_MARKERS.items():
            reason = item.get_closest_marker(marker) and missing_program_reason(program)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
                break


def untracked_files() -> set[str] | None:
    """Files in the repository that git neither tracks nor ignores (None outside a checkout)."""
    try:
        proc = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return {line[3:] for line in proc.stdout.splitlines() if line.startswith("??")}


def pytest_sessionstart(session):
    session.config.stash[UNTRACKED_AT_START] = untracked_files()


def pytest_sessionfinish(session, exitstatus):
    before = session.config.stash.get(UNTRACKED_AT_START, None)
    after = untracked_files()
    if before is None or after is None:
        return
    new = sorted(after - before)
    if new:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (
            "the test run wrote into the repository (write under tmp_path, run programs with "
            f"cwd in their workspace): {', '.join(new)}"
        )
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_sep("=", f"ERROR: {message}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def steady_layered_spec() -> ModelSpec:
    return layered_spec(transient=False)


@pytest.fixture
def transient_layered_spec() -> ModelSpec:
    return layered_spec(transient=True)
