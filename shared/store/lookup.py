"""Reading a document that must exist."""

from __future__ import annotations

from shared.errors import NotFound
from shared.store.port import Document, Reader


async def get_existing(reader: Reader, collection: str, doc_id: str, what: str,
                       what_vi: str) -> Document:
    """The document, or NotFound naming it in both languages (``what``: 'product',
    ``what_vi``: 'sản phẩm')."""
    doc = await reader.get(collection, doc_id)
    if doc is None:
        raise NotFound(f"No {what} '{doc_id}'.", f"Không có {what_vi} '{doc_id}'.")
    return doc
