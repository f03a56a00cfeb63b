"""Defining and deleting named EPCIS queries (the REST binding's ``/queries``). A producer's
query is its subject's: its producer may delete it (the access table's ``epcis.query.delete``,
checked on the path's query), and the office any."""

from __future__ import annotations

from dataclasses import dataclass

from services.traceability.origin.query import NamedQuery, NoSuchName, QueryValue
from services.traceability.store import named_queries
from shared.identity.auth import Caller, Role
from shared.platform.clock import Clock
from shared.ports.store import DocumentExists, DocumentStore
from shared.refusals import N_, Conflict, FieldError


def no_such_query(name: str) -> NoSuchName:
    return NoSuchName(N_("There is no named query %(name)s."), name=name[:100])


@dataclass
class NamedQueries:
    store: DocumentStore
    clock: Clock

    async def define(self, caller: Caller, name: str, query: dict[str, QueryValue]
                     ) -> NamedQuery:
        named = NamedQuery.define(name, query, at=self.clock.stamp(), by=caller.user_id,
                                  subject_id=caller.subject_id
                                  if caller.role is Role.PRODUCER else None)
        try:
            async with self.store.transaction() as tx:
                await named_queries.add(tx, named)
        except DocumentExists:
            raise Conflict(N_("A query named %(name)s exists already."), code="query-name-taken",
                           name=name, errors=[FieldError("name", N_("already taken"))]
                           ) from None
        return named

    async def delete(self, name: str) -> None:
        async with self.store.transaction() as tx:
            if not await tx.delete(named_queries.collection, name):
                raise no_such_query(name)

    async def get(self, name: str) -> NamedQuery:
        named = await named_queries.get_or_none(self.store, name)
        if named is None:
            raise no_such_query(name)
        return named

    async def listed(self, limit: int, after: str | None) -> tuple[list[NamedQuery],
                                                                    str | None]:
        page = await self.store.find(named_queries.collection, order_by="id", limit=limit,
                                     after=after)
        return [named_queries.load(doc) for doc in page.items], page.next_cursor
