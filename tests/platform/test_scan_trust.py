"""What a shopper can trust on the scan page, and do about what they cannot.

- The page speaks the phone's language (``Accept-Language``) as the catalog does, Vietnamese
  by default, with a visible switch; the pages kept in memory are kept per language.
- A warning about a code the platform never printed names the product, says whom to tell
  (the province's OCOP office, ``OCOP_OFFICE_CONTACT``) and takes a report: a
  ``consumer_report`` anomaly the producer and the office see, once per client, code and
  day, and never a flood.
- The integrity check the page links to reads as a page in a browser (JSON for programs).
- The page links the certificate's verification page and the product's catalog page.
- Numbers and units are written the Vietnamese way on the Vietnamese page.

The whole platform on its embedded defaults, really served over HTTP, and the scan page in
a real Chromium at phone size."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import httpx

from shared.platform.config import Settings
from tests.platform.test_scan_counting import Printed, anomalies, printed
from tests.support.batches import GTIN, batch_body, harvest
from tests.support.clocks import today
from tests.support.demo import wait_until
from tests.support.platform import User, running_platform

PRODUCT = "Chè búp Tân Cương"
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}
VIETNAMESE = {"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.8"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CONTACT = "ĐT 0208 3856 123 · ocop@thainguyen.gov.vn"
FAKE = f"/01/{GTIN}/10/TC-31/21/FAKE00000001"


def trusting(make_settings: Callable[..., Settings], **more: object) -> Settings:
    return make_settings(allow_private_scan_url=True, office_contact=CONTACT, **more)


async def page(world: Printed, path: str, headers: dict[str, str], expect: int = 200
               ) -> httpx.Response:
    response = await world.office.anonymous().client.get(
        world.office.urls["traceability"] + path, headers=BROWSER | headers,
        follow_redirects=True)  # a Digital Link redirects to its scan page
    assert response.status_code == expect, (path, response.status_code, response.text[:300])
    return response


def report_form(html: str) -> tuple[str, dict[str, str]]:
    """The warning's report form: where it posts, and its fields."""
    found = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert found, "the warning offers no report form"
    return found[1], dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"',
                                     found[2]))


async def test_the_scan_page_speaks_the_phones_language_with_a_visible_switch(
        make_settings: Callable[..., Settings]) -> None:
    async with printed(trusting(make_settings)) as world:
        for path in (f"/01/{GTIN}", f"/01/{GTIN}/10/TC-31"):
            for _ in range(2):  # rendered, then sent from memory: each in its language
                english = await page(world, path, ENGLISH)
                vietnamese = await page(world, path, VIETNAMESE)
                unsaid = await page(world, path, {})
                assert 'lang="en"' in english.text and "Producer" in english.text
                assert 'lang="vi"' in vietnamese.text and "Chủ thể sản xuất" in vietnamese.text
                assert 'lang="vi"' in unsaid.text
                for answer in (english, vietnamese, unsaid):
                    assert "Accept-Language" in answer.headers["vary"], answer.headers
            # ?lang= (the switch's links) wins over the phone's language.
            chosen = await page(world, f"{path}?lang=vi", ENGLISH)
            assert 'lang="vi"' in chosen.text
            assert 'href="?lang=en"' in vietnamese.text and 'href="?lang=vi"' in english.text
        warning = await page(world, FAKE, ENGLISH, expect=404)
        assert 'lang="en"' in warning.text and "never printed" in warning.text


async def test_a_warning_names_the_product_says_whom_to_tell_and_takes_one_report(
        make_settings: Callable[..., Settings]) -> None:
    async with printed(trusting(make_settings)) as world:
        warning = await page(world, FAKE, VIETNAMESE, expect=404)
        for said in (PRODUCT, "FAKE00000001", "Văn phòng Điều phối OCOP — Thái Nguyên",
                     CONTACT, "Báo mã này là đáng ngờ"):
            assert said in warning.text, said
        lot_warning = await page(world, f"/01/{GTIN}/10/NOPE-9", ENGLISH, expect=404)
        assert PRODUCT in lot_warning.text and "NOPE-9" in lot_warning.text
        assert "Report this code" in lot_warning.text

        action, fields = report_form(warning.text)
        shopper = world.office.anonymous().client
        url = world.office.urls["traceability"] + action
        thanks = await shopper.post(url, data=fields)
        assert thanks.status_code == 200 and 'lang="vi"' in thanks.text
        assert "Cảm ơn bạn đã báo" in thanks.text and PRODUCT in thanks.text
        again = await shopper.post(url, data=fields)
        assert again.status_code == 200 and "đã được ghi nhận rồi" in again.text
        [reported] = [a for a in await anomalies(world) if a["kind"] == "consumer_report"]
        assert (reported["codes"], reported["scans"], reported["product_id"]) == (
            ["FAKE00000001"], 1, world.product_id)

        # In English, from the lot's warning; the office sees the reports too.
        action, fields = report_form(lot_warning.text)
        english = await shopper.post(url, data=fields)
        assert english.status_code == 200 and "Thank you for reporting" in english.text
        office_sees = await world.office.call("GET", "traceability", "/anomalies",
                                              params={"kind": "consumer_report"})
        [reported] = office_sees["items"]
        assert (sorted(reported["codes"]), reported["scans"]) == (["FAKE00000001", "NOPE-9"], 2)
        provinces = await world.office.call("GET", "traceability", "/anomalies/provinces")
        assert [(p["province"], p["consumer_report"]) for p in provinces] == [("Thái Nguyên", 1)]

        # One client's made-up codes: a few reports count, not a flood.
        for n in range(20):
            await shopper.post(url, data=fields | {"lot": "", "serial": f"MADE{n:04d}"})
        [reported] = [a for a in await anomalies(world) if a["kind"] == "consumer_report"]
        assert reported["scans"] == 5


async def test_reports_have_the_scan_pages_budget_per_client(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(scan_rate_limit="3/minute")
    async with running_platform(settings, shared_bus=True) as platform, \
            httpx.AsyncClient(timeout=30) as client:
        shopper = User(platform.urls, client)
        for _ in range(3):
            await shopper.call("POST", "traceability", "/reports", expect=404,
                               data={"product_id": "nowhere", "serial": "X1"})
        refused = await client.post(platform.urls["traceability"] + "/reports",
                                    data={"product_id": "nowhere", "serial": "X1"})
        assert refused.status_code == 429, refused.text


async def test_the_integrity_check_reads_as_a_page_in_a_browser(
        make_settings: Callable[..., Settings]) -> None:
    async with printed(trusting(make_settings)) as world:
        empty = await page(world, f"/batches/{world.batch_id}/verify", VIETNAMESE)
        assert "chưa có bản ghi nào" in empty.text and "nguyên vẹn" not in empty.text
        await world.producer.call("POST", "traceability", f"/batches/{world.batch_id}/events",
                                  expect=201, json=harvest(today() - timedelta(days=2)))
        scan = await page(world, f"/01/{GTIN}/10/TC-31", VIETNAMESE)
        [link] = re.findall(r'<a href="(/batches/[^"]+/verify[^"]*)">', scan.text)
        shown = await page(world, link.replace("&amp;", "&"), VIETNAMESE)
        assert shown.headers["content-type"].startswith("text/html")
        assert "Dữ liệu nguyên vẹn" in shown.text and "1 bản ghi của lô TC-31" in shown.text
        assert "Accept" in shown.headers["vary"]
        english = await page(world, f"/batches/{world.batch_id}/verify", ENGLISH)
        assert "The records are intact" in english.text and "TC-31 checked again: 1." in (
            english.text)
        # Programs still read the JSON.
        for accept in ({"Accept": "application/json"}, {}):
            answer = await world.office.anonymous().client.get(
                world.office.urls["traceability"] + f"/batches/{world.batch_id}/verify",
                headers=accept)
            assert (answer.json()["intact"], answer.json()["records"]) == (True, 1)


async def test_the_scan_page_links_the_certificate_and_the_catalog_page(
        make_settings: Callable[..., Settings]) -> None:
    async with printed(trusting(make_settings)) as world:
        catalog = world.office.urls["catalog"] + f"/products/{world.product_id}"

        async def linked() -> bool:
            return catalog in (await page(world, f"/01/{GTIN}", VIETNAMESE)).text

        await wait_until(linked, within=30, interval=0.2)
        vietnamese = await page(world, f"/01/{GTIN}", VIETNAMESE)
        [certificate] = re.findall(r'href="([^"]+/verify/[^"?]+)"', vietnamese.text)
        assert certificate.startswith(world.office.urls["rating"])
        verified = await world.office.anonymous().client.get(certificate)
        assert verified.status_code == 200 and PRODUCT in verified.text
        assert "Xem sản phẩm trên danh mục sản phẩm OCOP" in vietnamese.text
        english = await page(world, f"/01/{GTIN}", ENGLISH)
        assert f"{certificate}?lang=en" in english.text and f"{catalog}?lang=en" in english.text


async def test_numbers_and_units_are_written_the_vietnamese_way(
        make_settings: Callable[..., Settings]) -> None:
    async with printed(trusting(make_settings)) as world:
        body = batch_body("TC-77", today() - timedelta(days=3))
        body["quantity"] = 1200
        body["areas"][0]["hectares"] = 3.2
        await world.producer.call("POST", "traceability",
                                  f"/products/{world.product_id}/batches", expect=201, json=body)
        vietnamese = await page(world, f"/01/{GTIN}/10/TC-77", VIETNAMESE)
        for said in ("1.200&nbsp;kg", "(3,2&nbsp;ha)", "VietGAP VietGAP-TT-18-07-19-0012"):
            assert said in vietnamese.text, said
        assert "VIETGAP" not in vietnamese.text
        english = await page(world, f"/01/{GTIN}/10/TC-77", ENGLISH)
        assert "1,200&nbsp;kg" in english.text and "(3.2&nbsp;ha)" in english.text


