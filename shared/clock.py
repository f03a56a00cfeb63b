"""The one place the date and time are read. Services take a ``Clock`` from their runtime
so that rules depending on "today" (is a certificate still valid?) can be run for any day;
``SystemClock`` is the real one.

Issue 10 moves the remaining readers (registry, rating, traceability, messaging) onto it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...

    def today(self) -> date:
        """Today's date in UTC, the day certificate validity is judged on."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()
