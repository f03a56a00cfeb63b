"""Sending webhooks signed per the Standard Webhooks specification: the port a service's
dispatcher sends through, and its HTTP adapter.

The signature (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``) is made by the
specification's own library, ``standardwebhooks``, so any receiver verifying with one of its
libraries (Python, JavaScript, Go, PHP…) accepts it. The adapter never follows redirects and
checks the address it is about to call each time (a name may have been pointed at an inside
address since the endpoint was registered).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from shared.http.addresses import resolves_privately

USER_AGENT = "OCOP-Webhooks/1.0 (+https://standardwebhooks.com)"
ANSWER_KEPT = 300
"""How much of a failed answer is kept for the channel to read in its delivery log."""


@dataclass(frozen=True)
class WebhookMessage:
    url: str
    secret: str
    """``whsec_…``, as the receiver was given it."""
    message_id: str
    """The same on every attempt of one message, so a receiver can drop repeats."""
    timestamp: datetime
    body: str


@dataclass(frozen=True)
class SendOutcome:
    status_code: int | None
    """None when no answer came (timeout, connection refused, address refused)."""
    error: str | None
    duration_ms: int


class WebhookSender(Protocol):
    async def send(self, message: WebhookMessage) -> SendOutcome: ...

    async def close(self) -> None: ...


def signed_headers(message: WebhookMessage) -> dict[str, str]:
    signature = Webhook(message.secret).sign(message.message_id, message.timestamp,
                                             message.body)
    return {"content-type": "application/json", "user-agent": USER_AGENT,
            "webhook-id": message.message_id,
            "webhook-timestamp": str(int(message.timestamp.timestamp())),
            "webhook-signature": signature}


class HttpWebhookSender:
    """POSTs each message once and reports what happened; retrying is the caller's."""

    def __init__(self, *, timeout_seconds: float, allow_private: bool) -> None:
        """``allow_private``: send to loopback and private addresses too (tests, demos)."""
        self.timeout_seconds = timeout_seconds
        self.allow_private = allow_private
        self._client = httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False,
                                         limits=httpx.Limits(max_connections=100))

    async def send(self, message: WebhookMessage) -> SendOutcome:
        started = time.monotonic()

        def outcome(status_code: int | None, error: str | None) -> SendOutcome:
            return SendOutcome(status_code, error and error[:ANSWER_KEPT],
                               round((time.monotonic() - started) * 1000))

        host = urlsplit(message.url).hostname or ""
        if not self.allow_private and await resolves_privately(host):
            return outcome(None, f"{host} resolves to a private address; not sent")
        try:
            async with self._client.stream("POST", message.url, content=message.body.encode(),
                                           headers=signed_headers(message)) as answer:
                if answer.is_success:
                    return outcome(answer.status_code, None)
                head = b""
                async for chunk in answer.aiter_bytes():
                    head += chunk
                    if len(head) >= ANSWER_KEPT:
                        break
                return outcome(answer.status_code,
                               f"HTTP {answer.status_code}: "
                               f"{head.decode(errors='replace').strip()}")
        except httpx.TimeoutException:
            return outcome(None, f"no answer within {self.timeout_seconds:g} s")
        except httpx.HTTPError as exc:
            return outcome(None, f"{type(exc).__name__}: {exc}")

    async def close(self) -> None:
        await self._client.aclose()
