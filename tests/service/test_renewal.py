"""Re-recognition (công nhận lại) is decided while the certificate is in force: up to its
last valid day in Việt Nam, never the day after, never dated after today; the new
certificate runs 36 months from the renewal, and its level is the one of the renewal's
date (a district's 3★ is renewed by the province after 5 July 2025)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.rating.certificates.model import Certificate
from services.rating.evaluations.rules import Level
from services.rating.store import certificates, recognitions
from shared.messaging.contracts.rating import CertificateRenewed
from shared.ocop.validity import CertificateStatus
from shared.refusals import BadRequest, Conflict
from tests.support.clocks import FixedClock
from tests.support.refusals import refused
from tests.support.service_stories import OFFICE, Office

DAY = timedelta(days=1)


def named(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


async def renew(office: Office, certificate: Certificate, decided_on: date | None,
                level: Level | None = None) -> Certificate:
    return await office.certificates.renew(OFFICE, certificate.id,
                                           decision_number="30/QĐ-UBND",
                                           decision_date=decided_on, level=level)


@pytest.mark.parametrize(("decided_on", "last_day", "renewed_until"), [
    (date(2026, 1, 31), date(2029, 1, 30), date(2032, 1, 29)),
    (date(2026, 4, 30), date(2029, 4, 29), date(2032, 4, 28)),
    (date(2028, 2, 29), date(2031, 2, 27), date(2034, 2, 26)),
], ids=named)
async def test_a_renewal_on_the_last_valid_day_replaces_the_certificate_for_36_months(
        office: Office, decided_on: date, last_day: date, renewed_until: date) -> None:
    held = await office.certified(decided_on)
    await office.tier.settle()
    office.on(last_day)
    renewed = await renew(office, held, last_day)

    assert (renewed.valid_from, renewed.valid_until) == (last_day, renewed_until)
    old = await certificates.get(office.rating.store, held.id)
    assert old.status is CertificateStatus.SUPERSEDED
    recognition = await recognitions.get(office.rating.store, held.product_id)
    assert recognition.certificate_id == renewed.id
    (event,) = await office.rating.outbox()
    assert event.type == CertificateRenewed.event_type
    assert (event.sequence, event.data["valid_until"]) == (2, renewed_until.isoformat())
    assert await office.certificates.expire_due(last_day + DAY) == 0  # nothing to expire


async def test_a_renewal_the_day_after_the_last_valid_day_is_refused_even_unswept(
        office: Office) -> None:
    held = await office.certified(date(2026, 4, 30))
    await office.tier.settle()
    office.on(date(2029, 4, 30))
    with refused(BadRequest, "renewal-too-late"):
        await renew(office, held, date(2029, 4, 30))
    assert await office.rating.outbox() == []
    await office.certificates.expire_due(date(2029, 4, 30))
    await office.tier.settle()
    with refused(Conflict, "not-active"):  # once swept, it is no longer in force at all
        await renew(office, held, date(2029, 4, 29))


@pytest.mark.parametrize("last_day", [date(2029, 12, 31), date(2030, 12, 31)], ids=named)
async def test_a_renewal_of_today_is_decided_up_to_midnight_in_viet_nam(
        office: Office, clock: FixedClock, last_day: date) -> None:
    held = await office.certified(date(last_day.year - 2, 1, 1))
    assert held.valid_until == last_day
    other = await office.certified(date(last_day.year - 2, 1, 1))
    await office.tier.settle()

    clock.instant = datetime(last_day.year, 12, 31, 16, 59, tzinfo=UTC)  # 23:59 in Hà Nội
    with refused(BadRequest, "invalid-date"):
        await renew(office, held, last_day + DAY)
    renewed = await renew(office, held, None)
    assert renewed.decision_date == last_day
    clock.instant = datetime(last_day.year, 12, 31, 17, 0, tzinfo=UTC)  # a new year there
    with refused(BadRequest, "renewal-too-late"):
        await renew(office, other, None)


@pytest.mark.parametrize(("renewed_on", "level"), [
    (date(2025, 7, 5), Level.DISTRICT), (date(2025, 7, 6), Level.PROVINCE)], ids=named)
async def test_a_3_star_certificate_is_renewed_at_the_level_of_the_renewal_date(
        office: Office, renewed_on: date, level: Level) -> None:
    held = await office.certified(date(2023, 3, 1), stars=3)
    assert held.level is Level.DISTRICT
    await office.tier.settle()
    office.on(renewed_on)
    if level is not Level.DISTRICT:
        with refused(BadRequest, "wrong-level"):
            await renew(office, held, renewed_on, Level.DISTRICT)
    renewed = await renew(office, held, renewed_on)
    assert renewed.level is level
    (event,) = await office.rating.outbox()
    assert event.data["level"] == level.value
