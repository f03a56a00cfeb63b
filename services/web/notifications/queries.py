"""A person's inbox: how many are unread (the badge every page shows), and the newest
first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from services.web.notifications.model import Notification
from services.web.notifications.store import NOTIFICATIONS
from shared.ports.store import DocumentStore, Order

PAGE = 30


@dataclass(frozen=True)
class InboxPage:
    items: list[Notification]
    next_cursor: str | None


@dataclass
class Inbox:
    store: DocumentStore

    async def unread(self, person: str) -> int:
        return await self.store.count(NOTIFICATIONS.name, {"person": person, "unread": True})

    async def page(self, person: str, *, after: str | None = None,
                   limit: int = PAGE) -> InboxPage:
        found = await self.store.find(NOTIFICATIONS.name, {"person": person},
                                      order_by=Order("created_at", "desc"), limit=limit,
                                      after=after)
        return InboxPage([Notification.from_doc(d.id, d.data) for d in found.items],
                         found.next_cursor)
