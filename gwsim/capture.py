"""Capture zones and recharge areas of pumping wells (m, d).

Method. The zone for travel time T is the map area from which water reaches the wells within T.
gwsim finds it on a sub-cell lattice, so it is accurate to about a sub-cell (half a cell by default)
and robust where wells compete or sit in weak sinks:

1. **Forward tracking from a dense lattice.** ``subdivisions²`` particles per active cell, in every
   layer, at mid saturated depth, are tracked forward; a particle entering a partly pumped well cell
   stops there (``stop_cells``: the wells' weak sinks stop particles, as MODPATH users do for
   capture zones), while other weak sinks (gaining river reaches, drains) let it pass, as MODPATH 7
   does by default. A particle is captured when it stops in a well cell; its travel time is the
   time to do so. A lattice sub-cell (map
   square) takes the smallest captured travel time of its particles over all layers, so the zone is
   the map area above any captured water: conservative for protection.
2. **Backward tracking from the well screens** fills what a lattice can miss next to the wells:
   particles on the faces of each well cell (as MODPATH 7 places them) are tracked backward up to the
   largest finite T, and the sub-cells their paths cross within T join the zone.
3. The sub-cell squares for each T are merged into polygons (shapely) and lightly simplified
   (tolerance a quarter of a sub-cell). ``T = inf`` is the steady-state zone: all water that ever
   reaches the wells.

Recharge area: particles are released where water enters the aquifer (the top face of recharge
cells, cells of losing rivers and of inflowing head boundaries, injection wells), each carrying its
share of that inflow (m³/d), and tracked forward. The areas whose water the wells capture, and the
share of the pumped water from each kind of entry, make the recharge area: every place that sends
any water to the wells. ``CaptureZone.entries`` keeps each entry point's inflow and the fraction of
it the wells capture, from which :mod:`gwsim.protection` draws the outer zone by flux. Shares that
do not add up to 100 % reveal water released from storage (transient flow) or lattice error.

Per-well attribution: each captured particle ends in one well's cells, so competing wells split the
zone; ``CaptureZone.owner`` maps sub-cells to the well that captures them.

Transient flow fields are tracked from the start of the simulation with the flows of each step;
after the last step a steady last step extends in time (see :func:`gwsim.track`). A transient last
step does not: particles still moving then are not counted, and :class:`IncompleteZoneWarning`
says how many (the zones of longer travel times are then too small), unless ``cycle_days`` says
the last part of the simulation is one seasonal cycle: then it is repeated until the zones
converge (:mod:`gwsim.periodic`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import mapping
from tqdm import tqdm

from gwsim.errors import CaptureZoneError, IncompleteZoneWarning, TruncatedZoneWarning
from gwsim.flowfield import FlowField
from gwsim.periodic import CAPTURED, cycle_start_step, track_periodic
from gwsim.provenance import provenance_attrs
from gwsim.tracking import track
from gwsim.tracking.startpoints import cell_face_points, cell_lattice_points
from gwsim.wells import Well, resolve_wells, well_of_node
from gwsim.writers import write_geojson

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


@dataclass
class CaptureZone:
    """Capture zones of wells for several travel times, and their recharge area.

    Attributes
    ----------
    polygons : {travel time (d; inf = steady state): shapely (Multi)Polygon} in model coordinates,
        the area from which water reaches the wells within that time.
    per_well : {well name: {travel time: geometry}}, each well's own part where wells compete.
    recharge_area : shapely geometry where the captured water enters the aquifer.
    recharge_sources : {kind: (geometry, share of the pumped water)}; kinds ``recharge``, ``river``,
        ``boundary``, ``injection``.
    truncated : {travel time: [edges the zone reaches]} ("north", "south", "east", "west").
    entries : :class:`RechargeEntries`, where water enters and how much of it the wells capture
        (None when nothing enters).
    cycles : times the last seasonal cycle was repeated (0 without ``cycle_days``);
        ``still_moving`` particles still moving at the end (lattice and entry particles).
    travel_time : (nrow·s, ncol·s) shortest travel time to the wells from each sub-cell, d (inf where
        the water never reaches them); ``owner``: index into ``wells`` (-1 where not captured).
    """

    wells: list[Well]
    polygons: dict[float, object]
    per_well: dict[str, dict[float, object]]
    recharge_area: object
    recharge_sources: dict[str, tuple[object, float]]
    truncated: dict[float, list[str]]
    travel_time: np.ndarray
    owner: np.ndarray
    subcell_edges: tuple[np.ndarray, np.ndarray]  # grid-local x and y edges of the sub-cells, m
    crs: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    entries: RechargeEntries | None = None
    cycles: int = 0
    still_moving: int = 0

    @property
    def travel_times(self) -> list[float]:
        return sorted(self.polygons)

    def area_ha(self, travel_time: float) -> float:
        """Area of the zone for ``travel_time`` in hectares."""
        return self.polygons[travel_time].area / 1e4

    def features(self) -> list[dict]:
        """GeoJSON features: one per travel time, plus the recharge area."""
        feats = []
        for t in self.travel_times:
            feats.append(
                {
                    "type": "Feature",
                    "geometry": mapping(self.polygons[t]),
                    "properties": {
                        "kind": "capture_zone",
                        "wells": [w.name for w in self.wells],
                        "travel_time_d": None if np.isinf(t) else float(t),
                        "area_ha": round(self.area_ha(t), 3),
                        "truncated": bool(self.truncated[t]),
                        "truncated_edges": self.truncated[t],
                    },
                }
            )
        for kind, (geometry, share) in self.recharge_sources.items():
            feats.append(
                {
                    "type": "Feature",
                    "geometry": mapping(geometry),
                    "properties": {
                        "kind": "recharge_area",
                        "source": kind,
                        "share_of_pumping": round(share, 4),
                        "area_ha": round(geometry.area / 1e4, 3),
                    },
                }
            )
        return feats

    def to_geojson(self, path: str | Path) -> Path:
        """Write the zones and recharge areas as GeoJSON (with CRS and provenance), atomically."""
        return write_geojson(path, self.features(), self.crs, self.attrs)

    def plot(self, ax=None, flow: FlowField | None = None):
        """Draw the zones (and, given ``flow``, head contours) on a map; returns the axes."""
        from gwsim.plots import plot_capture_zone

        return plot_capture_zone(self, ax=ax, flow=flow)


# ---------------------------------------------------------------------- geometry
def subcell_edges(flow: FlowField, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Grid-local x edges (increasing) and y edges (from the top row down) of an s x s split, m."""

    def split(edges):
        frac = np.arange(s) / s
        inner = edges[:-1, None] + frac[None, :] * np.diff(edges)[:, None]
        return np.concatenate([inner.ravel(), edges[-1:]])

    return split(flow.grid.x_edges_local), split(flow.grid.y_edges_local)


def subcell_index(flow: FlowField, s: int, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the sub-cells holding model points (x, y); -1 outside."""
    return subcell_index_local(flow, s, *flow.grid.to_local(x, y))


def subcell_index_local(flow: FlowField, s: int, xl, yl) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the sub-cells holding grid-local points (xl, yl); -1 outside."""
    xe, ye = subcell_edges(flow, s)
    col = np.searchsorted(xe, xl, side="right") - 1
    row = np.searchsorted(-ye, -yl, side="right") - 1
    inside = (col >= 0) & (col < xe.size - 1) & (row >= 0) & (row < ye.size - 1)
    return np.where(inside, row, -1), np.where(inside, col, -1)


def mask_to_polygon(flow: FlowField, mask: np.ndarray, xe: np.ndarray, ye: np.ndarray):
    """Union of the sub-cells where ``mask`` is True, in model coordinates, lightly simplified."""
    boxes = []
    for r in np.flatnonzero(mask.any(axis=1)):
        run = np.diff(np.concatenate([[0], mask[r].astype(np.int8), [0]]))
        starts, stops = np.flatnonzero(run == 1), np.flatnonzero(run == -1)
        boxes.append(shapely.box(xe[starts], ye[r + 1], xe[stops], ye[r]))
    if not boxes:
        return shapely.Polygon()
    merged = shapely.union_all(np.concatenate(boxes))
    tolerance = 0.25 * min(np.diff(xe).min(), -np.diff(ye).max())
    merged = shapely.simplify(merged, tolerance, preserve_topology=True)
    a = np.deg2rad(flow.grid.angrot)
    return affinity.affine_transform(
        merged, [np.cos(a), -np.sin(a), np.sin(a), np.cos(a), flow.grid.xorigin, flow.grid.yorigin]
    )


def touched_edges(mask: np.ndarray) -> list[str]:
    """Model edges ("north", "south", "west", "east") a sub-cell mask reaches."""
    edges = {
        "north": mask[0].any(),
        "south": mask[-1].any(),
        "west": mask[:, 0].any(),
        "east": mask[:, -1].any(),
    }
    return [name for name, hit in edges.items() if hit]


# ---------------------------------------------------------------------- tracking steps
def _wet_cells(flow: FlowField, step: int = 0) -> np.ndarray:
    return np.argwhere((flow.grid.idomain > 0) & (flow.saturation[step] > 0))


def _forward_lattice(flow, wells, s, node_owner, progress, cycle_days, iface):
    """Shortest captured travel time and owner per sub-cell, from a forward-tracked lattice."""
    cells = _wet_cells(flow)
    xyz = cell_lattice_points(flow, cells, n=(s, s, 1))
    if progress:
        tqdm.write(f"capture zone: tracking {len(xyz):,} lattice particles forward")
    ends = track_periodic(
        flow,
        xyz,
        node_owner >= 0,
        stop_cells=np.flatnonzero(node_owner >= 0),
        cycle_days=cycle_days,
        iface=iface,
    )
    _warn_if_incomplete(flow, ends, len(xyz), "lattice particles", cycle_days)
    captured = np.isin(ends.status, CAPTURED) & (node_owner[ends.cell] >= 0)
    row, col = subcell_index(flow, s, xyz[:, 0], xyz[:, 1])
    shape = (flow.grid.nrow * s, flow.grid.ncol * s)
    tt = np.full(shape, np.inf)
    owner = np.full(shape, -1)
    idx = np.flatnonzero(captured)
    order = idx[np.argsort(-ends.t[idx])]  # longest first, so the shortest time is written last
    tt[row[order], col[order]] = ends.t[order]
    owner[row[order], col[order]] = node_owner[ends.cell[order]]
    return tt, owner, ends


def _warn_if_incomplete(flow, ends, n, what, cycle_days):
    """IncompleteZoneWarning when tracked water was still moving and the zones had not converged."""
    if ends.converged or not ends.moving:
        return
    if cycle_days is None:
        hint = (
            "Extend the simulation (a steady last period), use a steady flow field, or, when the "
            "last part of the simulation is one seasonal cycle, give cycle_days (e.g. 365) so it "
            "is repeated until the zones converge"
        )
        when = f"when the transient flow simulation ended (t = {flow.times[-1]:g} d)"
    else:
        hint = "Check for water trapped in slow cells, or track a steady flow field as well"
        when = f"after the last {cycle_days:g}-day cycle was repeated {ends.cycles} times"
    warnings.warn(
        f"{ends.moving} of {n} {what} were still moving {when}: zones for longer travel times, "
        f"the steady-state zone included, miss the water they carry. {hint}",
        IncompleteZoneWarning,
        stacklevel=4,
    )


def _backward_paths(flow, wells, s, t_limit, progress, iface):
    """(time, row, col) of sub-cells crossed by backward paths from the well cells within t_limit."""
    cells = np.concatenate([w.cells for w in wells])
    xyz = cell_face_points(flow, cells, faces=(1, 2, 3, 4), n=2 * s, step=flow.ntimes - 1)
    if progress:
        tqdm.write(f"capture zone: tracking {len(xyz):,} particles backward from the wells")
    res = track(flow, xyz, "backward", t_max=t_limit, pathlines=True, iface=iface)
    p = res.pathlines
    # interpolate between path points (grid-local) so every sub-cell a path crosses is hit
    seg = np.ones(p.t.size, bool)
    seg[p.offsets[1:-1]] = False  # no segment joins one particle's end to the next one's start
    seg[0] = False
    before = np.flatnonzero(seg) - 1
    frac = np.linspace(0.0, 1.0, 5)[:, None]
    xl, yl = p.local_xy()
    x, y, t = (v[before] + frac * (v[seg] - v[before]) for v in (xl, yl, p.t))
    row, col = subcell_index_local(flow, s, x.ravel(), y.ravel())
    ok = row >= 0
    return t.ravel()[ok], row[ok], col[ok]


def _water_table_layer(flow: FlowField, step: int) -> np.ndarray:
    """(nrow, ncol) layer of the uppermost wet active cell of each column (-1 if none)."""
    wet = (flow.grid.idomain > 0) & (flow.saturation[step] > 0)
    return np.where(wet.any(axis=0), wet.argmax(axis=0), -1)


def _recharge_particles(flow, s, step, first=None):
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
            cells[:, 0] = _water_table_layer(flow, step)[cells[:, 1], cells[:, 2]]
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


def _kept_fraction(flow: FlowField, step: int, wells: np.ndarray) -> np.ndarray:
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


def _recharge_area(flow, wells, s, node_owner, progress, cycle_days, iface):
    """Where the captured water enters, the share of the pumping from each kind of entry, and
    every entry point with its inflow and the fraction of it the wells capture.

    Each particle carries its inflow (m³/d; over a seasonal cycle, the cycle's mean); passing
    through a cell with a sink (a gaining river reach, a drain) it keeps only the share of that
    cell's water that flows on, so the shares are flux-weighted (MODPATH 7's pass-through, with
    the sinks' water taken out). Particles start at the start of the last step.
    """
    step = flow.ntimes - 1
    cyclic = cycle_days is not None and not flow.steady
    first = cycle_start_step(flow, cycle_days) if cyclic else None
    xyz, weight, kind = _recharge_particles(flow, s, step, first)
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
        kept=_kept_fraction(flow, step, well_nodes),
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


# ---------------------------------------------------------------------- public
def capture_zone(
    flow: FlowField,
    wells: Sequence,
    travel_times: Sequence[float] = (100, 1000),
    *,
    subdivisions: int = 2,
    cycle_days: float | None = None,
    progress: bool = True,
    iface: dict[str, int] | None = None,
) -> CaptureZone:
    """Capture zones of pumping wells for each travel time, and their recharge area.

    Parameters
    ----------
    flow : the flow field (its porosity sets the travel times).
    wells : well names (WEL package / gwsim boundary names, e.g. ``"wellfield"``) or (x, y)
        positions in model coordinates; a position takes every pumping cell of its column.
    travel_times : travel times in days; ``inf`` (or ``None``) asks for the steady-state zone.
    subdivisions : lattice particles per cell side (the zone is resolved to 1/subdivisions of a cell).
    cycle_days : for a transient flow field whose last ``cycle_days`` are one seasonal cycle of a
        periodic regime: particles still moving at the end are tracked through that cycle again
        and again until the zones converge (:mod:`gwsim.periodic`); ``CaptureZone.cycles`` says
        how many repetitions that took.
    progress : print what is being tracked.
    iface : which face each package's flow crosses, as :func:`gwsim.track` (MODPATH 7's
        DEFAULTIFACE; default recharge and ET through the top face, ``{}`` spreads them).

    Returns
    -------
    CaptureZone
    """
    times = []
    for t in travel_times:
        t = np.inf if t is None else float(t)
        if not t > 0:
            raise CaptureZoneError(f"travel time {t} d: travel times must be > 0 (or inf)")
        times.append(t)
    if not times:
        raise CaptureZoneError("no travel times given: e.g. travel_times=(100, 1000)")
    if not (isinstance(subdivisions, int) and subdivisions >= 1):
        raise CaptureZoneError(f"subdivisions must be an integer >= 1, not {subdivisions!r}")
    if cycle_days is not None and not flow.steady:
        cycle_start_step(flow, float(cycle_days))  # refuses a cycle the saved steps do not have
    s = subdivisions
    resolved = resolve_wells(flow, wells)
    node_owner = well_of_node(flow, resolved)
    tt, owner, lattice = _forward_lattice(
        flow, resolved, s, node_owner, progress, cycle_days, iface
    )
    finite = [t for t in times if np.isfinite(t)]
    if finite:
        tb, rb, cb = _backward_paths(flow, resolved, s, max(finite), progress, iface)
    xe, ye = subcell_edges(flow, s)
    polygons, per_well, truncated = {}, {w.name: {} for w in resolved}, {}
    for t in sorted(set(times)):
        mask = np.isfinite(tt) & (tt <= t)
        if np.isfinite(t):
            within = tb <= t
            mask[rb[within], cb[within]] = True
        polygons[t] = mask_to_polygon(flow, mask, xe, ye)
        for i, w in enumerate(resolved):
            per_well[w.name][t] = mask_to_polygon(flow, mask & (owner == i), xe, ye)
        truncated[t] = touched_edges(mask)
        if truncated[t]:
            label = "steady-state" if np.isinf(t) else f"{t:g}-day"
            warnings.warn(
                f"the {label} capture zone of {', '.join(w.name for w in resolved)} reaches the "
                f"model's {' and '.join(truncated[t])} edge: it is truncated there. Enlarge the "
                "model or check the boundary condition on that edge",
                TruncatedZoneWarning,
                stacklevel=2,
            )
    recharge, sources, entries, entry_ends = _recharge_area(
        flow, resolved, s, node_owner, progress, cycle_days, iface
    )
    ends = [e for e in (lattice, entry_ends) if e is not None]
    return CaptureZone(
        wells=resolved,
        polygons=polygons,
        per_well=per_well,
        recharge_area=recharge,
        recharge_sources=sources,
        truncated=truncated,
        travel_time=tt,
        owner=owner,
        subcell_edges=(xe, ye),
        crs=flow.grid.crs,
        attrs=provenance_attrs(flow.attrs.get("inputs_sha256", ""), executables=["mf6"]),
        entries=entries,
        cycles=max(e.cycles for e in ends),
        still_moving=sum(e.moving for e in ends),
    )
