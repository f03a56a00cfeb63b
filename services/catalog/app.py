"""Composition root of the catalog service: the one place its adapters and parts are wired."""

from __future__ import annotations

from functools import partial

from services.catalog import handlers
from services.catalog.api import router
from services.catalog.queries import Catalog
from services.catalog.store import COLLECTIONS
from shared.bus import EventBus
from shared.config import Settings
from shared.contracts.rating import CERTIFICATE_IN_FORCE, CertificateExpired, CertificateRevoked
from shared.contracts.registry import ProductRegistered, ProductSubmitted, ProductUpdated
from shared.contracts.traceability import LabelIssued
from shared.runtime import ServiceRuntime

NAME = "catalog"


def build(settings: Settings, *, bus: EventBus | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(NAME, settings, collections=COLLECTIONS, bus=bus)
    for event in CERTIFICATE_IN_FORCE:
        runtime.handle(event, partial(handlers.on_certificate_in_force, clock=runtime.clock))
    runtime.handle(CertificateRevoked, handlers.on_revoked)
    runtime.handle(CertificateExpired, handlers.on_expired)
    runtime.handle(LabelIssued, handlers.on_label)
    for product_event in (ProductRegistered, ProductUpdated, ProductSubmitted):
        runtime.handle(product_event, handlers.on_product_changed)
    runtime.provide(Catalog(runtime.store, runtime.clock))
    runtime.include(router)
    return runtime
