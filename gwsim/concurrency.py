"""Independent engine runs side by side: threads that overlap MODFLOW 6 / MT3D-USGS processes.

An enterprise-risk scenario makes one transport run per leak case and one per control option; each
spends nearly all its time in the engine's own process, so threads (not processes: the flow field
is shared, nothing is pickled) keep every core busy.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_concurrently(jobs: Sequence[Callable[[], T]], workers: int | None = None) -> list[T]:
    """The results of ``jobs`` (callables without arguments), in order, run on up to ``workers``
    threads (default: :func:`available_cores`). The first job to fail raises its error once the
    running jobs have finished; jobs not yet started are cancelled."""
    workers = min(len(jobs), workers or available_cores())
    if workers <= 1:
        return [job() for job in jobs]
    pool = ThreadPoolExecutor(workers, thread_name_prefix="gwsim-run")
    futures = [pool.submit(job) for job in jobs]
    try:
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
