"""Document store port and the factory that picks its adapter from a URL."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from shared.ports.store.lookup import find_all, get_existing
from shared.ports.store.port import (
    Collection,
    Document,
    DocumentExists,
    DocumentStore,
    Filter,
    InvalidQuery,
    Order,
    Page,
    Reader,
    StaleVersion,
    TextMatch,
    Transaction,
)
from shared.ports.store.retry import retried

__all__ = [
    "Collection", "Document", "DocumentExists", "DocumentStore", "Filter", "InvalidQuery",
    "Order", "Page", "Reader", "StaleVersion", "TextMatch", "Transaction", "find_all",
    "get_existing", "open_store", "retried",
]


def open_store(url: str, collections: Iterable[Collection], *, service: str) -> DocumentStore:
    """``sqlite:///abs/path.db``, ``mongodb://…`` (database ``ocop_<service>``) or
    ``postgresql://…`` (schema ``ocop_<service>``)."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        from pathlib import Path

        from shared.ports.store.sqlite import SqliteDocumentStore

        path = urlsplit(url).path
        if not path or path == "/":
            raise ValueError("a sqlite store URL needs a file path: sqlite:///data/registry.db")
        return SqliteDocumentStore(Path(path), collections)
    if scheme in ("mongodb", "mongodb+srv"):
        from shared.ports.store.mongo import MongoDocumentStore

        return MongoDocumentStore(url, f"ocop_{service}", collections)
    if scheme in ("postgresql", "postgres"):
        from shared.ports.store.postgres import PostgresDocumentStore

        return PostgresDocumentStore(url, f"ocop_{service}", collections)
    raise ValueError(f"unsupported store URL scheme '{scheme}'")
