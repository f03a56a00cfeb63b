"""The scan page's answers kept in memory, ready to send: a QR campaign asks for the same few
pages thousands of times a second, and each was the same bytes until something it shows
changed.

- An answer is kept once the route has rendered it (the product's page and its batches'
  pages, in each language and format: the language the route picks from ``?lang=`` or the
  phone's ``Accept-Language`` is part of what an answer is kept under); a unit's page (its
  own scan count), a warning about an unknown code and a linkset are never kept. The
  resolver's redirect of a known code to its page (``/01/…`` → ``/p/…``) is kept too, and
  counts nothing: the page it leads to counts the scan.
- Every commit that changes what a scan shows — a certificate in force, revoked or expired,
  the registry's product, the catalog's offers, a batch's records — drops every kept answer
  once it has committed (``changed``), and tells the service's other replicas over the bus
  (``shared.messaging.signals``): a revocation shows on the next scan, whichever replica
  answers it. Answers are also kept for the day they were rendered on only (the clock's
  day, on which a certificate's validity is judged).
- A kept answer is sent by ``ScanPagesFront``, an ASGI layer in front of the routes (behind
  the rate limit and the security headers, before telemetry): it still counts the scan.
  Its ETag lets browsers and proxies revalidate instead of downloading the page again: the
  security headers' layer answers their ``If-None-Match`` with a 304 carrying the page's
  own headers (``shared.http.security_headers``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request, Response

from services.traceability.scans.commands import Asked, Scanning
from shared.i18n.language import pick_language
from shared.platform.clock import Clock

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_KEPT_BYTES = 64 << 20
"""Memory the kept answers may take (a few KiB each: the whole national catalog's product
pages in two languages fit); past it all are dropped and kept afresh, so that made-up
query strings cannot fill the memory."""
KEPT_QUERIES = frozenset({"lang", "format"})
"""The only parameters a kept answer may be asked with (the others change what is sent)."""
SCAN_PATHS = ("/01/", "/p/")


@dataclass(frozen=True)
class Kept:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    product_id: str
    batch_id: str | None
    day: date
    counts: bool = True
    """Whether sending it counts a scan: a page's does, a redirect to it does not."""


def answer_kind(accept: str) -> str:
    """What an ``Accept`` header makes of the same URL: the linkset, JSON or the page."""
    if "application/linkset+json" in accept:
        return "linkset"
    return "json" if "application/json" in accept and "text/html" not in accept else "html"


class ScanPages:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._kept: dict[tuple[str, str, str, str], Kept] = {}
        self._bytes = 0
        self._generation = 0
        self.on_change: Callable[[], None] = lambda: None
        """Called after every local change: the replicas' signal is raised here."""

    def changed(self) -> None:
        """What a scan shows changed (called once the change has committed)."""
        self.forget()
        self.on_change()

    def forget(self) -> None:
        """Drop every kept answer (another replica's change, or a gap in hearing of them)."""
        self._generation += 1
        self._kept.clear()
        self._bytes = 0

    @property
    def generation(self) -> int:
        """Read before rendering: an answer rendered across a change is not kept."""
        return self._generation

    def keep(self, request: Request, response: Response, generation: int, product_id: str,
             asked: Asked) -> Response:
        """Keep the rendered page of a product or a batch for the next scans of the same URL
        (unless a change came meanwhile; never a unit's page, nor a warning); give it its
        ETag (a browser that has it gets a 304 from ``shared.http.security_headers``)."""
        digest = hashlib.blake2b(response.body, digest_size=12).hexdigest()
        response.headers["etag"] = f'"{digest}"'
        if (request.method == "GET" and response.status_code == 200 and asked.serial is None
                and generation == self._generation
                and {name for name, _ in request.query_params.multi_items()} <= KEPT_QUERIES):
            self._remember(request, Kept(response.status_code, list(response.raw_headers),
                                         bytes(response.body), product_id,
                                         asked.batch.id if asked.batch else None,
                                         self.clock.today()))
        return response

    def keep_redirect(self, request: Request, response: Response, generation: int,
                      product_id: str, known: bool) -> Response:
        """Keep the resolver's redirect of a code the platform gave out (``known``) to its
        page, as ``keep`` keeps pages (a made-up code's redirect is not kept: made-up codes
        must not crowd the real ones out of memory)."""
        if (known and request.method == "GET" and generation == self._generation
                and {name for name, _ in request.query_params.multi_items()} <= KEPT_QUERIES):
            self._remember(request, Kept(response.status_code, list(response.raw_headers),
                                         bytes(response.body), product_id, None,
                                         self.clock.today(), counts=False))
        return response

    def _remember(self, request: Request, kept: Kept) -> None:
        if self._bytes + len(kept.body) + 512 > MAX_KEPT_BYTES:
            self._kept.clear()
            self._bytes = 0
        self._bytes += len(kept.body) + 512
        self._kept[_key(request.scope)] = kept

    def kept(self, scope: Scope) -> Kept | None:
        found = self._kept.get(_key(scope))
        if found is None or found.day != self.clock.today():
            return None
        return found


def _key(scope: Scope) -> tuple[str, str, str, str]:
    """What an answer is kept under: the path as sent (a lot may hold an encoded "/"), the
    query string, the kind of answer ``Accept`` asks for, and the language the page is in
    (``?lang=``, else the phone's ``Accept-Language``, as the route picks it)."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string", b"").decode("latin-1")
    asked = parse_qs(query).get("lang", [None])[-1]
    return (raw_path.decode("latin-1"), query, answer_kind(_header(scope, b"accept")),
            pick_language(asked, _header(scope, b"accept-language")))


def _header(scope: Scope, name: bytes) -> str:
    return next((value for key, value in scope["headers"] if key == name), b"").decode(
        "latin-1")


class ScanPagesFront:
    """Sends kept scan pages without going through routing, validation and telemetry."""

    def __init__(self, app: ASGIApp, *, pages: ScanPages, scanning: Scanning) -> None:
        self.app = app
        self.pages = pages
        self.scanning = scanning

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "GET"
                or not scope["path"].startswith(SCAN_PATHS)):
            await self.app(scope, receive, send)
            return
        kept = self.pages.kept(scope)
        if kept is None:
            await self.app(scope, receive, send)
            return
        if kept.counts:
            self.scanning.counted(kept.product_id, kept.batch_id, self.scanning.visit(
                *_client(scope), counts=True))
        await send({"type": "http.response.start", "status": kept.status,
                    "headers": kept.headers})
        await send({"type": "http.response.body", "body": kept.body})


def _client(scope: Scope) -> tuple[str, str]:
    """The client's address (its proxy's word for it only if trusted: ``server_config``)
    and its browser's name, as the scan routes read them."""
    return (scope.get("client") or ("", 0))[0], _header(scope, b"user-agent")
