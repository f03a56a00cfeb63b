"""A worker process for CPU-bound work (QR codes, PDFs, event hashes), so that it never
stalls the event loop, which in the embedded platform serves all four services."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

T = TypeVar("T")

STOP_GRACE_SECONDS = 5.0
"""How long the work in hand may take to finish when the service stops."""


def _lower_priority(niceness: int) -> None:
    if niceness:
        os.nice(niceness)


KILLED_WITHIN_SECONDS = 5.0
"""How long a killed worker process is waited for."""


class WorkerProcess:
    """One spawned worker process, started at once (``warm_up(*args)``, a module-level
    function, loads what the work needs) rather than on the first request — or, ``lazy``,
    for work that is rare, on the first. One is enough: consumers apply one event at a
    time. A ``background`` worker runs at a lower CPU priority, so work nobody waits for
    yields to work somebody does."""

    def __init__(self, warm_up: Callable[..., Any], *args: Any, background: bool = False,
                 lazy: bool = False):
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"),
            initializer=_lower_priority, initargs=(10 if background else 0,))
        self._warm_up: tuple[Callable[..., Any], tuple[Any, ...]] | None = (warm_up, args)
        if not lazy:
            self._start()

    def _start(self) -> None:
        if self._warm_up is not None:
            warm_up, args = self._warm_up
            self._pool.submit(warm_up, *args)
            self._warm_up = None

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in the worker process (a module-level function, picklable
        arguments)."""
        self._start()
        return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)

    async def close(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Cancel queued work, give the work in hand ``grace`` seconds, then end the process.

        The standard library's blocking ``shutdown(wait=True)`` is never called on the event
        loop: Python 3.11's executor can deadlock in it (fixed only in later releases), and a
        stopping service must stop whatever its worker is doing."""
        processes = self._processes()
        self._pool.shutdown(wait=False, cancel_futures=True)
        if not await asyncio.to_thread(ended, processes, grace):
            log.warning("worker process still busy after %.0f s; terminating it", grace)
            for process in processes:
                with contextlib.suppress(OSError):
                    process.kill()
            # SIGKILL cannot be ignored, but a loaded machine may take more than the grace
            # to reap the process (seen under CI with a 0.5 s grace).
            await asyncio.to_thread(ended, processes, max(grace, KILLED_WITHIN_SECONDS))

    def _processes(self) -> list[BaseProcess]:
        # Python 3.14 has ProcessPoolExecutor.kill_workers(); until then its process table.
        return list((getattr(self._pool, "_processes", None) or {}).values())


def ended(processes: list[BaseProcess], timeout: float) -> bool:
    """Whether every process has ended within ``timeout`` seconds.

    Told by each process's sentinel, not ``is_alive()``: the executor's own thread reaps
    its processes too, and a process it has reaped reads as alive (its exit code unset)
    until that thread next runs, which on a loaded machine can take a second."""
    waiting = [process.sentinel for process in processes]
    deadline = time.monotonic() + timeout
    while waiting:
        ready = wait(waiting, max(0.0, deadline - time.monotonic()))
        if not ready:
            return False
        waiting = [sentinel for sentinel in waiting if sentinel not in ready]
    return True


def worker_process(runtime: ServiceRuntime, warm_up: Callable[..., Any], *args: Any,
                   background: bool = False, lazy: bool = False) -> WorkerProcess:
    """A :class:`WorkerProcess` closed when ``runtime`` stops."""
    worker = WorkerProcess(warm_up, *args, background=background, lazy=lazy)
    runtime.close_on_stop(worker.close)
    return worker
