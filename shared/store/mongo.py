"""MongoDB adapter of the document store (PyMongo's asyncio API, ``AsyncMongoClient``).

Documents are ``{_id, v, d}``: id, version and data. Each declared field gets a compound
index ``(d.field, _id)``. Transactions are multi-document transactions, so MongoDB must run
as a replica set (compose runs a one-node one). The query translation is pure functions,
checked against the SQLite adapter's results in ``tests/contract``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError

from shared.config import redact_url
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.port import (
    Collection,
    Document,
    DocumentExists,
    Filter,
    Order,
    Page,
    StaleVersion,
    TransactionHooks,
    collection_spec,
    validate_query,
)

_RANGE = ("$gt", "$gte", "$lt", "$lte")


def _path(field: str) -> str:
    return "_id" if field == "id" else f"d.{field}"


def translate_filter(where: Filter | None) -> dict[str, Any]:
    """Port filter -> Mongo filter with the SQLite adapter's semantics: null and missing are
    one; ``$ne`` matches null/missing; a range never matches null/missing."""
    clauses: list[dict[str, Any]] = []
    for field, cond in (where or {}).items():
        path = _path(field)
        ops = cond if isinstance(cond, Mapping) else {"$eq": cond}
        for op, value in ops.items():
            if op in ("$eq", "$ne") or op in _RANGE:
                # MongoDB's {$eq: null} already matches missing; $ne null excludes both.
                clauses.append({path: {op: value}})
            elif op == "$in":
                clauses.append({path: {"$in": list(value)}})
    if not clauses:
        return {}
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def translate_sort(order: Order) -> list[tuple[str, int]]:
    direction = ASCENDING if order.direction == "asc" else DESCENDING
    if order.field == "id":
        return [("_id", direction)]
    return [(_path(order.field), direction), ("_id", direction)]


def translate_after(order: Order, cursor: str) -> dict[str, Any]:
    """Keyset predicate: strictly after (value, id); null first ascending, last descending."""
    value, last_id = decode_cursor(cursor)
    path = _path(order.field)
    if order.field == "id":
        return {"_id": {"$gt" if order.direction == "asc" else "$lt": last_id}}
    if order.direction == "asc":
        if value is None:
            return {"$or": [{path: {"$ne": None}}, {path: None, "_id": {"$gt": last_id}}]}
        return {"$or": [{path: {"$gt": value}}, {path: value, "_id": {"$gt": last_id}}]}
    if value is None:
        return {path: None, "_id": {"$lt": last_id}}
    return {"$or": [{path: {"$lt": value}}, {path: None},
                    {path: value, "_id": {"$lt": last_id}}]}


def _doc(raw: Mapping[str, Any]) -> Document:
    return Document(str(raw["_id"]), int(raw["v"]), dict(raw["d"]))


class _MongoSession:
    def __init__(self, store: MongoDocumentStore, session: AsyncClientSession | None) -> None:
        self._store = store
        self._session = session

    def _coll(self, collection: str) -> Any:
        return self._store.db[self._store.spec(collection).name]

    async def get(self, collection: str, doc_id: str) -> Document | None:
        raw = await self._coll(collection).find_one({"_id": doc_id}, session=self._session)
        return _doc(raw) if raw else None

    async def find(self, collection: str, where: Filter | None = None, *,
                   order_by: str | Order | None = None, limit: int = 50,
                   after: str | None = None) -> Page:
        spec = self._store.spec(collection)
        order = Order.parse(order_by)
        validate_query(spec, where, order, limit)
        query = translate_filter(where)
        if after:
            query = {"$and": [query, translate_after(order, after)]} if query else \
                translate_after(order, after)
        cursor = self._coll(collection).find(query, session=self._session) \
            .sort(translate_sort(order)).limit(limit + 1)
        rows = [_doc(r) async for r in cursor]
        docs = rows[:limit]
        return Page(docs, encode_cursor(docs[-1], order.field) if len(rows) > limit else None)

    async def count(self, collection: str, where: Filter | None = None) -> int:
        validate_query(self._store.spec(collection), where, Order(), 1)
        return int(await self._coll(collection).count_documents(translate_filter(where),
                                                                session=self._session))


class _MongoTransaction(_MongoSession):
    def __init__(self, store: MongoDocumentStore, session: AsyncClientSession) -> None:
        super().__init__(store, session)
        self.hooks = TransactionHooks()

    async def _stale(self, collection: str, doc_id: str, expected: int) -> StaleVersion:
        current = await self.get(collection, doc_id)
        return StaleVersion(collection, doc_id, expected, current.version if current else None)

    async def insert(self, collection: str, doc_id: str, data: dict[str, Any]) -> Document:
        try:
            await self._coll(collection).insert_one({"_id": doc_id, "v": 1, "d": data},
                                                    session=self._session)
        except DuplicateKeyError as exc:
            raise DocumentExists(collection, doc_id) from exc
        return Document(doc_id, 1, data)

    async def update(self, collection: str, doc_id: str, data: dict[str, Any], *,
                     expected_version: int) -> Document:
        result = await self._coll(collection).update_one(
            {"_id": doc_id, "v": expected_version}, {"$set": {"d": data}, "$inc": {"v": 1}},
            session=self._session)
        if result.matched_count != 1:
            raise await self._stale(collection, doc_id, expected_version)
        return Document(doc_id, expected_version + 1, data)

    async def put(self, collection: str, doc_id: str, data: dict[str, Any]) -> Document:
        raw = await self._coll(collection).find_one_and_update(
            {"_id": doc_id}, {"$set": {"d": data}, "$inc": {"v": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER, session=self._session)
        return _doc(raw)

    async def delete(self, collection: str, doc_id: str, *,
                     expected_version: int | None = None) -> bool:
        query: dict[str, Any] = {"_id": doc_id}
        if expected_version is not None:
            query["v"] = expected_version
        result = await self._coll(collection).delete_one(query, session=self._session)
        if result.deleted_count == 1:
            return True
        if expected_version is not None:
            raise await self._stale(collection, doc_id, expected_version)
        return False

    def on_commit(self, callback: Any) -> None:
        self.hooks.add(callback)


class MongoDocumentStore:
    """``mongodb://host:27017/?replicaSet=rs0``; the database is ``ocop_<service>``."""

    def __init__(self, url: str, database: str, collections: Iterable[Collection]) -> None:
        self.where = redact_url(url)
        self.collections = {c.name: c for c in collections}
        self._client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            url, serverSelectionTimeoutMS=5000, connect=False)
        self.db = self._client[database]

    def spec(self, collection: str) -> Collection:
        return collection_spec(self.collections, collection)

    async def open(self) -> None:
        for spec in self.collections.values():
            for field in spec.indexes:
                await self.db[spec.name].create_index([(_path(field), ASCENDING),
                                                       ("_id", ASCENDING)])

    async def close(self) -> None:
        await self._client.close()

    async def drop(self) -> None:
        await self._client.drop_database(self.db.name)

    async def check(self) -> None:
        try:
            await self.db.command("ping")
        except PyMongoError as exc:
            raise ConnectionError(f"MongoDB at {self.where} is unreachable: "
                                  f"{type(exc).__name__}") from None

    async def get(self, collection: str, doc_id: str) -> Document | None:
        return await _MongoSession(self, None).get(collection, doc_id)

    async def find(self, collection: str, where: Filter | None = None, *,
                   order_by: str | Order | None = None, limit: int = 50,
                   after: str | None = None) -> Page:
        return await _MongoSession(self, None).find(collection, where, order_by=order_by,
                                                    limit=limit, after=after)

    async def count(self, collection: str, where: Filter | None = None) -> int:
        return await _MongoSession(self, None).count(collection, where)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_MongoTransaction]:
        async with self._client.start_session() as session:
            await session.start_transaction()
            tx = _MongoTransaction(self, session)
            try:
                yield tx
                await session.commit_transaction()
            except OperationFailure as exc:
                if session.in_transaction:
                    await session.abort_transaction()
                if exc.has_error_label("TransientTransactionError"):
                    # A concurrent writer touched the same documents: the caller retries,
                    # exactly as after a stale version.
                    raise StaleVersion("transaction", "-", 0, None) from exc
                raise
            except BaseException:
                if session.in_transaction:
                    await session.abort_transaction()
                raise
        tx.hooks.fire()
