"""Document store port: JSON documents with ids, optimistic versions and indexed queries.

A service declares its collections and the fields it queries on; queries on any other field
are refused, so every query an adapter runs is backed by an index on every adapter.
A transaction covers document changes and, through the outbox, the events they cause.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from shared.refusals import N_, BadRequest, Conflict, Term

Filter = Mapping[str, Any]
"""Field -> value (equality) or field -> {"$op": value} with ops: $eq $ne $gt $gte $lt $lte $in,
and $contains: a string field containing the given text literally (a list: every text).
Fields are declared indexes (dotted paths into the document) or "id". One more key,
``"$text"``, takes a ``TextMatch``: a search of the collection's full-text index."""

OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$contains")
MAX_PAGE = 1000


@dataclass(frozen=True)
class Collection:
    """A collection and the fields it may be queried and sorted on."""

    name: str
    indexes: tuple[str, ...] = ()
    compound: tuple[tuple[str, ...], ...] = ()
    """Indexes over several declared fields in order, for a filter that is matched and
    sorted together: its equality fields first, the sort field last (each index also ends
    with the id, the sort's tie-break)."""
    text: tuple[str, ...] = ()
    """Text fields searched together by words (``TextMatch``): a full-text index."""

    def queryable(self) -> tuple[str, ...]:
        return ("id", *self.indexes)


WORD = re.compile(r"^[a-z0-9]+$")
"""A word a text search takes: folded (``shared.i18n.text.fold``), so lower-case ASCII letters
and digits, the way the text fields are stored."""


@dataclass(frozen=True)
class TextMatch:
    """A full-text search: documents in which each of ``words`` begins a word of the
    collection's text fields (``"rie"`` finds "rieng": search as one types), in any order.

    ``within``: only these text fields count (every word must be in them); ``unless_within``:
    leave out the documents that ``within=unless_within`` would find. Together they rank
    results in tiers without scoring: every word in the name first, then the rest."""

    words: tuple[str, ...]
    within: tuple[str, ...] = ()
    unless_within: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    id: str
    version: int
    data: dict[str, Any]


@dataclass(frozen=True)
class Page:
    items: list[Document]
    next_cursor: str | None = None


@dataclass(frozen=True)
class Order:
    field: str = "id"
    direction: Literal["asc", "desc"] = "asc"

    @classmethod
    def parse(cls, spec: str | Order | None) -> Order:
        """``"stars"`` ascending, ``"-stars"`` descending."""
        if spec is None:
            return cls()
        if isinstance(spec, Order):
            return spec
        return cls(spec[1:], "desc") if spec.startswith("-") else cls(spec, "asc")


class DocumentExists(Conflict):
    def __init__(self, collection: str, doc_id: str) -> None:
        super().__init__(N_("%(collection)s '%(id)s' already exists."), code="already-exists",
                         collection=collection, id=doc_id)


class StaleVersion(Conflict):
    """Someone else changed the document since it was read: the write is refused."""

    def __init__(self, collection: str, doc_id: str, expected: int, actual: int | None) -> None:
        self.expected, self.actual = expected, actual
        now = (Term(N_("it no longer exists")) if actual is None
               else Term(N_("it is now at version %(actual)s"), {"actual": actual}))
        super().__init__(
            N_("%(collection)s '%(id)s' was changed by someone else (you had version "
               "%(expected)s, %(now)s). Reload it and try again."), code="stale-version",
            collection=collection, id=doc_id, expected=expected, now=now)


class InvalidQuery(BadRequest):
    CODE = "invalid-query"


class Reader(Protocol):
    async def get(self, collection: str, doc_id: str) -> Document | None: ...

    async def get_many(self, collection: str, doc_ids: Iterable[str]) -> dict[str, Document]:
        """The documents of ``doc_ids`` that exist, by id, in one query."""
        ...

    async def find(self, collection: str, where: Filter | None = None, *,
                   order_by: str | Order | None = None, limit: int = 50,
                   after: str | None = None) -> Page:
        """One page of matches in ``order_by`` order (ties broken by id); pass the page's
        ``next_cursor`` as ``after`` for the next one."""
        ...

    async def count(self, collection: str, where: Filter | None = None) -> int: ...


class Transaction(Reader, Protocol):
    """A unit of work: all its writes commit together or none do."""

    async def insert(self, collection: str, doc_id: str, data: dict[str, Any]) -> Document:
        """Version 1; DocumentExists if the id is taken."""
        ...

    async def update(self, collection: str, doc_id: str, data: dict[str, Any], *,
                     expected_version: int) -> Document:
        """Replace the data; StaleVersion unless the stored version is ``expected_version``."""
        ...

    async def put(self, collection: str, doc_id: str, data: dict[str, Any]) -> Document:
        """Create or replace regardless of version (read models kept in order by the inbox)."""
        ...

    async def put_many(self, collection: str, docs: Mapping[str, dict[str, Any]]) -> None:
        """``put`` of each ``id: data`` in one statement (the inbox entries of a batch)."""
        ...

    async def delete(self, collection: str, doc_id: str, *,
                     expected_version: int | None = None) -> bool:
        """True if a document was deleted; StaleVersion if ``expected_version`` is stale."""
        ...

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed (never on rollback)."""
        ...


@dataclass
class TransactionHooks:
    """Callbacks that adapters fire after a successful commit."""

    callbacks: list[Callable[[], None]] = field(default_factory=list)

    def add(self, callback: Callable[[], None]) -> None:
        self.callbacks.append(callback)

    def fire(self) -> None:
        for callback in self.callbacks:
            callback()


class ReadsThroughSessions:
    """A store's reads outside any transaction, each through the read session ``_read``
    gives (the SQL adapters: a reader connection, or one from the pool)."""

    def _read(self) -> Reader:
        raise NotImplementedError

    async def get(self, collection: str, doc_id: str) -> Document | None:
        return await self._read().get(collection, doc_id)

    async def get_many(self, collection: str, doc_ids: Iterable[str]) -> dict[str, Document]:
        return await self._read().get_many(collection, doc_ids)

    async def find(self, collection: str, where: Filter | None = None, *,
                   order_by: str | Order | None = None, limit: int = 50,
                   after: str | None = None) -> Page:
        return await self._read().find(collection, where, order_by=order_by, limit=limit,
                                       after=after)

    async def count(self, collection: str, where: Filter | None = None) -> int:
        return await self._read().count(collection, where)


class DocumentStore(Reader, Protocol):
    @property
    def collections(self) -> Mapping[str, Collection]:
        """The declared collections, by name (read only: declared when the store is made)."""
        ...

    async def open(self) -> None:
        """Connect and create the declared collections and indexes (idempotent)."""
        ...

    async def close(self) -> None: ...

    async def check(self) -> None:
        """Raise if the store cannot serve requests (used by /readyz)."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Transaction]: ...


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def declare_collections(collections: Iterable[Collection]) -> dict[str, Collection]:
    """Name -> declaration, refusing names no adapter can use safely (they become table,
    index and field names)."""
    declared: dict[str, Collection] = {}
    for spec in collections:
        if not _NAME.match(spec.name):
            raise ValueError(f"collection name {spec.name!r} must be letters, digits and _")
        for field_path in spec.indexes:
            if not _PATH.match(field_path):
                raise ValueError(f"index {field_path!r} of {spec.name} must be a dotted name")
        _check_compound(spec)
        declared[spec.name] = spec
    return declared


def collection_spec(collections: Mapping[str, Collection], name: str) -> Collection:
    """The declared collection ``name``; InvalidQuery if the service declared none such."""
    try:
        return collections[name]
    except KeyError:
        raise InvalidQuery(N_("Unknown collection '%(name)s'."), name=name) from None


def contained(value: str | list[str] | tuple[str, ...]) -> list[str]:
    """The texts of a (validated) ``$contains`` operand."""
    return [value] if isinstance(value, str) else list(value)


def validate_query(spec: Collection, where: Filter | None, order: Order, limit: int) -> None:
    """Refuse queries on undeclared fields or with unknown operators, the same way on every
    adapter."""
    allowed = spec.queryable()
    for name, cond in (where or {}).items():
        if name == "$text":
            _validate_text(spec, cond)
            continue
        if name not in allowed:
            raise InvalidQuery(
                N_("Cannot filter %(collection)s on '%(name)s'; filterable fields: "
                   "%(fields)s."), collection=spec.name, name=name, fields=", ".join(allowed))
        if isinstance(cond, Mapping):
            for op in cond:
                if op not in OPERATORS:
                    raise InvalidQuery(
                        N_("Unknown operator '%(op)s'; use one of %(operators)s."), op=op,
                        operators=", ".join(OPERATORS))
            if "$in" in cond and not isinstance(cond["$in"], list | tuple):
                raise InvalidQuery(N_("'$in' takes a list of values."))
            if "$contains" in cond:
                texts = cond["$contains"]
                texts = [texts] if isinstance(texts, str) else texts
                if (not isinstance(texts, list | tuple) or not texts
                        or not all(isinstance(t, str) and t for t in texts)):
                    raise InvalidQuery(N_("'$contains' takes a non-empty text or list of "
                                          "texts."))
    if order.field not in allowed:
        raise InvalidQuery(
            N_("Cannot sort %(collection)s by '%(name)s'; sortable fields: %(fields)s."),
            collection=spec.name, name=order.field, fields=", ".join(allowed))
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidQuery(N_("Page size must be between 1 and %(most)s."), most=MAX_PAGE)


def _validate_text(spec: Collection, match: Any) -> None:
    if not spec.text:
        raise InvalidQuery(N_("%(collection)s has no full-text index to search."),
                           collection=spec.name)
    if (not isinstance(match, TextMatch) or not match.words
            or not all(isinstance(w, str) and WORD.match(w) for w in match.words)):
        raise InvalidQuery(N_("A text search takes a TextMatch of folded words (a-z, 0-9)."))
    for fields in (match.within, match.unless_within):
        if unknown := [f for f in fields if f not in spec.text]:
            raise InvalidQuery(N_("%(unknown)s is not a text field of %(collection)s; text "
                                  "fields: %(fields)s."), unknown=", ".join(unknown),
                               collection=spec.name, fields=", ".join(spec.text))


def _check_compound(spec: Collection) -> None:
    """A compound index is over declared fields only (they are what queries may name)."""
    for fields in spec.compound:
        if unknown := [f for f in fields if f not in spec.indexes]:
            raise ValueError(f"{spec.name}: compound index fields {unknown} must be declared "
                             "in its indexes")
    for field_path in spec.text:
        if not _PATH.match(field_path):
            raise ValueError(f"text field {field_path!r} of {spec.name} must be a dotted name")
