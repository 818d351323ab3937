"""Engines that write, run and read MODFLOW-family models through flopy.

Analysis code never sees flopy objects: engines return :class:`gwsim.FlowField`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gwsim.errors import GwsimError
from gwsim.spec import ModelSpec

if TYPE_CHECKING:  # FlowField.from_mf6 imports engines.mf6_output: no import back at run time
    from gwsim.flowfield import FlowField

FLOW_ENGINES = ("mf6",)


def run_flow(
    spec: ModelSpec, workspace: str | Path | None = None, engine: str = "mf6"
) -> FlowField:
    """Run the flow model ``spec`` with ``engine`` in ``workspace``; return its FlowField."""
    if engine == "mf6":
        from gwsim.engines import mf6

        return mf6.run(spec, workspace)
    raise GwsimError(f"unknown flow engine {engine!r}: use one of {FLOW_ENGINES}")
