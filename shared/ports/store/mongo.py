"""MongoDB adapter of the document store, on PyMongo's asyncio API (``AsyncMongoClient``).

Each collection holds documents ``{"_id": id, "v": version, "d": data}``, so the store's own
fields can never collide with a service's data, and each declared field gets a compound index
``(d.<field>, _id)``: the same shape as the SQLite adapter's ``(json_extract(...), id)`` index,
which serves both the filter and the keyset pagination tie-break.

The query translation is pure functions with no I/O (``translate_filter``, ``translate_sort``,
``translate_after`` and ``find_query``), so it can be checked without a server: the contract
tests run them on an in-memory double and compare the ids with the SQLite adapter's.

Semantics follow the SQLite adapter, which is the reference:

* null and a missing field are one value. ``{"f": None}`` matches both, ``$ne: None`` means
  "present and not null", ``$ne: v`` also matches null/missing (SQL ``IS NOT``), a range never
  matches null/missing (and a range against ``None`` matches nothing, as ``x > NULL`` in SQL),
  and ``$in`` containing ``None`` matches null/missing. MongoDB's own operators already behave
  this way except for ``$gte``/``$lte`` against ``None``, which is special-cased.
* Sorting puts null/missing first ascending and last descending, ties broken by id in the
  sort's direction; MongoDB's sort order agrees, so cursors from either adapter mean the same.
* Each queried field is expected to hold one JSON type. Across types the engines differ and
  this adapter does not paper over it: SQLite stores booleans as 1/0 (so ``True == 1`` there,
  not here), compares numbers with text where MongoDB brackets comparisons by type, and
  MongoDB matches a scalar against the elements of an array where SQLite does not.

Full-text search (``TextMatch``) matches the start of words, as one types, which MongoDB's
own text index cannot (it matches whole stemmed words): each document of a collection with
text fields carries, beside ``d``, ``t: {"_": [...], "<field>": [...]}``, every prefix of
every word of its text fields (all together, and per field), in multikey indexes. A search
is then ``$all`` of its words over one of those arrays, served by the index. Documents
stored before a text field was declared get its prefixes when the store opens (a backfill).

Transactions are MongoDB multi-document transactions, so the server must be a replica set
(compose runs a one-node one).
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import (
    ConnectionFailure,
    DuplicateKeyError,
    OperationFailure,
    PyMongoError,
)
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from shared.platform.config import redact_url
from shared.ports.store.cursor import decode_cursor, encode_cursor
from shared.ports.store.port import (
    Collection,
    Document,
    DocumentExists,
    Filter,
    Order,
    Page,
    StaleVersion,
    TextMatch,
    TransactionHooks,
    collection_spec,
    contained,
    declare_collections,
    validate_query,
)
from shared.refusals import N_, Conflict

Raw = dict[str, Any]
T = TypeVar("T")

_RANGE = ("$gt", "$gte", "$lt", "$lte")
# A clause no document satisfies (every document has an _id), for "x > NULL".
_NOTHING: Raw = {"_id": {"$in": []}}
_NAMESPACE_EXISTS = 48  # the server's error code for creating a collection that exists
# Without a server, operations fail after this long instead of PyMongo's default 30 s;
# a serverSelectionTimeoutMS in the URL wins.
SERVER_SELECTION_TIMEOUT_MS = 5000

_in_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar("mongo_tx", default=False)


class WriteConflict(StaleVersion):
    """Another transaction is writing the same document at this moment.

    SQLite serialises writers, so the second of two concurrent updates waits and then finds
    the version stale. MongoDB instead aborts it at once with a WriteConflict (error label
    ``TransientTransactionError``). We raise a StaleVersion subclass so callers handle both
    the one way they already handle a lost race: reload and try again. ``actual`` is None
    because the other writer has not committed, so there is no newer version to name yet;
    ``expected`` is 0 when the write named no version (insert, put, or a conflict reported
    only by a read or the commit).
    """

    def __init__(self, collection: str | None = None, doc_id: str | None = None,
                 expected: int = 0) -> None:
        self.expected, self.actual = expected, None
        if collection is None:
            Conflict.__init__(self, N_("Someone else is changing the same data at this moment. "
                                       "Reload it and try again."), code="stale-version")
        else:
            Conflict.__init__(self, N_("%(collection)s '%(id)s' is being changed by someone "
                                       "else at this moment. Reload it and try again."),
                              code="stale-version", collection=collection, id=doc_id)


def _path(field: str) -> str:
    return "_id" if field == "id" else f"d.{field}"


def _all_of(clauses: list[Raw]) -> Raw:
    if not clauses:
        return {}
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


ALL_TEXT = "_"
"""The key of every text field's prefixes together, in a document's ``t``."""


def text_terms(spec: Collection, data: Mapping[str, Any]) -> Raw:
    """The word prefixes a document is found by: ``{"_": all, field: its own}``."""
    terms: Raw = {}
    for field in spec.text:
        value: Any = data
        for part in field.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        words = value.split() if isinstance(value, str) else []
        terms[field] = sorted({word[:n] for word in words for n in range(1, len(word) + 1)})
    terms[ALL_TEXT] = sorted({term for field_terms in terms.values() for term in field_terms})
    return terms


BACKFILL_BATCH = 500
"""Documents given their word prefixes per write, when a collection gains text fields."""


def lacking_text_terms(spec: Collection) -> Raw:
    """The documents stored before one of ``spec``'s text fields was declared: without the
    prefixes of that field, a search would never find them."""
    return {"$or": [{f"t.{terms}": {"$exists": False}} for terms in (ALL_TEXT, *spec.text)]}


def text_terms_backfill(spec: Collection, stored: Iterable[Raw]) -> list[tuple[Raw, Raw]]:
    """Each stored document's prefixes (filter, update), set only if the document is still at
    the version read: a write in between set them itself, with its own data."""
    return [({"_id": raw["_id"], "v": raw["v"]},
             {"$set": {"t": text_terms(spec, raw.get("d") or {})}}) for raw in stored]


def _text_within(words: list[str], fields: tuple[str, ...]) -> Raw:
    if len(fields) == 1 or not fields:
        return {f"t.{fields[0] if fields else ALL_TEXT}": {"$all": words}}
    return {"$and": [{"$or": [{f"t.{field}": word} for field in fields]} for word in words]}


def translate_text(match: TextMatch) -> Raw:
    """A ``TextMatch`` over the documents' word prefixes (the words are [a-z0-9]+)."""
    words = list(match.words)
    found = _text_within(words, match.within)
    if not match.unless_within:
        return found
    return {"$and": [found, {"$nor": [_text_within(words, match.unless_within)]}]}


def translate_filter(where: Filter | None) -> Raw:
    """A port filter as a MongoDB filter on ``d.<field>`` (``id`` is ``_id``).

    Every value is the operand of an operator, never a bare field value, so a value that
    looks like ``{"$where": …}`` is compared literally and cannot inject an operator.
    Assumes ``validate_query`` has accepted ``where``.
    """
    clauses: list[Raw] = []
    for field, cond in (where or {}).items():
        if field == "$text":
            clauses.append(translate_text(cond))
            continue
        path = _path(field)
        ops = cond if isinstance(cond, Mapping) else {"$eq": cond}
        for op, value in ops.items():
            if op in _RANGE and value is None:
                # SQLite's "x >= NULL" is never true; MongoDB's {$gte: null} matches nulls.
                clauses.append(_NOTHING)
            elif op == "$in":
                clauses.append({path: {"$in": list(value)}})
            elif op == "$contains":
                # Escaped, so the text is matched literally, never as a pattern.
                clauses.extend({path: {"$regex": re.escape(text)}} for text in contained(value))
            else:
                # $eq null matches missing too, $ne null excludes both, $ne v includes both,
                # and type bracketing keeps null/missing out of every range: as in SQLite.
                clauses.append({path: {op: value}})
    return _all_of(clauses)


def translate_sort(order: Order) -> list[tuple[str, int]]:
    """The sort keys: the field, then ``_id`` in the same direction as the tie-break."""
    direction = ASCENDING if order.direction == "asc" else DESCENDING
    if order.field == "id":
        return [("_id", direction)]
    return [(_path(order.field), direction), ("_id", direction)]


def translate_after(order: Order, cursor: str) -> Raw:
    """Documents strictly after the cursor's (value, id) in ``order``: null/missing come first
    ascending and last descending, exactly as the SQLite adapter's ``_after_sql``.

    The cursor comes from the client, so its value only ever appears as an operand.
    InvalidQuery if the cursor does not decode.
    """
    value, last_id = decode_cursor(cursor)
    if order.field == "id":
        return {"_id": {"$gt" if order.direction == "asc" else "$lt": last_id}}
    path = _path(order.field)
    if order.direction == "asc":
        if value is None:
            return {"$or": [{path: {"$ne": None}},
                            {path: {"$eq": None}, "_id": {"$gt": last_id}}]}
        return {"$or": [{path: {"$gt": value}},
                        {path: {"$eq": value}, "_id": {"$gt": last_id}}]}
    if value is None:
        return {path: {"$eq": None}, "_id": {"$lt": last_id}}
    return {"$or": [{path: {"$lt": value}}, {path: {"$eq": None}},
                    {path: {"$eq": value}, "_id": {"$lt": last_id}}]}


def find_query(where: Filter | None, order: Order, after: str | None) -> Raw:
    """The whole filter of one ``find`` page: ``where`` and, given a cursor, the keyset
    predicate."""
    query = translate_filter(where)
    if not after:
        return query
    keyset = translate_after(order, after)
    return {"$and": [query, keyset]} if query else keyset


def _doc(raw: Mapping[str, Any]) -> Document:
    return Document(str(raw["_id"]), int(raw["v"]), dict(raw["d"]))


def _is_write_conflict(exc: BaseException) -> bool:
    """The server aborted the transaction over a concurrent write (WriteConflict, a lock
    timeout, …): retrying the whole unit of work is the remedy. Network errors carry the same
    label but are not OperationFailures: they mean the store is unavailable and stay as they
    are."""
    return isinstance(exc, OperationFailure) and exc.has_error_label("TransientTransactionError")


class _MongoSession:
    """Reads, bound to a client session inside a transaction and to none outside one."""

    def __init__(self, store: MongoDocumentStore, session: AsyncClientSession | None) -> None:
        self._store = store
        self._session = session

    def _coll(self, collection: str) -> AsyncCollection[Raw]:
        return self._store.db[self._store.spec(collection).name]

    async def get(self, collection: str, doc_id: str) -> Document | None:
        raw = await self._coll(collection).find_one({"_id": doc_id}, session=self._session)
        return _doc(raw) if raw else None

    async def get_many(self, collection: str, doc_ids: Iterable[str]) -> dict[str, Document]:
        cursor = self._coll(collection).find({"_id": {"$in": list(dict.fromkeys(doc_ids))}},
                                             session=self._session)
        return {doc.id: doc for doc in map(_doc, await cursor.to_list(None))}

    async def find(self, collection: str, where: Filter | None = None, *,
                   order_by: str | Order | None = None, limit: int = 50,
                   after: str | None = None) -> Page:
        spec = self._store.spec(collection)
        order = Order.parse(order_by)
        validate_query(spec, where, order, limit)
        cursor = (self._coll(collection)
                  .find(find_query(where, order, after), session=self._session)
                  .sort(translate_sort(order))
                  .limit(limit + 1))
        rows = [_doc(raw) async for raw in cursor]
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

    async def _write(self, collection: str, doc_id: str, expected: int,
                     operation: Awaitable[T]) -> T:
        """Run one write, reporting a concurrent writer as a WriteConflict on this document."""
        try:
            return await operation
        except OperationFailure as exc:
            if _is_write_conflict(exc):
                raise WriteConflict(collection, doc_id, expected) from exc
            raise

    def _stored(self, collection: str, data: dict[str, Any]) -> Raw:
        """What a write sets: the data, and the word prefixes of its text fields if any."""
        spec = self._store.spec(collection)
        return {"d": data, "t": text_terms(spec, data)} if spec.text else {"d": data}

    async def _stale(self, collection: str, doc_id: str, expected: int) -> StaleVersion:
        current = await self.get(collection, doc_id)
        return StaleVersion(collection, doc_id, expected, current.version if current else None)

    async def insert(self, collection: str, doc_id: str, data: dict[str, Any]) -> Document:
        # An upsert that only sets on insert, rather than insert_one: a taken id is then a
        # plain "matched" result, not a server error, and a server error would abort the
        # whole transaction where SQLite's would not.
        try:
            result = await self._write(collection, doc_id, 0, self._coll(collection).update_one(
                {"_id": doc_id}, {"$setOnInsert": {"v": 1, **self._stored(collection, data)}},
                upsert=True, session=self._session))
        except DuplicateKeyError as exc:  # two upserts racing outside a snapshot
            raise DocumentExists(collection, doc_id) from exc
        if result.upserted_id is None:
            raise DocumentExists(collection, doc_id)
        return Document(doc_id, 1, data)

    async def update(self, collection: str, doc_id: str, data: dict[str, Any], *,
                     expected_version: int) -> Document:
        result = await self._write(collection, doc_id, expected_version,
                                   self._coll(collection).update_one(
                                       {"_id": doc_id, "v": expected_version},
                                       {"$set": self._stored(collection, data),
                                        "$inc": {"v": 1}},
                                       session=self._session))
        if result.matched_count != 1:
            raise await self._stale(collection, doc_id, expected_version)
        return Document(doc_id, expected_version + 1, data)

    async def put(self, collection: str, doc_id: str, data: dict[str, Any]) -> Document:
        raw = await self._write(collection, doc_id, 0, self._coll(collection).find_one_and_update(
            {"_id": doc_id}, {"$set": self._stored(collection, data), "$inc": {"v": 1}},
            projection={"v": True},
            upsert=True, return_document=ReturnDocument.AFTER, session=self._session))
        assert raw is not None  # an upsert returning the document after it always has one
        return Document(doc_id, int(raw["v"]), data)

    async def put_many(self, collection: str, docs: Mapping[str, dict[str, Any]]) -> None:
        if docs:
            await self._write(collection, next(iter(docs)), 0, self._coll(collection).bulk_write(
                [UpdateOne({"_id": doc_id}, {"$set": self._stored(collection, data),
                                             "$inc": {"v": 1}}, upsert=True)
                 for doc_id, data in docs.items()], ordered=False, session=self._session))

    async def delete(self, collection: str, doc_id: str, *,
                     expected_version: int | None = None) -> bool:
        query: Raw = {"_id": doc_id}
        if expected_version is not None:
            query["v"] = expected_version
        result = await self._write(collection, doc_id, expected_version or 0,
                                   self._coll(collection).delete_one(query,
                                                                     session=self._session))
        if result.deleted_count == 1:
            return True
        if expected_version is not None:
            raise await self._stale(collection, doc_id, expected_version)
        return False

    def on_commit(self, callback: Callable[[], None]) -> None:
        self.hooks.add(callback)


class MongoDocumentStore:
    """``mongodb://host:27017/?replicaSet=rs0`` (or ``mongodb+srv://…``), one database per
    service.

    The client is made here but connects on first use, so constructing a store does no I/O
    and ``check()`` can probe the server before ``open()``. PyMongo refuses to reuse a closed
    client, so ``open()`` after ``close()`` makes a new one.
    """

    def __init__(self, url: str, database: str, collections: Iterable[Collection]) -> None:
        self.where = redact_url(url)
        self.collections = declare_collections(collections)
        self._url = url
        password = urlsplit(url).password
        self._secrets = {password, unquote(password)} if password else set()
        self._database = database
        self._client: AsyncMongoClient[Raw] | None = self._new_client()

    def _new_client(self) -> AsyncMongoClient[Raw]:
        options = {k.lower() for k, _ in parse_qsl(urlsplit(self._url).query)}
        try:
            if "serverselectiontimeoutms" in options:
                return AsyncMongoClient(self._url)
            return AsyncMongoClient(self._url,
                                    serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS)
        except PyMongoError as exc:
            raise ValueError(f"invalid MongoDB URL {self.where}: {self._secret_free(exc)}"
                             ) from None

    def _secret_free(self, exc: BaseException) -> str:
        """The error's text without the URL's password, which must never reach a log."""
        text = str(exc)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _unavailable(self, exc: PyMongoError) -> ConnectionError:
        """What ``open()`` and ``check()`` raise, ``from None`` so that the driver's own
        exception (whose text we cannot vouch for) stays out of tracebacks."""
        what = "is unreachable" if isinstance(exc, ConnectionFailure) else "refused the request"
        return ConnectionError(f"MongoDB at {self.where} {what}: {self._secret_free(exc)}")

    @property
    def client(self) -> AsyncMongoClient[Raw]:
        if self._client is None:
            raise RuntimeError("store is not open")
        return self._client

    @property
    def db(self) -> AsyncDatabase[Raw]:
        return self.client[self._database]

    def spec(self, collection: str) -> Collection:
        return collection_spec(self.collections, collection)

    async def open(self) -> None:
        """Create the declared collections and indexes (idempotent). Collections are created
        up front because a transaction's first write to a missing one can conflict with
        another transaction creating it. ConnectionError after the server selection timeout
        if the server cannot be reached."""
        if self._client is None:
            self._client = self._new_client()
        try:
            existing = set(await self.db.list_collection_names())
            for spec in self.collections.values():
                if spec.name not in existing:
                    await self._create_collection(spec.name)
                for fields in (*((f,) for f in spec.indexes), *spec.compound):
                    await self.db[spec.name].create_index(
                        [*((_path(f), ASCENDING) for f in fields), ("_id", ASCENDING)])
                for terms in (ALL_TEXT, *spec.text) if spec.text else ():
                    await self.db[spec.name].create_index([(f"t.{terms}", ASCENDING)])
                if spec.text:
                    await self._backfill_text_terms(spec)
        except PyMongoError as exc:
            raise self._unavailable(exc) from None

    async def _backfill_text_terms(self, spec: Collection) -> None:
        """Documents that predate a text field get its prefixes, a batch at a time (every
        replica may run it at once: the version guard makes each update harmless)."""
        collection = self.db[spec.name]
        while True:
            stored = await collection.find(lacking_text_terms(spec), {"v": 1, "d": 1}
                                           ).limit(BACKFILL_BATCH).to_list()
            if not stored:
                return
            # Each leaves the set: updated here, or rewritten meanwhile with its prefixes.
            await collection.bulk_write([UpdateOne(*update) for update in
                                         text_terms_backfill(spec, stored)], ordered=False)

    async def _create_collection(self, name: str) -> None:
        """Create ``name``, accepting that another replica of the service got there first."""
        try:
            await self.db.create_collection(name, check_exists=False)
        except OperationFailure as exc:
            if exc.code != _NAMESPACE_EXISTS:
                raise

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        self._client = None

    async def drop(self) -> None:
        """Drop the service's database (the contract tests' teardown)."""
        await self.client.drop_database(self._database)

    async def check(self) -> None:
        try:
            await self.db.command("ping")
        except PyMongoError as exc:
            raise self._unavailable(exc) from None

    async def get(self, collection: str, doc_id: str) -> Document | None:
        return await _MongoSession(self, None).get(collection, doc_id)

    async def get_many(self, collection: str, doc_ids: Iterable[str]) -> dict[str, Document]:
        return await _MongoSession(self, None).get_many(collection, doc_ids)

    async def find(self, collection: str, where: Filter | None = None, *,
                   order_by: str | Order | None = None, limit: int = 50,
                   after: str | None = None) -> Page:
        return await _MongoSession(self, None).find(collection, where, order_by=order_by,
                                                    limit=limit, after=after)

    async def count(self, collection: str, where: Filter | None = None) -> int:
        return await _MongoSession(self, None).count(collection, where)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_MongoTransaction]:
        """Snapshot reads, majority-acknowledged commit; aborted on any exception, hooks fired
        only after the commit. A transient abort by the server becomes a WriteConflict: the
        body is the caller's code, so only the caller can run it again."""
        client = self.client
        if _in_transaction.get():
            raise RuntimeError("nested transactions are not supported; pass the open one down")
        token = _in_transaction.set(True)
        try:
            async with client.start_session() as session:
                await session.start_transaction(read_concern=ReadConcern("snapshot"),
                                                write_concern=WriteConcern("majority"))
                tx = _MongoTransaction(self, session)
                try:
                    yield tx
                    await session.commit_transaction()
                except BaseException as exc:
                    if session.in_transaction:  # not after a failed commit: nothing to abort
                        await session.abort_transaction()
                    if _is_write_conflict(exc):
                        raise WriteConflict() from exc
                    raise
            tx.hooks.fire()
        finally:
            _in_transaction.reset(token)
