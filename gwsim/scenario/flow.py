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
    head_map_layer = 1            # layer shown on the map (0-based, as every index in scenario files)
    language = "both"             # labels of maps and tables: "zh", "en" or "both"
    map_layers = [                # optional GeoJSON drawn under the protection map
      { path = "villages.geojson", name_zh = "村庄", name_en = "villages" },
    ]

    [protection]                  # optional: HJ 338-2018 zones of drinking-water sources
    sources = { town = ["wellfield"] }   # source name -> well names or [x, y] positions
    media = { town = "gravel" }   # optional, to list HJ 338's tabulated radii
    alpha = 1.5                   # safety factor of R = alpha K I T / n
    iface = { RCH = 6, EVT = 6 }  # optional: face of each package's flow (gwsim.track's iface)
    names = { town = { zh = "某水源地", en = "Town source" } }   # bilingual source names
    cycle_days = 365              # transient models ending in one seasonal cycle: repeat it

    [sensitivity]                 # one at a time; factors for all, or per parameter
    parameters = ["k", "porosity", "recharge", "river_cond"]
    factors = { k = [0.5, 2.0], porosity = [0.25, 0.5, 2.0], river_cond = [0.1, 10.0] }

The whole scenario is read and validated before anything is written (every problem found is
reported: wells of a source must pump, media must be HJ 338's); the MODFLOW files go to
``<out>/model/`` and every output file is written atomically with provenance attributes. Every index
in the file counts from 0, ``head_map_layer`` too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gwsim.config import Problems, check_keys, is_number, number, read_toml
from gwsim.engines import FLOW_ENGINES, run_flow
from gwsim.errors import SpecError
from gwsim.mapping import save_figure
from gwsim.names import LANGUAGES
from gwsim.plots import plot_entry_fractions, plot_head_map
from gwsim.protection import EMPIRICAL_RADII_M, protection_zones
from gwsim.provenance import hash_inputs
from gwsim.report import write_report
from gwsim.sensitivity import PARAMETERS, zone_sensitivity
from gwsim.site_model import SiteModel, protection_sources, read_model_table
from gwsim.spec import ModelSpec
from gwsim.tracking.faces import FaceOptionError, checked_iface
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
MAX_CYCLE_DAYS = 3660.0  # protection.cycle_days: a seasonal cycle of up to ten years
_PROTECTION_KEYS = {
    "sources",
    "media",
    "alpha",
    "subdivisions",
    "k",
    "gradient",
    "porosity",
    "iface",
    "names",
    "cycle_days",
}
_OUTPUT_DEFAULTS = {
    "heads_netcdf": True,
    "head_map": True,
    "head_map_layer": 0,
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
    checks: list[str] = field(default_factory=list)  # input-check lines for the report

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
        """Validate a flow scenario's table; raises :class:`SpecError` naming the bad key, or
        :class:`~gwsim.errors.SpecErrors` listing every problem found in independent parts."""
        check_keys(data, _TOP_KEYS, "", "scenario key")
        problems = Problems()
        with problems.collect():
            name = scenario_name(data)
        engine = data.get("engine", "mf6")
        if not isinstance(engine, str) or engine not in FLOW_ENGINES:
            problems.errors.append(
                SpecError("engine", f"unknown engine {engine!r}", f"use one of {FLOW_ENGINES}")
            )
        outputs = dict(_OUTPUT_DEFAULTS)
        with problems.collect():
            outputs.update(check_keys(data.get("outputs", {}), _OUTPUT_DEFAULTS, "outputs"))
            for key in ("heads_netcdf", "head_map", "report"):
                if not isinstance(outputs[key], bool):
                    raise SpecError(f"outputs.{key}", f"{outputs[key]!r}", "write true or false")
        with problems.collect():
            _check_map_options(outputs, path)
        spec = spec_file = site = None
        with problems.collect():
            model = data.get("model")
            if not isinstance(model, dict):
                raise SpecError("model", "missing", "add a [model] table with spec = 'file.toml'")
            spec, spec_file, site = read_model_table(model, path)
        protection = sensitivity = None
        if spec is not None:
            with problems.collect():
                layer = outputs["head_map_layer"]
                nlay = spec.grid.nlay
                if not (
                    isinstance(layer, int) and not isinstance(layer, bool) and 0 <= layer < nlay
                ):
                    raise SpecError(
                        "outputs.head_map_layer",
                        f"{layer!r} is not a layer",
                        f"use 0..{nlay - 1} (0-based, like every index in scenario files)",
                    )
            with problems.collect():
                protection = _protection_options(data.get("protection"), spec)
        with problems.collect():
            _check_media(data.get("protection"))
        with problems.collect():
            sensitivity = _sensitivity_options(data.get("sensitivity"), data.get("protection"))
        problems.raise_any()
        return cls(
            name=name,
            description=str(data.get("description", "")),
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


def scenario_name(data: dict) -> str:
    """The scenario's ``name``, checked to be usable as the output folder's name."""
    if "name" not in data:
        raise SpecError("name", "missing", 'add name = "..." (it names the output folder)')
    name = data["name"]
    if not (
        isinstance(name, str) and name.strip() and not set(name) & set("/\\:") and name[0] != "."
    ):
        raise SpecError(
            "name",
            f"{name!r} cannot name an output folder",
            'use letters, digits, _ or -, e.g. name = "chajia_protection"',
        )
    return name


def _protection_options(table: dict | None, spec: ModelSpec) -> dict | None:
    """Validated keyword arguments for protection_zones from a [protection] table: every source
    names pumping wells of the model (or [x, y] positions over one), every medium is one of
    HJ 338's, and the formula's numbers are positive."""
    if table is None:
        return None
    check_keys(table, _PROTECTION_KEYS, "protection")
    problems = Problems()
    sources = {}
    with problems.collect():
        sources = protection_sources(table, spec)
    options = {k: v for k, v in table.items() if k != "sources"}
    for key in ("alpha", "k", "gradient", "porosity", "cycle_days"):
        with problems.collect():
            number(options, key, "protection", above=0)
    cycle = options.get("cycle_days")
    if is_number(cycle) and not 1.0 <= cycle <= MAX_CYCLE_DAYS:
        problems.errors.append(
            SpecError(
                "protection.cycle_days",
                f"{cycle!r} d is not a seasonal cycle",
                f"give the length of the model's repeating cycle, 1-{MAX_CYCLE_DAYS:g} d (e.g. 365)",
            )
        )
    named = table["sources"] if isinstance(table.get("sources"), dict) else {}
    for name, given in (options.get("names") or {}).items():
        if name not in named or not isinstance(given, dict) or set(given) - {"zh", "en"}:
            problems.errors.append(
                SpecError(
                    f"protection.names.{name}",
                    "must name a source with { zh = ..., en = ... }",
                    f"use one of {sorted(named)}",
                )
            )
    subdivisions = options.get("subdivisions", 2)
    if not (isinstance(subdivisions, int) and not isinstance(subdivisions, bool)) or not (
        1 <= subdivisions <= 10
    ):
        problems.errors.append(
            SpecError("protection.subdivisions", f"is {subdivisions!r}", "give an integer 1..10")
        )
    if "iface" in options:  # which face each package's flow crosses, as gwsim.track's iface
        try:
            options["iface"] = checked_iface(options["iface"])
        except FaceOptionError as exc:
            problems.errors.append(
                SpecError("protection.iface", str(exc), "e.g. iface = { RCH = 6, EVT = 6 }")
            )
    problems.raise_any()
    options["sources"] = sources
    return options


def _check_media(table) -> None:
    """Every ``protection.media`` entry names a source and one of HJ 338-2018's media (checked
    whether or not the model could be read, so a run never fails on it after MODFLOW)."""
    if not isinstance(table, dict) or "media" not in table:
        return
    media = table["media"]
    sources = table.get("sources") if isinstance(table.get("sources"), dict) else {}
    check_keys(media, sources, "protection.media", "source")
    problems = Problems()
    for name, medium in media.items():
        if not isinstance(medium, str) or medium not in EMPIRICAL_RADII_M:
            problems.errors.append(
                SpecError(
                    f"protection.media.{name}",
                    f"{medium!r} is not an aquifer medium of HJ 338-2018's table",
                    f"use one of {sorted(EMPIRICAL_RADII_M)}",
                )
            )
    problems.raise_any()


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
    if not isinstance(parameters, list):
        raise SpecError(
            "sensitivity.parameters", f"{parameters!r}", f"give a list from {list(PARAMETERS)}"
        )
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
        if not (
            isinstance(values, list)
            and values
            and all(is_number(f) and 0 < f <= 1000 and f != 1 for f in values)
        ):
            raise SpecError(
                "sensitivity.factors",
                f"{values!r} must be a list of positive numbers other than 1",
                "e.g. factors = [0.5, 2.0], or { porosity = [0.25, 0.5, 2.0] } per parameter",
            )
    return {
        "parameters": list(parameters),
        "factors": {p: [float(f) for f in v] for p, v in per_parameter.items()},
    }


def _check_map_options(outputs: dict, path: Path) -> None:
    """Validate outputs.language and outputs.map_layers (GeoJSON files relative to the scenario)."""
    if outputs["language"] not in LANGUAGES:
        raise SpecError("outputs.language", f"{outputs['language']!r}", f"use one of {LANGUAGES}")
    if not isinstance(outputs["map_layers"], list):
        raise SpecError("outputs.map_layers", "must be a list of tables", "")
    layers = []
    for i, layer in enumerate(outputs["map_layers"]):
        if not isinstance(layer, dict) or "path" not in layer:
            raise SpecError(f"outputs.map_layers[{i}]", "needs path = 'file.geojson'", "")
        check_keys(layer, {"path", "name_zh", "name_en", "color"}, f"outputs.map_layers[{i}]")
        file = (path.parent / str(layer["path"])).resolve()
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
    flow.attrs["source_model"] = "model (in the output folder)"  # the run folder is swapped in
    written = []
    if scenario.outputs["heads_netcdf"]:
        written.append(flow.to_netcdf(out / "heads.nc"))
    if scenario.outputs["head_map"]:
        layer = scenario.outputs["head_map_layer"]
        ax = plot_head_map(
            flow,
            layer=layer,
            boundaries=scenario.spec.boundaries,
            title=f"{scenario.name}: heads in layer {layer} (0-based)",
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
                checks=scenario.checks,
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
