"""Independent engine runs side by side: threads that overlap MODFLOW 6 / MT3D-USGS processes.

An enterprise-risk scenario makes one transport run per leak case and one per control option; each
spends nearly all its time in the engine's own process, so threads (not processes: the flow field
is shared, nothing is pickled) keep every core busy.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def run_pool(workers: int | None = None) -> Iterator[ThreadPoolExecutor]:
    """Threads for engine runs, ``workers`` of them (default: :func:`available_cores`). On
    leaving, the running jobs finish and those not yet started are cancelled, so the first job
    to fail (its error raised by the caller's ``result()``) ends the others."""
    pool = ThreadPoolExecutor(workers or available_cores(), thread_name_prefix="gwsim-run")
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_concurrently(
    jobs: Sequence[Callable[[], T]], workers: int | None = None, executor: Executor | None = None
) -> list[T]:
    """The results of ``jobs`` (callables without arguments), in order, run on ``executor``
    (shared with other work; its owner shuts it down) or else on up to ``workers`` threads of
    their own (default: :func:`available_cores`; see :func:`run_pool` for a failing job)."""
    if executor is None:
        workers = min(len(jobs), workers or available_cores())
        if workers <= 1:
            return [job() for job in jobs]
        with run_pool(workers) as pool:
            return run_concurrently(jobs, executor=pool)
    futures = [executor.submit(job) for job in jobs]
    return [f.result() for f in futures]
