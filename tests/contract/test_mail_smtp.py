"""The mail port's SMTP adapter against a real SMTP server (aiosmtpd): a notification in
Vietnamese arrives whole, its subject and body in UTF-8, with its Message-ID."""

from __future__ import annotations

import pytest

from shared.ports.mail import Mail, MailNotSent, open_mail
from shared.ports.mail.smtp import SmtpSender
from tests.support.ports import free_port
from tests.support.smtp import smtp_server

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

SUBJECT = "Giấy chứng nhận OCOP của «Nước mắm Phú Khương» bị thu hồi"
BODY = ("Sở đã thu hồi giấy chứng nhận OCOP số KH-2026-0001 ngày 01/02/2027.\n"
        "Lý do: Vi phạm an toàn thực phẩm.\n\nXem chi tiết: https://ocop.example/notifications")


async def test_a_vietnamese_message_arrives_whole() -> None:
    with smtp_server() as (url, mailbox):
        sender = open_mail(url, sender="OCOP Khánh Hòa <no-reply@ocop.example>")
        assert sender is not None
        await sender.send(Mail(to="htx.phukhuong@example.vn", subject=SUBJECT, body=BODY,
                               message_id="<n-1@ocop.example>"))
        [message] = mailbox.wait_for(1)
    assert mailbox.messages[0][0] == ["htx.phukhuong@example.vn"]
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"] == "<n-1@ocop.example>"
    assert message["From"] == "OCOP Khánh Hòa <no-reply@ocop.example>"
    assert message["Content-Language"] == "vi"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().replace("\r\n", "\n").strip() == BODY  # CRLF on the wire


async def test_it_signs_in_with_the_password_of_its_own_setting() -> None:
    with smtp_server(password="bi-mat-2026") as (url, mailbox):
        user_url = url.replace("smtp://", "smtp://ocop-mailer@")
        sender = open_mail(user_url, sender="no-reply@ocop.example", password="bi-mat-2026")
        assert sender is not None
        await sender.send(Mail(to="a@example.vn", subject="Thử", body="Nội dung",
                               message_id="<n-2@ocop.example>"))
        mailbox.wait_for(1)
        assert mailbox.logins == [("ocop-mailer", "bi-mat-2026")]


async def test_no_server_is_a_message_not_sent_yet() -> None:
    sender = SmtpSender.from_url(f"smtp://127.0.0.1:{free_port()}", sender="a@ocop.example")
    with pytest.raises(MailNotSent):
        await sender.send(Mail(to="a@example.vn", subject="Thử", body="Nội dung",
                               message_id="<n-4@ocop.example>"))


def test_no_url_means_no_mail() -> None:
    assert open_mail(None, sender="a@ocop.example") is None
    assert open_mail("", sender="a@ocop.example") is None
