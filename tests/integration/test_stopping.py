"""A service stopping: every resource is released even when releasing one of them fails
(a store left open keeps its connection's thread, and so the process, alive)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shared.config import Settings
from tests.support.demo import build_producer


async def test_a_failing_step_of_stopping_does_not_keep_the_others_from_running(
        make_settings: Callable[..., Settings]) -> None:
    runtime = build_producer(make_settings())
    released: list[str] = []

    async def worker() -> None:
        released.append("worker")

    async def broken() -> None:
        raise OSError("the device went away")

    runtime.close_on_stop(worker)
    runtime.close_on_stop(broken)  # released first: the last registered
    await runtime.start()
    with pytest.raises(OSError, match="went away"):
        await runtime.stop()
    assert released == ["worker"]
    with pytest.raises(RuntimeError, match="not open"):
        await runtime.store.get("counters", "any")
