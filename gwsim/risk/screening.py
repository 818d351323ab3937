"""Capture screening: which share of an enterprise's leaked water each well captures, by tracking.

Before any transport run, ``subdivisions²`` particles per leak cell (mid saturated depth) are
tracked forward through the flow field; weak sinks stop particles only in the wells' cells, and a
particle counts as captured when it stops in a cell of the well group, as
:func:`gwsim.capture_zone` classifies its lattice. The share (-) says which source an enterprise
threatens; the shortest travel time (d) how soon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gwsim.capture import CAPTURED
from gwsim.flowfield import FlowField
from gwsim.risk.receptors import Receptor
from gwsim.tracking import track
from gwsim.tracking.startpoints import cell_lattice_points
from gwsim.wells import resolve_wells, well_of_node


@dataclass
class Screening:
    """Forward-tracking screening of an enterprise: per source receptor, the share of footprint
    particles its wells capture (-) and the shortest travel time, d (inf when none)."""

    enterprise: str
    captured_share: dict[str, float]
    travel_time: dict[str, float]


def capture_screening(
    flow: FlowField, cells: np.ndarray, wells: Sequence, subdivisions: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Share of leak particles each well group captures (-) and the shortest travel time (d).

    Parameters
    ----------
    flow : FlowField
    cells : (m, 3) array
        Leak cells (layer, row, col), e.g. from :func:`gwsim.risk.leak_cells`.
    wells : sequence
        Well names or (x, y) positions (:func:`gwsim.capture.resolve_wells`).
    subdivisions : int
        Particles per leak-cell side.

    Returns
    -------
    shares, times : (len(wells),) arrays
    """
    resolved = resolve_wells(flow, list(wells))
    xyz = cell_lattice_points(flow, cells, n=(subdivisions, subdivisions, 1))
    node_owner = well_of_node(flow, resolved)
    res = track(flow, xyz, "forward", stop_cells=np.flatnonzero(node_owner >= 0))
    owner = node_owner[res.cell]
    captured = np.isin(res.status, CAPTURED) & (owner >= 0)
    shares = np.array([np.mean(captured & (owner == i)) for i in range(len(resolved))])
    times = np.array(
        [res.t[captured & (owner == i)].min(initial=np.inf) for i in range(len(resolved))]
    )
    return shares, times


def screen_enterprise(
    flow: FlowField,
    name: str,
    cells: np.ndarray,
    receptors: Sequence[Receptor],
    subdivisions: int = 3,
) -> Screening:
    """The :class:`Screening` of the enterprise ``name`` leaking in ``cells`` against every
    source-well receptor (monitoring wells capture nothing)."""
    sources = [r for r in receptors if r.kind == "source_well"]
    shares, times = (
        capture_screening(flow, cells, [r.location for r in sources], subdivisions)
        if sources
        else ([], [])
    )
    return Screening(
        name,
        {r.name: float(s) for r, s in zip(sources, shares, strict=True)},
        {r.name: float(t) for r, t in zip(sources, times, strict=True)},
    )
