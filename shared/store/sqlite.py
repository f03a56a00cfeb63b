"""SQLite adapter of the document store: one file per service, JSON documents.

Each collection is a table ``(id, version, data)``; each declared field gets an expression
index on ``json_extract(data, '$.field')``. One writer connection serialises transactions
(SQLite allows one writer anyway); reads outside a transaction use a second connection,
which WAL mode lets run beside the writer and which never sees uncommitted data.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from shared.keyfiles import private_file
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
    contained,
    declare_collections,
    validate_query,
)

_SQL_OPS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}

_in_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar("sqlite_tx", default=False)


def _expr(path: str) -> str:
    return "id" if path == "id" else f"json_extract(data, '$.{path}')"


def _sql_value(value: Any) -> Any:
    # Booleans compare as 1/0 in SQLite; json_extract returns them that way too.
    return json.dumps(value) if isinstance(value, dict | list) else value


def _where_sql(where: Filter | None) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for path, cond in (where or {}).items():
        expr = _expr(path)
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
                clauses.append(f"({expr} IS NOT NULL AND {expr} {_SQL_OPS[op]} ?)")
                params.append(_sql_value(value))
    return clauses, params


def _after_sql(order: Order, after: str) -> tuple[str, list[Any]]:
    """Rows strictly after the cursor in (field, id) order; NULLs sort first ascending."""
    value, last_id = decode_cursor(after)
    expr = _expr(order.field)
    if order.field == "id":
        return ("id > ?" if order.direction == "asc" else "id < ?"), [last_id]
    if order.direction == "asc":
        if value is None:
            return f"({expr} IS NOT NULL OR ({expr} IS NULL AND id > ?))", [last_id]
        return f"({expr} > ? OR ({expr} = ? AND id > ?))", [value, value, last_id]
    if value is None:
        return f"({expr} IS NULL AND id < ?)", [last_id]
    return f"({expr} < ? OR {expr} IS NULL OR ({expr} = ? AND id < ?))", [value, value, last_id]


def _row_doc(row: sqlite3.Row | tuple[Any, ...]) -> Document:
    return Document(row[0], row[1], json.loads(row[2]))


class _SqliteSession:
    """Reads (and, inside a transaction, writes) on one connection."""

    def __init__(self, store: SqliteDocumentStore, db: aiosqlite.Connection) -> None:
        self._store = store
        self._db = db

    async def get(self, collection: str, doc_id: str) -> Document | None:
        table = self._store.table(collection)
        async with self._db.execute(f'SELECT id, version, data FROM "{table}" WHERE id = ?',
                                    (doc_id,)) as cur:
            row = await cur.fetchone()
        return _row_doc(row) if row else None

    async def find(self, collection: str, where: Filter | None = None, *,
                   order_by: str | Order | None = None, limit: int = 50,
                   after: str | None = None) -> Page:
        spec = self._store.spec(collection)
        order = Order.parse(order_by)
        validate_query(spec, where, order, limit)
        clauses, params = _where_sql(where)
        if after:
            clause, more = _after_sql(order, after)
            clauses.append(clause)
            params.extend(more)
        direction = "ASC" if order.direction == "asc" else "DESC"
        sort = "id" if order.field == "id" else f"{_expr(order.field)} {direction}, id"
        sql = (f'SELECT id, version, data FROM "{spec.name}"'
               + (f" WHERE {' AND '.join(clauses)}" if clauses else "")
               + f" ORDER BY {sort} {direction} LIMIT ?")
        async with self._db.execute(sql, (*params, limit + 1)) as cur:
            rows = await cur.fetchall()
        docs = [_row_doc(r) for r in rows[:limit]]
        more_pages = len(rows) > limit
        return Page(docs, encode_cursor(docs[-1], order.field) if more_pages else None)

    async def count(self, collection: str, where: Filter | None = None) -> int:
        spec = self._store.spec(collection)
        validate_query(spec, where, Order(), 1)
        clauses, params = _where_sql(where)
        sql = f'SELECT COUNT(*) FROM "{spec.name}"' + (
            f" WHERE {' AND '.join(clauses)}" if clauses else "")
        async with self._db.execute(sql, params) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0


class _SqliteTransaction(_SqliteSession):
    def __init__(self, store: SqliteDocumentStore, db: aiosqlite.Connection) -> None:
        super().__init__(store, db)
        self.hooks = TransactionHooks()

    async def insert(self, collection: str, doc_id: str, data: dict[str, Any]) -> Document:
        table = self._store.table(collection)
        try:
            await self._db.execute(f'INSERT INTO "{table}" (id, version, data) VALUES (?, 1, ?)',
                                   (doc_id, json.dumps(data, ensure_ascii=False)))
        except sqlite3.IntegrityError as exc:
            raise DocumentExists(collection, doc_id) from exc
        return Document(doc_id, 1, data)

    async def update(self, collection: str, doc_id: str, data: dict[str, Any], *,
                     expected_version: int) -> Document:
        table = self._store.table(collection)
        cur = await self._db.execute(
            f'UPDATE "{table}" SET version = version + 1, data = ? WHERE id = ? AND version = ?',
            (json.dumps(data, ensure_ascii=False), doc_id, expected_version))
        if cur.rowcount != 1:
            current = await self.get(collection, doc_id)
            raise StaleVersion(collection, doc_id, expected_version,
                               current.version if current else None)
        return Document(doc_id, expected_version + 1, data)

    async def put(self, collection: str, doc_id: str, data: dict[str, Any]) -> Document:
        table = self._store.table(collection)
        async with self._db.execute(
            f'INSERT INTO "{table}" (id, version, data) VALUES (?, 1, ?) '
            "ON CONFLICT(id) DO UPDATE SET version = version + 1, data = excluded.data "
            "RETURNING version", (doc_id, json.dumps(data, ensure_ascii=False))) as cur:
            row = await cur.fetchone()
        return Document(doc_id, int(row[0]) if row else 1, data)

    async def delete(self, collection: str, doc_id: str, *,
                     expected_version: int | None = None) -> bool:
        table = self._store.table(collection)
        if expected_version is None:
            cur = await self._db.execute(f'DELETE FROM "{table}" WHERE id = ?', (doc_id,))
            return cur.rowcount == 1
        cur = await self._db.execute(f'DELETE FROM "{table}" WHERE id = ? AND version = ?',
                                     (doc_id, expected_version))
        if cur.rowcount != 1:
            current = await self.get(collection, doc_id)
            raise StaleVersion(collection, doc_id, expected_version,
                               current.version if current else None)
        return True

    def on_commit(self, callback: Any) -> None:
        self.hooks.add(callback)


class SqliteDocumentStore:
    """``sqlite:///absolute/path/service.db``."""

    def __init__(self, path: Path, collections: Iterable[Collection]) -> None:
        self.path = path
        self.collections = declare_collections(collections)
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    def spec(self, collection: str) -> Collection:
        return collection_spec(self.collections, collection)

    def table(self, collection: str) -> str:
        return self.spec(collection).name

    async def open(self) -> None:
        private_file(self.path)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves.
        self._writer = await aiosqlite.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000",
                       "foreign_keys=ON"):
            await self._writer.execute(f"PRAGMA {pragma}")
        for spec in self.collections.values():
            await self._writer.execute(
                f'CREATE TABLE IF NOT EXISTS "{spec.name}" (id TEXT PRIMARY KEY, '
                "version INTEGER NOT NULL, data TEXT NOT NULL)")
            for field in spec.indexes:
                index = f"ix_{spec.name}_{field.replace('.', '_')}"
                await self._writer.execute(
                    f'CREATE INDEX IF NOT EXISTS "{index}" ON "{spec.name}" ({_expr(field)}, id)')
        self._reader = await aiosqlite.connect(self.path, isolation_level=None)
        await self._reader.execute("PRAGMA busy_timeout=10000")
        await self._reader.execute("PRAGMA query_only=ON")

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    async def check(self) -> None:
        if self._reader is None:
            raise RuntimeError("store is not open")
        async with self._reader.execute("SELECT 1") as cur:
            await cur.fetchone()

    def _read(self) -> _SqliteSession:
        if self._reader is None:
            raise RuntimeError("store is not open")
        return _SqliteSession(self, self._reader)

    async def get(self, collection: str, doc_id: str) -> Document | None:
        return await self._read().get(collection, doc_id)

    async def find(self, collection: str, where: Filter | None = None, *,
                   order_by: str | Order | None = None, limit: int = 50,
                   after: str | None = None) -> Page:
        return await self._read().find(collection, where, order_by=order_by, limit=limit,
                                       after=after)

    async def count(self, collection: str, where: Filter | None = None) -> int:
        return await self._read().count(collection, where)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SqliteTransaction]:
        if self._writer is None:
            raise RuntimeError("store is not open")
        if _in_transaction.get():
            raise RuntimeError("nested transactions are not supported; pass the open one down")
        token = _in_transaction.set(True)
        try:
            async with self._lock:
                await self._writer.execute("BEGIN IMMEDIATE")
                tx = _SqliteTransaction(self, self._writer)
                try:
                    yield tx
                except BaseException:
                    await self._writer.execute("ROLLBACK")
                    raise
                await self._writer.execute("COMMIT")
            tx.hooks.fire()
        finally:
            _in_transaction.reset(token)
