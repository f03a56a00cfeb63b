"""A worker process for CPU-bound work (QR codes, PDFs, event hashes, photos), so that it
never stalls the event loop, which in the embedded platform serves all four services.

Work waits in one queue per *share* (a producer, say) and the process takes the shares in
turn, one piece of work at a time: a producer sending 500 events does not hold up another's
one. A piece of work that fails fails only its own caller, and a process that dies is
replaced at once."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import pickle
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache, partial
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from shared.identity.auth import Caller
from shared.platform.supervision import Health
from shared.refusals import N_, ServiceUnavailable

if TYPE_CHECKING:  # only a type here: the runtime imports this module for WorkerProcess
    from shared.platform.runtime import ServiceRuntime

log = logging.getLogger(__name__)

T = TypeVar("T")

STOP_GRACE_SECONDS = 5.0
"""How long the work in hand may take to finish when the service stops."""
KILLED_WITHIN_SECONDS = 5.0
"""How long a killed worker process is waited for."""
WATCH_SECONDS = 5.0
"""How often the supervisor looks whether a worker process died (``watch``)."""
PARENT_GONE_EXIT = 3
"""A worker process's exit status when it ends because its parent died."""
PARENT_POLL_SECONDS = 1.0
"""How often a worker process that cannot wait on its parent's pipe looks for it."""


PUBLIC_SHARE = "public"
"""The share of work anyone may ask for (a public page's artwork, a chain's check)."""


def share_of(caller: Caller) -> str:
    """The share ``caller``'s work waits in: its producer's (chủ thể), else its own."""
    return f"subject:{caller.subject_id}" if caller.subject_id else f"user:{caller.user_id}"


class Worker(Protocol):
    """Where a service's CPU-bound work runs: a :class:`WorkerProcess`, or a stand-in that
    runs it in the service's own process (the service tests')."""

    async def run(self, work: Callable[..., T], *args: Any, share: str = "") -> T: ...

    async def check(self) -> None: ...

    async def close(self, grace: float = STOP_GRACE_SECONDS) -> None: ...


class WorkerFactory(Protocol):
    """How a runtime makes its workers (``ServiceRuntime(workers=...)``): the
    :class:`WorkerProcess` class, or a stand-in's."""

    def __call__(self, warm_up: Callable[..., Any], *args: Any, background: bool = False,
                 lazy: bool = False) -> Worker: ...


class WorkFailed(Exception):
    """Work that raised an exception which cannot cross back to the service as it is (its
    type and message, as text)."""


def _started(niceness: int) -> None:
    """How each worker process begins: at its priority, and watching its parent."""
    if niceness:
        os.nice(niceness)
    _end_with_parent()


def _end_with_parent() -> None:
    """Exit the worker process as soon as the service's process is gone, however it ended:
    a ``kill -9`` of ``ocop run`` gives it no chance to end its workers, which lived on
    (~200 MB). The spawn start method hands each process a pipe from its parent
    (``parent_process().sentinel``) that reads as closed the moment the parent dies; a
    thread waits on it. Not ``prctl(PR_SET_PDEATHSIG)``: it fires when the *thread* that
    started the process ends, and the executor starts one from whichever thread hands it
    work. Where the pipe cannot be waited on, the parent's id is watched instead."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    parent_id = os.getppid()

    def watch() -> None:
        try:
            wait([parent.sentinel])
        except (OSError, ValueError):
            while os.getppid() == parent_id:
                time.sleep(PARENT_POLL_SECONDS)
        os._exit(PARENT_GONE_EXIT)

    threading.Thread(target=watch, name="ocop-parent-watch", daemon=True).start()


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    return getattr(libc, "malloc_trim", None)


def _call(work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` in the worker process.

    Its exception goes back to the service only if it can be rebuilt there: one that cannot
    (pyld's ``JsonLdError`` needs arguments its pickle does not keep) would break the whole
    pool, and every later request with it. Memory the work freed is handed back to the
    system (glibc keeps it otherwise: a burst of large photos left the process at its peak).
    """
    try:
        return work(*args)
    except Exception as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            said = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            raise WorkFailed(f"{type(exc).__name__}: {said.strip()}"[:300]) from None
        raise
    finally:
        if trim := _malloc_trim():
            trim(0)


@dataclass
class _Job:
    work: Callable[..., Any]
    args: tuple[Any, ...]
    done: asyncio.Future[Any]


class WorkerProcess:
    """One spawned worker process, started at once (``warm_up(*args)``, a module-level
    function, loads what the work needs) rather than on the first request — or, ``lazy``,
    for work that is rare, on the first. A ``background`` worker runs at a lower CPU
    priority, so work nobody waits for yields to work somebody does."""

    def __init__(self, warm_up: Callable[..., Any], *args: Any, background: bool = False,
                 lazy: bool = False):
        self._warm_up = (warm_up, args)
        self._niceness = 10 if background else 0
        self._pool = self._new_pool()
        self._warmed = False
        self._closed = False
        self._waiting: dict[str, deque[_Job]] = {}
        """Per share, its work not yet handed to the process; the dict's order is the
        round (a share served goes to the back)."""
        self._busy = False
        self.restarts = 0
        if not lazy:
            self._start()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=1,
                                   mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_started, initargs=(self._niceness,))

    def _start(self) -> None:
        if not self._warmed:
            warm_up, args = self._warm_up
            self._pool.submit(_call, warm_up, *args)
            self._warmed = True

    async def run(self, work: Callable[..., T], *args: Any, share: str = "") -> T:
        """``work(*args)`` in the worker process (a module-level function, picklable
        arguments), in ``share``'s turn. ``WorkFailed`` if it raised an exception that
        cannot be sent back; ServiceUnavailable if the process died meanwhile (it is
        replaced: the next request is served)."""
        if self._closed:
            raise RuntimeError("the worker process is closed")
        self._start()
        job = _Job(work, args, asyncio.get_running_loop().create_future())
        self._waiting.setdefault(share, deque()).append(job)
        self._hand_over()
        result: T = await job.done
        return result

    def _hand_over(self) -> None:
        """Give the process the next share's oldest work, if it is idle."""
        while not self._busy and self._waiting:
            share = next(iter(self._waiting))
            queue = self._waiting.pop(share)
            job = queue.popleft()
            if queue:
                self._waiting[share] = queue
            if job.done.done():  # its caller has given up
                continue
            if self._died():  # its process died while idle
                self._replace(self._pool)
            pool = self._pool
            try:
                running = asyncio.get_running_loop().run_in_executor(
                    pool, _call, job.work, *job.args)
            except RuntimeError as exc:  # shut down: closing
                job.done.set_exception(exc)
                continue
            self._busy = True
            running.add_done_callback(partial(self._finished, job, pool))

    def _finished(self, job: _Job, pool: ProcessPoolExecutor,
                  running: asyncio.Future[Any]) -> None:
        self._busy = False
        if not job.done.done():
            if running.cancelled():
                job.done.cancel()
            elif (exc := running.exception()) is None:
                job.done.set_result(running.result())
            elif isinstance(exc, BrokenProcessPool) and not self._closed:
                self._replace(pool)
                job.done.set_exception(ServiceUnavailable(
                    N_("The work could not be finished (a worker process stopped); try "
                       "again."), code="worker-restarted"))
            else:
                job.done.set_exception(exc)
        self._hand_over()

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """A new process in place of ``broken`` (once, however many noticed). The executor
        tells a broken pool only by its ``_broken`` attribute, and refuses work from then
        on."""
        if broken is not self._pool or self._closed:
            return
        log.error("a worker process (%s) died; starting another", self._warm_up[0].__module__)
        self.restarts += 1
        self._pool = self._new_pool()
        self._warmed = False
        self._start()
        broken.shutdown(wait=False, cancel_futures=True)

    def _died(self) -> bool:
        """Whether the pool's process has died. Told by its sentinel as well: the executor
        marks itself broken only once its own thread has noticed, which on a busy machine
        can be after the next work is handed to it. That work then failed, or, when the two
        met inside ``submit``, Python 3.11's executor lost it and its caller waited forever."""
        if getattr(self._pool, "_broken", False):
            return True
        sentinels = [process.sentinel for process in self._processes()]
        return bool(sentinels and wait(sentinels, 0))

    @property
    def idle(self) -> bool:
        """Alive, open, with no work in hand or waiting."""
        return not (self._closed or self._busy or self._waiting or self._died())

    async def check(self) -> None:
        """For readiness: a pool found broken (its process killed between two pieces of
        work) is replaced, and the new process must answer."""
        if self._died() and not self._closed:
            self._replace(self._pool)
            await asyncio.wrap_future(self._pool.submit(int))

    async def close(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Cancel queued work, give the work in hand ``grace`` seconds, then end the process.

        The standard library's blocking ``shutdown(wait=True)`` is never called on the event
        loop: Python 3.11's executor can deadlock in it (fixed only in later releases), and a
        stopping service must stop whatever its worker is doing."""
        self._closed = True
        for queue in self._waiting.values():
            for job in queue:
                if not job.done.done():
                    job.done.set_exception(RuntimeError("the worker process is closed"))
        self._waiting.clear()
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


async def watch(worker: Worker, health: Health) -> None:
    """Keep ``worker``'s process alive, as a supervised task: checked every
    ``WATCH_SECONDS``, one that died is replaced then rather than on the next work or
    readiness probe, and a replacement that does not answer is raised, to be tried again
    with backoff and reported down meanwhile."""
    while True:
        await worker.check()
        health.well()
        await asyncio.sleep(WATCH_SECONDS)


def worker_process(runtime: ServiceRuntime, name: str, warm_up: Callable[..., Any],
                   *args: Any, background: bool = False, lazy: bool = False) -> Worker:
    """A worker made as ``runtime`` makes them (a :class:`WorkerProcess` unless told
    otherwise), closed when it stops, checked by its readiness as ``worker:<name>``, and
    watched by its supervisor (task ``worker:<name>``)."""
    worker = runtime.workers(warm_up, *args, background=background, lazy=lazy)
    runtime.close_on_stop(worker.close)
    runtime.check_ready(f"worker:{name}", worker.check)
    runtime.supervise(f"worker:{name}", partial(watch, worker))
    return worker
