"""Running a MODFLOW-family program, and the checks every engine makes on its run.

:func:`run_program` runs an installed program (:mod:`gwsim.executables`) in a workspace and raises
:class:`~gwsim.errors.EngineError`, carrying what the listing files say, unless the program reports
normal termination. :func:`check_discrepancy` warns when a run's volume or mass budget does not
close (:class:`~gwsim.errors.MassBalanceWarning`).
"""

from __future__ import annotations

import subprocess
import warnings
from collections.abc import Sequence
from pathlib import Path

from gwsim.errors import EngineError, MassBalanceWarning
from gwsim.executables import find_executable

LISTING_LINES = 30  # lines of a listing file an EngineError carries
ERROR_REPORT = "ERROR REPORT"  # heading of MODFLOW 6's error summary in mfsim.lst
STDOUT_CHARS = 3000  # characters of a program's screen output carried when no listing exists


def listing_tail(listings: Sequence[Path], lines: int = LISTING_LINES) -> str:
    """What a failed run said: for each existing listing, its error report or else its last lines.

    MODFLOW 6 collects its errors under ``ERROR REPORT`` in ``mfsim.lst``; a model listing (and
    MODFLOW-NWT's and MT3D-USGS's) ends with the step at which the run stopped.
    """
    parts = []
    for listing in listings:
        if not listing.is_file():
            continue
        text = listing.read_text(errors="replace")
        if ERROR_REPORT in text:
            parts += text[text.rindex(ERROR_REPORT) :].splitlines()[: 2 * lines]
        else:
            parts += text.splitlines()[-lines:]
    return "\n".join(parts)


def run_program(
    program: str,
    args: Sequence[str],
    workspace: Path,
    success_text: str,
    listings: Sequence[Path],
    label: str = "",
) -> None:
    """Run ``program`` (a name from :data:`gwsim.executables.PROGRAMS`) in ``workspace``.

    Parameters
    ----------
    program : program name, e.g. ``"mf6"``, ``"mfnwt"``, ``"mt3dusgs"``.
    args : command-line arguments (e.g. the name file), relative to ``workspace``.
    workspace : folder the program runs in.
    success_text : what the program prints on normal termination (case-insensitive), e.g.
        ``"normal termination"`` (MODFLOW) or ``"program completed"`` (MT3D-USGS).
    listings : listing files whose end (or error report) explains a failure.
    label : what was run, for the error message (e.g. ``"flow model 'valley'"``).

    Raises
    ------
    EngineError
        When the program exits with an error or without ``success_text``; the message names the
        program, the workspace and the first line of any crash report, and carries the listings'
        tail (or the end of the screen output when there is no listing).
    """
    proc = subprocess.run(
        [str(find_executable(program)), *args],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode == 0 and success_text.lower() in proc.stdout.lower():
        return
    crash = (proc.stderr.strip().splitlines() or [""])[0]  # e.g. a Fortran read error
    message = f"{program} run in {workspace} failed"
    if label:
        message += f" ({label})"
    if crash:
        message += f": {crash}"
    raise EngineError(message, listing_tail(listings) or proc.stdout[-STDOUT_CHARS:])


def check_discrepancy(
    percent: float | None, limit: float, subject: str, fix: str, stacklevel: int = 2
) -> None:
    """Warn (MassBalanceWarning) when a budget discrepancy ``percent`` (%) exceeds ``limit`` (%).

    ``subject`` names the budget (e.g. ``"model 'valley': volume budget"``), ``fix`` what to do;
    ``stacklevel`` counts from the caller, as in :func:`warnings.warn`.
    """
    if percent is None or percent <= limit:
        return
    warnings.warn(
        f"{subject} discrepancy reaches {percent:.3g} % (> {limit} %): {fix}",
        MassBalanceWarning,
        stacklevel=stacklevel + 1,
    )
