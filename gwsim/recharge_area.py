"""Recharge areas: where the water pumped by wells enters the aquifer, and how much of it (m³/d).

Particles are released where water enters the aquifer (the top face of recharge cells, cells of
losing rivers and of inflowing head boundaries, injection wells), each carrying its share of that
inflow, and tracked forward; passing through a cell with a sink (a gaining river reach, a drain)
a particle keeps only the share of that cell's water that flows on (MODPATH 7's pass-through, with
the sinks' water taken out), so the shares of the pumping are flux-weighted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from tqdm import tqdm

from gwsim.flowfield import FlowField
from gwsim.periodic import CAPTURED, cycle_start_step, track_periodic
from gwsim.subcells import mask_to_polygon, subcell_edges, subcell_index
from gwsim.tracking.startpoints import cell_face_points, cell_lattice_points

INFLOW_KINDS = {
    "RCH": "recharge",
    "RIV": "river",
    "GHB": "boundary",
    "CHD": "boundary",
    "WEL": "injection",
}


@dataclass
class RechargeEntries:
    """Every point where water enters the aquifer (one per sub-cell and kind of entry).

    ``x, y`` model coordinates (m) and ``row, col`` the sub-cell; ``kind`` as in
    :data:`INFLOW_KINDS`; ``inflow`` the water entering there (m³/d); ``fraction`` the share of it
    that reaches the wells (0-1: the kept fractions of the cells its path crosses, 0 if not
    captured). ``inflow * fraction`` summed over a kind is that kind's share of the pumping.
    """

    x: np.ndarray
    y: np.ndarray
    row: np.ndarray
    col: np.ndarray
    kind: np.ndarray
    inflow: np.ndarray
    fraction: np.ndarray


def water_table_layer(flow: FlowField, step: int) -> np.ndarray:
    """(nrow, ncol) layer of the uppermost wet active cell of each column (-1 if none)."""
    wet = (flow.grid.idomain > 0) & (flow.saturation[step] > 0)
    return np.where(wet.any(axis=0), wet.argmax(axis=0), -1)


def recharge_particles(flow, s, step, first=None):
    """Start points where water enters the aquifer at ``step``, each with its inflow (m³/d) and
    kind; with ``first``, the inflow is the time-weighted mean over steps ``first``..``step`` (a
    seasonal cycle), so the particles carry a whole cycle's water."""
    points, weights, kinds = [], [], []
    steps = np.arange(step if first is None else first, step + 1)
    dt = flow.times[steps] - flow.step_start_times[steps]
    for name, q in flow.sources.items():
        kind = INFLOW_KINDS.get(flow.source_types[name])
        if kind is None:
            continue
        q_in = np.tensordot(dt / dt.sum(), np.maximum(q[steps], 0.0), axes=1)
        cells = np.argwhere((q_in > 0) & (flow.grid.idomain > 0))
        inflow = q_in[tuple(cells.T)]
        if kind == "recharge":  # it reaches the water table, in a lower layer below dry cells
            cells[:, 0] = water_table_layer(flow, step)[cells[:, 1], cells[:, 2]]
        wet = (cells[:, 0] >= 0) & (flow.saturation[step][tuple(cells.T)] > 0)
        cells, inflow = cells[wet], inflow[wet]
        if len(cells) == 0:
            continue
        if kind == "recharge":
            xyz = cell_face_points(flow, cells, faces=(6,), n=s, step=step)
        else:
            xyz = cell_lattice_points(flow, cells, n=(s, s, 1), step=step)
        points.append(xyz)
        weights.append(np.repeat(inflow / s**2, s**2))
        kinds.append(np.full(len(xyz), kind, dtype=object))
    if not points:
        return np.empty((0, 3)), np.empty(0), np.empty(0, dtype=object)
    return np.concatenate(points), np.concatenate(weights), np.concatenate(kinds)


def kept_fraction(flow: FlowField, step: int, wells: np.ndarray) -> np.ndarray:
    """(ncell,) share of the water entering each cell that flows on, not to a (non-well) sink."""
    inflow = np.zeros(flow.shape)
    faces = (flow.flow_right_face[step], flow.flow_front_face[step], flow.flow_lower_face[step])
    for axis, q in zip((2, 1, 0), faces, strict=True):
        entering_from_lower = np.roll(np.maximum(q, 0.0), 1, axis=axis)  # from the -side neighbour
        index = [slice(None)] * 3
        index[axis] = 0
        entering_from_lower[tuple(index)] = 0.0
        inflow += entering_from_lower + np.maximum(-q, 0.0)  # and from the +side neighbour
    sinks = np.zeros(flow.shape)
    for name, q in flow.sources.items():
        inflow += np.maximum(q[step], 0.0)
        if not flow.source_types[name].startswith("STO"):
            sinks += np.minimum(q[step], 0.0)
    sinks = sinks.ravel()
    sinks[wells] = 0.0  # particles stop in well cells: their water is captured there
    inflow = inflow.ravel()
    return np.where(inflow > 0, np.clip(1.0 + sinks / np.maximum(inflow, 1e-300), 0.0, 1.0), 1.0)


def recharge_area(flow, wells, s, node_owner, progress, cycle_days, iface):
    """Where the captured water enters, the share of the pumping from each kind of entry, and
    every entry point with its inflow and the fraction of it the wells capture.

    Returns (area, {kind: (geometry, share)}, RechargeEntries, track ends), or empty ones when
    no water enters. Each particle carries its inflow (m³/d; over a seasonal cycle, the cycle's
    mean) and starts at the start of the last step.
    """
    step = flow.ntimes - 1
    cyclic = cycle_days is not None and not flow.steady
    first = cycle_start_step(flow, cycle_days) if cyclic else None
    xyz, weight, kind = recharge_particles(flow, s, step, first)
    xe, ye = subcell_edges(flow, s)
    pumped = sum(w.rate for w in wells)
    if len(xyz) == 0:
        return shapely.Polygon(), {}, None, None
    if progress:
        tqdm.write(f"capture zone: tracking {len(xyz):,} particles from where water enters")
    well_nodes = np.flatnonzero(node_owner >= 0)
    ends = track_periodic(
        flow,
        xyz,
        node_owner >= 0,
        stop_cells=well_nodes,
        release_time=flow.step_start_times[step],
        cycle_days=cycle_days,
        weight=weight,
        kept=kept_fraction(flow, step, well_nodes),
        iface=iface,
    )
    captured = np.isin(ends.status, CAPTURED) & (node_owner[ends.cell] >= 0)
    fraction = np.where(captured, np.exp(ends.log_kept), 0.0)
    row, col = subcell_index(flow, s, xyz[:, 0], xyz[:, 1])
    sources = {}
    for k in dict.fromkeys(kind):
        hit = captured & (kind == k)
        if not hit.any():
            continue
        mask = np.zeros((ye.size - 1, xe.size - 1), bool)
        mask[row[hit], col[hit]] = True
        share = float((weight[hit] * fraction[hit]).sum() / pumped)
        sources[k] = (mask_to_polygon(flow, mask, xe, ye), share)
    area = shapely.union_all([g for g, _ in sources.values()]) if sources else shapely.Polygon()
    entries = RechargeEntries(
        x=xyz[:, 0], y=xyz[:, 1], row=row, col=col, kind=kind, inflow=weight, fraction=fraction
    )
    return area, sources, entries, ends
