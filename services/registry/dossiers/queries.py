"""Reading the dossiers back: the stages proposed and waiting for a decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.registry.dossiers.rules import Decider, WaitingStage
from services.registry.store import DOSSIERS, PRODUCTS, SUBJECTS, dossiers, subjects_shown
from shared.identity.access import Visibility
from shared.ports.store import Reader


@dataclass(frozen=True)
class Waiting:
    """A proposed stage with the product it is of."""

    product_id: str
    product_name: str
    subject_name: str
    stage: WaitingStage


async def waiting(reader: Reader, visibility: Visibility, waiting_for: Decider | None,
                  commune_code: str | None, *, limit: int, after: str | None
                  ) -> tuple[list[Waiting], str | None, int]:
    """Oldest proposal first: those ``visibility`` shows, waiting for the office or the
    commune, of one commune's subjects; and how many match."""
    deciders = [waiting_for] if waiting_for else list(Decider)
    where: dict[str, Any] = {"waiting.waiting_for": {"$in": [d.value for d in deciders]}}
    if (shown := await subjects_shown(reader, visibility, None, commune_code)) is not None:
        where["waiting.subject_id"] = shown
    found = await reader.find(DOSSIERS.name, where, order_by="waiting.at", limit=limit,
                              after=after)
    held = [(d.id, w) for d in found.items if (w := dossiers.load(d).waiting) is not None]
    named = await reader.get_many(PRODUCTS.name, [product_id for product_id, _ in held])
    owners = await reader.get_many(SUBJECTS.name, {w["subject_id"] for _, w in held})
    items = [Waiting(product_id, named[product_id].data["name"],
                     owners[w["subject_id"]].data["name"], w) for product_id, w in held]
    return items, found.next_cursor, await reader.count(DOSSIERS.name, where)
