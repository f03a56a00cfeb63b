"""PostgreSQL adapter of the document store, on psycopg 3's asyncio API and its connection
pool: the store for a platform spread over several machines (replicas of a service share
one server; SQLite's file is one machine's).

A service's collections are tables in a schema of its own, ``ocop_<service>``, so the
services can share one database (or each have its own); ``postgres_sql.py`` says how a
table is laid out, indexed and queried. ``open()`` makes what is missing, under an advisory
lock, so replicas starting together do not race.

Transactions run at READ COMMITTED, with the versions as the guard: an update or delete
names the version it read (``WHERE version = …``), and a second writer of the same document
waits on the first one's row lock, then finds the version changed and is refused
(``StaleVersion``), as SQLite's one writer at a time would refuse it. Inserts and puts are
``ON CONFLICT`` statements, so a taken id is an answer, not an error that would abort the
transaction. A deadlock between two transactions (each waiting on a row the other wrote)
is reported as ``ConcurrentWrite``, a ``StaleVersion``: callers handle it as any lost race
(``retried`` runs the work again). Commit hooks fire once COMMIT has returned.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg import AsyncConnection, AsyncCursor, errors
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from shared.platform.config import redact_url
from shared.ports.store.cursor import encode_cursor
from shared.ports.store.port import (
    Collection,
    Document,
    DocumentExists,
    Filter,
    Order,
    Page,
    ReadsThroughSessions,
    StaleVersion,
    TransactionHooks,
    collection_spec,
    declare_collections,
    validate_query,
)
from shared.ports.store.postgres_sql import (
    WORDS,
    after_sql,
    check_text_fields,
    dumped,
    field_sql,
    generated,
    generated_sql,
    index_sql,
    order_sql,
    quoted,
    signature,
    table_sql,
    where_sql,
)
from shared.refusals import N_, Conflict

POOL_SIZE = 10
"""Connections a store keeps at most (each replica of each service): a transaction holds
one to its end, and reads outside one take one each."""
WALK_ROWS = 1000
"""Rows of the sort's index a text search walks, testing their words, before it reads its
matches from the text index instead (``_PostgresSession._search``)."""
CONNECT_TIMEOUT = 10.0
"""Seconds ``open()`` waits for the server, and a request for a free connection."""

_in_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar("pg_tx", default=False)
_LOST_RACE = (errors.SerializationFailure, errors.DeadlockDetected)


class ConcurrentWrite(StaleVersion):
    """Two transactions were each waiting on the other's rows: the server ended one of them.
    Nothing it wrote is kept; run the work again (a 409 to a person)."""

    def __init__(self) -> None:
        self.expected, self.actual = 0, None
        Conflict.__init__(self, N_("Someone else is changing the same data at this moment. "
                                   "Reload it and try again."), code="stale-version")


def _where(conditions: list[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _doc(row: tuple[Any, ...]) -> Document:
    return Document(row[0], int(row[1]), row[2])


class _PostgresSession:
    """Reads on one connection: a transaction's, or one taken from the pool per call."""

    def __init__(self, store: PostgresDocumentStore, conn: AsyncConnection[Any] | None) -> None:
        self._store = store
        self._conn = conn

    async def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            if self._conn is not None:
                cur = await self._conn.execute(sql, list(params))
                return await cur.fetchall() if cur.description else []
            async with contextlib.AsyncExitStack() as stack:
                cur = await self._store.run_first(stack, sql, list(params))
                return await cur.fetchall() if cur.description else []
        except _LOST_RACE as exc:
            raise ConcurrentWrite() from exc

    def _table(self, collection: str) -> str:
        return self._store.table(collection)

    async def get(self, collection: str, doc_id: str) -> Document | None:
        rows = await self._rows(
            f"SELECT id, version, data FROM {self._table(collection)} WHERE id = %s", [doc_id])
        return _doc(rows[0]) if rows else None

    async def get_many(self, collection: str, doc_ids: Iterable[str]) -> dict[str, Document]:
        ids = list(dict.fromkeys(doc_ids))
        if not ids:
            return {}
        rows = await self._rows(f"SELECT id, version, data FROM {self._table(collection)} "
                                "WHERE id = ANY(%s)", [ids])
        return {row[0]: _doc(row) for row in rows}

    async def find(self, collection: str, where: Filter | None = None, *,
                   order_by: str | Order | None = None, limit: int = 50,
                   after: str | None = None) -> Page:
        spec = self._store.spec(collection)
        order = Order.parse(order_by)
        validate_query(spec, where, order, limit)
        table = self._table(collection)
        text = (where or {}).get("$text")
        clauses, params = where_sql(spec, {k: v for k, v in (where or {}).items()
                                           if k != "$text"})
        searched, search_params = where_sql(spec, {"$text": text}) if text else ([], [])
        rows: list[tuple[Any, ...]] = []
        for stretch, more in after_sql(order, after):
            conditions = [*clauses, *([stretch] if stretch else [])]
            wanted = limit + 1 - len(rows)
            if text is None:
                rows.extend(await self._rows(
                    f"SELECT id, version, data FROM {table}{_where(conditions)} "
                    f"ORDER BY {order_sql(order)} LIMIT %s", [*params, *more, wanted]))
            else:
                rows.extend(await self._search(table, order, conditions, [*params, *more],
                                               searched[0], search_params, wanted))
            if len(rows) > limit:
                break
        docs = [_doc(row) for row in rows[:limit]]
        return Page(docs, encode_cursor(docs[-1], order.field) if len(rows) > limit else None)

    async def _search(self, table: str, order: Order, conditions: list[str],
                      params: list[Any], searched: str, search_params: list[Any],
                      wanted: int) -> list[tuple[Any, ...]]:
        """The first ``wanted`` rows in order that meet ``conditions`` and the search. First
        the sort's index is walked for WALK_ROWS rows that meet the conditions, their words
        tested: enough when the matches are many (the page fills within them) or the rows
        few (the walk saw them all). Otherwise the matches are few among many rows: read
        from the text index and sorted. (The planner cannot choose between the two: it
        guesses how many documents a prefix matches, and walked tens of thousands of rows
        for a rare word, or sorted every match of a common one.)"""
        sort = "id" if order.field == "id" else field_sql(order.field)
        by_s, by_p = order_sql(order, "s"), order_sql(order, "p.s", "p.id")
        rows = await self._rows(
            f"WITH c AS MATERIALIZED (SELECT id, {sort} AS s, {WORDS} FROM {table}"
            f"{_where(conditions)} ORDER BY {order_sql(order)} LIMIT %s), "
            f"p AS (SELECT id, s FROM c WHERE {searched} ORDER BY {by_s} LIMIT %s) "
            f"SELECT (SELECT count(*) FROM c), d.id, d.version, d.data FROM (SELECT 1) AS one "
            f"LEFT JOIN (p JOIN {table} AS d ON d.id = p.id) ON true ORDER BY {by_p}",
            [*params, WALK_ROWS, *search_params, wanted])
        found = [row[1:] for row in rows if row[1] is not None]
        if len(found) == wanted or rows[0][0] < WALK_ROWS:
            return found
        # Fenced (MATERIALIZED): the matches are read from the text index, then sorted.
        return await self._rows(
            f"WITH m AS MATERIALIZED (SELECT id, {sort} AS s FROM {table}"
            f"{_where([*conditions, searched])}) SELECT d.id, d.version, d.data FROM "
            f"(SELECT id, s FROM m ORDER BY {by_s} LIMIT %s) AS p "
            f"JOIN {table} AS d ON d.id = p.id ORDER BY {by_p}",
            [*params, *search_params, wanted])

    async def count(self, collection: str, where: Filter | None = None) -> int:
        spec = self._store.spec(collection)
        validate_query(spec, where, Order(), 1)
        clauses, params = where_sql(spec, where)
        [(found,)] = await self._rows(
            f"SELECT count(*) FROM {self._table(collection)}"
            + (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params)
        return int(found)


class _PostgresTransaction(_PostgresSession):
    def __init__(self, store: PostgresDocumentStore, conn: AsyncConnection[Any]) -> None:
        super().__init__(store, conn)
        self.hooks = TransactionHooks()

    async def _stale(self, collection: str, doc_id: str, expected: int) -> StaleVersion:
        current = await self.get(collection, doc_id)
        return StaleVersion(collection, doc_id, expected, current.version if current else None)

    async def insert(self, collection: str, doc_id: str, data: dict[str, Any]) -> Document:
        rows = await self._rows(
            f"INSERT INTO {self._table(collection)} (id, version, data) VALUES (%s, 1, %s) "
            "ON CONFLICT (id) DO NOTHING RETURNING version", [doc_id, dumped(data)])
        if not rows:
            raise DocumentExists(collection, doc_id)
        return Document(doc_id, 1, data)

    async def update(self, collection: str, doc_id: str, data: dict[str, Any], *,
                     expected_version: int) -> Document:
        rows = await self._rows(
            f"UPDATE {self._table(collection)} SET version = version + 1, data = %s "
            "WHERE id = %s AND version = %s RETURNING version",
            [dumped(data), doc_id, expected_version])
        if not rows:
            raise await self._stale(collection, doc_id, expected_version)
        return Document(doc_id, int(rows[0][0]), data)

    def _upsert(self, collection: str) -> str:
        table = self._table(collection)
        return (f"INSERT INTO {table} AS t (id, version, data) {{rows}} ON CONFLICT (id) "
                "DO UPDATE SET version = t.version + 1, data = excluded.data")

    async def put(self, collection: str, doc_id: str, data: dict[str, Any]) -> Document:
        [(version,)] = await self._rows(
            self._upsert(collection).format(rows="VALUES (%s, 1, %s)") + " RETURNING version",
            [doc_id, dumped(data)])
        return Document(doc_id, int(version), data)

    async def put_many(self, collection: str, docs: Mapping[str, dict[str, Any]]) -> None:
        if docs:
            await self._rows(
                self._upsert(collection).format(
                    rows="SELECT u.id, 1, u.data FROM unnest(%s::text[], %s::json[]) "
                         "AS u(id, data)"),
                [list(docs), [dumped(data) for data in docs.values()]])

    async def delete(self, collection: str, doc_id: str, *,
                     expected_version: int | None = None) -> bool:
        table = self._table(collection)
        if expected_version is None:
            return bool(await self._rows(f"DELETE FROM {table} WHERE id = %s RETURNING id",
                                         [doc_id]))
        if await self._rows(f"DELETE FROM {table} WHERE id = %s AND version = %s RETURNING id",
                            [doc_id, expected_version]):
            return True
        raise await self._stale(collection, doc_id, expected_version)

    def on_commit(self, callback: Callable[[], None]) -> None:
        self.hooks.add(callback)


class PostgresDocumentStore(ReadsThroughSessions):
    """``postgresql://user:password@host:5432/database`` (or ``postgres://``), the service's
    collections in the schema ``schema`` (``ocop_<service>``)."""

    def __init__(self, url: str, schema: str, collections: Iterable[Collection]) -> None:
        self.where = redact_url(url)
        self.collections = declare_collections(collections)
        for spec in self.collections.values():
            check_text_fields(spec)
        self._url = url
        self.schema = schema
        self._pool: AsyncConnectionPool | None = None

    @property
    def pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            raise RuntimeError("store is not open")
        return self._pool

    def spec(self, collection: str) -> Collection:
        return collection_spec(self.collections, collection)

    def table(self, collection: str) -> str:
        return f"{quoted(self.schema)}.{quoted(self.spec(collection).name)}"

    def _unavailable(self, exc: BaseException) -> ConnectionError:
        return ConnectionError(f"PostgreSQL at {self.where} is unavailable: "
                               f"{type(exc).__name__}")

    async def open(self) -> None:
        """Connect, and make the schema, tables and indexes that are missing (idempotent;
        replicas opening together take turns). ConnectionError if the server cannot be
        reached within CONNECT_TIMEOUT."""
        if self._pool is None:
            pool = AsyncConnectionPool(self._url, min_size=1, max_size=POOL_SIZE,
                                       kwargs={"autocommit": True}, open=False,
                                       timeout=CONNECT_TIMEOUT, name=f"store-{self.schema}")
            try:
                await pool.open(wait=True, timeout=CONNECT_TIMEOUT)
            except (PoolTimeout, psycopg.OperationalError) as exc:
                await pool.close()
                raise self._unavailable(exc) from None
            self._pool = pool
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                               [f"ocop schema {self.schema}"])
            # Made only when missing: CREATE SCHEMA needs CREATE on the database even when
            # the schema exists, which a role given its schema beforehand may lack.
            found = await conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                                       [self.schema])
            if await found.fetchone() is None:
                await conn.execute(f"CREATE SCHEMA {quoted(self.schema)}")
            for spec in self.collections.values():
                await conn.execute(table_sql(self.schema, spec))
                await self._keep_generated(conn, spec)
                for statement in index_sql(self.schema, spec):
                    await conn.execute(statement)

    async def _keep_generated(self, conn: AsyncConnection[Any], spec: Collection) -> None:
        """The collection's generated columns, each made (again, its indexes dropped with it)
        unless it is made of what the collection declares already; ``words`` dropped from
        one with no text fields."""
        table = self.table(spec.name)
        found = await conn.execute(
            "SELECT attname, col_description(attrelid, attnum) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped", [table])
        comments = {name: comment for name, comment in await found.fetchall()}
        wanted = generated(spec)
        if WORDS in comments and WORDS not in wanted:
            await conn.execute(f"ALTER TABLE {table} DROP COLUMN {WORDS}")
        for column, (_, expression) in wanted.items():
            if comments.get(column) != signature(expression):
                for statement in generated_sql(self.schema, spec, column):
                    await conn.execute(statement)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
        self._pool = None

    async def drop(self) -> None:
        """Drop the service's schema and everything in it (the contract tests' teardown)."""
        async with self.pool.connection() as conn:
            await conn.execute(f"DROP SCHEMA IF EXISTS {quoted(self.schema)} CASCADE")

    async def check(self) -> None:
        try:
            async with contextlib.AsyncExitStack() as stack:
                await self.run_first(stack, "SELECT 1")
        except (PoolTimeout, psycopg.OperationalError) as exc:
            raise self._unavailable(exc) from None

    async def run_first(self, stack: contextlib.AsyncExitStack, sql: str,
                        params: list[Any] | None = None) -> AsyncCursor[Any]:
        """``sql`` (a read, or BEGIN: safe to run again) on a connection of the pool, given
        back when ``stack`` closes. A connection the server dropped since it was last used
        (a restart, a failover, an idle timeout) is found so by the statement: the pool then
        checks its idle connections, replacing those dropped too, and the statement runs on
        another, so that a restart fails no request."""
        for attempt in range(2):
            conn = await stack.enter_async_context(
                self.pool.connection(timeout=CONNECT_TIMEOUT))
            try:
                return await conn.execute(sql, params)
            except psycopg.OperationalError:
                if not conn.broken or attempt:
                    raise
            await self.pool.check()
        raise AssertionError("unreachable")

    def _read(self) -> _PostgresSession:
        return _PostgresSession(self, None)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_PostgresTransaction]:
        """One connection, BEGIN … COMMIT; rolled back on any exception; hooks fired only
        after the commit."""
        if self._pool is None:
            raise RuntimeError("store is not open")
        if _in_transaction.get():
            raise RuntimeError("nested transactions are not supported; pass the open one down")
        token = _in_transaction.set(True)
        try:
            async with contextlib.AsyncExitStack() as stack:
                conn = (await self.run_first(stack, "BEGIN")).connection
                tx = _PostgresTransaction(self, conn)
                try:
                    yield tx
                except BaseException:
                    # A statement cut short by cancellation may leave nothing to roll back on
                    # this connection; the pool rolls back (or discards) what remains.
                    with contextlib.suppress(psycopg.Error):
                        await conn.execute("ROLLBACK")
                    raise
                await _commit(conn, tx.hooks)
        finally:
            _in_transaction.reset(token)


async def _commit(conn: AsyncConnection[Any], hooks: TransactionHooks) -> None:
    """COMMIT, then the hooks. A caller cancelled meanwhile (a service stopping mid-event)
    still waits for the COMMIT to end, so that the connection goes back to the pool idle and
    the hooks fire exactly when the transaction committed; then the cancellation goes on."""
    committing = asyncio.ensure_future(conn.execute("COMMIT"))
    cancelled = False
    while not committing.done():
        try:
            await asyncio.shield(committing)
        except asyncio.CancelledError:
            cancelled = True
        except BaseException:
            break
    try:
        committing.result()
    except _LOST_RACE as exc:
        raise ConcurrentWrite() from exc
    hooks.fire()
    if cancelled:
        raise asyncio.CancelledError
