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
from gwsim.monitoring.scenario import MonitoringScenario
from gwsim.plausibility import Findings, scenario_findings
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
    scenario = _validated(SCENARIO_KINDS[kind], data, path.resolve())
    findings = scenario_findings(scenario)
    problems = Problems()
    problems.errors += findings.errors
    problems.raise_any()
    return scenario, findings


# exceptions a kind's from_dict raises when a value has a type or shape it did not expect
_UNREADABLE = (TypeError, ValueError, KeyError, IndexError, AttributeError, ArithmeticError)


def _validated(cls, data: dict, path: Path):
    """``cls.from_dict(data, path)``; an unexpected exception (a value of a type the kind did not
    check) becomes a :class:`SpecError` naming the key whose value caused it."""
    try:
        return cls.from_dict(data, path)
    except SpecError:
        raise
    except _UNREADABLE as exc:
        key = _culprit(cls, data, path, exc)
        raise SpecError(
            key or str(path),
            f"holds a value gwsim cannot read ({type(exc).__name__}: {exc})",
            "check its type and layout against docs/scenarios.md (a table, a list, a number or "
            "text as there); if it matches, report this as a gwsim bug",
        ) from exc


def _fails_alike(cls, data, path, exc) -> bool:
    try:
        cls.from_dict(data, path)
    except type(exc) as other:
        return str(other) == str(exc)
    except Exception:
        return False
    return False


def _culprit(cls, data: dict, path: Path, exc: Exception, prefix: str = "", depth: int = 3):
    """The dotted key whose removal makes ``exc`` go away (searched ``depth`` levels deep), or
    None. Only runs after a failure, so its extra reads cost nothing on good files."""

    def without(container, key):
        if isinstance(container, dict):
            return {k: v for k, v in container.items() if k != key}
        return [v for i, v in enumerate(container) if i != key]

    def search(node, rebuild, prefix, depth):
        keys = node.keys() if isinstance(node, dict) else range(len(node))
        for key in keys:
            if prefix == "" and key in ("name", "kind"):
                continue
            if _fails_alike(cls, rebuild(without(node, key)), path, exc):
                continue
            name = f"{prefix}.{key}" if prefix else str(key)
            child = node[key]
            if depth > 1 and isinstance(child, dict | list) and child:

                def rebuild_child(new, key=key):
                    copy = dict(node) if isinstance(node, dict) else list(node)
                    copy[key] = new
                    return rebuild(copy)

                return search(child, rebuild_child, name, depth - 1) or name
            return name
        return None

    return search(data, lambda d: d, prefix, depth)
