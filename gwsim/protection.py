"""Protection zones of groundwater drinking-water sources after HJ 338-2018 (m, d, ha).

HJ 338-2018 (饮用水水源保护区划分技术规范), groundwater part, for small and medium sources in porous
and weathered-fracture aquifers (see ``shared/DOMAIN.md``; values marked *verify* there):

* **class 1 (一级)**: the area from which water reaches the wells within T = 100 d;
* **class 2 (二级)**: within T = 1000 d;
* **outer zone (准保护区, "quasi")**: the source's recharge area (where its water enters the aquifer).

Two methods, side by side per source:

* **empirical**: a circle around each production well of radius R = α·K·I·T/n (α safety factor,
  commonly 1.5; K hydraulic conductivity, m/d; I hydraulic gradient, -; T travel time, d; n effective
  porosity, -); several wells give the union of circles. The empirical outer zone is not a formula:
  it is taken as the numerical outer zone joined with the class-2 circles.
* **numerical**: capture zones from particle tracking on the flow model
  (:func:`gwsim.capture_zone`) at 100 d and 1000 d; the outer zone is the steady-state capture zone
  joined with its recharge area.

Class 1 ⊂ class 2 ⊂ outer zone holds by construction (each zone is joined with the one inside it).
K, I and n of the empirical formula come from the flow model at each well unless given: K from the
flow field's K (the model's NPF input) in the pumped cell, n from the flow field's porosity there, and I as the mean
head-gradient magnitude of the pumped layer in a ring two to four cells from the well, which is
the gradient inside the well's cone of depression.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

from gwsim.capture import CaptureZone, capture_zone
from gwsim.errors import ProtectionZoneError
from gwsim.flowfield import FlowField
from gwsim.writers import write_geojson, write_table

CLASS1_DAYS = 100.0
CLASS2_DAYS = 1000.0
SAFETY_FACTOR = 1.5  # α, HJ 338-2018 commonly 150 % (verify)
ZONES = ("class1", "class2", "quasi")

# HJ 338-2018 empirical radii for unconfined porous aquifers, small/medium sources, m:
# medium -> ((class 1 min, max), (class 2 min, max)). Values from DOMAIN.md, marked "verify".
EMPIRICAL_RADII_M = {
    "fine sand": ((30, 50), (300, 500)),
    "medium sand": ((50, 100), (500, 1000)),
    "coarse sand": ((100, 200), (1000, 2000)),
    "gravel": ((200, 500), (2000, 5000)),
    "cobbles": ((500, 1000), (5000, 10000)),
}


def empirical_radius(
    k: float, gradient: float, travel_time: float, porosity: float, alpha: float = SAFETY_FACTOR
) -> float:
    """Empirical protection radius R = α·K·I·T/n (m), HJ 338-2018.

    Parameters
    ----------
    k : hydraulic conductivity, m/d. gradient : hydraulic gradient I, -.
    travel_time : T, d (100 for class 1, 1000 for class 2). porosity : effective porosity n, -.
    alpha : safety factor α (1.5 = 150 %).
    """
    for name, value in (
        ("k", k),
        ("gradient", gradient),
        ("travel_time", travel_time),
        ("porosity", porosity),
        ("alpha", alpha),
    ):
        if not (np.isfinite(value) and value > 0):
            raise ProtectionZoneError(f"empirical radius: {name} must be > 0, got {value}")
    if porosity > 1:
        raise ProtectionZoneError(f"empirical radius: porosity {porosity} > 1; give a fraction")
    return alpha * k * gradient * travel_time / porosity


@dataclass
class WellParameters:
    """K (m/d), I (-), n (-) used for a well's empirical radii, and the radii (m)."""

    name: str
    x: float
    y: float
    k: float
    gradient: float
    porosity: float
    radius_class1: float
    radius_class2: float


@dataclass
class SourceZones:
    """The zones of one drinking-water source by method and zone name (model coordinates)."""

    name: str
    wells: list[WellParameters]
    numerical: dict[str, object]  # zone -> geometry
    empirical: dict[str, object]
    capture: CaptureZone
    truncated: dict[str, bool]  # numerical zone -> reaches the model edge
    medium: str | None = None


@dataclass
class ProtectionZones:
    """Protection zones of several sources, both methods; write them with :meth:`to_geojson`."""

    sources: list[SourceZones]
    crs: str | None
    attrs: dict[str, str] = field(default_factory=dict)

    def features(self) -> list[dict]:
        """One GeoJSON feature per source × zone × method."""
        days = {"class1": CLASS1_DAYS, "class2": CLASS2_DAYS, "quasi": None}
        feats = []
        for src in self.sources:
            for method in ("numerical", "empirical"):
                zones = getattr(src, method)
                for zone in ZONES:
                    geom = zones[zone]
                    feats.append(
                        {
                            "type": "Feature",
                            "geometry": mapping(geom),
                            "properties": {
                                "source": src.name,
                                "zone": zone,
                                "method": method,
                                "travel_time_d": days[zone],
                                "area_ha": round(geom.area / 1e4, 3),
                                "truncated": bool(src.truncated[zone])
                                if method == "numerical" or zone == "quasi"
                                else False,
                            },
                        }
                    )
        return feats

    def to_geojson(self, path: str | Path) -> Path:
        """``protection_zones.geojson``: features with CRS and provenance, written atomically."""
        return write_geojson(path, self.features(), self.crs, self.attrs)

    def table(self) -> list[dict]:
        """Rows comparing the methods: area (ha), extent from the wells (m), radii, parameters."""
        rows = []
        for src in self.sources:
            wells = shapely.MultiPoint([(w.x, w.y) for w in src.wells])
            for zone in ZONES:
                row = {"source": src.name, "zone": zone}
                for method in ("numerical", "empirical"):
                    geom = getattr(src, method)[zone]
                    row[f"{method}_area_ha"] = round(geom.area / 1e4, 2)
                    row[f"{method}_extent_m"] = (
                        round(shapely.hausdorff_distance(wells, geom), 1)
                        if not geom.is_empty
                        else 0.0
                    )
                if zone != "quasi":
                    key = "radius_class1" if zone == "class1" else "radius_class2"
                    row["formula_radius_m"] = round(
                        float(np.mean([getattr(w, key) for w in src.wells])), 1
                    )
                    if src.medium:
                        lo, hi = EMPIRICAL_RADII_M[src.medium][0 if zone == "class1" else 1]
                        row["table_radius_m"] = f"{lo}-{hi} ({src.medium})"
                row["truncated"] = src.truncated[zone]
                rows.append(row)
        return rows

    def write_tables(self, folder: str | Path, stem: str = "protection_zones") -> list[Path]:
        """The comparison table as CSV and Markdown (atomic writes); returns both paths."""
        return write_table(self.table(), folder, stem, self.attrs, "Protection zones (HJ 338-2018)")

    def plot(self, flow: FlowField, ax=None, title: str | None = None):
        """A planner's map of all sources' zones; returns the axes."""
        from gwsim.plots import plot_protection_zones

        return plot_protection_zones(self, flow, ax=ax, title=title)


# ---------------------------------------------------------------------- parameters at wells
def _ring_gradient(flow: FlowField, layer: int, row: int, col: int, step: int) -> float:
    """Mean |∇h| (-) of ``layer`` over cells two to four cells from (row, col)."""
    head = flow.head[step, layer]
    yc, xc = flow.grid.ycenters[:, 0], flow.grid.xcenters[0]
    gy, gx = np.gradient(head, yc, xc)
    magnitude = np.hypot(gx, gy)
    rr, cc = np.meshgrid(np.arange(flow.grid.nrow), np.arange(flow.grid.ncol), indexing="ij")
    ring = np.maximum(np.abs(rr - row), np.abs(cc - col))
    values = magnitude[(ring >= 2) & (ring <= 4) & np.isfinite(magnitude)]
    if values.size == 0:
        raise ProtectionZoneError(
            f"no heads around the well at row {row}, col {col} to take a gradient from: "
            "give gradient= explicitly"
        )
    return float(values.mean())


def _layer_k(flow: FlowField, cell) -> float:
    """Horizontal K (m/d) of the flow field in ``cell``."""
    if flow.k is None:
        raise ProtectionZoneError(
            "the flow field's K is unknown (its model's NPF input could not be read): give k= "
            "(m/d) for the empirical radii"
        )
    return float(flow.k[tuple(cell)])


def well_parameters(
    flow, capture: CaptureZone, k=None, gradient=None, porosity=None, alpha=SAFETY_FACTOR
) -> list[WellParameters]:
    """K, I, n and the empirical class-1/class-2 radii at each pumping cell of the source."""
    params = []
    step = flow.ntimes - 1
    for well in capture.wells:
        for cell in well.cells:
            lay, row, col = (int(v) for v in cell)
            k_w = float(k) if k is not None else _layer_k(flow, cell)
            i_w = (
                float(gradient)
                if gradient is not None
                else _ring_gradient(flow, lay, row, col, step)
            )
            n_w = float(porosity) if porosity is not None else float(flow.porosity[lay, row, col])
            params.append(
                WellParameters(
                    name=well.name,
                    x=float(flow.grid.xcenters[row, col]),
                    y=float(flow.grid.ycenters[row, col]),
                    k=k_w,
                    gradient=i_w,
                    porosity=n_w,
                    radius_class1=empirical_radius(k_w, i_w, CLASS1_DAYS, n_w, alpha),
                    radius_class2=empirical_radius(k_w, i_w, CLASS2_DAYS, n_w, alpha),
                )
            )
    return params


def _circles(params: list[WellParameters], key: str):
    return shapely.union_all([shapely.Point(p.x, p.y).buffer(getattr(p, key), 64) for p in params])


# ---------------------------------------------------------------------- public
def protection_zones(
    flow: FlowField,
    sources: Mapping[str, Sequence],
    *,
    k: float | None = None,
    gradient: float | None = None,
    porosity: float | None = None,
    alpha: float = SAFETY_FACTOR,
    media: Mapping[str, str] | None = None,
    subdivisions: int = 2,
    progress: bool = True,
    iface: dict[str, int] | None = None,
) -> ProtectionZones:
    """HJ 338-2018 protection zones of drinking-water sources, numerical and empirical.

    Parameters
    ----------
    flow : the flow field with the sources' wells pumping.
    sources : {source name: wells} with wells as for :func:`gwsim.capture_zone` (names or (x, y)).
    k, gradient, porosity : override K (m/d), I (-) and n (-) of the empirical formula; by default
        they are read from the model at each well (see the module docstring).
    alpha : safety factor α of R = α·K·I·T/n.
    media : {source name: aquifer medium} to list HJ 338's tabulated radii beside the formula
        (one of :data:`EMPIRICAL_RADII_M`).
    subdivisions : capture-zone lattice particles per cell side.
    iface : which face each package's flow crosses in the capture zones (see :func:`gwsim.track`).
    """
    media = dict(media or {})
    for name, medium in media.items():
        if medium not in EMPIRICAL_RADII_M:
            raise ProtectionZoneError(
                f"media[{name!r}] = {medium!r} is not in the HJ 338 table; use one of "
                f"{sorted(EMPIRICAL_RADII_M)}"
            )
    if not sources:
        raise ProtectionZoneError("no sources given: pass {name: [wells]}")
    results = []
    for name, wells in sources.items():
        cz = capture_zone(
            flow,
            wells,
            (CLASS1_DAYS, CLASS2_DAYS, np.inf),
            subdivisions=subdivisions,
            progress=progress,
            iface=iface,
        )
        params = well_parameters(flow, cz, k, gradient, porosity, alpha)
        class1 = cz.polygons[CLASS1_DAYS]
        class2 = shapely.union_all([cz.polygons[CLASS2_DAYS], class1])
        quasi = shapely.union_all([cz.polygons[np.inf], cz.recharge_area, class2])
        e1 = _circles(params, "radius_class1")
        e2 = shapely.union_all([_circles(params, "radius_class2"), e1])
        results.append(
            SourceZones(
                name=name,
                wells=params,
                numerical={"class1": class1, "class2": class2, "quasi": quasi},
                empirical={"class1": e1, "class2": e2, "quasi": shapely.union_all([quasi, e2])},
                capture=cz,
                truncated={
                    "class1": bool(cz.truncated[CLASS1_DAYS]),
                    "class2": bool(cz.truncated[CLASS2_DAYS] or cz.truncated[CLASS1_DAYS]),
                    "quasi": any(bool(v) for v in cz.truncated.values()),
                },
                medium=media.get(name),
            )
        )
    attrs = dict(results[0].capture.attrs)
    return ProtectionZones(results, flow.grid.crs, attrs)
