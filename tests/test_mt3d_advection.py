"""MT3D-USGS runs: gwsim's own UCN reader against flopy's, and the fallback from TVD to upstream
finite differences when MT3D's GCG solver overflows (engines/mt3d.py, engines/ucn.py).

Flow model: the 100 m uniform-flow column of test_engines_mt3d (v = 1 m/d).
"""

import warnings

import flopy
import numpy as np
import pytest
from builders import uniform_spec

from gwsim import EngineError
from gwsim.engines import mt3d, run_flow
from gwsim.engines.ucn import read_ucn
from gwsim.errors import AdvectionFallbackWarning
from gwsim.solute import Source, transport

pytestmark = [pytest.mark.needs_mf6, pytest.mark.needs_mt3d]


@pytest.fixture(scope="module")
def column(tmp_path_factory):
    return run_flow(uniform_spec(1, 201, 0.5), tmp_path_factory.mktemp("column"))


def _plume(column, workspace):
    return transport(
        column,
        [Source(5.0, 0.25, mass_rate=1.0)],
        [10.0, 20.0, 40.0],
        dispersivity=(2.0, 0.1, 0.1),
        engine="mt3d",
        workspace=workspace,
    )


def test_ucn_reader_matches_flopy(column, tmp_path):
    """Times and every value bit for bit as flopy's UcnFile reads them (both single precision
    widened to float64); the grid shape is checked against the file."""
    plume = _plume(column, tmp_path)
    assert plume.attrs["advection"] == mt3d.TVD
    ucn = next(tmp_path.rglob("MT3D001.UCN"))
    times, conc = read_ucn(ucn, column.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        reference = flopy.utils.UcnFile(str(ucn), precision="single")
    try:
        np.testing.assert_array_equal(times, np.asarray(reference.get_times(), float))
        np.testing.assert_array_equal(conc, np.asarray(reference.get_alldata(), float))
    finally:
        reference.close()
    assert conc.max() > 0.1  # a real plume, not an empty file
    with pytest.raises(EngineError, match="whole layers"):
        read_ucn(ucn, (1, 1, 200))


def _overflow_once(monkeypatch, message, failing=1):
    """Make MT3D's first ``failing`` runs stop with ``message``; later runs are real."""
    real = mt3d.run_program
    schemes = []

    def run_program(program, args, workspace, *rest):
        adv = (workspace / f"{mt3d.MT3D_NAME}.adv").read_text().split()
        schemes.append(int(adv[0]))
        if len(schemes) <= failing:
            raise EngineError(f"mt3dusgs run in {workspace} failed: {message}")
        return real(program, args, workspace, *rest)

    monkeypatch.setattr(mt3d, "run_program", run_program)
    return schemes


def test_overflow_reruns_with_upstream_fd(column, tmp_path, monkeypatch):
    """A TVD run that stops with MT3D's floating overflow runs again with MIXELM 0, warns, and
    records the scheme; its plume agrees with the TVD plume's mass within 1 % (upstream FD
    smears it, so peaks are lower; both conserve mass)."""
    tvd = _plume(column, tmp_path / "tvd")
    schemes = _overflow_once(monkeypatch, "forrtl: error (72): floating overflow")
    with pytest.warns(AdvectionFallbackWarning, match="upstream FD"):
        fd = _plume(column, tmp_path / "fd")
    assert schemes == [-1, 0]
    assert fd.attrs["advection"] == mt3d.UPSTREAM_FD
    mass = [p.concentration.sel(time=40.0).sum().item() for p in (tvd, fd)]
    assert mass[1] == pytest.approx(mass[0], rel=0.01)
    peak = [p.concentration.sel(time=40.0).max().item() for p in (tvd, fd)]
    assert peak[1] < peak[0]


def test_other_failures_are_not_retried(column, tmp_path, monkeypatch):
    """Only the overflow falls back: any other MT3D failure raises at once."""
    schemes = _overflow_once(monkeypatch, "MXSTRN exceeded")
    with pytest.raises(EngineError, match="MXSTRN"):
        _plume(column, tmp_path)
    assert schemes == [-1]


def test_overflow_in_both_schemes_names_the_cause(column, tmp_path, monkeypatch):
    """When upstream FD overflows too, the error names MT3D's GCG scaling and what to change."""
    schemes = _overflow_once(monkeypatch, "forrtl: error (72): floating overflow", failing=2)
    with pytest.warns(AdvectionFallbackWarning), pytest.raises(EngineError, match="signed maximum"):
        _plume(column, tmp_path)
    assert schemes == [-1, 0]
