"""Time steps of a transport run: stress periods, step lengths and the steps that are saved.

Steady flow (a flow field of one saved step): each interval between output times and source
switches is one stress period, cut into equal steps no longer than the Courant limit
Δt ≤ Cr·R / (|vx|/Δx + |vy|/Δy + |vz|/Δz) nor the time-stepping Peclet limit
Δt ≤ 2ε·R·α_L/|v|, which keeps the numerical dispersion of implicit (backward-Euler) time
stepping, v²Δt/2R, below a share ε of the physical α_L·v. Velocities are each cell's largest face
seepage velocities; cells less than
:data:`~gwsim.engines.transport_interface.THIN_CELL_FRACTION` saturated (a water table just above
a layer's bottom) do not count, as MT3D's THKMIN treats them as inactive, nor do cells outside the
transport domain (:mod:`gwsim.solute.domain`) when one is given: MODFLOW 6's implicit scheme is
stable everywhere, so only where the plume goes do the steps need to be accurate.

Graded steps along the plume's paths (``paths`` given: MODFLOW 6 on steady flow). The local
Peclet limit is set by the fastest cell of the domain, usually a well the plume leaves through,
where the solute spends almost no time. What the time-stepping error does to a breakthrough is
path-integrated: backward Euler adds arrival-time variance Δt per unit of (retarded) travel time,
so Δt·T at a retarded travel time T, while physical dispersion gives
I(T) = ∫₀ᵀ 2·α_L·R/v dτ along the path. The rule :func:`path_step_limit` sizes each step so
that steps of its length would keep the first within ε·I: Δt ≤ ε·I_p(a)/a, where ``a`` is the
age of a front (the time since the source switch that
made it: a start or a stop), over every tracked path ``p`` from the sources (a path that ended, at
a well or the grid's edge, at T_p keeps I_p(T_p)/T_p) and every switch. I_p(a)/a is the
time-average of 2·α_L·R/v over the front's way so far, so young fronts near a source take the
local limit there, older ones take steps sized by where the solute spent its time, and a well
the solute leaves through hardly counts. Steps are grouped into stress periods of equal steps
(a new period when the limit has grown by :data:`GROWTH`, or shrunk below the step: each step
is sized for the :data:`LOOKAHEAD` steps ahead), never longer than the Courant limit. A bound
on each step, not on the variance a front has gathered: where I_p(τ)/τ falls along a path (a
front speeding up) the earlier, longer steps add more than ε·I (about 1.7x for 100 d at v then
100x faster).

Transient flow: the flow model's own periods and steps (MODFLOW 6 FMI reads the flows step by
step); a warning says when their Courant number exceeds 1.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from gwsim.engines.transport_interface import THIN_CELL_FRACTION, StepSchedule
from gwsim.errors import GwsimError, SpecError
from gwsim.flowfield import FlowField

GROWTH = 1.25  # a graded schedule starts a new period of longer steps when the limit grew so much
LOOKAHEAD = 20  # steps ahead over which a graded schedule's step must keep within the limit
AGES_PER_DECADE = 40  # ages at which the path rule is evaluated, log-spaced
TIME_ATOL = 1e-6  # d, times closer than this (or than 1e-9 of their size) are the same time


def same_time(a, b) -> np.ndarray:
    """Whether times ``a`` and ``b`` (d) are the same, to TIME_ATOL or 1e-9 of their size."""
    return np.isclose(a, b, rtol=1e-9, atol=TIME_ATOL)


def step_schedule(
    flow: FlowField,
    sources,
    times: np.ndarray,
    porosity: np.ndarray,
    retardation: float,
    alpha_l: float,
    courant: float,
    numerical_dispersion: float,
    domain: np.ndarray | None = None,
    paths=None,
) -> StepSchedule:
    """The periods and steps of a run to ``max(times)`` (d) on ``flow`` (see the module doc).

    ``sources`` (checked :class:`~gwsim.solute.inputs.Source` objects) switch on and off at
    period boundaries; ``courant`` (Cr) and ``numerical_dispersion`` (ε) limit steady-flow steps
    in the cells of ``domain`` (bool; None: every cell); with ``paths``
    (:class:`~gwsim.tracking.result.Pathlines` from the sources, unretarded, e.g.
    :func:`gwsim.solute.domain.source_paths`) steady-flow steps are graded by
    :func:`path_step_limit` instead of the local Peclet limit.
    """
    t_end = float(times.max())
    if flow.ntimes == 1:
        switches = [
            t for s in sources for t in (s.start, s.stop) if t is not None and 0 < t < t_end
        ]
        edges = np.unique(np.concatenate([[0.0], times, switches]))
        edges = edges[np.concatenate([[True], np.diff(edges) > TIME_ATOL])]
        if paths is not None and alpha_l > 0:
            _, unit_courant = max_step(flow, porosity, 0, retardation, 0.0, courant, 0.0, domain)
            limit = path_step_limit(paths, alpha_l, retardation, numerical_dispersion, t_end)
            starts = [0.0, *switches]
            return graded_schedule(edges, times, courant * unit_courant, limit, starts, courant)
        dt_max, _ = max_step(
            flow, porosity, 0, retardation, alpha_l, courant, numerical_dispersion, domain
        )
        return steady_schedule(edges, times, dt_max, courant)
    if t_end > flow.times[-1] + TIME_ATOL:
        raise SpecError(
            "times",
            f"run to {t_end} d but the flow ends at {flow.times[-1]} d",
            "give times within the flow run",
        )
    schedule = transient_schedule(flow, times, courant)
    check_switch_times(sources, schedule)
    step_lengths = np.diff(np.concatenate([[0.0], flow.times]))
    worst = max(
        step_lengths[t]
        / max_step(flow, porosity, t, retardation, alpha_l, courant, numerical_dispersion, domain)[
            1
        ]
        for steps in schedule.flow_steps
        for t in steps
    )
    if worst > 1 + 1e-6:  # round-off
        warnings.warn(
            f"the flow model's time steps give Courant numbers up to {worst:.2g}; transport is "
            "accurate for <= 1: run the flow model with shorter time steps",
            stacklevel=3,
        )
    return schedule


def max_velocities(
    flow: FlowField, porosity: np.ndarray, t: int, domain: np.ndarray | None = None
) -> tuple[np.ndarray, ...]:
    """(|vx|, |vy|, |vz|): each cell's largest face seepage velocity per direction, m/d; 0 in
    thin cells and outside ``domain`` (bool; None: every cell)."""
    thick = np.maximum(flow.saturated_thickness[t], 1e-12)
    dx, dy = flow.grid.delr[None, None, :], flow.grid.delc[None, :, None]

    def largest(face: np.ndarray, axis: int) -> np.ndarray:
        q = np.abs(face)
        upstream = np.zeros_like(q)
        index = [slice(None)] * 3
        index[axis] = slice(1, None)
        source = [slice(None)] * 3
        source[axis] = slice(None, -1)
        upstream[tuple(index)] = q[tuple(source)]
        return np.maximum(q, upstream)

    vx = largest(flow.flow_right_face[t], 2) / (dy * thick * porosity)
    vy = largest(flow.flow_front_face[t], 1) / (dx * thick * porosity)
    vz = largest(flow.flow_lower_face[t], 0) / (dx * dy * porosity)
    # cells less than THIN_CELL_FRACTION saturated hold almost no water and do not set the step
    # (MT3D treats them as inactive, THKMIN; MF6's implicit scheme stays stable in them)
    wet = (flow.grid.idomain > 0) & (flow.saturation[t] > THIN_CELL_FRACTION)
    if domain is not None:
        wet &= domain
    return tuple(np.where(wet, v, 0.0) for v in (vx, vy, vz))


def max_step(
    flow: FlowField,
    porosity,
    t: int,
    retardation: float,
    alpha_l: float,
    courant: float,
    eps: float,
    domain: np.ndarray | None = None,
) -> tuple[float, float]:
    """(largest stable-and-accurate step, d; step at which the Courant number reaches 1, d),
    over the cells of ``domain`` (bool; None: every cell)."""
    vx, vy, vz = max_velocities(flow, porosity, t, domain)
    thick = np.maximum(flow.saturated_thickness[t], 1e-12)
    rate = vx / flow.grid.delr[None, None, :] + vy / flow.grid.delc[None, :, None] + vz / thick
    speed = np.sqrt(vx**2 + vy**2 + vz**2)
    unit_courant = retardation / rate.max() if rate.max() > 0 else np.inf
    limits = [courant * unit_courant]
    if alpha_l > 0 and speed.max() > 0:
        limits.append(2 * eps * retardation * alpha_l / speed.max())
    return min(limits), unit_courant


def steady_schedule(
    edges: np.ndarray, times: np.ndarray, dt_max: float, courant: float
) -> StepSchedule:
    """Periods between ``edges`` (d) in equal steps of at most ``dt_max`` (d), one flow step."""
    nstp = np.maximum(1, np.ceil(np.diff(edges) / dt_max - 1e-9)).astype(int)
    return equal_step_periods(edges, nstp, times, courant)


def equal_step_periods(
    edges: np.ndarray, nstp: np.ndarray, times: np.ndarray, courant: float
) -> StepSchedule:
    """Periods between ``edges`` (d), each of ``nstp`` equal steps on the one steady flow step,
    the last step of a period saved where it ends at one of ``times`` (d)."""
    saved = [
        [int(n) - 1] if same_time(times, end).any() else []
        for n, end in zip(nstp, edges[1:], strict=True)
    ]
    return StepSchedule(
        edges=edges,
        nstp=nstp,
        tsmult=np.ones(len(nstp)),
        save_steps=saved,
        times=times,
        courant=courant,
        flow_steps=[[0]] * len(nstp),
    )


def path_step_limit(paths, alpha_l: float, retardation: float, eps: float, t_end: float):
    """The path rule (module doc) as a function of a front's age ``a`` (d, array): the largest
    step, d, ε·min over ``paths`` of I_p(a)/a with I_p(T) = ∫₀ᵀ 2·α_L·R/v dτ (τ the retarded
    travel time, d; v the path's seepage velocity, m/d, no retardation); ``inf`` where no path
    moves. Evaluated at log-spaced ages up to ``t_end`` (d) and interpolated between them."""
    x, y, z, t = (np.asarray(a, float) for a in (paths.x, paths.y, paths.z, paths.t))
    ends = paths.offsets[1:] - 1
    duration = np.diff(t)
    length = np.sqrt(np.diff(x) ** 2 + np.diff(y) ** 2 + np.diff(z) ** 2)
    moving = (duration > 0) & (length > 0)
    moving[ends[:-1]] = False  # no segment from one particle's end to the next one's start
    tau = np.where(moving, retardation * duration, 0.0)  # retarded time of each segment
    spread = np.where(
        moving, 2 * alpha_l * retardation * tau * duration / np.where(moving, length, 1), 0.0
    )
    ages = np.geomspace(t_end * 1e-6, t_end, int(6 * AGES_PER_DECADE) + 1)
    ratio = np.full(ages.shape, np.inf)
    for first, last in zip(paths.offsets[:-1], ends, strict=True):
        segments = slice(first, last)
        travel = np.concatenate([[0.0], np.cumsum(tau[segments])])
        if travel[-1] <= 0:
            continue
        spreading = np.concatenate([[0.0], np.cumsum(spread[segments])])
        age = np.minimum(ages, travel[-1])
        ratio = np.minimum(ratio, np.interp(age, travel, spreading) / age)
    limits = eps * ratio

    def limit(age):
        return np.interp(age, ages, limits, left=limits[0], right=limits[-1])

    return limit


def graded_schedule(
    edges: np.ndarray, times: np.ndarray, dt_courant: float, limit, starts, courant: float
) -> StepSchedule:
    """Periods between ``edges`` (d) cut into sub-periods of equal steps, each step within
    ``dt_courant`` (d) and ``limit(age)`` (d) at its start and end for the age of every front
    made at ``starts`` (d, the source switches): a new sub-period when the allowed step has
    grown by :data:`GROWTH`, the last of each period shortened to end on its edge."""
    starts = np.asarray(starts, float)

    def allowed(t0: float, t1: float) -> float:
        made = starts[starts < t0 + TIME_ATOL]
        ages = np.linspace(t0, t1, 5)[:, None] - made[None, :]
        return float(min(dt_courant, np.min(limit(np.maximum(ages, 1e-12)))))

    sub_edges, nstp = [float(edges[0])], []
    for t0, t1 in itertools.pairwise(edges):
        t = float(t0)
        while t1 - t > TIME_ATOL:
            dt = allowed(t, t)
            # the limit may shrink ahead (a path speeding up): size the steps for the next few
            dt = min(allowed(t, min(t + LOOKAHEAD * dt, t1)), t1 - t)  # inf: no flow
            n = 1  # steps of dt while the limit neither shrinks below dt nor grows by GROWTH
            while t + (n + 1) * dt < t1 - TIME_ATOL:
                if not dt <= allowed(t + n * dt, t + (n + 1) * dt) < GROWTH * dt:
                    break
                n += 1
            if t + (n + 1) * dt >= t1 - TIME_ATOL:  # the rest of the period in equal steps
                n = int(np.ceil((t1 - t) / dt - 1e-9))
                sub_edges.append(float(t1))
            else:
                sub_edges.append(t + n * dt)
            nstp.append(n)
            t = sub_edges[-1]
    return equal_step_periods(np.array(sub_edges), np.array(nstp), times, courant)


def transient_schedule(flow: FlowField, times: np.ndarray, courant: float) -> StepSchedule:
    """The flow model's own periods and steps up to max(times): MODFLOW 6 FMI reads them in turn."""
    kstp, kper = flow.kstpkper[:, 0], flow.kstpkper[:, 1]
    starts = np.flatnonzero(kstp == 0)
    complete = (
        np.array_equal(kper[starts], np.arange(len(starts)))
        and kper[0] == 0
        and all(
            np.array_equal(kstp[a:b], np.arange(b - a))
            for a, b in zip(starts, [*starts[1:], len(kstp)], strict=True)
        )
    )
    if not complete:
        raise GwsimError(
            "the flow model saved heads and budgets for only some time steps; transport on "
            "transient flow needs every step: set HEAD ALL and BUDGET ALL in its OC and rerun it"
        )
    ends = flow.times
    for t in times:
        if not same_time(ends, t).any():
            raise SpecError(
                "times",
                f"{t} d is not the end of a flow time step (transient flow fixes the steps)",
                f"choose output times from flow.times, e.g. {ends[:5].tolist()}",
            )
    last = int(np.flatnonzero(same_time(ends, times.max()))[0])
    dt = np.diff(np.concatenate([[0.0], ends[: last + 1]]))
    edges, nstp, tsmult, save_steps, flow_steps = [0.0], [], [], [], []
    for a in starts[starts <= last]:
        b = min(last + 1, *(s for s in [*starts, len(kstp)] if s > a))
        steps = dt[a:b]
        ratio = steps[1:] / steps[:-1] if len(steps) > 1 else np.ones(1)
        edges.append(float(ends[b - 1]))
        nstp.append(b - a)
        tsmult.append(float(ratio[0]))
        save_steps.append([k for k in range(b - a) if same_time(times, ends[a + k]).any()])
        flow_steps.append(list(range(a, b)))
    return StepSchedule(
        edges=np.array(edges),
        nstp=np.array(nstp),
        tsmult=np.array(tsmult),
        save_steps=save_steps,
        times=times,
        courant=courant,
        flow_steps=flow_steps,
    )


def check_switch_times(sources, schedule: StepSchedule) -> None:
    """On transient flow, sources switch on and off only at the flow's period boundaries."""
    for i, src in enumerate(sources):
        for name, t in (("start", src.start), ("stop", src.stop)):
            if t is None or t == 0 or t >= schedule.edges[-1]:
                continue
            if not same_time(schedule.edges, t).any():
                raise SpecError(
                    f"sources[{i}].{name}",
                    f"{t} d is not the start of a flow stress period (transient flow fixes them)",
                    f"switch sources at period boundaries: {schedule.edges[:6].tolist()}...",
                )
