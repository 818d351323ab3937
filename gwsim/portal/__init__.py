"""The information page of gwsim results: one self-contained, bilingual HTML file per run folder
(``report.html``, written at the end of every ``gwsim run``) and one for several run folders
(``gwsim portal DIR... --out site/`` writes ``site/index.html``).

:mod:`~gwsim.portal.collect` reads a run folder's products into the data model of
:mod:`~gwsim.portal.model`,
:mod:`~gwsim.portal.layers` makes the map layers, :mod:`~gwsim.portal.page` renders the page
with the script and style sheet of ``assets/`` inlined. docs/portal.md describes the page.
"""

from __future__ import annotations

from pathlib import Path

from gwsim.portal.collect import PAGE_NAME, collect_run
from gwsim.portal.model import PortalError, Run
from gwsim.portal.page import write_page

SITE_TITLE = {
    "en": "Pilot zone groundwater information platform",
    "zh": "试点区地下水一体化信息管理平台",
}


def write_run_page(folder: str | Path, strict: bool = True) -> Path:
    """Write ``report.html`` into the run folder ``folder``; returns its path. ``strict=False``
    (``gwsim run``, on the folder it just wrote) notes a layer file the run chose not to write
    on the page instead of raising."""
    run = collect_run(folder, strict=strict)
    title = {"en": f"gwsim results: {run.name}", "zh": f"gwsim 计算成果：{run.name}"}
    return write_page([run], Path(folder) / PAGE_NAME, title)


def write_site(folders: list[str | Path], out: str | Path) -> Path:
    """Write ``index.html`` of the run folders ``folders`` into ``out``; returns its path.
    Every folder is read (and checked) before anything is written."""
    if not folders:
        raise PortalError("no run folder given (fix: name one or more folders `gwsim run` wrote)")
    runs = [collect_run(folder) for folder in folders]
    names = [r.name for r in runs]
    for run in runs:
        if names.count(run.name) > 1:
            run.name = f"{run.name} ({run.folder.name})"
    return write_page(runs, Path(out) / "index.html", SITE_TITLE)


__all__ = [
    "PAGE_NAME",
    "SITE_TITLE",
    "PortalError",
    "Run",
    "collect_run",
    "write_run_page",
    "write_site",
]
