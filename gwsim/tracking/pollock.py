"""Pollock's semi-analytical particle tracking on a structured grid: numba kernels on plain arrays.

Within a cell each velocity component varies linearly between the two faces normal to it,
``v(x) = v1 + A (x - x1)`` with ``A = (v2 - v1) / dx``, so the time to reach a face and the
position at any time are analytic (Pollock 1988, Groundwater 26(6) 743-750; Pollock 2016, MODPATH 7
user guide, USGS OFR 2016-1086):

* exit time through face 2: ``dt = ln(v2 / v) / A`` where ``v`` is the velocity at the particle
  (through face 1: ``ln(v1 / v) / A``); with ``|v2 - v1| < 1e-4 max(|v1|, |v2|)`` the velocity is
  taken as uniform, ``dt = (dx - x) / v1`` (or ``-x / v1``), as MODPATH 7 does;
* position after ``dt``: ``x + v (exp(A dt) - 1) / A`` (``x + v1 dt`` when uniform).

The particle leaves through the face of the direction with the smallest exit time, enters the
neighbour across it and the step repeats until a stopping condition (:mod:`gwsim.tracking.status`).
The decision rules (no exit face, weak sinks, time-step ends, ``1e20``/``1e30`` "never" times)
follow MODPATH 7 so that both give the same end points.

Units: metres and days. Local coordinates ``lx, ly, lz`` run 0..1 across a cell from its west,
south and bottom face; the vertical one spans the saturated thickness. Faces are numbered as in
MODPATH: 1 west, 2 east, 3 south, 4 north, 5 bottom, 6 top; face velocities are positive toward
+x (east), +y (north) and +z (up), with the sign already flipped for backward tracking.
"""

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from gwsim.tracking.status import Status

ACTIVE = 1  # flags bit: the cell is active (wet) in that time step
WEAK_SINK = 2  # flags bit: distributed sink (forward) / source (backward) in that time step
UNIFORM = 1  # exit_time code: uniform velocity
NO_VELOCITY = 2  # exit_time code: zero velocity
NO_OUTFLOW = 3  # exit_time code: flow converges from both faces
NEVER = 1.0e20  # exit time when a direction has no exit (MODPATH 7's value)
NO_EXIT_TIME = 1.0e30  # exit time when no direction has an exit (MODPATH 7's value)


class FlowArrays(NamedTuple):
    """The flow field as the kernels see it (cells numbered ``(layer * nrow + row) * ncol + col``).

    vel : (nt, ncell, 6) face velocities (m/d) of faces 1-6 of each cell, direction applied.
    sat_thickness : (nt, ncell) saturated thickness (m) spanned by the local z coordinate.
    flags : (nt, ncell) uint8 bits ``ACTIVE`` and ``WEAK_SINK``.
    steady : (nt,) True where a time step has no storage flow.
    neighbours : (ncell, 6) cell across each face, -1 where the face bounds the active grid.
    bottom : (ncell,) cell bottom elevation (m).
    delr, delc : (ncol,), (nrow,) column and row widths (m).
    x_west : (ncol,) grid-local x of each column's west face (m).
    y_south : (nrow,) grid-local y of each row's south face (m).
    step_start, step_end : (nt,) simulation time (d) at the start and end of each time step.
    """

    vel: np.ndarray
    sat_thickness: np.ndarray
    flags: np.ndarray
    steady: np.ndarray
    neighbours: np.ndarray
    bottom: np.ndarray
    delr: np.ndarray
    delc: np.ndarray
    x_west: np.ndarray
    y_south: np.ndarray
    step_start: np.ndarray
    step_end: np.ndarray


@njit(cache=True, error_model="numpy")
def exit_time(v1, v2, dx, xl):
    """Time to leave a cell along one axis (Pollock's formula, MODPATH 7's case rules).

    Parameters
    ----------
    v1, v2 : velocities (m/d) at the low and high face, positive toward the high face.
    dx : cell width along the axis (m).
    xl : local coordinate of the particle, 0..1.

    Returns
    -------
    (code, v, dvdx, dt) : code 0 (linear velocity), ``UNIFORM``, ``NO_VELOCITY`` or
    ``NO_OUTFLOW``; the velocity at the particle (m/d), its gradient (1/d) and the exit time (d,
    ``NEVER`` when there is no exit along this axis).
    """
    v1a = abs(v1)
    v2a = abs(v2)
    dva = abs(v2 - v1)
    if v1a < 1.0e-15 and v2a < 1.0e-15:
        return NO_VELOCITY, 0.0, 0.0, NEVER
    if dva / max(v1a, v2a) < 1.0e-4:
        dt = NEVER
        if v1 > 1.0e-15:
            dt = (dx - xl * dx) / v1
        elif v1 < -1.0e-15:
            dt = -xl * dx / v1
        return UNIFORM, v1, 0.0, dt
    dvdx = (v2 - v1) / dx
    v = (1.0 - xl) * v1 + xl * v2
    if v1 >= 0.0 and v2 <= 0.0:
        return NO_OUTFLOW, v, dvdx, NEVER
    if v1 <= 0.0 and v2 >= 0.0 and v == 0.0:
        v = 1.0e-20 if v2 > 0.0 else -1.0e-20  # a particle exactly on a divide: nudge it off
    vr = v1 / v
    if vr <= 0.0:
        vr = v2 / v
    if v1 * v2 > 0.0:
        vr = v2 / v if v > 0.0 else v1 / v
    return 0, v, dvdx, np.log(vr) / dvdx


@njit(cache=True, error_model="numpy")
def new_position(code, v, dvdx, v1, dt, xl, dx):
    """Local coordinate (0..1) after ``dt`` days from ``xl`` along one axis (see exit_time)."""
    if code == UNIFORM:
        x = xl + v1 * dt / dx
    elif v != 0.0:
        x = xl + v * np.expm1(dvdx * dt) / dvdx / dx
    else:
        x = xl
    return min(max(x, 0.0), 1.0)


@njit(cache=True, error_model="numpy")
def grid_position(f, cell, lx, ly, lz, step):
    """Grid-local x, y (m from the grid's lower-left corner) and elevation z (m) of a point."""
    ncol = f.delr.size
    nrow = f.delc.size
    col = cell % ncol
    row = (cell // ncol) % nrow
    x = f.x_west[col] + lx * f.delr[col]
    y = f.y_south[row] + ly * f.delc[row]
    z = f.bottom[cell] + lz * f.sat_thickness[step, cell]
    return x, y, z


@njit(cache=True, error_model="numpy")
def push_point(record, i, px, py, pz, pt, pcell, x, y, z, tau, cell):
    """Write one path point at index ``i`` when recording; return how many points were counted."""
    if record:
        px[i], py[i], pz[i], pt[i], pcell[i] = x, y, z, tau, cell
    return 1


@njit(cache=True, error_model="numpy")
def track_one(
    f,
    cell,
    lx,
    ly,
    lz,
    step,
    release,
    forward,
    extend,
    t_max,
    stop_weak,
    max_steps,
    record,
    offset,
    px,
    py,
    pz,
    pt,
    pcell,
    log_kept,
    count_start,
):
    """Track one particle from its start to a stopping condition.

    Parameters
    ----------
    f : FlowArrays.
    cell, lx, ly, lz, step : start cell, local coordinates and time step index.
    release : release time (simulation time, d).
    forward : True for forward, False for backward tracking (velocities already signed).
    extend : the boundary time step (last forward, first backward) extends without end.
    t_max : largest tracking time (d), ``inf`` for none.
    stop_weak : (ncell,) bool, stop in that cell when it is a weak sink instead of passing through.
    max_steps : most cell or time-step crossings before the particle is declared stranded.
    record : write path points to ``px...pcell`` from index ``offset`` (else only count them).
    log_kept : (ncell,) a value per cell (e.g. the log of the share of its water that flows on)
        summed over the cells the path enters, once per entry; empty for no sum.
    count_start : the sum includes the start cell (False when the path continues one whose sum
        already counted it).

    Returns
    -------
    (cell, x, y, z, tau, status, npoints, kept_sum) : end cell, grid-local end point (m), travel
    time (d), :class:`Status` code, the number of path points and the ``log_kept`` sum.
    """
    nt = f.step_end.size
    ncol = f.delr.size
    nrow = f.delc.size
    tau = 0.0
    npts = 0
    status = Status.STRANDED
    x, y, z = grid_position(f, cell, lx, ly, lz, step)
    npts += push_point(record, offset, px, py, pz, pt, pcell, x, y, z, 0.0, cell)
    recorded_cell = cell
    summing = log_kept.size > 0
    kept_sum = log_kept[cell] if summing and count_start else 0.0
    for _ in range(max_steps):
        if forward:
            t_end = f.step_end[step] - release
            boundary_step = step == nt - 1
        else:
            t_end = release - f.step_start[step]
            boundary_step = step == 0
        if boundary_step and extend:
            t_end = np.inf
        stop_time = min(t_end, t_max)
        flags = f.flags[step, cell]
        if not flags & ACTIVE:
            status = Status.INACTIVE_CELL
            break
        v = f.vel[step, cell]
        has_exit = v[0] < 0.0 or v[1] > 0.0 or v[2] < 0.0 or v[3] > 0.0 or v[4] < 0.0 or v[5] > 0.0
        sink = (flags & WEAK_SINK) != 0
        if not has_exit and (f.steady[step] or sink or not stop_weak[cell]):
            status = Status.SINK
            break
        if stop_weak[cell] and sink:
            status = Status.WEAK_SINK
            break
        col = cell % ncol
        row = (cell // ncol) % nrow
        dx = f.delr[col]
        dy = f.delc[row]
        dz = f.sat_thickness[step, cell]
        cx, vx, ax, dtx = exit_time(v[0], v[1], dx, lx)
        cy, vy, ay, dty = exit_time(v[2], v[3], dy, ly)
        cz, vz, az, dtz = exit_time(v[4], v[5], dz, lz)
        face = 0
        dt = NO_EXIT_TIME
        if cx < NO_VELOCITY or cy < NO_VELOCITY or cz < NO_VELOCITY:
            dt = dtx
            face = 1 if vx < 0.0 else (2 if vx > 0.0 else 0)
            if dty < dt:
                dt = dty
                face = 3 if vy < 0.0 else (4 if vy > 0.0 else face)
            if dtz < dt:
                dt = dtz
                face = 5 if vz < 0.0 else (6 if vz > 0.0 else face)
        if stop_time < tau + dt:
            dt = stop_time - tau
            lx = new_position(cx, vx, ax, v[0], dt, lx, dx)
            ly = new_position(cy, vy, ay, v[2], dt, ly, dy)
            lz = new_position(cz, vz, az, v[4], dt, lz, dz)
            tau = stop_time
            x, y, z = grid_position(f, cell, lx, ly, lz, step)
            npts += push_point(record, offset + npts, px, py, pz, pt, pcell, x, y, z, tau, cell)
            if t_max <= t_end:
                status = Status.T_MAX
                break
            step += 1 if forward else -1
            if step < 0 or step >= nt:
                step -= 1 if forward else -1
                status = Status.END_OF_FLOW
                break
            continue
        if face == 0:
            status = Status.STRANDED
            break
        lx = (
            0.0 if face == 1 else (1.0 if face == 2 else new_position(cx, vx, ax, v[0], dt, lx, dx))
        )
        ly = (
            0.0 if face == 3 else (1.0 if face == 4 else new_position(cy, vy, ay, v[2], dt, ly, dy))
        )
        lz = (
            0.0 if face == 5 else (1.0 if face == 6 else new_position(cz, vz, az, v[4], dt, lz, dz))
        )
        tau += dt
        x, y, z = grid_position(f, cell, lx, ly, lz, step)
        npts += push_point(record, offset + npts, px, py, pz, pt, pcell, x, y, z, tau, cell)
        recorded_cell = cell
        nb = f.neighbours[cell, face - 1]
        if nb < 0:
            status = Status.LEFT_DOMAIN
            break
        if not f.flags[step, nb] & ACTIVE:
            status = Status.ENTERED_DRY_CELL
            break
        cell = nb
        if summing:
            kept_sum += log_kept[cell]
        if face <= 2:
            lx = 1.0 - lx
        elif face <= 4:
            ly = 1.0 - ly
        else:
            lz = 1.0 - lz
    x, y, z = grid_position(f, cell, lx, ly, lz, step)
    if recorded_cell != cell:  # stopped on entering a cell: end the path in that cell too
        npts += push_point(record, offset + npts, px, py, pz, pt, pcell, x, y, z, tau, cell)
    return cell, x, y, z, tau, status, npts, kept_sum


@njit(parallel=True, cache=True, error_model="numpy")
def track_particles(
    f,
    cell0,
    lx0,
    ly0,
    lz0,
    step0,
    release,
    forward,
    extend,
    t_max,
    stop_weak,
    max_steps,
    record,
    offsets,
    px,
    py,
    pz,
    pt,
    pcell,
    log_kept,
    count_start,
    out_cell,
    out_x,
    out_y,
    out_z,
    out_t,
    out_status,
    out_npts,
    out_log_kept,
):
    """Track every particle (in parallel) and write its end point into the ``out_*`` arrays.

    ``cell0, lx0, ly0, lz0, step0, release`` hold each particle's start (see :func:`track_one`).
    With ``record`` each particle's path points go to ``px...pcell[offsets[p]:offsets[p + 1]]``
    (count them first with ``record=False``: ``out_npts`` receives the counts); with a
    non-empty ``log_kept`` each particle's sum of it goes to ``out_log_kept`` (see track_one).
    """
    for p in prange(cell0.size):
        c, x, y, z, tau, status, npts, kept_sum = track_one(
            f,
            cell0[p],
            lx0[p],
            ly0[p],
            lz0[p],
            step0[p],
            release[p],
            forward,
            extend,
            t_max,
            stop_weak,
            max_steps,
            record,
            offsets[p],
            px,
            py,
            pz,
            pt,
            pcell,
            log_kept,
            count_start,
        )
        out_cell[p] = c
        out_x[p] = x
        out_y[p] = y
        out_z[p] = z
        out_t[p] = tau
        out_status[p] = status
        out_npts[p] = npts
        out_log_kept[p] = kept_sum
