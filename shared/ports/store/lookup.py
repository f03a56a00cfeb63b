"""Reading a document that must exist, and every document of a query."""

from __future__ import annotations

from collections.abc import AsyncIterator

from shared.ports.store.port import MAX_PAGE, Document, Filter, Reader
from shared.refusals import N_, NotFound, Term


async def get_existing(reader: Reader, collection: str, doc_id: str, what: str) -> Document:
    """The document, or NotFound naming it (``what``: a catalog message, N_("product"))."""
    doc = await reader.get(collection, doc_id)
    if doc is None:
        raise NotFound(N_("No %(what)s '%(id)s'."), what=Term(what), id=doc_id)
    return doc


async def find_all(reader: Reader, collection: str,
                   where: Filter | None = None) -> AsyncIterator[Document]:
    """Every match, page after page (for reports over a locality's records)."""
    after = None
    while True:
        page = await reader.find(collection, where, limit=MAX_PAGE, after=after)
        for doc in page.items:
            yield doc
        if page.next_cursor is None:
            return
        after = page.next_cursor
