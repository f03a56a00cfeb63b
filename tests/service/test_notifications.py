"""The web front's notifications as its ``app.py`` wires them: events fed to its consumer
(over a temporary SQLite store, a fixed clock) become each concerned person's
notifications and queued e-mail, exactly once; what the person chose decides what goes by
e-mail and in which language; the delivery job sends what is queued and tries again later
when the server cannot take it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from services.cli import app as ocop
from services.web.notifications.commands import Notifier, PreferencesRefused
from services.web.notifications.delivery import Delivery, Retries
from services.web.notifications.model import Kind, Notification
from services.web.notifications.queries import Inbox
from services.web.notifications.store import MAIL_QUEUE, NOTIFICATIONS
from shared.messaging import Outcome
from shared.messaging.contracts.rating import (
    CertificateExpired,
    CertificateExpiring,
    CertificateRevoked,
    CertificateUpgraded,
    EvaluationOpened,
    ProductCertified,
)
from shared.messaging.contracts.registry import (
    AccountChanged,
    AccountOpened,
    AccountTokensRevoked,
    DossierStageDecided,
    ProductIdentityDecided,
    ProductRegistered,
)
from shared.messaging.contracts.traceability import ScanAnomalyDetected
from shared.messaging.events.contracts import EventContract
from shared.messaging.events.envelope import Envelope
from shared.platform.config import Settings
from shared.ports.mail import Mail, MailNotSent
from shared.ports.store import find_all
from tests.support.clocks import FixedClock
from tests.support.events import certified
from tests.support.service_tier import Running, ServiceTier

SOURCES = {"registry": "/ocop/registry", "rating": "/ocop/rating",
           "traceability": "/ocop/traceability"}


@pytest.fixture
def tier(make_settings: Callable[..., Settings], clock: FixedClock) -> ServiceTier:
    # an SMTP server is set (never reached here): e-mail is queued
    return ServiceTier(make_settings(smtp_url="smtp://127.0.0.1:2525",
                                     public_url="https://ocop.example"), clock)


@pytest.fixture
async def web(tier: ServiceTier) -> AsyncIterator[Running]:
    async with tier.running("web") as service:
        yield service


@dataclass
class Feed:
    """Events as the bus hands them to the web front's consumer."""

    web: Running
    clock: FixedClock
    sequences: dict[str, int] = field(default_factory=dict)

    async def __call__(self, event: EventContract, aggregate: str, *,
                       envelope: Envelope | None = None) -> Envelope:
        if envelope is None:
            source = SOURCES[event.event_type.split(".")[2]]
            key = f"{source}|{aggregate}"
            self.sequences[key] = self.sequences.get(key, 0) + 1
            envelope = Envelope(type=event.event_type, source=source, aggregate_id=aggregate,
                                sequence=self.sequences[key],
                                data=event.model_dump(mode="json"), time=self.clock.now())
        await self.web.runtime.consumer.process(envelope, event.topic)
        return envelope


@pytest.fixture
async def feed(web: Running, clock: FixedClock) -> Feed:
    given = Feed(web, clock)
    for user, role, subject in (("htx-phu-khuong", "producer", "s1"),
                                ("ke-toan-phu-khuong", "producer", "s1"),
                                ("co-so-khac", "producer", "s2"),
                                ("giam-khao-1", "council_member", None),
                                ("giam-khao-2", "council_member", None),
                                ("van-phong", "admin", None)):
        await given(AccountOpened(user_id=user, role=role, subject_id=subject), user)
    await given(ProductRegistered(product_id="p1", subject_id="s1", name="Nước mắm Phú Khương",
                                  group="food", subgroup="processed", status="draft"), "p1")
    return given


async def told(web: Running, person: str) -> list[Notification]:
    return (await web.part(Inbox).page(person)).items


async def queued(web: Running) -> list[dict[str, Any]]:
    return [doc.data | {"id": doc.id} async for doc in find_all(web.store, MAIL_QUEUE.name)]


async def choose(web: Running, person: str, email: str = "", language: str = "vi",
                 kinds: tuple[Kind, ...] = tuple(Kind)) -> None:
    await web.part(Notifier).set_preferences(person, email, language, [k.value for k in kinds])


def stage(status: str = "rejected", note: str = "Bổ sung phiếu kiểm nghiệm") -> DossierStageDecided:
    return DossierStageDecided(product_id="p1", subject_id="s1",
                               product_name="Nước mắm Phú Khương", stage="dossier",
                               status=status, note=note, decided_by="office",
                               decided_at=datetime(2026, 3, 2, 3, 0))


async def test_a_stage_decided_reaches_the_subjects_producers_and_no_one_else(
        web: Running, feed: Feed) -> None:
    await choose(web, "htx-phu-khuong", "htx@example.vn")
    await feed(stage(), "p1")

    for person in ("htx-phu-khuong", "ke-toan-phu-khuong"):
        [notification] = await told(web, person)
        assert notification.kind is Kind.STAGE_DECIDED and notification.unread
        assert notification.link == "/products/p1"
    for person in ("co-so-khac", "giam-khao-1", "van-phong"):
        assert await told(web, person) == []
    [mail] = await queued(web)  # the one with an address
    assert mail["to"] == "htx@example.vn" and mail["status"] == "queued"
    assert mail["subject"] == "Hồ sơ của Nước mắm Phú Khương bị trả lại"
    assert "Ghi chú: Bổ sung phiếu kiểm nghiệm" in mail["body"]
    assert "https://ocop.example/products/p1" in mail["body"]
    assert mail["message_id"] == f"<{mail['id']}@ocop.example>"


async def test_each_kind_reaches_whom_it_concerns(web: Running, feed: Feed,
                                                 clock: FixedClock) -> None:
    await feed(ProductIdentityDecided(product_id="p1", subject_id="s1",
                                      product_name="Nước mắm Phú Khương", approved=False,
                                      note="Tên trùng", decided_at=clock.now()), "p1")
    await feed(ProductCertified(**certified(product_id="p1").model_dump()), "p1")
    await feed(CertificateUpgraded(**certified("c2", stars=5).model_dump(),
                                   previous_stars=4), "p1")
    await feed(CertificateExpiring(product_id="p1", subject_id="s1",
                                   product_name="Nước mắm Phú Khương", certificate_id="c2",
                                   certificate_number="KH-2026-0002", stars=5,
                                   valid_until=date(2029, 10, 14), months_left=6), "c2")
    await feed(CertificateRevoked(product_id="p1", certificate_id="c2",
                                  certificate_number="KH-2026-0002",
                                  reason="Vi phạm an toàn thực phẩm",
                                  revoked_on=date(2027, 2, 1)), "p1")
    await feed(CertificateExpired(product_id="p1", certificate_id="c1",
                                  certificate_number="KH-2026-0001",
                                  expired_on=date(2029, 10, 15)), "p1")
    await feed(anomaly("medium"), "a1")
    await feed(EvaluationOpened(evaluation_id="e1", product_id="p1", subject_id="s1",
                                product_name="Nước mắm Phú Khương", round_id="r1",
                                round_name="Đợt 1 năm 2026",
                                members=["giam-khao-1", "giam-khao-2"],
                                closes_on=date(2026, 4, 30)), "e1")

    producer = await told(web, "htx-phu-khuong")
    assert [n.kind for n in producer] == [  # newest first (same instant: by id)
        n.kind for n in sorted(producer, key=lambda n: (n.created_at, n.id), reverse=True)]
    assert sorted(n.kind for n in producer) == sorted([
        Kind.IDENTITY_DECIDED, Kind.CERTIFICATE_ISSUED, Kind.CERTIFICATE_ISSUED,
        Kind.CERTIFICATE_EXPIRING, Kind.CERTIFICATE_REVOKED, Kind.CERTIFICATE_EXPIRED,
        Kind.COUNTERFEIT_ALERT])
    revoked = next(n for n in producer if n.kind is Kind.CERTIFICATE_REVOKED)
    assert revoked.facts == {"product": "Nước mắm Phú Khương", "number": "KH-2026-0002",
                             "reason": "Vi phạm an toàn thực phẩm", "on": "2027-02-01"}
    assert next(n for n in producer if n.kind is Kind.COUNTERFEIT_ALERT).link == "/alerts"
    for member in ("giam-khao-1", "giam-khao-2"):
        [opened] = await told(web, member)
        assert opened.kind is Kind.EVALUATION_OPENED
        assert opened.link == "/council/evaluations/e1"
    assert await told(web, "co-so-khac") == []
    assert await told(web, "van-phong") == []
    assert await queued(web) == []  # nobody gave an address


def anomaly(confidence: str, scans: int = 12) -> ScanAnomalyDetected:
    return ScanAnomalyDetected(anomaly_id="a1", kind="copied_serial", product_id="p1",
                               subject_id="s1", province="Khánh Hòa", commune="Khánh Sơn",
                               gtin="08934563138165", code="SR-0042", scans=scans, devices=6,
                               networks=3, confidence=confidence, day=date(2026, 3, 1),
                               detected_at=datetime(2026, 3, 1, 8, 0))


async def test_an_event_heard_again_tells_no_one_twice(web: Running, feed: Feed) -> None:
    await choose(web, "htx-phu-khuong", "htx@example.vn")
    first = await feed(stage("accepted", ""), "p1")
    await feed(stage("accepted", ""), "p1", envelope=first)  # redelivered
    await feed(anomaly("medium"), "a1")
    await feed(anomaly("medium", scans=30), "a1")  # published again, no surer
    assert len(await told(web, "htx-phu-khuong")) == 2
    assert len(await queued(web)) == 2
    await feed(anomaly("high", scans=60), "a1")  # surer: told again
    assert [n.facts.get("confidence") for n in await told(web, "htx-phu-khuong")
            if n.kind is Kind.COUNTERFEIT_ALERT] == ["high", "medium"]
    assert len(await queued(web)) == 3


async def test_a_disabled_account_is_told_nothing(web: Running, feed: Feed) -> None:
    await feed(AccountChanged(user_id="ke-toan-phu-khuong", role="producer", subject_id="s1",
                              disabled=True), "ke-toan-phu-khuong")
    await feed(AccountChanged(user_id="giam-khao-2", role="council_member", disabled=True),
               "giam-khao-2")
    await feed(stage(), "p1")
    await feed(EvaluationOpened(evaluation_id="e1", product_id="p1", subject_id="s1",
                                product_name="Nước mắm Phú Khương", round_id="r1",
                                round_name="Đợt 1", members=["giam-khao-1", "giam-khao-2"],
                                closes_on=date(2026, 4, 30)), "e1")
    assert len(await told(web, "htx-phu-khuong")) == 1
    assert await told(web, "ke-toan-phu-khuong") == []
    assert len(await told(web, "giam-khao-1")) == 1
    assert await told(web, "giam-khao-2") == []


async def test_a_kind_off_by_email_stays_in_the_inbox(web: Running, feed: Feed) -> None:
    await choose(web, "htx-phu-khuong", "htx@example.vn",
                 kinds=(Kind.CERTIFICATE_REVOKED,))
    await feed(stage(), "p1")
    assert len(await told(web, "htx-phu-khuong")) == 1
    assert await queued(web) == []
    await feed(CertificateRevoked(product_id="p1", certificate_id="c1",
                                  certificate_number="KH-2026-0001", reason="Gian lận",
                                  revoked_on=date(2026, 3, 2)), "p1")
    [mail] = await queued(web)
    assert mail["subject"] == "Giấy chứng nhận OCOP của Nước mắm Phú Khương bị thu hồi"
    assert "Lý do: Gian lận" in mail["body"] and "02/03/2026" in mail["body"]


async def test_each_reads_in_the_language_they_chose(web: Running, feed: Feed) -> None:
    await choose(web, "htx-phu-khuong", "htx@example.vn", "vi")
    await choose(web, "ke-toan-phu-khuong", "ketoan@example.vn", "en")
    await feed(stage("accepted", ""), "p1")
    mails = {m["to"]: m for m in await queued(web)}
    assert mails["htx@example.vn"]["subject"] == "Hồ sơ của Nước mắm Phú Khương đã được chấp nhận"
    assert mails["htx@example.vn"]["language"] == "vi"
    assert mails["ketoan@example.vn"]["subject"] == "Dossier of Nước mắm Phú Khương accepted"
    assert "Next: submit the product for evaluation" in mails["ketoan@example.vn"]["body"]


async def test_settings_refuse_a_wrong_address(web: Running) -> None:
    with pytest.raises(PreferencesRefused) as refused:
        await choose(web, "htx-phu-khuong", "htx.example.vn")
    assert set(refused.value.fields) == {"email"}


async def test_reading_marks_one_or_all(web: Running, feed: Feed) -> None:
    await feed(stage(), "p1")
    await feed(anomaly("low"), "a1")
    inbox, notifier = web.part(Inbox), web.part(Notifier)
    assert await inbox.unread("htx-phu-khuong") == 2
    first = (await told(web, "htx-phu-khuong"))[0]
    assert not await notifier.mark_read("co-so-khac", first.id)  # not theirs
    assert await notifier.mark_read("htx-phu-khuong", first.id)
    assert await inbox.unread("htx-phu-khuong") == 1
    assert await notifier.mark_all_read("htx-phu-khuong") == 1
    assert await inbox.unread("htx-phu-khuong") == 0
    assert await inbox.unread("ke-toan-phu-khuong") == 2


@dataclass
class Server:
    """The mail port as a test drives it: down until it is up."""

    up: bool = False
    got: list[Mail] = field(default_factory=list)

    async def send(self, mail: Mail) -> None:
        if not self.up:
            raise MailNotSent("connection refused")
        self.got.append(mail)


async def test_delivery_sends_once_and_tries_again_later(web: Running, feed: Feed,
                                                        clock: FixedClock) -> None:
    await choose(web, "htx-phu-khuong", "htx@example.vn")
    await feed(stage(), "p1")
    server = Server()
    delivery = Delivery(web.store, clock, server, Retries(timedelta(minutes=1), attempts=3))
    assert await delivery.round() == 0
    [mail] = await queued(web)
    assert (mail["status"], mail["attempts"]) == ("queued", 1)
    server.up = True
    assert await delivery.round() == 0  # not due yet
    clock.instant += timedelta(minutes=1)
    assert await delivery.round() == 1
    assert await delivery.round() == 0
    [sent] = server.got
    assert sent.to == "htx@example.vn" and sent.message_id == mail["message_id"]
    [mail] = await queued(web)
    assert (mail["status"], mail["attempts"]) == ("sent", 2)
    [notification] = await told(web, "htx-phu-khuong")
    assert sent.message_id == f"<{notification.id}@ocop.example>"


async def test_without_an_smtp_server_the_inbox_alone(
        make_settings: Callable[..., Settings], clock: FixedClock) -> None:
    tier = ServiceTier(make_settings(), clock)
    async with tier.running("web") as web:
        feed = Feed(web, clock)
        await feed(AccountOpened(user_id="htx", role="producer", subject_id="s1"), "htx")
        await choose(web, "htx", "htx@example.vn")
        await feed(stage(), "p1")
        assert len(await told(web, "htx")) == 1
        assert await queued(web) == []
        with pytest.raises(KeyError):
            web.runtime.job("send notification e-mail")
    assert NOTIFICATIONS.name in web.store.collections


async def test_decisions_counted_apart_from_the_products_state_are_told(
        web: Running, feed: Feed, clock: FixedClock) -> None:
    """As the registry says them: a stage decision keyed by the product at its dossier's
    version (lower than the product's own), an identity decision at the very version of the
    ``ProductUpdated`` beside it. Neither is taken for a repeat of the product's state."""
    product = ProductRegistered(product_id="p1", subject_id="s1", name="Nước mắm Phú Khương",
                                group="food", subgroup="processed", status="submitted")
    for version in (5, 6):
        await feed(product, "p1", envelope=Envelope(
            type="vn.ocop.registry.product.updated.v1", source="/ocop/registry",
            aggregate_id="p1", sequence=version, data=product.model_dump(mode="json"),
            time=clock.now()))
    await feed(stage(), "p1", envelope=Envelope(
        type=DossierStageDecided.event_type, source="/ocop/registry", aggregate_id="p1",
        sequence=2, data=stage().model_dump(mode="json"), time=clock.now()))
    decided = ProductIdentityDecided(product_id="p1", subject_id="s1",
                                     product_name="Nước mắm Phú Khương", approved=True,
                                     decided_at=clock.now())
    await feed(decided, "p1", envelope=Envelope(
        type=decided.event_type, source="/ocop/registry", aggregate_id="p1", sequence=6,
        data=decided.model_dump(mode="json"), time=clock.now()))
    assert {n.kind for n in await told(web, "htx-phu-khuong")} == {
        Kind.STAGE_DECIDED, Kind.IDENTITY_DECIDED}


async def test_an_event_it_cannot_apply_is_a_dead_letter_ocop_lists(
        web: Running, tier: ServiceTier, clock: FixedClock) -> None:
    broken = Envelope(type=DossierStageDecided.event_type, source="/ocop/registry",
                      aggregate_id="p9", sequence=1, data={"product_id": "p9"},
                      time=clock.now())
    outcome = await web.runtime.consumer.process(broken, DossierStageDecided.topic)
    assert outcome is Outcome.DEAD_LETTERED
    listed = await asyncio.to_thread(CliRunner().invoke, ocop, [
        "dead-letters", "list", "web", "--json", "--data-dir", str(tier.settings.data_dir)])
    assert listed.exit_code == 0, listed.output
    assert [letter["type"] for letter in json.loads(listed.output)] == [
        DossierStageDecided.event_type]


async def test_an_account_disabled_as_the_registry_says_it_is_told_nothing(
        web: Running, feed: Feed, clock: FixedClock) -> None:
    """The registry ends the tokens and says the account changed at one version: both
    reach the front, and the account is disabled there."""
    revoked = AccountTokensRevoked(user_id="ke-toan-phu-khuong", token_generation=1,
                                   disabled=True)
    changed = AccountChanged(user_id="ke-toan-phu-khuong", role="producer", subject_id="s1",
                             disabled=True)
    for event in (revoked, changed):
        await feed(event, "ke-toan-phu-khuong", envelope=Envelope(
            type=event.event_type, source="/ocop/registry", aggregate_id="ke-toan-phu-khuong",
            sequence=2, data=event.model_dump(mode="json"), time=clock.now()))
    await feed(stage(), "p1")
    assert await told(web, "ke-toan-phu-khuong") == []
    assert len(await told(web, "htx-phu-khuong")) == 1
