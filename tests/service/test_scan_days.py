"""Scans are counted on the day in Việt Nam: a scan at 17:30 UTC is the next day's there,
a device's daily allowance of scans starts again at midnight in Hà Nội, and forged codes
are gathered per day there."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from services.traceability.profiles.model import TraceProfile
from services.traceability.reactions import Traceability
from services.traceability.scans.commands import Scanning
from services.traceability.scans.model import ScanDay
from services.traceability.scans.queries import ScanFigures
from services.traceability.store import anomalies, scan_days
from shared.messaging.contracts.traceability import ScanAnomalyDetected
from tests.support.clocks import FixedClock
from tests.support.service_stories import Office
from tests.support.service_tier import Running

DAY = timedelta(days=1)
PHONE = ("203.113.7.20", "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126 "
                         "Mobile Safari/537.36")
SCAN_DAYS = [  # the instant, the day it counts on
    (datetime(2026, 12, 31, 16, 59, tzinfo=UTC), date(2026, 12, 31)),
    (datetime(2026, 12, 31, 17, 30, tzinfo=UTC), date(2027, 1, 1)),
    (datetime(2028, 2, 28, 17, 30, tzinfo=UTC), date(2028, 2, 29)),
    (datetime(2030, 12, 31, 17, 30, tzinfo=UTC), date(2031, 1, 1)),
]


def named(value: object) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


async def scanned_product(office: Office, traceability: Running, decided_on: date
                          ) -> TraceProfile:
    """A product certified on ``decided_on``, as its scan page knows it."""
    certificate = await office.certified(decided_on)
    await office.tier.settle()
    profile = await traceability.part(Traceability).profile(certificate.product_id)
    assert profile is not None
    return profile


async def scan(scanning: Scanning, profile: TraceProfile, lot: str | None = None) -> None:
    """A shopper's phone opens the product's (or a lot's) scan page."""
    await scanning.asked(profile, lot, None, scanning.visit(*PHONE, counts=True))


@pytest.mark.parametrize(("instant", "counted_on"), SCAN_DAYS, ids=named)
async def test_a_scan_counts_on_its_day_in_viet_nam(
        office: Office, traceability: Running, clock: FixedClock, instant: datetime,
        counted_on: date) -> None:
    profile = await scanned_product(office, traceability, date(counted_on.year - 1, 6, 1))
    scanning = traceability.part(Scanning)
    clock.instant = instant
    await scan(scanning, profile)
    await scanning.flush()

    counted = await scan_days.get(traceability.store, ScanDay.key(profile.id, None, counted_on))
    assert counted.scans == 1
    figures = traceability.part(ScanFigures)
    report = (await figures.product_scans(profile.id, counted_on - DAY, counted_on + DAY)).report
    assert [(day, counts.scans) for day, counts in report.days] == [
        (counted_on - DAY, 0), (counted_on, 1), (counted_on + DAY, 0)]


@pytest.mark.parametrize("year", [2027, 2031])
async def test_a_devices_daily_scans_start_again_at_midnight_in_viet_nam(
        office: Office, traceability: Running, clock: FixedClock, year: int) -> None:
    profile = await scanned_product(office, traceability, date(year - 1, 6, 1))
    scanning = traceability.part(Scanning)
    for hour in (13, 14, 15, 16):  # 20:00 to 23:00 on 31 December in Hà Nội
        clock.instant = datetime(year - 1, 12, 31, hour, tzinfo=UTC)
        await scan(scanning, profile)
    clock.instant = datetime(year - 1, 12, 31, 17, 5, tzinfo=UTC)  # 00:05 on New Year's Day
    await scan(scanning, profile)
    await scanning.flush()

    report = (await traceability.part(ScanFigures).product_scans(
        profile.id, date(year - 1, 12, 31), date(year, 1, 1))).report
    assert [(day, counts.scans) for day, counts in report.days] == [
        (date(year - 1, 12, 31), 3), (date(year, 1, 1), 1)]  # three a day per device


@pytest.mark.parametrize(("instant", "counted_on"), SCAN_DAYS, ids=named)
async def test_forged_lots_are_gathered_per_day_in_viet_nam(
        office: Office, traceability: Running, clock: FixedClock, instant: datetime,
        counted_on: date) -> None:
    profile = await scanned_product(office, traceability, date(counted_on.year - 1, 6, 1))
    scanning = traceability.part(Scanning)
    clock.instant = instant
    await scan(scanning, profile, lot="FAKE-1")

    (anomaly,) = await anomalies.find(traceability.store, {"product_id": profile.id})
    assert anomaly.day == counted_on.isoformat()
    (detected,) = [e for e in await traceability.outbox()
                   if e.type == ScanAnomalyDetected.event_type]
    assert detected.data["day"] == counted_on.isoformat()


async def test_a_report_read_while_the_job_writes_the_counts_waits_for_them(
        office: Office, traceability: Running, clock: FixedClock) -> None:
    """The job's flush takes the counts from memory and is still writing them when a report
    asks: the report's own flush waits for it, and reads them."""
    profile = await scanned_product(office, traceability, date(2026, 6, 1))
    scanning = traceability.part(Scanning)
    clock.instant = datetime(2027, 3, 2, 3, tzinfo=UTC)
    await scan(scanning, profile)
    job = asyncio.create_task(scanning.flush())
    await asyncio.sleep(0)  # the job has drained the counts and is writing them
    report = (await traceability.part(ScanFigures).product_scans(
        profile.id, date(2027, 3, 2), date(2027, 3, 2))).report
    await job
    assert [(day, counts.scans) for day, counts in report.days] == [(date(2027, 3, 2), 1)]
