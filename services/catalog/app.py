"""Composition root of the catalog service: the one place its adapters and parts are wired."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from services.catalog.api import ROUTERS
from services.catalog.api.events import StreamDocument
from services.catalog.api.feeds import FeedCache
from services.catalog.channels.commands import Channels
from services.catalog.listings.commands import Listings
from services.catalog.listings.publishing import Publisher
from services.catalog.listings.queries import Catalog
from services.catalog.reactions import Reactions
from services.catalog.site.card import Cards
from services.catalog.store import COLLECTIONS, LISTINGS
from services.catalog.webhooks.commands import Webhooks
from services.catalog.webhooks.dispatch import Dispatcher
from shared.messaging.contracts.catalog import LISTING_EVENTS
from shared.messaging.contracts.rating import (
    CERTIFICATE_IN_FORCE,
    CertificateExpired,
    CertificateRestated,
    CertificateRevoked,
)
from shared.messaging.contracts.registry import PRODUCT_STATES
from shared.messaging.contracts.traceability import BatchOpened, LabelIssued, OriginEventRecorded
from shared.messaging.reconciliation import Sweep
from shared.messaging.repairs import Repairs
from shared.platform.clock import Clock
from shared.platform.config import Settings
from shared.platform.runtime import ServiceRuntime
from shared.platform.warm_up import WarmUp
from shared.platform.workers import WorkerFactory
from shared.ports.bus import EventBus
from shared.ports.webhooks import HttpWebhookSender, RetrySchedule

NAME = "catalog"
WEBHOOK_POLL_SECONDS = 1.0
"""Retries falling due are looked for this often; new changes wake the dispatcher at once."""
WARM_UP = "warm-up"
"""The job that readies a started catalog for its first searches (``WarmUp``)."""
WARM_REQUESTS = ("/listings", "/listings?q=ca&sort=-stars", "/listings?q=ca+ph&stars=5",
                 "/?q=ca&lang=vi", "/?lang=en")
"""Asked once the listings are warm: the public listings and the home page, with searches."""


def stream_bootstrap(settings: Settings) -> str | None:
    """The Kafka address channels are given: the setting, else the bus's if it is Kafka."""
    if settings.stream_bootstrap:
        return settings.stream_bootstrap
    bus = urlsplit(settings.bus_url_resolved())
    if bus.scheme != "kafka" or not bus.hostname:
        return None
    return f"{bus.hostname}:{bus.port or 9092}"


def build(settings: Settings, *, bus: EventBus | None = None, clock: Clock | None = None,
          workers: WorkerFactory | None = None) -> ServiceRuntime:
    # A channel's own writes (its webhooks) carry its API key, which the gate checks.
    runtime = ServiceRuntime(NAME, settings, collections=COLLECTIONS, bus=bus, clock=clock,
                             workers=workers, publishes=LISTING_EVENTS, cross_origin_reads=True,
                             open_writes=("/channel/",))
    publisher = Publisher(settings.public_url)
    dispatcher = Dispatcher(
        runtime.store, runtime.clock,
        HttpWebhookSender(timeout_seconds=settings.webhook_timeout_seconds,
                          allow_private=settings.allow_private_webhook_urls),
        RetrySchedule(timedelta(seconds=settings.webhook_first_retry_seconds),
                      settings.webhook_attempts), settings.webhook_timeout_seconds)
    runtime.every("webhooks", WEBHOOK_POLL_SECONDS, dispatcher.round, wakes=dispatcher.wakes)
    runtime.close_on_stop(dispatcher.close)
    webhooks = Webhooks(runtime.store, runtime.clock, settings.allow_private_webhook_urls,
                        dispatcher.wake)
    keeper = Listings(runtime.store, runtime.outbox, publisher, runtime.clock, webhooks)
    reactions = Reactions(keeper, runtime.clock, Repairs(NAME, runtime.clock))
    for event in CERTIFICATE_IN_FORCE:
        runtime.handle(event, reactions.on_certificate_in_force)
    runtime.handle(CertificateRestated, reactions.on_certificate_restated)
    runtime.handle(CertificateRevoked, reactions.on_revoked)
    runtime.handle(CertificateExpired, reactions.on_expired)
    runtime.handle(LabelIssued, reactions.on_label)
    for product_event in PRODUCT_STATES:
        runtime.handle(product_event, reactions.on_product_changed)
    runtime.handle(BatchOpened, reactions.on_batch_opened)
    runtime.handle(OriginEventRecorded, reactions.on_origin_recorded)
    runtime.provide(Catalog(runtime.store, runtime.clock), keeper, publisher,
                    Channels(runtime.store, runtime.clock), webhooks,
                    StreamDocument.at(stream_bootstrap(settings)), FeedCache(),
                    Cards(runtime.objects))
    for router in ROUTERS:
        runtime.include(router)
    # A restarted catalog's first searches read their pages from disk and paid the first
    # request's costs (~400 ms at a million listings, where warm ones take a few): the
    # search tables are read ahead and a few searches asked once, in the background, the
    # service unready meanwhile (``shared.platform.warm_up``).
    if settings.catalog_warm_up_seconds:
        warm_up = WarmUp(runtime.store, LISTINGS.name, settings.catalog_warm_up_seconds,
                         WARM_REQUESTS)
        runtime.front(warm_up.layer)
        runtime.every(WARM_UP, 24 * 3600, warm_up.run)
        runtime.check_ready(WARM_UP, warm_up.check)
    # The compacted listings stream said again, a slice a run: a record the broker lost
    # comes back (``Listings.restate``).
    sweep = Sweep("listings stream", LISTINGS.name, settings.reconcile_slice, runtime.clock)
    runtime.every("listings reconciliation", settings.reconcile_seconds,
                  lambda: sweep.run(runtime.store, keeper.restate))
    return runtime
