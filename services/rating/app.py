"""Composition root of the rating service: the one place its adapters and parts are wired."""

from __future__ import annotations

from services.rating.api import build_router
from services.rating.handlers import Rating, keep_product, keep_subject
from services.rating.store import COLLECTIONS
from shared.bus import EventBus
from shared.config import Settings
from shared.contracts.rating import CertificateRevoked, ProductCertified
from shared.contracts.registry import (
    ProductRegistered,
    ProductSubmitted,
    ProductUpdated,
    SubjectRegistered,
    SubjectUpdated,
)
from shared.runtime import ServiceRuntime

NAME = "rating"


def build(settings: Settings, *, bus: EventBus | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(NAME, settings, collections=COLLECTIONS, bus=bus,
                             publishes=(ProductCertified, CertificateRevoked))
    for product_event in (ProductRegistered, ProductUpdated, ProductSubmitted):
        runtime.handle(product_event, keep_product)
    for subject_event in (SubjectRegistered, SubjectUpdated):
        runtime.handle(subject_event, keep_subject)
    runtime.include(build_router(Rating(runtime.store, runtime.outbox)))
    return runtime
