"""Sending the queued e-mail (``MAIL_QUEUE``): a scheduled job (``runtime.every``, woken as
soon as a notification queues one) takes what is due, claims each message for a while (so
a second replica leaves it alone), hands it to the mail port and marks it sent. A server
that cannot take it now is tried again later, each wait longer, up to a number of
attempts; one that refuses it for good (a 5xx: no such mailbox) is not tried again. Every
attempt of one notification carries the same Message-ID, so a repeat after a crash between
sending and marking is recognisable as one."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from services.web.notifications.store import MAIL_QUEUE
from shared.platform.clock import Clock
from shared.ports.mail import Mail, MailNotSent, MailRefused, MailSender
from shared.ports.store import DocumentStore, StaleVersion

log = logging.getLogger(__name__)

CLAIM = timedelta(minutes=5)
"""How long a message being sent is left alone by other rounds (a crash mid-send: it is
due again after this)."""
BATCH = 50


@dataclass(frozen=True)
class Retries:
    first: timedelta = timedelta(minutes=1)
    """The wait after a first failed attempt; each next one is four times longer."""
    attempts: int = 8
    """Attempts before it is given up (about 4.5 days with the first wait of a minute)."""

    def wait(self, failed_attempts: int) -> timedelta:
        return self.first * 4 ** (failed_attempts - 1)


@dataclass
class Delivery:
    store: DocumentStore
    clock: Clock
    sender: MailSender
    retries: Retries = field(default_factory=Retries)
    wakes: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a notification queued an e-mail: the job runs at once."""

    def wake(self) -> None:
        self.wakes.set()

    async def round(self) -> int:
        """Send what is due; how many went."""
        now = self.clock.now()
        due = await self.store.find(MAIL_QUEUE.name, {
            "status": "queued", "due_at": {"$lte": now.isoformat()}}, order_by="due_at",
            limit=BATCH)
        sent = 0
        for doc in due.items:
            claimed = await self._update(doc.id, doc.version, doc.data | {
                "due_at": (now + CLAIM).isoformat()})
            if claimed is None:
                continue  # another replica took it
            sent += await self._send(doc.id, claimed, doc.data)
        return sent

    async def _send(self, doc_id: str, version: int, data: dict[str, Any]) -> int:
        mail = Mail(to=data["to"], subject=data["subject"], body=data["body"],
                    message_id=data["message_id"], language=data.get("language", "vi"))
        attempts = int(data["attempts"]) + 1
        try:
            await self.sender.send(mail)
        except MailRefused as exc:
            log.warning("notification mail %s refused for good: %s", doc_id, exc)
            await self._update(doc_id, version, data | {
                "status": "refused", "attempts": attempts, "error": str(exc)[:300]})
            return 0
        except MailNotSent as exc:
            given_up = attempts >= self.retries.attempts
            later = self.clock.now() + self.retries.wait(attempts)
            log.warning("notification mail %s not sent (attempt %d): %s", doc_id, attempts,
                        exc)
            await self._update(doc_id, version, data | {
                "status": "given_up" if given_up else "queued", "attempts": attempts,
                "due_at": later.isoformat(), "error": str(exc)[:300]})
            return 0
        await self._update(doc_id, version, data | {
            "status": "sent", "attempts": attempts, "sent_at": self.clock.stamp(),
            "error": None})
        return 1

    async def _update(self, doc_id: str, version: int, data: dict[str, Any]) -> int | None:
        """The new version; None if someone else changed it first."""
        try:
            async with self.store.transaction() as tx:
                return (await tx.update(MAIL_QUEUE.name, doc_id, data,
                                        expected_version=version)).version
        except StaleVersion:
            return None

