"""Engines that write, run and read MODFLOW-family models through flopy.

Analysis code never sees flopy objects: engines return :class:`gwsim.FlowField`.
"""

from __future__ import annotations

from pathlib import Path

from gwsim.errors import GwsimError
from gwsim.flowfield import FlowField
from gwsim.spec import ModelSpec

FLOW_ENGINES = ("mf6",)


def run_flow(
    spec: ModelSpec, workspace: str | Path | None = None, engine: str = "mf6"
) -> FlowField:
    """Run the flow model ``spec`` with ``engine`` in ``workspace``; return its FlowField."""
    if engine == "mf6":
        from gwsim.engines import mf6

        return mf6.run(spec, workspace)
    raise GwsimError(f"unknown flow engine {engine!r}: use one of {FLOW_ENGINES}")
