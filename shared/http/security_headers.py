"""Security headers on every response, as a plain ASGI middleware (no per-request objects).

APIs answer JSON that no browser should render, frame or sniff: their policy forbids
everything. HTML pages (the scan page) may show images from anywhere the product's photos
live and use their own inline styles, nothing else; no page may be framed by another site.
The interactive API docs run Swagger UI's script and style, served by the service itself
(fastapi-offline), and the small inline script that starts them. A file to be saved, not
shown (``Content-Disposition: attachment``: a producer's uploaded PDF), is sandboxed too,
should a browser render it anyway. Over HTTPS, browsers are told to use nothing else (HSTS).

The policy follows what the answer is (its content type), which a ``304 Not Modified`` does
not say; yet a browser merges the 304's headers into the page it kept, so a 304 with the
JSON policy would leave a cached page unstyled and its photos blocked. Revalidation is
therefore answered here: a ``200`` whose ETag the request's ``If-None-Match`` holds becomes
a 304 carrying the 200's own headers, the security ones included. Routes answer 200 with
an ETag and leave the 304 to this layer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
PAGE_POLICY = ("default-src 'none'; img-src 'self' https: http: data:; "
               "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; "
               "form-action 'self'")
DOCS_POLICY = ("default-src 'none'; script-src 'self' 'unsafe-inline'; "
               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
               "worker-src 'self' blob:; frame-ancestors 'none'")
DOCS_PATHS = ("/docs",)
SANDBOX = b"; sandbox"
"""Added to the policy of an attachment: no script, no form, no same-origin access."""
HSTS = (b"strict-transport-security", b"max-age=31536000")
"""A year, without includeSubDomains: the platform is often served under a province's
domain whose other hosts it does not answer for."""

COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
BODY_FIELDS = {b"content-length", b"content-type", b"content-encoding", b"content-range",
               b"transfer-encoding"}
"""What describes a body, which a 304 has none of; it keeps every other header of its 200."""
REVALIDATED = ("GET", "HEAD")


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """``If-None-Match``'s weak comparison: any listed tag (or ``*``) is the ETag."""
    tag = etag.strip().removeprefix(b"W/")
    return any(held.strip().removeprefix(b"W/") in (tag, b"*")
               for held in if_none_match.split(b","))


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, page_policy: str = PAGE_POLICY,
                 api_policy: str = API_POLICY) -> None:
        """``page_policy`` for HTML, ``api_policy`` for everything else."""
        self.app = app
        self.page_policy = page_policy.encode()
        self.api_policy = api_policy.encode()

    def _security(self, scope: Scope, headers: list[tuple[bytes, bytes]]
                  ) -> list[tuple[bytes, bytes]]:
        """The security headers of an answer with ``headers``."""
        found = dict(headers)
        if str(scope.get("path", "")).startswith(DOCS_PATHS):
            policy = DOCS_POLICY.encode()
        elif found.get(b"content-type", b"").startswith(b"text/html"):
            policy = self.page_policy
        else:
            policy = self.api_policy
        if found.get(b"content-disposition", b"").lower().startswith(b"attachment"):
            policy += SANDBOX
        https = [HSTS] if scope.get("scheme") == "https" else []
        return [*COMMON, (b"content-security-policy", policy), *https]

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if_none_match = next((v for k, v in scope["headers"] if k == b"if-none-match"), None)
        if scope["method"] not in REVALIDATED:
            if_none_match = None
        not_modified = False

        async def with_headers(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"server"]
                message["headers"] = [*headers, *self._security(scope, headers)]
                etag = next((v for k, v in headers if k == b"etag"), None)
                if (message["status"] == 200 and etag is not None and if_none_match is not None
                        and etag_matches(if_none_match, etag)):
                    not_modified = True
                    message = {"type": message["type"], "status": 304, "headers": [
                        (k, v) for k, v in message["headers"] if k not in BODY_FIELDS]}
            elif message["type"] == "http.response.body" and not_modified:
                if message.get("more_body", False):
                    return  # the 200's body is not sent; the 304 ends with its last part
                message = {"type": message["type"], "body": b""}
            await send(message)

        await self.app(scope, receive, with_headers)
