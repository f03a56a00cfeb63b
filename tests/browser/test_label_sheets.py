"""A producer prints its batch's labels — one serial per unit, or the batch's own code — as
an A4 PDF drawn in the background; a shopper's phone reads each printed code, and the scan
page tells a genuine unit's code (with how often it was scanned) from a made-up one.

The whole platform on its embedded defaults, really served over HTTP; the PDF is rendered
to pixels (PDFium) and its QR codes read back (zxing-cpp), as a phone would."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from shared.platform.config import Settings
from tests.support.batches import GTIN, PASSWORD, at, batch_body, code_of
from tests.support.browser import PHONE, chromium, screenshot_path
from tests.support.clocks import today
from tests.support.platform import certified_product, cooperative_with_council, drawn
from tests.support.platform import office_signed_in as signed_in
from tests.support.tansu import TansuBroker


def codes_in(pdf: bytes) -> list[list[str]]:
    """Per page, the text of every QR code read from the page rendered at 300 dpi. Every
    code a label carries is a web address: a short non-address (once, "074") is the reader
    finding a code in the label's lettering, not one printed."""
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    for page in document:
        image = page.render(scale=300 / 72).to_pil()
        pages.append(sorted(code.text for code in zxingcpp.read_barcodes(
            image, formats=zxingcpp.BarcodeFormat.QRCode)
            if code.text.startswith(("http://", "https://"))))
    return pages


async def test_a_producer_prints_unit_labels_and_a_shopper_tells_a_genuine_code(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    # the test's scan address is local
    await print_and_scan(make_settings(allow_private_scan_url=True), tmp_path, shared_bus=True)


@pytest.mark.s3
async def test_labels_printed_and_scanned_distributed_on_kafka_and_s3(
        make_settings: Callable[..., Settings], tmp_path: Path, kafka_broker: TansuBroker,
        s3_bucket_url: str) -> None:
    """The same, the four services each on their own Kafka client, the sheets' PDFs kept
    in S3."""
    settings = make_settings(allow_private_scan_url=True, objects_url=s3_bucket_url,
                             bus_url=f"kafka://127.0.0.1:{kafka_broker.port}")
    await print_and_scan(settings, tmp_path, shared_bus=False)


async def print_and_scan(settings: Settings, tmp_path: Path, *, shared_bus: bool) -> None:
    async with signed_in(settings, PASSWORD, shared_bus=shared_bus) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        records = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                          (today() - timedelta(days=30)).isoformat(), GTIN)
        producer, anyone = coop.producer, office.anonymous()
        batch = await producer.call("POST", "traceability",
                                    f"/products/{records['product_id']}/batches", expect=201,
                                    json=batch_body("TC-26", today() - timedelta(days=3)))
        sheets = f"/batches/{batch['id']}/label-sheets"
        produced = today() - timedelta(days=3)
        await producer.call("POST", "traceability", f"/batches/{batch['id']}/events",
                            expect=201, json={"step": "harvest", "happened_at": at(produced, 7),
                                              "place": {"name": "Đồi chè Khuôn Ngàn"}})

        # The layout is checked before anything is drawn.
        crowded = await producer.call("POST", "traceability", sheets, expect=400, json={
            "count": 10, "label_width_mm": 100, "label_height_mm": 60, "per_page": 20})
        assert code_of(crowded) == "labels-per-page" and "At most 4" in crowded["detail"]
        assert crowded["errors"][0]["field"] == "per_page"
        tiny = await producer.call("POST", "traceability", sheets, expect=400, json={
            "count": 10, "label_width_mm": 30, "label_height_mm": 15})
        assert {e["field"] for e in tiny["errors"]} == {"label_width_mm", "label_height_mm"}
        await producer.call("POST", "traceability", sheets, expect=422, json={"count": 10_001})
        await anyone.call("POST", "traceability", sheets, expect=401, json={"count": 1})

        # 30 units on 60 × 30 mm labels: 24 to a page, two pages.
        response = await producer.client.post(
            producer.urls["traceability"] + sheets, headers=producer.headers,
            json={"count": 30, "label_width_mm": 60, "label_height_mm": 30})
        assert response.status_code == 202, response.text
        requested = response.json()
        assert requested["status"] == "drawing" and requested["progress"]["total"] == 30
        assert response.headers["location"].endswith(f"/label-sheets/{requested['id']}")
        await anyone.call("GET", "traceability", f"/label-sheets/{requested['id']}",
                          expect=401)
        sheet = await drawn(producer, requested)
        assert sheet["status"] == "ready" and sheet["pages"] == 2 and sheet["per_page"] == 24
        assert sheet["progress"] == {"drawn": 30, "total": 30, "percent": 100}
        pdf = await producer.client.get(sheet["pdf_url"], headers=producer.headers)
        assert pdf.headers["content-type"] == "application/pdf"
        assert "attachment" in pdf.headers["content-disposition"]
        pages = codes_in(pdf.content)
        assert [len(codes) for codes in pages] == [24, 6]
        urls = [url for codes in pages for url in codes]
        unit_prefix = f"{producer.urls['traceability']}/01/{GTIN}/10/TC-26/21/"
        assert len(set(urls)) == 30 and all(u.startswith(unit_prefix) for u in urls)
        serials = [u.removeprefix(unit_prefix) for u in urls]
        listing = await producer.call("GET", "traceability",
                                      f"/label-sheets/{sheet['id']}/codes.csv")
        assert listing.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(listing.text)))
        assert sorted((r["serial"], r["url"]) for r in rows) == sorted(zip(serials, urls,
                                                                           strict=True))
        assert all(len(s) == 16 and s.isalnum() and s.isupper() for s in serials)
        printed = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        assert "Chè búp Tân Cương" in printed and "Lô/Lot: TC-26" in printed
        assert f"(01){GTIN}" in printed and "OCOP" in printed
        assert sum(f"(21){s}" in printed for s in serials) == 24

        # One unit's QR code for the producer's own label design: the vector SVG, and a PNG
        # a phone reads back; the batch's own code is public.
        unit_qr = f"/label-sheets/{sheet['id']}/units/{serials[0]}/qr"
        svg = await producer.call("GET", "traceability", f"{unit_qr}.svg")
        assert svg.headers["content-type"] == "image/svg+xml" and b"<path" in svg.content
        png = await producer.call("GET", "traceability", f"{unit_qr}.png")
        assert [c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
                ] == [urls[0]]
        await anyone.call("GET", "traceability", f"{unit_qr}.png", expect=401)
        await producer.call("GET", "traceability", f"/label-sheets/{sheet['id']}/units/"
                                                   "AAAAAAAAAAAAAAAA/qr.svg", expect=404)
        batch_png = await anyone.call("GET", "traceability", f"/batches/{batch['id']}/qr.png")
        assert [c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(
            batch_png.content)))] == [batch["scan_url"]]
        batch_svg = await anyone.call("GET", "traceability", f"/batches/{batch['id']}/qr.svg")
        assert batch_svg.headers["content-type"] == "image/svg+xml"

        # A shopper scans a unit: genuine, and counted (a HEAD is not a scan, nor the same
        # phone's scan again soon after).
        path = urlsplit(urls[0]).path
        first = await anyone.call("GET", "traceability", path, follow_redirects=True)
        assert "Mã thật" in first.text and "Lượt quét: 1" in first.text
        await anyone.call("HEAD", "traceability", path, expect=307)  # to its page
        second = await anyone.call("GET", "traceability", path, params={"format": "json"})
        assert second["unit"]["genuine"] and second["unit"]["scans"] == 1
        assert second["batch"]["lot"] == "TC-26"
        without_lot = await anyone.call("GET", "traceability",
                                        f"/01/{GTIN}/21/{serials[1]}?format=json")
        assert without_lot["batch"]["lot"] == "TC-26" and without_lot["unit"]["scans"] == 1
        assert [step["step"] for step in second["journey"]] == ["harvest"]

        # Codes the producer never printed: a made-up serial, a genuine one under another lot.
        for forged in (f"/01/{GTIN}/10/TC-26/21/AAAAAAAAAAAAAAAA",
                       f"/01/{GTIN}/10/TC-99/21/{serials[2]}"):
            refused = await anyone.call("GET", "traceability", forged,
                                        params={"format": "json"}, expect=404)
            assert "never printed" in refused["detail"]
            assert "chưa từng được in" in refused["detail_vi"]

        # The batch's own code, five times: one page, the same code on every label.
        batch_sheet = await drawn(producer, await producer.call(
            "POST", "traceability", sheets, expect=202,
            json={"kind": "batch", "count": 5, "label_width_mm": 70, "label_height_mm": 35}))
        batch_pdf = await producer.client.get(batch_sheet["pdf_url"],
                                              headers=producer.headers)
        assert codes_in(batch_pdf.content) == [[batch["scan_url"]] * 5]
        listed = await producer.call("GET", "traceability", sheets)
        assert [s["kind"] for s in listed["items"]] == ["batch", "serial"]

        # On another phone: the genuine code's page, scanned before; no warning that it may
        # be copied (two phones, one network: test_scan_counting.py).
        async with chromium() as browser:
            page = await browser.new_page(**PHONE, locale="vi-VN")  # the page follows it
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            await page.goto(urls[0])
            await page.get_by_text("Mã thật").wait_for()
            assert await page.get_by_text("Lượt quét: 2").is_visible()
            assert not await page.get_by_text("có thể bị sao chép").is_visible()
            width = await page.evaluate("document.documentElement.scrollWidth")
            await page.screenshot(path=screenshot_path(tmp_path, "unit-scan-phone"),
                                  full_page=True)
        assert errors == [] and width <= PHONE["viewport"]["width"]
