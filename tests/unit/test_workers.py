"""The worker process that draws labels and certificates: its work runs in another process,
one that dies is replaced before the next work, and a stopping service ends it even when the
work in hand would never finish."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool, _ExecutorManagerThread
from pathlib import Path

import pytest

from shared.platform.workers import WorkerProcess, ended
from tests.support.demo import wait_until


def _sleep_once_started(started: Path, seconds: float) -> float:
    started.touch()
    time.sleep(seconds)
    return seconds


async def test_a_stopping_worker_ends_work_that_would_never_finish(tmp_path: Path) -> None:
    before = set(multiprocessing.active_children())
    worker = WorkerProcess(time.sleep, 0)
    assert await worker.run(pow, 2, 10) == 1024
    mine = set(multiprocessing.active_children()) - before
    assert len(mine) == 1

    started = tmp_path / "started"
    pending = asyncio.ensure_future(worker.run(_sleep_once_started, started, 3600))
    await wait_until(_exists(started))
    await worker.close(grace=0.5)

    assert ended(list(mine), timeout=0)
    with pytest.raises(BrokenProcessPool):
        await pending
    with pytest.raises(RuntimeError):  # nothing more is taken
        await worker.run(pow, 2, 10)


async def test_a_stopping_worker_lets_the_work_in_hand_finish(tmp_path: Path) -> None:
    worker = WorkerProcess(time.sleep, 0)
    started = tmp_path / "started"
    in_hand = asyncio.ensure_future(worker.run(_sleep_once_started, started, 0.3))
    await wait_until(_exists(started))
    await worker.close()
    assert await in_hand == 0.3


async def test_work_after_a_worker_process_died_goes_to_its_replacement(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # On a busy machine the executor's own thread notices a dead process late; here, not
    # before the next work has been handed over.
    noticed = threading.Event()
    notice = _ExecutorManagerThread.terminate_broken

    def late(manager: _ExecutorManagerThread, cause: object) -> None:
        noticed.wait(timeout=60)  # set by the test; bounded should it fail first
        notice(manager, cause)

    monkeypatch.setattr(_ExecutorManagerThread, "terminate_broken", late)
    before = set(multiprocessing.active_children())
    worker = WorkerProcess(time.sleep, 0)
    try:
        assert await worker.run(pow, 2, 10) == 1024
        (process,) = set(multiprocessing.active_children()) - before
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        assert ended([process], timeout=60)
        after = asyncio.ensure_future(worker.run(pow, 2, 10))
        await asyncio.sleep(0)  # handed over
        noticed.set()
        assert await after == 1024
        assert worker.restarts == 1
    finally:
        noticed.set()
        await worker.close()


def _exists(path: Path) -> Callable[[], Awaitable[bool]]:
    async def exists() -> bool:
        return await asyncio.to_thread(path.exists)
    return exists
