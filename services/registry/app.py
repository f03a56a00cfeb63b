"""Composition root of the registry service: the one place its adapters and parts are wired."""

from __future__ import annotations

from datetime import timedelta

from pwdlib import PasswordHash

from services.registry.accounts.commands import Accounts, password_hashing
from services.registry.api import ROUTERS
from services.registry.dossiers.commands import Dossiers
from services.registry.imports.commands import Imports
from services.registry.reactions import Reactions
from services.registry.store import COLLECTIONS
from services.registry.subjects.commands import Registry
from shared.files import images
from shared.history import History
from shared.identity.auth import TokenIssuer, TokenVerifier, signing_key
from shared.identity.sessions import REVOCATIONS, Revocations
from shared.messaging import MESSAGING_COLLECTIONS, Outbox
from shared.messaging.contracts.rating import (
    CERTIFICATE_IN_FORCE,
    CertificateExpired,
    CertificateRestated,
    CertificateRevoked,
)
from shared.messaging.contracts.registry import (
    AccountChanged,
    AccountOpened,
    AccountTokensRevoked,
    DossierStageDecided,
    ProductGtinRetired,
    ProductIdentityDecided,
    ProductRegistered,
    ProductSubmitted,
    ProductUpdated,
    SubjectRegistered,
    SubjectUpdated,
)
from shared.messaging.repairs import Repairs
from shared.platform.clock import Clock, SystemClock
from shared.platform.config import Settings
from shared.platform.runtime import ServiceRuntime
from shared.platform.workers import WorkerFactory, worker_process
from shared.ports.bus import EventBus
from shared.ports.store import DocumentStore, open_store

NAME = "registry"


def build(settings: Settings, *, bus: EventBus | None = None, clock: Clock | None = None,
          workers: WorkerFactory | None = None) -> ServiceRuntime:
    return build_parts(settings, bus=bus, clock=clock, workers=workers)[0]


def build_parts(settings: Settings, *, bus: EventBus | None = None, clock: Clock | None = None,
                workers: WorkerFactory | None = None) -> tuple[ServiceRuntime, Registry]:
    """The runtime and its command handler (which operator commands use directly)."""
    runtime = ServiceRuntime(NAME, settings, collections=COLLECTIONS, bus=bus, clock=clock,
                             workers=workers, open_writes=("/auth/token",), publishes=(
        AccountTokensRevoked, AccountOpened, AccountChanged, SubjectRegistered,
        SubjectUpdated, ProductRegistered, ProductUpdated, ProductSubmitted,
        ProductGtinRetired, ProductIdentityDecided, DossierStageDecided))
    issuer = _issuer(settings, runtime.clock)
    history = History(runtime.clock)
    registry = Registry(runtime.store, runtime.outbox, runtime.objects, settings.public_url,
                        runtime.clock, history,
                        worker_process(runtime, "photos", images.warm_up, lazy=True))
    runtime.provide(registry, Imports(registry),
                    Dossiers(runtime.store, runtime.objects, runtime.clock, history,
                             runtime.outbox),
                    Accounts(runtime.store, runtime.outbox, issuer, runtime.clock, history,
                             runtime.revocations, _passwords(settings)))
    for router in ROUTERS:
        runtime.include(router)
    reactions = Reactions(Repairs(NAME, runtime.clock))
    for event in CERTIFICATE_IN_FORCE:
        runtime.handle(event, reactions.on_certificate_in_force)
    runtime.handle(CertificateRestated, reactions.on_certificate_restated)
    runtime.handle(CertificateRevoked, reactions.on_revoked)
    runtime.handle(CertificateExpired, reactions.on_expired)
    runtime.every("locality codes", 3600, registry.keep_locality_codes)
    return runtime, registry


def _passwords(settings: Settings) -> PasswordHash:
    return password_hashing(settings.password_hash_memory_kib, settings.password_hash_time_cost)


def _issuer(settings: Settings, clock: Clock) -> TokenIssuer:
    return TokenIssuer(signing_key(settings), timedelta(minutes=settings.token_ttl_minutes),
                       clock)


def accounts_only(settings: Settings) -> tuple[DocumentStore, Accounts]:
    """The account commands over the registry's store alone — no bus, server or object
    store: how ``ocop users add-admin`` makes the first account. Open the store first. Its
    events wait in the store's outbox for the registry's relay (the account's
    ``AccountOpened``)."""
    clock = SystemClock()
    store = open_store(settings.store_url_for(NAME),
                       [*COLLECTIONS, *MESSAGING_COLLECTIONS, REVOCATIONS], service=NAME)
    issuer = _issuer(settings, clock)
    return store, Accounts(store, Outbox(NAME, clock), issuer, clock, History(clock),
                           Revocations(store, TokenVerifier(issuer.public_key)),
                           _passwords(settings))
