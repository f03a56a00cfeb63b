"""Mail port and the factory that picks its adapter from a URL."""

from __future__ import annotations

from shared.ports.mail.port import Mail, MailNotSent, MailRefused, MailSender

__all__ = ["Mail", "MailNotSent", "MailRefused", "MailSender", "open_mail"]


def open_mail(url: str | None, *, sender: str, password: str | None = None
              ) -> MailSender | None:
    """``smtp://host:587`` (STARTTLS) or ``smtps://host:465``; None when no URL is set (the
    inbox alone then)."""
    if not url:
        return None
    from shared.ports.mail.smtp import SmtpSender

    return SmtpSender.from_url(url, sender=sender, password=password)
