"""Subscriptions to a named EPCIS query, by webhook: what the query finds among the events
recorded since the subscription began is POSTed to its receiver, signed per Standard
Webhooks (``shared.ports.webhooks``, as the catalog's channel webhooks are), a page of
events at a time, in the order they were recorded. A page is retried on the shared retry
schedule until it is taken (so at least once); a receiver failing every attempt disables
the subscription. Pure: no I/O, no clock of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.traceability.origin.model import utc_stamp
from shared.platform.ids import new_id
from shared.ports.webhooks import Attempt, RetrySchedule, check_endpoint_url, new_secret

ATTEMPTS_KEPT = 10
"""The latest attempts a subscription shows (what its receiver answered)."""


@dataclass
class Subscription:
    id: str
    query_name: str
    url: str
    secret: str
    """``whsec_…``: signs every delivery; shown once, to whoever subscribed."""
    created_at: str
    created_by: str
    since: str
    """Events recorded from then on are sent (``utc_stamp``): those after subscribing."""
    after: str | None = None
    """Where the events already taken end (the store's cursor in record time order)."""
    next_attempt_at: str | None = None
    """After a failure, when to try again; None: whenever events wait."""
    tries: int = 0
    enabled: bool = True
    disabled_reason: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    version: int = 0

    @classmethod
    def subscribe(cls, query_name: str, url: str, *, allow_private: bool, at: datetime,
                  by: str) -> Subscription:
        check_endpoint_url(url, allow_private=allow_private)
        return cls(new_id(), query_name, url, new_secret(), at.isoformat(), by,
                   utc_stamp(at))

    def due(self, now: datetime) -> bool:
        return self.enabled and (self.next_attempt_at is None
                                 or datetime.fromisoformat(self.next_attempt_at) <= now)

    def record(self, attempt: Attempt, now: datetime, schedule: RetrySchedule,
               taken_to: str) -> None:
        """A page was sent: taken (its events are not sent again), or tried again later
        on ``schedule``; disabled once every attempt has failed."""
        self.attempts = [*self.attempts, attempt][-ATTEMPTS_KEPT:]
        if attempt.succeeded:
            self.after, self.tries, self.next_attempt_at = taken_to, 0, None
            return
        self.tries += 1
        wait = schedule.after(self.tries)
        if wait is None:
            self.enabled, self.next_attempt_at = False, None
            self.disabled_reason = (f"every attempt failed over {schedule.span}; last: "
                                    f"{attempt.error or attempt.status_code}")
        else:
            self.next_attempt_at = (now + wait).isoformat()
