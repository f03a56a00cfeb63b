"""The services' public APIs, called with the signed-in account's own token.

The web front holds no rule of its own: a refusal comes back as the service wrote it
(problem+json, in Vietnamese and English, per field) and is shown beside the field, in
words a producer can act on (``services.web.plain``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.i18n import N_, in_every_language

UNANSWERED = N_("The platform could not answer just now; try again in a few minutes.")
"""What a person reads for an error answer that is no service's refusal."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Requests sent again, once, when the connection fails under them: asking again changes
nothing (RFC 9110 §9.2.1), as Go's HTTP client and urllib3 do. A write is never sent twice
by the web front: the person sees the error and decides."""
log = logging.getLogger(__name__)
_PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "detail_vi", "errors",
                              "instance"})


@dataclass
class Refused(Exception):
    """A service said no (or the web front did, before asking one): its words, and beside
    which fields. ``services.web.plain`` turns them into what the page shows."""

    status: int
    message: str
    message_vi: str
    fields: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """Field path → (English, Vietnamese); no Vietnamese where the service wrote none for
    people (a validation library's own words)."""
    code: str = ""
    """The problem's code (the last part of its ``type``)."""
    extensions: dict[str, Any] = field(default_factory=dict)
    """What the problem carries beside its standard members, structured for a program (an
    import's refused rows: ``clients.registry.refused_rows``)."""

    @classmethod
    def said(cls, status: int, message: str, **params: object) -> Refused:
        """The web front's own refusal: a catalog message, in English and Vietnamese."""
        told = in_every_language(message, **params)
        return cls(status, told["en"], told["vi"])

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``shared.i18n.language.LANGUAGES``)."""
        return self.message_vi if lang == "vi" else self.message

    @classmethod
    def of(cls, response: httpx.Response) -> Refused:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if not body.get("detail"):  # not a service's refusal (a proxy's page, say)
            return cls.said(response.status_code, UNANSWERED)
        message = str(body["detail"])
        fields = {str(e.get("field", "")): (str(e.get("message", "")),
                                            str(e["message_vi"]) if e.get("message_vi")
                                            else None)
                  for e in body.get("errors") or [] if isinstance(e, dict)}
        return cls(response.status_code, message, str(body.get("detail_vi") or message),
                   fields, str(body.get("type") or "").rsplit("/", 1)[-1],
                   {k: v for k, v in body.items() if k not in _PROBLEM_MEMBERS})


class SignedOut(Exception):
    """The account's token no longer opens anything (expired, password changed, disabled):
    the person signs in again."""


@dataclass
class Backend:
    client: httpx.AsyncClient
    urls: dict[str, str]
    """Service name → base URL."""

    async def send(self, token: str | None, method: str, service: str, path: str,
                   **kwargs: Any) -> httpx.Response:
        """The service's answer (read by ``services.web.clients``); ``Refused`` for a
        4xx/5xx, ``SignedOut`` for a 401."""
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = self.urls[service] + path
        try:
            try:
                response = await self.client.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError as failed:
                # A pooled connection the service closed just as it was reused fails the
                # request before any answer: a safe one is asked again on a fresh connection.
                # A timeout is not: the service is slow, and asking twice makes it slower.
                if method not in SAFE_METHODS or isinstance(failed, httpx.TimeoutException):
                    raise
                log.warning("%s %s %s failed (%r); asked again", method, service, path, failed)
                response = await self.client.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as failed:
            log.warning("%s %s %s unanswered: %r", method, service, path, failed)
            raise Refused.said(503, N_("The %(service)s service cannot be reached; try again "
                                       "shortly."), service=service) from None
        if response.status_code == 401 and token:
            raise SignedOut
        if response.status_code >= 400:
            raise Refused.of(response)
        return response
