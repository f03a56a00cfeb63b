"""Worker processes kept from one test's platform to the next, as a session keeps its
Kafka broker: spawning a service's workers (a fresh interpreter importing the renderers)
costs seconds of CPU, and the platform tests start a platform each.

A platform borrows its workers (``running_platform(workers=KEPT)``, the default) and gives
them back when it stops; a worker comes back only if idle and alive, else it is closed as
a platform's own would be, and the next platform spawns a new one. The work and the
processes are the services' own (``shared.platform.workers.WorkerProcess``): only their lifetime
is the test process's. A test about the processes themselves (killing one) asks for its
own with ``workers=WorkerProcess``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from shared.platform.workers import STOP_GRACE_SECONDS, Worker, WorkerProcess

T = TypeVar("T")
Key = tuple[Callable[..., Any], tuple[Any, ...], bool]


class KeptWorkers:
    """A ``WorkerFactory`` lending kept processes (one borrower at a time each)."""

    def __init__(self) -> None:
        self._idle: dict[Key, list[WorkerProcess]] = {}

    def __call__(self, warm_up: Callable[..., Any], *args: Any, background: bool = False,
                 lazy: bool = False) -> Worker:
        key = (warm_up, args, background)
        kept = self._idle.get(key)
        worker = kept.pop() if kept else WorkerProcess(warm_up, *args, background=background,
                                                       lazy=lazy)
        return _Lent(worker, self, key)

    def give_back(self, key: Key, worker: WorkerProcess) -> None:
        self._idle.setdefault(key, []).append(worker)

    def close_all(self) -> None:
        """At the end of the session (no event loop runs then)."""
        workers = [worker for kept in self._idle.values() for worker in kept]
        self._idle.clear()
        if workers:
            asyncio.run(_closed(workers))


async def _closed(workers: list[WorkerProcess]) -> None:
    await asyncio.gather(*(worker.close() for worker in workers))


class _Lent:
    """A kept worker as one platform sees it: closing gives it back."""

    def __init__(self, worker: WorkerProcess, keeper: KeptWorkers, key: Key) -> None:
        self._worker, self._keeper, self._key = worker, keeper, key

    async def run(self, work: Callable[..., T], *args: Any, share: str = "") -> T:
        return await self._worker.run(work, *args, share=share)

    async def check(self) -> None:
        await self._worker.check()

    async def close(self, grace: float = STOP_GRACE_SECONDS) -> None:
        if self._worker.idle:
            self._keeper.give_back(self._key, self._worker)
        else:  # work in hand belongs to the platform stopping: closed with it
            await self._worker.close(grace)


KEPT = KeptWorkers()
