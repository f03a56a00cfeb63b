"""Shoppers scan a product's codes; its producer sees the scans per day and per batch, and
every code that looks forged — a unit's code scanned from too many phones, serials and lots
the platform never printed — is an anomaly the producer and the office see and others hear
of on ``ocop.traceability.anomalies``. A finished label sheet is announced as well.

The whole platform on its embedded defaults, really served over HTTP; the events read back
from the platform's own bus."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from shared.messaging.contracts.traceability import ANOMALIES_TOPIC, LABELS_TOPIC
from shared.messaging.events.codec import decode
from shared.platform.config import Settings
from shared.ports.bus import Message, open_bus
from tests.support.batches import GTIN, PASSWORD, batch_body, code_of
from tests.support.clocks import today
from tests.support.demo import wait_until
from tests.support.platform import User, certified_product, cooperative_with_council, drawn
from tests.support.platform import office_signed_in as signed_in

PHONES = (  # five phones' browsers: five coarse fingerprints from one address
    "Mozilla/5.0 (Linux; Android 13) Chrome/119.0 Mobile Safari/537.36 Zalo android/12100",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Version/17.1 Mobile Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/119.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0")


async def scan(shopper: User, path: str, *, phone: str = PHONES[0], expect: int = 200
               ) -> None:
    response = await shopper.client.get(shopper.urls["traceability"] + path,
                                        headers={"User-Agent": phone},
                                        follow_redirects=True)  # to the scan page
    assert response.status_code == expect, (path, response.status_code)


async def published(settings: Settings, topics: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """The events on ``topics`` so far, read from the platform's bus by a new consumer
    group (it starts from the first message)."""
    heard: list[tuple[str, dict[str, Any]]] = []

    async def hear(batch: Sequence[Message]) -> None:
        for message in batch:
            envelope = decode(message)
            heard.append((envelope.type, envelope.data))

    listener = open_bus(settings.bus_url_resolved(), client_id="ocop-test-listener")
    await listener.start(topics)
    try:
        await listener.subscribe(f"test-{len(topics)}-{id(heard)}", topics, hear)
        await asyncio.sleep(0.3)
    finally:
        await listener.stop()
    return heard


async def test_scans_are_counted_and_forged_codes_raise_anomalies(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(allow_private_scan_url=True)
    async with signed_in(settings, PASSWORD) as office:
        sheet_id = await scans_and_anomalies(office)
        heard: list[tuple[str, dict[str, Any]]] = []

        async def announced() -> bool:
            heard[:] = await published(settings, [ANOMALIES_TOPIC, LABELS_TOPIC])
            return len(heard) >= 4

        await wait_until(announced, within=30, interval=0.2)
    # Others heard of each anomaly once, and of the sheet once it was drawn.
    kinds = sorted(data["kind"] for kind, data in heard
                   if kind == "vn.ocop.traceability.scan.anomaly_detected.v1")
    assert kinds == ["copied_serial", "unknown_lot", "unknown_serial"]
    [issued] = [data for kind, data in heard if kind == "vn.ocop.traceability.labels.issued.v1"]
    assert (issued["sheet_id"], issued["count"], issued["kind"], issued["lot"]) == (
        sheet_id, 3, "serial", "TC-31")
    assert issued["scan_url"].endswith(f"/01/{GTIN}/10/TC-31")


async def scans_and_anomalies(office: User) -> str:
    """Scans and forged scans of a certified product's codes, checked in the producer's and
    the office's views; the label sheet's id."""
    coop = await cooperative_with_council(office, PASSWORD)
    records = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                      (today() - timedelta(days=30)).isoformat(), GTIN)
    product_id, producer, shopper = records["product_id"], coop.producer, office.anonymous()
    batch = await producer.call("POST", "traceability", f"/products/{product_id}/batches",
                                expect=201, json=batch_body("TC-31", today() - timedelta(days=3)))
    sheet = await producer.call("POST", "traceability", f"/batches/{batch['id']}/label-sheets",
                                expect=202, json={"count": 3})
    csv = await producer.call("GET", "traceability", f"/label-sheets/{sheet['id']}/codes.csv")
    copied, bought, _ = [line.split(",")[0] for line in csv.text.splitlines()[1:]]

    # Shoppers: the product's own code from two phones, the batch's code once, one unit's
    # code once (and a link checker's HEAD, not counted), another unit's code from five
    # phones. (A phone scanning a code again soon counts once: test_scan_counting.py.)
    for phone in PHONES[:2]:
        await scan(shopper, f"/01/{GTIN}", phone=phone)
    await scan(shopper, f"/01/{GTIN}/10/TC-31")
    await scan(shopper, f"/01/{GTIN}/10/TC-31/21/{bought}")
    head = await shopper.client.head(f"{shopper.urls['traceability']}/01/{GTIN}/10/TC-31/21/"
                                     f"{bought}")
    assert head.status_code == 307  # the resolver's redirect: no scan counted
    for phone in PHONES:
        await scan(shopper, f"/01/{GTIN}/10/TC-31/21/{copied}", phone=phone)
    # Forgers' labels, each scanned by another phone: two serials never printed, a lot
    # that does not exist.
    for forged, phone in (("FAKE000000000001", PHONES[0]), ("FAKE000000000002", PHONES[1])):
        await scan(shopper, f"/01/{GTIN}/10/TC-31/21/{forged}", phone=phone, expect=404)
    await scan(shopper, f"/01/{GTIN}/10/NOPE-9", phone=PHONES[2], expect=404)

    # The producer's view of the batch: per day, units printed and scanned, copied codes.
    report = await producer.call("GET", "traceability", f"/batches/{batch['id']}/scans")
    until = date.fromisoformat(report["until"])
    assert date.fromisoformat(report["since"]) == until - timedelta(days=29)
    assert len(report["days"]) == 30 and report["days"][-1]["day"] == report["until"]
    assert report["total"] == {"scans": 7, "unit_scans": 6, "units_scanned": 2}
    assert report["days"][-1] | {"day": None} == {"day": None, "scans": 7, "unit_scans": 6,
                                                  "units_scanned": 2}
    assert (report["lot"], report["units_printed"]) == ("TC-31", 3)
    [flagged] = report["copied"]
    assert (flagged["kind"], flagged["codes"], flagged["scans"], flagged["devices"]) == (
        "copied_serial", [copied], 5, 5)
    # Five phones, one network (this test's address): a household, a shop, or one client
    # naming five browsers; the producer sees it, sure of it only from more networks.
    assert (flagged["networks"], flagged["confidence"]) == (1, "low")
    assert flagged["batch_id"] == batch["id"] and flagged["lot"] == "TC-31"
    a_week = await producer.call("GET", "traceability", f"/batches/{batch['id']}/scans",
                                 params={"since": (until - timedelta(days=6)).isoformat(),
                                         "until": until.isoformat()})
    assert len(a_week["days"]) == 7 and a_week["total"]["scans"] == 7
    before = await producer.call("GET", "traceability", f"/batches/{batch['id']}/scans",
                                 params={"until": (until - timedelta(days=1)).isoformat()})
    assert before["total"]["scans"] == 0

    # ...and of the product, per batch (None: its own code, without a lot).
    product = await producer.call("GET", "traceability", f"/products/{product_id}/scans")
    assert product["total"]["scans"] == 9
    assert sorted((b["batch_id"] or "", b["lot"], b["scans"]) for b in product["batches"]) == [
        ("", None, 2), (batch["id"], "TC-31", 7)]

    # Anomalies: the producer sees its own, filtered; the office per province.
    mine = await producer.call("GET", "traceability", "/anomalies")
    assert sorted(a["kind"] for a in mine["items"]) == [
        "copied_serial", "unknown_lot", "unknown_serial"]
    forged = await producer.call("GET", "traceability", "/anomalies",
                                 params={"kind": "unknown_serial", "product_id": product_id,
                                         "province": "Thái Nguyên",
                                         "since": until.isoformat(), "until": until.isoformat()})
    [serials] = forged["items"]
    assert (serials["codes"], serials["scans"]) == (["FAKE000000000001", "FAKE000000000002"], 2)
    assert serials["batch_id"] is None and serials["gtin"] == GTIN
    by_batch = await producer.call("GET", "traceability", "/anomalies",
                                   params={"batch_id": batch["id"]})
    assert [a["kind"] for a in by_batch["items"]] == ["copied_serial"]
    first = await producer.call("GET", "traceability", "/anomalies", params={"limit": 2})
    rest = await producer.call("GET", "traceability", "/anomalies",
                               params={"limit": 2, "cursor": first["next_cursor"]})
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and not rest["next_cursor"]
    elsewhere = await office.call("GET", "traceability", "/anomalies",
                                  params={"province": "Hà Tĩnh"})
    assert elsewhere["items"] == []
    provinces = await office.call("GET", "traceability", "/anomalies/provinces")
    assert provinces == [{"province": "Thái Nguyên", "total": 3, "copied_serial": 1,
                          "unknown_serial": 1, "unknown_lot": 1, "consumer_report": 0}]
    await producer.call("GET", "traceability", "/anomalies/provinces", expect=403)
    await shopper.call("GET", "traceability", f"/batches/{batch['id']}/scans", expect=401)

    # A span backwards, or longer than a year, is refused naming the field.
    backwards = await producer.call("GET", "traceability", f"/products/{product_id}/scans",
                                    expect=400, params={"since": until.isoformat(),
                                                        "until": (until - timedelta(days=1)
                                                                  ).isoformat()})
    assert code_of(backwards) == "span" and backwards["errors"][0]["field"] == "since"
    too_long = await office.call("GET", "traceability", "/anomalies/provinces", expect=400,
                                 params={"since": (until - timedelta(days=400)).isoformat()})
    assert "366" in too_long["detail"] and "366" in too_long["detail_vi"]

    await drawn(producer, sheet)
    return str(sheet["id"])
