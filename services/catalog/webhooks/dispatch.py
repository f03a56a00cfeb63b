"""The webhook dispatcher: sends what is due, in the background, apart from everything else.

Each enabled endpoint is drained by a task of its own, so a slow or failing receiver delays
only itself. Within an endpoint, the first waiting delivery of each product goes out (many
products at once, one at a time per product); a later one waits for the earlier to be
delivered. A delivery is claimed before it is sent (an optimistic write), so replicas of the
catalog never send one twice at once; a process that dies mid-send leaves the claim to
lapse and the delivery to be sent again: at least once, as the specification expects.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from services.catalog.listings.changes import CHANGES, encode_cursor
from services.catalog.store import DELIVERIES, deliveries, endpoints
from services.catalog.webhooks.model import Delivery, DeliveryState, Endpoint
from shared.platform.clock import Clock
from shared.ports.bus.port import cancel_all
from shared.ports.store import DocumentStore
from shared.ports.store.port import StaleVersion
from shared.ports.webhooks import (
    Attempt,
    RetrySchedule,
    SendOutcome,
    WebhookMessage,
    WebhookSender,
)

log = logging.getLogger(__name__)

LOOK_AHEAD = 500
"""How many of an endpoint's waiting deliveries one pass weighs."""
AT_ONCE = 16
"""Deliveries in flight to one endpoint (each about a different product)."""
CLAIM_MARGIN = timedelta(seconds=30)


def body_of(change: dict[str, object], number: int) -> str:
    """The JSON a receiver gets: the Standard Webhooks fields (type, timestamp, data) with
    the CloudEvents id and schema, and the change-log cursor to resume polling from."""
    return json.dumps({"type": change["type"], "timestamp": change["time"],
                       "id": change["event_id"], "dataschema": change["dataschema"],
                       "cursor": encode_cursor(number), "data": change["data"]},
                      ensure_ascii=False, separators=(",", ":"))


@dataclass
class Dispatcher:
    store: DocumentStore
    clock: Clock
    sender: WebhookSender
    schedule: RetrySchedule
    timeout_seconds: float
    wakes: asyncio.Event = field(default_factory=asyncio.Event)
    _draining: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    def wake(self) -> None:
        self.wakes.set()

    async def round(self) -> int:
        """Start draining every enabled endpoint not already being drained; how many."""
        started = 0
        for endpoint in await endpoints.find(self.store, {"enabled": True}):
            running = self._draining.get(endpoint.id)
            if running is None or running.done():
                self._draining[endpoint.id] = asyncio.create_task(
                    self._drain(endpoint.id), name=f"webhooks:{endpoint.id}")
                started += 1
        return started

    async def close(self) -> None:
        await cancel_all(list(self._draining.values()))
        await self.sender.close()

    async def _drain(self, endpoint_id: str) -> None:
        try:
            while (endpoint := await endpoints.get_or_none(self.store, endpoint_id)) \
                    and endpoint.enabled and (due := await self._due(endpoint_id)):
                await asyncio.gather(*(self._deliver(endpoint, d) for d in due))
        except Exception:
            log.exception("webhooks: draining endpoint %s failed; the next round resumes it",
                          endpoint_id)

    async def _due(self, endpoint_id: str) -> list[Delivery]:
        """The first waiting delivery of each product, if its time has come."""
        page = await self.store.find(DELIVERIES.name, {"endpoint_id": endpoint_id,
                                                       "state": DeliveryState.PENDING},
                                     order_by="id", limit=LOOK_AHEAD)
        now, lanes, due = self.clock.now(), set(), []
        for delivery in map(deliveries.load, page.items):
            if delivery.lane not in lanes:
                lanes.add(delivery.lane)
                if delivery.due(now):
                    due.append(delivery)
        return due[:AT_ONCE]

    async def _deliver(self, endpoint: Endpoint, delivery: Delivery) -> None:
        try:
            async with self.store.transaction() as tx:
                delivery.claim(self.clock.now(),
                               timedelta(seconds=self.timeout_seconds) + CLAIM_MARGIN)
                await deliveries.save(tx, delivery)
        except StaleVersion:
            return  # another replica has it (or the channel asked for it again)
        change = await self.store.get(CHANGES.name, f"{delivery.change:012d}")
        if change is None:  # cannot happen while change log entries are kept
            log.error("webhooks: change %s of delivery %s is gone", delivery.change, delivery.id)
            return
        sent = await self.sender.send(WebhookMessage(
            endpoint.url, endpoint.secret, delivery.event_id, self.clock.now(),
            body_of(change.data, delivery.change)))
        await self._record(endpoint, delivery, sent)

    async def _record(self, endpoint: Endpoint, delivery: Delivery, sent: SendOutcome) -> None:
        now = self.clock.now()
        attempt = Attempt(now.isoformat(), sent.status_code, sent.error, sent.duration_ms)
        try:
            async with self.store.transaction() as tx:
                held = await endpoints.get_or_none(tx, endpoint.id)
                if not delivery.record(attempt, now, self.schedule) and held is not None:
                    held.disable(now.isoformat(), (
                        f"every attempt to deliver {delivery.event_id} failed over "
                        f"{self.schedule.span}; last: {attempt.error}"))
                    await endpoints.save(tx, held)
                await deliveries.save(tx, delivery)
        except StaleVersion:
            log.info("webhooks: delivery %s was set going again while being sent", delivery.id)
