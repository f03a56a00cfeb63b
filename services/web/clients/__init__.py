"""The calls the pages make to the services, one method each, and what the web front reads
of each answer.

Each answer is declared from the web front's side: only the fields the pages read, any
other ignored, so a service that adds a field does not break a page; a field the pages
read that a service stops answering is found by tests/contract/test_web_clients.py, which
holds every ``Operation`` here against the service's OpenAPI document. The web front
imports no service: these models are its own reading of the services' public APIs.

One module per service (``registry``, ``rating``, ``traceability``), each holding that
service's ``Operation``s, answer models and client class."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict

from services.web.backend import Backend


class Answer(BaseModel):
    """What the pages read of a service's answer; a field they do not read is ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Unread(Answer):
    """An answer the pages do not read (a file sent on, a request taken)."""


class Created(Answer):
    """What a page reads of a thing just made: its id, to go to it."""

    id: str


A = TypeVar("A", bound=Answer)


class Page(Answer, Generic[A]):
    """A page of a list (the pages ask for no next one)."""

    items: list[A]


_PARAMETER = re.compile(r"\{[^}]+\}")


@dataclass(frozen=True)
class Operation(Generic[A]):
    """One operation of a service's API as its OpenAPI document names it, and what the
    pages read of its answer."""

    service: str
    method: str
    path: str
    """The path template, ``/batches/{batch_id}``."""
    answer: type[A]

    def path_for(self, *ids: str) -> str:
        """The path with each ``{parameter}`` given in turn."""
        given = iter(ids)
        return _PARAMETER.sub(lambda _: next(given), self.path)


@dataclass(frozen=True)
class Client:
    """A service's API as one account sees it: calls with its token (none to sign in)."""

    backend: Backend
    token: str | None

    async def read(self, operation: Operation[A], *ids: str, **request: Any) -> A:
        """The answer as the pages read it; ``Refused``/``SignedOut`` as ``Backend.send``."""
        response = await self.send(operation, *ids, **request)
        return operation.answer.model_validate_json(response.content)

    async def send(self, operation: Operation[Any], *ids: str,
                   **request: Any) -> httpx.Response:
        return await self.backend.send(self.token, operation.method, operation.service,
                                       operation.path_for(*ids), **request)


class Queue(Page[A], Generic[A]):
    """A page of a work queue and how many wait in all (what an inbox counts)."""

    total: int
