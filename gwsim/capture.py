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
any water to the wells (:mod:`gwsim.recharge_area`). ``CaptureZone.entries`` keeps each entry point's inflow and the fraction of
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
from shapely.geometry import mapping
from tqdm import tqdm

from gwsim.errors import CaptureZoneError, IncompleteZoneWarning, TruncatedZoneWarning
from gwsim.flowfield import FlowField
from gwsim.periodic import CAPTURED, cycle_start_step, track_periodic
from gwsim.provenance import provenance_attrs
from gwsim.recharge_area import RechargeEntries, recharge_area
from gwsim.subcells import (
    mask_to_polygon,
    subcell_edges,
    subcell_index,
    subcell_index_local,
    touched_edges,
)
from gwsim.tracking import track
from gwsim.tracking.startpoints import cell_face_points, cell_lattice_points
from gwsim.wells import Well, resolve_wells, well_of_node
from gwsim.writers import write_geojson


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
    recharge, sources, entries, entry_ends = recharge_area(
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
