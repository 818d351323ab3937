"""Engines that write, run and read MODFLOW-family models through flopy.

Analysis code never sees flopy objects: a flow engine returns a :class:`gwsim.FlowField`, a
transport engine a :class:`~gwsim.engines.transport_interface.TransportRun`.

========================  ==============================================================
module                    program
========================  ==============================================================
:mod:`.mf6`               MODFLOW 6 flow (GWF) of a gwsim spec
:mod:`.mf6_output`        reading any MODFLOW 6 flow model's output into a FlowField
:mod:`.mf6_gwt`           MODFLOW 6 transport (GWT) on a flow field's files
:mod:`.mt3d`              MT3D-USGS transport on a flow-transport link file
:mod:`.mfnwt`             MODFLOW-NWT rerun of a spec that writes that link file
:mod:`.program`           running a program, its failure report and budget check
:mod:`.transport_interface`  what transport engines receive and return
========================  ==============================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gwsim.engines.transport_interface import SoluteProblem, StepSchedule, TransportRun
from gwsim.errors import GwsimError
from gwsim.spec import ModelSpec

if TYPE_CHECKING:  # FlowField.from_mf6 imports engines.mf6_output: no import back at run time
    from gwsim.flowfield import FlowField

FLOW_ENGINES = ("mf6",)
TRANSPORT_ENGINES = ("mf6", "mt3d")


def run_flow(
    spec: ModelSpec, workspace: str | Path | None = None, engine: str = "mf6"
) -> FlowField:
    """Run the flow model ``spec`` with ``engine`` in ``workspace``; return its FlowField."""
    if engine == "mf6":
        from gwsim.engines import mf6

        return mf6.run(spec, workspace)
    raise GwsimError(f"unknown flow engine {engine!r}: use one of {FLOW_ENGINES}")


def run_transport(
    engine: str,
    flow: FlowField,
    problem: SoluteProblem,
    schedule: StepSchedule,
    workspace: str | Path,
    *,
    spec: ModelSpec | None = None,
) -> TransportRun:
    """Solve ``problem`` on ``schedule`` on the flow field ``flow`` with ``engine``.

    ``engine`` is one of :data:`TRANSPORT_ENGINES`: ``"mf6"`` (MODFLOW 6 GWT reading the flow
    field's head and budget files) or ``"mt3d"`` (MT3D-USGS; its flows come, for now, from a
    MODFLOW-NWT rerun of ``spec``, the ModelSpec ``flow`` was run from).
    """
    if engine == "mf6":
        from gwsim.engines import mf6_gwt

        return mf6_gwt.solve(flow, problem, schedule, workspace)
    if engine == "mt3d":
        from gwsim.engines import mt3d

        if spec is None:
            raise GwsimError("engine='mt3d' needs the ModelSpec the flow field was run from")
        return mt3d.solve(flow, problem, schedule, workspace, spec)
    raise GwsimError(f"unknown transport engine {engine!r}: use one of {TRANSPORT_ENGINES}")
