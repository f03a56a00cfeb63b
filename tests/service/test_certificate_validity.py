"""How long a certificate is in force and what happens after: 36 months from its decision
less a day (on month ends and 29 February too), expired from the next day — which starts at
midnight in Việt Nam, while UTC is still on the last valid day — by the hourly sweep, and
read as expired by every service before the sweep has run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.catalog.listings.queries import Catalog
from services.rating.certificates.model import Certificate
from services.rating.store import certificates, recognitions
from services.traceability.origin.commands import Origin
from services.traceability.origin.forms import BatchIn
from shared.messaging.contracts.rating import CertificateExpired, ProductCertified
from shared.ocop.validity import CertificateStatus
from shared.refusals import Conflict, NotFound
from tests.support.clocks import FixedClock
from tests.support.refusals import refused
from tests.support.service_stories import OFFICE, Office
from tests.support.service_tier import Running

VALIDITY = [  # decided on, last valid day
    (date(2026, 1, 31), date(2029, 1, 30)),
    (date(2026, 4, 30), date(2029, 4, 29)),
    (date(2026, 12, 31), date(2029, 12, 30)),
    (date(2028, 2, 29), date(2031, 2, 27)),  # 36 months on is 28 Feb: 2031 has no 29th
    (date(2028, 1, 1), date(2030, 12, 31)),  # expires on New Year's Day 2031
]
DAY = timedelta(days=1)


def named(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def midnight_in_viet_nam(day: date) -> datetime:
    """The instant ``day`` begins in Việt Nam: 17:00 UTC the day before."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=7)


@pytest.mark.parametrize(("decided_on", "last_day"), VALIDITY, ids=named)
async def test_a_certificate_is_in_force_36_months_less_a_day_from_its_decision(
        office: Office, decided_on: date, last_day: date) -> None:
    certificate = await office.certified(decided_on)
    stored = await certificates.get(office.rating.store, certificate.id)
    assert (stored.valid_from, stored.valid_until) == (decided_on, last_day)
    (certified,) = await office.rating.outbox()
    assert certified.type == ProductCertified.event_type
    assert (certified.data["valid_from"], certified.data["valid_until"]) == (
        decided_on.isoformat(), last_day.isoformat())


@pytest.mark.parametrize(("decided_on", "last_day"), VALIDITY, ids=named)
async def test_the_sweep_expires_a_certificate_the_day_after_its_last_valid_day(
        office: Office, decided_on: date, last_day: date) -> None:
    certificate = await office.certified(decided_on)
    await office.tier.settle()
    sweep = office.certificates.expire_due

    assert await sweep(last_day) == 0
    assert await office.rating.outbox() == []
    assert await sweep(last_day + DAY) == 1
    (expired,) = await office.rating.outbox()
    assert expired.type == CertificateExpired.event_type
    assert expired.aggregate_id == certificate.product_id
    assert expired.data["expired_on"] == (last_day + DAY).isoformat()
    assert expired.sequence == 2  # after the product's certification
    stored = await certificates.get(office.rating.store, certificate.id)
    assert (stored.status, stored.expired_on) == (CertificateStatus.EXPIRED, last_day + DAY)
    recognition = await recognitions.get(office.rating.store, certificate.product_id)
    assert recognition.certificate_id is None
    await office.tier.settle()
    assert await sweep(last_day + 2 * DAY) == 0  # once


@pytest.mark.parametrize(("decided_on", "last_day"), [
    (date(2027, 1, 1), date(2029, 12, 31)),
    (date(2028, 1, 1), date(2030, 12, 31)),
], ids=named)
async def test_the_hourly_sweep_expires_at_midnight_in_viet_nam_while_utc_is_on_the_last_day(
        office: Office, clock: FixedClock, decided_on: date, last_day: date) -> None:
    certificate = await office.certified(decided_on)
    await office.tier.settle()
    standing = office.certificates.standing

    clock.instant = midnight_in_viet_nam(last_day + DAY) - timedelta(minutes=1)
    assert (await standing(certificate.id)).status is CertificateStatus.ACTIVE
    assert await office.rating.run_job("certificate expiry") == 0

    clock.instant = midnight_in_viet_nam(last_day + DAY) + timedelta(minutes=30)
    assert clock.now().date() == last_day  # in UTC, still its last valid day
    assert (await standing(certificate.id)).status is CertificateStatus.EXPIRED  # unswept
    assert await office.rating.run_job("certificate expiry") == 1
    (expired,) = [e for e in await office.rating.outbox()  # beside its last month's reminder
                  if e.type == CertificateExpired.event_type]
    assert expired.data["expired_on"] == (last_day + DAY).isoformat()


async def certified_everywhere(office: Office, decided_on: date) -> Certificate:
    """A certificate whose product traceability and the catalog have heard of."""
    certificate = await office.certified(decided_on)
    await office.tier.settle()
    return certificate


@pytest.mark.parametrize(("decided_on", "last_day"), VALIDITY, ids=named)
async def test_the_catalog_lists_a_product_through_its_last_valid_day_in_viet_nam(
        office: Office, catalog: Running, clock: FixedClock, decided_on: date,
        last_day: date) -> None:
    certificate = await certified_everywhere(office, decided_on)
    listings = catalog.part(Catalog)

    clock.instant = midnight_in_viet_nam(last_day + DAY) - timedelta(minutes=1)
    assert (await listings.listing(certificate.product_id)).valid_until == last_day
    clock.instant = midnight_in_viet_nam(last_day + DAY)
    with refused(NotFound, "not-listed"):  # before any expiry event
        await listings.listing(certificate.product_id)
    found, _ = await listings.search(q=None, stars=None, group=None, province=None,
                                     sort="name", limit=10, after=None)
    assert found == []


@pytest.mark.parametrize(("decided_on", "last_day"), VALIDITY, ids=named)
async def test_batches_are_opened_through_the_last_valid_day_in_viet_nam(
        office: Office, traceability: Running, clock: FixedClock, decided_on: date,
        last_day: date) -> None:
    certificate = await certified_everywhere(office, decided_on)
    origin = traceability.part(Origin)

    def batch(lot: str) -> BatchIn:
        return BatchIn(lot=lot, produced_on=decided_on, quantity=100, unit="KGM")

    clock.instant = midnight_in_viet_nam(last_day + DAY) - timedelta(minutes=1)
    opened = await origin.open_batch(OFFICE, certificate.product_id, batch("L1"))
    assert opened.lot == "L1"
    clock.instant = midnight_in_viet_nam(last_day + DAY)
    with refused(Conflict, "certificate-expired"):  # before any expiry event
        await origin.open_batch(OFFICE, certificate.product_id, batch("L2"))

