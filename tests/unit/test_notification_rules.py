"""Who is told of what, and how it reads (``services/web/notifications``: pure rules and
texts, no I/O)."""

from __future__ import annotations

from datetime import date, datetime

from services.web.notifications import rules
from services.web.notifications.model import (
    Kind,
    Notification,
    Person,
    Preferences,
    notification_id,
)
from services.web.notifications.texts import mail_body, said
from shared.messaging.contracts.rating import CertificateRevoked, EvaluationOpened
from shared.messaging.contracts.traceability import ScanAnomalyDetected

PEOPLE = [Person("htx", "producer", "s1"), Person("ke-toan", "producer", "s1", disabled=True),
          Person("khac", "producer", "s2"), Person("xa", "commune_officer", "s1"),
          Person("gk-1", "council_member"), Person("gk-2", "council_member", disabled=True)]


def test_the_producers_of_a_subject_who_may_still_sign_in() -> None:
    assert rules.producers_of("s1", PEOPLE) == ["htx"]
    assert rules.producers_of("s9", PEOPLE) == []


def test_a_council_but_its_disabled_members() -> None:
    opened = EvaluationOpened(evaluation_id="e1", product_id="p1", subject_id="s1",
                              product_name="Chè Tân Cương", round_id="r1", round_name="Đợt 1",
                              members=["gk-1", "gk-2", "gk-3"], closes_on=date(2026, 4, 30))
    by_id = {p.user_id: p for p in PEOPLE}
    assert rules.council_of(opened, by_id) == ["gk-1", "gk-3"]  # gk-3 not heard of yet


def anomaly(confidence: str | None) -> ScanAnomalyDetected:
    return ScanAnomalyDetected(anomaly_id="a1", kind="copied_serial", product_id="p1",
                               subject_id="s1", province="Thái Nguyên", commune="Tân Cương",
                               gtin=None, code="SR-1", scans=9, devices=5,
                               confidence=confidence, day=date(2026, 3, 1),
                               detected_at=datetime(2026, 3, 1, 8))


def test_an_anomaly_is_told_once_per_confidence() -> None:
    keys = {rules.counterfeit_alert(anomaly(c), "Chè").key for c in ("low", "low", "high")}
    assert keys == {"anomaly:a1:low", "anomaly:a1:high"}
    assert notification_id("anomaly:a1:low", "htx") == notification_id("anomaly:a1:low", "htx")
    assert notification_id("anomaly:a1:low", "htx") != notification_id("anomaly:a1:low", "xa")


def test_email_only_with_an_address_and_for_the_kinds_chosen() -> None:
    assert not Preferences("htx").mails(Kind.CERTIFICATE_REVOKED)
    everything = Preferences("htx", "htx@example.vn")
    assert all(everything.mails(kind) for kind in Kind)
    some = Preferences("htx", "htx@example.vn", by_email=frozenset({Kind.CERTIFICATE_REVOKED}))
    assert some.mails(Kind.CERTIFICATE_REVOKED) and not some.mails(Kind.STAGE_DECIDED)


def test_a_revocation_says_its_reason_date_and_what_to_do_in_either_language() -> None:
    told = rules.certificate_revoked(CertificateRevoked(
        product_id="p1", certificate_id="c1", certificate_number="TN-2026-0007",
        reason="Vi phạm an toàn thực phẩm", revoked_on=date(2027, 2, 1)), "Chè Tân Cương", "ev1")
    notification = Notification.of(told, "htx", "2027-02-01T02:00:00+00:00")
    vi, en = said(notification, "vi"), said(notification, "en")
    assert vi.title == "Giấy chứng nhận OCOP của Chè Tân Cương bị thu hồi"
    assert vi.lines[:2] == ["Giấy chứng nhận số TN-2026-0007 đã bị thu hồi ngày 01/02/2027.",
                            "Lý do: Vi phạm an toàn thực phẩm"]
    assert en.title == "The OCOP certificate of Chè Tân Cương is revoked"
    subject, body = mail_body(notification, "vi", "https://ocop.example/")
    assert subject == vi.title
    assert "https://ocop.example/products/p1" in body
    assert "https://ocop.example/notifications/settings" in body
