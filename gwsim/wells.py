"""Pumping wells as a flow field sees them: names or (x, y) points resolved to pumping cells (m, m³/d).

A well is given either by name, the name of a WEL package (a gwsim boundary name, or the package
name of any MODFLOW 6 model), or by a point (x, y) in model coordinates, which takes every pumping
cell of the grid column holding it. Capture zones, risk receptors and monitoring designs resolve
wells here, so they agree on which cells a well pumps from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gwsim.errors import WellError
from gwsim.flowfield import FlowField


@dataclass
class Well:
    """A pumping well (or well group) as seen in the flow field."""

    name: str
    cells: np.ndarray  # (m, 3) layer, row, col of the pumping cells
    rate: float  # total pumping, m³/d (positive)
    x: float  # model coordinates of the first cell's centre, m
    y: float


def _as_list(wells) -> list:
    """One well (a name or an (x, y) pair) or a sequence of them, as a list."""
    if isinstance(wells, str) or (
        len(wells) == 2 and isinstance(wells[0], (int, float, np.number))
    ):
        return [wells]
    return list(wells)


def resolve_wells(flow: FlowField, wells: Sequence, step: int = -1) -> list[Well]:
    """Wells given by name (a WEL package / boundary name) or (x, y), with their pumping cells.

    Parameters
    ----------
    flow : the flow field.
    wells : a name, an (x, y) point (model coordinates, m), or a sequence of them.
    step : saved time step whose pumping defines the wells' cells and rates.

    Raises
    ------
    WellError : an unknown name, a point outside the grid or over an inactive column, or a well
        that injects or pumps nothing at ``step``.
    """
    wells = _as_list(wells)
    if len(wells) == 0:
        raise WellError("no wells given: pass well names or (x, y) positions")
    pumping = {
        name: q[step] for name, q in flow.sources.items() if flow.source_types[name] == "WEL"
    }
    total = sum(pumping.values(), np.zeros(flow.shape))
    resolved = []
    for i, well in enumerate(wells):
        if isinstance(well, str):
            if well.lower() not in pumping:
                raise WellError(
                    f"wells[{i}]: no well package named {well!r}; the model has "
                    f"{sorted(pumping) or 'none'}"
                )
            q = pumping[well.lower()]
            cells = np.argwhere(q < 0)
            name = well
        else:
            q = total
            cells = _column_cells(flow, total, well, i)
            name = f"well_{i + 1}"
        rate = -float(sum(q[tuple(c)] for c in cells))
        injected = float(q[q > 0].sum()) if isinstance(well, str) else 0.0
        if injected > 0 and rate <= 0:
            raise WellError(
                f"wells[{i}] ({name}) injects {injected:g} m³/d (positive WEL rate) at the chosen "
                "time step: a capture zone needs a pumping well (negative WEL rate) there"
            )
        if len(cells) == 0 or rate <= 0:
            raise WellError(
                f"wells[{i}] ({name}) pumps nothing at the chosen time step: a capture zone needs a "
                "pumping well (negative WEL rate) there"
            )
        _, r, c = cells[0]
        resolved.append(
            Well(
                name, cells, rate, float(flow.grid.xcenters[r, c]), float(flow.grid.ycenters[r, c])
            )
        )
    return resolved


def _column_cells(flow: FlowField, pumping: np.ndarray, point, i: int) -> np.ndarray:
    """(m, 3) pumping cells of the grid column holding ``point`` (x, y)."""
    x, y = (float(v) for v in point)
    _, row, col = flow.grid.locate(x, y)
    if row[0] < 0:
        raise WellError(f"wells[{i}]: ({x:.1f}, {y:.1f}) is outside the grid")
    column = (slice(None), int(row[0]), int(col[0]))
    if not (flow.grid.idomain[column] > 0).any():
        raise WellError(
            f"wells[{i}]: ({x:.1f}, {y:.1f}) is in an inactive column (row {row[0]}, "
            f"col {col[0]}): move it into the active model area"
        )
    layers = np.flatnonzero(pumping[column] < 0)
    return np.column_stack([layers, np.full_like(layers, row[0]), np.full_like(layers, col[0])])


def well_of_node(flow: FlowField, wells: list[Well]) -> np.ndarray:
    """(ncell,) index into ``wells`` of the well pumping from each node, -1 elsewhere."""
    owner = np.full(int(np.prod(flow.shape)), -1)
    for i, w in enumerate(wells):
        owner[np.ravel_multi_index(tuple(w.cells.T), flow.shape)] = i
    return owner
