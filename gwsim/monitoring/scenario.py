"""Monitoring-network scenarios (``kind = "monitoring"``): a site model, enterprises and supply
wells in; designed networks, coverage curve, maps, well tables and an attribution example out.

Layout (units in the comments; paths relative to the scenario file)::

    name = "chajia_monitoring"
    kind = "monitoring"
    [model]                       # as in a flow scenario: site (+ variant, overrides), spec or inline
    site = "../models/valley_porous"
    [detection]                   # gwsim.monitoring.detection_matrix
    window = 3650.0               # d
    method = "swarm"              # or "transport"
    particles = 200               # per leak point
    n_steps = 25
    dispersivity = [10.0, 1.0, 0.1]   # m
    detection_limit = 0.005       # mg/L (needs the enterprises' mass_rate); omit: min_share
    min_share = 0.05
    lead_time = 91.0              # d, e.g. one quarterly sampling interval
    porosity_factors = [0.5, 1.0, 2.0]   # an ensemble: the model's porosity times each factor;
                                  # detection becomes a probability (default [1.0], one field)
    [receptors]
    wells = ["chajia_wells"]      # supply wells (WEL boundary names)
    class2_travel_time = 1000.0   # d: their class-2 zone (HJ 338) is a receptor too
    [candidates]
    spacing = 50.0                # m, lattice of candidate positions
    area = [[x, y], ...]          # polygon to clip the lattice to (default: the whole model)
    clearance = 20.0              # m: no lattice candidate within this of a footprint (off-site)
    existing = [{ name = "JC1", x = ..., y = ... }]   # wells already there (evaluated, kept)
    [design]
    n_wells = [3, 5, 8]           # designs written out
    curve = 10                    # coverage-vs-wells curve from 1 to this many wells
    solver = "auto"               # "milp", "greedy"
    time_limit = 60.0             # s per MILP
    [design.layout]               # HJ 164 rules (gwsim.monitoring.LayoutRules)
    control = true
    flanks = false
    early_warning = true          # a well in the supply wells' recharge area
    apply_from = 8                # only designs with at least this many wells follow the rules
    [[enterprises]]
    name = "chem_plant"
    footprint = [[x, y], ...]     # or point = [x, y]
    mass_rate = 100.0             # g/d of the leak (for the detection limit)
    high_risk = true              # quarterly sampling downgradient (HJ 164; verify)
    [attribution]                 # an example: a leak from this enterprise, seen by a design
    enterprise = "chem_plant"
    n_wells = 8
    particles = 300

Each enterprise's footprint leaks at its uppermost wet cells (one leak point per cell, the mass
rate shared); the objective weights each enterprise equally (its leak points share its weight).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from gwsim.capture import capture_zone
from gwsim.config import check_keys
from gwsim.engines import run_flow
from gwsim.errors import SpecError
from gwsim.monitoring.candidates import candidate_lattice
from gwsim.monitoring.design import choose_wells
from gwsim.monitoring.detection import METHODS, detection_matrix
from gwsim.monitoring.layout import LayoutRules, control_points, layout_sets
from gwsim.monitoring.outputs import MonitoringResults, write_outputs
from gwsim.provenance import hash_inputs
from gwsim.risk import LeakCase, leak_cells, leak_sources
from gwsim.risk.scenario_tables import footprint_from_table
from gwsim.site_model import SiteModel, read_model_table
from gwsim.spec import ModelSpec

_TOP_KEYS = {
    "name",
    "kind",
    "description",
    "model",
    "detection",
    "receptors",
    "candidates",
    "design",
    "enterprises",
    "attribution",
}
_DETECTION = {
    "window": 3650.0,
    "method": "swarm",
    "particles": 200,
    "n_steps": 25,
    "dispersivity": [10.0, 1.0, 0.1],
    "detection_limit": None,
    "min_share": 0.05,
    "lead_time": 0.0,
    "seed": 0,
    "porosity_factors": [1.0],
}
_RECEPTORS = {"wells": [], "class2_travel_time": 1000.0}
_CANDIDATES = {"spacing": 100.0, "area": None, "existing": [], "clearance": 20.0}
_DESIGN = {"n_wells": [3, 5, 8], "curve": 10, "solver": "auto", "time_limit": 60.0, "layout": {}}
_LAYOUT = {
    "control",
    "flanks",
    "early_warning",
    "control_distance",
    "flank_radius",
    "max_angle",
    "apply_from",
}
_ATTRIBUTION = {"enterprise": None, "n_wells": None, "particles": 300}


def _positive(value, where: str) -> float:
    if not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
        raise SpecError(where, f"is {value!r}", "give a positive number")
    return float(value)


@dataclass
class Enterprise:
    """An enterprise of a monitoring scenario: footprint (m), leak mass rate (g/d), risk class."""

    name: str
    footprint: object
    mass_rate: float | None = None
    high_risk: bool = False


@dataclass
class MonitoringScenario:
    """A validated monitoring scenario (see the module docstring)."""

    name: str
    source: Path
    spec: ModelSpec
    enterprises: list[Enterprise]
    detection: dict
    receptors: dict
    candidates: dict
    design: dict
    layout: LayoutRules | None
    apply_from: int = 0
    attribution: dict | None = None
    description: str = ""
    spec_file: Path | None = None
    site: SiteModel | None = None
    outputs: dict = field(default_factory=dict)

    @property
    def inputs_hash(self) -> str:
        """SHA-256 of the scenario file and the model file it names."""
        return hash_inputs([self.source] + ([self.spec_file] if self.spec_file else []))

    @classmethod
    def from_dict(cls, data: dict, path: Path) -> MonitoringScenario:
        """Validate a monitoring scenario's table; :class:`SpecError` names the bad key."""
        check_keys(data, _TOP_KEYS, "scenario")
        if "name" not in data:
            raise SpecError("name", "missing", 'add name = "..." (it names the output folder)')
        if not isinstance(data.get("model"), dict):
            raise SpecError("model", "missing", "add a [model] table (spec, site or inline)")
        spec, spec_file, site = read_model_table(data["model"], path)
        det = {**_DETECTION, **check_keys(data.get("detection", {}), set(_DETECTION), "detection")}
        if det["method"] not in METHODS:
            raise SpecError("detection.method", f"{det['method']!r}", f"use one of {METHODS}")
        for key in ("window", "particles", "n_steps", "min_share"):
            _positive(det[key], f"detection.{key}")
        for key in ("lead_time", "seed"):
            if not isinstance(det[key], (int, float)) or not det[key] >= 0:
                raise SpecError(f"detection.{key}", f"is {det[key]!r}", "give a number >= 0")
        if det["detection_limit"] is not None:
            _positive(det["detection_limit"], "detection.detection_limit")
        alphas = det["dispersivity"]
        if not (isinstance(alphas, list) and len(alphas) == 3):
            raise SpecError(
                "detection.dispersivity",
                f"is {alphas!r}",
                "give [alpha_L, alpha_TH, alpha_TV] in m",
            )
        for i, alpha in enumerate(alphas):
            if not isinstance(alpha, (int, float)) or not alpha >= 0:
                raise SpecError(f"detection.dispersivity[{i}]", f"is {alpha!r}", "give metres >= 0")
        factors = det["porosity_factors"]
        if not (isinstance(factors, list) and factors):
            raise SpecError("detection.porosity_factors", f"{factors!r}", "give a list, e.g. [1.0]")
        for f in factors:
            _positive(f, "detection.porosity_factors")
        rec = {**_RECEPTORS, **check_keys(data.get("receptors", {}), set(_RECEPTORS), "receptors")}
        wells = {b.name.lower() for b in spec.boundaries if b.kind == "wel"}
        for w in rec["wells"]:
            if w.lower() not in wells:
                raise SpecError("receptors.wells", f"{w!r} is not a well", f"use {sorted(wells)}")
        cand = {
            **_CANDIDATES,
            **check_keys(data.get("candidates", {}), set(_CANDIDATES), "candidates"),
        }
        _positive(cand["spacing"], "candidates.spacing")
        if not (isinstance(cand["clearance"], (int, float)) and cand["clearance"] >= 0):
            raise SpecError("candidates.clearance", f"{cand['clearance']!r}", "give metres >= 0")
        if cand["area"] is not None:
            cand["area"] = footprint_from_table(
                spec, {"footprint": cand["area"]}, "candidates.area"
            )
        for i, e in enumerate(cand["existing"]):
            check_keys(e, {"name", "x", "y", "z"}, f"candidates.existing[{i}]")
        des = {**_DESIGN, **check_keys(data.get("design", {}), set(_DESIGN), "design")}
        sizes = des["n_wells"]
        if not (
            isinstance(sizes, list) and sizes and all(isinstance(n, int) and n > 0 for n in sizes)
        ):
            raise SpecError("design.n_wells", f"{sizes!r}", "give a list of positive integers")
        layout_table = dict(check_keys(des.pop("layout"), _LAYOUT, "design.layout"))
        apply_from = int(layout_table.pop("apply_from", 0))
        layout = LayoutRules(**layout_table) if layout_table else None
        enterprises = []
        for i, table in enumerate(data.get("enterprises", [])):
            check_keys(
                table, {"name", "footprint", "point", "mass_rate", "high_risk"}, f"enterprises[{i}]"
            )
            where = f"enterprises.{table.get('name', i)}"
            rate = table.get("mass_rate")
            if rate is not None:
                rate = _positive(rate, f"{where}.mass_rate")
            elif det["detection_limit"] is not None:
                raise SpecError(f"{where}.mass_rate", "missing", "a detection limit needs g/d")
            enterprises.append(
                Enterprise(
                    str(table.get("name", f"enterprise{i + 1}")),
                    footprint_from_table(spec, table, where),
                    rate,
                    bool(table.get("high_risk", False)),
                )
            )
        if not enterprises:
            raise SpecError("enterprises", "missing", "add [[enterprises]] tables")
        attribution = None
        if "attribution" in data:
            attribution = {
                **_ATTRIBUTION,
                **check_keys(data["attribution"], set(_ATTRIBUTION), "attribution"),
            }
            if attribution["enterprise"] not in [e.name for e in enterprises]:
                raise SpecError(
                    "attribution.enterprise", f"{attribution['enterprise']!r}", "name an enterprise"
                )
            attribution["n_wells"] = attribution["n_wells"] or max(sizes)
            if attribution["n_wells"] not in sizes:
                raise SpecError(
                    "attribution.n_wells", "is not one of design.n_wells", f"use {sizes}"
                )
        return cls(
            name=str(data["name"]),
            source=path,
            spec=spec,
            enterprises=enterprises,
            detection=det,
            receptors=rec,
            candidates=cand,
            design=des,
            layout=layout,
            apply_from=apply_from,
            attribution=attribution,
            description=str(data.get("description", "")),
            spec_file=spec_file,
            site=site,
        )

    # ------------------------------------------------------------------ pieces of the run
    def supply_receptors(self, flow) -> tuple[list, dict, dict]:
        """What a leak must not reach before it is detected (the supply wells and their class-2
        zone on ``flow``), the zones to draw and the wells' recharge area."""
        zones, recharge, receptors = {}, {}, list(self.receptors["wells"])
        if receptors:
            t2 = float(self.receptors["class2_travel_time"])
            cz = capture_zone(flow, receptors, (t2,), progress=False)
            zones[f"class 2 zone ({t2:g} d)"] = (
                cz.polygons[t2],
                {"facecolor": "none", "edgecolor": "#fc8d59", "lw": 1.5},
            )
            zones["recharge area"] = (
                cz.recharge_area,
                {"facecolor": "#c6dbef", "edgecolor": "none", "alpha": 0.5},
            )
            receptors.append(cz.polygons[t2])
            recharge = {"supply": cz.recharge_area}
        return receptors, zones, recharge

    def leak_points(self, flow) -> tuple[list, np.ndarray]:
        """The leak points (one gwsim.Source per wet footprint cell, the enterprise's mass rate
        shared, g/d) and the enterprise index of each."""
        sources, group = [], []
        for g, e in enumerate(self.enterprises):
            cells = leak_cells(flow, e.footprint, f"enterprises.{e.name}.footprint")
            sources += leak_sources(flow, cells, e.mass_rate or 1.0, LeakCase("leak"))
            group += [g] * len(cells)
        return sources, np.array(group)

    def candidate_points(self, flow) -> tuple[np.ndarray, np.ndarray]:
        """(m, 2) candidate positions (lattice clear of the footprints, HJ 164 control points,
        existing wells last; m) and the indices of the existing wells among them."""
        footprints = {e.name: e.footprint for e in self.enterprises}
        points = candidate_lattice(flow, self.candidates["spacing"], self.candidates["area"])
        sites = shapely.union_all(list(footprints.values()))
        clear = shapely.distance(sites, shapely.points(points)) > self.candidates["clearance"]
        points = points[clear]
        if self.layout is not None and self.layout.control:
            points = np.concatenate(
                [points, control_points(flow, footprints, np.mean(self.layout.control_distance))]
            )
        existing = np.array([[e["x"], e["y"]] for e in self.candidates["existing"]]).reshape(-1, 2)
        existing_idx = np.arange(len(points), len(points) + len(existing))
        return np.concatenate([points, existing]), existing_idx

    def detection_options(self) -> dict:
        """Keyword arguments of :func:`gwsim.monitoring.detection_matrix` from ``[detection]``."""
        det = {k: v for k, v in self.detection.items() if k != "porosity_factors"}
        return {**det, "dispersivity": tuple(self.detection["dispersivity"])}

    # ------------------------------------------------------------------ run
    def run(self, out: str | Path | None = None, log: Callable = print) -> list[Path]:
        """Run the flow model, the detection matrix, the designs and the attribution example;
        write everything into ``out``; return the paths written."""
        out = Path(out or Path("out") / self.name)
        started = time.perf_counter()
        log(f"scenario {self.name}: running the flow model {self.spec.name!r}")
        flow = run_flow(self.spec, out / "model")
        flow.attrs["inputs_sha256"] = self.inputs_hash
        receptors, zones, recharge = self.supply_receptors(flow)
        sources, group = self.leak_points(flow)
        weights = 1.0 / np.bincount(group)[group]
        footprints = {e.name: e.footprint for e in self.enterprises}
        points, existing_idx = self.candidate_points(flow)
        ensemble = [
            dataclasses.replace(flow, porosity=flow.porosity * f)
            for f in self.detection["porosity_factors"]
        ]
        log(
            f"scenario {self.name}: detection of {len(sources)} leak points by {len(points)} candidates"
        )
        matrix = detection_matrix(
            ensemble, sources, points, receptors=receptors, **self.detection_options()
        )
        sets = layout_sets(flow, points, footprints, self.layout, recharge) if self.layout else {}
        options = {
            "existing": existing_idx,
            "weights": weights,
            "time_limit": self.design["time_limit"],
        }
        designs, curve = {}, []
        sizes = sorted(set(self.design["n_wells"]) | set(range(1, self.design["curve"] + 1)))
        for n in sizes:
            rules = sets if n >= self.apply_from else {}
            best = choose_wells(matrix, n, rules=rules, solver=self.design["solver"], **options)
            greedy = choose_wells(matrix, n, rules=rules, solver="greedy", **options)
            designs[n] = best
            curve.append(
                {
                    "n_wells": n,
                    "coverage_milp": round(best.coverage, 4),
                    "solver": best.solver,
                    "coverage_greedy": round(greedy.coverage, 4),
                    "greedy_gap_bound": round(greedy.gap, 4),
                    "layout_rules": bool(rules),
                }
            )
            log(
                f"scenario {self.name}: {n} wells cover {100 * best.coverage:.1f} % ({best.solver})"
            )
        results = MonitoringResults(
            flow, matrix, designs, curve, sets, recharge, zones, sources, group, existing_idx
        )
        return write_outputs(self, results, out, started, log)
