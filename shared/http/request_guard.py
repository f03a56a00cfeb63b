"""What every request passes before a route reads its body, as a plain ASGI middleware.

- A write (POST, PUT, PATCH, DELETE) needs a valid token — except the service's few open
  writes, such as signing in — and it is checked first, so a stranger's body is never read.
  The caller is left in the request's state for the route (verified once).
- Bodies are capped: JSON small, files at the upload limit (each upload route then applies
  its own, smaller one). A declared length over the cap is refused before reading; an
  undeclared (chunked) body is counted as it arrives and refused once it passes the cap.
- Each client address has a request budget (a sliding window): a campaign of real
  scans, spread over many phones, never meets it; one client flooding does. Public pages
  one client has no reason to ask for often (the scan pages) have a tighter budget of their
  own (``PathBudget``). Budgets hold across every process of a service: they are counted
  through its store (``shared.http.rate_counts``). The address is the connection's, or the
  one a trusted proxy names (``OCOP_TRUSTED_PROXIES``, applied by the server before any
  middleware).

Refusals are problem+json in English and Vietnamese, like every other error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse

from shared.http.rate_counts import RateCounts
from shared.identity.auth import CALLER_STATE, TokenVerifier, caller_from_header
from shared.refusals import N_, AppError, TooManyRequests
from shared.refusals.http import BodyTooLarge, refused

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_TYPES = ("application/json", "application/problem+json", "")


@dataclass(frozen=True)
class PathBudget:
    """Requests per client address to the paths under ``prefixes``, on top of the
    service's own budget."""

    prefixes: tuple[str, ...]
    rate: str


@dataclass(frozen=True)
class GuardPolicy:
    open_writes: tuple[str, ...]
    """Paths (or path prefixes) written to without a token: signing in."""
    json_limit: int
    upload_limit: int
    rate_limit: str
    """Requests per client address, in ``limits`` notation ("100/second")."""
    budgets: tuple[PathBudget, ...] = ()


class RequestGuard:
    def __init__(self, app: ASGIApp, *, verifier: TokenVerifier | None,
                 policy: GuardPolicy, counts: RateCounts | None = None) -> None:
        """``verifier``: None only where every write is open (a front that checks its own
        sessions). ``counts``: where the budgets are counted (the service's, shared by its
        processes; this process's alone by default)."""
        if verifier is None and policy.open_writes != ("/",):
            raise ValueError("writes that need a token need a verifier")
        self.app = app
        self.verifier = verifier
        self.policy = policy
        self.rate: RateLimitItem = parse(policy.rate_limit)
        self.budgets = [(b.prefixes, parse(b.rate), "paths:" + ",".join(b.prefixes) + "|")
                        for b in policy.budgets]
        self.counts = counts or RateCounts(None, process="")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("unknown", 0))[0]
        spent = [(self.rate, address), *((rate, namespace + address)
                                         for prefixes, rate, namespace in self.budgets
                                         if scope["path"].startswith(prefixes))]
        for rate, key in spent:
            if (retry_after := await self.counts.hit(rate, key)) is not None:
                await self._refuse(scope, send, TooManyRequests(
                    N_("Too many requests from your address; slow down and try again in a "
                       "moment."), code="rate-limited"),
                    {"retry-after": str(retry_after)})
                return
        if scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if self.verifier is not None and not scope["path"].startswith(self.policy.open_writes):
            try:
                caller = caller_from_header(self.verifier, headers.get("authorization", ""))
            except AppError as refusal:
                await self._refuse(scope, send, refusal, {"www-authenticate": "Bearer"})
                return
            scope.setdefault("state", {})[CALLER_STATE] = caller
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        limit = (self.policy.json_limit if content_type in JSON_TYPES
                 else self.policy.upload_limit)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, BodyTooLarge(limit).refusal())
            return
        await self.app(scope, _counted(receive, limit), send)

    async def _refuse(self, scope: Scope, send: Send, refusal: AppError,
                      headers: dict[str, str] | None = None) -> None:
        response = refused(refusal, scope["path"])
        response.headers.update(headers or {})
        await response({"type": "http"}, _no_body, send)


def _counted(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
