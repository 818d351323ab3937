"""Scenario files: what to build, run and write, in TOML a planner can edit.

Every scenario file has a ``name`` and a ``kind`` (default ``"flow"``). :func:`load_scenario`
reads the file, looks the kind up in :data:`~gwsim.scenario.registry.SCENARIO_KINDS` and returns
the validated scenario; ``scenario.run(out)`` then runs it and writes its outputs. Every kind
follows one protocol, :class:`~gwsim.scenario.kind.ScenarioKind` (``from_dict(data, path)``,
``inputs_hash``, ``run(out, log)``):

=================== ========================================================================
``flow``            :class:`~gwsim.scenario.flow.FlowScenario`: a model run, heads, HJ 338
                    protection zones and their sensitivity
``keyzones``        :class:`gwsim.zoning.scenario.KeyZoneScenario`: key zones for groundwater
                    pollution prevention from layers and inventories
``enterprise_risk`` ``EnterpriseRiskScenario`` (risk package): leak cases, ranked risk
                    and control options
``uncertainty``     :class:`gwsim.ensemble.scenario.UncertaintyScenario`: ensembles of
                    uncertain parameters and K fields on dask, capture probabilities
=================== ========================================================================

A new kind adds its class to the registry. The ``[model]`` table that names the model to run is
read by :mod:`gwsim.site_model` for every kind.
"""

from gwsim.scenario.flow import FlowScenario
from gwsim.scenario.kind import ScenarioKind
from gwsim.scenario.registry import SCENARIO_KINDS, load_scenario
from gwsim.site_model import SiteModel, read_model_table

__all__ = [
    "SCENARIO_KINDS",
    "FlowScenario",
    "ScenarioKind",
    "SiteModel",
    "load_scenario",
    "read_model_table",
]
