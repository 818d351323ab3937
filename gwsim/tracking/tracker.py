"""Particle tracking on a :class:`~gwsim.FlowField`: :func:`track`, returning a
:class:`~gwsim.tracking.result.TrackResult`.

:func:`track` checks the start points and options, turns the flow field into the plain arrays of
:class:`~gwsim.tracking.pollock.FlowArrays` once, and runs the numba kernel of
:mod:`gwsim.tracking.pollock` (Pollock's method, MODPATH 7's rules) in parallel over particles.

MODPATH 7 conventions it follows, so that both give the same end points:

* face flows come from the budget; the packages that the ``iface`` option names (MODPATH 7's
  ``DEFAULTIFACE``, :mod:`gwsim.tracking.faces`; by default recharge ``RCH`` and
  evapotranspiration ``EVT`` on the top face) enter or leave through that face of cells where it
  bounds the active grid; every other package (wells, rivers, drains, general and fixed heads,
  and named packages where their face touches an active cell) is a distributed source or sink
  inside the cell; storage is neither;
* in a convertible cell (``icelltype != 0``) the vertical coordinate spans the saturated thickness
  (head - bottom when the head is below the top); such a cell is dry (inactive) in a time step
  when its head is below its bottom or missing;
* a time step is steady when no storage flows in it; the last (forward) or first (backward) time
  step extends without end when it is steady (MODPATH 7's ``extend`` stop option).
"""

from __future__ import annotations

import numba
import numpy as np

from gwsim.flowfield import FlowField
from gwsim.tracking.arrays import cached_flow_arrays, kernel_copy
from gwsim.tracking.errors import TrackingError, first_indices
from gwsim.tracking.faces import checked_iface
from gwsim.tracking.pollock import ACTIVE, FlowArrays, track_particles
from gwsim.tracking.result import Pathlines, TrackResult

DIRECTIONS = ("forward", "backward")
WEAK_SINK_OPTIONS = ("pass_through", "stop")
MAX_STEPS = 10_000_000  # cell or time-step crossings per particle before it counts as stranded
CHUNK_SIZE = 64  # particles per parallel work item (paths differ a lot in length)


def track(
    flow: FlowField,
    xyz,
    direction: str = "forward",
    t_max: float | None = None,
    *,
    pathlines: bool = False,
    weak_sinks: str = "pass_through",
    release_time=None,
    stop_cells=None,
    iface: dict[str, int] | None = None,
) -> TrackResult:
    """Track particles through a flow field with Pollock's method (as MODPATH 7 does).

    Parameters
    ----------
    flow : the flow field (steady or transient; its porosity is used).
    xyz : (n, 3) start points: x, y in model coordinates (as flopy's modelgrid, offsets and
        rotation included), z elevation (m). In a convertible cell a point above the water table
        starts on the water table.
    direction : "forward" (with the flow) or "backward" (against it, toward where water came from).
    t_max : largest travel time (d); None tracks until each particle stops otherwise.
    pathlines : also return every particle's path (:class:`Pathlines`).
    weak_sinks : "pass_through" (default, MODPATH 7's default) or "stop": what a particle does in a
        cell with a sink that takes only part of its inflow (a source, in backward tracking).
    stop_cells : 0-based node numbers of cells whose weak sinks stop particles even with
        ``weak_sinks="pass_through"`` (e.g. the wells of a capture zone), status ``WEAK_SINK``.
    release_time : simulation time (d) of release, scalar or (n,); default the start (forward) or
        end (backward) of the flow simulation. Transient flow is followed step by step from there.
    iface : {budget type: face} as MODPATH 7's ``DEFAULTIFACE`` (faces 1 west, 2 east, 3 south,
        4 north, 5 bottom, 6 top): the named packages' flow crosses that face where it bounds the
        active grid. ``None`` is gwsim's default ``{"RCH": 6, "EVT": 6}`` (recharge and ET
        through the top face, the better physics for recharge); ``{}`` spreads every package
        through its cells, as MODPATH 7 and flopy's ``Modpath7Bas`` do by default. Any boundary
        type may be named (``"WEL"``, ``"RIV"``, ``"GHB"``, ...; ``"RCHA"`` is ``"RCH"``).

    Returns
    -------
    TrackResult : end points, travel times (d), end cells and statuses (see :mod:`.status`).

    Raises
    ------
    TrackingError : bad options, start points outside the grid or in inactive/dry cells,
        porosity not in (0, 1]; the message says how many particles and which.
    FaceOptionError : ``iface`` names an unknown budget type or a face outside 1-6.
    """
    result, _ = track_summing(
        flow,
        xyz,
        np.empty(0),
        direction,
        t_max,
        pathlines=pathlines,
        weak_sinks=weak_sinks,
        release_time=release_time,
        stop_cells=stop_cells,
        iface=iface,
    )
    return result


def track_summing(
    flow: FlowField,
    xyz,
    log_kept: np.ndarray,
    direction: str = "forward",
    t_max: float | None = None,
    *,
    count_start: bool = True,
    pathlines: bool = False,
    weak_sinks: str = "pass_through",
    release_time=None,
    stop_cells=None,
    iface: dict[str, int] | None = None,
) -> tuple[TrackResult, np.ndarray]:
    """:func:`track`, also summing a per-cell value over the cells each path enters.

    Parameters
    ----------
    log_kept : (ncell,) float value per node (e.g. the log of the share of a cell's water that
        flows on), added once each time a path enters a cell; empty for no sum.
    count_start : the sums include each particle's start cell (False when the paths continue
        paths whose sums already counted it, as a repeated periodic cycle does).
    Other parameters, errors: as :func:`track`.

    Returns
    -------
    (TrackResult, (n,) sums of ``log_kept``; zeros when it is empty). No pathline is recorded
    for the sums.
    """
    if direction not in DIRECTIONS:
        raise TrackingError(f"direction must be 'forward' or 'backward', not {direction!r}")
    if weak_sinks not in WEAK_SINK_OPTIONS:
        raise TrackingError(f"weak_sinks must be 'pass_through' or 'stop', not {weak_sinks!r}")
    if t_max is None:
        t_max = np.inf
    elif not (np.isscalar(t_max) and float(t_max) > 0):
        raise TrackingError(f"t_max must be a positive number of days or None, not {t_max!r}")
    forward = direction == "forward"
    faces = checked_iface(iface, flow.source_types.values())
    xyz = checked_points(xyz)
    release = checked_release_time(flow, release_time, forward, len(xyz))
    arrays = cached_flow_arrays(flow, forward, faces)
    log_kept = checked_log_kept(log_kept, arrays.bottom.size)
    count_start = bool(count_start)  # a numpy bool would be another kernel signature
    located = start_locations(flow, arrays, xyz, release, forward)
    # particles in start-cell order: those tracked one after another share cells in the caches
    # (twice as fast as random order on a 128,000-cell model); results go back to input order
    order = np.argsort(located[0], kind="stable")
    cell0, lx0, ly0, lz0, step0 = (a[order] for a in located)
    extend = bool(arrays.steady[-1] if forward else arrays.steady[0])
    run = (
        arrays,
        cell0,
        lx0,
        ly0,
        lz0,
        step0,
        release[order],
        forward,
        extend,
        float(t_max),
        stop_mask(flow, weak_sinks == "stop", stop_cells),
        MAX_STEPS,
    )
    n = len(xyz)
    out = (
        np.empty(n, np.int64),
        *(np.empty(n) for _ in range(4)),
        np.empty(n, np.int8),
        np.empty(n, np.int64),
        np.zeros(n),
    )
    no_points = np.empty(0)
    with numba.parallel_chunksize(CHUNK_SIZE):
        track_particles(
            *run,
            False,
            np.zeros(n + 1, np.int64),
            no_points,
            no_points,
            no_points,
            no_points,
            np.empty(0, np.int64),
            log_kept,
            count_start,
            *out,
        )
        out = tuple(_in_input_order(a, order) for a in out)
        paths = None
        if pathlines:
            offsets = np.concatenate([[0], np.cumsum(out[-2])])
            m = int(offsets[-1])
            pts = [np.empty(m) for _ in range(4)] + [np.empty(m, np.int64)]
            track_particles(
                *run,
                True,
                offsets[order],
                *pts,
                no_points,
                count_start,
                *(np.empty_like(a) for a in out),
            )
            paths = Pathlines.from_local(offsets, *pts, to_model=flow.grid.to_model)
    cell, xl, yl, z, t, status, _, sums = out
    x, y = flow.grid.to_model(xl, yl)
    result = TrackResult(
        x=x,
        y=y,
        z=z,
        t=t,
        cell=cell,
        status=status,
        start=xyz,
        release_time=release,
        direction=direction,
        shape=flow.shape,
        pathlines=paths,
        flow_attrs=dict(flow.attrs),
    )
    return result, sums


def checked_log_kept(log_kept, ncell: int) -> np.ndarray:
    """``log_kept`` as the kernel's array: empty, or (ncell,) finite float64 values."""
    values = kernel_copy(log_kept).ravel()
    if values.size not in (0, ncell) or not np.isfinite(values).all():
        raise TrackingError(
            f"log_kept must be empty or hold one finite value per node ({ncell}); got "
            f"{values.size} values, {int((~np.isfinite(values)).sum())} of them not finite"
        )
    return values


def _in_input_order(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Values computed for particles ``order`` (a permutation), back in input order."""
    result = np.empty_like(values)
    result[order] = values
    return result


def stop_mask(flow: FlowField, stop_all: bool, stop_cells) -> np.ndarray:
    """(ncell,) bool: the cells whose weak sinks stop particles."""
    ncell = int(np.prod(flow.shape))
    mask = np.full(ncell, stop_all)
    if stop_cells is not None:
        nodes = np.asarray(stop_cells, np.int64).ravel()
        bad = (nodes < 0) | (nodes >= ncell)
        if bad.any():
            raise TrackingError(
                f"{int(bad.sum())} stop_cells are not node numbers of the grid (0..{ncell - 1}), "
                f"e.g. {nodes[bad][:5].tolist()}"
            )
        mask[nodes] = True
    return mask


def checked_points(xyz) -> np.ndarray:
    """Start points as a float (n, 3) array; raises on a wrong shape or non-finite values."""
    pts = np.asarray(xyz, dtype=float)
    if pts.ndim == 1 and pts.size == 3:
        pts = pts[None]
    if pts.ndim != 2 or pts.shape[1] != 3 or len(pts) == 0:
        raise TrackingError(f"xyz must be an (n, 3) array of x, y, z; got shape {pts.shape}")
    bad = ~np.isfinite(pts).all(axis=1)
    if bad.any():
        raise TrackingError(
            f"{int(bad.sum())} start points have NaN or infinite coordinates "
            f"(particle indices {first_indices(bad)})"
        )
    return pts


def checked_release_time(flow: FlowField, release_time, forward: bool, n: int) -> np.ndarray:
    """Release times (d) as an (n,) array within the flow simulation (any time if it is one step)."""
    if release_time is None:
        release_time = flow.step_start_times[0] if forward else flow.times[-1]
    try:
        rel = np.broadcast_to(np.asarray(release_time, float), (n,)).copy()
    except ValueError as exc:
        raise TrackingError(f"release_time must be a scalar or have {n} values") from exc
    if flow.ntimes > 1:
        bad = ~((rel >= flow.step_start_times[0]) & (rel <= flow.times[-1]))
        if bad.any():
            raise TrackingError(
                f"{int(bad.sum())} release times lie outside the flow simulation "
                f"({flow.step_start_times[0]:g} to {flow.times[-1]:g} d) "
                f"(particle indices {first_indices(bad)})"
            )
    return rel


def start_locations(flow: FlowField, arrays: FlowArrays, xyz: np.ndarray, release, forward: bool):
    """Start cell, local coordinates and time step of each particle; raises for bad points."""
    _, nrow, ncol = flow.shape
    xl, yl = flow.grid.to_local(xyz[:, 0], xyz[:, 1])
    z = xyz[:, 2]
    layer, row, col = flow.grid.locate(xyz[:, 0], xyz[:, 1], z)
    outside = layer < 0
    if outside.any():
        raise TrackingError(
            f"{int(outside.sum())} start points lie outside the grid (horizontally or above the "
            f"top / below the bottom) (particle indices {first_indices(outside)})"
        )
    cell = (layer * nrow + row) * ncol + col
    if forward:
        step = np.searchsorted(arrays.step_end, release, side="right")
    else:
        step = np.searchsorted(arrays.step_end, release, side="left")
    step = np.clip(step, 0, flow.ntimes - 1)
    dead = (arrays.flags[step, cell] & ACTIVE) == 0
    if dead.any():
        raise TrackingError(
            f"{int(dead.sum())} start points lie in inactive or dry cells at their release time "
            f"(particle indices {first_indices(dead)})"
        )
    lx = np.clip((xl - arrays.x_west[col]) / arrays.delr[col], 0.0, 1.0)
    ly = np.clip((yl - arrays.y_south[row]) / arrays.delc[row], 0.0, 1.0)
    lz = np.clip((z - arrays.bottom[cell]) / arrays.sat_thickness[step, cell], 0.0, 1.0)
    return cell.astype(np.int64), lx, ly, lz, step.astype(np.int64)
