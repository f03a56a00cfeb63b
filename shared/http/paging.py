"""One page of a listing at the HTTP edge: the items and the cursor of the next page; and
what a list asks of its query (``only_known_filters``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Generic, TypeVar

from fastapi import Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from shared.ports.store.port import MAX_PAGE
from shared.refusals import N_, BadRequest

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size")]
Cursor = Annotated[str | None, Query(max_length=2000,
                                     description="'next_cursor' of the previous page")]


T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class QueueOut(PageOut[T], Generic[T]):
    """A page of a work queue, with how many wait in all (the filters applied): what an
    inbox shows as its count."""

    total: int


def _declared(dependant: Dependant) -> Iterator[str]:
    yield from (param.alias for param in dependant.query_params)
    for dependency in dependant.dependencies:
        yield from _declared(dependency)


def _query_of(route: APIRoute) -> frozenset[str]:
    """The query parameters ``route`` declares, its dependencies' included (a route is not
    hashable, so this walk is not cached: it is a few attributes)."""
    return frozenset(_declared(route.dependant))


async def only_known_filters(request: Request) -> None:
    """A list (a route taking a page size, ``limit``) refuses a query parameter it does not
    declare: ``?status=draft`` on a list that has no such filter would otherwise answer
    every record as if filtered. Other routes (pages shoppers reach through links that
    carry tracking parameters, GS1 resolver queries) take what they are given."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _query_of(route)
    unknown = sorted(set(request.query_params) - known)
    if unknown and "limit" in known:
        raise BadRequest(
            N_("This list has no filter %(unknown)s; it takes: %(known)s."),
            code="unknown-filter", unknown=", ".join(unknown), known=", ".join(sorted(known)))
