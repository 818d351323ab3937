"""Protection zones of groundwater drinking-water sources after HJ 338-2018 (m, d, ha).

HJ 338-2018 (饮用水水源保护区划分技术规范), groundwater part, for small and medium sources in porous
and weathered-fracture aquifers (see ``shared/DOMAIN.md``; values marked *verify* there):

* **class 1 (一级保护区)**: the area from which water reaches the wells within T = 100 d;
* **class 2 (二级保护区)**: within T = 1000 d;
* **outer zone (准保护区, key ``quasi``)**: the source's recharge area, where the water the wells
  pump enters the aquifer, drawn by flux (:mod:`gwsim.outer_zone`: each entry cell's share of the
  pumped water, with the cut-off at which the zone's inflow balances the wells' share).

Two methods, side by side per source:

* **empirical (经验公式法)**: a circle around each production well of radius R = α·K·I·T/n
  (:mod:`gwsim.empirical`: K, I, n per well from the model, each with where it came from); the
  source's zone is the union of its wells' circles. The empirical outer zone is not a formula: it is
  taken as the numerical outer zone joined with the class-2 circles.
* **numerical (数值法)**: capture zones from particle tracking on the flow model
  (:func:`gwsim.capture_zone`) at 100 d and 1000 d, and the outer zone by flux.

Class 1 ⊂ class 2 ⊂ outer zone holds by construction (each zone is joined with the one inside it);
holes smaller than four model cells are filled (a sub-cell the lattice missed is no gap to map).
Zones carry Chinese and English names (:data:`ZONE_NAMES`) in the GeoJSON and the tables.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

from gwsim.capture import CaptureZone, capture_zone
from gwsim.empirical import (
    CLASS1_DAYS,
    CLASS2_DAYS,
    EMPIRICAL_RADII_M,
    SAFETY_FACTOR,
    WellParameters,
    circles,
    empirical_radius,
    rounded_radius,
    well_parameters,
)
from gwsim.errors import ProtectionZoneError, TruncatedZoneWarning
from gwsim.flowfield import FlowField
from gwsim.names import LANGUAGES, METHOD_NAMES, ZONE_NAMES, label
from gwsim.outer_zone import (
    Closure,
    closures,
    edges_reached,
    fill_small_holes,
    flux_zone,
    reach,
)
from gwsim.writers import write_geojson, write_table

__all__ = [
    "CLASS1_DAYS",
    "CLASS2_DAYS",
    "EMPIRICAL_RADII_M",
    "LANGUAGES",
    "METHOD_NAMES",
    "SAFETY_FACTOR",
    "ZONES",
    "ZONE_NAMES",
    "ProtectionZoneError",
    "ProtectionZones",
    "SourceZones",
    "WellParameters",
    "empirical_radius",
    "protection_zones",
]

ZONES = ("class1", "class2", "quasi")


@dataclass
class SourceZones:
    """The zones of one drinking-water source by method and zone name (model coordinates).

    ``names`` (Chinese, English) name of the source; ``closure`` the outer zone's water balance per
    kind of entry; ``reach`` (m, direction) of the outer zone's farthest point from the wells.
    """

    name: str
    wells: list[WellParameters]
    numerical: dict[str, object]  # zone -> geometry
    empirical: dict[str, object]
    capture: CaptureZone
    truncated: dict[str, list[str]]  # numerical zone -> model edges it reaches
    medium: str | None = None
    names: tuple[str, str] = ("", "")
    closure: list[Closure] = field(default_factory=list)
    reach: tuple[float, str] = (0.0, "")

    @property
    def pumping(self) -> float:
        """Total pumping of the source, m³/d."""
        return float(sum(w.rate for w in self.capture.wells))

    def volume_check_ha(self, travel_time: float = CLASS2_DAYS) -> float:
        """Area (ha) holding the water pumped in ``travel_time``: Q·T/(n·b), n and b at the wells."""
        n = float(np.mean([w.porosity for w in self.wells]))
        b = float(np.mean([w.thickness for w in self.wells]))
        return self.pumping * travel_time / (n * b) / 1e4 if n > 0 and b > 0 else float("nan")

    def recommendation(self) -> str:
        """Which method should govern this source's zones under HJ 338-2018, and why (English)."""
        numerical = self.numerical["class2"].area
        ratio = self.empirical["class2"].area / numerical if numerical > 0 else float("inf")
        river = sum(c.captured for c in self.closure if c.kind == "river") / self.pumping
        porosity = float(np.mean([w.porosity for w in self.wells]))
        why = []
        if river > 0.05:
            why.append(
                f"the river supplies {100 * river:.0f} % of the pumping (a riverside, 傍河, "
                "source): where the water comes from is set by the river and the flow field, "
                "which a circle cannot show"
            )
        if porosity < 0.05:
            why.append(
                f"the aquifer is fractured (n = {porosity:g}, poorly known; R ∝ 1/n), so the "
                "circle's size is as uncertain as n"
            )
        if self.capture.cycles:
            why.append("the flow is seasonal (the model's transient cycle was tracked)")
        check = (
            f"the numerical class 2 ({numerical / 1e4:.0f} ha) against the volume of 1000 days' "
            f"pumping Q·T/(n·b) = {self.volume_check_ha():.0f} ha"
        )
        if 0.5 <= ratio <= 2.0:
            verdict = (
                f"The two methods agree within a factor of two (empirical class 2 = {ratio:.1f} × "
                "numerical): adopt the numerical zones, which follow the flow field"
            )
        elif ratio > 2.0:
            verdict = (
                f"The circles are {ratio:.1f} × the numerical class 2: a circle reaches as far "
                "downgradient and sideways as upgradient, where no water comes from, and I in the "
                "cone of depression is steeper than the flow that carries water over 1000 d. "
                "Adopt the numerical zones, keeping the class-1 circle where it reaches beyond the "
                "numerical class 1 until the model is calibrated"
            )
        else:
            verdict = (
                f"The circles are only {ratio:.1f} × the numerical class 2: the regional flow "
                "brings water from farther than αKIT/n says. Adopt the numerical zones"
            )
        reasons = f" because {'; '.join(why)}" if why else ""
        return (
            "HJ 338-2018 allows R = αKIT/n for small and medium sources and asks for a numerical "
            f"model where conditions are complex{reasons}. {verdict}; check: {check}."
        )

    def radius_text(self, zone: str) -> str:
        """The empirical radii of the wells as tables and maps print them ("61.2" or "58.0-72.5")."""
        key = "radius_class1" if zone == "class1" else "radius_class2"
        radii = sorted({rounded_radius(getattr(w, key)) for w in self.wells})
        return f"{radii[0]:g}" if len(radii) == 1 else f"{radii[0]:g}-{radii[-1]:g}"


@dataclass
class ProtectionZones:
    """Protection zones of several sources, both methods; write them with :meth:`to_geojson`."""

    sources: list[SourceZones]
    crs: str | None
    attrs: dict[str, str] = field(default_factory=dict)
    language: str = "both"

    def features(self) -> list[dict]:
        """One GeoJSON feature per source × zone × method, with Chinese and English names."""
        days = {"class1": CLASS1_DAYS, "class2": CLASS2_DAYS, "quasi": None}
        feats = []
        for src in self.sources:
            for method in ("numerical", "empirical"):
                zones = getattr(src, method)
                for zone in ZONES:
                    geom = zones[zone]
                    zh, en = ZONE_NAMES[zone]
                    feats.append(
                        {
                            "type": "Feature",
                            "geometry": mapping(geom),
                            "properties": {
                                "source": src.name,
                                "source_zh": src.names[0],
                                "source_en": src.names[1],
                                "zone": zone,
                                "name_zh": f"{src.names[0]}{zh}",
                                "name_en": f"{src.names[1]} {en}",
                                "method": method,
                                "method_zh": METHOD_NAMES[method][0],
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
                row = {
                    "source": label(src.names, self.language),
                    "zone": label(ZONE_NAMES[zone], self.language),
                }
                for method in ("numerical", "empirical"):
                    geom = getattr(src, method)[zone]
                    row[f"{method}_area_ha"] = round(geom.area / 1e4, 2)
                    row[f"{method}_extent_m"] = (
                        round(shapely.hausdorff_distance(wells, geom), 1)
                        if not geom.is_empty
                        else 0.0
                    )
                if zone != "quasi":
                    row["formula_radius_m"] = src.radius_text(zone)
                    if src.medium:
                        lo, hi = EMPIRICAL_RADII_M[src.medium][0 if zone == "class1" else 1]
                        row["table_radius_m"] = f"{lo}-{hi} ({src.medium})"
                row["truncated"] = bool(src.truncated[zone])
                rows.append(row)
        return rows

    def well_table(self) -> list[dict]:
        """One row per production well: K, I, n, T, α, the radii (m) and where each came from."""
        rows = []
        for src in self.sources:
            for w in src.wells:
                rows.append(
                    {
                        "source": label(src.names, self.language),
                        "well": w.name,
                        "K_m_per_d": round(w.k, 3),
                        "I": round(w.gradient, 5),
                        "n": round(w.porosity, 4),
                        "alpha": w.alpha,
                        "T_d": f"{CLASS1_DAYS:g} / {CLASS2_DAYS:g}",
                        "R_class1_m": rounded_radius(w.radius_class1),
                        "R_class2_m": rounded_radius(w.radius_class2),
                        "K_from": w.origin.get("k", ""),
                        "I_from": w.origin.get("gradient", ""),
                        "n_from": w.origin.get("porosity", ""),
                        "alpha_from": w.origin.get("alpha", ""),
                    }
                )
        return rows

    def closure_table(self) -> list[dict]:
        """The outer zone's water balance per source and kind of entry (m³/d, ha, mm/a, %)."""
        rows = []
        for src in self.sources:
            for c in src.closure:
                rows.append(
                    {
                        "source": label(src.names, self.language),
                        "entry": c.kind,
                        "share_x_pumping_m3_per_d": round(c.captured, 1),
                        "zone_inflow_m3_per_d": round(c.in_zone, 1),
                        "closure_pct": round(c.error_pct, 1),
                        "zone_entry_area_ha": round(c.area_ha, 2),
                        "zone_rate_mm_per_a": round(c.rate_mm_a, 1) if c.kind == "recharge" else "",
                        "cutoff_fraction": round(c.cutoff, 3),
                        "captured_outside_m3_per_d": round(c.outside, 1),
                    }
                )
            if len(src.closure) > 1:
                captured = sum(c.captured for c in src.closure)
                in_zone = sum(c.in_zone for c in src.closure)
                rows.append(
                    {
                        "source": label(src.names, self.language),
                        "entry": "all",
                        "share_x_pumping_m3_per_d": round(captured, 1),
                        "zone_inflow_m3_per_d": round(in_zone, 1),
                        "closure_pct": round(100.0 * (in_zone / captured - 1.0), 1),
                        "captured_outside_m3_per_d": round(sum(c.outside for c in src.closure), 1),
                    }
                )
        return rows

    def write_tables(self, folder: str | Path, stem: str = "protection_zones") -> list[Path]:
        """The comparison table as CSV and Markdown (atomic writes); returns both paths."""
        return write_table(
            self.table(), folder, stem, self.attrs, "Protection zones (HJ 338-2018) 保护区"
        )

    def write_detail_tables(self, folder: str | Path) -> list[Path]:
        """``protection_wells`` (K, I, n, T, α, R per well and where each came from) and
        ``outer_zone_balance`` (the outer zone's water balance), CSV and Markdown."""
        wells = write_table(
            self.well_table(), folder, "protection_wells", self.attrs, "R = αKIT/n per well"
        )
        title = "Outer zone water balance 准保护区水量平衡"
        return wells + write_table(
            self.closure_table(), folder, "outer_zone_balance", self.attrs, title
        )

    def plot(self, flow: FlowField, ax=None, title: str | None = None, layers=()):
        """A planner's map of all sources' zones; returns the axes."""
        from gwsim.plots import plot_protection_zones

        return plot_protection_zones(self, flow, ax=ax, title=title, layers=layers)


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
    names: Mapping[str, Mapping[str, str]] | None = None,
    language: str = "both",
    subdivisions: int = 2,
    cycle_days: float | None = None,
    progress: bool = True,
    iface: dict[str, int] | None = None,
    captures: Mapping[str, CaptureZone] | None = None,
) -> ProtectionZones:
    """HJ 338-2018 protection zones of drinking-water sources, numerical and empirical.

    Parameters
    ----------
    flow : the flow field with the sources' wells pumping.
    sources : {source name: wells} with wells as for :func:`gwsim.capture_zone` (names or (x, y)).
    k, gradient, porosity : override K (m/d), I (-) and n (-) of the empirical formula; by default
        they are read from the model at each well (see :mod:`gwsim.empirical`).
    alpha : safety factor α of R = α·K·I·T/n.
    media : {source name: aquifer medium} to list HJ 338's tabulated radii beside the formula
        (one of :data:`EMPIRICAL_RADII_M`).
    names : {source name: {"zh": "查家水源地", "en": "Chajia"}}; the key names it otherwise.
    language : labels of tables and maps: "zh", "en" or "both" (the GeoJSON always has both).
    subdivisions : capture-zone lattice particles per cell side.
    iface : which face each package's flow crosses in the capture zones (see :func:`gwsim.track`).
    cycle_days : the length of the seasonal cycle that ends a periodic transient flow field
        (see :func:`gwsim.capture_zone`).
    captures : {source name: CaptureZone} already tracked on ``flow`` for that source's wells
        with the same ``subdivisions``, ``cycle_days`` and ``iface``, reused instead of tracking
        again when it holds the 100 d and 1000 d zones.
    """
    media = dict(media or {})
    names = dict(names or {})
    for name, medium in media.items():
        if medium not in EMPIRICAL_RADII_M:
            raise ProtectionZoneError(
                f"media[{name!r}] = {medium!r} is not in the HJ 338 table; use one of "
                f"{sorted(EMPIRICAL_RADII_M)}"
            )
    if language not in LANGUAGES:
        raise ProtectionZoneError(f"language {language!r}: use one of {LANGUAGES}")
    if not sources:
        raise ProtectionZoneError("no sources given: pass {name: [wells]}")
    results = []
    for name, wells in sources.items():
        cz = (captures or {}).get(name)
        if cz is None or not {CLASS1_DAYS, CLASS2_DAYS} <= set(cz.polygons):
            cz = capture_zone(
                flow,
                wells,
                (CLASS1_DAYS, CLASS2_DAYS),
                subdivisions=subdivisions,
                cycle_days=cycle_days,
                progress=progress,
                iface=iface,
            )
        params = well_parameters(flow, cz, k, gradient, porosity, alpha)
        hole = 4 * float(flow.grid.cell_area.max())
        class1 = fill_small_holes(cz.polygons[CLASS1_DAYS], hole)
        class2 = fill_small_holes(shapely.union_all([cz.polygons[CLASS2_DAYS], class1]), hole)
        recharge, cutoffs = flux_zone(cz, flow)
        quasi = shapely.union_all([recharge, class2])
        e1 = circles(params, "radius_class1")
        e2 = shapely.union_all([circles(params, "radius_class2"), e1])
        sub = 0.5 * min(np.diff(cz.subcell_edges[0]).min(), -np.diff(cz.subcell_edges[1]).max())
        given = names.get(name, {})
        edges = edges_reached(flow, quasi, sub)
        if edges:
            warnings.warn(
                f"the outer zone of {name} reaches the model's {' and '.join(edges)} edge: water "
                "enters there through a boundary and the recharge area continues beyond the "
                "model. Extend the model to natural boundaries (divides, rivers)",
                TruncatedZoneWarning,
                stacklevel=2,
            )
        results.append(
            SourceZones(
                name=name,
                wells=params,
                numerical={"class1": class1, "class2": class2, "quasi": quasi},
                empirical={"class1": e1, "class2": e2, "quasi": shapely.union_all([quasi, e2])},
                capture=cz,
                truncated={
                    "class1": list(cz.truncated[CLASS1_DAYS]),
                    "class2": sorted(
                        set(cz.truncated[CLASS2_DAYS]) | set(cz.truncated[CLASS1_DAYS])
                    ),
                    "quasi": edges,
                },
                medium=media.get(name),
                names=(given.get("zh", name), given.get("en", name)),
                closure=closures(cz, quasi, cutoffs),
                reach=reach(quasi, [(w.x, w.y) for w in params]),
            )
        )
    attrs = dict(results[0].capture.attrs)
    return ProtectionZones(results, flow.grid.crs, attrs, language)
