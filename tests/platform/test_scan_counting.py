"""Who a client is, and what one client can make of the scan counts.

- A client's address is its connection's: ``X-Forwarded-For`` is believed only from the
  proxies ``OCOP_TRUSTED_PROXIES`` names, so a forged header neither escapes the sign-in
  throttle nor poses as another device.
- One client scanning again and again is one shopper: its scans of a code count once per
  window, it never makes a genuine code "copied", and its made-up codes raise one
  low-confidence anomaly; a code copied onto goods sold in several places is still told,
  with its confidence, and only then are shoppers warned.
- The scan pages have a budget per client.

The whole platform on its embedded defaults, really served over HTTP by uvicorn as in
production (``server_config``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from shared.platform.config import Settings
from tests.platform.test_scan_analytics import PHONES
from tests.support.batches import GTIN, PASSWORD, batch_body, code_of
from tests.support.clocks import today
from tests.support.platform import User, certified_batch, running_platform
from tests.support.platform import office_signed_in as signed_in

COPY_WARNING = "có thể bị sao chép"
"""The scan page's warning that a code may have been copied (Vietnamese, its default)."""
UNLIMITED = {"rate_limit": "100000/second", "scan_rate_limit": "100000/second"}
"""For tests that send many requests from one client on purpose."""


@dataclass(frozen=True)
class Printed:
    office: User
    producer: User
    member: User
    product_id: str
    batch_id: str
    serials: list[str]

    def unit(self, n: int) -> str:
        return f"/01/{GTIN}/10/TC-31/21/{self.serials[n]}"


@contextlib.asynccontextmanager
async def printed(settings: Settings) -> AsyncIterator[Printed]:
    """The platform with a certified product whose batch TC-31 has four serial labels."""
    async with signed_in(settings, PASSWORD) as office:
        made = await certified_batch(office, PASSWORD, GTIN,
                                     batch_body("TC-31", today() - timedelta(days=3)))
        coop, product_id, batch = made.coop, made.product_id, made.batch
        sheet = await coop.producer.call(
            "POST", "traceability", f"/batches/{batch['id']}/label-sheets", expect=202,
            json={"count": 4})
        codes = await coop.producer.call("GET", "traceability",
                                         f"/label-sheets/{sheet['id']}/codes.csv")
        serials = [line.split(",")[0] for line in codes.text.splitlines()[1:]]
        yield Printed(office, coop.producer, coop.member, product_id, batch["id"], serials)


async def scan(shopper: User, path: str, *, phone: str = PHONES[0],
               forwarded_for: str | None = None, expect: int = 200) -> str:
    """A shopper's phone opening a scan page; the page's text."""
    headers = {"User-Agent": phone} | ({"X-Forwarded-For": forwarded_for}
                                       if forwarded_for else {})
    response = await shopper.client.get(shopper.urls["traceability"] + path, headers=headers,
                                        follow_redirects=True)  # to the scan page
    assert response.status_code == expect, (path, response.status_code, response.text[:300])
    return response.text


async def anomalies(world: Printed) -> list[dict[str, object]]:
    return list((await world.producer.call("GET", "traceability", "/anomalies"))["items"])


@pytest.mark.parametrize("trusted", [False, True], ids=["no-proxy", "behind-proxy"])
async def test_a_forwarded_address_is_believed_only_from_a_configured_proxy(
        make_settings: Callable[..., Settings], trusted: bool) -> None:
    """The test's own address as the proxy: five scans naming five networks are five
    phones only behind it (a copied code, with high confidence: the shopper is warned), and
    so are six failed sign-ins naming six addresses."""
    settings = make_settings(allow_private_scan_url=True,
                             trusted_proxies=["127.0.0.1"] if trusted else [])
    async with printed(settings) as world:
        shopper = world.office.anonymous()
        for n in range(5):
            await scan(shopper, world.unit(0), forwarded_for=f"203.0.{113 + n}.7")
        page = await scan(shopper, world.unit(0), forwarded_for="198.51.100.9")
        found = await anomalies(world)
        if trusted:
            [copied] = found
            assert (copied["kind"], copied["devices"], copied["networks"], copied["scans"],
                    copied["confidence"]) == ("copied_serial", 5, 5, 6, "high")
            assert COPY_WARNING in page
        else:
            assert found == [], found
            assert COPY_WARNING not in page and "Lượt quét: 1 " in page

        token_url = shopper.urls["registry"] + "/auth/token"
        for n in range(6):
            wrong = await shopper.client.post(token_url, headers={
                "X-Forwarded-For": f"192.0.2.{n + 1}"}, json={"username": "member",
                                                             "password": "guess-guess"})
            assert wrong.status_code == 401, wrong.text
        right = await shopper.client.post(token_url, headers={
            "X-Forwarded-For": "192.0.2.200"}, json={"username": "member",
                                                    "password": PASSWORD})
        assert right.status_code == (200 if trusted else 429), right.text


async def test_an_honest_buyer_scanning_twice_is_not_warned(
        make_settings: Callable[..., Settings]) -> None:
    async with printed(make_settings(allow_private_scan_url=True)) as world:
        shopper = world.office.anonymous()
        first = await scan(shopper, world.unit(1))
        again = await scan(shopper, world.unit(1))
        assert "Lượt quét: 1 " in first and "Lượt quét: 1 " in again
        assert COPY_WARNING not in again
        as_json = await shopper.call("GET", "traceability", world.unit(1),
                                     params={"format": "json"},
                                     headers={"User-Agent": PHONES[0]})
        assert as_json["unit"]["scans"] == 1 and as_json["unit"]["may_be_copied"] is False


async def test_one_client_asking_again_and_again_never_makes_a_genuine_code_copied(
        make_settings: Callable[..., Settings]) -> None:
    async with printed(make_settings(allow_private_scan_url=True, **UNLIMITED)) as world:
        shopper = world.office.anonymous()
        for _ in range(31):
            page = await scan(shopper, world.unit(0))
        assert COPY_WARNING not in page and "Lượt quét: 1 " in page
        assert await anomalies(world) == []
        # One client changing its browser's name is still one network: an anomaly the
        # producer sees, of low confidence, and no warning to shoppers.
        for phone in PHONES[1:]:
            page = await scan(shopper, world.unit(0), phone=phone)
        [copied] = await anomalies(world)
        assert (copied["kind"], copied["devices"], copied["networks"], copied["scans"],
                copied["confidence"]) == ("copied_serial", 5, 1, 5, "low")
        assert COPY_WARNING not in page


async def test_page_loads_from_one_client_count_once(
        make_settings: Callable[..., Settings]) -> None:
    async with printed(make_settings(allow_private_scan_url=True, **UNLIMITED)) as world:
        shopper = world.office.anonymous()
        for _ in range(10):  # the product's page: from memory after the first
            await scan(shopper, f"/01/{GTIN}")
            await scan(shopper, f"/01/{GTIN}?lang=en")
            await scan(shopper, f"/01/{GTIN}/10/TC-31")
        await scan(shopper, f"/01/{GTIN}", phone=PHONES[1])  # another phone
        report = await world.producer.call("GET", "traceability",
                                           f"/products/{world.product_id}/scans")
        assert report["total"]["scans"] == 3, report["total"]
        assert sorted((b["lot"] or "", b["scans"]) for b in report["batches"]) == [
            ("", 2), ("TC-31", 1)]


@pytest.mark.long
async def test_made_up_codes_from_one_client_raise_one_low_confidence_anomaly(
        make_settings: Callable[..., Settings]) -> None:
    async with printed(make_settings(allow_private_scan_url=True, **UNLIMITED)) as world:
        shopper = world.office.anonymous()
        made_up = [f"/01/{GTIN}/10/TC-31/21/FAKE{n:012d}" for n in range(1000)]
        for start in range(0, len(made_up), 10):
            await asyncio.gather(*(scan(shopper, path, expect=404)
                                   for path in made_up[start:start + 10]))
        await scan(shopper, f"/01/{GTIN}/10/NOPE-9", expect=404)
        [forged] = await anomalies(world)
        assert (forged["kind"], forged["scans"], forged["devices"], forged["networks"],
                forged["confidence"]) == ("unknown_serial", 1, 1, 1, "low")
        assert len(forged["codes"]) == 1 and forged["codes"][0].startswith("FAKE")
        # Another phone scanning a forged label is another shopper's scan.
        await scan(shopper, made_up[1], phone=PHONES[1], expect=404)
        [forged] = await anomalies(world)
        assert (forged["scans"], forged["devices"]) == (2, 2)


async def test_scan_pages_have_a_budget_per_client(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(scan_rate_limit="5/minute")
    async with running_platform(settings, shared_bus=True) as platform, \
            httpx.AsyncClient(timeout=30) as client, httpx.AsyncClient(
                timeout=30, transport=httpx.AsyncHTTPTransport(local_address="127.0.0.2")
            ) as neighbour:
        shopper = User(platform.urls, client)
        nowhere = "/01/08930000000019"  # a GTIN of no product: each scan is answered
        for _ in range(5):
            await scan(shopper, nowhere, expect=404)
        refused = await client.get(platform.urls["traceability"] + nowhere)
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["retry-after"]) >= 1
        problem = refused.json()
        assert code_of(problem) == "rate-limited"
        assert "slow down" in problem["detail"] and "chậm lại" in problem["detail_vi"]
        # Another client (another address) scans; the first still reads what is not a
        # scan page.
        await scan(User(platform.urls, neighbour), nowhere, expect=404)
        resolver = await client.get(platform.urls["traceability"] + "/.well-known/gs1resolver")
        assert resolver.status_code == 200
