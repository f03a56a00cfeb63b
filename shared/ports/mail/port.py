"""The mail port: what a service sends e-mail through (its notifications), and what it is
told when a message could not go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Mail:
    """One plain-text message to one person."""

    to: str
    subject: str
    body: str
    message_id: str
    """``<…@…>``: the same on every attempt, so a server or a mail client drops a repeat."""
    language: str = "vi"
    """The language it is written in (``Content-Language``)."""


class MailNotSent(Exception):
    """The server could not be reached or refused the message: try again later."""


class MailRefused(MailNotSent):
    """The server refused the recipient or the message for good (a 5xx answer): trying again
    would not help."""


class MailSender(Protocol):
    async def send(self, mail: Mail) -> None:
        """Hand ``mail`` to the server; ``MailNotSent`` (or ``MailRefused``) if it did not
        take it."""
        ...
