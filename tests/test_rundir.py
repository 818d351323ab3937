"""Run folders: outputs are swapped in only on success; killed or failed runs leave the previous
results untouched and no partial file; runs into different folders do not interfere."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from gwsim.cli import main
from gwsim.rundir import fresh_run_folder, remove_leftovers

ROOT = Path(__file__).parents[1]
DEMO = ROOT / "scenarios" / "demo_wellfield.toml"


def snapshot(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_previous(target: Path) -> dict[str, str]:
    (target / "sub").mkdir(parents=True)
    (target / "heads.nc").write_bytes(b"previous heads")
    (target / "sub" / "table.csv").write_text("a,b\n1,2\n")
    return snapshot(target)


@pytest.mark.parametrize("atomic_exchange", [True, False])
def test_success_replaces_the_whole_folder(tmp_path, monkeypatch, atomic_exchange):
    if not atomic_exchange:  # the two-rename fallback where renameat2 is missing
        monkeypatch.setattr("gwsim.rundir._exchange", lambda a, b: False)
    target = tmp_path / "out"
    write_previous(target)
    with fresh_run_folder(target) as staging:
        assert staging.parent == tmp_path and staging.name.startswith(".out.partial-")
        (staging / "heads.nc").write_bytes(b"new heads")
    assert snapshot(target) == {"heads.nc": hashlib.sha256(b"new heads").hexdigest()}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert oct(target.stat().st_mode & 0o777) != oct(0o700)  # an ordinary folder


def test_a_failed_run_leaves_the_previous_results_and_no_partial_file(tmp_path):
    target = tmp_path / "out"
    before = write_previous(target)
    with pytest.raises(RuntimeError), fresh_run_folder(target) as staging:
        (staging / "heads.nc").write_bytes(b"half")
        raise RuntimeError("the model did not converge")
    assert snapshot(target) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


WRITER = textwrap.dedent(
    """
    import importlib.util, sys, time
    from pathlib import Path

    # gwsim/rundir.py alone (not the gwsim package): the process starts in a fraction of a second
    spec = importlib.util.spec_from_file_location("rundir", sys.argv[4])
    rundir = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rundir)
    fresh_run_folder = rundir.fresh_run_folder

    target, name, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    with fresh_run_folder(target) as staging:
        for i in range(n):
            (staging / f"{name}_{i}.txt").write_text(name * 1000)
            if name == "killed" and i == 1:
                with open(staging / "heads.nc", "wb") as half:
                    half.write(b"x" * 4096)
                    half.flush()
                    print("WRITING", flush=True)
                    time.sleep(60)
            time.sleep(0.05)
    """
)


def start_writer(tmp_path: Path, target: Path, name: str, n: int) -> subprocess.Popen:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(script), str(target), name, str(n), str(ROOT / "gwsim" / "rundir.py")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_sigkill_mid_write_leaves_previous_outputs_and_the_next_run_succeeds(tmp_path):
    target = tmp_path / "out"
    before = write_previous(target)
    writer = start_writer(tmp_path, target, "killed", 5)
    assert writer.stdout.readline().strip() == "WRITING"  # inside a half-written file
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    writer.stdout.close()
    assert snapshot(target) == before  # nothing of the killed run is in the target
    (leftover,) = [p for p in tmp_path.iterdir() if p.name.startswith(".out.partial-")]
    assert (leftover / "heads.nc").stat().st_size == 4096
    with fresh_run_folder(target) as staging:  # the next run
        (staging / "heads.nc").write_bytes(b"new heads")
    assert snapshot(target) == {"heads.nc": hashlib.sha256(b"new heads").hexdigest()}
    assert not leftover.exists()  # removed: its process is gone


def test_a_running_staging_folder_is_not_taken_for_a_leftover(tmp_path):
    live = tmp_path / f".out.partial-{os.getpid()}-abc"
    live.mkdir()
    assert remove_leftovers(tmp_path / "out") == []
    assert live.is_dir()


def test_two_runs_into_different_folders_do_not_interfere(tmp_path):
    writers = [start_writer(tmp_path, tmp_path / name, name, 20) for name in ("east", "west")]
    for writer in writers:
        assert writer.wait(timeout=120) == 0
        writer.stdout.close()
    for name in ("east", "west"):
        files = snapshot(tmp_path / name)
        assert sorted(files) == sorted(f"{name}_{i}.txt" for i in range(20))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["east", "west", "writer.py"]


KILLED_RUN = textwrap.dedent(
    """
    import sys, time
    from gwsim import flowfield
    from gwsim.cli import main

    def write_and_hang(self, path, *args, **kwargs):
        with open(path, "wb") as half:  # a netCDF file half written when the run is killed
            half.write(b"CDF" + b"x" * 4096)
            half.flush()
            print("WRITING", flush=True)
            time.sleep(120)

    flowfield.FlowField.to_netcdf = write_and_hang
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.mark.needs_mf6
def test_a_killed_gwsim_run_leaves_previous_outputs_and_the_next_run_succeeds(tmp_path, capsys):
    scenario = tmp_path / "flow.toml"
    scenario.write_text(DEMO.read_text("utf-8").split("\n[protection]")[0] + "\n", "utf-8")
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 0
    before = snapshot(out)
    assert "heads.nc" in before and "report.md" in before
    script = tmp_path / "killed_run.py"
    script.write_text(KILLED_RUN)
    run = subprocess.Popen(
        [sys.executable, str(script), "run", str(scenario), "--out", str(out)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    while (line := run.stdout.readline()) and line.strip() != "WRITING":
        pass  # progress lines, then the half-written heads.nc
    assert line.strip() == "WRITING"
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    run.stdout.close()
    assert snapshot(out) == before
    assert main(["run", str(scenario), "--out", str(out)]) == 0
    assert sorted(snapshot(out)) == sorted(before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flow.toml", "killed_run.py", "out"]
    capsys.readouterr()


@pytest.mark.slow
@pytest.mark.needs_mf6
def test_two_gwsim_runs_at_once_into_different_folders(tmp_path):
    scenario = tmp_path / "flow.toml"
    scenario.write_text(DEMO.read_text("utf-8").split("\n[protection]")[0] + "\n", "utf-8")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "gwsim.cli", "run", str(scenario), "--out", str(tmp_path / n)],
            stdout=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for n in ("a", "b")
    ]
    assert [run.wait(timeout=600) for run in runs] == [0, 0]
    a, b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert sorted(a) == sorted(b) and "heads.nc" in a and "model/demo_valley.nam" in a
    with (
        xr.open_dataset(tmp_path / "a" / "heads.nc") as da,
        xr.open_dataset(tmp_path / "b" / "heads.nc") as db,
    ):
        assert np.array_equal(da["head"].values, db["head"].values, equal_nan=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "flow.toml"]
