"""Supervision of a runtime's background tasks: the outbox relay, the event consumer, each
repeated job and the watch over each worker process.

Each runs under one ``Supervisor``. A task that raises is logged, marked down (since when,
and the class of its error: never its message, which may quote data) and started again
after a delay that doubles with each failure in a row, up to a cap, with jitter so that
the replicas of a service do not all retry at the same instant. It is never given up:
a task that keeps failing keeps being retried, and reported down, until it works again or
the runtime stops (cancelling it is the one clean way out). Readiness reads the report
(``shared.platform.runtime``): a task down makes the service degraded.

A task is told how it is doing through its ``Health``: ``well()`` once it does its work
again (a relay that published, a job that ran), which marks it up and resets the delay;
``failing(exc)`` for an error it survives by retrying on its own (a consumer whose store
refuses a batch, which the bus delivers again), which marks it down without a restart.
A restarted task that has not yet said ``well()`` stays down: a task that fails again at
once would otherwise read as up between two failures.

The delays are measured on the event loop's monotonic time; only the moment a task went
down is read from the runtime's clock, to be shown.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from shared.platform.clock import Clock

log = logging.getLogger(__name__)

Run = Callable[["Health"], Awaitable[None]]
"""A supervised task: runs until cancelled, telling its ``Health`` how it does."""


class TaskEnded(Exception):
    """A supervised task returned: it is meant to run until the runtime stops."""


@dataclass(frozen=True)
class Backoff:
    """How long a failed task waits before it is started again: ``first_seconds`` after
    its first failure in a row, doubling with each further one up to ``max_seconds``,
    each delay drawn within ±``jitter``/2 of that (at the default, 0.75–1.25 times it, so
    that each delay is still longer than the one before until the cap)."""

    first_seconds: float = 0.5
    max_seconds: float = 30.0
    jitter: float = 0.5

    def delay(self, failures: int, draw: float) -> float:
        """The delay after the ``failures``-th failure in a row (from 1); ``draw`` is a
        random number in [0, 1)."""
        doubled = self.first_seconds * 2.0 ** min(max(failures - 1, 0), 62)
        return min(doubled, self.max_seconds) * (1 - self.jitter / 2 + self.jitter * draw)


@dataclass(frozen=True)
class TaskState:
    """What the supervisor knows of one task."""

    name: str
    up: bool = True
    """Running, and not failed since it last said ``well()``."""
    down_since: datetime | None = None
    """When the first of its current failures in a row happened (None while up)."""
    error: str | None = None
    """The class of its last error (e.g. ``OperationalError``), while down."""
    failures: int = 0
    """Failures in a row."""
    restarts: int = 0
    """Times it was started again since the runtime started."""
    outage: bool = False
    """Down for an outage of a port that readiness reports on its own (the bus)."""


class Health:
    """A task's line to its supervisor."""

    def __init__(self, supervisor: Supervisor, name: str) -> None:
        self._supervisor = supervisor
        self.name = name

    def well(self) -> None:
        """The task does its work: up, and its next failure waits the shortest delay."""
        self._supervisor._well(self.name)

    def failing(self, error: BaseException) -> None:
        """The task hit ``error`` and retries on its own: down, not restarted."""
        self._supervisor._failed(self.name, error)


class Supervisor:
    """Runs ``owner``'s background tasks, each started again with backoff when it fails."""

    def __init__(self, owner: str, clock: Clock, backoff: Backoff | None = None, *,
                 outages: tuple[type[BaseException], ...] = (),
                 draw: Callable[[], float] = random.random) -> None:
        """``outages``: errors that an outage of a port explains (the bus's
        ``BusUnavailable``); a task down for one is reported as such. ``draw``: where the
        jitter comes from."""
        self.owner = owner
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.outages = outages
        self._draw = draw
        self._states: dict[str, TaskState] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, name: str, run: Run) -> None:
        """Run ``run(health)`` in the background under ``name``, until ``stop``."""
        if name in self._tasks:
            raise ValueError(f"{self.owner} already runs a task named {name!r}")
        self._states[name] = TaskState(name)
        # Named by the task first: a scheduled job's is ``job:…`` (the test suite tells
        # what a job reads from what a test does by that).
        self._tasks[name] = asyncio.create_task(self._keep(name, run),
                                                name=f"{name}@{self.owner}")

    @property
    def states(self) -> dict[str, TaskState]:
        """Each task's state, by name."""
        return dict(self._states)

    def down(self) -> list[TaskState]:
        """The tasks that are down."""
        return [state for state in self._states.values() if not state.up]

    async def stop(self) -> None:
        """Cancel every task and wait until each has stopped."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task, result in zip(tasks, await asyncio.gather(*tasks, return_exceptions=True),
                                strict=True):
            if isinstance(result, Exception):  # _keep raises nothing but its cancellation
                log.error("%s ended in an error while stopping", task.get_name(),
                          exc_info=result)

    async def _keep(self, name: str, run: Run) -> None:
        health = Health(self, name)
        while True:
            try:
                await run(health)
                error: Exception = TaskEnded(f"{name} returned")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = exc
            state = self._failed(name, error)
            delay = self.backoff.delay(state.failures, self._draw())
            self._log(state, error, delay)
            await asyncio.sleep(delay)
            self._states[name] = replace(self._states[name],
                                         restarts=self._states[name].restarts + 1)

    def _failed(self, name: str, error: BaseException) -> TaskState:
        state = self._states[name]
        state = self._states[name] = replace(
            state, up=False, down_since=state.down_since or self.clock.now(),
            error=type(error).__name__, failures=state.failures + 1,
            outage=isinstance(error, self.outages))
        return state

    def _well(self, name: str) -> None:
        state = self._states[name]
        if not state.up:
            log.info("%s: %s works again after %d failures", self.owner, name,
                     state.failures)
            self._states[name] = replace(state, up=True, down_since=None, error=None,
                                         failures=0, outage=False)

    def _log(self, state: TaskState, error: Exception, delay: float) -> None:
        """The first failure in a row with its traceback (which names the code, not the
        settings), the next ones in a line: a task failing every 30 s for an hour must not
        fill the log with the same trace."""
        if state.failures == 1:
            log.error("%s: %s failed (%s); started again in %.2f s", self.owner, state.name,
                      state.error, delay, exc_info=error)
        else:
            log.warning("%s: %s failed again (%s, %d in a row, down since %s); started "
                        "again in %.2f s", self.owner, state.name, state.error,
                        state.failures, state.down_since, delay)
