"""The change log: every event of the listings stream, numbered, for channels that poll
(``GET /listings/changes?since=``) and for webhook deliveries.

Numbers come from one counter written in the same transaction as the change, so they
follow commit order: a poller that resumes after change n can never miss one committed
later with a smaller number (what time-ordered ids from two replicas could do). The cursor
is the number, encoded; one that does not decode, or names a change not yet made, is
refused rather than silently read from somewhere else.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.catalog.channels.model import Scope
from services.catalog.listings.model import Listing
from shared.messaging.events.envelope import Envelope
from shared.ports.store import Collection, Reader, Transaction
from shared.refusals import N_, BadRequest

CHANGES = Collection("listing_changes", indexes=("province_key", "group"))
"""One per event of the stream; its id is its number, zero-padded so ids sort as numbers."""
COUNTERS = Collection("counters")
HEAD = "listing_changes"
_WIDTH = 12
_CURSOR_PREFIX = "changes:"


@dataclass(frozen=True)
class Change:
    number: int
    event_id: str
    type: str
    product_id: str
    time: datetime
    dataschema: str | None
    data: dict[str, Any]

    @property
    def cursor(self) -> str:
        return encode_cursor(self.number)


def encode_cursor(number: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{number}".encode()).decode().rstrip("=")


def _forged() -> BadRequest:
    return BadRequest(N_("The 'since' cursor is not one this catalog gave out; use the "
                         "'next_cursor' of a previous answer, or leave 'since' out to start "
                         "from the first change."), code="cursor-invalid")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _forged() from None
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not number.isdigit() or len(number) > _WIDTH:
        raise _forged()
    return int(number)


async def latest(reader: Reader) -> tuple[int, str | None]:
    """The number and time of the latest change (0 and None before the first)."""
    doc = await reader.get(COUNTERS.name, HEAD)
    return (int(doc.data["number"]), doc.data["time"]) if doc else (0, None)


async def append(tx: Transaction, envelope: Envelope, listing: Listing) -> Change:
    """Log the stream's event about ``listing``."""
    number = (await latest(tx))[0] + 1
    await tx.put(COUNTERS.name, HEAD, {"number": number, "time": envelope.time.isoformat()})
    await tx.insert(CHANGES.name, f"{number:0{_WIDTH}d}", {
        "event_id": envelope.id, "type": envelope.type, "product_id": listing.id,
        "time": envelope.time.isoformat(), "dataschema": envelope.dataschema,
        "data": envelope.data, "province_key": listing.province_key, "group": listing.group})
    return Change(number, envelope.id, envelope.type, listing.id, envelope.time,
                  envelope.dataschema, envelope.data)


async def since(reader: Reader, cursor: str | None, scope: Scope, limit: int
                ) -> tuple[list[Change], int]:
    """Up to ``limit`` changes after ``cursor`` that ``scope`` lets a channel see, and the
    number to resume from: past every change looked at, those outside the scope too."""
    after = decode_cursor(cursor) if cursor else 0
    head, _ = await latest(reader)  # read first: every change up to it is visible below
    if after > head:
        raise BadRequest(N_("The 'since' cursor is ahead of the catalog's latest change; use "
                            "the 'next_cursor' of a previous answer."), code="cursor-ahead")
    where: dict[str, Any] = {"id": {"$gt": f"{after:0{_WIDTH}d}"}}
    if scope.provinces:
        where["province_key"] = {"$in": scope.province_keys}
    if scope.groups:
        where["group"] = {"$in": scope.groups}
    page = await reader.find(CHANGES.name, where, order_by="id", limit=limit)
    found = [Change(int(d.id), d.data["event_id"], d.data["type"], d.data["product_id"],
                    datetime.fromisoformat(d.data["time"]), d.data["dataschema"],
                    d.data["data"]) for d in page.items]
    if len(found) == limit:
        return found, found[-1].number
    return found, max(head, found[-1].number if found else after)
