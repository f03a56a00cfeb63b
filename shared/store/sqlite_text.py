"""The SQLite adapter's full-text search: the two tables kept beside a collection that has
text fields, and how a search is planned.

- ``<name>__text``: an FTS5 table (unicode61, diacritics removed, prefix indexes), contentless:
  it holds the words, not a copy of the text.
- ``<name>__fields``: each document's declared fields as plain columns (no JSON to parse),
  by the document's rowid, so that the matches of a search are filtered and sorted without
  reading the documents; only the page's documents are read.

Triggers keep both in step with every write, whatever its path; both are made, and filled
from the rows already there, when missing or when the collection's fields changed. They name
rows by the table's rowid, which stays a row's own (the store never runs VACUUM, which may
renumber rows: after one, drop both tables and the next open rebuilds them).

A search is answered one of two ways (``walks_sort_index``): the matches are read from the
full-text index and sorted (their count decides the cost), or the sort's own index is walked
and each row probed against the search, stopping once the page is full (the rows passed over
decide the cost).
"""

from __future__ import annotations

import aiosqlite

from shared.store.port import Collection, Order, TextMatch

BROAD_TEXT = 2000
"""Matches beyond which walking the sort's index beats sorting the matches, when the sort
spreads them evenly (stars, dates): the page is found after about N / matches rows each."""
DENSE_SHARE = 4
"""An order on a text field itself gathers its matches (names that share a word sort
together, maybe at the end), so its index is walked only when at least 1/DENSE_SHARE of the
rows match: a walk then passes over at most DENSE_SHARE rows per match, which costs no more
than reading and sorting every match."""


def text_table(spec: Collection) -> str:
    return f"{spec.name}__text"


def fields_table(spec: Collection) -> str:
    return f"{spec.name}__fields"


def text_column(path: str) -> str:
    """The FTS5 column of a text field."""
    return path.replace(".", "_")


def field_column(path: str) -> str:
    """A declared field's column in the fields table (the document's id is ``id``)."""
    return "id" if path == "id" else f'"f_{path.replace(".", "_")}"'


def text_query(match: TextMatch) -> str:
    """FTS5's query language for a ``TextMatch``: each word as a quoted prefix (the words
    are [a-z0-9]+, so quoting is all the escaping needed)."""
    every = "(" + " AND ".join(f'"{word}"*' for word in match.words) + ")"

    def within(fields: tuple[str, ...]) -> str:
        return "{" + " ".join(text_column(f) for f in fields) + "} : " + every

    query = within(match.within) if match.within else every
    return f"{query} NOT {within(match.unless_within)}" if match.unless_within else query


async def walks_sort_index(db: aiosqlite.Connection, spec: Collection, match: TextMatch,
                           order: Order) -> bool:
    """Whether to walk the sort's index probing the search rather than sort the matches:
    the matches are counted by the full-text index alone, up to what decides it."""
    enough = BROAD_TEXT
    if order.field in spec.text:
        [(rows,)] = await db.execute_fetchall(f'SELECT max(rowid) FROM "{spec.name}"')
        enough = max(enough, (rows or 0) // DENSE_SHARE)
    table = text_table(spec)
    [(found,)] = await db.execute_fetchall(
        f'SELECT count(*) FROM (SELECT rowid FROM "{table}" WHERE "{table}" MATCH ? '
        "LIMIT ?)", (text_query(match), enough))
    return bool(found >= enough)


def _of(row: str, column: str) -> str:
    """``column`` of ``row``: ``new`` or ``old`` in a trigger, "" for the row a SELECT reads."""
    return f"{row}.{column}" if row else column


def _expr(path: str, row: str = "") -> str:
    return f"json_extract({_of(row, 'data')}, '$.{path}')"


async def keep_search_tables(db: aiosqlite.Connection, spec: Collection) -> None:
    """Both tables and their triggers, made and filled where missing or outdated."""
    table, columns = text_table(spec), [text_column(f) for f in spec.text]
    listed = ", ".join(columns)
    words = {row: ", ".join(_expr(f, row) for f in spec.text) for row in ("new", "old")}
    insert = f'INSERT INTO "{table}" (rowid, {listed}) VALUES (new.rowid, {words["new"]});'
    # A contentless table forgets a row by being told the words it indexed.
    forget = (f'INSERT INTO "{table}" ("{table}", rowid, {listed}) '
              f'VALUES (\'delete\', old.rowid, {words["old"]});')
    await _keep_beside(
        db, spec, table,
        create=(f'CREATE VIRTUAL TABLE "{table}" USING fts5({listed}, content=\'\', '
                "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"),
        on_insert=insert, on_update=forget + " " + insert, on_delete=forget,
        fill=(f'INSERT INTO "{table}" (rowid, {listed}) SELECT rowid, '
              f'{", ".join(_expr(f) for f in spec.text)} FROM "{spec.name}"'))

    table, fields = fields_table(spec), spec.indexes
    listed = ", ".join(["doc_row", "id", *(field_column(f) for f in fields)])
    values = {row: ", ".join([_of(row, "rowid"), _of(row, "id"),
                              *(_expr(f, row) for f in fields)]) for row in ("new", "")}
    changed = ", ".join(["id = new.id",
                         *(f"{field_column(f)} = {_expr(f, 'new')}" for f in fields)])
    # Columns without a type keep json_extract's values as they are: they compare and sort
    # exactly as the expression indexes of the collection do.
    await _keep_beside(
        db, spec, table,
        create=(f'CREATE TABLE "{table}" (doc_row INTEGER PRIMARY KEY, id TEXT NOT NULL'
                + "".join(f", {field_column(f)}" for f in fields) + ")"),
        on_insert=f'INSERT INTO "{table}" ({listed}) VALUES ({values["new"]});',
        on_update=f'UPDATE "{table}" SET {changed} WHERE doc_row = new.rowid;',
        on_delete=f'DELETE FROM "{table}" WHERE doc_row = old.rowid;',
        fill=f'INSERT INTO "{table}" ({listed}) SELECT {values[""]} FROM "{spec.name}"')


async def _keep_beside(db: aiosqlite.Connection, spec: Collection, table: str, *, create: str,
                       on_insert: str, on_update: str, on_delete: str, fill: str) -> None:
    """``table`` kept by triggers on the collection's table: made and filled from the rows
    already there when missing or when its definition changed, in one transaction."""
    [found] = await db.execute_fetchall(
        "SELECT (SELECT sql FROM sqlite_master WHERE name = ?)", (table,))
    if found[0] == create:
        return
    await db.execute("BEGIN IMMEDIATE")
    try:
        for trigger in ("insert", "update", "delete"):
            await db.execute(f'DROP TRIGGER IF EXISTS "{table}_{trigger}"')
        await db.execute(f'DROP TABLE IF EXISTS "{table}"')
        await db.execute(create)
        await db.execute(f'CREATE TRIGGER "{table}_insert" AFTER INSERT ON "{spec.name}" '
                         f"BEGIN {on_insert} END")
        await db.execute(f'CREATE TRIGGER "{table}_update" AFTER UPDATE OF data ON '
                         f'"{spec.name}" BEGIN {on_update} END')
        await db.execute(f'CREATE TRIGGER "{table}_delete" AFTER DELETE ON "{spec.name}" '
                         f"BEGIN {on_delete} END")
        await db.execute(fill)
    except BaseException:
        await db.execute("ROLLBACK")
        raise
    await db.execute("COMMIT")
