"""The scan page answered from memory stays live: two replicas of traceability on a real
Kafka-protocol broker (Tansu), one SQLite store, each keeping the product's page; the
revocation reaches only one of them through the consumer group, and the other hears of it
through the replicas' signal. Also: a kept page is counted as a scan, revalidates with its
ETag (304), and a unit's page (its own scan count) is never kept."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta

import httpx
import time_machine

from services.traceability.app import build
from services.traceability.scans.commands import Scanning
from services.traceability.scans.pages import ScanPages
from shared.messaging.contracts.rating import CertificateRevoked, ProductCertified
from shared.messaging.events.codec import encode
from shared.messaging.events.contracts import EventContract
from shared.messaging.events.envelope import Envelope
from shared.platform.config import Settings
from shared.platform.runtime import ServiceRuntime
from shared.ports.bus import open_bus
from tests.platform.test_scan_analytics import PHONES
from tests.support.clocks import SYSTEM_CLOCK
from tests.support.demo import wait_until
from tests.support.events import certified, revoked
from tests.support.tansu import TansuBroker

GTIN = "08934563138165"
PAGE = "/p/p1"
"""The product's scan page: its GTIN's default link (``/01/{GTIN}`` redirects there)."""


def envelope(event: EventContract, sequence: int) -> Envelope:
    return Envelope(type=event.event_type, source="/ocop/rating", aggregate_id="p1",
                    sequence=sequence, data=event.model_dump(mode="json"),
                    time=SYSTEM_CLOCK.now())


def certified_today(until: date | None = None) -> ProductCertified:
    """Certified a month ago, for 36 months (or ``until``), whatever the day the suite runs."""
    today = SYSTEM_CLOCK.today()
    since = date(today.year - 1 if today.month == 1 else today.year,
                 12 if today.month == 1 else today.month - 1, 1)
    until = until or date(since.year + 3, since.month, 1)
    return ProductCertified(**certified(valid_until=until).model_dump()
                            | {"valid_from": since, "decision_date": since})


def kept(runtime: ServiceRuntime, path: str = PAGE) -> bool:
    pages = runtime.parts[ScanPages]
    assert isinstance(pages, ScanPages)
    return pages.kept({"path": path, "raw_path": path.encode(), "query_string": b"",
                       "headers": [(b"accept", b"text/html")]}) is not None


async def test_a_revocation_shows_on_the_next_scan_of_every_replica(
        kafka_broker: TansuBroker, make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(bus_url=kafka_broker.url)
    replicas = [build(settings), build(settings)]
    clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=r.fastapi_app()),
                                 base_url="http://scan") for r in replicas]
    rating = open_bus(kafka_broker.url)
    for replica in replicas:
        await replica.start()
    await rating.start([ProductCertified.topic])
    try:
        await rating.publish([encode(envelope(certified_today(), 1), ProductCertified.topic)])

        async def both_show_it() -> bool:
            pages = [await client.get(PAGE) for client in clients]
            return all(p.status_code == 200 and "★★★★☆" in p.text for p in pages)

        await wait_until(both_show_it)
        for client in clients:  # rendered now that the label is issued too
            await client.get(PAGE)
        assert all(kept(replica) for replica in replicas)

        await rating.publish([encode(envelope(revoked(), 2), CertificateRevoked.topic)])

        async def both_say_revoked() -> bool:
            pages = [await client.get(PAGE) for client in clients]
            return all("KHÔNG còn là sản phẩm OCOP" in p.text and "★★★★☆" not in p.text
                       for p in pages)

        await wait_until(both_say_revoked, within=10)
    finally:
        for client in clients:
            await client.aclose()
        for replica in replicas:
            await replica.stop()
        await rating.stop()


@asynccontextmanager
async def certified_on_its_own(settings: Settings, certified_event: ProductCertified
                               ) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:
    """Traceability alone (in-process HTTP) holding one certified product."""
    runtime = build(settings)
    app = runtime.fastapi_app()
    await runtime.start()
    try:
        handler = runtime.consumer.handlers[ProductCertified.event_type][1]
        async with runtime.store.transaction() as tx:
            await handler(envelope(certified_event, 1), tx)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://scan") as client:
            yield runtime, client
    finally:
        await runtime.stop()


async def test_a_kept_page_is_counted_revalidated_and_a_units_page_is_never_kept(
        make_settings: Callable[..., Settings]) -> None:
    async with certified_on_its_own(make_settings(), certified_today()) as (runtime, client):
        # Four phones (a phone's scans of a page count once a while: test_scan_counting.py).
        first = await client.get(PAGE, headers={"Accept": "text/html",
                                                "User-Agent": PHONES[0]})
        assert first.status_code == 200 and kept(runtime)
        again = await client.get(PAGE, headers={"Accept": "text/html",
                                                "User-Agent": PHONES[1]})
        assert again.content == first.content
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["content-security-policy"].startswith("default-src 'none'")
        fresh = await client.get(PAGE, headers={"If-None-Match": first.headers["etag"],
                                                "Accept": "text/html",
                                                "User-Agent": PHONES[2]})
        assert fresh.status_code == 304 and fresh.content == b""
        as_json = await client.get(PAGE, params={"format": "json"},
                                   headers={"User-Agent": PHONES[3]})
        assert as_json.json()["ocop"]["stars"] == 4  # a kept page per format
        unit = await client.get(f"{PAGE}/10/L1/21/S1")
        assert unit.status_code == 404  # never printed: a warning, never kept
        assert not kept(runtime, f"{PAGE}/10/L1/21/S1")
        scanning = runtime.parts[Scanning]
        assert isinstance(scanning, Scanning)
        await scanning.flush()
        counted = await runtime.store.find("scan_days", {"product_id": "p1"})
        assert sum(day.data["scans"] for day in counted.items) == 4  # 304 included


async def test_a_kept_page_says_expired_the_day_after_the_last_valid_day(
        make_settings: Callable[..., Settings]) -> None:
    """No event comes when a certificate runs out at midnight (the expiry sweep is hourly):
    a page kept on its last valid day is not sent the next day."""
    today = SYSTEM_CLOCK.today()
    async with certified_on_its_own(make_settings(), certified_today(until=today)) as (
            runtime, client):
        last_day = await client.get(PAGE)
        assert "★★★★☆" in last_day.text and kept(runtime)
        with time_machine.travel(datetime.combine(today + timedelta(days=1), time(1),
                                                  tzinfo=UTC)):
            next_day = await client.get(PAGE)
    assert "KHÔNG còn là sản phẩm OCOP" in next_day.text
    assert "★★★★☆" not in next_day.text
