"""SQLite adapter of the document store: one file per service, JSON documents.

Each collection is a table ``(id, version, data)``; each declared field gets an expression
index on ``json_extract(data, '$.field')`` (and each compound index one over its fields'
expressions). A collection's text fields are kept by triggers in an FTS5 table beside it
(``<name>__text``, contentless: it holds the words, not a copy of the text), so every write,
whatever its path, keeps the index in step. One writer connection serialises transactions
(SQLite allows one writer anyway); reads outside a transaction use a second connection,
which WAL mode lets run beside the writer and which never sees uncommitted data.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite

from shared.platform.keyfiles import private_file
from shared.ports.store.cursor import decode_cursor, encode_cursor
from shared.ports.store.port import (
    Collection,
    Document,
    DocumentExists,
    Filter,
    Order,
    Page,
    ReadsThroughSessions,
    StaleVersion,
    TextMatch,
    TransactionHooks,
    collection_spec,
    contained,
    declare_collections,
    validate_query,
)
from shared.ports.store.sqlite_text import (
    SearchPlan,
    Walks,
    choose_walks,
    field_column,
    fields_table,
    json_field,
    keep_search_tables,
    order_column,
    plan_search,
    search_reads,
    text_probe,
    text_query,
    text_table,
    words_table,
)

_SQL_OPS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
FEW_DOCUMENTS = 100
"""A ``put_many`` of up to this many documents in a transaction is written on the loop's
thread, as a point statement is (a burst's inbox entries); more go to the thread."""
CACHE_KIB = 65536
"""Page cache per connection: a collection with a dozen indexes outgrows SQLite's 2 MiB
default at tens of thousands of documents, and every write then reads pages back (a
40,000-listing fill took 60 s with it, 23 s with this)."""
MMAP_BYTES = 8 << 30
"""Pages beyond the cache are read through memory mapping, not a read() each: past a few
hundred thousand documents the page cache misses and each miss was a system call. (A build
caps it at its SQLITE_MAX_MMAP_SIZE: Debian's is 2 GiB.)"""

WARM_CACHE_KIB = 2048
"""The warming connection's own page cache: what it reads is meant to stay in the OS page
cache, which the store's reader shares, not in a connection that closes when done."""

_in_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar("sqlite_tx", default=False)


def _expr(path: str) -> str:
    return "id" if path == "id" else json_field(path)


def _sql_value(value: Any) -> Any:
    # Booleans compare as 1/0 in SQLite; json_extract returns them that way too.
    return json.dumps(value) if isinstance(value, dict | list) else value


@dataclass(frozen=True)
class _Plan:
    """How one query reads: where each field is, and what steers SQLite's choice of index
    (the planner has ``ANALYZE``'s counts per value, not STAT4's samples, so it cannot tell
    how selective a range or a full-text match is, and guesses both to be)."""

    order_field: str | None = None
    """A page's sort field: a range on another field then never chooses the index, so the
    page is walked in the sort's index (or a filter's equality index) and stops after its
    rows, instead of sorting every row in the range (``valid_until >= today``: all)."""
    walk_text: bool = False
    """Probe the text search while walking the sort's index (``SearchPlan.WALK``)."""
    matches: str | None = None
    """A text search's matches already gathered in this common table (``WITH``) of the
    statement: probed there, not searched again."""
    expr: Callable[[str], str] = _expr
    """Where a field is read: the document's JSON, or the fields table's column."""


def _where_sql(spec: Collection, where: Filter | None, plan: _Plan = _Plan()
               ) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for path, cond in (where or {}).items():
        if path == "$text":
            table = text_table(spec)
            rowid = "+rowid" if plan.walk_text else "rowid"  # "+": not a lookup by rowid
            if plan.matches:
                clauses.append(f"{rowid} IN {plan.matches}")
            else:
                clauses.append(
                    f'{rowid} IN (SELECT rowid FROM "{table}" WHERE "{table}" MATCH ?)')
                params.append(text_query(cond))
            continue
        expr = plan.expr(path)
        ops = cond if isinstance(cond, Mapping) else {"$eq": cond}
        for op, value in ops.items():
            if op == "$eq":
                clauses.append(f"{expr} IS ?")
                params.append(_sql_value(value))
            elif op == "$ne":
                clauses.append(f"{expr} IS NOT ?")
                params.append(_sql_value(value))
            elif op == "$contains":
                for text in contained(value):
                    # instr is literal: '%', '_' and the like are matched as themselves.
                    clauses.append(f"(json_type(data, '$.{path}') = 'text' "
                                   f"AND instr({expr}, ?) > 0)")
                    params.append(text)
            elif op == "$in":
                values = list(value)
                present = [v for v in values if v is not None]
                parts = []
                if present:
                    parts.append(f"{expr} IN ({', '.join('?' * len(present))})")
                    params.extend(_sql_value(v) for v in present)
                if len(present) < len(values):
                    parts.append(f"{expr} IS NULL")
                clauses.append(f"({' OR '.join(parts)})" if parts else "0")
            else:
                # Like MongoDB, a range never matches a missing or null field.
                steered = (f"+{expr}" if plan.order_field not in (None, "id", path)
                           else expr)
                clauses.append(f"({steered} IS NOT NULL AND {steered} {_SQL_OPS[op]} ?)")
                params.append(_sql_value(value))
    return clauses, params


def _after_sql(order: Order, after: str | None, expr: Callable[[str], str] = _expr
               ) -> list[tuple[str | None, list[Any]]]:
    """Rows strictly after the cursor in (field, id) order, NULLs first ascending, as the
    stretches that follow it in order: ties after the cursor's id, then the values beyond,
    then (descending) the NULLs. Each is one seek in the (field, id) index, where a single
    predicate with OR would make SQLite walk the index from its start (deep pages cost as
    much as every page before them)."""
    if after is None:
        return [(None, [])]
    value, last_id = decode_cursor(after)
    field, doc_id = expr(order.field), expr("id")
    if order.field == "id":
        return [(f"{doc_id} > ?" if order.direction == "asc" else f"{doc_id} < ?", [last_id])]
    if order.direction == "asc":
        if value is None:
            return [(f"{field} IS NULL AND {doc_id} > ?", [last_id]),
                    (f"{field} IS NOT NULL", [])]
        return [(f"{field} = ? AND {doc_id} > ?", [value, last_id]), (f"{field} > ?", [value])]
    if value is None:
        return [(f"{field} IS NULL AND {doc_id} < ?", [last_id])]
    return [(f"{field} = ? AND {doc_id} < ?", [value, last_id]), (f"{field} < ?", [value]),
            (f"{field} IS NULL", [])]


def _by_ids(table: str, doc_ids: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
    """The statements that read ``doc_ids`` (a few hundred parameters each)."""
    ids = list(dict.fromkeys(doc_ids))
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        yield (f'SELECT id, version, data FROM "{table}" WHERE id IN '
               f"({', '.join('?' * len(part))})", part)


def _row_doc(row: sqlite3.Row | tuple[Any, ...]) -> Document:
    return Document(row[0], row[1], json.loads(row[2]))


class _SqliteSession:
    """Reads (and, inside a transaction, writes) on one connection. Each statement is one
    trip to the connection's thread (``execute_fetchall``): a cursor's execute, fetch and
    close were three, and a consumer's event makes a handful of statements."""

    def __init__(self, store: SqliteDocumentStore, db: aiosqlite.Connection) -> None:
        self._store = store
        self._db = db

    async def get(self, collection: str, doc_id: str) -> Document | None:
        table = self._store.table(collection)
        rows = await self._db.execute_fetchall(
            f'SELECT id, version, data FROM "{table}" WHERE id = ?', (doc_id,))
        return next((_row_doc(row) for row in rows), None)

    async def get_many(self, collection: str, doc_ids: Iterable[str]) -> dict[str, Document]:
        found: dict[str, Document] = {}
        for sql, ids in _by_ids(self._store.table(collection), doc_ids):
            found.update((row[0], _row_doc(row)) for row in await self._db.execute_fetchall(
                sql, ids))
        return found

    async def find(self, collection: str, where: Filter | None = None, *,
                   order_by: str | Order | None = None, limit: int = 50,
                   after: str | None = None) -> Page:
        spec = self._store.spec(collection)
        order = Order.parse(order_by)
        validate_query(spec, where, order, limit)
        text = (where or {}).get("$text")
        if text is None:
            return await self._page(spec, where, order, limit, after, _Plan(order.field))
        plan = await plan_search(self._db, spec, text, order)
        if plan is SearchPlan.NOTHING:
            return Page([])
        # Whether a field holds text is the JSON's to say: read from the documents.
        contains = any(isinstance(cond, Mapping) and "$contains" in cond
                       for cond in (where or {}).values())
        if plan is SearchPlan.BY_WORDS and not contains:
            walks = await choose_walks(self._db, spec, text)
            if walks is not None:
                return await self._by_words(spec, where or {}, text, order, limit, after,
                                            walks)
            plan = SearchPlan.WALK
        if plan is SearchPlan.WALK:
            return await self._page(spec, where, order, limit, after,
                                    _Plan(order.field, walk_text=True))
        if contains:
            return await self._page(spec, where, order, limit, after, _Plan(order.field))
        return await self._page(spec, where, order, limit, after,
                                _Plan(order.field, expr=field_column), among_matches=True)

    async def _by_words(self, spec: Collection, where: Filter, match: TextMatch,
                        order: Order, limit: int, after: str | None, walks: Walks) -> Page:
        """``SearchPlan.BY_WORDS``: for each posting list walked, its first rows after the
        cursor in the order whose document passes the probe and the filters (one seek and
        a few rows each: the index gives the order), merged and cut to the page in one
        statement; then only the page's documents are read. A page's first ``limit + 1``
        matches are among each walk's first ``limit + 1``."""
        sort = f"p.{order_column(order.field)}"
        plan = _Plan(order.field, expr=lambda path: f"f.{field_column(path)}")
        filters, filter_params = _where_sql(
            spec, {k: v for k, v in where.items() if k != "$text"}, plan)
        # The order's own field is probed in the posting, before its document's fields are
        # looked up: a walk passes over rows that lack another word at that cost alone.
        probe, probe_params = text_probe(
            spec, match, lambda field: sort if field == order.field else f"f.{field_column(field)}")
        direction = "ASC" if order.direction == "asc" else "DESC"
        arms: list[str] = []
        params: list[Any] = []
        for field in walks.fields:
            for word in walks.words:
                for stretch, more in _after_sql(order, after,
                                                lambda path: "p.id" if path == "id" else sort):
                    where_sql = " AND ".join(["p.field = ?", "p.word = ?",
                                              *([stretch] if stretch else []), *filters, probe])
                    arms.append(
                        f"SELECT * FROM (SELECT DISTINCT p.doc_row, {sort} AS sort, p.id "
                        f'FROM "{words_table(spec)}" AS p '
                        f'JOIN "{fields_table(spec)}" AS f ON f.doc_row = p.doc_row '
                        f"WHERE {where_sql} ORDER BY {sort} {direction}, p.id {direction} "
                        "LIMIT ?)")
                    params += [field, word, *more, *filter_params, *probe_params, limit + 1]
        rows = list(await self._db.execute_fetchall(
            "SELECT d.id, d.version, d.data FROM (SELECT doc_row, sort, id FROM ("
            + " UNION ".join(arms) + f") ORDER BY sort {direction}, id {direction} LIMIT ?) "
            f'AS m JOIN "{spec.name}" AS d ON d.rowid = m.doc_row '
            f"ORDER BY m.sort {direction}, m.id {direction}", [*params, limit + 1]))
        docs = [_row_doc(r) for r in rows[:limit]]
        return Page(docs, encode_cursor(docs[-1], order.field) if len(rows) > limit else None)

    async def _page(self, spec: Collection, where: Filter | None, order: Order, limit: int,
                    after: str | None, plan: _Plan, among_matches: bool = False) -> Page:
        """One page, read from the collection's table; ``among_matches``: a text search's
        matches filtered and sorted in the fields table, then the page's documents read."""
        clauses, params = _where_sql(spec, where, plan)
        direction = "ASC" if order.direction == "asc" else "DESC"
        sort = ("id" if order.field == "id" else
                f"{plan.expr(order.field)} {direction}, id") + f" {direction}"
        rows: list[Any] = []
        for stretch, more in _after_sql(order, after, plan.expr):
            where_sql = " AND ".join([*clauses, *([stretch] if stretch else [])])
            where_sql = f" WHERE {where_sql}" if where_sql else ""
            if among_matches:
                sql = (f'SELECT d.id, d.version, d.data FROM (SELECT doc_row, '
                       f'{plan.expr(order.field)} AS sort, id FROM "{fields_table(spec)}"'
                       f'{where_sql} ORDER BY {sort} LIMIT ?) AS m '
                       f'JOIN "{spec.name}" AS d ON d.rowid = m.doc_row '
                       f"ORDER BY m.sort {direction}, m.id {direction}")
            else:
                sql = (f'SELECT id, version, data FROM "{spec.name}"{where_sql} '
                       f"ORDER BY {sort} LIMIT ?")
            rows.extend(await self._db.execute_fetchall(
                sql, (*params, *more, limit + 1 - len(rows))))
            if len(rows) > limit:
                break
        docs = [_row_doc(r) for r in rows[:limit]]
        more_pages = len(rows) > limit
        return Page(docs, encode_cursor(docs[-1], order.field) if more_pages else None)

    async def count(self, collection: str, where: Filter | None = None) -> int:
        spec = self._store.spec(collection)
        validate_query(spec, where, Order(), 1)
        clauses, params = _where_sql(spec, where)
        sql = f'SELECT COUNT(*) FROM "{spec.name}"' + (
            f" WHERE {' AND '.join(clauses)}" if clauses else "")
        [(found,)] = await self._db.execute_fetchall(sql, params)
        return int(found)


class _SqliteTransaction(_SqliteSession):
    """Reads and writes inside one write transaction. Its point statements (one document by
    id) run on the loop's own thread: once BEGIN IMMEDIATE holds the write lock nothing
    waits, and each takes microseconds where the trip to the connection's thread took
    about 100 (3 of 4 parts of a consumer's time per event). BEGIN (which may wait for
    another process's lock), COMMIT (which may checkpoint the WAL), queries and batches
    still go to the thread."""

    def __init__(self, store: SqliteDocumentStore, db: aiosqlite.Connection,
                 now: sqlite3.Connection) -> None:
        super().__init__(store, db)
        self._now = now
        self.hooks = TransactionHooks()

    async def get(self, collection: str, doc_id: str) -> Document | None:
        table = self._store.table(collection)
        row = self._now.execute(f'SELECT id, version, data FROM "{table}" WHERE id = ?',
                                (doc_id,)).fetchone()
        return None if row is None else _row_doc(row)

    async def get_many(self, collection: str, doc_ids: Iterable[str]) -> dict[str, Document]:
        return {row[0]: _row_doc(row)
                for sql, ids in _by_ids(self._store.table(collection), doc_ids)
                for row in self._now.execute(sql, ids).fetchall()}

    async def insert(self, collection: str, doc_id: str, data: dict[str, Any]) -> Document:
        table = self._store.table(collection)
        try:
            self._now.execute(f'INSERT INTO "{table}" (id, version, data) VALUES (?, 1, ?)',
                              (doc_id, json.dumps(data, ensure_ascii=False)))
        except sqlite3.IntegrityError as exc:
            raise DocumentExists(collection, doc_id) from exc
        return Document(doc_id, 1, data)

    async def update(self, collection: str, doc_id: str, data: dict[str, Any], *,
                     expected_version: int) -> Document:
        table = self._store.table(collection)
        cur = self._now.execute(
            f'UPDATE "{table}" SET version = version + 1, data = ? WHERE id = ? AND version = ?',
            (json.dumps(data, ensure_ascii=False), doc_id, expected_version))
        if cur.rowcount != 1:
            current = await self.get(collection, doc_id)
            raise StaleVersion(collection, doc_id, expected_version,
                               current.version if current else None)
        return Document(doc_id, expected_version + 1, data)

    async def put(self, collection: str, doc_id: str, data: dict[str, Any]) -> Document:
        [(version,)] = self._now.execute(
            self._upsert(collection) + " RETURNING version",
            (doc_id, json.dumps(data, ensure_ascii=False))).fetchall()
        return Document(doc_id, int(version), data)

    async def put_many(self, collection: str, docs: Mapping[str, dict[str, Any]]) -> None:
        rows = [(doc_id, json.dumps(data, ensure_ascii=False)) for doc_id, data in docs.items()]
        if len(rows) <= FEW_DOCUMENTS:
            self._now.executemany(self._upsert(collection), rows)
        else:
            await self._db.executemany(self._upsert(collection), rows)

    def _upsert(self, collection: str) -> str:
        return (f'INSERT INTO "{self._store.table(collection)}" (id, version, data) '
                "VALUES (?, 1, ?) "
                "ON CONFLICT(id) DO UPDATE SET version = version + 1, data = excluded.data")

    async def delete(self, collection: str, doc_id: str, *,
                     expected_version: int | None = None) -> bool:
        table = self._store.table(collection)
        if expected_version is None:
            cur = self._now.execute(f'DELETE FROM "{table}" WHERE id = ?', (doc_id,))
            return cur.rowcount == 1
        cur = self._now.execute(f'DELETE FROM "{table}" WHERE id = ? AND version = ?',
                                (doc_id, expected_version))
        if cur.rowcount != 1:
            current = await self.get(collection, doc_id)
            raise StaleVersion(collection, doc_id, expected_version,
                               current.version if current else None)
        return True

    def on_commit(self, callback: Any) -> None:
        self.hooks.add(callback)


class SqliteDocumentStore(ReadsThroughSessions):
    """``sqlite:///absolute/path/service.db``."""

    def __init__(self, path: Path, collections: Iterable[Collection]) -> None:
        self.path = path
        self.collections = declare_collections(collections)
        self._writer: aiosqlite.Connection | None = None
        self._writer_now: sqlite3.Connection | None = None
        """The writer's own connection, for a transaction's point statements."""
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    def spec(self, collection: str) -> Collection:
        return collection_spec(self.collections, collection)

    def table(self, collection: str) -> str:
        return self.spec(collection).name

    async def open(self) -> None:
        private_file(self.path)
        def connect() -> sqlite3.Connection:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves. Used from the loop's
            # thread too, never at once with its own (one transaction at a time, each
            # statement awaited), which SQLite's serialized mode allows.
            self._writer_now = sqlite3.connect(self.path, isolation_level=None,
                                               check_same_thread=False)
            return self._writer_now

        self._writer = await aiosqlite.Connection(connect, iter_chunk_size=64)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000",
                       "foreign_keys=ON", f"cache_size=-{CACHE_KIB}",
                       f"mmap_size={MMAP_BYTES}"):
            await self._writer.execute(f"PRAGMA {pragma}")
        for spec in self.collections.values():
            await self._writer.execute(
                f'CREATE TABLE IF NOT EXISTS "{spec.name}" (id TEXT PRIMARY KEY, '
                "version INTEGER NOT NULL, data TEXT NOT NULL)")
            for index, fields in zip(self.index_names(spec),
                                     (*((f,) for f in spec.indexes), *spec.compound),
                                     strict=True):
                columns = ", ".join(_expr(f) for f in fields)
                await self._writer.execute(
                    f'CREATE INDEX IF NOT EXISTS "{index}" ON "{spec.name}" ({columns}, id)')
            if spec.text:
                await keep_search_tables(self._writer, spec)
        # The planner chooses among the expression indexes by ANALYZE's counts: without
        # them it takes a filter on an unselective field (status) over the index that gives
        # the order and sorts the whole table. Exact counts (a sampled ANALYZE caps the rows
        # per value at its sample and makes 'status' look selective); seconds on a store of
        # a million documents, once per start.
        for spec in self.collections.values():
            await self._writer.execute(f'ANALYZE "{spec.name}"')
        self._reader = await aiosqlite.connect(self.path, isolation_level=None)
        await self._reader.execute("PRAGMA busy_timeout=10000")
        await self._reader.execute("PRAGMA query_only=ON")
        await self._reader.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        await self._reader.execute(f"PRAGMA mmap_size={MMAP_BYTES}")

    async def warm(self, collection: str, *, seconds: float) -> list[str]:
        """Read ``collection``'s search tables and indexes whole, most used first, into the
        OS page cache, until done or ``seconds`` have passed; the b-trees read to their end.

        After a restart on a machine whose page cache has lost the file, a search of a
        million documents reads each page it needs from disk as it goes (its first searches
        took ~400 ms); read ahead in whole-b-tree scans, the pages come off the disk in
        long runs instead. On its own read-only connection and thread: the reader serves
        meanwhile, and gains each page as soon as it is read. Each scan is cut short when
        time is up or the caller is cancelled (SQLite's progress handler)."""
        spec = self.spec(collection)
        deadline, stop = time.monotonic() + seconds, threading.Event()
        try:
            return await asyncio.to_thread(
                self._warm, search_reads(spec, self.index_names(spec)), deadline, stop)
        finally:
            stop.set()

    def _warm(self, reads: list[tuple[str, str]], deadline: float, stop: threading.Event
              ) -> list[str]:
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            for pragma in ("busy_timeout=10000", "query_only=ON",
                           f"cache_size=-{WARM_CACHE_KIB}"):
                db.execute(f"PRAGMA {pragma}")
            db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            db.set_progress_handler(lambda: stop.is_set() or time.monotonic() > deadline,
                                    10_000)
            done = []
            for name, sql in reads:
                try:
                    db.execute(sql).fetchall()
                except sqlite3.OperationalError as exc:
                    if "interrupt" not in str(exc):
                        raise
                    break
                done.append(name)
            return done
        finally:
            db.close()

    def index_names(self, spec: Collection) -> list[str]:
        """The names of ``spec``'s expression indexes (as ``open`` makes them)."""
        return ["_".join(("ix", spec.name, *(f.replace(".", "_") for f in fields)))
                for fields in (*((f,) for f in spec.indexes), *spec.compound)]

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = self._writer_now = None

    async def check(self) -> None:
        if self._reader is None:
            raise RuntimeError("store is not open")
        async with self._reader.execute("SELECT 1") as cur:
            await cur.fetchone()

    def _read(self) -> _SqliteSession:
        if self._reader is None:
            raise RuntimeError("store is not open")
        return _SqliteSession(self, self._reader)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SqliteTransaction]:
        if self._writer is None:
            raise RuntimeError("store is not open")
        if _in_transaction.get():
            raise RuntimeError("nested transactions are not supported; pass the open one down")
        token = _in_transaction.set(True)
        try:
            async with self._lock:
                assert self._writer_now is not None
                tx = _SqliteTransaction(self, self._writer, self._writer_now)
                try:
                    # Inside the try: a caller cancelled while BEGIN is on its way leaves the
                    # statement to run on the connection's thread all the same, and only the
                    # ROLLBACK queued behind it ends what it opens (once, left open, it made
                    # the next transaction's BEGIN fail).
                    await self._writer.execute("BEGIN IMMEDIATE")
                    yield tx
                except BaseException:
                    await self._roll_back()
                    raise
                await self._commit(tx.hooks)
            tx.hooks.fire()
        finally:
            _in_transaction.reset(token)

    async def _roll_back(self) -> None:
        assert self._writer is not None
        with contextlib.suppress(sqlite3.OperationalError):  # BEGIN failed: nothing to end
            await self._writer.execute("ROLLBACK")

    async def _commit(self, hooks: TransactionHooks) -> None:
        """COMMIT, which runs to its end on the connection's thread even when the caller is
        cancelled meanwhile: the transaction's hooks then fire once it has committed."""
        assert self._writer is not None
        committing = asyncio.ensure_future(self._writer.execute("COMMIT"))
        try:
            await asyncio.shield(committing)
        except asyncio.CancelledError:
            committing.add_done_callback(partial(_fire_if_committed, hooks))
            raise
        except BaseException:
            await self._roll_back()
            raise


def _fire_if_committed(hooks: TransactionHooks, committing: asyncio.Future[Any]) -> None:
    if not committing.cancelled() and committing.exception() is None:
        hooks.fire()
