"""Subscriptions to named EPCIS queries, by webhook (``model.Subscription``): made and
ended on a query, and sent by a job that runs every few seconds; each due subscription
POSTs its next page of events, signed per Standard Webhooks, through the platform's
sender (``shared.ports.webhooks``, the catalog's too)."""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass

from services.traceability.named_queries.commands import no_such_query
from services.traceability.named_queries.model import Subscription
from services.traceability.origin.queries import Histories
from services.traceability.store import EPCIS_SUBSCRIPTIONS, named_queries, subscriptions
from shared.identity.auth import Caller
from shared.platform.clock import Clock
from shared.ports.store import DocumentStore, StaleVersion
from shared.ports.webhooks import Attempt, RetrySchedule, WebhookMessage, WebhookSender
from shared.refusals import N_, Conflict, NotFound

log = logging.getLogger(__name__)
PER_DELIVERY = 100
"""Events one POST carries at most: more wait for the next."""
MAX_PER_QUERY = 10
SENT_EVERY = 2.0
"""Seconds between the job's rounds."""


@dataclass
class Subscriptions:
    store: DocumentStore
    clock: Clock
    histories: Histories
    sender: WebhookSender
    schedule: RetrySchedule
    allow_private: bool

    async def subscribe(self, caller: Caller, query_name: str, url: str) -> Subscription:
        if await named_queries.get_or_none(self.store, query_name) is None:
            raise no_such_query(query_name)
        made = Subscription.subscribe(query_name, url, allow_private=self.allow_private,
                                      at=self.clock.now(), by=caller.user_id)
        async with self.store.transaction() as tx:
            if await tx.count(EPCIS_SUBSCRIPTIONS.name, {"query_name": query_name}) \
                    >= MAX_PER_QUERY:
                raise Conflict(N_("A query has at most %(most)s subscriptions."),
                               code="too-many-subscriptions", most=MAX_PER_QUERY)
            await subscriptions.add(tx, made)
        return made

    async def of(self, query_name: str) -> list[Subscription]:
        if await named_queries.get_or_none(self.store, query_name) is None:
            raise no_such_query(query_name)
        return await subscriptions.find(self.store, {"query_name": query_name})

    async def end(self, query_name: str, subscription_id: str) -> None:
        async with self.store.transaction() as tx:
            held = await subscriptions.get_or_none(tx, subscription_id)
            if held is None or held.query_name != query_name:
                raise NotFound(N_("The query %(name)s has no subscription %(id)s."),
                               name=query_name, id=subscription_id)
            await tx.delete(EPCIS_SUBSCRIPTIONS.name, subscription_id)

    async def round(self) -> int:
        """Send each due subscription's next page; how many were sent."""
        sent = 0
        for held in await subscriptions.find(self.store, {"enabled": True}):
            if held.due(self.clock.now()):
                with contextlib.suppress(StaleVersion):  # ended, or sent by another replica
                    sent += await self._send(held)
        return sent

    async def _send(self, held: Subscription) -> int:
        named = await named_queries.get_or_none(self.store, held.query_name)
        if named is None:  # the query was deleted: so are its subscriptions
            async with self.store.transaction() as tx:
                await tx.delete(EPCIS_SUBSCRIPTIONS.name, held.id)
            return 0
        document, end, ids = await self.histories.recorded_since(
            named.run([]), held.since, held.after, PER_DELIVERY, named.id)
        if not ids or end is None:
            return 0
        document["epcisBody"]["queryResults"]["subscriptionID"] = held.id
        outcome = await self.sender.send(WebhookMessage(
            held.url, held.secret, f"{held.id}.{ids[0]}", self.clock.now(),
            json.dumps(document, ensure_ascii=False, separators=(",", ":"))))
        now = self.clock.now()
        held.record(Attempt(now.isoformat(), outcome.status_code, outcome.error,
                            outcome.duration_ms), now, self.schedule, end)
        async with self.store.transaction() as tx:
            await subscriptions.save(tx, held)
        if not held.enabled:
            log.warning("EPCIS subscription %s disabled: %s", held.id, held.disabled_reason)
        return 1
