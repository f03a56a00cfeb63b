"""Typed repositories: an aggregate (a dataclass with ``id`` and ``version``) in, a document
out, and back. The document's version is the aggregate's, so ``save`` is an optimistic write:
a change made meanwhile by another request raises ``StaleVersion`` instead of being lost.

Fields map through pydantic (dates, enums and nested dataclasses to JSON and back); a
stored document may lack fields added since (they take their defaults)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from pydantic import TypeAdapter

from shared.ports.store.lookup import find_all, get_existing
from shared.ports.store.port import Document, Filter, Reader, Transaction


class Aggregate(Protocol):
    id: str
    version: int
    """The stored document's version (0 before it is first stored)."""


A = TypeVar("A", bound=Aggregate)
_KEYS = {"id", "version"}


@dataclass(frozen=True)
class Repository(Generic[A]):
    """The aggregates ``kind`` kept in ``collection``; ``named``: what a person calls one
    (a catalog message, N_("product")), for "no such …" refusals."""

    collection: str
    kind: type[A]
    named: str
    _adapter: TypeAdapter[A] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_adapter", TypeAdapter(self.kind))

    def load(self, doc: Document) -> A:
        return self._adapter.validate_python(doc.data | {"id": doc.id, "version": doc.version})

    def dump(self, aggregate: A) -> dict[str, Any]:
        data: dict[str, Any] = self._adapter.dump_python(aggregate, mode="json", exclude=_KEYS)
        return data

    async def get(self, reader: Reader, aggregate_id: str) -> A:
        """The aggregate, or NotFound naming it."""
        return self.load(await get_existing(reader, self.collection, aggregate_id,
                                            self.named))

    async def get_or_none(self, reader: Reader, aggregate_id: str) -> A | None:
        """The aggregate, or None if there is none (for a caller with its own answer)."""
        doc = await reader.get(self.collection, aggregate_id)
        return self.load(doc) if doc is not None else None

    async def get_or_new(self, reader: Reader, aggregate_id: str, new: Callable[[], A]) -> A:
        """The stored aggregate, or ``new()`` (version 0) if there is none yet."""
        held = await self.get_or_none(reader, aggregate_id)
        return held if held is not None else new()

    async def find(self, reader: Reader, where: Filter | None = None) -> list[A]:
        """Every match (for the handful a command weighs: a product's evaluations…)."""
        return [self.load(doc) async for doc in find_all(reader, self.collection, where)]

    async def add(self, tx: Transaction, aggregate: A) -> A:
        """Store a new aggregate; ``DocumentExists`` if its id is taken."""
        doc = await tx.insert(self.collection, aggregate.id, self.dump(aggregate))
        aggregate.version = doc.version
        return aggregate

    async def keep(self, tx: Transaction, aggregate: A) -> A:
        """``add`` a new aggregate (version 0), ``save`` a loaded one."""
        return await (self.save if aggregate.version else self.add)(tx, aggregate)

    async def save(self, tx: Transaction, aggregate: A) -> A:
        """Store a changed aggregate over the version it was loaded at."""
        doc = await tx.update(self.collection, aggregate.id, self.dump(aggregate),
                              expected_version=aggregate.version)
        aggregate.version = doc.version
        return aggregate
