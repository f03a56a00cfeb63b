"""A real SMTP server for the tests (aiosmtpd's ``Controller``, in its own thread) that keeps
every message it is handed, parsed, for the test to read."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.ports import free_port


@dataclass
class Mailbox:
    """What the server received: each message with the addresses it was sent to."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content or envelope.content,
                                    policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpt, message in self.messages if address in rcpt]

    def wait_for(self, count: int, within: float = 20) -> list[EmailMessage]:
        """At least ``count`` messages, waiting for them up to ``within`` seconds."""
        deadline = time.monotonic() + within
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} messages came"
            time.sleep(0.05)
        return [message for _, message in self.messages]


@contextlib.contextmanager
def smtp_server(*, password: str | None = None) -> Iterator[tuple[str, Mailbox]]:
    """An SMTP server on a free loopback port: its URL (``smtp://127.0.0.1:port``) and its
    mailbox. ``password``: it asks any user for that password (AUTH, in clear on loopback)."""
    mailbox = Mailbox()

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        given = (auth_data.login.decode(), auth_data.password.decode())
        mailbox.logins.append(given)
        return AuthResult(success=given[1] == password)

    port = free_port()
    options: dict[str, Any] = {"authenticator": authenticate, "auth_require_tls": False,
                               "auth_required": True} if password else {}
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", mailbox
    finally:
        controller.stop()
