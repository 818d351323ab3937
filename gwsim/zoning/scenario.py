"""Key-zone scenarios (``kind = "keyzones"``): layers and inventories in, zone maps and tables out.

A scenario file names its input layers and vector files, and may change any entry of the default
scheme (:mod:`gwsim.zoning.scheme`)::

    name = "keyzones_pilot"
    kind = "keyzones"
    description = "..."

    [layers]
    file = "layers.nc"                    # every known layer found in this netCDF, by its name
    k = { file = "k.tif" }                # or per layer: a file (netCDF or GeoTIFF) and variable

    [vulnerability]                       # weights, classes, breaks, ratings, codes
    [load]
    inventory = "enterprises.csv"         # CSV or GeoJSON (gwsim.zoning.load.read_inventory)
    [value]
    protection_zones = "zones.geojson"    # HJ 338 zones (gwsim.zoning.value)
    [treatment]
    monitoring = "monitoring.csv"         # well, x, y, parameter, concentration_mg_L
    [overlay]                             # risk_matrix, zone_matrix, precedence, protection_from
    [kinds.priority_control]              # change a zone kind's name, colour or requirements
    [counties]
    file = "counties.geojson"             # optional boundary layer for the area table
    name_property = "name"
    [outputs]                             # each true by default
    netcdf = true                         # keyzones.nc: zone raster, classes, DRASTIC ratings
    geojson = true                        # keyzones.geojson: zone polygons with requirements
    area_table = true                     # zone_areas.csv and zone_areas.md
    map = true                            # keyzones_map.png and assessments_map.png
    requirements = true                   # control_requirements.md

Paths are relative to the scenario file. Reading the scenario reads and checks every input (layers
aligned, categories known, enterprises and wells inside the area, matrices complete); ``run``
delineates in memory and only then writes, each file atomically with provenance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xarray as xr

from gwsim.config import check_keys
from gwsim.errors import SpecError
from gwsim.mapping import save_figure
from gwsim.provenance import hash_inputs, provenance_attrs
from gwsim.writers import write_table
from gwsim.zoning.layers import check_aligned, read_layer, require
from gwsim.zoning.load import PollutionSource, read_inventory
from gwsim.zoning.outputs import (
    area_table,
    write_requirements,
    write_zone_geojson,
    write_zone_netcdf,
)
from gwsim.zoning.overlay import Sample, delineate, exceedances, read_monitoring
from gwsim.zoning.plotting import plot_assessments, plot_key_zones
from gwsim.zoning.scheme import SECTIONS, KeyZoneScheme, scheme_from_dict
from gwsim.zoning.value import ProtectionZone, read_protection_zones
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
)
_TOP_KEYS = {"name", "kind", "description", "layers", "kinds", "counties", "outputs", *SECTIONS}
_OUTPUTS = {"netcdf": True, "geojson": True, "area_table": True, "map": True, "requirements": True}
# input files named inside the scheme tables: (section, key)
_FILE_KEYS = (("load", "inventory"), ("value", "protection_zones"), ("treatment", "monitoring"))


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
            if k in (*SECTIONS, "kinds")
        }
        files = {}
        for section, key in _FILE_KEYS:
            if key in tables.get(section, {}):
                files[key] = base / tables[section].pop(key)
        scheme = scheme_from_dict(tables)
        outputs = {**_OUTPUTS, **check_keys(data.get("outputs", {}), _OUTPUTS, "outputs")}
        layer_files = _layer_files(data.get("layers"), base)
        layers = {name: read_layer(p, name, var) for name, (p, var) in layer_files.items()}
        require(layers, ["top"], "the grid")
        check_aligned(layers)
        crs = layers["top"].attrs["crs"]
        scenario = cls(
            name=str(data["name"]),
            source=path,
            scheme=scheme,
            layers=layers,
            description=str(data.get("description", "")),
            outputs=outputs,
            input_files=sorted({p for p, _ in layer_files.values()} | set(files.values())),
        )
        if "inventory" in files:
            scenario.sources = read_inventory(files["inventory"], crs)
        if "protection_zones" in files:
            scenario.zones = read_protection_zones(files["protection_zones"], crs)
        if "monitoring" in files:
            scenario.samples = read_monitoring(files["monitoring"])
        if "counties" in data:
            scenario.counties, county_file = _counties(data["counties"], base, crs)
            scenario.input_files.append(county_file)
        return scenario

    def delineate(self) -> xr.Dataset:
        """The delineation in memory (:func:`gwsim.zoning.overlay.delineate`)."""
        return delineate(self.layers, self.scheme, self.sources, self.zones, self.samples)

    def run(self, out: str | Path | None = None, log: Callable = print) -> list[Path]:
        """Delineate, then write the requested outputs into ``out``; return the paths written."""
        out = Path(out or Path("out") / self.name)
        log(f"scenario {self.name}: delineating key zones on {self.layers['top'].shape} cells")
        ds = self.delineate()
        attrs = provenance_attrs(self.inputs_hash)
        attrs.update(
            scenario=self.name, scenario_file=str(self.source), description=self.description
        )
        ds.attrs.update(attrs)
        exceeding = exceedances(self.samples, self.scheme.limits, self.scheme.ignore_parameters)
        rows = area_table(ds, self.scheme, self.counties)
        notes = (
            f"Treatment zones: GB/T 14848 Class III exceedances within "
            f"{self.scheme.treatment_radius_m:g} m: {ds.attrs['exceedances']}."
        )
        written = []
        if self.outputs["netcdf"]:
            written.append(write_zone_netcdf(ds, out / "keyzones.nc", attrs))
        if self.outputs["geojson"]:
            written.append(write_zone_geojson(ds, self.scheme, out / "keyzones.geojson", attrs))
        if self.outputs["area_table"]:
            written += write_table(rows, out, "zone_areas", attrs, "Key-zone areas", notes)
        if self.outputs["requirements"]:
            written.append(write_requirements(self.scheme, out / "control_requirements.md", attrs))
        if self.outputs["map"]:
            ax = plot_key_zones(
                ds,
                self.scheme,
                self.sources,
                self.zones,
                exceeding,
                self.counties,
                title=f"{self.name}: key zones for groundwater pollution prevention",
            )
            written.append(save_figure(ax.figure, out / "keyzones_map.png"))
            fig = plot_assessments(ds, self.scheme, title=f"{self.name}: assessments")
            written.append(save_figure(fig, out / "assessments_map.png"))
        log(f"scenario {self.name}: wrote {len(written)} files to {out}")
        return written


def _layer_files(table, base: Path) -> dict[str, tuple[Path, str]]:
    """{layer: (file, variable)} from the scenario's [layers] table."""
    if not isinstance(table, dict):
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
