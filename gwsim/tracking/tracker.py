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

import hashlib

import numba
import numpy as np

from gwsim.errors import GwsimError
from gwsim.flowfield import FlowField
from gwsim.tracking.faces import TYPE_ALIASES, checked_iface
from gwsim.tracking.pollock import ACTIVE, WEAK_SINK, FlowArrays, track_particles
from gwsim.tracking.result import Pathlines, TrackResult

DIRECTIONS = ("forward", "backward")
WEAK_SINK_OPTIONS = ("pass_through", "stop")
MAX_STEPS = 10_000_000  # cell or time-step crossings per particle before it counts as stranded
CHUNK_SIZE = 64  # particles per parallel work item (paths differ a lot in length)


class TrackingError(GwsimError, ValueError):
    """Start points or options of a tracking run are invalid."""


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
            f"(particle indices {_first(bad)})"
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
                f"(particle indices {_first(bad)})"
            )
    return rel


def cached_flow_arrays(flow: FlowField, forward: bool, faces: dict[str, int]) -> FlowArrays:
    """:func:`flow_arrays`, computed once per flow field, direction, face option and porosity.

    Only the latest set is kept (it takes 48 bytes per cell and time step).
    """
    key = (
        "tracking",
        forward,
        tuple(sorted(faces.items())),
        hashlib.sha1(np.ascontiguousarray(flow.porosity)).hexdigest(),
    )
    cached = flow.derived.get("tracking")
    if cached is None or cached[0] != key:
        flow.derived["tracking"] = (key, flow_arrays(flow, forward, faces))
    return flow.derived["tracking"][1]


def flow_arrays(flow: FlowField, forward: bool, faces: dict[str, int]) -> FlowArrays:
    """The flow field as the kernel's arrays: face velocities of every cell and time step, etc.

    Velocity through a face = face flow / (face area x porosity); lateral face areas use the
    saturated thickness. ``faces`` is the checked ``iface`` option (budget type -> face 1-6). See
    this module's docstring for the MODPATH 7 conventions.
    """
    nlay, nrow, ncol = flow.shape
    ncell = nlay * nrow * ncol
    nt = flow.ntimes
    por = flow.porosity.ravel()
    bad = ~((por > 0) & (por <= 1))
    if bad.any():
        raise TrackingError(
            f"porosity must be in (0, 1]; {int(bad.sum())} cells are not (node numbers "
            f"{_first(bad)}): set flow.porosity to the effective porosity, e.g. 0.25"
        )
    idomain = flow.grid.idomain.ravel()
    bottom = flow.grid.botm.ravel().astype(float)
    convertible = flow.icelltype.ravel() != 0
    neighbours = grid_neighbours(flow.grid.idomain)
    bounding = neighbours < 0  # (ncell, 6) faces that bound the active grid
    dx = np.broadcast_to(flow.grid.delr[None, None, :], flow.shape).ravel()
    dy = np.broadcast_to(flow.grid.delc[None, :, None], flow.shape).ravel()

    vel = np.zeros((nt, ncell, 6))
    sat = np.empty((nt, ncell))
    flags = np.zeros((nt, ncell), np.uint8)
    steady = np.ones(nt, bool)
    above = neighbours[:, 5]
    for t in range(nt):
        head = flow.head[t].ravel()
        wet = ~convertible | (head >= bottom)  # NaN heads (dry) compare False
        active = (idomain > 0) & wet
        dz = local_z_span(flow, t)
        dz = np.where(active & (dz > 0), dz, 1e-4)
        sat[t] = dz
        q = vel[t]  # (ncell, 6) face flows (m³/d) first, turned into velocities in place below
        right = flow.flow_right_face[t]
        front = flow.flow_front_face[t]
        lower = flow.flow_lower_face[t].ravel()
        by_face = q.reshape(nlay, nrow, ncol, 6)
        by_face[:, :, 1:, 0] = right[:, :, :-1]
        by_face[..., 1] = right
        np.negative(front, out=by_face[..., 2])
        np.negative(front[:, :-1, :], out=by_face[:, 1:, :, 3])
        np.negative(lower, out=q[:, 4])
        q[:, 5] = np.where(above >= 0, -lower[above], 0.0)
        source_in = np.zeros(ncell)
        sink_out = np.zeros(ncell)
        for name, kind in flow.source_types.items():
            qs = flow.sources[name][t].ravel()
            if kind.startswith("STO"):
                steady[t] &= not np.any(qs)
            elif TYPE_ALIASES.get(kind, kind) in faces:
                face = faces[TYPE_ALIASES.get(kind, kind)] - 1
                on_face = bounding[:, face]
                # inflow crosses a low face (west, south, bottom) along +axis, a high face along -
                q[:, face] += np.where(on_face, qs, 0.0) * (1.0 if face % 2 == 0 else -1.0)
                distributed = np.where(on_face, 0.0, qs)
                source_in += np.maximum(distributed, 0.0)
                sink_out += np.minimum(distributed, 0.0)
            else:
                source_in += np.maximum(qs, 0.0)
                sink_out += np.minimum(qs, 0.0)
        # velocity = flow / (face area x porosity): west/east faces dy dz, south/north dx dz,
        # bottom/top dx dy
        for first, area in ((0, dy * dz), (2, dx * dz), (4, dx * dy)):
            q[:, first : first + 2] /= (area * por)[:, None]
        if not forward:
            np.negative(q, out=q)
        q[~active] = 0.0
        weak = (sink_out < 0) if forward else (source_in > 0)
        flags[t] = np.where(active, ACTIVE, 0) | np.where(weak, WEAK_SINK, 0)

    # every array a fresh writable copy: a read-only or strided one (as a grid read from a
    # binary file gives) is another kernel signature, compiled afresh instead of loaded from
    # the cache that ``python -m gwsim.tracking.warm`` fills (6 s CPU on a first ``track``)
    return FlowArrays(
        vel=vel,
        sat_thickness=sat,
        flags=flags,
        steady=steady,
        neighbours=neighbours,
        bottom=bottom,
        delr=kernel_copy(flow.grid.delr),
        delc=kernel_copy(flow.grid.delc),
        x_west=kernel_copy(flow.grid.x_edges_local[:-1]),
        y_south=kernel_copy(flow.grid.y_edges_local[1:]),
        step_start=kernel_copy(flow.step_start_times),
        step_end=kernel_copy(flow.times),
    )


def kernel_copy(values) -> np.ndarray:
    """A writable, C-contiguous float64 copy of ``values`` (the kernel's one array type)."""
    return np.array(values, dtype=np.float64, order="C", copy=True)


def local_z_span(flow: FlowField, t: int) -> np.ndarray:
    """(ncell,) vertical extent (m) of each cell's local z coordinate at time step ``t``.

    MODPATH 7's rule, from heads: the cell's thickness, or head - bottom in a convertible cell
    whose head is below its top (NaN where such a cell is dry). Not
    :attr:`FlowField.saturated_thickness`, which is the budget's saturation (smoothed under
    Newton) times the thickness, 0 where dry.
    """
    head = flow.head[t].ravel()
    bottom = flow.grid.botm.ravel().astype(float)
    top = flow.grid.cell_top.ravel().astype(float)
    below_top = (flow.icelltype.ravel() != 0) & ~(head >= top)
    return np.where(below_top, head - bottom, top - bottom)


def grid_neighbours(idomain: np.ndarray) -> np.ndarray:
    """(ncell, 6) node across faces 1-6 (west, east, south, north, bottom, top); -1 for none.

    Only active cells (``idomain > 0``) are neighbours; vertically, pass-through cells
    (``idomain < 0``) are skipped as MODFLOW 6 connects the cells above and below them.
    """
    nlay, nrow, ncol = idomain.shape
    node = np.arange(idomain.size).reshape(idomain.shape)
    active_node = np.where(idomain > 0, node, -1)
    nb = np.full((*idomain.shape, 6), -1, np.int64)
    nb[:, :, 1:, 0] = active_node[:, :, :-1]
    nb[:, :, :-1, 1] = active_node[:, :, 1:]
    nb[:, :-1, :, 2] = active_node[:, 1:, :]
    nb[:, 1:, :, 3] = active_node[:, :-1, :]
    above = np.full((nrow, ncol), -1, np.int64)
    for k in range(nlay):
        nb[k, :, :, 5] = above
        above = np.where(idomain[k] > 0, node[k], np.where(idomain[k] < 0, above, -1))
    below = np.full((nrow, ncol), -1, np.int64)
    for k in range(nlay - 1, -1, -1):
        nb[k, :, :, 4] = below
        below = np.where(idomain[k] > 0, node[k], np.where(idomain[k] < 0, below, -1))
    return nb.reshape(-1, 6)


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
            f"top / below the bottom) (particle indices {_first(outside)})"
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
            f"(particle indices {_first(dead)})"
        )
    lx = np.clip((xl - arrays.x_west[col]) / arrays.delr[col], 0.0, 1.0)
    ly = np.clip((yl - arrays.y_south[row]) / arrays.delc[row], 0.0, 1.0)
    lz = np.clip((z - arrays.bottom[cell]) / arrays.sat_thickness[step, cell], 0.0, 1.0)
    return cell.astype(np.int64), lx, ly, lz, step.astype(np.int64)


def _first(mask: np.ndarray, count: int = 10) -> str:
    """The first ``count`` indices where ``mask`` is True, as text ("0, 4, 7, ..." )."""
    idx = np.flatnonzero(mask)
    text = ", ".join(str(i) for i in idx[:count])
    return text + (", ..." if idx.size > count else "")
