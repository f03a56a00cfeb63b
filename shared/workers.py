"""A worker process for CPU-bound rendering (QR codes, PDFs), so that drawing never stalls
the event loop, which in the embedded platform serves all four services."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from shared.runtime import ServiceRuntime


def _lower_priority(niceness: int) -> None:
    if niceness:
        os.nice(niceness)


def worker_pool(runtime: ServiceRuntime, warm_up: Callable[..., Any], *args: Any,
                background: bool = False) -> Executor:
    """One spawned worker, started now (``warm_up(*args)``, a module-level function, loads
    what the work needs) rather than on the first request, and shut down with the runtime.
    One is enough: consumers apply one event at a time. A ``background`` worker runs at a
    lower CPU priority, so work nobody waits for yields to work somebody does."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_lower_priority, initargs=(10 if background else 0,))
    pool.submit(warm_up, *args)
    runtime.close_on_stop(lambda: pool.shutdown(cancel_futures=True))
    return pool
