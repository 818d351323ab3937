"""Sources as cell stresses: per stress period, mass loadings (g/d) and held concentrations (mg/L).

A mass-rate source adds its mass to its cell. A concentration source gives the water that the flow
model's packages bring into its cell that concentration: a mass rate of inflow (m³/d, averaged over
the period's flow steps by length) times concentration; where no water flows in, or with
``fixed=True``, the cell is held at the concentration instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gwsim.engines.transport_interface import CellId, StepSchedule
from gwsim.errors import SpecError
from gwsim.flowfield import FlowField
from gwsim.solute.inputs import Source
from gwsim.solute.schedule import TIME_ATOL

Stresses = dict[int, list[tuple[CellId, float]]]


def package_inflow(flow: FlowField, cell: CellId) -> np.ndarray:
    """(nt,) water entering ``cell`` from the flow model's packages (not storage), m³/d."""
    return sum(
        (
            np.maximum(q[(slice(None), *cell)], 0.0)
            for name, q in flow.sources.items()
            if not flow.source_types[name].startswith("STO")
        ),
        np.zeros(flow.ntimes),
    )


def cell_stresses(
    flow: FlowField, sources: Sequence[Source], cells: Sequence[CellId], schedule: StepSchedule
) -> tuple[Stresses, Stresses]:
    """(mass loadings g/d, held concentrations mg/L) of the sources active in each period."""
    step_lengths = np.diff(np.concatenate([[0.0], flow.times]))
    mass: Stresses = {}
    fixed: Stresses = {}
    for p, (t0, t1) in enumerate(zip(schedule.edges[:-1], schedule.edges[1:], strict=True)):
        mass[p], fixed[p] = [], []
        for i, (src, cell) in enumerate(zip(sources, cells, strict=True)):
            stop = np.inf if src.stop is None else src.stop
            if not (src.start <= t0 + TIME_ATOL and stop >= t1 - TIME_ATOL):
                continue
            if src.mass_rate is not None:
                mass[p].append((cell, float(src.mass_rate)))
                continue
            inflow = package_inflow(flow, cell)
            if src.fixed or (src.fixed is None and not inflow.any()):
                fixed[p].append((cell, float(src.concentration)))
            elif not inflow.any():
                raise SpecError(
                    f"sources[{i}].fixed",
                    "is False but the flow model brings no water into the source's cell",
                    "give fixed=None or True (hold the cell's concentration), or a mass_rate",
                )
            else:
                steps = schedule.flow_steps[p]
                q = (
                    np.average(inflow[steps], weights=step_lengths[steps])
                    if len(steps) > 1
                    else inflow[steps[0]]
                )
                mass[p].append((cell, float(q * src.concentration)))
    return mass, fixed
