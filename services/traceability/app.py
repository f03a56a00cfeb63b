"""Composition root of the traceability service: the one place its adapters and parts are
wired."""

from __future__ import annotations

from services.traceability import epcis, sheet_pdf
from services.traceability.api import router
from services.traceability.handlers import Traceability
from services.traceability.labels import render_qr
from services.traceability.origin import Origin
from services.traceability.origin_api import router as origin_router
from services.traceability.printing import Printing
from services.traceability.printing_api import router as printing_router
from services.traceability.store import COLLECTIONS
from shared.bus import EventBus
from shared.config import Settings
from shared.contracts.rating import CERTIFICATE_IN_FORCE, CertificateExpired, CertificateRevoked
from shared.contracts.registry import (
    ProductGtinRetired,
    ProductRegistered,
    ProductSubmitted,
    ProductUpdated,
)
from shared.contracts.traceability import BatchOpened, LabelIssued, OriginEventRecorded
from shared.runtime import ServiceRuntime
from shared.workers import worker_process

NAME = "traceability"


def warm_up() -> None:
    """Load what the worker process draws labels and hashes events with."""
    render_qr("warm-up")
    epcis.warm_up()


def build(settings: Settings, *, bus: EventBus | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(NAME, settings, collections=COLLECTIONS, bus=bus,
                             publishes=(LabelIssued, BatchOpened, OriginEventRecorded))
    worker = worker_process(runtime, warm_up)
    scan_base_url = settings.scan_base_url or settings.public_url
    tracing = Traceability(runtime.store, runtime.outbox, runtime.objects, worker,
                           public_url=settings.public_url, scan_base_url=scan_base_url,
                           clock=runtime.clock)
    origin = Origin(runtime.store, runtime.outbox, worker, scan_base_url, runtime.clock)
    # Label sheets (up to 10,000 labels) in a worker of their own, at a lower priority and
    # started on the first sheet: drawing never delays a certified product's label or a
    # capture's hashes.
    printing = Printing(runtime.store, runtime.objects,
                        worker_process(runtime, sheet_pdf.warm_up, background=True,
                                       lazy=True),
                        scan_base_url, runtime.clock, settings.allow_private_scan_url)
    runtime.close_on_stop(printing.close)
    runtime.every("resume label sheets", 300, printing.resume)
    for event in CERTIFICATE_IN_FORCE:
        runtime.handle(event, tracing.on_certificate_in_force)
    runtime.handle(CertificateRevoked, tracing.on_revoked)
    runtime.handle(CertificateExpired, tracing.on_expired)
    for product_event in (ProductRegistered, ProductUpdated, ProductSubmitted):
        runtime.handle(product_event, tracing.on_product_changed)
    runtime.handle(ProductGtinRetired, tracing.on_gtin_retired)
    runtime.provide(tracing, origin, printing)
    runtime.include(router)
    runtime.include(origin_router)
    runtime.include(printing_router)
    return runtime
