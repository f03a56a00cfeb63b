"""A channel's commands on its webhook endpoints and deliveries, its delivery log, and the
fan-out of each change to the endpoints that want it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from services.catalog.channels.model import Channel
from services.catalog.listings.changes import Change
from services.catalog.listings.model import Listing
from services.catalog.store import DELIVERIES, channels, deliveries, endpoints
from services.catalog.webhooks.model import (
    MAX_ENDPOINTS,
    Delivery,
    DeliveryState,
    Endpoint,
    delivery_id,
)
from shared.http.addresses import resolves_privately
from shared.platform.clock import Clock
from shared.ports.store import DocumentStore, Transaction
from shared.ports.webhooks import check_endpoint_url, private_endpoint
from shared.refusals import N_, Conflict, NotFound, Term


def _not_yours(kind: str) -> NotFound:
    """``kind``: what is missing, a catalog message (``N_``)."""
    return NotFound(N_("Your channel has no such %(kind)s."), code="not-found", kind=Term(kind))


@dataclass(frozen=True)
class Webhooks:
    store: DocumentStore
    clock: Clock
    allow_private: bool
    """Accept http and loopback/private endpoints (``OCOP_ALLOW_PRIVATE_WEBHOOK_URLS``)."""
    wake: Callable[[], None]
    """Tells the dispatcher there is something to send (after the change commits)."""

    async def _check_url(self, url: str) -> None:
        check_endpoint_url(url, allow_private=self.allow_private)
        if not self.allow_private and await resolves_privately(urlsplit(url).hostname or ""):
            raise private_endpoint()

    async def add_endpoint(self, channel: Channel, *, url: str, event_types: list[str],
                           description: str) -> Endpoint:
        await self._check_url(url)
        endpoint = Endpoint.add(channel_id=channel.id, url=url, event_types=event_types,
                                description=description, at=self.clock.stamp())
        async with self.store.transaction() as tx:
            if await tx.count(endpoints.collection, {"channel_id": channel.id}) >= MAX_ENDPOINTS:
                raise Conflict(N_("A channel may have %(limit)s webhook endpoints; remove one "
                                  "it no longer uses first."), code="too-many-endpoints",
                               limit=MAX_ENDPOINTS)
            return await endpoints.add(tx, endpoint)

    async def endpoint(self, channel: Channel, endpoint_id: str) -> Endpoint:
        found = await endpoints.get_or_none(self.store, endpoint_id)
        if found is None or found.channel_id != channel.id:
            raise _not_yours(N_("webhook endpoint"))
        return found

    async def endpoints_of(self, channel: Channel) -> list[Endpoint]:
        return await endpoints.find(self.store, {"channel_id": channel.id})

    async def change_endpoint(self, channel: Channel, endpoint_id: str, *, url: str | None,
                              event_types: list[str] | None, description: str | None,
                              enabled: bool | None) -> Endpoint:
        """Enabling a disabled endpoint sends again what failed while it was failing."""
        if url is not None:
            await self._check_url(url)
        endpoint = await self.endpoint(channel, endpoint_id)
        async with self.store.transaction() as tx:
            endpoint.change(url=url, event_types=event_types, description=description)
            if enabled is False:
                endpoint.disable(self.clock.stamp(), "disabled by the channel")
            elif enabled and not endpoint.enabled:
                endpoint.enable()
                for failed in await deliveries.find(tx, {"endpoint_id": endpoint.id,
                                                         "state": DeliveryState.FAILED}):
                    failed.send_again(self.clock.now())
                    await deliveries.save(tx, failed)
                tx.on_commit(self.wake)
            return await endpoints.save(tx, endpoint)

    async def remove_endpoint(self, channel: Channel, endpoint_id: str) -> None:
        """Gone with what was still waiting to be sent to it; its delivery log stays."""
        endpoint = await self.endpoint(channel, endpoint_id)
        async with self.store.transaction() as tx:
            for waiting in await deliveries.find(tx, {"endpoint_id": endpoint.id,
                                                      "state": DeliveryState.PENDING}):
                await tx.delete(DELIVERIES.name, waiting.id)
            await tx.delete(endpoints.collection, endpoint.id,
                            expected_version=endpoint.version)

    async def redeliver(self, channel: Channel, delivery_id: str) -> Delivery:
        delivery = await deliveries.get_or_none(self.store, delivery_id)
        if delivery is None or delivery.channel_id != channel.id:
            raise _not_yours(N_("delivery"))
        endpoint = await self.endpoint(channel, delivery.endpoint_id)
        if not endpoint.enabled:
            raise Conflict(N_("The delivery's endpoint is disabled; enable it (which sends "
                              "again every failed delivery) rather than redeliver one."),
                           code="endpoint-disabled")
        async with self.store.transaction() as tx:
            delivery.send_again(self.clock.now())
            await deliveries.save(tx, delivery)
            tx.on_commit(self.wake)
        return delivery

    async def deliveries(self, channel: Channel, *, endpoint_id: str | None,
                         state: DeliveryState | None, limit: int, after: str | None
                         ) -> tuple[list[Delivery], str | None]:
        """The channel's delivery log, newest first."""
        where: dict[str, Any] = {"channel_id": channel.id}
        if endpoint_id:
            where["endpoint_id"] = endpoint_id
        if state:
            where["state"] = state
        page = await self.store.find(DELIVERIES.name, where, order_by="-id", limit=limit,
                                     after=after)
        return [deliveries.load(d) for d in page.items], page.next_cursor

    async def fan_out(self, tx: Transaction, change: Change, listing: Listing) -> None:
        """One delivery of ``change`` per endpoint that wants its type, of a channel that may
        carry the listing; made in the change's own transaction."""
        wanting = [e for e in await endpoints.find(tx) if e.wants(change.type)]
        carriers: dict[str, bool] = {}
        for endpoint in wanting:
            if endpoint.channel_id not in carriers:
                channel = await channels.get_or_none(tx, endpoint.channel_id)
                carriers[endpoint.channel_id] = channel is not None and channel.scope.allows(
                    listing.province_key, listing.group)
            if carriers[endpoint.channel_id]:
                await deliveries.add(tx, Delivery(
                    id=delivery_id(change.number, endpoint.id), endpoint_id=endpoint.id,
                    channel_id=endpoint.channel_id, change=change.number,
                    event_id=change.event_id, event_type=change.type,
                    product_id=change.product_id, created_at=change.time.isoformat(),
                    next_attempt_at=change.time.isoformat()))
        if wanting:
            tx.on_commit(self.wake)
