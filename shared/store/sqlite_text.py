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

A search is answered one of three ways (``plan_search``): the matches are read from the
full-text index and sorted (their count decides the cost); the sort's own index is walked
and each row probed against the search, stopping once the page is full (the rows passed
over decide the cost); or, sorted on a text field whose order gathers the matches, in two
parts that are each one of the other two.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import aiosqlite

from shared.store.port import Collection, Order, TextMatch

BROAD_TEXT = 2000
"""Matches beyond which walking the sort's index beats sorting the matches, when the sort
spreads them evenly (stars, dates): the page is found after about N / matches rows each."""
SPLIT_FROM = 20_000
"""Matches from which a search sorted on a text field is answered by first words
(``SearchPlan.BY_FIRST_WORDS``, a few searches of the index: ~20-60 ms at a million rows)
rather than among its matches (each match's fields read: ~1.3 µs each)."""
FIRST_WORDS_SAMPLE = 64
"""Matches whose first words tell which stretches a search sorted by a text field walks."""
DENSE_SHARE = 4
"""An order on a text field itself gathers its matches (names that share a word sort
together, maybe at the end), so its index is walked only when at least 1/DENSE_SHARE of the
rows match (judged on the first DENSE_SHARE × BROAD_TEXT rows): a walk then passes over at
most DENSE_SHARE rows per match, which costs no more than reading and sorting them."""


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
    if match.unless_within:
        query = f"{query} NOT {within(match.unless_within)}"
    if isinstance(match, NotStarting) and match.starting:
        starts = " OR ".join(f'^"{word}"*' for word in match.starting)
        query = f"({query}) NOT {{{text_column(match.field)}}} : ({starts})"
    return query


class SearchPlan(enum.Enum):
    NOTHING = "nothing"
    """Nothing matches: no page to read."""
    WALK = "walk"
    """Walk the sort's index, probing each row against the search, until the page is full:
    the matches are many and the order spreads them."""
    AMONG_MATCHES = "among matches"
    """Read every match from the full-text index and sort them by the fields table."""
    BY_FIRST_WORDS = "by first words"
    """The order is a text field's own, which gathers the matches: those whose field
    begins with one of the words (a stretch of its index each) are walked there, the rest,
    which the order spreads, are planned as a search of their own; the pages merged."""


@dataclass(frozen=True)
class NotStarting(TextMatch):
    """A search's matches whose ``field`` begins with none of the ``starting`` words."""

    field: str = ""
    starting: tuple[str, ...] = ()


async def plan_search(db: aiosqlite.Connection, spec: Collection, match: TextMatch,
                      order: Order) -> SearchPlan:
    """How to answer a search in ``order``, judged by the full-text index alone: its
    matches counted up to what decides it and, for an order on a text field, how densely
    the first rows match (counting every match of a broad search cost as much as it)."""
    gathers = order.field in spec.text and not isinstance(match, NotStarting)
    found = await _count(db, spec, match, SPLIT_FROM if gathers else BROAD_TEXT)
    if found == 0:
        return SearchPlan.NOTHING
    if not gathers:
        return SearchPlan.WALK if found >= BROAD_TEXT else SearchPlan.AMONG_MATCHES
    if found < SPLIT_FROM:
        return SearchPlan.AMONG_MATCHES
    sample = DENSE_SHARE * BROAD_TEXT
    dense = await _count(db, spec, match, BROAD_TEXT, up_to_row=sample) >= BROAD_TEXT
    return SearchPlan.WALK if dense else SearchPlan.BY_FIRST_WORDS


async def _count(db: aiosqlite.Connection, spec: Collection, match: TextMatch, enough: int,
                 up_to_row: int | None = None) -> int:
    """Matches of ``match``, counted up to ``enough`` (among rowids up to ``up_to_row``)."""
    table = text_table(spec)
    rows = "" if up_to_row is None else f" AND rowid <= {int(up_to_row)}"
    [(found,)] = await db.execute_fetchall(
        f'SELECT count(*) FROM (SELECT rowid FROM "{table}" WHERE "{table}" MATCH ?{rows} '
        "LIMIT ?)", (text_query(match), enough))
    return int(found)


async def starting_words(db: aiosqlite.Connection, spec: Collection, match: TextMatch,
                         field: str) -> tuple[str, ...]:
    """The words of ``match`` that begin ``field`` in some of its first FIRST_WORDS_SAMPLE
    matches: the stretches worth walking (a word that begins none would walk a stretch of
    names that merely share it; matches it does begin, if any, are left to the rest)."""
    text = text_table(spec)
    rows = await db.execute_fetchall(
        f'SELECT {field_column(field)} FROM "{fields_table(spec)}" WHERE doc_row IN '
        f'(SELECT rowid FROM "{text}" WHERE "{text}" MATCH ? LIMIT ?)',
        (text_query(match), FIRST_WORDS_SAMPLE))
    firsts = {value.split(" ", 1)[0] for (value,) in rows if isinstance(value, str)}
    return tuple(sorted({word for word in match.words
                         if any(first.startswith(word) for first in firsts)}))


def first_word_stretches(words: tuple[str, ...]) -> list[dict[str, str]]:
    """The stretches of a text field's order whose values begin with one of ``words``
    (text fields hold folded words, ``shared.text.fold``: a value begins with its first)."""
    return [{"$gte": word, "$lt": word[:-1] + chr(ord(word[-1]) + 1)} for word in words]


def _of(row: str, column: str) -> str:
    """``column`` of ``row``: ``new`` or ``old`` in a trigger, "" for the row a SELECT reads."""
    return f"{row}.{column}" if row else column


def json_field(path: str, row: str = "") -> str:
    """A declared field of a document, as the collection's expression indexes read it."""
    return f"json_extract({_of(row, 'data')}, '$.{path}')"


async def keep_search_tables(db: aiosqlite.Connection, spec: Collection) -> None:
    """Both tables and their triggers, made and filled where missing or outdated."""
    table, columns = text_table(spec), [text_column(f) for f in spec.text]
    listed = ", ".join(columns)
    words = {row: ", ".join(json_field(f, row) for f in spec.text) for row in ("new", "old")}
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
              f'{", ".join(json_field(f) for f in spec.text)} FROM "{spec.name}"'))

    table, fields = fields_table(spec), spec.indexes
    listed = ", ".join(["doc_row", "id", *(field_column(f) for f in fields)])
    values = {row: ", ".join([_of(row, "rowid"), _of(row, "id"),
                              *(json_field(f, row) for f in fields)]) for row in ("new", "")}
    changed = ", ".join(["id = new.id",
                         *(f"{field_column(f)} = {json_field(f, 'new')}" for f in fields)])
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
