"""The hourly certificate sweep reminds a producer of its certificate's end:
``CertificateExpiring`` 6 months before the last valid day, then 1 month before, each once
per certificate (remembered on it: the next sweep, the next day's and one after a restart
say nothing again), keyed by the product at its recognition's version (so it is ordered
among the product's certificate events). The day is the service's clock's, in Việt Nam."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.rating.store import certificates
from shared.messaging import DEAD_LETTERS
from shared.messaging.contracts.rating import CertificateExpired, CertificateExpiring
from shared.messaging.events.envelope import Envelope
from shared.ports.store import find_all
from tests.support.clocks import FixedClock
from tests.support.service_stories import OFFICE, Office
from tests.support.service_tier import Running

DECIDED_ON = date(2024, 9, 1)
LAST_DAY = date(2027, 8, 31)  # 36 months from the decision, less a day
DAY = timedelta(days=1)


async def reminders(office: Office) -> list[Envelope]:
    """The reminders the sweep of the clock's day writes (its outbox, then published)."""
    await office.rating.run_job("certificate expiry")
    said = [e for e in await office.rating.outbox() if e.type == CertificateExpiring.event_type]
    await office.rating.relay()
    return said


async def test_six_months_then_one_month_before_the_end_each_once(office: Office) -> None:
    certificate = await office.certified(DECIDED_ON)
    assert certificate.valid_until == LAST_DAY
    await office.tier.settle()

    office.on(date(2027, 2, 27))
    assert await reminders(office) == []
    office.on(date(2027, 2, 28))  # 31 August has no 31 February: the month's last day
    (six,) = await reminders(office)
    assert (six.aggregate_id, six.sequence) == (certificate.product_id, 2)
    assert six.data == {
        "product_id": certificate.product_id, "subject_id": certificate.subject_id,
        "product_name": "Chè Tân Cương", "certificate_id": certificate.id,
        "certificate_number": certificate.number, "stars": 4,
        "valid_until": LAST_DAY.isoformat(), "months_left": 6}
    assert await reminders(office) == []  # the next hour's sweep
    office.on(date(2027, 3, 1))
    assert await reminders(office) == []  # the next day's

    office.on(date(2027, 7, 30))
    assert await reminders(office) == []
    office.on(date(2027, 7, 31))
    (one,) = await reminders(office)
    assert (one.sequence, one.data["months_left"]) == (3, 1)
    assert await reminders(office) == []
    held = await certificates.get(office.rating.store, certificate.id)
    assert held.reminded_months_left == 1


async def test_a_sweep_after_a_restart_says_nothing_again(office: Office) -> None:
    certificate = await office.certified(DECIDED_ON)
    await office.tier.settle()
    office.on(date(2027, 3, 5))
    (six,) = await reminders(office)
    assert six.data["certificate_id"] == certificate.id

    async with office.tier.running("rating") as restarted:  # the same store, a new process
        await restarted.run_job("certificate expiry")
        assert await restarted.outbox() == []


async def test_a_certificate_first_swept_in_its_last_month_gets_only_that_reminder(
        office: Office) -> None:
    certificate = await office.certified(DECIDED_ON)
    await office.tier.settle()
    office.on(date(2027, 8, 20))
    (one,) = await reminders(office)
    assert (one.data["certificate_id"], one.data["months_left"]) == (certificate.id, 1)
    office.on(LAST_DAY)
    assert await reminders(office) == []


async def test_the_reminder_follows_the_clock_of_viet_nam(office: Office,
                                                          clock: FixedClock) -> None:
    await office.certified(DECIDED_ON)
    await office.tier.settle()
    # 16:59 UTC on 27 February is 23:59 in Hà Nội: not yet the day
    clock.instant = datetime(2027, 2, 27, 16, 59, tzinfo=UTC)
    assert await reminders(office) == []
    clock.instant = datetime(2027, 2, 27, 17, 0, tzinfo=UTC)  # 28 February there
    assert [e.data["months_left"] for e in await reminders(office)] == [6]


async def test_each_certificate_due_is_reminded_and_none_that_is_not_in_force(
        office: Office) -> None:
    kept = await office.certified(DECIDED_ON)
    revoked = await office.certified(DECIDED_ON)
    later = await office.certified(DECIDED_ON + timedelta(days=10))  # its 6 months not yet
    await office.tier.settle()
    office.on(date(2027, 1, 10))
    await office.certificates.revoke(OFFICE, revoked.id, "Vi phạm an toàn thực phẩm")
    await office.rating.relay()

    office.on(date(2027, 3, 2))
    assert [e.data["certificate_id"] for e in await reminders(office)] == [kept.id]
    office.on(date(2027, 3, 12))
    assert [e.data["certificate_id"] for e in await reminders(office)] == [later.id]

    office.on(LAST_DAY + DAY)  # kept expires; later gets its one-month reminder, once
    await office.rating.run_job("certificate expiry")
    said = await office.rating.outbox()
    assert [(e.type, e.data["certificate_id"]) for e in said] == [
        (CertificateExpired.event_type, kept.id), (CertificateExpiring.event_type, later.id)]


async def test_the_certificates_readers_pass_over_the_reminder(
        office: Office, traceability: Running, catalog: Running) -> None:
    await office.certified(DECIDED_ON)
    await office.tier.settle()
    office.on(date(2027, 3, 2))
    await office.rating.run_job("certificate expiry")
    await office.tier.settle()
    assert any(m.headers["ce_type"] == CertificateExpiring.event_type.encode()
               for m in office.tier.bus.log)
    for reader in (office.registry, traceability, catalog):
        assert [d.id async for d in find_all(reader.store, DEAD_LETTERS.name)] == []
