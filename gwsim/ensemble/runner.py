"""Running an ensemble: one dask.distributed task per realization, reduced as results arrive.

``scheduler=None`` starts a :class:`distributed.LocalCluster` with ``workers`` single-threaded
worker processes (default one per core); ``scheduler="tcp://host:8786"`` sends the same tasks to a
running cluster (its workers need gwsim, MODFLOW 6 and the model folder at the same path);
``workers=0`` runs the realizations one after another in this process (no dask: tests, debugging).
Local workers share the cores for the numba tracking kernel (:func:`kernel_threads`): with as
many single-threaded workers as cores, each kernel runs on one thread, since two threads per
worker on a full machine only fight over the cores; a remote cluster's workers are left alone.
Finished realizations are recorded in ``<out>/records`` as they arrive; a rerun with the same
scenario and seed runs only the missing ones (see :mod:`gwsim.ensemble.reduce`).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from tqdm import tqdm

from gwsim.ensemble.realization import (
    EnsemblePlan,
    RealizationResult,
    run_deterministic,
    run_realization,
)
from gwsim.ensemble.reduce import RecordStore, Reducer
from gwsim.errors import SpecError

SCHEDULER_TIMEOUT_S = 5.0


@dataclass
class EnsembleRun:
    """A reduced ensemble: the reducer, the deterministic run, and how the run went."""

    reducer: Reducer
    deterministic: object  # RealizationResult of the deterministic run
    flow: object  # its FlowField (grid and lattice of the maps)
    zones: object  # its ProtectionZones
    resumed: int = 0  # realizations read back from records
    wall_s: float = 0.0  # ensemble wall time, s (without the deterministic run)
    workers: int = 0

    @property
    def lattice(self) -> tuple:
        """Grid-local x and y edges (m) of the sub-cells the maps are counted on."""
        return self.zones.sources[0].capture.subcell_edges


def check_scheduler(address: str, timeout: float = SCHEDULER_TIMEOUT_S) -> None:
    """Raise :class:`SpecError` unless a dask scheduler accepts TCP connections at ``address``."""
    url = urlparse(address)
    if url.scheme != "tcp" or not url.hostname or not url.port:
        raise SpecError(
            "uncertainty.scheduler",
            f"{address!r} is not a scheduler address",
            'write it as "tcp://host:8786"',
        )
    try:
        socket.create_connection((url.hostname, url.port), timeout=timeout).close()
    except OSError as exc:
        raise SpecError(
            "uncertainty.scheduler",
            f"no dask scheduler answers at {address} ({exc})",
            "start one there (`dask scheduler`, then `dask worker ADDRESS`) or remove the key "
            "to run on a local cluster",
        ) from exc


def run_ensemble(
    plan: EnsemblePlan,
    realizations: int,
    out: str | Path,
    *,
    plan_key: str | None = None,
    records: str | Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    processes: bool = True,
    progress: bool = True,
    log: Callable = print,
) -> EnsembleRun:
    """Run (or resume) ``realizations`` realizations of ``plan``, recording them under ``out``.

    Parameters
    ----------
    plan : what each realization runs. realizations : how many (indices 0 .. realizations-1).
    out : folder for ``records/`` and the deterministic run's ``deterministic/`` model.
    plan_key : identifies the plan in the records (default ``plan.key()``).
    records : folder of the finished realizations' records (default ``out/records``).
    scheduler : address of a running dask scheduler; None starts a local cluster.
    workers : local worker processes (default one per core); 0 runs here, one at a time.
    processes : local workers as processes (True) or threads of this process.
    """
    if scheduler is not None:
        check_scheduler(scheduler)
    out = Path(out)
    store = RecordStore(Path(records or out / "records"), plan_key or plan.key())
    reducer = Reducer(plan.analyses)
    done = sorted(i for i in store.indices() if i < realizations)
    for index in done:
        reducer.add(store.read(index))
    if done:
        log(f"resuming: {len(done)} of {realizations} realizations already recorded")
    log("deterministic run")
    deterministic, flow, zones = run_deterministic(plan, out / "deterministic")
    todo = sorted(set(range(realizations)) - set(done))
    workers = (os.cpu_count() or 1) if workers is None else workers
    bar = tqdm(
        total=realizations, initial=len(done), desc="realizations", unit="run", disable=not progress
    )
    start = time.perf_counter()
    scratch = out / "dask-scratch"
    try:
        for result in _results(plan, todo, scheduler, workers, processes, scratch):
            store.write(result)
            reducer.add(result)
            bar.update()
    finally:
        bar.close()
    if reducer.failed:
        log(f"{len(reducer.failed)} realization(s) failed (see the report); {reducer.n} reduced")
    return EnsembleRun(
        reducer,
        deterministic,
        flow,
        zones,
        resumed=len(done),
        wall_s=time.perf_counter() - start,
        workers=workers,
    )


def _results(plan: EnsemblePlan, todo: list[int], scheduler, workers, processes, scratch: Path):
    """Yield the results of realizations ``todo`` as they finish."""
    if not todo:
        return
    if scheduler is None and workers == 0:
        for index in todo:
            yield run_realization(plan, index)
        return
    from distributed import Client, LocalCluster, as_completed

    threads = None  # a remote cluster's workers: numba's own setting
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            silence_logs=logging.ERROR,
            local_directory=str(scratch),
        )
        threads = kernel_threads(workers)
    else:
        cluster = None
    with Client(cluster or scheduler, timeout=SCHEDULER_TIMEOUT_S) as client:
        try:  # the plan is small (a site model's parameters, or a spec): sent with each task
            futures = client.map(
                _run_realization, [plan] * len(todo), todo, threads=threads, pure=False
            )
            for future in as_completed(futures):
                yield future.result()
                future.release()
            client.run(_clear_templates)  # each worker's MODFLOW 6 template of the model
        finally:
            if cluster is not None:
                cluster.close()


def kernel_threads(workers: int, cores: int | None = None) -> int | None:
    """numba threads for each of ``workers`` single-threaded local workers' tracking kernels:
    the cores shared out (one each when workers >= cores), or None (numba's default, every core)
    for a single worker."""
    cores = cores or os.cpu_count() or 1
    threads = max(1, cores // workers)
    return threads if threads < cores else None


def _run_realization(plan: EnsemblePlan, index: int, threads: int | None) -> RealizationResult:
    """:func:`run_realization` on a dask worker, its numba kernels on ``threads`` threads.

    numba's thread count is set here, in the worker thread that runs the task, because
    ``numba.set_num_threads`` holds for the calling thread only; ``NUMBA_NUM_THREADS`` in the
    nanny's ``env`` comes too late: a spawned worker has imported numba (with the main module)
    before the nanny sets its environment.
    """
    if threads is not None:
        import numba  # loaded with the tracking kernel anyway

        numba.set_num_threads(threads)
    return run_realization(plan, index)


def _clear_templates() -> None:
    """Remove this process's MODFLOW 6 templates (run on each worker after an ensemble)."""
    from gwsim.engines.mf6_template import TEMPLATES

    TEMPLATES.clear()
