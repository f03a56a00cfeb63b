"""Composition root of the rating service: the one place its adapters and parts are wired."""

from __future__ import annotations

from services.rating.api import ROUTERS
from services.rating.certificates.commands import Certificates
from services.rating.certificates.pdf import warm_up_renderer
from services.rating.certificates.reconciliation import CertificateReconciliation
from services.rating.criteria.commands import CriteriaTables
from services.rating.criteria.queries import LoadedTables
from services.rating.evaluations.commands import Rating
from services.rating.evaluations.queries import Evaluations
from services.rating.reactions import keep_listing, keep_product, keep_subject, keep_withdrawal
from services.rating.store import COLLECTIONS, RECOGNITIONS
from services.rating.summaries.queries import Summaries
from shared.messaging.contracts.catalog import LISTING_STATES, ListingWithdrawn
from shared.messaging.contracts.rating import (
    CERTIFICATE_IN_FORCE,
    CertificateExpired,
    CertificateExpiring,
    CertificateRestated,
    CertificateRevoked,
    EvaluationOpened,
)
from shared.messaging.contracts.registry import PRODUCT_STATES, SubjectRegistered, SubjectUpdated
from shared.messaging.reconciliation import Sweep
from shared.platform.clock import Clock
from shared.platform.config import Settings
from shared.platform.runtime import ServiceRuntime
from shared.platform.workers import WorkerFactory, worker_process
from shared.ports.bus import EventBus

NAME = "rating"


def build(settings: Settings, *, bus: EventBus | None = None, clock: Clock | None = None,
          workers: WorkerFactory | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(NAME, settings, collections=COLLECTIONS, bus=bus, clock=clock,
                             workers=workers,
                             publishes=(*CERTIFICATE_IN_FORCE, CertificateRevoked,
                                        CertificateExpired, CertificateExpiring,
                                        CertificateRestated, EvaluationOpened))
    for product_event in PRODUCT_STATES:
        runtime.handle(product_event, keep_product)
    for subject_event in (SubjectRegistered, SubjectUpdated):
        runtime.handle(subject_event, keep_subject)
    for listing_event in LISTING_STATES:
        runtime.handle(listing_event, keep_listing)
    runtime.handle(ListingWithdrawn, keep_withdrawal)
    certificates = Certificates(runtime.store, runtime.outbox, runtime.objects,
                                worker_process(runtime, "certificates", warm_up_renderer,
                                               background=True),
                                settings.public_url, runtime.clock)
    runtime.close_on_stop(certificates.close)
    runtime.provide(Rating(runtime.store, runtime.clock, runtime.outbox),
                    Evaluations(runtime.store), certificates,
                    CriteriaTables(runtime.store, runtime.clock), LoadedTables(runtime.store),
                    Summaries(runtime.store, runtime.clock))
    for router in ROUTERS:
        runtime.include(router)
    # Certificates expire at the end of their last valid day; hourly, so a restart or a
    # late night never leaves an expired product listed for long. The same sweep reminds
    # producers of a certificate's end 6 months and 1 month before it, once each.
    runtime.every("certificate expiry", 3600,
                  lambda: certificates.sweep(runtime.clock.today()))
    # A broker that lost an event must not leave a product listed, unlisted or shown on its
    # scan page other than rating says: each product's certification is said again, a
    # slice a run (``certificates/reconciliation.py``).
    reconciliation = CertificateReconciliation(
        runtime.store, runtime.outbox, certificates,
        Sweep("certificates", RECOGNITIONS.name, settings.reconcile_slice, runtime.clock))
    runtime.every("certificate reconciliation", settings.reconcile_seconds,
                  reconciliation.run)
    return runtime
