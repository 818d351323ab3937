"""Where leak concentrations are assessed: source wells, monitoring wells, protection zones and
site boundaries.

A :class:`Receptor` names a place; :func:`receptor_probe` turns it into a :class:`Probe`, the
cells whose concentrations (mg/L) make the receptor's:

- a source well's is the pumping-weighted mean of its screened cells, the water it delivers (the
  largest over the wells when a boundary groups several);
- a monitoring well's is its cell's (given z) or the largest over its column's layers (no z: a
  multi-level sample);
- a protection zone's is the largest over every active cell whose centre lies in the zone (the
  plume has crossed the zone's boundary once it is there): the zone is the wells' capture zone for
  a travel time (HJ 338 class 1: 100 d, class 2: 1000 d), resolved once on the unchanged flow by
  :func:`resolve_zone_receptors` so that control options are judged against the same zone;
- a site boundary's (:func:`boundary_probe`) is the largest over the ring of cells just outside
  an enterprise's footprint.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy import ndimage

from gwsim.capture import CaptureZone, capture_zone
from gwsim.empirical import CLASS1_DAYS, CLASS2_DAYS
from gwsim.errors import SpecError
from gwsim.flowfield import FlowField
from gwsim.wells import resolve_wells

RECEPTOR_KINDS = ("source_well", "monitoring_well", "protection_zone")


@dataclass(frozen=True)
class Receptor:
    """Where concentrations are assessed.

    ``kind="source_well"``: ``location`` is a well (WEL boundary) name of the flow model, or an
    (x, y) position (every pumping cell of its column). ``kind="monitoring_well"``: ``location``
    is (x, y) or (x, y, z) in model coordinates, m. ``kind="protection_zone"``: ``location`` is
    (well name, travel time in d), or the zone's shapely geometry once resolved
    (:func:`resolve_zone_receptors`).
    """

    name: str
    kind: str
    location: object


def column_positions(flow: FlowField, cells: np.ndarray) -> list[tuple[float, float]]:
    """(x, y) centres (m) of the columns of ``cells`` ((m, 3) layer, row, col), one per column
    (wells given this way take every pumping cell of their column)."""
    return [
        (float(flow.grid.xcenters[r, c]), float(flow.grid.ycenters[r, c]))
        for r, c in np.unique(np.asarray(cells)[:, 1:], axis=0)
    ]


def zone_captures(flow: FlowField, receptors) -> dict[str, CaptureZone]:
    """Per well named by a protection-zone receptor given as (well, travel time): its capture
    zone on ``flow`` (one tracking run, from the well's pumping columns) for those travel times
    and HJ 338's 100 d and 1000 d, so that the maps' protection zones reuse it."""
    wanted: dict[str, set] = {}
    for r in receptors:
        if r.kind == "protection_zone" and isinstance(r.location, tuple):
            wanted.setdefault(r.location[0], {CLASS1_DAYS, CLASS2_DAYS}).add(float(r.location[1]))
    return {
        well: capture_zone(
            flow,
            column_positions(flow, resolve_wells(flow, [well])[0].cells),
            sorted(times),
            progress=False,
        )
        for well, times in wanted.items()
    }


def resolve_zone_receptors(
    flow: FlowField, receptors, captures: dict[str, CaptureZone] | None = None
) -> list[Receptor]:
    """``receptors`` with every protection zone given as (well, travel time) replaced by its
    capture-zone geometry on ``flow``: from ``captures`` (:func:`zone_captures`) or tracked."""
    if captures is None:
        captures = zone_captures(flow, receptors)
    return [
        Receptor(r.name, r.kind, captures[r.location[0]].polygons[float(r.location[1])])
        if r.kind == "protection_zone" and isinstance(r.location, tuple)
        else r
        for r in receptors
    ]


@dataclass
class Probe:
    """Cells whose concentrations make a receptor's: groups of cells, each a weighted mean; the
    receptor takes the largest group."""

    name: str
    kind: str
    cells: np.ndarray  # (m, 3) layer, row, col
    weights: np.ndarray  # (m,) weights within a group (sum 1 per group)
    groups: np.ndarray  # (m,) group index

    def series(self, concentration: np.ndarray) -> np.ndarray:
        """(nt,) receptor concentration, mg/L, from (nt, nlay, nrow, ncol) concentrations."""
        values = np.nan_to_num(concentration[(slice(None), *self.cells.T)]) * self.weights
        sums = np.zeros((len(values), self.groups.max() + 1))
        np.add.at(sums.T, self.groups, values.T)
        return sums.max(axis=1)


def receptor_probe(flow: FlowField, receptor: Receptor, where: str) -> Probe:
    """The cells and weights of a receptor in ``flow`` (see the module docstring)."""
    if receptor.kind == "source_well":
        well = resolve_wells(flow, [receptor.location])[0]
        q = sum(-flow.sources[name][-1] for name, t in flow.source_types.items() if t == "WEL")
        rate = np.maximum(q[tuple(well.cells.T)], 0.0)
        _, groups = np.unique(well.cells[:, 1:], axis=0, return_inverse=True)
        totals = np.bincount(groups, rate)
        return Probe(receptor.name, receptor.kind, well.cells, rate / totals[groups], groups)
    if receptor.kind == "protection_zone":
        return _zone_probe(flow, receptor, where)
    if receptor.kind != "monitoring_well":
        raise SpecError(f"{where}.kind", f"unknown kind {receptor.kind!r}", f"use {RECEPTOR_KINDS}")
    xyz = list(receptor.location)
    lay, row, col = flow.grid.locate(xyz[0], xyz[1], xyz[2] if len(xyz) > 2 else None)
    if row[0] < 0 or (len(xyz) > 2 and lay[0] < 0):
        raise SpecError(where, f"{tuple(xyz)} is outside the model grid", "move the receptor")
    layers = lay[:1] if len(xyz) > 2 else np.flatnonzero(flow.grid.idomain[:, row[0], col[0]] > 0)
    if len(layers) == 0 or flow.grid.idomain[layers[0], row[0], col[0]] <= 0:
        raise SpecError(where, f"{tuple(xyz)} is in an inactive cell", "move the receptor")
    cells = np.column_stack([layers, np.full_like(layers, row[0]), np.full_like(layers, col[0])])
    return Probe(receptor.name, receptor.kind, cells, np.ones(len(cells)), np.arange(len(cells)))


def _zone_probe(flow: FlowField, receptor: Receptor, where: str) -> Probe:
    if not hasattr(receptor.location, "geom_type"):
        raise SpecError(
            where,
            f"protection zone {receptor.location!r} is not resolved",
            "pass the receptors through resolve_zone_receptors(flow, receptors) first",
        )
    inside = shapely.contains_xy(receptor.location, flow.grid.xcenters, flow.grid.ycenters)
    cells = np.argwhere(inside[None] & (flow.grid.idomain > 0))
    if len(cells) == 0:
        raise SpecError(where, "the zone holds no active cell centre", "check the zone's wells")
    return Probe(receptor.name, receptor.kind, cells, np.ones(len(cells)), np.arange(len(cells)))


def boundary_probe(flow: FlowField, name: str, cells: np.ndarray) -> Probe:
    """The site boundary of a footprint: every active cell of the ring of columns just outside
    the footprint's columns (8-neighbourhood), each its own group."""
    mask = np.zeros(flow.shape[1:], bool)
    mask[cells[:, 1], cells[:, 2]] = True
    ring = ndimage.binary_dilation(mask, np.ones((3, 3), bool)) & ~mask
    ring_cells = np.argwhere(ring[None] & (flow.grid.idomain > 0))
    return Probe(
        f"{name} boundary",
        "site_boundary",
        ring_cells,
        np.ones(len(ring_cells)),
        np.arange(len(ring_cells)),
    )
