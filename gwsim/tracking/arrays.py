"""The flow field as the tracking kernel's plain arrays (:class:`~gwsim.tracking.pollock.FlowArrays`):
face velocities per direction and time step, the package flows that enter or leave through a face
(``iface``) or inside a cell, cell spans and neighbours, built once per flow field, direction,
face option and porosity and cached on the flow field."""

from __future__ import annotations

import hashlib

import numpy as np

from gwsim.flowfield import FlowField
from gwsim.tracking.errors import TrackingError, first_indices
from gwsim.tracking.faces import TYPE_ALIASES
from gwsim.tracking.pollock import ACTIVE, WEAK_SINK, FlowArrays


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
    if cached is not None and cached[0] == key:
        return cached[1]
    arrays = flow_arrays(flow, forward, faces)
    flow.derived["tracking"] = (key, arrays)  # threads may replace it: return our own
    return arrays


def flow_arrays(flow: FlowField, forward: bool, faces: dict[str, int]) -> FlowArrays:
    """The flow field as the kernel's arrays: face velocities of every cell and time step, etc.

    Velocity through a face = face flow / (face area x porosity); lateral face areas use the
    saturated thickness. ``faces`` is the checked ``iface`` option (budget type -> face 1-6). See
    :mod:`gwsim.tracking.tracker`'s docstring for the MODPATH 7 conventions.
    """
    nlay, nrow, ncol = flow.shape
    ncell = nlay * nrow * ncol
    nt = flow.ntimes
    por = flow.porosity.ravel()
    bad = ~((por > 0) & (por <= 1))
    if bad.any():
        raise TrackingError(
            f"porosity must be in (0, 1]; {int(bad.sum())} cells are not (node numbers "
            f"{first_indices(bad)}): set flow.porosity to the effective porosity, e.g. 0.25"
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
