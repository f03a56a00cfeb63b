"""Security headers on every response, as a plain ASGI middleware (no per-request objects).

APIs answer JSON that no browser should render, frame or sniff: their policy forbids
everything. HTML pages (the scan page) may show images from anywhere the product's photos
live and use their own inline styles, nothing else; no page may be framed by another site.
The interactive API docs run Swagger UI's script and style, served by the service itself
(fastapi-offline), and the small inline script that starts them. A file to be saved, not
shown (``Content-Disposition: attachment``: a producer's uploaded PDF), is sandboxed too,
should a browser render it anyway. Over HTTPS, browsers are told to use nothing else (HSTS).
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


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, page_policy: str = PAGE_POLICY,
                 api_policy: str = API_POLICY) -> None:
        """``page_policy`` for HTML, ``api_policy`` for everything else."""
        self.app = app
        self.page_policy = page_policy.encode()
        self.api_policy = api_policy.encode()

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = str(scope.get("path", "")).startswith(DOCS_PATHS)
        https = [HSTS] if scope.get("scheme") == "https" else []

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"server"]
                content_type = next((v for k, v in headers if k == b"content-type"), b"")
                policy = (DOCS_POLICY.encode() if docs else self.page_policy
                          if content_type.startswith(b"text/html") else self.api_policy)
                disposition = next((v for k, v in headers if k == b"content-disposition"), b"")
                if disposition.lower().startswith(b"attachment"):
                    policy += SANDBOX
                message["headers"] = [*headers, *COMMON, (b"content-security-policy", policy),
                                      *https]
            await send(message)

        await self.app(scope, receive, with_headers)
