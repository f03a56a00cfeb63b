"""Sending webhooks signed per the Standard Webhooks specification: the port a service's
dispatcher sends through, and its HTTP adapter; and what every service's webhooks share
(the catalog's channel endpoints, traceability's EPCIS subscriptions): the endpoint's
address rule, its secret, an attempt and the retry schedule.

The signature (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``) is made by the
specification's own library, ``standardwebhooks``, so any receiver verifying with one of its
libraries (Python, JavaScript, Go, PHP…) accepts it. The adapter never follows redirects and
checks the address it is about to call each time (a name may have been pointed at an inside
address since the endpoint was registered).
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from shared.http import tls
from shared.http.addresses import is_private_host, resolves_privately
from shared.refusals import N_, BadRequest, invalid

SECRET_PREFIX = "whsec_"
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
                                         limits=httpx.Limits(max_connections=100),
                                         verify=tls.verified())

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


def new_secret() -> str:
    """``whsec_`` and base64 of 24 random bytes: signs every delivery; shown once to the
    receiver, kept readable because signing needs it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def check_endpoint_url(url: str, *, allow_private: bool) -> None:
    """An endpoint is https on a public address (``allow_private``: http and loopback too,
    for tests and one-machine demos): the catalog must not be made to call its own network."""
    parts = urlsplit(url)
    if parts.scheme not in (("https", "http") if allow_private else ("https",)):
        raise invalid("url", N_("a webhook endpoint must be an https:// address"))
    if not parts.hostname or (not allow_private and is_private_host(parts.hostname)):
        raise private_endpoint()


def private_endpoint() -> BadRequest:
    return invalid("url", N_("a webhook endpoint must be a public internet address, not a "
                             "loopback, private or internal one"))


@dataclass(frozen=True)
class Attempt:
    at: str
    status_code: int | None
    """The receiver's HTTP status; None when there was no answer (timeout, refused)."""
    error: str | None
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class RetrySchedule:
    """Attempt n+1 follows attempt n after ``first_retry`` × 5^(n-1): with the default 5 s and
    8 attempts, 5 s, 25 s, 2 min, 10 min, 52 min, 4.3 h and 21.7 h — about 27 hours in all
    before a delivery is given up, time for a channel to notice and mend its receiver."""

    first_retry: timedelta = timedelta(seconds=5)
    attempts: int = 8
    factor: int = 5

    def after(self, attempts_made: int) -> timedelta | None:
        """How long to wait after ``attempts_made`` failed attempts; None: give up."""
        if attempts_made >= self.attempts:
            return None
        return self.first_retry * self.factor ** (attempts_made - 1)

    @property
    def span(self) -> timedelta:
        return sum((self.after(n) or timedelta() for n in range(1, self.attempts)),
                   timedelta())
