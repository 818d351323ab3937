"""The scenario kinds gwsim knows, by the name a scenario file gives as ``kind``, and
:func:`load_scenario`, which reads a file of any kind.

The registry imports each kind's class explicitly (no import by name). None of the registered
modules imports :mod:`gwsim.scenario`; the shared ``[model]`` reading they use lives in
:mod:`gwsim.site_model`.
"""

from __future__ import annotations

from pathlib import Path

from gwsim.config import read_toml
from gwsim.errors import SpecError
from gwsim.monitoring.scenario import MonitoringScenario
from gwsim.risk.scenario import EnterpriseRiskScenario
from gwsim.scenario.flow import FlowScenario
from gwsim.scenario.kind import ScenarioKind
from gwsim.zoning.scenario import KeyZoneScenario

SCENARIO_KINDS: dict[str, type[ScenarioKind]] = {
    "flow": FlowScenario,
    "keyzones": KeyZoneScenario,
    "enterprise_risk": EnterpriseRiskScenario,
    "monitoring": MonitoringScenario,
}


def load_scenario(path: str | Path) -> ScenarioKind:
    """Read and validate a scenario file of any kind (``kind``, default ``"flow"``); nothing is
    written. Raises :class:`SpecError` for the first problem."""
    path = Path(path)
    data = read_toml(path)
    kind = data.get("kind", "flow")
    if not isinstance(kind, str) or kind not in SCENARIO_KINDS:
        raise SpecError(
            "kind", f"unknown scenario kind {kind!r}", f"use one of {sorted(SCENARIO_KINDS)}"
        )
    return SCENARIO_KINDS[kind].from_dict(data, path.resolve())
