"""Flow scenarios (``kind = "flow"``, the default): a model run, heads, protection zones.

A ``flow`` scenario names a model (a spec file, or the spec's tables inline under ``[model]``), the engine,
and the outputs to write into the output folder (default ``out/<scenario name>/``)::

    name = "demo_wellfield"
    description = "..."
    engine = "mf6"

    [model]
    spec = "some_model.toml"      # path relative to the scenario file, or inline spec tables,
                                  # or a site model folder (params.toml + build.py):
    # site = "../models/valley_porous"
    # variant = "steady"
    # overrides = { "wells.rate" = { value = 800.0, unit = "m3/d" } }

    [outputs]
    heads_netcdf = true           # heads.nc (CF, CRS, provenance)
    head_map = true               # head_map.png
    head_map_layer = 2            # 1-based layer shown on the map
    language = "both"             # labels of maps and tables: "zh", "en" or "both"
    map_layers = [                # optional GeoJSON drawn under the protection map
      { path = "villages.geojson", name_zh = "村庄", name_en = "villages" },
    ]

    [protection]                  # optional: HJ 338-2018 zones of drinking-water sources
    sources = { town = ["wellfield"] }   # source name -> well names or [x, y] positions
    media = { town = "gravel" }   # optional, to list HJ 338's tabulated radii
    alpha = 1.5                   # safety factor of R = alpha K I T / n
    names = { town = { zh = "某水源地", en = "Town source" } }   # bilingual source names
    cycle_days = 365              # transient models ending in one seasonal cycle: repeat it

    [sensitivity]                 # one at a time; factors for all, or per parameter
    parameters = ["k", "porosity", "recharge", "river_cond"]
    factors = { k = [0.5, 2.0], porosity = [0.25, 0.5, 2.0], river_cond = [0.1, 10.0] }

The whole scenario is read and validated before anything is written; the MODFLOW files go to
``<out>/model/`` and every output file is written atomically with provenance attributes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gwsim.config import check_keys, number, read_toml
from gwsim.engines import FLOW_ENGINES, run_flow
from gwsim.errors import SpecError
from gwsim.mapping import save_figure
from gwsim.names import LANGUAGES
from gwsim.plots import plot_entry_fractions, plot_head_map
from gwsim.protection import protection_zones
from gwsim.provenance import hash_inputs
from gwsim.report import write_report
from gwsim.sensitivity import PARAMETERS, zone_sensitivity
from gwsim.site_model import SiteModel, read_model_table
from gwsim.spec import ModelSpec
from gwsim.writers import atomic_path, write_table

_TOP_KEYS = {
    "name",
    "kind",
    "description",
    "engine",
    "model",
    "outputs",
    "protection",
    "sensitivity",
}
_SENSITIVITY_KEYS = {"parameters", "factors"}
_PROTECTION_KEYS = {
    "sources",
    "media",
    "alpha",
    "subdivisions",
    "k",
    "gradient",
    "porosity",
    "names",
    "cycle_days",
}
_OUTPUT_DEFAULTS = {
    "heads_netcdf": True,
    "head_map": True,
    "head_map_layer": 1,
    "report": True,
    "language": "both",
    "map_layers": [],
}


@dataclass
class FlowScenario:
    """A validated flow scenario: its model spec, engine and requested outputs."""

    name: str
    spec: ModelSpec
    source: Path
    description: str = ""
    engine: str = "mf6"
    outputs: dict = field(default_factory=lambda: dict(_OUTPUT_DEFAULTS))
    spec_file: Path | None = None  # the model spec file, when not inline
    protection: dict | None = None  # keyword arguments of gwsim.protection.protection_zones
    site: SiteModel | None = None  # the site model folder, parameters and variant, if any
    sensitivity: dict | None = None  # {"parameters": [...], "factors": [...]}

    @property
    def inputs_hash(self) -> str:
        """SHA-256 of the scenario file and the model spec file it names."""
        return hash_inputs([self.source] + ([self.spec_file] if self.spec_file else []))

    @classmethod
    def from_toml(cls, path: str | Path) -> FlowScenario:
        """Read and validate a flow scenario file."""
        return cls.from_dict(read_toml(path), Path(path).resolve())

    @classmethod
    def from_dict(cls, data: dict, path: Path) -> FlowScenario:
        """Validate a flow scenario's table; raises :class:`SpecError` naming the bad key."""
        check_keys(data, _TOP_KEYS, "", "scenario key")
        if "name" not in data:
            raise SpecError("name", "missing", 'add name = "..." (it names the output folder)')
        engine = data.get("engine", "mf6")
        if engine not in FLOW_ENGINES:
            raise SpecError("engine", f"unknown engine {engine!r}", f"use one of {FLOW_ENGINES}")
        model = data.get("model")
        if not isinstance(model, dict):
            raise SpecError("model", "missing", "add a [model] table with spec = 'file.toml'")
        outputs = {
            **_OUTPUT_DEFAULTS,
            **check_keys(data.get("outputs", {}), _OUTPUT_DEFAULTS, "outputs"),
        }
        spec, spec_file, site = read_model_table(model, path)
        layer = outputs["head_map_layer"]
        if not (isinstance(layer, int) and 1 <= layer <= spec.grid.nlay):
            raise SpecError(
                "outputs.head_map_layer", f"{layer!r} is not a layer", f"use 1..{spec.grid.nlay}"
            )
        _check_map_options(outputs, path)
        protection = _protection_options(data.get("protection"), spec)
        sensitivity = _sensitivity_options(data.get("sensitivity"), protection)
        return cls(
            name=str(data["name"]),
            description=data.get("description", ""),
            engine=engine,
            spec=spec,
            source=path,
            outputs=outputs,
            spec_file=spec_file,
            protection=protection,
            site=site,
            sensitivity=sensitivity,
        )

    def run(self, out: str | Path | None = None, log: Callable = print) -> list[Path]:
        """Run the scenario and write its outputs into ``out``; return the paths written."""
        return run_flow_scenario(self, Path(out or Path("out") / self.name), log)


def _protection_options(table: dict | None, spec: ModelSpec) -> dict | None:
    """Validated keyword arguments for protection_zones from a [protection] table."""
    if table is None:
        return None
    check_keys(table, _PROTECTION_KEYS, "protection")
    sources = table.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise SpecError(
            "protection.sources", "missing or empty", 'add sources = { name = ["well"] }'
        )
    wells = {b.name.lower() for b in spec.boundaries if b.kind == "wel"}
    for name, members in sources.items():
        if not isinstance(members, list) or not members:
            raise SpecError(f"protection.sources.{name}", "must be a non-empty list of wells", "")
        for member in members:
            if isinstance(member, str) and member.lower() not in wells:
                raise SpecError(
                    f"protection.sources.{name}",
                    f"{member!r} is not a well boundary of the model",
                    f"use one of {sorted(wells)} or an [x, y] position",
                )
    options = {k: v for k, v in table.items() if k != "sources"}
    for key in ("alpha", "k", "gradient", "porosity", "cycle_days"):
        number(options, key, "protection", above=0)
    for name, given in options.get("names", {}).items():
        if name not in sources or not isinstance(given, dict) or set(given) - {"zh", "en"}:
            raise SpecError(
                f"protection.names.{name}",
                "must name a source with { zh = ..., en = ... }",
                f"use one of {sorted(sources)}",
            )
    options["sources"] = {
        n: [m if isinstance(m, str) else tuple(m) for m in v] for n, v in sources.items()
    }
    return options


def _sensitivity_options(table: dict | None, protection: dict | None) -> dict | None:
    """Validated [sensitivity] table: parameters among K, porosity, recharge; positive factors."""
    if table is None:
        return None
    check_keys(table, _SENSITIVITY_KEYS, "sensitivity")
    if protection is None:
        raise SpecError(
            "sensitivity", "needs a [protection] section", "add [protection] sources = ..."
        )
    parameters = table.get("parameters", list(PARAMETERS))
    bad = [p for p in parameters if p not in PARAMETERS]
    if bad:
        raise SpecError(
            "sensitivity.parameters", f"unknown parameter {bad[0]!r}", f"use {list(PARAMETERS)}"
        )
    factors = table.get("factors", [0.5, 2.0])
    per_parameter = factors if isinstance(factors, dict) else dict.fromkeys(parameters, factors)
    for name, values in per_parameter.items():
        if name not in PARAMETERS:
            raise SpecError(
                f"sensitivity.factors.{name}", "unknown parameter", f"use {list(PARAMETERS)}"
            )
        if not values or not all(isinstance(f, (int, float)) and f > 0 and f != 1 for f in values):
            raise SpecError(
                "sensitivity.factors", f"{values!r} must be positive numbers other than 1", ""
            )
    return {
        "parameters": list(parameters),
        "factors": {p: [float(f) for f in v] for p, v in per_parameter.items()},
    }


def _check_map_options(outputs: dict, path: Path) -> None:
    """Validate outputs.language and outputs.map_layers (GeoJSON files relative to the scenario)."""
    if outputs["language"] not in LANGUAGES:
        raise SpecError("outputs.language", f"{outputs['language']!r}", f"use one of {LANGUAGES}")
    layers = []
    for i, layer in enumerate(outputs["map_layers"]):
        if not isinstance(layer, dict) or "path" not in layer:
            raise SpecError(f"outputs.map_layers[{i}]", "needs path = 'file.geojson'", "")
        check_keys(layer, {"path", "name_zh", "name_en", "color"}, f"outputs.map_layers[{i}]")
        file = (path.parent / layer["path"]).resolve()
        if not file.is_file():
            raise SpecError(f"outputs.map_layers[{i}].path", f"{file} not found", "")
        layers.append({**layer, "path": file})
    outputs["map_layers"] = layers


def run_flow_scenario(scenario: FlowScenario, out: Path, log: Callable) -> list[Path]:
    """Run a flow scenario: the model, then heads netCDF, head map and budget summary."""
    log(f"scenario {scenario.name}: running {scenario.engine} on model {scenario.spec.name!r}")
    flow = run_flow(scenario.spec, out / "model", engine=scenario.engine)
    flow.attrs["inputs_sha256"] = scenario.inputs_hash
    flow.attrs["scenario_file"] = str(scenario.source)
    written = []
    if scenario.outputs["heads_netcdf"]:
        written.append(flow.to_netcdf(out / "heads.nc"))
    if scenario.outputs["head_map"]:
        layer = scenario.outputs["head_map_layer"] - 1
        ax = plot_head_map(
            flow,
            layer=layer,
            boundaries=scenario.spec.boundaries,
            title=f"{scenario.name}: heads in layer {layer + 1}",
        )
        written.append(save_figure(ax.figure, out / "head_map.png"))
    zones, rows, figures = None, None, {}
    if scenario.outputs["head_map"]:
        figures["Heads"] = "head_map.png"
    if scenario.protection is not None:
        options = dict(scenario.protection, language=scenario.outputs["language"])
        sources = options.pop("sources")

        def zones_of(f):
            return protection_zones(f, sources, **options, progress=f is flow)

        zones = zones_of(flow)
        written.append(zones.to_geojson(out / "protection_zones.geojson"))
        written += zones.write_tables(out)
        written += zones.write_detail_tables(out)
        ax = zones.plot(flow, layers=scenario.outputs["map_layers"])
        written.append(save_figure(ax.figure, out / "protection_map.png"))
        figures["Protection zones"] = "protection_map.png"
        ax = plot_entry_fractions(zones, flow)
        written.append(save_figure(ax.figure, out / "outer_zone_fraction.png"))
        figures["Outer zone: share of the entering water that reaches the wells"] = (
            "outer_zone_fraction.png"
        )
        if scenario.sensitivity is not None:
            rows = zone_sensitivity(
                scenario.spec, flow, zones, zones_of, out / "sensitivity", **scenario.sensitivity
            )
            written += write_table(rows, out, "sensitivity", flow.attrs, "Zone sensitivity")
    if scenario.outputs["report"]:
        written.append(
            write_report(
                out / "report.md",
                scenario.name,
                scenario.description,
                flow,
                params=scenario.site.params if scenario.site else None,
                zones=zones,
                sensitivity=rows,
                figures=figures,
            )
        )
    summary = {
        "scenario": scenario.name,
        "model": scenario.spec.name,
        "percent_discrepancy": flow.percent_discrepancy,
        "budget_m3_per_day": {k: {"in": v[0], "out": v[1]} for k, v in flow.budget().items()},
        **{k: v for k, v in flow.attrs.items()},
    }
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2))
    written.append(out / "summary.json")
    return written
