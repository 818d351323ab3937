"""One realization of an ensemble: its parameters and fields from the seed, a flow run in its own
workspace, the capture and protection zones, and a small result (maps as sub-cell masks, areas,
sampled values, timings).

The realizations of an ensemble share the model's grid and cells and differ in numbers only: the
MODFLOW 6 input is written once per worker through flopy (:mod:`gwsim.engines.mf6_template`) and
each realization rewrites only the arrays and lists that changed (the same heads as a workspace
written whole).

Seeds: realization ``i`` draws from ``numpy.random.SeedSequence(seed, spawn_key=(i,))``, the i-th
child of the ensemble's seed (what ``SeedSequence(seed).spawn`` gives), so a realization depends on
the scenario, the seed and its index only: not on the number of realizations, the workers or the
order in which they finish. The deterministic run is realization ``-1``: every parameter at its
model value and every field zero.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import shapely

from gwsim.capture import TruncatedZoneWarning
from gwsim.engines import run_flow
from gwsim.ensemble.distributions import Distribution
from gwsim.ensemble.fields import UnitField, perturbed_conductivity
from gwsim.errors import DryWellWarning, GwsimError
from gwsim.flowfield import FlowField
from gwsim.protection import CLASS1_DAYS, CLASS2_DAYS, protection_zones
from gwsim.site_model import SiteModel
from gwsim.spec import ModelSpec

DETERMINISTIC = -1  # index of the deterministic run
# probability maps: name -> (travel time d, what it is)
MAPS = {
    "capture_100d": (CLASS1_DAYS, "water reaches a source's wells within 100 d (class 1 basis)"),
    "capture_1000d": (CLASS2_DAYS, "water reaches a source's wells within 1000 d (class 2 basis)"),
    "capture_steady": (np.inf, "water ever reaches a source's wells (steady-state capture)"),
}
ZONES = ("class1", "class2", "quasi")
# why realizations fail: kind -> what the report says of them
FAILURE_KINDS = {
    "dry_well": "the well field cannot deliver its rate (a pumped cell went dry)",
    "not_converged": "MODFLOW 6 did not converge",
    "error": "other errors",
}


@dataclass
class EnsemblePlan:
    """Everything a realization needs; small and picklable, so dask sends it with each task.

    ``site`` (a site model folder) or ``spec`` (a fixed spec) gives the model; ``parameters``
    draw site parameters ({params.toml key: Distribution}), ``fields`` perturb K per unit.
    ``sources`` and ``protection`` are the arguments of :func:`gwsim.protection.protection_zones`
    (no sources: no zones). ``analyses`` compute more per realization (leak transport, detection;
    :mod:`gwsim.ensemble.risk_products`, :mod:`gwsim.ensemble.detection_products`): each has
    ``name``, ``describe()``, ``prepare(flow)`` (on the deterministic run, before the
    realizations), ``compute(flow)`` (a few small arrays) and ``reducer()`` (folds them).
    """

    sources: dict[str, list]
    site: SiteModel | None = None
    spec: ModelSpec | None = None
    engine: str = "mf6"
    parameters: dict[str, Distribution] = field(default_factory=dict)
    fields: list[UnitField] = field(default_factory=list)
    protection: dict = field(default_factory=dict)
    seed: int = 0
    keep_workspaces: bool = False
    analyses: list = field(default_factory=list)

    def key(self, inputs_hash: str = "") -> str:
        """SHA-256 of everything that defines the realizations (with the inputs' hash)."""
        described = {
            "inputs": inputs_hash,
            "seed": self.seed,
            "engine": self.engine,
            "variant": self.site.variant if self.site else None,
            "model": self.spec.name if self.spec else None,
            "parameters": [[k, d.name, d.args] for k, d in self.parameters.items()],  # draw order
            "fields": [asdict(f) for f in self.fields],
            "sources": self.sources,
            "protection": self.protection,
            **({"analyses": [a.describe() for a in self.analyses]} if self.analyses else {}),
        }
        return hashlib.sha256(
            json.dumps(described, sort_keys=True, default=str).encode()
        ).hexdigest()

    def rng_and_field_seeds(self, index: int) -> tuple[np.random.Generator, list[int]]:
        """The scalar generator and one integer seed per field of realization ``index``."""
        sequence = np.random.SeedSequence(self.seed, spawn_key=(index,))
        scalar, *per_field = sequence.spawn(1 + len(self.fields))
        seeds = [int(s.generate_state(1, np.uint32)[0]) for s in per_field]
        return np.random.default_rng(scalar), seeds

    def base_spec(self, values: dict[str, float] | None = None) -> ModelSpec:
        """The model with site parameters set to ``values`` (None = the model's own values)."""
        if self.site is None:
            return self.spec
        params = dict(self.site.params)
        for key, value in (values or {}).items():
            params[key] = replace(params[key], value=value, source="ensemble draw")
            params[key].check(f"uncertainty.parameters.{key}")
        return self.site.build(params)

    def realization_spec(self, index: int) -> tuple[ModelSpec, dict[str, float]]:
        """The spec of realization ``index`` and the values that define it (draws, mean lnK)."""
        if index == DETERMINISTIC:
            return self.base_spec(), {}
        rng, seeds = self.rng_and_field_seeds(index)
        values = {key: dist.sample(rng) for key, dist in self.parameters.items()}
        spec = self.base_spec(values)
        if not self.fields:
            return spec, values
        grid = spec.grid.resolve()
        props = spec.properties.arrays(grid.shape)
        factor, means = perturbed_conductivity(self.fields, grid, props["k"], seeds)
        properties = replace(
            spec.properties,
            k=props["k"] * factor,
            k22=props["k22"] * factor,
            k33=props["k33"] * factor,
        )
        return replace(spec, properties=properties), {**values, **means}


@dataclass
class RealizationResult:
    """What one realization sends back: small, whatever the model size."""

    index: int
    masks: dict[str, np.ndarray]  # MAPS name -> packed bits of the (rows, cols) sub-cell mask
    shape: tuple[int, int]  # sub-cell lattice (rows, cols)
    areas: dict[str, float]  # "<source> <zone>" -> numerical zone area, ha
    values: dict[str, float]  # sampled parameters and each field's mean lnK
    timings: dict[str, float] = field(default_factory=dict)  # phase -> s
    failed: str = ""  # why the realization has no result (a model that did not converge...)
    extras: dict[str, np.ndarray] = field(default_factory=dict)  # "<analysis>.<name>" -> array

    def mask(self, name: str) -> np.ndarray:
        """The unpacked boolean sub-cell mask of map ``name``."""
        bits = np.unpackbits(self.masks[name], count=self.shape[0] * self.shape[1])
        return bits.reshape(self.shape).astype(bool)


def subcell_centres(flow: FlowField, edges: tuple[np.ndarray, np.ndarray]):
    """Model x, y (rows, cols) of the capture lattice's sub-cell centres."""
    xe, ye = edges
    xl, yl = np.meshgrid(0.5 * (xe[1:] + xe[:-1]), 0.5 * (ye[1:] + ye[:-1]))
    return flow.grid.to_model(xl, yl)


def rasterize(geometry, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True where sub-cell centres lie in ``geometry``; exact for capture-zone polygons, whose
    edges lie on sub-cell edges up to a quarter sub-cell of simplification."""
    if geometry.is_empty:
        return np.zeros(x.shape, bool)
    return shapely.contains_xy(geometry, x, y)


def zone_maps(flow: FlowField, zones) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Sub-cell masks of the capture maps (all sources joined) and the zone areas (ha)."""
    captures = [s.capture for s in zones.sources]
    x, y = subcell_centres(flow, captures[0].subcell_edges)
    masks = {}
    for name, (days, _) in MAPS.items():
        if np.isinf(days):  # the steady zone is the lattice's captured sub-cells themselves
            masks[name] = np.logical_or.reduce([np.isfinite(c.travel_time) for c in captures])
        else:
            joined = shapely.union_all([c.polygons[days] for c in captures])
            masks[name] = rasterize(joined, x, y)
    areas = {
        f"{s.name} {zone}": s.numerical[zone].area / 1e4 for s in zones.sources for zone in ZONES
    }
    return masks, areas


def _flow(plan: EnsemblePlan, spec: ModelSpec, workspace: Path) -> FlowField:
    """The flow run of ``spec``; MODFLOW 6 through the worker's template of the model, as every
    realization has the same grid and cells and differs only in numbers."""
    if plan.engine == "mf6":
        from gwsim.engines import mf6_template  # loads flopy: only where flow runs

        return mf6_template.run(spec, workspace)
    return run_flow(spec, workspace, engine=plan.engine)


def _delineate(plan: EnsemblePlan, spec: ModelSpec, workspace: Path, timings: dict):
    """Flow run and protection zones of ``spec`` in ``workspace``; phases timed into ``timings``."""
    start = time.perf_counter()
    flow = _flow(plan, spec, workspace)
    timings["flow"] = time.perf_counter() - start
    start = time.perf_counter()
    zones = None
    if plan.sources:
        zones = protection_zones(flow, plan.sources, **plan.protection, progress=False)
    timings["zones"] = time.perf_counter() - start
    return flow, zones


def _analyses(plan: EnsemblePlan, flow: FlowField, timings: dict) -> dict[str, np.ndarray]:
    """The arrays of every analysis of ``plan`` on ``flow``, keyed "<analysis>.<name>"."""
    extras = {}
    for analysis in plan.analyses:
        start = time.perf_counter()
        arrays = analysis.compute(flow)
        extras.update({f"{analysis.name}.{k}": np.asarray(v) for k, v in arrays.items()})
        timings[analysis.name] = time.perf_counter() - start
    return extras


def _result(index, flow, zones, values, timings, extras) -> RealizationResult:
    masks, areas = zone_maps(flow, zones) if zones is not None else ({}, {})
    return RealizationResult(
        index=index,
        masks={k: np.packbits(m.ravel()) for k, m in masks.items()},
        shape=next(iter(masks.values())).shape if masks else (0, 0),
        areas=areas,
        values=values,
        timings=timings,
        extras=extras,
    )


def failure(exc: Exception) -> str:
    """The ``failed`` text of a realization that raised ``exc``: its type and first line, with
    "did not converge" where MODFLOW 6's listing says so (see :func:`failure_kind`)."""
    reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
    if isinstance(exc, GwsimError) and "convergence failure" in str(exc).lower():
        reason += ": did not converge"
    return reason


def failure_kind(reason: str) -> str:
    """The :data:`FAILURE_KINDS` key of a realization's ``failed`` text."""
    if reason.startswith(DryWellWarning.__name__):
        return "dry_well"
    return "not_converged" if reason.endswith("did not converge") else "error"


def run_realization(
    plan: EnsemblePlan, index: int, workspace: str | Path | None = None
) -> RealizationResult:
    """Build, run and delineate realization ``index``.

    A gwsim error (MODFLOW not converging...) or wells that cannot deliver their rate (a pumped
    cell going dry: the zones would be those of a smaller abstraction) give a result with
    ``failed`` set: the ensemble records it, leaves it out of the maps and reports it.

    ``workspace`` (default a new temporary folder on the worker) holds the MODFLOW files; it is
    removed afterwards unless ``plan.keep_workspaces``.
    """
    timings = {}
    start = time.perf_counter()
    spec, values = plan.realization_spec(index)
    timings["build"] = time.perf_counter() - start
    workspace = Path(workspace or tempfile.mkdtemp(prefix=f"gwsim-r{index}-"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TruncatedZoneWarning)  # the deterministic run says it
            warnings.simplefilter("error", DryWellWarning)  # zones of a smaller abstraction
            flow, zones = _delineate(plan, spec, workspace, timings)
            extras = _analyses(plan, flow, timings)
        return _result(index, flow, zones, values, timings, extras)
    except (GwsimError, DryWellWarning) as exc:  # recorded and reported; the others go on
        return RealizationResult(index, {}, (0, 0), {}, values, timings, failed=failure(exc))
    finally:
        if not plan.keep_workspaces:
            shutil.rmtree(workspace, ignore_errors=True)


def run_deterministic(plan: EnsemblePlan, workspace: str | Path):
    """The deterministic run (kept in ``workspace``): (RealizationResult, FlowField, zones).

    Each analysis is prepared on it (fixed choices such as candidate wells) before it computes.
    """
    spec, values = plan.realization_spec(DETERMINISTIC)
    timings = {}
    flow, zones = _delineate(plan, spec, Path(workspace), timings)
    for analysis in plan.analyses:
        analysis.prepare(flow)
    extras = _analyses(plan, flow, timings)
    return _result(DETERMINISTIC, flow, zones, values, timings, extras), flow, zones
