"""The dead-letter store: events a handler could not apply, kept with their error.

A dead letter does not block the events behind it. Once the cause is fixed, an operator
lists and replays them (``ocop dead-letters``); a replay goes through the inbox like any
delivery, so an event superseded by a newer one is recognised as such.
"""

from __future__ import annotations

import base64
import traceback
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.messaging.collections import DEAD_LETTERS
from shared.messaging.events.envelope import Envelope
from shared.platform.ids import new_id
from shared.ports.bus import Message
from shared.ports.store import Document, DocumentStore, Page

MAX_ERROR_CHARS = 4000


@dataclass(frozen=True)
class DeadLetter:
    id: str
    version: int
    type: str
    topic: str
    failed_at: str
    attempts: int
    error: str
    event: Envelope | None
    """None when the message could not even be decoded; ``raw`` holds it then."""
    raw: dict[str, Any] | None

    @classmethod
    def from_document(cls, doc: Document) -> DeadLetter:
        d = doc.data
        return cls(doc.id, doc.version, d["type"], d["topic"], d["failed_at"], d["attempts"],
                   d["error"], Envelope.from_json(d["event"]) if d.get("event") else None,
                   d.get("raw"))

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "topic": self.topic,
                "subject": self.event.aggregate_id if self.event else None,
                "sequence": self.event.sequence if self.event else None,
                "failed_at": self.failed_at, "attempts": self.attempts,
                "error": self.error.splitlines()[0] if self.error else ""}


def describe(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc, limit=8))
    return text[-MAX_ERROR_CHARS:]


def raw_message(message: Message) -> dict[str, Any]:
    return {"key": message.key, "partition": message.partition, "offset": message.offset,
            "headers": {k: base64.b64encode(v).decode() for k, v in message.headers.items()},
            "value": base64.b64encode(message.value).decode()}


async def record(store: DocumentStore, *, topic: str, error: BaseException, attempts: int,
                 at: datetime, event: Envelope | None = None,
                 message: Message | None = None) -> str:
    letter_id = new_id()
    async with store.transaction() as tx:
        await tx.insert(DEAD_LETTERS.name, letter_id, {
            "type": event.type if event else "undecodable", "topic": topic,
            "failed_at": at.isoformat(), "attempts": attempts,
            "error": describe(error), "event": event.to_json() if event else None,
            "raw": raw_message(message) if message and not event else None})
    return letter_id


async def list_letters(store: DocumentStore, *, limit: int = 50,
                       after: str | None = None) -> tuple[list[DeadLetter], Page]:
    page = await store.find(DEAD_LETTERS.name, order_by="failed_at", limit=limit, after=after)
    return [DeadLetter.from_document(d) for d in page.items], page


async def get_letter(store: DocumentStore, letter_id: str) -> DeadLetter | None:
    doc = await store.get(DEAD_LETTERS.name, letter_id)
    return DeadLetter.from_document(doc) if doc else None
