"""The SQLite adapter's full-text search: the tables kept beside a collection that has
text fields, and how a search is planned.

- ``<name>__text``: an FTS5 table (unicode61, diacritics removed, prefix indexes), contentless:
  it holds the words, not a copy of the text.
- ``<name>__fields``: each document's declared and text fields as plain columns (no JSON to
  parse), by the document's rowid, so that the matches of a search are filtered and sorted
  without reading the documents; only the page's documents are read.
- ``<name>__words``: postings in the order of each text field that is also a sort field
  (a *text order*: names): one row per word of each text field, with the document's value in
  that order, indexed (field, word, value, id). A word's matches are read in a text order
  from there, where the full-text index gives them in rowid order only.

Triggers keep them in step with every write, whatever its path; each is made, and filled
from the rows already there, when missing or when the collection's fields changed. They name
rows by the table's rowid, which stays a row's own (the store never runs VACUUM, which may
renumber rows: after one, drop the three tables and the next open rebuilds them). Text
fields hold folded words (``shared.i18n.text.fold``: lower-case a-z and 0-9 between single
spaces), which is how the postings and the probes below split and match them.

A search is answered one of four ways (``plan_search``): not at all, when nothing matches;
the matches read from the full-text index and sorted in the fields table (their count
decides the cost); the sort's own index walked and each row probed against the search,
stopping once the page is full (for orders that spread the matches: stars, dates); or, in a
text order, by words: the postings of the searched word with the fewest, one walk for each
indexed word it begins, each row probed against the other words and the filters, the walks
merged (a page costs about its own rows, however many match).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

import aiosqlite

from shared.ports.store.port import Collection, Order, TextMatch

BROAD_TEXT = 2000
"""Matches beyond which walking the sort's index beats sorting the matches, when the sort
spreads them evenly (stars, dates): the page is found after about N / matches rows each."""
BY_WORDS_FROM = 20_000
"""Matches from which a search in a text order is answered by words (``SearchPlan.BY_WORDS``,
a few milliseconds whatever the count) rather than among its matches (each match's fields
read: ~1.3 µs each). Below it, a walk of the postings of a word whose matches are spread
among many more postings could pass over more rows than sorting the matches reads."""
MOST_WORDS = 32
"""Indexed words a searched word may begin for ``SearchPlan.BY_WORDS`` (one walk each, in
one statement); a shorter prefix is walked in the sort's index instead (``WALK``): it
matches so widely that the page is found within few rows."""


def text_table(spec: Collection) -> str:
    return f"{spec.name}__text"


def fields_table(spec: Collection) -> str:
    return f"{spec.name}__fields"


def words_table(spec: Collection) -> str:
    return f"{spec.name}__words"


def words_index(spec: Collection, order: str) -> str:
    """The postings' index in a text order."""
    return f'{words_table(spec)}_by_{order.replace(".", "_")}'


def text_orders(spec: Collection) -> tuple[str, ...]:
    """The text fields a page may be sorted on: the postings keep their order."""
    return tuple(f for f in spec.text if f in spec.indexes)


def text_column(path: str) -> str:
    """The FTS5 column of a text field."""
    return path.replace(".", "_")


def field_column(path: str) -> str:
    """A declared field's column in the fields table (the document's id is ``id``)."""
    return "id" if path == "id" else f'"f_{path.replace(".", "_")}"'


def order_column(path: str) -> str:
    """A text order's column in the postings."""
    return f'"s_{path.replace(".", "_")}"'


def text_query(match: TextMatch) -> str:
    """FTS5's query language for a ``TextMatch``: each word as a quoted prefix (the words
    are [a-z0-9]+, so quoting is all the escaping needed)."""
    every = "(" + " AND ".join(f'"{word}"*' for word in match.words) + ")"

    def within(fields: tuple[str, ...]) -> str:
        return "{" + " ".join(text_column(f) for f in fields) + "} : " + every

    query = within(match.within) if match.within else every
    if match.unless_within:
        query = f"{query} NOT {within(match.unless_within)}"
    return query


def text_probe(spec: Collection, match: TextMatch, column: Callable[[str], str]
               ) -> tuple[str, list[str]]:
    """The match tested on one row, each text field read from ``column(field)``, as an SQL
    condition and its parameters: each word begins a word of a field (``instr`` of " word"
    in the field's value after a space), as the full-text index would find it."""
    def every(fields: tuple[str, ...]) -> tuple[str, list[str]]:
        begins = [" OR ".join(f"instr(' ' || coalesce({column(f)}, ''), ?) > 0"
                              for f in fields) for _ in match.words]
        return ("(" + " AND ".join(f"({b})" for b in begins) + ")",
                [f" {word}" for word in match.words for _ in fields])

    sql, params = every(match.within or spec.text)
    if match.unless_within:
        unless, more = every(match.unless_within)
        sql, params = f"({sql} AND NOT {unless})", params + more
    return sql, params


class SearchPlan(enum.Enum):
    NOTHING = "nothing"
    """Nothing matches: no page to read."""
    WALK = "walk"
    """Walk the sort's index, probing each row against the search, until the page is full:
    the matches are many and the order spreads them."""
    AMONG_MATCHES = "among matches"
    """Read every match from the full-text index and sort them by the fields table."""
    BY_WORDS = "by words"
    """The order is a text order and the matches are many: walk the postings of the
    searched word that has the fewest, in that order (``Walks``)."""


async def plan_search(db: aiosqlite.Connection, spec: Collection, match: TextMatch,
                      order: Order) -> SearchPlan:
    """How to answer a search in ``order``, judged by its matches in the full-text index,
    counted up to what decides it (counting every match of a broad search costs as much as
    answering it)."""
    ordered = order.field in text_orders(spec)
    found = await _count(db, spec, match, BY_WORDS_FROM if ordered else BROAD_TEXT)
    if found == 0:
        return SearchPlan.NOTHING
    if ordered:
        return SearchPlan.BY_WORDS if found >= BY_WORDS_FROM else SearchPlan.AMONG_MATCHES
    return SearchPlan.WALK if found >= BROAD_TEXT else SearchPlan.AMONG_MATCHES


async def _count(db: aiosqlite.Connection, spec: Collection, match: TextMatch, enough: int
                 ) -> int:
    """Matches of ``match``, counted up to ``enough``."""
    table = text_table(spec)
    [(found,)] = await db.execute_fetchall(
        f'SELECT count(*) FROM (SELECT rowid FROM "{table}" WHERE "{table}" MATCH ? '
        "LIMIT ?)", (text_query(match), enough))
    return int(found)


@dataclass(frozen=True)
class Walks:
    """What ``SearchPlan.BY_WORDS`` walks: the postings of each of ``words`` (the indexed
    words that one searched word begins) in each of ``fields`` (numbers in the collection's
    text fields) that the search looks in."""

    fields: tuple[int, ...]
    words: tuple[str, ...]


def _after_prefix(word: str) -> str:
    """The first string after every word that begins with ``word`` (words are [a-z0-9])."""
    return word[:-1] + chr(ord(word[-1]) + 1)


async def choose_walks(db: aiosqlite.Connection, spec: Collection, match: TextMatch
                       ) -> Walks | None:
    """The searched word with the fewest postings in the fields searched (counted up to
    BY_WORDS_FROM; among those with as many, the longest) and the indexed words it begins;
    None when it begins more than MOST_WORDS."""
    table = words_table(spec)
    fields = tuple(spec.text.index(f) for f in (match.within or spec.text))
    marks = ", ".join("?" * len(fields))
    counted = []
    for word in dict.fromkeys(match.words):
        [(postings,)] = await db.execute_fetchall(
            f'SELECT count(*) FROM (SELECT 1 FROM "{table}" WHERE field IN ({marks}) '
            "AND word >= ? AND word < ? LIMIT ?)",
            (*fields, word, _after_prefix(word), BY_WORDS_FROM))
        counted.append((postings, -len(word), word))
    _, _, word = min(counted)
    words: set[str] = set()
    for field in fields:
        # One seek per word in the index: SELECT DISTINCT would read every posting.
        words.update(value for (value,) in await db.execute_fetchall(
            f'WITH RECURSIVE found(word, n) AS ('
            f'SELECT (SELECT min(word) FROM "{table}" WHERE field = ?1 AND word >= ?2 '
            "AND word < ?3), 1 UNION ALL "
            f'SELECT (SELECT min(word) FROM "{table}" WHERE field = ?1 AND word > found.word '
            "AND word < ?3), n + 1 FROM found WHERE found.word IS NOT NULL AND n <= ?4) "
            "SELECT word FROM found WHERE word IS NOT NULL",
            (field, word, _after_prefix(word), MOST_WORDS)))
    if len(words) > MOST_WORDS:
        return None
    return Walks(fields, tuple(sorted(words)))


def search_reads(spec: Collection, indexes: list[str]) -> list[tuple[str, str]]:
    """What ``SqliteDocumentStore.warm`` reads of a collection, most used first, each
    b-tree by a statement that reads it whole (and returns one number): the full-text
    index (every search counts its matches there first), the fields table (the matches
    filtered and sorted), the collection's indexes (filters and orders walked; ``open``'s
    ``ANALYZE`` has just read them, so they cost little), the postings (searches by words),
    then the documents (a page's own)."""
    name = spec.name
    reads: list[tuple[str, str]] = []
    if spec.text:
        for table in (f"{text_table(spec)}_idx", f"{text_table(spec)}_data",
                      fields_table(spec)):
            reads.append((table, f'SELECT count(*) FROM "{table}"'))
    # count(*) reads a table's own b-tree whatever INDEXED BY says; count(a column the
    # index holds) walks the index named, and only it (a covering scan).
    reads += [(index, f'SELECT count(id) FROM "{name}" INDEXED BY "{index}"')
              for index in indexes]
    reads += [(words_index(spec, order), f'SELECT count(doc_row) FROM "{words_table(spec)}" '
                                         f'INDEXED BY "{words_index(spec, order)}"')
              for order in text_orders(spec)]
    # The smallest b-tree is counted: the primary key's index, unless NOT INDEXED.
    reads += [(f"{name} ids", f'SELECT count(*) FROM "{name}"'),
              (name, f'SELECT count(*) FROM "{name}" NOT INDEXED')]
    return reads


def _of(row: str, column: str) -> str:
    """``column`` of ``row``: ``new`` or ``old`` in a trigger, "" for the row a SELECT reads."""
    return f"{row}.{column}" if row else column


def json_field(path: str, row: str = "") -> str:
    """A declared field of a document, as the collection's expression indexes read it."""
    return f"json_extract({_of(row, 'data')}, '$.{path}')"


def _words_of(path: str, row: str = "") -> str:
    """A text field's words as ``json_each`` takes them: folded text is words between single
    spaces, so the JSON string of the value with each space made a string boundary is an
    array of its words (a missing field: ``[null]``)."""
    return (f"json_each('[' || replace(json_quote(CAST({json_field(path, row)} AS TEXT)), "
            "' ', '\",\"') || ']')")


async def keep_search_tables(db: aiosqlite.Connection, spec: Collection) -> None:
    """The tables beside a collection with text fields, and their triggers, made and filled
    where missing or outdated."""
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
        fill=[f'INSERT INTO "{table}" (rowid, {listed}) SELECT rowid, '
              f'{", ".join(json_field(f) for f in spec.text)} FROM "{spec.name}"'])

    table, fields = fields_table(spec), tuple(dict.fromkeys((*spec.indexes, *spec.text)))
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
        fill=[f'INSERT INTO "{table}" ({listed}) SELECT {values[""]} FROM "{spec.name}"'])
    if orders := text_orders(spec):
        await _keep_words(db, spec, orders)


async def _keep_words(db: aiosqlite.Connection, spec: Collection, orders: tuple[str, ...]
                      ) -> None:
    """The postings (``<name>__words``) and an index per text order."""
    table = words_table(spec)
    sorts = ", ".join(order_column(o) for o in orders)
    listed = f"field, word, {sorts}, id, doc_row"

    def postings(row: str) -> list[str]:
        """Each text field's words of the trigger's ``new`` row, or of every row."""
        every = row != "new"  # then ``row`` names the collection's table, read whole
        return [f"SELECT {number}, value, "
                + ", ".join(json_field(o, row) for o in orders)
                + f", {row}.id, {row}.rowid FROM "
                + (f"{row}, " if every else "") + f"{_words_of(field, row)} WHERE value <> ''"
                for number, field in enumerate(spec.text)]

    insert = "".join(f'INSERT INTO "{table}" ({listed}) {select}; '
                     for select in postings("new"))
    # Found through the first order's index: (field, word, value, id) names the rows.
    first = orders[0]
    forget = "".join(
        f'DELETE FROM "{table}" WHERE field = {number} AND word IN (SELECT value FROM '
        f"{_words_of(field, 'old')}) AND {order_column(first)} IS {json_field(first, 'old')} "
        "AND id = old.id; " for number, field in enumerate(spec.text))
    kept = (*spec.text, *orders)
    moved = " OR ".join(f"{json_field(f, 'old')} IS NOT {json_field(f, 'new')}" for f in kept)
    indexes = [f'CREATE INDEX "{words_index(spec, o)}" ON "{table}" '
               f"(field, word, {order_column(o)}, id, doc_row)" for o in orders]
    await _keep_beside(
        db, spec, table,
        create=f'CREATE TABLE "{table}" ({listed})',
        on_insert=insert,
        on_update=(forget + insert, f"old.id IS NOT new.id OR {moved}"),
        on_delete=forget,
        # Indexed once filled: one sorted pass, where each posting put into the index as
        # it came took many times as long.
        fill=[f'INSERT INTO "{table}" ({listed}) {select}'
              for select in postings(f'"{spec.name}"')]
        + indexes)


async def _keep_beside(db: aiosqlite.Connection, spec: Collection, table: str, *, create: str,
                       on_insert: str, on_update: str | tuple[str, str], on_delete: str,
                       fill: list[str]) -> None:
    """``table`` kept by triggers on the collection's table: made and filled from the rows
    already there (``fill``'s statements) when missing or when its definition changed, in
    one transaction. ``on_update`` may come with the condition (``WHEN``) it needs."""
    [found] = await db.execute_fetchall(
        "SELECT (SELECT sql FROM sqlite_master WHERE name = ?)", (table,))
    if found[0] == create:
        return
    update, when = on_update if isinstance(on_update, tuple) else (on_update, None)
    await db.execute("BEGIN IMMEDIATE")
    try:
        for trigger in ("insert", "update", "delete"):
            await db.execute(f'DROP TRIGGER IF EXISTS "{table}_{trigger}"')
        await db.execute(f'DROP TABLE IF EXISTS "{table}"')
        await db.execute(create)
        await db.execute(f'CREATE TRIGGER "{table}_insert" AFTER INSERT ON "{spec.name}" '
                         f"BEGIN {on_insert} END")
        await db.execute(f'CREATE TRIGGER "{table}_update" AFTER UPDATE OF data ON '
                         f'"{spec.name}"' + (f" WHEN {when}" if when else "")
                         + f" BEGIN {update} END")
        await db.execute(f'CREATE TRIGGER "{table}_delete" AFTER DELETE ON "{spec.name}" '
                         f"BEGIN {on_delete} END")
        for statement in fill:
            await db.execute(statement)
    except BaseException:
        await db.execute("ROLLBACK")
        raise
    await db.execute("COMMIT")
