"""Failed realizations are sorted by kind, and the report keeps a well field that cannot deliver
its rate (an outcome of the parameters) apart from a solver that did not converge."""

from gwsim.ensemble.products import _failures, failure_counts
from gwsim.ensemble.realization import failure, failure_kind
from gwsim.errors import DryWellWarning, EngineError, SpecError

NOT_CONVERGED = EngineError(
    "mf6 run in /tmp/x failed (flow model 'chajia')",
    "Simulation convergence failure. Simulation will terminate after output and deallocation.",
)
DRY = DryWellWarning("well 'w' delivers 389.0 m³/d instead of 400.0 m³/d at t = 1 d: ...")


def test_each_failure_gets_its_kind():
    assert failure_kind(failure(NOT_CONVERGED)) == "not_converged"
    assert failure_kind(failure(DRY)) == "dry_well"
    assert failure_kind(failure(SpecError("k", "negative", "fix it"))) == "error"
    assert failure(DRY).startswith("DryWellWarning: well 'w' delivers")  # as records had it


def test_report_counts_dry_wells_apart_from_solver_failures():
    failed = {0: failure(NOT_CONVERGED), 4: failure(DRY), 7: failure(DRY)}
    assert failure_counts(failed) == {"dry_well": 2, "not_converged": 1}
    lines = _failures(failed, 12)
    assert lines[0] == "3 of 12 realization(s) failed and are left out of every product:"
    assert "- the well field cannot deliver its rate (a pumped cell went dry): 2 of 12" in lines[1]
    assert "- MODFLOW 6 did not converge: 1 of 12 realizations" in lines
    assert _failures({}, 12) == []
