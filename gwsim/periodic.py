"""Forward tracking through a periodic flow field: a seasonal cycle repeated until zones converge.

A seasonal model (a steady start, then a few years of wet and dry seasons) ends long before slow
water reaches the wells. When its last ``cycle_days`` form one cycle of a periodic regime, the flow
field of later years is that cycle again, so particles still moving at the end of the simulation
are restarted at the start of the last cycle, with their travel times carried on, and tracked
through it again: the periodic flow field repeated in time, without re-running the model.

The repetition stops when the water still moving is less than ``tolerance`` of the water captured
so far (whatever it does, the zones cannot change by more), or when two cycles in a row each add less
than ``tolerance`` per year of the captured water (the zones stopped changing), or after
``max_years`` of repetitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gwsim.errors import CaptureZoneError
from gwsim.flowfield import FlowField
from gwsim.tracking import Status
from gwsim.tracking.tracker import track_summing

CAPTURED = (Status.SINK, Status.WEAK_SINK)
TOLERANCE = 0.005  # relative growth of the captured water per year counted as converged
MAX_YEARS = 40.0  # of repeated cycles


@dataclass
class PeriodicEnds:
    """End states of particles tracked through a repeated cycle.

    ``t`` travel time (d), ``cell`` end node, ``status`` (:class:`gwsim.tracking.Status`),
    ``log_kept`` (when asked for) the summed log of the kept fractions of the cells crossed,
    ``cycles`` repetitions of the cycle tracked, ``converged`` whether the captured water stopped
    growing, ``moving`` particles still moving at the end.
    """

    t: np.ndarray
    cell: np.ndarray
    status: np.ndarray
    log_kept: np.ndarray | None
    cycles: int
    converged: bool
    moving: int


def cycle_start_step(flow: FlowField, cycle_days: float) -> int:
    """Index of the saved step where the last ``cycle_days`` of the simulation begin."""
    start = flow.times[-1] - cycle_days
    starts = flow.step_start_times
    match = np.flatnonzero(np.isclose(starts, start, atol=1e-6 * max(1.0, cycle_days)))
    if cycle_days <= 0 or match.size == 0 or flow.ntimes < 2:
        raise CaptureZoneError(
            f"cycle_days = {cycle_days:g}: the simulation ({flow.times[-1]:g} d) has no saved step "
            f"starting {cycle_days:g} d before its end; give the length of the model's seasonal "
            "cycle (e.g. 365) with every step saved"
        )
    return int(match[0])


def _restartable(flow: FlowField, x, y, z, step: int) -> np.ndarray:
    """Points in active, wet cells at saved step ``step`` (where a particle can restart)."""
    lay, row, col = flow.grid.locate(x, y, z)
    ok = (lay >= 0) & (row >= 0) & (col >= 0)
    idx = (lay[ok], row[ok], col[ok])
    good = np.zeros(ok.shape, bool)
    good[ok] = (flow.grid.idomain[idx] > 0) & (flow.saturation[step][idx] > 0)
    return good


def track_periodic(
    flow: FlowField,
    xyz: np.ndarray,
    captured_node: np.ndarray,
    *,
    stop_cells: np.ndarray,
    release_time=None,
    cycle_days: float | None = None,
    iface: dict[str, int] | None = None,
    weight: np.ndarray | None = None,
    kept: np.ndarray | None = None,
    tolerance: float = TOLERANCE,
    max_years: float = MAX_YEARS,
) -> PeriodicEnds:
    """Track forward; with ``cycle_days``, repeat the last cycle for particles still moving.

    Parameters
    ----------
    captured_node : (ncell,) bool, the nodes where a stopped particle counts as captured.
    iface : which face each package's flow crosses, as :func:`gwsim.track`'s ``iface``.
    weight : (n,) water each particle stands for (m³/d or 1), for the convergence test.
    kept : (ncell,) fraction of each cell's water that flows on; when given, ``log_kept`` sums its
        log over the cells each path enters (in the tracking kernel, once per entry; a restarted
        path does not count its start cell again).
    """
    log_kept_cells = np.log(np.maximum(kept, 1e-300)) if kept is not None else np.empty(0)
    res, sums = track_summing(
        flow,
        xyz,
        log_kept_cells,
        "forward",
        stop_cells=stop_cells,
        release_time=release_time,
        iface=iface,
    )
    t, cell, status = res.t.copy(), res.cell.copy(), res.status.copy()
    log_kept = sums if kept is not None else None
    moving = status == Status.END_OF_FLOW
    if cycle_days is None or not moving.any():
        return PeriodicEnds(t, cell, status, log_kept, 0, not moving.any(), int(moving.sum()))
    step = cycle_start_step(flow, cycle_days)
    start = flow.step_start_times[step]
    weight = np.ones(len(xyz)) if weight is None else np.asarray(weight, float)
    x, y, z = res.x.copy(), res.y.copy(), res.z.copy()

    def captured_water():
        return float(weight[np.isin(status, CAPTURED) & captured_node[cell]].sum())

    max_cycles = int(np.ceil(max_years * 365.25 / cycle_days))
    per_cycle = tolerance * min(1.0, cycle_days / 365.25)
    cycles, converged, quiet = 0, False, 0
    while moving.any() and cycles < max_cycles:
        before = captured_water()
        idx = np.flatnonzero(moving)
        ok = _restartable(flow, x[idx], y[idx], z[idx], step)
        status[idx[~ok]] = Status.INACTIVE_CELL  # its cell is dry when the cycle restarts
        idx = idx[ok]
        if idx.size:
            r, r_log_kept = track_summing(
                flow,
                np.column_stack([x[idx], y[idx], z[idx]]),
                log_kept_cells,
                "forward",
                count_start=False,  # the previous cycle counted the cell it ended in
                stop_cells=stop_cells,
                release_time=start,
                iface=iface,
            )
            t[idx] += r.t
            cell[idx], status[idx] = r.cell, r.status
            x[idx], y[idx], z[idx] = r.x, r.y, r.z
            if kept is not None:
                log_kept[idx] += r_log_kept
        cycles += 1
        moving = status == Status.END_OF_FLOW
        after = captured_water()
        quiet = quiet + 1 if after - before <= per_cycle * after else 0
        if quiet >= 2 or weight[moving].sum() <= tolerance * after:
            converged = True
            break
    converged = converged or not moving.any()
    return PeriodicEnds(t, cell, status, log_kept, cycles, converged, int(moving.sum()))
