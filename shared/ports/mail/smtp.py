"""SMTP through the standard library (``smtplib``, ``email.message.EmailMessage``), run off
the event loop: ``smtp://host:587`` upgrades the connection with STARTTLS when the server
offers it (it must, unless the host is this machine), ``smtps://host:465`` speaks TLS from
the start. The password is its own setting and never appears in a log or an error."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from shared.platform.config import is_loopback
from shared.ports.mail.port import Mail, MailNotSent, MailRefused

DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
TIMEOUT_SECONDS = 30.0
POLICY = SMTP.clone(max_line_length=998)
"""Headers unfolded up to RFC 5322's line limit: the standard library's folding of a long
Vietnamese subject into several encoded words drops the space where it breaks a line
("Nước mắm" arrived as "Nướcmắm")."""


@dataclass(frozen=True)
class SmtpSender:
    host: str
    port: int
    sender: str
    """The ``From`` address (``OCOP_MAIL_FROM``)."""
    tls: bool = False
    """SMTPS: TLS from the first byte."""
    username: str | None = None
    password: str | None = None
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_url(cls, url: str, *, sender: str, password: str | None = None) -> SmtpSender:
        """``smtp://[user@]host[:port]`` or ``smtps://[user@]host[:port]``."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError("an SMTP URL reads smtp://host:587 or smtps://host:465")
        return cls(parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme], sender,
                   tls=parts.scheme == "smtps",
                   username=unquote(parts.username) if parts.username else None,
                   password=password)

    def message(self, mail: Mail) -> EmailMessage:
        """The message as it goes out: UTF-8 headers and body (Vietnamese as it is)."""
        message = EmailMessage(policy=POLICY)
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = mail.message_id
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(mail.body, charset="utf-8")
        message["Content-Language"] = mail.language  # after: set_content drops Content-*
        return message

    async def send(self, mail: Mail) -> None:
        await asyncio.to_thread(self._send, self.message(mail))

    def _send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        try:
            if self.tls:
                client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port,
                                                        timeout=self.timeout, context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                client.ehlo()
                if not self.tls:
                    if client.has_extn("starttls"):
                        client.starttls(context=context)
                        client.ehlo()
                    elif not is_loopback(self.host):
                        raise MailNotSent(f"{self.host} offers no STARTTLS: not sending in "
                                          "clear text")
                if self.username and self.password:
                    client.login(self.username, self.password)
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailRefused(f"{self.host} refused the recipient") from exc
        except smtplib.SMTPResponseException as exc:
            error = exc.smtp_error.decode(errors="replace") if isinstance(
                exc.smtp_error, bytes) else str(exc.smtp_error)
            kind = MailRefused if 500 <= exc.smtp_code < 600 else MailNotSent
            raise kind(f"{self.host} answered {exc.smtp_code}: {error[:200]}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailNotSent(f"{self.host}:{self.port}: {type(exc).__name__}") from None
