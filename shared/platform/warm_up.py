"""A service made ready for its first requests after a start: its store's indexes read into
memory, and its first requests' one-time costs paid, before it says it is ready.

After a restart, a million-listing catalog answered its first searches in ~400 ms where
warm ones took a few: a store whose pages live in files (SQLite) reads each page a query
needs from disk as the query goes; the first request of the process builds what the web
framework and the telemetry build once (each route's state, the thread pool's backend:
~150-250 ms here); and the process's first full garbage collection fell among them.
``WarmUp`` runs once, as a background job (the start is not delayed): the store's ``warm``
(a store that keeps its own cache, a server, has none), then a few requests asked of the
app's routes in-process (behind the rate limits: no client's budget is spent), then a
full garbage collection.
Readiness says ``Warming`` until it has ended, so that a new replica joins the others once
it answers as fast as they do.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Protocol, runtime_checkable

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)


@runtime_checkable
class Warmable(Protocol):
    async def warm(self, collection: str, *, seconds: float) -> list[str]:
        """Read ``collection``'s indexes into memory, for at most ``seconds``; the names of
        those read to their end."""
        ...


class Warming(Exception):
    """The warm-up has not ended yet (readiness says so)."""


class WarmUp:
    """One warm-up: ``collection`` of ``store`` (when it is ``Warmable``), for at most
    ``seconds``, then each of ``requests`` (GET paths) asked of the routes once."""

    def __init__(self, store: object, collection: str, seconds: float,
                 requests: tuple[str, ...] = ()) -> None:
        self.store = store
        self.collection = collection
        self.seconds = seconds
        self.requests = requests
        self.done = False
        self.read: list[str] = []
        """The indexes read to their end."""
        self._routes: ASGIApp | None = None
        self._app: ASGIApp | None = None

    def layer(self, app: ASGIApp) -> ASGIApp:
        """A front (``Runtime.front``) that adds nothing to a request's way: it keeps the
        routes' side of the app (telemetry and routing), which the warm-up's requests are
        asked of, behind the rate limits (they spend no client's budget), and notes the
        whole app, which Starlette names in every scope (the lifespan's first) and the
        routes read there."""
        self._routes = app

        async def noting(scope: Scope, receive: Receive, send: Send) -> None:
            if self._app is None:
                self._app = scope.get("app")
            await app(scope, receive, send)
        return noting

    async def run(self) -> None:
        """The warm-up, the first time; nothing after. It only makes answers faster: a step
        that fails is logged and the warm-up ends all the same (the service is not held
        unready for it)."""
        if self.done:
            return
        began = time.monotonic()
        try:
            if isinstance(self.store, Warmable):
                self.read = await self.store.warm(self.collection, seconds=self.seconds)
            if self._routes is not None and self._app is not None and self.requests:
                await self._ask(self._routes, self._app)
            # The process's first full garbage collection, which Python makes once enough
            # objects have outlived the younger generations, i.e. soon after a start: made
            # here, it is not one of the first searches' (100-350 ms on the loaded 2 cores
            # of the bench, in the middle of them); the next waits for a quarter as many
            # new long-lived objects again.
            gc.collect()
        except Exception:
            log.exception("warming up failed; the first requests will be slower")
        else:
            log.info("warmed up in %.1f s (%s read whole)", time.monotonic() - began,
                     ", ".join(self.read) or "no index")
        self.done = True

    async def _ask(self, routes: ASGIApp, whole: ASGIApp) -> None:
        async def named(scope: Scope, receive: Receive, send: Send) -> None:
            scope["app"] = whole  # as Starlette names it, in front
            await routes(scope, receive, send)

        transport = httpx.ASGITransport(app=named)
        async with httpx.AsyncClient(transport=transport, base_url="http://warm-up") as client:
            for path in self.requests:
                answer = await client.get(path)
                if answer.status_code != 200:
                    log.warning("warm-up request %s answered %s", path, answer.status_code)

    async def check(self) -> None:
        """Readiness: raises ``Warming`` until the warm-up has ended."""
        if not self.done:
            raise Warming(f"reading the {self.collection} indexes into memory and asking "
                          "the first requests")
