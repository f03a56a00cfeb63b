"""A producer keeps a batch through its forms and the EPCIS capture interface, and a shopper
reads its journey on the scan page in Debian's Chromium: the whole platform on its embedded
defaults, really served over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from services.traceability.origin.epcis import schema_errors
from services.traceability.store import COLLECTIONS, RECORDS
from shared.platform.config import Settings
from shared.ports.store.sqlite import SqliteDocumentStore
from tests.support.batches import (
    GTIN,
    PASSWORD,
    at,
    batch_body,
    code_of,
    harvest,
    processing_document,
)
from tests.support.browser import PHONE, chromium, screenshot_path
from tests.support.clocks import today
from tests.support.platform import User, certified_product, cooperative_with_council
from tests.support.platform import office_signed_in as signed_in


async def test_a_producer_keeps_a_batch_and_a_shopper_reads_its_journey(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        certified_on = (today() - timedelta(days=30)).isoformat()
        records = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                          certified_on, GTIN)
        product_id = records["product_id"]
        producer, anyone = coop.producer, office.anonymous()
        produced_on = today() - timedelta(days=10)

        # Opening: the producer's own certified product; a lot once per product, GS1 syntax.
        batch = await producer.call("POST", "traceability", f"/products/{product_id}/batches",
                                    expect=201, json=batch_body("TC-2026/01", produced_on))
        assert batch["identifier"] == f"https://id.gs1.org/01/{GTIN}/10/TC-2026%2F01"
        assert batch["scan_url"].endswith(f"/01/{GTIN}/10/TC-2026%2F01")
        again = await producer.call("POST", "traceability", f"/products/{product_id}/batches",
                                    expect=409, json=batch_body("TC-2026/01", produced_on))
        assert again["errors"][0]["field"] == "lot" and code_of(again) == "lot-taken"
        bad_lot = await producer.call("POST", "traceability",
                                      f"/products/{product_id}/batches", expect=400,
                                      json=batch_body("lô một", produced_on))
        assert code_of(bad_lot) == "lot-invalid" and "GS1" in bad_lot["detail_vi"]
        future = await producer.call("POST", "traceability", f"/products/{product_id}/batches",
                                     expect=400,
                                     json=batch_body("TC-FUTURE", today() + timedelta(days=1)))
        assert future["errors"][0]["field"] == "produced_on"
        await anyone.call("POST", "traceability", f"/products/{product_id}/batches",
                          expect=401, json=batch_body("TC-ANON", produced_on))
        listed = await anyone.call("GET", "traceability", f"/products/{product_id}/batches")
        assert [b["lot"] for b in listed["items"]] == ["TC-2026/01"]
        batch_path = f"/batches/{batch['id']}"
        # Labels would encode this test's loopback address: no phone could open them.
        local = await producer.call("POST", "traceability", f"{batch_path}/label-sheets",
                                    expect=409, json={"count": 10})
        assert code_of(local) == "scan-address-not-public"
        assert "OCOP_SCAN_BASE_URL" in local["detail"] and "công khai" in local["detail_vi"]

        # What happened: harvest by the form, processing by EPCIS capture, a lab test with
        # its results, packing; each stored once however often the phone retries.
        harvested = await producer.call("POST", "traceability", f"{batch_path}/events",
                                        expect=201, json=harvest(
                                            produced_on, event_id="0b7d5f2e-0d6c-4a0e-9a34-"
                                                                  "6f1f3c2b9a10"))
        retried = await producer.call("POST", "traceability", f"{batch_path}/events",
                                      expect=201, json=harvest(
                                          produced_on, event_id="0b7d5f2e-0d6c-4a0e-9a34-"
                                                                "6f1f3c2b9a10"))
        assert retried["id"] == harvested["id"]
        assert harvested["hash"].startswith("ni:///sha-256;")
        captured = await producer.call("POST", "traceability", "/epcis/capture", expect=202,
                                       json=processing_document(batch["identifier"],
                                                                produced_on))
        assert captured["recorded"][0]["batch_ids"] == [batch["id"]]
        await producer.call("POST", "traceability", f"{batch_path}/events", expect=201, json={
            "step": "lab_test", "happened_at": at(produced_on + timedelta(days=1), 9),
            "place": {"name": "Trung tâm Kiểm nghiệm Thái Nguyên"}, "lab": "Quatest 1",
            "passed": True, "report_url": "https://example.org/reports/TN-2026-118.pdf",
            "results": [{"name": "Dư lượng thuốc BVTV", "value": "không phát hiện"}]})
        await producer.call("POST", "traceability", f"{batch_path}/events", expect=201, json={
            "step": "sensor_reading", "happened_at": at(produced_on + timedelta(days=1), 12),
            "place": {"name": "Kho HTX"},
            "readings": [{"kind": "temperature", "value": 24.5},
                         {"kind": "relative_humidity", "value": 61}]})
        packed = await producer.call("POST", "traceability", f"{batch_path}/events",
                                     expect=201, json={
                                         "step": "packing", "quantity": 1200, "unit": "H87",
                                         "happened_at": at(produced_on + timedelta(days=2), 8),
                                         "place": {"name": "Xưởng đóng gói HTX"}})

        # Refused, and nothing stored: before the batch, not the EPCIS schema, a step
        # lacking what it needs, someone else's batch.
        early = await producer.call("POST", "traceability", f"{batch_path}/events",
                                    expect=400,
                                    json=harvest(produced_on - timedelta(days=1)))
        assert code_of(early) == "event-before-batch"
        assert early["errors"][0]["field"] == "happened_at"
        broken = processing_document(batch["identifier"], produced_on)
        broken["epcisBody"]["eventList"][0]["eventTime"] = "hôm qua"
        refused = await producer.call("POST", "traceability", "/epcis/capture", expect=400,
                                      json=broken)
        assert code_of(refused) == "epcis-invalid"
        assert refused["errors"][0]["field"] == "epcisBody.eventList[0].eventTime"
        shipping = await producer.call("POST", "traceability", f"{batch_path}/events",
                                       expect=400, json={"step": "shipping",
                                                         "happened_at": at(produced_on, 9),
                                                         "place": {"name": "Kho"}})
        assert [e["field"] for e in shipping["errors"]] == ["party"]
        assert (await anyone.call("GET", "traceability", batch_path))["length"] == 5

        # A correction: the packing counted 1,200 packs, it was 1,150.
        corrected = await producer.call(
            "POST", "traceability", f"{batch_path}/events/{packed['id']}/corrections",
            expect=201, json={"reason": "incorrect_data", "corrected": {
                "step": "packing", "quantity": 1150, "unit": "H87",
                "happened_at": at(produced_on + timedelta(days=2), 8),
                "place": {"name": "Xưởng đóng gói HTX"}}})
        declaration = corrected[1]["event"]["errorDeclaration"]
        assert corrected[1]["corrects"] == packed["event_id"]
        assert declaration["correctiveEventIDs"] == [corrected[0]["event_id"]]
        assert corrected[1]["hash"] == packed["hash"]  # a declared event keeps its hash

        shown = await anyone.call("GET", "traceability", batch_path)
        steps = [(s["step"], s["quantity"], s["corrected"]) for s in shown["journey"]]
        assert steps == [("harvest", "150 kg", False), ("processing", "120 kg", False),
                         ("lab_test", "120 kg", False), ("sensor_reading", "120 kg", False),
                         ("packing", "1150", True)]
        assert shown["length"] == 7

        # The scan page of the batch on a Vietnamese phone: the journey, its numbers
        # written the Vietnamese way.
        scan_path = f"/01/{GTIN}/10/TC-2026%2F01"
        page = await anyone.call("GET", "traceability", scan_path, follow_redirects=True,
                                 headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.8"})
        assert page.status_code == 200 and 'lang="vi"' in page.text
        for seen in ("Hành trình của lô", '<span class="step">Thu hoạch</span>', "Chế biến",
                     "Kiểm nghiệm", "Quatest 1", "đã đính chính",
                     "VietGAP VietGAP-TT-18-07-19-0012", "24,5 °C"):
            assert seen in page.text, seen
        await look_at_the_journey(office.urls["traceability"] + scan_path, tmp_path)
        english = await anyone.call("GET", "traceability", scan_path, params={"lang": "en"},
                                    follow_redirects=True)
        assert "The batch&#39;s journey" in english.text and "Lab test" in english.text
        as_json = await anyone.call("GET", "traceability", scan_path,
                                    params={"format": "json"})
        assert as_json["batch"]["lot"] == "TC-2026/01" and len(as_json["journey"]) == 5
        unknown = await anyone.call("GET", "traceability", f"/01/{GTIN}/10/FAKE-LOT",
                                    expect=404, follow_redirects=True)
        assert "Cảnh báo" in unknown.text and "FAKE-LOT" in unknown.text
        serial = await anyone.call("GET", "traceability", f"/01/{GTIN}/21/XYZ",
                                   params={"format": "json"}, expect=404)
        assert "may be forged" in serial["detail"]

        await check_the_resolver(anyone, batch, records["certificate_id"])

        # The EPCIS query: by batch, business step, time; answers valid EPCIS documents.
        everything = await anyone.call("GET", "traceability", "/epcis/events",
                                       params={"batch": batch["id"]})
        assert schema_errors(everything) == []
        assert len(everything["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 7
        tests_only = await anyone.call("GET", "traceability", "/epcis/events",
                                       params={"product": product_id,
                                               "EQ_bizStep": "inspecting"})
        listed_events = tests_only["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        assert [e["ocop:lab"] for e in listed_events] == ["Quatest 1"]
        later = await anyone.call("GET", "traceability", "/epcis/events", params={
            "GE_eventTime": at(produced_on + timedelta(days=2), 0)})
        later_events = later["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        assert {e["bizStep"] for e in later_events} == {"packing"} and len(later_events) == 3
        paged = await anyone.client.get(office.urls["traceability"] + "/epcis/events",
                                        params={"batch": batch["id"], "perPage": 2})
        assert 'rel="next"' in paged.headers["link"]
        bad_time = await anyone.call("GET", "traceability", "/epcis/events", expect=400,
                                     params={"LT_eventTime": "tomorrow"})
        assert bad_time["errors"][0]["field"] == "LT_eventTime"

        # Tamper-evident: the chain holds, until a stored record is changed behind the
        # service's back.
        intact = await anyone.call("GET", "traceability", f"{batch_path}/verify")
        assert intact["intact"] is True and intact["records"] == 7
        await alter_lab_result(settings, "Quatest 1")
        broken_chain = await anyone.call("GET", "traceability", f"{batch_path}/verify")
        assert broken_chain["intact"] is False
        assert [p["sequence"] for p in broken_chain["problems"]] == [3]


async def check_the_resolver(anyone: User, batch: dict[str, Any], certificate_id: str
                             ) -> None:
    """The scan URLs answer as a GS1 Digital Link resolver: the links of a batch as a
    linkset, one link by its type, HEAD, the description file; malformed codes are 400."""
    base = anyone.urls["traceability"]
    scan_path = f"/01/{GTIN}/10/TC-2026%2F01"
    for asked in ({"params": {"linkType": "all"}},
                  {"headers": {"Accept": "application/linkset+json"}}):
        answer = await anyone.client.get(base + scan_path, **asked)  # type: ignore[arg-type]
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/linkset+json"
        (entry,) = answer.json()["linkset"]
        assert entry["anchor"] == batch["scan_url"]
        assert entry["https://gs1.org/voc/defaultLink"] == entry["https://gs1.org/voc/pip"]
        certificate = entry["https://gs1.org/voc/certificationInfo"][0]["href"]
        assert certificate.endswith(f"/verify/{certificate_id}")
        events = entry["https://gs1.org/voc/traceability"][0]
        assert events["href"].endswith(f"/epcis/events?batch={batch['id']}")
    redirect = await anyone.client.get(base + scan_path,
                                       params={"linkType": "gs1:certificationInfo"})
    assert redirect.status_code == 307 and redirect.headers["location"] == certificate
    head = await anyone.client.head(base + scan_path)  # to the default link, the page
    assert head.status_code == 307 and head.content == b""
    assert head.headers["location"].endswith("/10/TC-2026%2F01")
    assert 'rel="linkset"' in head.headers["link"]
    assert 'rel="https://gs1.org/voc/certificationInfo"' in head.headers["link"]
    described = await anyone.call("GET", "traceability", "/.well-known/gs1resolver")
    assert described["supportedPrimaryKeys"] == ["01"]
    for malformed in ("/01/08934563138166", "/01/893456313816", "/01/0893456313816A",
                      f"/01/{GTIN}/99/x", f"/01/{GTIN}/21/X/21/Y", f"/01/{GTIN}/10/l%C3%B4"):
        refused = await anyone.call("GET", "traceability", malformed, expect=400,
                                    headers={"Accept": "application/json"})
        assert code_of(refused) == "malformed-digital-link", malformed
    # A GTIN-13 (as printed under an EAN-13 barcode) stands for its 14 digits, as GS1's
    # parsers read it.
    thirteen = await anyone.call("GET", "traceability", f"/01/{GTIN[1:]}",
                                 params={"format": "json"})
    assert thirteen["gtin"] == GTIN and "Link" in (await anyone.client.head(
        f"{base}/01/{GTIN[1:]}")).headers
    page = await anyone.call("GET", "traceability", "/01/08934563138166", expect=400)
    assert "Mã không hợp lệ" in page.text
    await anyone.call("GET", "traceability", "/01/00000000000000", expect=404,
                      params={"format": "json"})


async def look_at_the_journey(url: str, tmp_path: Path) -> None:
    """A Vietnamese shopper's phone opens the batch's page: five steps on a timeline, no
    script error, the page no wider than the phone; a screenshot to look at."""
    async with chromium() as browser:
        page = await browser.new_page(**PHONE, locale="vi-VN")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                if r.status >= 400 else None)
        await page.goto(url)
        steps = page.locator("ol.journey > li")
        assert await steps.count() == 5
        assert await steps.nth(1).locator(".step").inner_text() == "Chế biến"
        assert await page.locator("ol.journey .fix").inner_text() == "đã đính chính"
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["viewport"]["width"], width  # type: ignore[index]
        await page.screenshot(path=screenshot_path(tmp_path, "batch-journey-phone"),
                              full_page=True)
        assert not errors, errors


async def alter_lab_result(settings: Settings, lab: str) -> None:
    """Edit the stored lab test directly in the traceability service's SQLite file."""
    url = settings.store_url_for("traceability")
    store = SqliteDocumentStore(Path(url.removeprefix("sqlite://")), COLLECTIONS)
    await store.open()
    try:
        async with store.transaction() as tx:
            page = await tx.find(RECORDS.name, {"biz_step": "inspecting"})
            (record,) = [d for d in page.items if d.data["event"].get("ocop:lab") == lab]
            record.data["event"]["disposition"] = "non_conformant"
            await tx.put(RECORDS.name, record.id, record.data)
    finally:
        await store.close()
