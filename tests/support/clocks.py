"""Clocks for tests: a fixed one for rules that depend on the day, and the system's for the
parts a test runs as they run in production (the suite may be travelling in time: see
``time_travel.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from shared.platform.clock import Clock, SystemClock

SYSTEM_CLOCK = SystemClock()


@dataclass
class FixedClock(Clock):
    """Always ``instant`` until a test moves it (``clock.instant = …``)."""

    instant: datetime

    @classmethod
    def on(cls, day: date) -> FixedClock:
        """Nine in the morning (UTC) of ``day``."""
        return cls(datetime.combine(day, time(9), UTC))

    def now(self) -> datetime:
        return self.instant


def today() -> date:
    """The test process's today (the travelled one, when the suite travels)."""
    return SYSTEM_CLOCK.today()
