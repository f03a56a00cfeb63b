"""The PostgreSQL adapter's SQL: how a field, a filter, a page's keyset and a text search
read, as pure functions (no I/O), and the schema they rely on.

Each collection is a table ``(id, version, data, fields)``: ``data`` is the document's JSON
as the service wrote it (``json``: its keys keep their order, as they do in SQLite and
MongoDB); ``fields`` a small ``jsonb`` object of its declared fields only, generated on
write (``{"status": …, "owner.id": …}``), which the indexes and filters read: a document's
JSON, parsed whole, is compressed past a kilobyte or two, and every row a query tested was
decompressed again. A declared field reads ``nullif(fields->'owner.id', 'null')``: a
``jsonb`` value, so numbers compare as numbers, booleans as booleans and text as text, and a
JSON null is the same as a missing field (SQL NULL), as in the other adapters. Each declared
field, and each compound index, is an expression index over those expressions and the id,
NULLs first, so one index serves both directions of a sort (a descending page walks it
backwards: NULLs last). Across JSON types jsonb's own order holds (null, text, numbers,
booleans); a queried field is expected to hold one type, as the port says.

A collection's text fields are searched through its ``words`` column (a stored tsvector
generated from them) and one GIN index over it, each field's words weighted with its own
label (A, B, C, D in the order of ``Collection.text``: four text fields at most), so that a
``TextMatch`` restricted to some fields is a prefix query with those labels (``sau:*AB``),
answered by the same index.

Each generated column's comment names what it was made of; when the service declares other
fields, ``open()`` makes it again (``generated_sql``), and its indexes with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from psycopg.types.json import Jsonb

from shared.ports.store.cursor import decode_cursor
from shared.ports.store.port import Collection, Filter, Order, TextMatch, contained

WEIGHTS = "ABCD"
"""tsvector's weight labels: one per text field, so at most four text fields a collection."""
_RANGE = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
MAX_NAME = 63
"""PostgreSQL's longest identifier: a longer index name would be cut, and two cut alike
would be taken for one by IF NOT EXISTS."""


def quoted(name: str) -> str:
    """An identifier (the port's names are letters, digits and _; quoted all the same)."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _arrows(path: str, last: str = "->") -> str:
    """A field of the document as written (``json`` operators on ``data``)."""
    parts = path.split(".")
    return "data" + "".join(f"->{_literal(p)}" for p in parts[:-1]) \
        + f"{last}{_literal(parts[-1])}"


FIELDS = "fields"
"""The column of a document's declared fields, generated from it."""
WORDS = "words"
"""The column of a collection's words, generated from its text fields."""


def field_sql(path: str) -> str:
    """A declared field as the indexes read it: jsonb, NULL when missing or JSON null."""
    return "id" if path == "id" else f"nullif({FIELDS}->{_literal(path)}, 'null'::jsonb)"


def fields_object(spec: Collection) -> str:
    """The declared fields of the document as written, as one small jsonb object (built
    with jsonb_set, which is immutable as a generated column must be: jsonb_build_object
    is not)."""
    built = "'{}'::jsonb"
    for f in spec.indexes:
        built = (f"jsonb_set({built}, ARRAY[{_literal(f)}], "
                 f"coalesce(({_arrows(f)})::jsonb, 'null'::jsonb))")
    return built


def text_vector(spec: Collection) -> str:
    """The words of the collection's text fields, each field with its weight label, read
    from the document as written (a generated column cannot read another)."""
    return " || ".join(
        f"setweight(to_tsvector('simple'::regconfig, "
        f"coalesce({_arrows(f, '->>')}, '')), '{WEIGHTS[number]}')"
        for number, f in enumerate(spec.text))


def generated(spec: Collection) -> dict[str, tuple[str, str]]:
    """The collection's generated columns: name -> (type, expression)."""
    columns = {FIELDS: ("jsonb", fields_object(spec))}
    if spec.text:
        columns[WORDS] = ("tsvector", text_vector(spec))
    return columns


def signature(expression: str) -> str:
    """What a generated column is made of, kept as its comment."""
    return "ocop v1: " + hashlib.sha256(expression.encode()).hexdigest()[:16]


def generated_sql(schema: str, spec: Collection, column: str) -> list[str]:
    """The statements that make a generated column (again): stored, so that a query reads
    each row's fields or words rather than taking its document apart again (a weighted text
    query is rechecked on every row the index names: 30 µs a row, split afresh)."""
    table = f"{quoted(schema)}.{quoted(spec.name)}"
    kind, expression = generated(spec)[column]
    return [f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}",
            f"ALTER TABLE {table} ADD COLUMN {column} {kind} "
            f"GENERATED ALWAYS AS ({expression}) STORED",
            f"COMMENT ON COLUMN {table}.{column} IS {_literal(signature(expression))}"]


def check_text_fields(spec: Collection) -> None:
    if len(spec.text) > len(WEIGHTS):
        raise ValueError(f"{spec.name}: the PostgreSQL store searches at most "
                         f"{len(WEIGHTS)} text fields together, not {len(spec.text)}")


def text_query(spec: Collection, match: TextMatch) -> str:
    """``to_tsquery('simple', …)``'s text for a ``TextMatch``: each word a prefix, limited to
    the labels of the fields it must be in (the words are [a-z0-9]+: nothing to escape)."""
    def every(fields: tuple[str, ...]) -> str:
        labels = "".join(WEIGHTS[spec.text.index(f)] for f in fields)
        return "(" + " & ".join(f"{word}:*{labels}" for word in match.words) + ")"

    query = every(match.within)
    if match.unless_within:
        query = f"{query} & !{every(match.unless_within)}"
    return query


def value(data: Any) -> Jsonb:
    """A filter's or cursor's value, compared with a field's jsonb."""
    return Jsonb(data)


def where_sql(spec: Collection, where: Filter | None) -> tuple[list[str], list[Any]]:
    """The filter's conditions (ANDed) and their parameters. Null and missing are one
    value: ``$eq None`` matches both, ``$ne v`` matches them too (SQL ``IS DISTINCT
    FROM``), a range never matches them, and ``$in`` with None matches them."""
    clauses: list[str] = []
    params: list[Any] = []
    for path, cond in (where or {}).items():
        if path == "$text":
            clauses.append(f"{WORDS} @@ to_tsquery('simple'::regconfig, %s)")
            params.append(text_query(spec, cond))
            continue
        expr = field_sql(path)
        wrap: Callable[[Any], Any] = (lambda v: None if v is None else str(v)) \
            if path == "id" else value
        ops = cond if isinstance(cond, Mapping) else {"$eq": cond}
        for op, operand in ops.items():
            if op == "$eq":
                clauses.append(f"{expr} IS NULL" if operand is None else f"{expr} = %s")
                params.extend([] if operand is None else [wrap(operand)])
            elif op == "$ne":
                clauses.append(f"{expr} IS NOT NULL" if operand is None
                               else f"{expr} IS DISTINCT FROM %s")
                params.extend([] if operand is None else [wrap(operand)])
            elif op == "$contains":
                for text in contained(operand):
                    # strpos is literal: '%', '_' and the like are matched as themselves.
                    clauses.append("strpos(id, %s) > 0" if path == "id" else
                                   f"(jsonb_typeof({expr}) = 'string' "
                                   f"AND strpos({expr} #>> '{{}}', %s) > 0)")
                    params.append(text)
            elif op == "$in":
                present = [v for v in operand if v is not None]
                parts = []
                if present:
                    parts.append(f"{expr} = ANY(%s)")
                    params.append([wrap(v) for v in present])
                if len(present) < len(operand):
                    parts.append(f"{expr} IS NULL")
                clauses.append(f"({' OR '.join(parts)})" if parts else "false")
            elif operand is None:
                clauses.append("false")  # as SQL's "x > NULL": never true
            else:
                clauses.append(f"{expr} {_RANGE[op]} %s")
                params.append(wrap(operand))
    return clauses, params


def order_sql(order: Order, sort: str | None = None, doc_id: str = "id") -> str:
    """ORDER BY: NULLs first ascending and last descending, ties broken by id; ``sort``
    and ``doc_id``: where the sort's value and the id are read (the field and ``id``)."""
    if order.field == "id":
        return f"{doc_id} {order.direction.upper()}"
    field = sort or field_sql(order.field)
    if order.direction == "asc":
        return f"{field} ASC NULLS FIRST, {doc_id} ASC"
    return f"{field} DESC NULLS LAST, {doc_id} DESC"


def after_sql(order: Order, after: str | None) -> list[tuple[str | None, list[Any]]]:
    """Rows strictly after the cursor in (field, id) order, as the stretches that follow it
    (ties after the cursor's id, then the values beyond, then, descending, the NULLs): each
    one range of the (field, id) index, read in turn until the page is full."""
    if after is None:
        return [(None, [])]
    last, last_id = decode_cursor(after)
    if order.field == "id":
        return [("id > %s" if order.direction == "asc" else "id < %s", [last_id])]
    field = field_sql(order.field)
    if order.direction == "asc":
        if last is None:
            return [(f"{field} IS NULL AND id > %s", [last_id]), (f"{field} IS NOT NULL", [])]
        return [(f"{field} = %s AND id > %s", [value(last), last_id]),
                (f"{field} > %s", [value(last)])]
    if last is None:
        return [(f"{field} IS NULL AND id < %s", [last_id])]
    return [(f"{field} = %s AND id < %s", [value(last), last_id]),
            (f"{field} < %s", [value(last)]), (f"{field} IS NULL", [])]


def _index_name(prefix: str, spec: Collection, parts: tuple[str, ...]) -> str:
    name = "_".join((prefix, spec.name, *(p.replace(".", "_") for p in parts)))
    if len(name) > MAX_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:12]
        name = f"{name[:MAX_NAME - 13]}_{digest}"
    return name


def index_sql(schema: str, spec: Collection) -> list[str]:
    """The statements that make a collection's indexes (each idempotent)."""
    table = f"{quoted(schema)}.{quoted(spec.name)}"
    statements = []
    for fields in (*((f,) for f in spec.indexes), *spec.compound):
        columns = ", ".join(f"({field_sql(f)}) NULLS FIRST" for f in fields)
        statements.append(f"CREATE INDEX IF NOT EXISTS "
                          f"{quoted(_index_name('ix', spec, fields))} ON {table} ({columns}, id)")
    if spec.text:
        statements.append(f"CREATE INDEX IF NOT EXISTS "
                          f"{quoted(_index_name('tx', spec, (WORDS,)))} ON {table} "
                          f"USING gin ({WORDS})")
    return statements


def table_sql(schema: str, spec: Collection) -> str:
    return (f"CREATE TABLE IF NOT EXISTS {quoted(schema)}.{quoted(spec.name)} "
            "(id text COLLATE \"C\" PRIMARY KEY, version integer NOT NULL, data json NOT NULL)")


def dumped(data: Mapping[str, Any]) -> str:
    """A document's JSON, as stored in ``data``."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
