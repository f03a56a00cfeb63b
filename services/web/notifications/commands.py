"""The notifications' handlers: each event heard is turned, in the consumer's own
transaction (so exactly once, however often the bus delivers it), into the notifications of
the people it concerns and the e-mail they asked for, queued (``MAIL_QUEUE``) for
``delivery`` to send; and what a person does in their inbox: mark read, mark all read,
choose their address, language and kinds by e-mail."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from services.web.notifications import rules
from services.web.notifications.model import (
    LANGUAGES,
    Kind,
    Notification,
    Person,
    Preferences,
    Told,
)
from services.web.notifications.store import (
    MAIL_QUEUE,
    NOTIFICATIONS,
    PEOPLE,
    PREFERENCES,
    PRODUCTS,
)
from services.web.notifications.texts import mail_body
from shared.i18n import N_
from shared.messaging.contracts.rating import (
    CertificateDowngraded,
    CertificateExpired,
    CertificateExpiring,
    CertificateRenewed,
    CertificateRevoked,
    CertificateUpgraded,
    CurrentCertificate,
    EvaluationOpened,
    ProductCertified,
)
from shared.messaging.contracts.registry import (
    AccountState,
    DossierStageDecided,
    ProductIdentityDecided,
    ProductState,
)
from shared.messaging.contracts.traceability import ScanAnomalyDetected
from shared.messaging.events.envelope import Envelope
from shared.platform.clock import Clock
from shared.ports.store import DocumentStore, Transaction

log = logging.getLogger(__name__)

HOW = {ProductCertified.event_type: "issued", CertificateRenewed.event_type: "renewed",
       CertificateUpgraded.event_type: "upgraded",
       CertificateDowngraded.event_type: "downgraded"}
"""A certificate-in-force event's type → how the certificate came (``texts.ISSUED_TITLES``)."""
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
BAD_EMAIL = N_("Write the address as name@example.vn.")


class PreferencesRefused(Exception):
    """What a settings form got wrong, by field (message ids)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.fields = fields


@dataclass
class Notifier:
    store: DocumentStore
    clock: Clock
    base_url: str
    """Where the workspace is reached (the links in e-mail)."""
    mailing: bool
    """An SMTP server is configured: e-mail is queued (otherwise the inbox alone)."""
    wake: Callable[[], None] = lambda: None
    """Told once a transaction that queued e-mail commits (``delivery.Delivery.wake``)."""

    # --- the read models ----------------------------------------------------------------

    async def on_account(self, envelope: Envelope, tx: Transaction) -> None:
        e = AccountState.model_validate(envelope.data)
        person = Person(e.user_id, e.role, e.subject_id, e.commune_code, e.disabled)
        await tx.put(PEOPLE.name, e.user_id, person.to_doc())

    async def on_product(self, envelope: Envelope, tx: Transaction) -> None:
        e = ProductState.model_validate(envelope.data)
        await tx.put(PRODUCTS.name, e.product_id, {"name": e.name, "subject_id": e.subject_id})

    # --- what people are told -----------------------------------------------------------

    async def on_stage_decided(self, envelope: Envelope, tx: Transaction) -> None:
        e = DossierStageDecided.model_validate(envelope.data)
        await self._tell(tx, rules.stage_decided(e, envelope.id),
                         await self._producers(tx, e.subject_id))

    async def on_identity_decided(self, envelope: Envelope, tx: Transaction) -> None:
        e = ProductIdentityDecided.model_validate(envelope.data)
        await self._tell(tx, rules.identity_decided(e, envelope.id),
                         await self._producers(tx, e.subject_id))

    async def on_certificate_in_force(self, envelope: Envelope, tx: Transaction) -> None:
        e = CurrentCertificate.model_validate(envelope.data)
        if await tx.get(PRODUCTS.name, e.product_id) is None:  # the registry's come later
            await tx.put(PRODUCTS.name, e.product_id,
                         {"name": e.product_name, "subject_id": e.subject_id})
        await self._tell(tx, rules.certificate_issued(e, HOW[envelope.type], envelope.id),
                         await self._producers(tx, e.subject_id))

    async def on_expiring(self, envelope: Envelope, tx: Transaction) -> None:
        e = CertificateExpiring.model_validate(envelope.data)
        await self._tell(tx, rules.certificate_expiring(e, envelope.id),
                         await self._producers(tx, e.subject_id))

    async def on_revoked(self, envelope: Envelope, tx: Transaction) -> None:
        e = CertificateRevoked.model_validate(envelope.data)
        name, subject = await self._product(tx, e.product_id)
        if subject is not None:
            await self._tell(tx, rules.certificate_revoked(e, name, envelope.id),
                             await self._producers(tx, subject))

    async def on_expired(self, envelope: Envelope, tx: Transaction) -> None:
        e = CertificateExpired.model_validate(envelope.data)
        name, subject = await self._product(tx, e.product_id)
        if subject is not None:
            await self._tell(tx, rules.certificate_expired(e, name, envelope.id),
                             await self._producers(tx, subject))

    async def on_anomaly(self, envelope: Envelope, tx: Transaction) -> None:
        e = ScanAnomalyDetected.model_validate(envelope.data)
        name, _ = await self._product(tx, e.product_id)
        await self._tell(tx, rules.counterfeit_alert(e, name or e.gtin or e.code),
                         await self._producers(tx, e.subject_id))

    async def on_evaluation_opened(self, envelope: Envelope, tx: Transaction) -> None:
        e = EvaluationOpened.model_validate(envelope.data)
        found = await tx.get_many(PEOPLE.name, e.members)
        people = {user: Person.from_doc(user, doc.data) for user, doc in found.items()}
        await self._tell(tx, rules.evaluation_opened(e, envelope.id),
                         rules.council_of(e, people))

    async def _producers(self, tx: Transaction, subject_id: str) -> list[str]:
        page = await tx.find(PEOPLE.name, {"subject_id": subject_id}, limit=1000)
        return rules.producers_of(subject_id, (Person.from_doc(d.id, d.data)
                                               for d in page.items))

    async def _product(self, tx: Transaction, product_id: str) -> tuple[str, str | None]:
        doc = await tx.get(PRODUCTS.name, product_id)
        if doc is None:
            log.warning("notifications: product %s is not known yet; nobody is told of its "
                        "certificate's end", product_id)
            return "", None
        return str(doc.data["name"]), str(doc.data["subject_id"])

    async def _tell(self, tx: Transaction, told: Told, people: Iterable[str]) -> None:
        at = self.clock.stamp()
        for person in people:
            notification = Notification.of(told, person, at)
            if await tx.get(NOTIFICATIONS.name, notification.id) is not None:
                continue  # told already (an anomaly published again at the same confidence)
            await tx.insert(NOTIFICATIONS.name, notification.id, notification.to_doc())
            if not self.mailing:
                continue
            chosen = Preferences.from_doc(person, await self._preferences(tx, person))
            if not chosen.mails(told.kind):
                continue
            subject, body = mail_body(notification, chosen.language, self.base_url)
            await tx.insert(MAIL_QUEUE.name, notification.id, {
                "person": person, "to": chosen.email, "subject": subject, "body": body,
                "language": chosen.language, "message_id": self.message_id(notification),
                "status": "queued", "attempts": 0, "due_at": at, "queued_at": at,
                "error": None})
            tx.on_commit(self.wake)

    @staticmethod
    async def _preferences(tx: Transaction, person: str) -> dict[str, object] | None:
        doc = await tx.get(PREFERENCES.name, person)
        return doc.data if doc else None

    def message_id(self, notification: Notification) -> str:
        """The same for every attempt to send one notification."""
        host = urlsplit(self.base_url).hostname or "ocop.localhost"
        return f"<{notification.id}@{host}>"

    # --- what a person does -------------------------------------------------------------

    async def mark_read(self, person: str, notification_id: str) -> bool:
        """False if it is not one of ``person``'s."""
        async with self.store.transaction() as tx:
            doc = await tx.get(NOTIFICATIONS.name, notification_id)
            if doc is None or doc.data["person"] != person:
                return False
            read = Notification.from_doc(doc.id, doc.data).read(self.clock.stamp())
            await tx.update(NOTIFICATIONS.name, doc.id, read.to_doc(),
                            expected_version=doc.version)
        return True

    async def mark_all_read(self, person: str) -> int:
        at, marked = self.clock.stamp(), 0
        while True:
            async with self.store.transaction() as tx:
                page = await tx.find(NOTIFICATIONS.name, {"person": person, "unread": True},
                                     limit=200)
                for doc in page.items:
                    read = Notification.from_doc(doc.id, doc.data).read(at)
                    await tx.update(NOTIFICATIONS.name, doc.id, read.to_doc(),
                                    expected_version=doc.version)
            marked += len(page.items)
            if len(page.items) < 200:
                return marked

    async def preferences(self, person: str) -> Preferences:
        doc = await self.store.get(PREFERENCES.name, person)
        return Preferences.from_doc(person, doc.data if doc else None)

    async def set_preferences(self, person: str, email: str, language: str,
                              kinds: Iterable[str]) -> Preferences:
        """``PreferencesRefused`` names what is wrong, by field."""
        address = email.strip()
        errors = {}
        if address and (len(address) > 254 or not EMAIL.match(address)):
            errors["email"] = BAD_EMAIL
        if language not in LANGUAGES:
            errors["language"] = N_("Choose Vietnamese or English.")
        known = {kind.value for kind in Kind}
        if errors:
            raise PreferencesRefused(errors)
        chosen = Preferences(person, address or None, language,
                             frozenset(Kind(k) for k in kinds if k in known))
        async with self.store.transaction() as tx:
            await tx.put(PREFERENCES.name, person, chosen.to_doc())
        return chosen
