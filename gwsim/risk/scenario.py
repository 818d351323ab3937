"""Enterprise-risk scenarios (``kind = "enterprise_risk"``): leak cases in, ranked risk out.

A scenario names a model (the ``[model]`` table of a flow scenario), the receptors, the
enterprises with their contaminants and HJ 610 leak cases, and the control options to compare for
the worst-ranked (or a named) enterprise::

    name = "enterprise_risk_valley"
    kind = "enterprise_risk"
    engine = "auto"                       # optional, "auto" (default), "mt3d" or "mf6"

    [model]                               # as in a flow scenario: spec, inline or site
    site = "../models/valley_porous"

    [transport]
    service_life = 7300.0                 # d; outputs include 100 d, 1000 d and this
    n_times = 30                          # log-spaced output times (breakthrough curves)
    first_time = 10.0                     # d, the first of them
    dispersivity = [10.0, 1.0, 0.1]       # m: alpha_L, alpha_TH, alpha_TV
    dual_domain = "site"                  # optional: the site's transport.immobile_porosity and
                                          # transport.transfer_rate, or
                                          # { immobile_porosity = 0.08, transfer_rate = 0.001 }
    superpose = true                      # optional (false): on steady flow, every leak case of
                                          # an enterprise x contaminant from one unit-response run
    courant = 1.0                         # optional (0.5): largest Courant number of the runs
                                          # (MT3D-USGS's explicit TVD is stable up to 1)

    [[receptors]]
    name = "chajia"
    kind = "source_well"                  # or "monitoring_well"
    well = "chajia_wells"                 # a WEL boundary of the model (source wells)
    # x = ..., y = ..., z = ...           # a position (monitoring wells; z optional)

    [[receptors]]
    name = "chajia class 2 zone"
    kind = "protection_zone"              # the wells' capture zone for travel_time (HJ 338)
    well = "chajia_wells"
    travel_time = 1000.0                  # d: class 2 (class 1: 100)

    [[enterprises]]
    name = "chem_plant"
    footprint = [[x, y], [x, y], [x, y], [x, y]]   # polygon (m), or point = [x, y]
    [[enterprises.contaminants]]
    name = "trichloroethylene"            # a GB/T 14848 key (gwsim/data/gbt14848_class3.toml)
    concentration = 50.0                  # mg/L in the leaking liquid (or mass_rate, g/d)
    retardation = 2.0
    decay = 0.0                           # 1/d
    [[enterprises.cases]]
    name = "abnormal"
    seepage = 1.0                         # m3/d
    start = 0.0                           # d
    duration = 100.0                      # d until detected (omit: continuous)

    [controls]
    enterprise = "worst"                  # or a name; its worst contaminant and case
    natural_attenuation = true
    anti_seepage = { factor = 0.01 }
    cutoff_wall = { k = 1e-4, thickness = 0.6 }            # m/d, m
    containment = { wells = [[x, y, 300.0]] }             # m, m, m3/d pumped
    reactive_barrier = { polygon = [[x, y], ...], decay = 0.1 }   # 1/d

The transport engine defaults to ``"auto"`` (:data:`DEFAULT_ENGINE`): MODFLOW 6 GWT when the
installed mf6 passed gwsim's dispersion probe, MT3D-USGS otherwise, because MODFLOW 6.4.1's GWT
computes velocity-dependent dispersion wrongly when flow is oblique to the grid with qy < 0
(modflow6 issue #2826, fixed after 6.4.1 by PR #2849), giving peaks 30-50 % low, which would
understate the risk.

Reading the scenario checks every key, number, name and Class III limit and that every footprint,
receptor and option lies in the model grid over active cells; ``run`` runs the flow model (in
``<out>/model``), checks the footprints' wet cells, runs every transport simulation and only then
writes the tables, figures and netCDF files, each atomically with provenance. The tables are read
by :mod:`gwsim.risk.scenario_tables`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gwsim.concurrency import run_pool
from gwsim.config import check_keys, number
from gwsim.engines import run_flow
from gwsim.errors import SpecError
from gwsim.provenance import hash_inputs, provenance_attrs
from gwsim.risk.assessment import start_risk_assessment
from gwsim.risk.control import compare_options
from gwsim.risk.leak_transport import output_times
from gwsim.risk.leaks import Enterprise, leak_cells
from gwsim.risk.outputs import plume_runs, write_risk_outputs
from gwsim.risk.receptors import Receptor
from gwsim.risk.report import risk_assumptions, risk_settings, write_risk_report
from gwsim.risk.scenario_tables import (
    OPTION_KEYS,
    dual_domain_from_table,
    enterprise_from_table,
    options_from_table,
    receptor_from_table,
)
from gwsim.site_model import SiteModel, read_model_table
from gwsim.solute import ENGINES, DualDomain
from gwsim.spec import ModelSpec

_TOP_KEYS = {
    "name",
    "kind",
    "description",
    "engine",
    "model",
    "transport",
    "receptors",
    "enterprises",
    "controls",
    "outputs",
}
DEFAULT_ENGINE = "auto"  # see the module docstring
_TRANSPORT = {
    "service_life": 7300.0,
    "n_times": 30,
    "first_time": 10.0,
    "dispersivity": None,
    "dual_domain": None,
    "superpose": False,
    "courant": 0.5,
}
_OUTPUTS = {"netcdf": True, "maps": True, "curves": True}


@dataclass
class EnterpriseRiskScenario:
    """A validated enterprise-risk scenario."""

    name: str
    source: Path
    spec: ModelSpec
    enterprises: list[Enterprise]
    receptors: list[Receptor]
    times: np.ndarray
    dispersivity: tuple[float, float, float]
    engine: str = DEFAULT_ENGINE
    dual_domain: DualDomain | None = None
    superpose: bool = False  # leak cases from one unit response (steady flow)
    courant: float = 0.5  # largest Courant number of the transport runs
    options: list = field(default_factory=list)
    control_target: str = "worst"
    description: str = ""
    outputs: dict = field(default_factory=lambda: dict(_OUTPUTS))
    spec_file: Path | None = None
    site: SiteModel | None = None

    @property
    def inputs_hash(self) -> str:
        """SHA-256 of the scenario file and the model file it names."""
        return hash_inputs([self.source] + ([self.spec_file] if self.spec_file else []))

    @classmethod
    def from_dict(cls, data: dict, path: Path) -> EnterpriseRiskScenario:
        """Validate the scenario's table; :class:`SpecError` names the bad key."""
        check_keys(data, _TOP_KEYS, "scenario")
        if "name" not in data:
            raise SpecError("name", "missing", 'add name = "..." (it names the output folder)')
        engine = data.get("engine", DEFAULT_ENGINE)
        if engine not in ENGINES:
            raise SpecError("engine", f"unknown engine {engine!r}", f"use one of {ENGINES}")
        if not isinstance(data.get("model"), dict):
            raise SpecError("model", "missing", "add a [model] table (spec, site or inline)")
        spec, spec_file, site = read_model_table(data["model"], path)
        tr = {**_TRANSPORT, **check_keys(data.get("transport", {}), set(_TRANSPORT), "transport")}
        life = number(tr, "service_life", "transport", minimum=1.0)
        n = tr["n_times"]
        if not (isinstance(n, int) and n >= 2):
            raise SpecError("transport.n_times", f"is {n!r}", "give an integer >= 2")
        first = number(tr, "first_time", "transport", minimum=1e-3)
        if first >= life:
            raise SpecError("transport.first_time", f"{first} d >= service life", "give less")
        dispersivity = tuple(tr["dispersivity"] or (10.0, 1.0, 0.1))
        if len(dispersivity) != 3 or not all(isinstance(a, (int, float)) for a in dispersivity):
            raise SpecError("transport.dispersivity", f"{dispersivity!r}", "give 3 lengths in m")
        if not isinstance(tr["superpose"], bool):
            raise SpecError("transport.superpose", f"is {tr['superpose']!r}", "give true or false")
        courant = number(tr, "courant", "transport", above=0.0)
        if courant > 1:
            raise SpecError(
                "transport.courant", f"is {courant}", "give at most 1 (TVD's stability limit)"
            )
        receptors = [
            receptor_from_table(spec, r, f"receptors[{i}]")
            for i, r in enumerate(data.get("receptors", []))
        ]
        enterprises = [
            enterprise_from_table(spec, e, f"enterprises[{i}]")
            for i, e in enumerate(data.get("enterprises", []))
        ]
        if not enterprises:
            raise SpecError("enterprises", "missing", "add [[enterprises]] tables")
        names = [e.name for e in enterprises]
        if len(set(names)) != len(names):
            raise SpecError("enterprises", "names must be unique", "rename one")
        controls = check_keys(data.get("controls", {}), {"enterprise", *OPTION_KEYS}, "controls")
        target = controls.get("enterprise", "worst")
        if target not in ("worst", *names):
            raise SpecError(
                "controls.enterprise", f"{target!r} is unknown", f"use worst or {names}"
            )
        outputs = {**_OUTPUTS, **check_keys(data.get("outputs", {}), set(_OUTPUTS), "outputs")}
        return cls(
            name=str(data["name"]),
            source=path,
            spec=spec,
            enterprises=enterprises,
            receptors=receptors,
            times=output_times(life, n, first),
            dispersivity=tuple(float(a) for a in dispersivity),
            engine=engine,
            dual_domain=dual_domain_from_table(tr["dual_domain"], site),
            superpose=tr["superpose"],
            courant=courant,
            options=options_from_table(spec, controls),
            control_target=target,
            description=str(data.get("description", "")),
            outputs=outputs,
            spec_file=spec_file,
            site=site,
        )

    def run(self, out: str | Path | None = None, log: Callable = print) -> list[Path]:
        """Run flow, screening, the leak cases and the control options; then write the tables,
        figures and netCDF files into ``out``; return the paths written."""
        out = Path(out or Path("out") / self.name)
        started = time.perf_counter()
        log(f"scenario {self.name}: running the flow model {self.spec.name!r}")
        flow = run_flow(self.spec, out / "model")
        flow.attrs["inputs_sha256"] = self.inputs_hash
        for e in self.enterprises:  # wet cells and options, before any transport run
            cells = leak_cells(flow, e.footprint, f"enterprises.{e.name}.footprint")
            for opt in self.options:
                opt.change(self.spec, flow, cells)
        named = None if self.control_target == "worst" else self.control_target
        # one pool for every run: the options start once their target's runs are done
        with run_pool() as pool:
            pending = start_risk_assessment(
                flow,
                self.enterprises,
                self.receptors,
                self.times,
                engine=self.engine,
                dispersivity=self.dispersivity,
                dual_domain=self.dual_domain,
                superpose=self.superpose,
                courant=self.courant,
                executor=pool,
                first=named,
                log=log,
            )
            comparison, target = None, None
            if self.options:
                target = pending.runs_of(named)[0] if named else pending.result().runs[0]
                enterprise = next(e for e in self.enterprises if e.name == target.enterprise)
                comparison = compare_options(
                    self.spec,
                    flow,
                    enterprise,
                    target.contaminant,
                    target.case,
                    pending.receptors,
                    self.options,
                    self.times,
                    engine=self.engine,
                    dispersivity=self.dispersivity,
                    workspace=out / "control_models",
                    baseline=target,
                    dual_domain=self.dual_domain,
                    courant=self.courant,
                    executor=pool,
                    log=log,
                )
            risk = pending.result()
        attrs = provenance_attrs(
            self.inputs_hash,
            executables=["mf6"] + (["mt3dusgs"] if risk.engine == "mt3d" else []),
        )
        attrs.update(scenario=self.name, scenario_file=str(self.source))
        written = write_risk_outputs(
            out, self.name, risk, comparison, target, self.enterprises, attrs, self.outputs
        )
        written.append(
            write_risk_report(
                out / "report.md",
                self.name,
                self.description,
                risk,
                comparison,
                target,
                self.enterprises,
                risk_settings(self),
                risk_assumptions(self, flow, risk.engine),
            )
        )
        log(
            f"scenario {self.name}: {len(plume_runs(risk, comparison, target))} transport runs "
            f"({risk.engine}), wrote {len(written)} files to {out} in "
            f"{time.perf_counter() - started:.0f} s"
        )
        return written
