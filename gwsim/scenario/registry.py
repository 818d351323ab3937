"""The scenario kinds gwsim knows, by the name a scenario file gives as ``kind``, and
:func:`load_scenario`, which reads a file of any kind.

The registry imports each kind's class explicitly (no import by name). None of the registered
modules imports :mod:`gwsim.scenario`; the shared ``[model]`` reading they use lives in
:mod:`gwsim.site_model`.
"""

from __future__ import annotations

from pathlib import Path

from gwsim.config import Problems, read_toml
from gwsim.errors import SpecError
from gwsim.plausibility import Findings, scenario_findings
from gwsim.risk_scenario import EnterpriseRiskScenario
from gwsim.scenario.flow import FlowScenario
from gwsim.scenario.kind import ScenarioKind
from gwsim.zoning.scenario import KeyZoneScenario

SCENARIO_KINDS: dict[str, type[ScenarioKind]] = {
    "flow": FlowScenario,
    "keyzones": KeyZoneScenario,
    "enterprise_risk": EnterpriseRiskScenario,
}


def load_scenario(path: str | Path) -> ScenarioKind:
    """Read and validate a scenario file of any kind (``kind``, default ``"flow"``), including the
    plausibility of its physical values (:mod:`gwsim.plausibility`); nothing is written.

    Raises :class:`SpecError` for a problem, :class:`~gwsim.errors.SpecErrors` for several.
    :func:`gwsim.check.check_scenario` also returns the warnings and a summary.
    """
    return read_scenario(path)[0]


def read_scenario(path: str | Path) -> tuple[ScenarioKind, Findings]:
    """(the validated scenario in ``path``, its plausibility findings without errors); raises
    the problems as :func:`load_scenario` does."""
    path = Path(path)
    data = read_toml(path, "scenario file")
    kind = data.get("kind", "flow")
    if not isinstance(kind, str) or kind not in SCENARIO_KINDS:
        raise SpecError(
            "kind", f"unknown scenario kind {kind!r}", f"use one of {sorted(SCENARIO_KINDS)}"
        )
    scenario = SCENARIO_KINDS[kind].from_dict(data, path.resolve())
    findings = scenario_findings(scenario)
    problems = Problems()
    problems.errors += findings.errors
    problems.raise_any()
    return scenario, findings
