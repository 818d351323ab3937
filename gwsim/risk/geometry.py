"""Where things are on a risk map: enterprises, receptors, control structures and the source's
protection zones, as shapely geometries (model CRS, m) with Chinese and English names.

A :class:`RiskSite` holds them; :meth:`RiskSite.write` writes them as GeoJSON (the run's CRS,
provenance, ``name_zh``/``name_en``, ``kind``, numbers with their unit in the key) beside the risk
tables, for GIS and the information page:

* ``enterprises.geojson``: footprints (polygons, or points) with contaminants and leak cases;
* ``receptors.geojson``: source wells (one point per pumping column) and monitoring wells, at the
  centres of the cells whose concentrations make the receptor's (as the model sees them);
* ``control_structures.geojson``: per control option, what it builds: the cut-off wall as the
  line of cell faces it blocks in the model (k, thickness, k/thickness, length, layers), the
  reactive barrier polygon (extra decay, area, cells inside) and the containment wells (rate);
* ``protection_zones.geojson``: the HJ 338 zones of the source wells (:func:`source_zones`), when
  the run has source wells.

Nothing here changes a result: the wall is read from the barrier the option put in the model,
the wells and the barrier from the options as given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

from gwsim.capture import CaptureZone
from gwsim.flowfield import FlowField
from gwsim.names import OPTION_NAMES, RISK_FEATURE_NAMES
from gwsim.protection import ProtectionZones, protection_zones
from gwsim.risk.control import (
    WALL,
    Change,
    ControlComparison,
    CutoffWall,
    HydraulicContainment,
    ReactiveBarrier,
)
from gwsim.risk.leaks import Enterprise
from gwsim.risk.receptors import Probe, column_positions
from gwsim.writers import write_geojson

RECEPTOR_KINDS = ("source_well", "monitoring_well")  # receptors drawn (site boundaries are not)


@dataclass(frozen=True)
class MapFeature:
    """One thing on a risk map: ``kind`` (a key of :data:`gwsim.names.RISK_FEATURE_NAMES`),
    name, shapely geometry (model CRS, m), properties (numbers with units in their keys) and the
    control option that builds it ("" for enterprises and receptors)."""

    kind: str
    name: str
    geometry: object
    properties: dict = field(default_factory=dict)
    option: str = ""

    def to_geojson(self) -> dict:
        """A GeoJSON feature with the names in both languages."""
        kind_zh, kind_en = RISK_FEATURE_NAMES[self.kind]
        props = {"name": self.name, "kind": self.kind, "kind_zh": kind_zh, "kind_en": kind_en}
        if self.option:
            zh, en = OPTION_NAMES.get(self.option, (self.option, self.option))
            props.update(option=self.option, option_zh=zh, option_en=en)
            props.update(name_zh=f"{zh}：{self.name}", name_en=f"{en}: {self.name}")
        else:
            props.update(name_zh=self.name, name_en=self.name)
        return {
            "type": "Feature",
            "geometry": mapping(self.geometry),
            "properties": props | self.properties,
        }


def enterprise_features(enterprises: Sequence[Enterprise]) -> list[MapFeature]:
    """Footprints with their area (m²), contaminants and leak cases."""
    return [
        MapFeature(
            "enterprise",
            e.name,
            e.footprint,
            {
                "area_m2": round(float(e.footprint.area), 1),
                "contaminants": [c.name for c in e.contaminants],
                "cases": [c.name for c in e.cases],
            },
        )
        for e in enterprises
    ]


def receptor_features(flow: FlowField, probes: Sequence[Probe]) -> list[MapFeature]:
    """Source and monitoring wells at their cells' centres: one point per column, with the
    layers (0-based) whose concentrations make the receptor's."""
    features = []
    for probe in probes:
        if probe.kind not in RECEPTOR_KINDS:
            continue
        columns = np.unique(probe.cells[:, 1:], axis=0)
        for i, (r, c) in enumerate(columns):
            layers = probe.cells[(probe.cells[:, 1] == r) & (probe.cells[:, 2] == c), 0]
            name = probe.name if len(columns) == 1 else f"{probe.name} {i + 1}"
            point = shapely.Point(flow.grid.xcenters[r, c], flow.grid.ycenters[r, c])
            features.append(
                MapFeature(probe.kind, name, point, {"layers": sorted(int(k) for k in layers)})
            )
    return features


def wall_line(flow: FlowField, faces: np.ndarray):
    """The cell faces of a horizontal flow barrier ((n, 5): layer, row1, col1, row2, col2) as
    lines in map coordinates, merged where they join (a closed ring around a block)."""
    x, y = flow.grid.corners()
    segments = set()
    for _, r1, c1, r2, c2 in faces:
        if r1 == r2:  # between columns c1 and c2 of one row: the shared vertical edge
            c = max(c1, c2)
            segments.add(((r1, c), (r1 + 1, c)))
        else:  # between rows r1 and r2 of one column: the shared horizontal edge
            r = max(r1, r2)
            segments.add(((r, c1), (r, c1 + 1)))
    lines = [shapely.LineString([(x[a], y[a]), (x[b], y[b])]) for a, b in sorted(segments)]
    return shapely.line_merge(shapely.MultiLineString(lines))


def control_features(flow: FlowField, option, change: Change) -> list[MapFeature]:
    """What one control option builds (none for natural attenuation or an anti-seepage liner)."""
    if isinstance(option, CutoffWall):
        wall = next(b for b in change.spec.barriers if b.name == WALL)
        line = wall_line(flow, wall.faces)
        props = {
            "k_m_per_d": option.k,
            "thickness_m": option.thickness,
            "k_over_thickness_per_d": wall.hydraulic_characteristic,
            "length_m": round(float(line.length), 1),
            "layers": sorted({int(k) for k in wall.faces[:, 0]}),
        }
        return [MapFeature("cutoff_wall", option.label, line, props, option.label)]
    if isinstance(option, ReactiveBarrier):
        cells = int(np.count_nonzero(np.asarray(change.extra_decay)[0] > 0))
        props = {
            "extra_decay_per_d": option.decay,
            "area_m2": round(float(option.polygon.area), 1),
            "model_cells_per_layer": cells,
        }
        return [MapFeature("reactive_barrier", option.label, option.polygon, props, option.label)]
    if isinstance(option, HydraulicContainment):
        return [
            MapFeature(
                "containment_well",
                f"{option.label} {i + 1}",
                shapely.Point(x, y),
                {"rate_m3_d": rate},
                option.label,
            )
            for i, (x, y, rate) in enumerate(option.wells)
        ]
    return []


def source_zones(
    flow: FlowField, probes: Sequence[Probe], captures: Mapping[str, CaptureZone] | None = None
) -> ProtectionZones | None:
    """HJ 338 protection zones (:func:`gwsim.protection_zones`) of the source-well receptors,
    each well at its pumping columns, on the same flow field; None without source wells.
    ``captures`` (well name -> CaptureZone tracked on ``flow`` from the same columns, e.g.
    :attr:`RiskAssessment.captures <gwsim.risk.RiskAssessment>`) are reused, not tracked again."""
    sources = {p.name: column_positions(flow, p.cells) for p in probes if p.kind == "source_well"}
    if not sources:
        return None
    reuse = {}
    for name, columns in sources.items():
        for cz in (captures or {}).values():
            if sorted(column_positions(flow, np.vstack([w.cells for w in cz.wells]))) == sorted(
                columns
            ):
                reuse[name] = cz
    return protection_zones(flow, sources, progress=False, captures=reuse)


@dataclass
class RiskSite:
    """What a risk map draws besides the plume (see the module docstring)."""

    flow: FlowField
    enterprises: list[MapFeature]
    receptors: list[MapFeature]
    controls: list[MapFeature] = field(default_factory=list)
    zones: ProtectionZones | None = None

    def controls_of(self, option: str) -> list[MapFeature]:
        """The structures the control option labelled ``option`` builds."""
        return [f for f in self.controls if f.option == option]

    def write(self, out: Path, attrs: Mapping[str, str]) -> list[Path]:
        """The GeoJSON files into ``out`` (atomically, with ``attrs`` as provenance)."""
        crs = self.flow.grid.crs
        files = {
            "enterprises": self.enterprises,
            "receptors": self.receptors,
            "control_structures": self.controls,
        }
        written = [
            write_geojson(out / f"{stem}.geojson", [f.to_geojson() for f in features], crs, attrs)
            for stem, features in files.items()
            if features
        ]
        if self.zones is not None:
            zones = replace(self.zones, attrs={**self.zones.attrs, **attrs})
            written.append(zones.to_geojson(out / "protection_zones.geojson"))
        return written


def risk_site(
    flow: FlowField,
    enterprises: Sequence[Enterprise],
    probes: Sequence[Probe],
    comparison: ControlComparison | None = None,
    zones: ProtectionZones | None = None,
    captures: Mapping[str, CaptureZone] | None = None,
) -> RiskSite:
    """The site of a risk run on ``flow``: enterprises, the receptors of ``probes``, the
    structures of every option of ``comparison`` and ``zones`` (computed for the source wells
    with :func:`source_zones`, reusing ``captures``, when None)."""
    controls = []
    if comparison is not None:
        for label, option in comparison.options.items():
            controls += control_features(flow, option, comparison.changes[label])
    return RiskSite(
        flow,
        enterprise_features(enterprises),
        receptor_features(flow, probes),
        controls,
        zones if zones is not None else source_zones(flow, probes, captures),
    )
