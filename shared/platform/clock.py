"""The one place the date and time are read. Services take a ``Clock`` from their runtime
so that rules depending on "today" (is a certificate still valid?) can be run for any day;
``SystemClock`` is the real one. Nothing else in the code base reads the wall clock for a
date or an instant: a service's runtime holds one clock and hands it to every part that needs
"now" (commands, the outbox's event times, the inbox, dead letters, token lifetimes).

Instants are UTC; days are Việt Nam's. A certificate, a batch's production day or a scan
count belongs to the calendar day people there live in, which starts at 17:00 UTC of the day
before: at 00:30 on 1 January in Hà Nội it is already the new year, though UTC is still on
31 December.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "ICT")
"""Việt Nam's time (UTC+7 all year: no daylight saving)."""


class Clock(ABC):
    @abstractmethod
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""

    def today(self) -> date:
        """Today's date in Việt Nam: the day certificate validity, production days and
        scan counts are judged on."""
        return self.now().astimezone(VIETNAM).date()

    def stamp(self) -> str:
        """The current instant as stored on records (ISO 8601)."""
        return self.now().isoformat()


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)
