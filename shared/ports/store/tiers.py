"""Pages over tiers: the matches of a first filter, then of a second, and so on, each tier
in the same sort order, with one cursor across them (search results ranked without scores:
every word in the name before a match in the producer's name). Keyset paging is kept
within each tier, so pages neither skip nor repeat while others write."""

from __future__ import annotations

from collections.abc import Sequence

from shared.ports.store.port import Document, Filter, InvalidQuery, Order, Page, Reader
from shared.refusals import N_


def _tier_cursor(tier: int, inner: str | None) -> str:
    return f"{tier}.{inner or ''}"


def _read_cursor(cursor: str | None, tiers: int) -> tuple[int, str | None]:
    if cursor is None:
        return 0, None
    tier, dot, inner = cursor.partition(".")
    if not dot or not tier.isdigit() or int(tier) >= tiers:
        raise InvalidQuery(N_("The page cursor is not valid for these results; start again "
                              "from the first page."))
    return int(tier), inner or None


async def find_in_tiers(reader: Reader, collection: str, tiers: Sequence[Filter], *,
                        order_by: str | Order | None, limit: int, after: str | None) -> Page:
    """One page of ``tiers``' matches, tier after tier (a document should match one tier
    only: make the filters exclusive); ``next_cursor`` names the tier it resumes in."""
    tier, inner = _read_cursor(after, len(tiers))
    found: list[Document] = []
    for number in range(tier, len(tiers)):
        page = await reader.find(collection, tiers[number], order_by=order_by,
                                 limit=limit - len(found), after=inner)
        found.extend(page.items)
        inner = None
        if page.next_cursor is not None:
            return Page(found, _tier_cursor(number, page.next_cursor))
        if len(found) == limit:
            for later in range(number + 1, len(tiers)):
                if (await reader.find(collection, tiers[later], order_by=order_by,
                                      limit=1)).items:
                    return Page(found, _tier_cursor(later, None))
            break
    return Page(found, None)
