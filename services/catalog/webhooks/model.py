"""Webhooks (Standard Webhooks): a sales channel's endpoints and the deliveries made to them.

A channel that cannot run a Kafka consumer names https endpoints and the listing events each
wants; every change the channel may see becomes one ``Delivery`` per endpoint, made in the
transaction of the change itself, so nothing is lost between the catalog and the sender.
A delivery is retried with exponential backoff over about a day (``RetrySchedule``); the
deliveries of one endpoint about one product go out one at a time, oldest first, so a
channel never sees a product's changes out of order. A delivery that fails every attempt
disables its endpoint (persistent failure); enabling it again sends what failed. Pure: no
I/O, no clock of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from shared.messaging.contracts.catalog import LISTING_EVENTS
from shared.platform.ids import new_id
from shared.ports.webhooks import Attempt, RetrySchedule, new_secret
from shared.refusals import N_, invalid

EVENT_TYPES = tuple(e.event_type for e in LISTING_EVENTS)
"""What an endpoint may subscribe to: the listings stream's events."""
MAX_ENDPOINTS = 10
ERROR_LENGTH = 300
"""How much of a receiver's failure the delivery log keeps."""


def check_event_types(event_types: list[str]) -> None:
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown or not event_types:
        raise invalid("event_types", N_("choose among %(choices)s"),
                      choices=", ".join(EVENT_TYPES))


@dataclass
class Endpoint:
    """Where a channel wants to be told of listing events (địa chỉ nhận webhook)."""

    id: str
    channel_id: str
    url: str
    event_types: list[str]
    secret: str
    """``whsec_`` and base64 of 24 random bytes: signs every delivery; shown once to the
    channel, kept readable because signing needs it."""
    created_at: str
    description: str = ""
    enabled: bool = True
    disabled_at: str | None = None
    disabled_reason: str | None = None
    version: int = 0

    @classmethod
    def add(cls, *, channel_id: str, url: str, event_types: list[str], description: str,
            at: str) -> Endpoint:
        check_event_types(event_types)
        return cls(id=new_id(), channel_id=channel_id, url=url, event_types=event_types,
                   secret=new_secret(), created_at=at, description=description)

    def wants(self, event_type: str) -> bool:
        """Whether changes of this type are kept for it (while disabled too: enabling it
        again sends them; nothing is lost while a receiver is mended)."""
        return event_type in self.event_types

    def change(self, *, url: str | None, event_types: list[str] | None,
               description: str | None) -> None:
        if event_types is not None:
            check_event_types(event_types)
            self.event_types = event_types
        self.url = url if url is not None else self.url
        self.description = description if description is not None else self.description

    def disable(self, at: str, reason: str) -> None:
        if self.enabled:
            self.enabled, self.disabled_at, self.disabled_reason = False, at, reason

    def enable(self) -> None:
        self.enabled, self.disabled_at, self.disabled_reason = True, None, None


class DeliveryState(StrEnum):
    PENDING = "pending"
    """Waiting for its turn or its next attempt."""
    DELIVERED = "delivered"
    FAILED = "failed"
    """Every attempt failed; its endpoint was disabled."""


def delivery_id(change: int, endpoint_id: str) -> str:
    """Deterministic (a change is fanned out to an endpoint once) and in change order."""
    return f"{change:012d}.{endpoint_id}"


@dataclass
class Delivery:
    """One change sent to one endpoint: its attempts, and what is next."""

    id: str
    endpoint_id: str
    channel_id: str
    change: int
    event_id: str
    """The ``webhook-id``: the same on every attempt, so a receiver can drop repeats."""
    event_type: str
    product_id: str
    created_at: str
    next_attempt_at: str | None
    state: DeliveryState = DeliveryState.PENDING
    attempts: list[Attempt] = field(default_factory=list)
    tries: int = 0
    """Attempts since it was (last) set going: the retry schedule counts these."""
    version: int = 0

    @property
    def lane(self) -> str:
        """Deliveries in one lane go out one at a time, in change order."""
        return f"{self.endpoint_id}:{self.product_id}"

    def due(self, now: datetime) -> bool:
        return (self.state is DeliveryState.PENDING and self.next_attempt_at is not None
                and datetime.fromisoformat(self.next_attempt_at) <= now)

    def claim(self, now: datetime, lease: timedelta) -> None:
        """About to be sent: no one else sends it until ``lease`` has passed (a replica that
        dies mid-send leaves it to be sent again then)."""
        self.next_attempt_at = (now + lease).isoformat()

    def record(self, attempt: Attempt, now: datetime, schedule: RetrySchedule) -> bool:
        """Keep the attempt's outcome; False when this was the last attempt and it failed."""
        self.attempts.append(attempt)
        self.tries += 1
        if attempt.succeeded:
            self.state, self.next_attempt_at = DeliveryState.DELIVERED, None
            return True
        wait = schedule.after(self.tries)
        if wait is None:
            self.state, self.next_attempt_at = DeliveryState.FAILED, None
            return False
        self.next_attempt_at = (now + wait).isoformat()
        return True

    def send_again(self, now: datetime) -> None:
        """Manual redelivery, or the retry of a failed one when its endpoint is enabled
        again: due at once (one that had finished gets a full schedule ahead)."""
        if self.state is not DeliveryState.PENDING:
            self.tries = 0
        self.state, self.next_attempt_at = DeliveryState.PENDING, now.isoformat()
