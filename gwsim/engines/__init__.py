"""Engines that write, run and read MODFLOW-family models through flopy.

Analysis code never sees flopy objects: a flow engine returns a :class:`gwsim.FlowField`, a
transport engine a :class:`~gwsim.engines.transport_interface.TransportRun`.

* :mod:`.mf6`: MODFLOW 6 flow (GWF) of a gwsim spec; :mod:`.mf6_output` reads any MODFLOW 6 flow
  model's output into a FlowField;
* :mod:`.mf6_gwt`: MODFLOW 6 transport (GWT) on a flow field's head and budget files;
* :mod:`.mt3d`: MT3D-USGS transport on the flow-transport link file :mod:`.mt3d_link` writes
  from any flow field;
* :mod:`.transport_choice`: which transport engine ``"auto"`` runs, and the MODFLOW 6
  dispersion-bug warning (:mod:`.mf6_probe`);
* :mod:`.transport_interface`: what every transport engine receives (SoluteProblem,
  StepSchedule) and returns (TransportRun);
* :mod:`.program`: running a program, reporting its failure, checking its budget.

:func:`run_flow` and :func:`run_transport` pick an engine by name.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gwsim.engines.transport_interface import SoluteProblem, StepSchedule, TransportRun
from gwsim.errors import GwsimError, SpecError
from gwsim.spec import ModelSpec

if TYPE_CHECKING:  # FlowField.from_mf6 imports engines.mf6_output: no import back at run time
    from gwsim.flowfield import FlowField

FLOW_ENGINES = ("mf6",)
TRANSPORT_ENGINES = ("mf6", "mt3d")
TRANSPORT_ENGINE_CHOICES = ("auto", *TRANSPORT_ENGINES)  # "auto": see .transport_choice


def run_flow(
    spec: ModelSpec, workspace: str | Path | None = None, engine: str = "mf6"
) -> FlowField:
    """Run the flow model ``spec`` with ``engine`` in ``workspace``; return its FlowField."""
    if engine == "mf6":
        from gwsim.engines import mf6

        return mf6.run(spec, workspace)
    raise GwsimError(f"unknown flow engine {engine!r}: use one of {FLOW_ENGINES}")


def check_transport_engine(engine: str) -> None:
    """Raise SpecError unless ``engine`` is ``"auto"`` or a transport engine."""
    if engine not in TRANSPORT_ENGINE_CHOICES:
        raise SpecError(
            "engine",
            f"{engine!r} is not a transport engine",
            f"use one of {TRANSPORT_ENGINE_CHOICES}",
        )


def run_transport(
    engine: str,
    flow: FlowField,
    problem: SoluteProblem,
    schedule: StepSchedule,
    workspace: str | Path,
) -> TransportRun:
    """Solve ``problem`` on ``schedule`` on the flow field ``flow`` with ``engine``.

    ``engine`` is one of :data:`TRANSPORT_ENGINES`: ``"mf6"`` (MODFLOW 6 GWT reading the flow
    field's head and budget files) or ``"mt3d"`` (MT3D-USGS on the link file gwsim writes from
    the flow field).
    """
    if engine not in TRANSPORT_ENGINES:
        raise GwsimError(f"run_transport needs one of {TRANSPORT_ENGINES}, not {engine!r}")
    if engine == "mf6":
        from gwsim.engines import mf6_gwt

        return mf6_gwt.solve(flow, problem, schedule, workspace)
    from gwsim.engines import mt3d

    return mt3d.solve(flow, problem, schedule, workspace)
