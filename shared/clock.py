"""The one place the date and time are read. Services take a ``Clock`` from their runtime
so that rules depending on "today" (is a certificate still valid?) can be run for any day;
``SystemClock`` is the real one. Nothing else in the code base reads the wall clock for a
date or an instant: a service's runtime holds one clock and hands it to every part that needs
"now" (commands, the outbox's event times, the inbox, dead letters, token lifetimes).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, date, datetime


class Clock(ABC):
    @abstractmethod
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""

    def today(self) -> date:
        """Today's date in UTC, the day certificate validity is judged on."""
        return self.now().date()

    def stamp(self) -> str:
        """The current instant as stored on records (ISO 8601)."""
        return self.now().isoformat()


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)
