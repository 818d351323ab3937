"""Key-zone scenarios (``kind = "keyzones"``): layers and inventories in, zone maps and tables out.

A scenario file names its scheme, its input layers (files, or a site model) and vector files, and
may change any entry of the scheme (:mod:`gwsim.zoning.scheme`)::

    name = "keyzones_pilot"
    kind = "keyzones"
    description = "..."
    scheme = "2023"                       # default; "2014" or a scheme file path

    [layers]
    file = "layers.nc"                    # every known layer found in this netCDF, by its name
    k = { file = "k.tif" }                # or per layer: a file (netCDF or GeoTIFF) and variable

    # or, instead of layer files, a site model (as in a flow scenario) and its layers' media:
    # [model]
    # site = "../models/valley_porous"
    # [layers.from_model]                 # gwsim.zoning.model_layers
    # media = [{ aquifer = "...", soil = "...", vadose = "..." }, ...]   # one per model layer
    # [protection]                        # protection-type areas from gwsim.protection
    # sources = { chajia = ["chajia_wells"] }
    # method = "numerical"                # or "empirical"

    [vulnerability]                       # weights, classes, breaks, ratings, codes
    [load]
    inventory = "enterprises.csv"         # CSV or GeoJSON (gwsim.zoning.load.read_inventory)
    land_use = "land_use.geojson"         # area sources: polygons with a land_use property
    [value]
    protection_zones = "zones.geojson"    # HJ 338 zones (and recharge areas) as gwsim writes them
    special_areas = "springs.geojson"     # mineral-water and famous-spring areas (any polygons)
    [quality]
    monitoring = "monitoring.csv"         # well, x, y, parameter, concentration_mg_L
    [overlay]                             # first_matrix, zone_matrix, precedence, mask_kind
    [kinds.control_1]                     # change a zone kind; [kinds] replace = true for new kinds
    [sources]                             # "section.key" = "where the value comes from"
    [counties]
    file = "counties.geojson"             # optional boundary layer for the area table
    name_property = "name"
    [outputs]                             # each true by default
    netcdf = true                         # keyzones.nc: zone raster, classes, DRASTIC ratings
    geotiff = true                        # keyzones.tif: the zone raster
    geojson = true                        # keyzones.geojson: zone polygons, names and requirements
    area_table = true                     # zone_areas.csv and zone_areas.md
    thresholds = true                     # thresholds.csv and .md: every entry and its source
    map = true                            # keyzones_map.png and assessments_map.png
    requirements = true                   # control_requirements.md (Chinese and English)

Paths are relative to the scenario file. Reading the scenario reads and checks every input (layers
aligned with each other and with the model grid, categories known, enterprises and wells inside
the area, matrices complete); ``run`` runs the model if there is one, delineates in memory and
only then writes, each file atomically with provenance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xarray as xr

from gwsim.config import check_keys
from gwsim.engines import run_flow
from gwsim.errors import SpecError
from gwsim.mapping import save_figure
from gwsim.protection import protection_zones
from gwsim.provenance import hash_inputs, provenance_attrs
from gwsim.site_model import read_model_table
from gwsim.spec import ModelSpec
from gwsim.writers import write_table
from gwsim.zoning.layers import check_aligned, read_layer, require
from gwsim.zoning.load import PollutionSource, read_inventory, read_land_use
from gwsim.zoning.model_layers import (
    from_model_options,
    grid_template,
    layers_from_model,
    protection_options,
    yield_rows,
)
from gwsim.zoning.monitoring import Sample, exceedances, read_monitoring
from gwsim.zoning.outputs import (
    area_table,
    write_requirements,
    write_zone_geojson,
    write_zone_geotiff,
    write_zone_netcdf,
)
from gwsim.zoning.overlay import delineate
from gwsim.zoning.plotting import plot_assessments, plot_key_zones
from gwsim.zoning.scheme import SCHEMES, SECTIONS, KeyZoneScheme, scheme_from_dict, threshold_rows
from gwsim.zoning.value import ProtectionZone, read_protection_zones, zones_from_protection
from gwsim.zoning.vectors import read_features

KNOWN_LAYERS = (
    "top",
    "head",
    "recharge",
    "k",
    "porosity",
    "aquifer_type",
    "aquifer_media",
    "soil_media",
    "vadose_zone_media",
    "yield",
    "use",
    "water_quality",
)
_TOP_KEYS = {
    "name",
    "kind",
    "description",
    "scheme",
    "sources",
    "layers",
    "model",
    "protection",
    "kinds",
    "counties",
    "outputs",
    *SECTIONS,
}
_OUTPUTS = {
    "netcdf": True,
    "geotiff": True,
    "geojson": True,
    "area_table": True,
    "thresholds": True,
    "map": True,
    "requirements": True,
}
# input files named inside the scheme tables: (section, key)
_FILE_KEYS = (
    ("load", "inventory"),
    ("load", "land_use"),
    ("value", "protection_zones"),
    ("value", "special_areas"),
    ("quality", "monitoring"),
)


@dataclass
class KeyZoneScenario:
    """A validated key-zone scenario: its scheme and every input, read and checked."""

    name: str
    source: Path
    scheme: KeyZoneScheme
    layers: dict[str, xr.DataArray]
    sources: list[PollutionSource] = field(default_factory=list)
    zones: list[ProtectionZone] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    land_use: list[tuple[str, object]] = field(default_factory=list)
    thresholds: list[dict] = field(default_factory=list)  # scheme entries and their sources
    spec: ModelSpec | None = None  # the site model, when layers come from it
    from_model: dict | None = None  # [layers.from_model]
    protection: dict | None = None  # keyword arguments of gwsim.protection.protection_zones
    counties: list[tuple[str, object]] = field(default_factory=list)
    description: str = ""
    outputs: dict = field(default_factory=lambda: dict(_OUTPUTS))
    input_files: list[Path] = field(default_factory=list)

    @property
    def inputs_hash(self) -> str:
        """SHA-256 of the scenario file and every input file it names."""
        return hash_inputs([self.source, *self.input_files])

    @classmethod
    def from_dict(cls, data: dict, path: Path) -> KeyZoneScenario:
        """Validate a keyzones scenario's table and read its inputs; :class:`SpecError` names the
        bad key, layer, category or row."""
        check_keys(data, _TOP_KEYS, "", "scenario key")
        if "name" not in data:
            raise SpecError("name", "missing", 'add name = "..." (it names the output folder)')
        base = path.parent
        tables = {
            k: dict(v) if isinstance(v, dict) else v
            for k, v in data.items()
            if k in (*SECTIONS, "kinds", "sources", "scheme")
        }
        if "scheme" in tables and str(tables["scheme"]) not in SCHEMES:
            tables["scheme"] = base / str(tables["scheme"])
        files = {}
        for section, key in _FILE_KEYS:
            if key in tables.get(section, {}):
                files[key] = base / tables[section].pop(key)
        scheme = scheme_from_dict(tables)
        outputs = {**_OUTPUTS, **check_keys(data.get("outputs", {}), _OUTPUTS, "outputs")}
        layer_table = dict(data.get("layers") or {})
        spec = spec_file = from_model = protection = None
        if "model" in data:
            spec, spec_file, _ = read_model_table(data["model"], path)
            if "from_model" not in layer_table:
                raise SpecError(
                    "layers.from_model", "missing", "give the media of each model layer"
                )
            grid = spec.grid.resolve()
            from_model = from_model_options(layer_table.pop("from_model"), grid.nlay)
            protection = protection_options(data.get("protection"), spec)
        elif "protection" in data:
            raise SpecError("protection", "needs a [model]", "add [model] or give protection_zones")
        layer_files = _layer_files(layer_table, base, required=spec is None)
        layers = {name: read_layer(p, name, var) for name, (p, var) in layer_files.items()}
        if spec is None:
            require(layers, ["top"], "the grid")
            check_aligned(layers)
            crs = layers["top"].attrs["crs"]
        else:
            template = grid_template(grid)
            check_aligned({"model": template, **layers})
            crs = template.attrs["crs"]
        scenario = cls(
            name=str(data["name"]),
            source=path,
            scheme=scheme,
            layers=layers,
            description=str(data.get("description", "")),
            outputs=outputs,
            input_files=sorted(
                {p for p, _ in layer_files.values()}
                | set(files.values())
                | ({spec_file} if spec_file else set())
            ),
            thresholds=threshold_rows(tables, scheme) + yield_rows(from_model),
            spec=spec,
            from_model=from_model,
            protection=protection,
        )
        if "inventory" in files:
            scenario.sources = read_inventory(files["inventory"], crs)
        if "land_use" in files:
            scenario.land_use = read_land_use(files["land_use"], crs)
        if "protection_zones" in files:
            scenario.zones = read_protection_zones(files["protection_zones"], crs)
        if "special_areas" in files:
            special = read_features(files["special_areas"], crs, "value.special_areas")
            scenario.zones += [
                ProtectionZone(str(props.get("name", "")), "special", geometry, props)
                for geometry, props in special
            ]
        if "monitoring" in files:
            scenario.samples = read_monitoring(files["monitoring"])
        if "counties" in data:
            scenario.counties, county_file = _counties(data["counties"], base, crs)
            scenario.input_files.append(county_file)
        return scenario

    def delineate(self, layers=None, zones=None) -> xr.Dataset:
        """The delineation in memory (:func:`gwsim.zoning.overlay.delineate`) on the scenario's
        layers and zones, or on ``layers`` and ``zones`` (a model's, see :meth:`run`)."""
        if layers is None and self.spec is not None:
            raise SpecError("model", "layers come from the model", "call run() to run it first")
        return delineate(
            self.layers if layers is None else layers,
            self.scheme,
            self.sources,
            self.zones if zones is None else zones,
            self.samples,
            self.land_use,
        )

    def model_inputs(self, out: Path, log: Callable) -> tuple[dict, list[ProtectionZone], list]:
        """Run the site model into ``out/model``; its layers (file layers override them), the
        protection-type areas of the named sources joined to the scenario's, and the
        protection result's features (empty without [protection])."""
        log(f"scenario {self.name}: running the site model {self.spec.name!r}")
        flow = run_flow(self.spec, out / "model")
        k = self.spec.properties.arrays(self.spec.grid.shape)["k"]
        layers = {**layers_from_model(flow, k, self.from_model), **self.layers}
        if self.protection is None:
            return layers, list(self.zones), []
        options = dict(self.protection)
        sources, method = options.pop("sources"), options.pop("method")
        log(f"scenario {self.name}: protection zones and recharge areas of {sorted(sources)}")
        result = protection_zones(flow, sources, **options, progress=False)
        return layers, zones_from_protection(result, method) + list(self.zones), result

    def run(self, out: str | Path | None = None, log: Callable = print) -> list[Path]:
        """Delineate, then write the requested outputs into ``out``; return the paths written."""
        out = Path(out or Path("out") / self.name)
        written = []
        if self.spec is None:
            layers, zones = self.layers, self.zones
        else:
            layers, zones, protection = self.model_inputs(out, log)
            if protection:
                written.append(protection.to_geojson(out / "protection_zones.geojson"))
        log(f"scenario {self.name}: delineating key zones on {layers['top'].shape} cells")
        ds = self.delineate(layers, zones)
        attrs = provenance_attrs(self.inputs_hash)
        attrs.update(
            scenario=self.name, scenario_file=str(self.source), description=self.description
        )
        ds.attrs.update(attrs)
        exceeding = exceedances(self.samples, self.scheme.limits, self.scheme.ignore_parameters)
        rows = area_table(ds, self.scheme, self.counties)
        notes = (
            f"Scheme: {self.scheme.title}. GB/T 14848 Class III exceedances "
            f"(water-quality term within {self.scheme.quality_radius_m:g} m"
            + (
                f", treatment zones within {self.scheme.treatment_radius_m:g} m"
                if self.scheme.treatment_radius_m
                else ""
            )
            + f"): {ds.attrs['exceedances']}."
        )
        if self.outputs["netcdf"]:
            written.append(write_zone_netcdf(ds, out / "keyzones.nc", attrs))
        if self.outputs["geotiff"]:
            written.append(write_zone_geotiff(ds, out / "keyzones.tif", attrs))
        if self.outputs["geojson"]:
            written.append(write_zone_geojson(ds, self.scheme, out / "keyzones.geojson", attrs))
        if self.outputs["area_table"]:
            written += write_table(rows, out, "zone_areas", attrs, "Key-zone areas", notes)
        if self.outputs["thresholds"]:
            written += write_table(
                self.thresholds, out, "thresholds", attrs, "Scheme entries and their sources"
            )
        if self.outputs["requirements"]:
            written.append(write_requirements(self.scheme, out / "control_requirements.md", attrs))
        if self.outputs["map"]:
            ax = plot_key_zones(
                ds,
                self.scheme,
                self.sources,
                zones,
                exceeding,
                self.counties,
                title=f"{self.name}: key zones for groundwater pollution prevention",
            )
            written.append(save_figure(ax.figure, out / "keyzones_map.png"))
            fig = plot_assessments(ds, self.scheme, title=f"{self.name}: assessments")
            written.append(save_figure(fig, out / "assessments_map.png"))
        log(f"scenario {self.name}: wrote {len(written)} files to {out}")
        return written


def _layer_files(table, base: Path, required: bool = True) -> dict[str, tuple[Path, str]]:
    """{layer: (file, variable)} from the scenario's [layers] table."""
    if not table:
        if not required:
            return {}
        raise SpecError("layers", "missing", "add a [layers] table (file = 'layers.nc')")
    found = {}
    if "file" in table:
        default = base / table["file"]
        if not default.is_file():
            raise SpecError("layers.file", f"file {default} not found", "check the path")
        with xr.open_dataset(default) as ds:
            found = {name: (default, name) for name in KNOWN_LAYERS if name in ds}
    check_keys(table, {"file", *KNOWN_LAYERS}, "layers", "layer")
    for name, entry in table.items():
        if name == "file":
            continue
        if isinstance(entry, str):
            entry = {"file": entry}
        if not (isinstance(entry, dict) and "file" in entry and set(entry) <= {"file", "variable"}):
            raise SpecError(
                f"layers.{name}", f"{entry!r}", 'give "file" or {file = ..., variable = ...}'
            )
        found[name] = (base / entry["file"], entry.get("variable", name))
    return found


def _counties(table, base: Path, crs: str) -> tuple[list[tuple[str, object]], Path]:
    """[(name, polygon)] from the [counties] table's GeoJSON file, and the file."""
    if not (
        isinstance(table, dict) and "file" in table and set(table) <= {"file", "name_property"}
    ):
        raise SpecError("counties", f"{table!r}", 'give file = "..." and optionally name_property')
    path = base / table["file"]
    key = table.get("name_property", "name")
    counties = []
    for n, (geometry, props) in enumerate(read_features(path, crs, "counties.file"), start=1):
        if key not in props:
            raise SpecError(
                f"counties.file feature {n}", f"no property {key!r}", "set name_property"
            )
        counties.append((str(props[key]), geometry))
    return counties, path
