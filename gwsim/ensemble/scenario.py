"""Uncertainty scenarios (``kind = "uncertainty"``): probabilistic protection zones.

::

    name = "chajia_uncertainty"
    kind = "uncertainty"
    [model]                          # as for every kind (gwsim.site_model)
    site = "../models/valley_porous"
    [protection]
    sources = { chajia = ["chajia_wells"] }   # source -> well names or [x, y]
    subdivisions = 2                 # capture lattice: sub-cells per cell side
    [uncertainty]
    realizations = 200
    seed = 20261201
    workers = 2                      # local worker processes (default one per core; 0 = serial)
    # scheduler = "tcp://host:8786"  # an existing dask cluster instead of a local one
    [uncertainty.parameters]         # site parameters (params.toml keys), their own units
    "aquifer.porosity" = { distribution = "uniform", low = 0.20, high = 0.30 }
    [uncertainty.fields.gravel]      # ln-K random field of a unit (gwsim.ensemble.fields)
    layers = [1, 2]
    variance = 0.5
    len_scale = [400.0, 200.0]

Products (``products``, default ``["capture"]``; any of :data:`PRODUCTS`):

- ``"capture"``: capture probabilities and probabilistic protection zones (needs [protection]);
- ``"risk"``: per enterprise and receptor, the distribution of the peak concentration and the
  arrival time and the probability of exceeding the GB/T 14848 Class III limit
  (:mod:`gwsim.ensemble.risk_products`). ``[uncertainty.risk]`` holds the tables of an
  ``enterprise_risk`` scenario (``engine``, ``[transport]``, ``[[receptors]]``,
  ``[[enterprises]]``, no controls) and ``cases = { enterprise = "contaminant/case" }`` (default
  each enterprise's worst case in the deterministic run) and ``arrival_fraction`` (of the limit,
  default 0.01);
- ``"detection"``: detection probability per candidate monitoring well and enterprise
  (:mod:`gwsim.ensemble.detection_products`). ``[uncertainty.detection]`` holds the tables of a
  ``monitoring`` scenario (``[detection]`` without porosity_factors, ``[receptors]``,
  ``[candidates]``, ``[[enterprises]]``; no design).

Everything is checked before anything runs: products, distributions and their arguments,
parameter keys and bounds, fields, conditioning points, the risk and detection tables (receptors,
footprints, contaminants, cases, candidates in the model), and that a given scheduler answers.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gwsim.config import check_keys, require_table
from gwsim.engines import FLOW_ENGINES
from gwsim.ensemble.detection_products import DetectionAnalysis
from gwsim.ensemble.distributions import Distribution
from gwsim.ensemble.fields import UnitField
from gwsim.ensemble.products import write_products
from gwsim.ensemble.realization import EnsemblePlan
from gwsim.ensemble.risk_products import RiskAnalysis
from gwsim.ensemble.runner import check_scheduler, run_ensemble
from gwsim.errors import SpecError
from gwsim.provenance import hash_inputs, provenance_attrs
from gwsim.site_model import protection_sources, read_model_table
from gwsim.spec import ModelSpec

_TOP_KEYS = {"name", "kind", "description", "engine", "model", "protection", "uncertainty"}
_PROTECTION_KEYS = {"sources", "subdivisions"}
_UNCERTAINTY_KEYS = {
    "realizations",
    "seed",
    "workers",
    "scheduler",
    "parameters",
    "fields",
    "keep_workspaces",
    "products",
    "risk",
    "detection",
}
PRODUCTS = ("capture", "risk", "detection")
_RISK_KEYS = {"engine", "transport", "receptors", "enterprises", "cases", "arrival_fraction"}
_DETECTION_KEYS = {"detection", "receptors", "candidates", "enterprises"}


@dataclass
class UncertaintyScenario:
    """A validated uncertainty scenario: the ensemble plan and how to run it."""

    name: str
    source: Path
    plan: EnsemblePlan
    realizations: int
    description: str = ""
    workers: int | None = None
    scheduler: str | None = None
    input_files: tuple[Path, ...] = ()
    records_dir: Path | None = None  # set by the runner: records kept beside the output folder

    @property
    def inputs_hash(self) -> str:
        """SHA-256 of the scenario file and the model files it names."""
        return hash_inputs([self.source, *self.input_files])

    @classmethod
    def from_dict(cls, data: dict, path: Path) -> UncertaintyScenario:
        """Validate an uncertainty scenario; raise :class:`SpecError` for the first problem."""
        check_keys(data, _TOP_KEYS, "", "scenario key")
        if "name" not in data:
            raise SpecError("name", "missing", 'add name = "..." (it names the output folder)')
        engine = data.get("engine", "mf6")
        if engine not in FLOW_ENGINES:
            raise SpecError("engine", f"unknown engine {engine!r}", f"use one of {FLOW_ENGINES}")
        if not isinstance(data.get("model"), dict):
            raise SpecError("model", "missing", "add a [model] table (site = ... or spec = ...)")
        spec, spec_file, site = read_model_table(data["model"], path)
        table = data.get("uncertainty")
        if not isinstance(table, dict):
            raise SpecError("uncertainty", "missing", "add an [uncertainty] table")
        check_keys(table, _UNCERTAINTY_KEYS, "uncertainty")
        realizations = _integer(table, "uncertainty", "realizations", None, 1)
        workers = _integer(table, "uncertainty", "workers", None, 0) if "workers" in table else None
        products = _products(table, data)
        analyses = []
        if "risk" in products:
            analyses.append(_risk(table["risk"], data, path))
        if "detection" in products:
            analyses.append(_detection(table["detection"], data, path))
        scheduler = table.get("scheduler")
        if scheduler is not None:
            check_scheduler(str(scheduler))
        capture = "capture" in products
        plan = EnsemblePlan(
            sources=_sources(data.get("protection"), spec) if capture else {},
            site=site,
            spec=None if site else spec,
            engine=engine,
            parameters=_parameters(table.get("parameters", {}), site),
            fields=_fields(table.get("fields", {}), spec),
            protection={
                "subdivisions": _integer(data["protection"], "protection", "subdivisions", 2, 1)
            }
            if capture
            else {},
            seed=_integer(table, "uncertainty", "seed", 0, 0),
            keep_workspaces=bool(table.get("keep_workspaces", False)),
            analyses=analyses,
        )
        files = [f for f in (spec_file,) if f] + ([site.folder / "build.py"] if site else [])
        return cls(
            name=str(data["name"]),
            source=path,
            plan=plan,
            realizations=realizations,
            description=str(data.get("description", "")),
            workers=workers,
            scheduler=None if scheduler is None else str(scheduler),
            input_files=tuple(files),
        )

    def use_scheduler(self, address: str) -> None:
        """Send the realizations to the dask scheduler at ``address`` (checked now)."""
        check_scheduler(address)
        self.scheduler = address

    def run(self, out: str | Path | None = None, log: Callable = print) -> list[Path]:
        """Run (or resume) the ensemble and write its products into ``out``."""
        out = Path(out or Path("out") / self.name)
        log(f"scenario {self.name}: {self.realizations} realizations")
        records = Path(self.records_dir or out / "records")
        ensemble = run_ensemble(
            self.plan,
            self.realizations,
            out,
            plan_key=self.plan.key(self.inputs_hash),
            records=records,
            scheduler=self.scheduler,
            workers=self.workers,
            log=log,
        )
        engines = {getattr(a, "engine_used", "") for a in self.plan.analyses}
        attrs = {
            **provenance_attrs(
                self.inputs_hash, ["mf6"] + (["mt3dusgs"] if "mt3d" in engines else [])
            ),
            "scenario_file": str(self.source),
            "seed": str(self.plan.seed),
        }
        written = write_products(ensemble, out, self.name, attrs)
        if records != out / "records":  # kept beside the run folder while it could be killed
            shutil.move(records, out / "records")
        return written


def _integer(table: dict, where: str, key: str, default, minimum: int) -> int:
    """``table[key]`` (or ``default``) as an integer >= ``minimum``; SpecError otherwise."""
    value = table.get(key, default)
    if value is None:
        raise SpecError(f"{where}.{key}", "missing", f"add {key} = <integer >= {minimum}>")
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SpecError(
            f"{where}.{key}",
            f"{value!r} is not an integer >= {minimum}",
            f"give {key} >= {minimum}",
        )
    return value


def _products(table: dict, data: dict) -> list[str]:
    """``uncertainty.products``, checked, with the tables each needs (and none left unused)."""
    where = "uncertainty.products"
    products = table.get("products", ["capture"])
    if not isinstance(products, list) or not products:
        raise SpecError(where, f"{products!r} is not a list of products", f"use some of {PRODUCTS}")
    for item in products:
        if item not in PRODUCTS:
            raise SpecError(where, f"unknown product {item!r}", f"use some of {PRODUCTS}")
    if len(set(products)) != len(products):
        raise SpecError(where, f"{products!r} names a product twice", "name each once")
    needs = {
        "capture": ("protection", data),
        "risk": ("risk", table),
        "detection": ("detection", table),
    }
    for product, (key, holder) in needs.items():
        name = "[protection]" if key == "protection" else f"[uncertainty.{key}]"
        if product in products and not isinstance(holder.get(key), dict):
            raise SpecError(name.strip("[]"), "missing", f"add a {name} table for {product!r}")
        if product not in products and key in holder:
            raise SpecError(
                where,
                f"{name} is given but {product!r} is not asked for",
                f"add {product!r} or remove {name}",
            )
    return products


def _nested(cls, kind: str, table: dict, data: dict, path: Path, where: str):
    """The scenario ``cls`` (of ``kind``) made of ``table`` and this scenario's model, validated;
    its SpecErrors name the key under ``where``."""
    nested = {**table, "name": str(data.get("name", "")), "kind": kind, "model": data["model"]}
    try:
        return cls.from_dict(nested, path)
    except SpecError as exc:
        raise SpecError(f"{where}.{exc.field}", exc.problem, exc.fix) from exc


def _risk(table: dict, data: dict, path: Path) -> RiskAnalysis:
    """The risk analysis of ``[uncertainty.risk]`` (an enterprise-risk scenario's tables)."""
    where = "uncertainty.risk"
    check_keys(table, _RISK_KEYS, where)
    own = {k: table[k] for k in ("cases", "arrival_fraction") if k in table}
    from gwsim.risk.scenario import EnterpriseRiskScenario

    scenario = _nested(
        EnterpriseRiskScenario,
        "enterprise_risk",
        {k: v for k, v in table.items() if k not in own},
        data,
        path,
        where,
    )
    cases = own.get("cases", {})
    require_table(cases, f"{where}.cases")
    check_keys(cases, {e.name for e in scenario.enterprises}, f"{where}.cases", "enterprise")
    fraction = own.get("arrival_fraction", 0.01)
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, (int, float))
        or not 0 < fraction <= 1
    ):
        raise SpecError(
            f"{where}.arrival_fraction", f"is {fraction!r}", "give a share of the limit in (0, 1]"
        )
    return RiskAnalysis(
        scenario.enterprises,
        scenario.receptors,
        scenario.times,
        scenario.dispersivity,
        scenario.engine,
        {k: str(v) for k, v in cases.items()},
        float(fraction),
    )


def _detection(table: dict, data: dict, path: Path) -> DetectionAnalysis:
    """The detection analysis of ``[uncertainty.detection]`` (a monitoring scenario's tables)."""
    where = "uncertainty.detection"
    check_keys(table, _DETECTION_KEYS, where)
    if "porosity_factors" in table.get("detection", {}):
        raise SpecError(
            f"{where}.detection.porosity_factors",
            "an ensemble draws its own fields",
            "remove it; vary aquifer.porosity in [uncertainty.parameters] instead",
        )
    from gwsim.monitoring.scenario import MonitoringScenario

    return DetectionAnalysis(_nested(MonitoringScenario, "monitoring", table, data, path, where))


def _sources(table, spec: ModelSpec) -> dict[str, list]:
    """{source: wells} of the [protection] table, wells checked against the model's."""
    if not isinstance(table, dict):
        raise SpecError("protection", "missing", 'add [protection] sources = { name = ["well"] }')
    check_keys(table, _PROTECTION_KEYS, "protection")
    return protection_sources(table, spec)


def _parameters(table, site) -> dict[str, Distribution]:
    """Distributions of site parameters, checked against their keys, types and bounds."""
    if table and site is None:
        raise SpecError(
            "uncertainty.parameters",
            "sampled parameters need a site model (params.toml)",
            'name one in [model] site = "...", or vary K with [uncertainty.fields]',
        )
    check_keys(table, site.params if site else {}, "uncertainty.parameters", "site parameter")
    result = {}
    for key, item in table.items():
        where = f"uncertainty.parameters.{key}"
        param = site.params[key]
        if isinstance(param.value, (list, bool)) or not isinstance(param.value, (int, float)):
            raise SpecError(where, f"{key} is not a single number", "sample scalar parameters only")
        dist = Distribution.from_table(item, where)
        low, high = dist.support()
        if param.minimum is not None and low < param.minimum:
            raise SpecError(
                where,
                f"{dist.name} draws can fall below {key}'s minimum {param.minimum} {param.unit}",
                "narrow the distribution, or use a bounded one (uniform, triangular)",
            )
        if param.maximum is not None and high > param.maximum:
            raise SpecError(
                where,
                f"{dist.name} draws can exceed {key}'s maximum {param.maximum} {param.unit}",
                "narrow the distribution, or use a bounded one (uniform, triangular)",
            )
        result[key] = dist
    return result


def _fields(table, spec: ModelSpec) -> list[UnitField]:
    require_table(table, "uncertainty.fields")
    grid = spec.grid.resolve()
    fields = [UnitField.from_table(name, t, spec.grid.nlay) for name, t in table.items()]
    for f in fields:
        f.check_points(grid)
    return fields
