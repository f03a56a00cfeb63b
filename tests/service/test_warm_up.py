"""A started catalog warms up (issue 34): its search tables and indexes read whole into the
OS page cache and its first requests asked in-process, in the background, the service
unready until then; the catalog answers exactly as before, and takes writes after. With
``OCOP_CATALOG_WARM_UP_SECONDS=0`` there is no warm-up. How much faster the first searches
of a million listings are is bench/cold_start.py's to say, not a test's."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta

import httpx
import pytest

from services.catalog.app import WARM_UP
from services.catalog.listings.model import ListedCertificate, Listing, Producer
from services.catalog.listings.rules import ListingStatus, search_text
from services.catalog.store import LISTINGS, listings
from shared.i18n.text import fold
from shared.ocop.vocabulary import SubjectType
from shared.platform.config import Settings
from shared.platform.warm_up import WarmUp
from shared.ports.store.sqlite import SqliteDocumentStore
from shared.ports.store.sqlite_text import search_reads
from tests.support.clocks import FixedClock
from tests.support.service_tier import Running, ServiceTier

KINDS = ("Mật ong rừng", "Sầu riêng", "Nước mắm", "Chè búp", "Cà phê")
PROVINCES = ("Hà Nội", "Lâm Đồng", "Đắk Lắk")
SEARCHES = ("", "q=mat+ong", "q=sau&sort=-stars", "q=ca+phe&stars=5", "q=htx+7",
            "q=che&province=L%C3%A2m+%C4%90%E1%BB%93ng", "stars=4&group=food&sort=-certified",
            "sort=-stars&limit=7", "q=nuoc&sort=stars")
"""Public queries of every plan: pages, searches in a text order and in others, filters."""


def listing(n: int, today: date) -> Listing:
    name = f"{KINDS[n % len(KINDS)]} {n}"
    producer = Producer(f"subject-{n}", f"HTX {n}", SubjectType.COOPERATIVE)
    decided = today - timedelta(days=n % 300)
    province = PROVINCES[n % len(PROVINCES)]
    return Listing(
        id=f"product-{n:04d}", status=ListingStatus.LISTED, name=name, name_key=fold(name),
        search_text=search_text(name, producer.name), group="food", subgroup="tea",
        stars=3 + n % 3, producer=producer, province=province, province_key=fold(province),
        certificate=ListedCertificate(f"cert-{n}", f"{n}/GCN", "province", f"{n}/QĐ",
                                      decided, decided, decided + timedelta(days=1095)),
        valid_until=decided + timedelta(days=1095),
        certified_at=f"{decided.isoformat()}T08:00:00+00:00")


async def stored(catalog: Running, numbers: range, today: date) -> None:
    async with catalog.store.transaction() as tx:
        await tx.put_many(LISTINGS.name, {made.id: listings.dump(made)
                                          for made in (listing(n, today) for n in numbers)})


@pytest.fixture
def tier(make_settings: Callable[..., Settings], clock: FixedClock) -> ServiceTier:
    """The catalog with its warm-up on, as deployed (the suite turns it off elsewhere)."""
    return ServiceTier(make_settings(catalog_warm_up_seconds=120), clock)


@pytest.fixture
async def client(catalog: Running) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=catalog.runtime.fastapi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as made:
        await made.get("/healthz")  # as the orchestrator's probe: the app's layers are built
        yield made


async def answers(client: httpx.AsyncClient) -> dict[str, object]:
    found = {}
    for query in SEARCHES:
        response = await client.get(f"/listings?{query}")
        assert response.status_code == 200, response.text
        found[query] = response.json()
    return found


def warm_up_of(catalog: Running) -> WarmUp:
    job = catalog.runtime.job(WARM_UP)
    assert isinstance(getattr(job, "__self__", None), WarmUp)
    return job.__self__  # type: ignore[attr-defined]


async def test_the_warm_up_reads_every_search_table_and_leaves_the_answers_alone(
        catalog: Running, client: httpx.AsyncClient, clock: FixedClock,
        caplog: pytest.LogCaptureFixture) -> None:
    await stored(catalog, range(600), clock.today())
    before = await answers(client)
    assert all(page["items"] for page in before.values())  # type: ignore[index]
    unready = await catalog.runtime.readiness()
    assert not unready.ready and unready.status == "unready"
    assert (unready.checks[WARM_UP].error or "").startswith("Warming: reading the listings")

    with caplog.at_level(logging.INFO, logger="shared.platform.warm_up"):
        await catalog.run_job(WARM_UP)

    warm = warm_up_of(catalog)
    store = catalog.store
    assert isinstance(store, SqliteDocumentStore)
    every = [name for name, _ in search_reads(store.spec(LISTINGS.name),
                                              store.index_names(store.spec(LISTINGS.name)))]
    assert warm.read == every  # all read to their end: the fields, postings, indexes, rows
    assert {"listings__text_data", "listings__fields", "listings__words_by_name_key",
            "ix_listings_province_key_stars", "listings"} <= set(warm.read)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert (await catalog.runtime.readiness()).ready
    assert await answers(client) == before
    await catalog.run_job(WARM_UP)  # its later runs do nothing
    assert warm.read == every

    await stored(catalog, range(600, 610), clock.today())  # the store takes writes after
    page = (await client.get("/listings?q=htx+605")).json()
    assert [item["product_id"] for item in page["items"]] == ["product-0605"]


async def test_a_warm_up_out_of_time_stops_where_it_is(catalog: Running,
                                                      clock: FixedClock) -> None:
    await stored(catalog, range(600), clock.today())
    store = catalog.store
    assert isinstance(store, SqliteDocumentStore)
    every = [name for name, _ in search_reads(store.spec(LISTINGS.name),
                                              store.index_names(store.spec(LISTINGS.name)))]
    read = await store.warm(LISTINGS.name, seconds=0)
    assert read == every[:len(read)] and len(read) < len(every)


async def test_a_failed_warm_up_ends_and_the_service_is_ready(
        catalog: Running, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async def broken(collection: str, *, seconds: float) -> list[str]:
        raise OSError("disk gone")
    monkeypatch.setattr(catalog.store, "warm", broken)
    await catalog.run_job(WARM_UP)
    assert "warming up failed" in caplog.text
    assert (await catalog.runtime.readiness()).ready


async def test_no_warm_up_when_it_is_turned_off(
        make_settings: Callable[..., Settings], clock: FixedClock) -> None:
    tier = ServiceTier(make_settings(catalog_warm_up_seconds=0), clock)
    async with tier.running("catalog") as catalog:
        with pytest.raises(KeyError):
            catalog.runtime.job(WARM_UP)
        report = await catalog.runtime.readiness()
        assert report.ready and WARM_UP not in report.checks


async def test_the_warm_up_spends_no_clients_budget(
        make_settings: Callable[..., Settings], clock: FixedClock,
        caplog: pytest.LogCaptureFixture) -> None:
    tier = ServiceTier(make_settings(rate_limit="3/minute", catalog_warm_up_seconds=120),
                       clock)
    async with tier.running("catalog") as catalog:
        await stored(catalog, range(30), clock.today())
        transport = httpx.ASGITransport(app=catalog.runtime.fastapi_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as client:
            await client.get("/healthz")  # one of the three
            with caplog.at_level(logging.INFO, logger="shared.platform.warm_up"):
                await catalog.run_job(WARM_UP)  # five requests, from this same address
            assert "warmed up" in caplog.text and "answered" not in caplog.text
            assert [(await client.get("/listings?q=che")).status_code for _ in range(3)
                    ] == [200, 200, 429]
