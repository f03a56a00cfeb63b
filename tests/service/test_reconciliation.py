"""The read models reconcile with their sources (issue 34): a broker that loses events it
had accepted — a memory-only broker restarted while consumers lagged, here a lossy broker
that drops the events named — cannot leave a certified product unlisted, a revoked one
listed, or a scan page, the registry's word and the compacted listings stream wrong for
good.

Rating's reconciliation says each product's certification again at the sequence of its
latest event; the catalog, traceability and the registry apply it only where their inbox
had not seen that sequence, repair their read model and raise an alarm (a WARNING, a
record, a count at ``GET /operations/repairs``). A second run finds nothing to repair. The
catalog likewise says its listings stream again, so a lost record of the compacted topic
comes back."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import date, timedelta

import httpx
import pytest

from services.catalog.listings.queries import Catalog
from services.catalog.listings.rules import ListingStatus
from services.catalog.store import listings
from services.rating.certificates.model import Certificate
from services.rating.store import RECOGNITIONS
from services.registry.store import products
from services.registry.subjects.model import CertificationStatus
from services.traceability.store import profiles
from shared.identity.auth import TokenIssuer, signing_key
from shared.messaging.contracts.catalog import LISTING_EVENTS, ListingChanged
from shared.messaging.contracts.rating import (
    CertificateRestated,
    CertificateRevoked,
    ProductCertified,
)
from shared.messaging.events.codec import decode
from shared.messaging.reconciliation import Sweep, SweepRun
from shared.messaging.repairs import RepairsOut, repairs
from shared.ocop.validity import CertificateStatus
from shared.ports.bus import Message
from shared.ports.store import Document
from shared.refusals import NotFound
from tests.support.clocks import SYSTEM_CLOCK, FixedClock
from tests.support.service_stories import OFFICE, Office
from tests.support.service_tier import HandBus, Running, ServiceTier

DECIDED_ON = date(2026, 3, 2)
LOST = "the bus lost an event"


@contextlib.contextmanager
def lossy_broker(bus: HandBus, *lost_types: str) -> Iterator[list[str]]:
    """While open, the broker accepts and then loses every message of ``lost_types`` (the
    relay thinks them delivered); yields the subjects of those it lost."""
    publish, lost = bus.publish, []

    async def losing(messages: Sequence[Message]) -> None:
        kept = []
        for message in messages:
            envelope = decode(message)
            if envelope.type in lost_types:
                lost.append(envelope.aggregate_id)
            else:
                kept.append(message)
        await publish(kept)

    bus.publish = losing  # type: ignore[method-assign]
    try:
        yield lost
    finally:
        bus.publish = publish  # type: ignore[method-assign]


async def certification(office: Office, product_id: str) -> tuple[str, str] | None:
    """What the registry says of the product's certification: its certificate and status."""
    held = (await products.get(office.registry.store, product_id)).certification
    return (held["certificate_id"], held["status"]) if held else None


@pytest.fixture
async def platform(office: Office, traceability: Running, catalog: Running) -> Office:
    """Registry, rating, traceability and the catalog on one bus."""
    return office


async def reconcile(office: Office) -> None:
    """One run of rating's reconciliation, and everything it sets off delivered."""
    await office.rating.run_job("certificate reconciliation")
    await office.tier.settle()


async def listed(catalog: Running, product_id: str) -> bool:
    try:
        await catalog.part(Catalog).listing(product_id)
    except NotFound:
        return False
    return True


def repaired(found: RepairsOut) -> list[tuple[str, str, str]]:
    return sorted((r.kind, r.aggregate_id, r.change) for r in found.latest)


def warned(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records
                     if r.levelno == logging.WARNING and LOST in r.getMessage())


async def test_certified_products_a_lossy_broker_lost_are_listed_by_reconciliation_once(
        platform: Office, traceability: Running, catalog: Running,
        caplog: pytest.LogCaptureFixture) -> None:
    heard = await platform.certified(DECIDED_ON)
    await platform.tier.settle()
    with lossy_broker(platform.tier.bus, ProductCertified.event_type) as lost:
        missed: list[Certificate] = [await platform.certified(DECIDED_ON) for _ in range(2)]
        await platform.tier.settle()
    assert sorted(lost) == sorted(c.product_id for c in missed)
    assert await listed(catalog, heard.product_id)
    assert not any([await listed(catalog, c.product_id) for c in missed])
    assert await repairs(catalog.store) == RepairsOut(total=0, latest=[])

    caplog.set_level(logging.WARNING)
    await reconcile(platform)

    for certificate in missed:
        assert await listed(catalog, certificate.product_id)
        listing = await listings.get(catalog.store, certificate.product_id)
        assert listing.certificate and listing.certificate.id == certificate.id
        assert listing.scan_url  # its label, issued by traceability on the repair
        profile = await profiles.get(traceability.store, certificate.product_id)
        assert profile.certificate and profile.certificate.id == certificate.id
    for certificate in missed:
        assert await certification(platform, certificate.product_id) == (
            certificate.id, CertificationStatus.CERTIFIED)
    ids = sorted(c.product_id for c in missed)
    assert repaired(await repairs(catalog.store)) == [("listing", i, "listed") for i in ids]
    assert repaired(await repairs(platform.registry.store)) == [
        ("product", i, "certified") for i in ids]
    assert repaired(await repairs(traceability.store)) == [
        ("profile", i, "certificate-shown") for i in ids]
    found = await repairs(catalog.store)
    assert found.total == 2
    assert {r.event_type for r in found.latest} == {CertificateRestated.event_type}
    log = warned(caplog)
    assert all(f"catalog: reconciliation repaired listing {i}" in log for i in ids), log
    assert all(f"traceability: reconciliation repaired profile {i}" in log for i in ids), log
    assert heard.product_id not in log

    # A second run says the same again at the same sequences: nothing changes, no alarm.
    caplog.clear()
    versions = {c.product_id: (await listings.get(catalog.store, c.product_id)).version
                for c in (heard, *missed)}
    stream_before = len(platform.tier.bus.log)
    await reconcile(platform)
    assert {c.product_id: (await listings.get(catalog.store, c.product_id)).version
            for c in (heard, *missed)} == versions
    assert (await repairs(catalog.store)).total == 2
    assert (await repairs(traceability.store)).total == 2
    assert (await repairs(platform.registry.store)).total == 2
    said_again = [decode(m).type for m in platform.tier.bus.log[stream_before:]]
    assert said_again == [CertificateRestated.event_type] * 3  # and nothing in reply
    assert warned(caplog) == ""


async def test_a_revocation_a_lossy_broker_lost_delists_the_product_on_reconciliation(
        platform: Office, traceability: Running, catalog: Running) -> None:
    certificate = await platform.certified(DECIDED_ON)
    await platform.tier.settle()
    assert await listed(catalog, certificate.product_id)
    with lossy_broker(platform.tier.bus, CertificateRevoked.event_type) as lost:
        await platform.certificates.revoke(OFFICE, certificate.id, "Vi phạm an toàn thực phẩm")
        await platform.tier.settle()
    assert lost == [certificate.product_id]
    assert await listed(catalog, certificate.product_id)

    stream_before = len(platform.tier.bus.log)
    await reconcile(platform)

    assert not await listed(catalog, certificate.product_id)
    listing = await listings.get(catalog.store, certificate.product_id)
    assert (listing.status, listing.delisted_reason, listing.delisted_on) == (
        ListingStatus.DELISTED, "revoked", DECIDED_ON)
    withdrawn = [decode(m) for m in platform.tier.bus.log[stream_before:]
                 if m.topic == ListingChanged.topic]
    assert [e.type for e in withdrawn] == ["vn.ocop.catalog.listing.withdrawn.v1"]
    profile = await profiles.get(traceability.store, certificate.product_id)
    assert profile.certificate and profile.certificate.status is CertificateStatus.REVOKED
    assert profile.certificate.revocation_reason == "Vi phạm an toàn thực phẩm"
    assert repaired(await repairs(catalog.store)) == [
        ("listing", certificate.product_id, "delisted")]
    assert repaired(await repairs(traceability.store)) == [
        ("profile", certificate.product_id, "certificate-ended")]
    assert await certification(platform, certificate.product_id) == (
        certificate.id, CertificationStatus.REVOKED)
    assert repaired(await repairs(platform.registry.store)) == [
        ("product", certificate.product_id, "certification-ended")]

    await reconcile(platform)
    assert (await repairs(catalog.store)).total == 1
    assert (await repairs(traceability.store)).total == 1
    assert (await repairs(platform.registry.store)).total == 1


async def test_a_listings_stream_record_a_lossy_broker_lost_comes_back_on_reconciliation(
        platform: Office, traceability: Running, catalog: Running) -> None:
    with lossy_broker(platform.tier.bus, *(c.event_type for c in LISTING_EVENTS)) as lost:
        certificate = await platform.certified(DECIDED_ON)
        await platform.tier.settle()
    assert certificate.product_id in lost
    profile = await profiles.get(traceability.store, certificate.product_id)
    assert profile.catalog_url is None  # the scan page does not link the catalog's page

    await catalog.run_job("listings reconciliation")
    await platform.tier.settle()

    profile = await profiles.get(traceability.store, certificate.product_id)
    assert profile.catalog_url and profile.catalog_url.endswith(
        f"/products/{certificate.product_id}")
    listing = await listings.get(catalog.store, certificate.product_id)
    assert profile.listing_version == listing.version
    # Again: traceability's inbox holds that version, so nothing is applied.
    await catalog.run_job("listings reconciliation")
    await platform.tier.settle()
    assert (await profiles.get(traceability.store, certificate.product_id)).version == \
        profile.version


@pytest.fixture
async def office_api(tier: ServiceTier, registry: Running, catalog: Running,
                     traceability: Running) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    token = TokenIssuer(signing_key(tier.settings), timedelta(hours=1),
                        SYSTEM_CLOCK).issue(OFFICE).token
    async with contextlib.AsyncExitStack() as stack:
        yield {service.runtime.name: await stack.enter_async_context(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=service.runtime.fastapi_app()),
            base_url=f"http://{service.runtime.name}",
            headers={"Authorization": f"Bearer {token}"}))
            for service in (registry, catalog, traceability)}


async def test_operators_read_the_repairs_and_their_count_over_http(
        platform: Office, office_api: dict[str, httpx.AsyncClient]) -> None:
    for client in office_api.values():
        empty = await client.get("/operations/repairs")
        assert empty.status_code == 200 and empty.json() == {"total": 0, "latest": []}
    with lossy_broker(platform.tier.bus, ProductCertified.event_type):
        certificate = await platform.certified(DECIDED_ON)
        await platform.tier.settle()
    await reconcile(platform)

    for name, kind, change in (("registry", "product", "certified"),
                               ("catalog", "listing", "listed"),
                               ("traceability", "profile", "certificate-shown")):
        answer = await office_api[name].get("/operations/repairs")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["total"] == 1
        (repair,) = body["latest"]
        assert (repair["kind"], repair["aggregate_id"], repair["change"]) == (
            kind, certificate.product_id, change)
        assert (repair["event_type"], repair["event_subject"]) == (
            CertificateRestated.event_type, certificate.product_id)
        anonymous = await office_api[name].get("/operations/repairs",
                                               headers={"Authorization": ""})
        assert anonymous.status_code == 401, anonymous.text


async def test_a_sweep_takes_a_slice_a_run_and_goes_on_from_where_it_stopped(
        rating: Running, clock: FixedClock) -> None:
    """A million certificates are covered over many runs: each takes ``size`` in id order,
    keeps its place in the store, and after the last starts again from the first."""
    async with rating.store.transaction() as tx:
        for n in range(5):
            await tx.put(RECOGNITIONS.name, f"p{n}", {"certificate_id": None})
    seen: list[str] = []

    async def restate(docs: Sequence[Document]) -> int:
        seen.extend(doc.id for doc in docs)
        return sum(doc.id != "p1" for doc in docs)

    sweep = Sweep("test", RECOGNITIONS.name, 2, clock)
    runs = [await sweep.run(rating.store, restate) for _ in range(4)]
    assert seen == ["p0", "p1", "p2", "p3", "p4", "p0", "p1"]
    assert runs == [SweepRun(2, 1, False), SweepRun(2, 2, False), SweepRun(1, 1, True),
                    SweepRun(2, 1, False)]
    again = Sweep("test", RECOGNITIONS.name, 2, clock)  # another replica, or a restart
    await again.run(rating.store, restate)
    assert seen[-2:] == ["p2", "p3"]
