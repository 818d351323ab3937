"""``gwsim check``: everything a run would use, checked without running or writing anything.

:func:`check_scenario` reads a scenario file of any kind the way a run does (the scenario, its
model with the site parameters and overrides, wells, media, sources, enterprises, standards, file
paths, units) and judges the physical values against :mod:`gwsim.plausibility`. Problems raise
:class:`~gwsim.errors.SpecError` (one) or :class:`~gwsim.errors.SpecErrors` (several, one line
each); otherwise it returns a :class:`CheckResult` with the warnings, the notes a run records (unit
conversions of overrides) and a one-paragraph summary of what would run. ``gwsim run`` calls it
first (:func:`gwsim.scenario.runner.run_scenario`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gwsim.risk.scenario import EnterpriseRiskScenario
from gwsim.scenario.registry import SCENARIO_KINDS, read_scenario


@dataclass
class CheckResult:
    """A scenario that passed the checks, what it would write, and what to tell the user."""

    scenario: object
    out: Path
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. override units converted

    @property
    def summary(self) -> str:
        """One paragraph: what would run, on which model, writing what where."""
        s = self.scenario
        kind = next((k for k, c in SCENARIO_KINDS.items() if isinstance(s, c)), "a")
        parts = [f"{kind} scenario {s.name!r} ({s.source.name})"]
        spec = getattr(s, "spec", None)
        site = getattr(s, "site", None)
        if spec is not None:
            parts.append(_model_sentence(spec, site))
        protection = getattr(s, "protection", None)
        if protection:
            media = protection.get("media", {})
            sources = ", ".join(
                f"{n}{' (' + media[n] + ')' if n in media else ''}" for n in protection["sources"]
            )
            parts.append(f"HJ 338 protection zones for {sources}")
        sensitivity = getattr(s, "sensitivity", None)
        if sensitivity:
            factors = sensitivity["factors"]  # {parameter: [factors]}
            parts.append(
                "zone sensitivity to "
                + "; ".join(
                    f"{p} × {', '.join(f'{f:g}' for f in factors.get(p, ()))}"
                    for p in sensitivity["parameters"]
                )
            )
        enterprises = getattr(s, "enterprises", None)
        if enterprises and not isinstance(s, EnterpriseRiskScenario):
            parts.append(f"{len(enterprises)} enterprises")
        elif enterprises:
            cases = sum(len(e.cases) * len(e.contaminants) for e in enterprises)
            parts.append(
                f"{len(enterprises)} enterprises ({cases} leak cases) against "
                f"{len(getattr(s, 'receptors', []))} receptors, "
                f"{len(getattr(s, 'options', []))} control options"
            )
        layers = getattr(s, "layers", None)
        if isinstance(layers, dict) and "top" in layers:
            parts.append(
                f"key zones on {'×'.join(str(n) for n in layers['top'].shape)} cells from "
                f"{len(layers)} layers, {len(getattr(s, 'sources', []))} pollution sources and "
                f"{len(getattr(s, 'samples', []))} monitoring samples"
            )
        text = "; ".join(parts)
        text += f". It would write into {self.out} (swapped in when the run succeeds)"
        text += f"; {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}."
        return text


def _model_sentence(spec, site) -> str:
    grid = spec.grid
    active = int((np.broadcast_to(grid.arrays()["idomain"], grid.shape) > 0).sum())
    kinds = {}
    for b in spec.boundaries:
        kinds[b.kind] = kinds.get(b.kind, 0) + 1
    wells = [b for b in spec.boundaries if b.kind == "wel"]
    pumped = -sum(float(b.values["rate"].sum()) for b in wells)
    origin = f"site model {site.folder.name} ({site.variant})" if site is not None else "the model"
    periods = len(spec.periods)
    text = (
        f"{origin} {spec.name!r}: {grid.nlay} layers × {grid.nrow} rows × {grid.ncol} columns "
        f"({active} active cells), {periods} {'steady' if spec.steady else 'transient'} stress "
        f"period{'s' if periods != 1 else ''}, boundaries "
        + ", ".join(f"{k}×{n}" for k, n in kinds.items())
    )
    if wells:
        text += f", wells pumping {pumped:.0f} m³/d in all"
    return text


def _override_notes(site) -> list[str]:
    if site is None:
        return []
    return [
        f"parameter {key}: {p.value} {p.unit} ({p.source})"
        for key, p in site.params.items()
        if p.source.startswith("scenario override")
    ]


def check_scenario(path: str | Path, out: str | Path | None = None) -> CheckResult:
    """Check the scenario file ``path`` and everything it names; nothing runs or is written.

    ``out`` is the output folder a run would use (default ``out/<scenario name>``). Raises
    :class:`~gwsim.errors.SpecError` / :class:`~gwsim.errors.SpecErrors` for problems.
    """
    with np.errstate(all="ignore"):  # absurd values are reported as problems, not as warnings
        scenario, findings = read_scenario(path)
    return CheckResult(
        scenario=scenario,
        out=Path(out) if out is not None else Path("out") / scenario.name,
        warnings=findings.warnings,
        notes=_override_notes(getattr(scenario, "site", None)),
    )
