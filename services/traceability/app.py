"""Composition root of the traceability service: the one place its adapters and parts are
wired."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from services.traceability.api import ROUTERS
from services.traceability.api.scan import REPORTS_PATH
from services.traceability.documents.commands import Filing
from services.traceability.labels import pdf as sheet_pdf
from services.traceability.labels.artwork import render_qr
from services.traceability.labels.commands import Printing
from services.traceability.named_queries.commands import NamedQueries
from services.traceability.named_queries.subscriptions import SENT_EVERY, Subscriptions
from services.traceability.origin import epcis
from services.traceability.origin.capturing import CaptureJobs
from services.traceability.origin.commands import Origin
from services.traceability.origin.queries import Histories
from services.traceability.reactions import Traceability
from services.traceability.scans.commands import Scanning
from services.traceability.scans.pages import SCAN_PATHS, ScanPages, ScanPagesFront
from services.traceability.scans.queries import ScanFigures
from services.traceability.store import COLLECTIONS, index_unindexed
from shared.messaging.contracts.catalog import LISTING_STATES, ListingWithdrawn
from shared.messaging.contracts.rating import (
    CERTIFICATE_IN_FORCE,
    CertificateExpired,
    CertificateRestated,
    CertificateRevoked,
)
from shared.messaging.contracts.registry import PRODUCT_STATES, ProductGtinRetired
from shared.messaging.contracts.traceability import (
    BatchOpened,
    LabelIssued,
    LabelsIssued,
    OriginEventRecorded,
    ScanAnomalyDetected,
)
from shared.messaging.repairs import Repairs
from shared.platform.clock import Clock
from shared.platform.config import Settings
from shared.platform.keyfiles import kept_secret
from shared.platform.runtime import ServiceRuntime
from shared.platform.workers import WorkerFactory, worker_process
from shared.ports.bus import EventBus
from shared.ports.webhooks import HttpWebhookSender, RetrySchedule

NAME = "traceability"
FINGERPRINT_KEY_FILE = ".scan-fingerprint-key"
SCAN_COUNTS_WRITTEN_EVERY = 5
"""Seconds between writes of the scans counted in memory."""
SCAN_PAGES_CHANGED = "traceability.scan-pages-changed"
"""The replicas' signal: drop the scan pages kept in memory."""


def warm_up() -> None:
    """Load what the worker process draws labels and hashes events with."""
    render_qr("warm-up")
    epcis.warm_up()


def fingerprint_key(settings: Settings) -> bytes:
    """``OCOP_SCAN_FINGERPRINT_KEY``, or the one kept in the data directory."""
    if settings.scan_fingerprint_key is not None:
        return settings.scan_fingerprint_key.get_secret_value().encode()
    return kept_secret(settings.data_dir / FINGERPRINT_KEY_FILE)


def build(settings: Settings, *, bus: EventBus | None = None, clock: Clock | None = None,
          workers: WorkerFactory | None = None) -> ServiceRuntime:
    # A shopper's report is the one write without a sign-in (bounded in ``report_code``).
    runtime = ServiceRuntime(NAME, settings, collections=COLLECTIONS, bus=bus, clock=clock,
                             workers=workers, open_writes=(REPORTS_PATH,),
                             publishes=(LabelIssued, BatchOpened, OriginEventRecorded,
                                        LabelsIssued, ScanAnomalyDetected))
    worker = worker_process(runtime, "labels and hashes", warm_up)
    scan_base_url = settings.scan_base_url or settings.public_url
    pages = ScanPages(runtime.clock)
    pages.on_change = runtime.signal(SCAN_PAGES_CHANGED, pages.forget).raise_
    tracing = Traceability(runtime.store, runtime.outbox, runtime.objects, worker,
                           public_url=settings.public_url, scan_base_url=scan_base_url,
                           clock=runtime.clock, shown_changed=pages.changed,
                           repairs=Repairs(NAME, runtime.clock))
    origin = Origin(runtime.store, runtime.outbox, worker, scan_base_url, runtime.clock,
                    pages.changed)
    histories = Histories(runtime.store, worker, scan_base_url, runtime.clock)
    scanning = Scanning(runtime.store, runtime.outbox, histories, runtime.clock,
                        fingerprint_key(settings), office_contact=settings.office_contact)
    runtime.front(ScanPagesFront, pages=pages, scanning=scanning)
    runtime.limit((*SCAN_PATHS, REPORTS_PATH), settings.scan_rate_limit)
    # Label sheets (up to 10,000 labels) in a worker of their own, at a lower priority and
    # started on the first sheet: drawing never delays a certified product's label or a
    # capture's hashes.
    printing = Printing(runtime.store, runtime.outbox, runtime.objects,
                        worker_process(runtime, "label sheets", sheet_pdf.warm_up,
                                       background=True, lazy=True),
                        scan_base_url, runtime.clock, settings.allow_private_scan_url)
    runtime.close_on_stop(printing.close)
    runtime.every("write scan counts", SCAN_COUNTS_WRITTEN_EVERY, scanning.flush)
    runtime.close_on_stop(scanning.flush)
    runtime.every("resume label sheets", 300, printing.resume)
    runtime.every("index earlier origin records for the EPCIS query", 3600,
                  partial(index_unindexed, runtime.store))
    for event in CERTIFICATE_IN_FORCE:
        runtime.handle(event, tracing.on_certificate_in_force)
    runtime.handle(CertificateRestated, tracing.on_certificate_restated)
    runtime.handle(CertificateRevoked, tracing.on_revoked)
    runtime.handle(CertificateExpired, tracing.on_expired)
    for product_event in PRODUCT_STATES:
        runtime.handle(product_event, tracing.on_product_changed)
    runtime.handle(ProductGtinRetired, tracing.on_gtin_retired)
    for listing_event in LISTING_STATES:
        runtime.handle(listing_event, tracing.on_listing)
    runtime.handle(ListingWithdrawn, tracing.on_listing_withdrawn)
    filing = Filing(runtime.store, runtime.objects, runtime.clock, settings.public_url)
    subscriptions = Subscriptions(
        runtime.store, runtime.clock, histories,
        HttpWebhookSender(timeout_seconds=settings.webhook_timeout_seconds,
                          allow_private=settings.allow_private_webhook_urls),
        RetrySchedule(timedelta(seconds=settings.webhook_first_retry_seconds),
                      settings.webhook_attempts), settings.allow_private_webhook_urls)
    runtime.every("send EPCIS subscriptions", SENT_EVERY, subscriptions.round)
    runtime.close_on_stop(subscriptions.sender.close)
    runtime.provide(tracing, origin, histories, NamedQueries(runtime.store, runtime.clock),
                    subscriptions, CaptureJobs(runtime.store, runtime.clock), printing, scanning,
                    ScanFigures(runtime.store, scanning), pages, filing)
    for router in ROUTERS:
        runtime.include(router)
    return runtime
