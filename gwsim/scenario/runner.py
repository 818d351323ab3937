"""Running a scenario file safely: check everything, run into a fresh folder, swap it in.

:func:`run_scenario` is what ``gwsim run`` does for every scenario kind: it checks the file
(:func:`gwsim.check.check_scenario`; a problem stops it before anything runs or is written), runs
the scenario into a fresh staging folder beside the output folder (:mod:`gwsim.rundir`), records
the input checks (plausibility warnings, converted override units) in ``input_checks.md`` of the
run folder and in the scenario's report where the kind writes one, and swaps the folder in only
when everything succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gwsim.check import CheckResult, check_scenario
from gwsim.errors import SpecError
from gwsim.portal import write_run_page
from gwsim.rundir import fresh_run_folder, moved
from gwsim.writers import atomic_path

CHECKS_FILE = "input_checks.md"


def check_lines(result: CheckResult) -> list[str]:
    """The input checks a run records: warnings first, then notes (converted units)."""
    return [f"warning: {w}" for w in result.warnings] + result.notes


def write_checks(result: CheckResult, folder: Path) -> Path:
    """Write ``input_checks.md`` (the check's summary, warnings and notes) into ``folder``."""
    lines = [f"# Input checks: {result.scenario.name}", "", result.summary, ""]
    lines += [f"- {line}" for line in check_lines(result)] or ["- no warnings"]
    path = folder / CHECKS_FILE
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n")
    return path


def run_scenario(
    path: str | Path,
    out: str | Path | None = None,
    log: Callable = print,
    scheduler: str | None = None,
) -> tuple[CheckResult, list[Path]]:
    """Check and run the scenario file ``path`` into ``out`` (default ``out/<name>``).

    Returns the check result and the paths written (under ``out``). A problem in the inputs
    raises before anything is written; a failed or interrupted run leaves ``out`` as it was.
    ``scheduler`` (a dask address) goes to scenarios that run on a cluster (ensembles); kinds
    that keep resumable state (``records_dir``) keep it beside ``out`` until the run succeeds,
    so that a killed run resumes.
    """
    result = check_scenario(path, out)
    scenario = result.scenario
    if scheduler is not None:
        if not hasattr(scenario, "use_scheduler"):
            raise SpecError("--scheduler", "applies to uncertainty scenarios only", "drop it")
        scenario.use_scheduler(scheduler)
    if hasattr(scenario, "records_dir"):
        scenario.records_dir = result.out.parent / f".{result.out.name}.records"
    if hasattr(scenario, "checks"):
        scenario.checks = check_lines(result)
    with fresh_run_folder(result.out) as staging:
        written = scenario.run(staging, log)
        written.append(write_checks(result, staging))
        written.append(write_run_page(staging, strict=False))
    return result, moved(written, staging, result.out)
