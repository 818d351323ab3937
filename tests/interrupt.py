"""Killing an ensemble half-way (SIGKILL, as a crash or an operator would) for the resume tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent

SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from {module} import field_plan
from gwsim.ensemble.runner import run_ensemble
run_ensemble(field_plan(), {n}, {out!r}, workers=0, progress=False)
"""


def kill_half_way(module: str, n: int, out: Path, cwd: Path, timeout: float = 180.0) -> int:
    """Run ``module.field_plan()``'s ensemble of ``n`` realizations into ``out`` in a child
    process, SIGKILL it once two realizations are recorded, and return how many were."""
    script = SCRIPT.format(tests=str(TESTS), module=module, n=n, out=str(out))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(TESTS)])}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=cwd)
    deadline = time.monotonic() + timeout
    while len(list((out / "records").glob("r*.npz"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    recorded = len(list((out / "records").glob("r*.npz")))
    assert 2 <= recorded < n, "the run was not killed half-way"
    return recorded
