"""report.md's transport-engine section names every run whose MT3D TVD run fell back to upstream
finite differences (the option runs included), and nothing when none did."""

from types import SimpleNamespace

from gwsim.engines.mt3d import FALLBACK_NOTE, TVD, UPSTREAM_FD
from gwsim.risk.report import advection_lines


def _run(key, advection):
    attrs = {} if advection is None else {"advection": advection}
    return SimpleNamespace(key=key, plume=SimpleNamespace(attrs=attrs))


def test_fallback_runs_are_named():
    risk = SimpleNamespace(runs=[_run("landfill_ammonia_normal", TVD), _run("mf6 run", None)])
    assert advection_lines(risk, None) == []
    options = SimpleNamespace(runs={"hydraulic containment": _run("x", UPSTREAM_FD)})
    lines = advection_lines(risk, options)
    assert (
        lines[0]
        == f"- option hydraulic containment: {FALLBACK_NOTE} (TVD 失败，改用上游差分：数值弥散更大)"
    )
    assert lines[1:] == [""]
