"""Composition root of the traceability service: the one place its adapters and parts are
wired."""

from __future__ import annotations

from services.traceability.api import build_router
from services.traceability.handlers import Traceability
from services.traceability.store import COLLECTIONS
from shared.bus import EventBus
from shared.config import Settings
from shared.contracts.rating import CertificateRevoked, ProductCertified
from shared.contracts.traceability import LabelIssued
from shared.runtime import ServiceRuntime

NAME = "traceability"


def build(settings: Settings, *, bus: EventBus | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(NAME, settings, collections=COLLECTIONS, bus=bus,
                             publishes=(LabelIssued,))
    tracing = Traceability(runtime.store, runtime.outbox, runtime.objects,
                           public_url=settings.public_url,
                           scan_base_url=settings.scan_base_url or settings.public_url)
    runtime.handle(ProductCertified, tracing.on_certified)
    runtime.handle(CertificateRevoked, tracing.on_revoked)
    runtime.include(build_router(tracing))
    return runtime
