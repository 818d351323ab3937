"""Particle swarms with dispersion: Pollock advection plus random-walk dispersive jumps (m, d).

A swarm of particles is tracked from its start points in ``n_steps`` equal time steps. In each step
every particle moves with the flow by Pollock's semi-analytical method (:func:`gwsim.track`, exact
within each cell), then jumps by a random dispersive displacement (Tompson & Gelhar 1990; Salamon
et al. 2006, the random-walk particle method):

    Δx = ξ_L √(2 α_L s) e_L + ξ_T √(2 α_TH s) e_T + ξ_V √(2 α_TV s) e_z

with s the length of the step's advective displacement (= |v| Δt), e_L its horizontal direction,
e_T the horizontal normal, e_z vertical and ξ independent standard normal numbers. Over a path of
length L the jumps add up to variances 2 α L, as the advection-dispersion equation's Gaussian
spreading in uniform flow, whatever the step. The drift term ∇·D of the full random-walk method is
left out: the result is exact in uniform flow and approximate where the velocity changes sharply
(across strong K contrasts, near wells). A jump that would land outside the grid or in an inactive or
dry cell is not made (the particle stays at its advective end point). In backward tracking the same
jumps spread the swarm upstream: it then samples where the water at the start points may have come
from (the backward location probability of Neupauer & Wilson 1999).

The result is every cell each particle entered and the time it first did (:class:`Visits`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gwsim.flowfield import FlowField
from gwsim.tracking import Status, track


@dataclass
class Visits:
    """First entry of every particle into every cell it reached (d since release).

    ``particle``, ``node``, ``t`` are parallel arrays, one entry per (particle, cell), sorted by
    particle then time; ``n_particles`` is the swarm's size.
    """

    particle: np.ndarray
    node: np.ndarray
    t: np.ndarray
    n_particles: int


def dispersive_jumps(
    displacement: np.ndarray, dispersivity, rng: np.random.Generator
) -> np.ndarray:
    """(n, 3) random dispersive displacements (m) for advective displacements (n, 3) (m).

    See the module docstring; particles that did not move get no jump.
    """
    alpha_l, alpha_th, alpha_tv = (float(a) for a in dispersivity)
    length = np.linalg.norm(displacement, axis=1)
    horizontal = np.linalg.norm(displacement[:, :2], axis=1)
    safe = np.where(horizontal > 0, horizontal, 1.0)
    e_l = np.where(
        horizontal[:, None] > 0, displacement[:, :2] / safe[:, None], np.array([1.0, 0.0])
    )
    e_t = np.column_stack([-e_l[:, 1], e_l[:, 0]])
    xi = rng.standard_normal((len(displacement), 3))
    jump = np.zeros_like(displacement)
    jump[:, :2] = (
        xi[:, 0:1] * np.sqrt(2 * alpha_l * length)[:, None] * e_l
        + xi[:, 1:2] * np.sqrt(2 * alpha_th * length)[:, None] * e_t
    )
    jump[:, 2] = xi[:, 2] * np.sqrt(2 * alpha_tv * length)
    return jump


def _landing_ok(flow: FlowField, xyz: np.ndarray, step: int) -> np.ndarray:
    """True where points lie in an active cell that is wet at time step ``step``."""
    lay, row, col = flow.grid.locate(xyz[:, 0], xyz[:, 1], xyz[:, 2])
    ok = lay >= 0
    ok[ok] = (flow.grid.idomain[lay[ok], row[ok], col[ok]] > 0) & (
        flow.saturation[step, lay[ok], row[ok], col[ok]] > 0
    )
    return ok


def random_walk(
    flow: FlowField,
    xyz: np.ndarray,
    direction: str,
    t_end: float,
    *,
    n_steps: int = 25,
    dispersivity=(10.0, 1.0, 0.1),
    seed: int = 0,
) -> Visits:
    """Track a swarm from ``xyz`` for ``t_end`` days with dispersive jumps; see the module
    docstring.

    Parameters
    ----------
    flow : the flow field (its porosity sets the velocities).
    xyz : (n, 3) start points, model x, y and elevation, m.
    direction : "forward" or "backward".
    t_end : tracking time, d.
    n_steps : advection/jump steps (more resolve curved paths better; the spreading in uniform
        flow does not depend on it).
    dispersivity : (α_L, α_TH, α_TV), m.
    seed : seed of the random numbers (results are reproducible).
    """
    rng = np.random.default_rng(seed)
    xyz = np.array(xyz, float)
    n = len(xyz)
    dt = float(t_end) / n_steps
    forward = direction == "forward"
    start, end = flow.step_start_times[0], flow.times[-1]
    alive = np.ones(n, bool)
    parts, nodes, times = [], [], []
    for k in range(n_steps):
        idx = np.flatnonzero(alive)
        elapsed = k * dt
        release = start + elapsed if forward else end - elapsed
        if idx.size == 0 or (flow.ntimes > 1 and not start <= release <= end):
            break
        res = track(flow, xyz[idx], direction, t_max=dt, pathlines=True, release_time=release)
        path = res.pathlines
        # a path point carries the cell of the segment that ends there: that cell was entered
        # at the previous point
        entered = np.empty_like(path.t)
        entered[1:] = path.t[:-1]
        entered[path.offsets[:-1]] = 0.0
        parts.append(np.repeat(idx, np.diff(path.offsets)))
        nodes.append(path.cell)
        times.append(elapsed + entered)
        moving = res.status == Status.T_MAX
        alive[idx[~moving]] = False
        advected = np.column_stack([res.x, res.y, res.z])
        landed = advected + dispersive_jumps(advected - xyz[idx], dispersivity, rng)
        step = int(np.clip(np.searchsorted(flow.times, release), 0, flow.ntimes - 1))
        ok = moving & _landing_ok(flow, landed, step)
        xyz[idx] = np.where(ok[:, None], landed, advected)
    return first_entries(np.concatenate(parts), np.concatenate(nodes), np.concatenate(times), n)


def first_entries(particle, node, t, n_particles: int) -> Visits:
    """:class:`Visits` keeping each (particle, cell)'s earliest time."""
    order = np.lexsort((t, node, particle))
    particle, node, t = particle[order], node[order], t[order]
    first = np.ones(particle.size, bool)
    first[1:] = (particle[1:] != particle[:-1]) | (node[1:] != node[:-1])
    particle, node, t = particle[first], node[first], t[first]
    order = np.lexsort((t, particle))
    return Visits(particle[order], node[order], t[order], n_particles)
