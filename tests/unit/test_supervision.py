"""The supervisor of a runtime's background tasks (``shared.platform.supervision``): a task
that fails is started again after a delay that grows with each failure in a row, reported
down meanwhile (since its first failure, by its error's class), never given up, and
stopped cleanly with its runtime. Real tasks on the event loop, with delays of a tenth of
a second."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from shared.platform.supervision import Backoff, Health, Supervisor, TaskState
from tests.support.clocks import FixedClock

CLOCK_DAY = date(2026, 11, 20)


def supervisor(clock: FixedClock, *, first: float = 0.1, cap: float = 5.0) -> Supervisor:
    """Jitter drawn at its middle: each delay is exactly the doubled one."""
    return Supervisor("test", clock, Backoff(first_seconds=first, max_seconds=cap),
                      draw=lambda: 0.5)


async def test_a_task_failing_twice_is_started_again_later_each_time_and_down_meanwhile(
        caplog: pytest.LogCaptureFixture) -> None:
    clock = FixedClock.on(CLOCK_DAY)
    first_failure = clock.now()
    tasks = supervisor(clock)
    loop = asyncio.get_running_loop()
    starts: list[float] = []
    seen: list[TaskState] = []
    working = asyncio.Event()

    async def flaky(health: Health) -> None:
        starts.append(loop.time())
        seen.append(tasks.states["flaky"])
        if len(starts) <= 2:
            clock.instant += timedelta(minutes=1)  # the next failure is a minute later
            raise OSError("database or disk is full")
        health.well()
        working.set()
        await asyncio.Event().wait()

    tasks.start("flaky", flaky)
    async with asyncio.timeout(5):
        await working.wait()

    # Each wait at least the delay planned (a loaded machine may add to it), and each
    # planned delay double the one before.
    first_delay, second_delay = starts[1] - starts[0], starts[2] - starts[1]
    assert first_delay >= 0.099 and second_delay >= 0.199
    planned = [record.getMessage().rsplit(" in ", 1)[1] for record in caplog.records
               if record.name == "shared.platform.supervision" and "failed" in record.getMessage()]
    assert planned == ["0.10 s", "0.20 s"]
    assert "disk is full" not in caplog.records[1].getMessage()
    # Started again while down: since its first failure, the error's class, not its text.
    assert seen[0] == TaskState("flaky")
    assert (seen[1].up, seen[1].down_since, seen[1].error, seen[1].failures,
            seen[1].restarts) == (False, first_failure + timedelta(minutes=1), "OSError", 1, 1)
    assert (seen[2].up, seen[2].down_since, seen[2].failures, seen[2].restarts) == (
        False, seen[1].down_since, 2, 2)
    assert tasks.states["flaky"] == TaskState("flaky", restarts=2)
    assert tasks.down() == []
    await tasks.stop()


async def test_a_task_that_keeps_failing_keeps_being_retried_and_stops_cleanly() -> None:
    clock = FixedClock.on(CLOCK_DAY)
    tasks = supervisor(clock, first=0.01, cap=0.02)
    attempts = 0
    past_the_cap = asyncio.Event()

    async def broken(_: Health) -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 8:
            past_the_cap.set()
        raise RuntimeError("still broken")

    tasks.start("broken", broken)
    async with asyncio.timeout(5):
        await past_the_cap.wait()  # and still tried
    [down] = tasks.down()
    assert (down.name, down.up, down.error) == ("broken", False, "RuntimeError")
    assert down.failures >= 7 and down.restarts >= 7
    async with asyncio.timeout(5):  # cancelled in its backoff's sleep
        await tasks.stop()
    stopped_at = attempts
    await asyncio.sleep(0.05)
    assert attempts == stopped_at


async def test_a_task_that_returns_is_started_again_as_a_failure() -> None:
    tasks = supervisor(FixedClock.on(CLOCK_DAY), first=0.01)
    runs = 0
    again = asyncio.Event()

    async def short(health: Health) -> None:
        nonlocal runs
        runs += 1
        if runs > 1:
            health.well()
            again.set()
            await asyncio.Event().wait()

    tasks.start("short", short)
    async with asyncio.timeout(5):
        await again.wait()
    assert tasks.states["short"] == TaskState("short", restarts=1)
    await tasks.stop()


async def test_a_task_retrying_on_its_own_is_down_until_it_works_again() -> None:
    """A consumer whose store refuses a batch: the bus delivers it again, no restart."""
    clock = FixedClock.on(CLOCK_DAY)
    tasks = supervisor(clock)
    told: asyncio.Queue[Health] = asyncio.Queue()

    async def consumer(health: Health) -> None:
        await told.put(health)
        await asyncio.Event().wait()

    tasks.start("consumer", consumer)
    health = await told.get()
    health.failing(PermissionError("no"))
    health.failing(PermissionError("no"))
    assert tasks.states["consumer"] == TaskState(
        "consumer", up=False, down_since=clock.now(), error="PermissionError", failures=2)
    health.well()
    assert tasks.states["consumer"] == TaskState("consumer")
    await tasks.stop()


async def test_two_tasks_of_one_name_are_refused() -> None:
    tasks = supervisor(FixedClock.on(CLOCK_DAY))

    async def idle(_: Health) -> None:
        await asyncio.Event().wait()

    tasks.start("relay", idle)
    with pytest.raises(ValueError, match="relay"):
        tasks.start("relay", idle)
    await tasks.stop()


def test_each_delay_doubles_up_to_the_cap_within_its_jitter() -> None:
    backoff = Backoff(first_seconds=0.5, max_seconds=30.0, jitter=0.5)
    assert [backoff.delay(n, 0.5) for n in range(1, 9)] == [
        0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert (backoff.delay(1, 0.0), backoff.delay(1, 0.999999)) == pytest.approx((0.375, 0.625))
    # Jitter never makes a delay shorter than the one before it, until the cap.
    for failures in range(1, 6):
        assert backoff.delay(failures + 1, 0.0) > backoff.delay(failures, 0.999999)
    assert backoff.delay(10_000, 0.999999) <= 30.0 * 1.25
