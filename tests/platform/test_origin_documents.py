"""A producer files the papers behind its batch's records — the lab's report, the area's
VietGAP certificate — in the object store, cites them in a lab-test event and on the
batch's area, and a shopper opens them from the scan page.

The whole platform on its embedded defaults, really served over HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from shared.platform.config import Settings
from tests.support.batches import GTIN, PASSWORD, at, batch_body, code_of
from tests.support.clocks import today
from tests.support.platform import PDF, certified_product, cooperative_with_council, png_image
from tests.support.platform import office_signed_in as signed_in

REPORT = b"%PDF-1.7\n% Phieu ket qua thu nghiem so 118\n%%EOF\n"


async def test_lab_reports_and_area_certificates_are_filed_and_cited(
        make_settings: Callable[..., Settings]) -> None:
    async with signed_in(make_settings(), PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        records = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                          (today() - timedelta(days=30)).isoformat(), GTIN)
        product_id, producer, anyone = records["product_id"], coop.producer, office.anonymous()
        filing = f"/products/{product_id}/origin-documents"

        report = await producer.call(
            "POST", "traceability", filing, expect=201, content=REPORT,
            params={"kind": "lab_report", "title": "Phiếu kết quả thử nghiệm số 118"},
            headers={"Content-Type": "application/pdf"})
        assert report["sha256"] == hashlib.sha256(REPORT).hexdigest()
        assert (report["kind"], report["size"], report["content_type"]) == (
            "lab_report", len(REPORT), "application/pdf")
        # A client retrying the same file (the same SHA-256) gets the document already
        # filed, with 200: nothing is filed or stored twice (tests/service/
        # test_upload_retries.py counts the objects). So for the registry's uploads.
        again = await producer.call(
            "POST", "traceability", filing, expect=200, content=REPORT,
            params={"kind": "lab_report", "title": "Phiếu kết quả thử nghiệm số 118"},
            headers={"Content-Type": "application/pdf"})
        assert again == report
        product = f"/products/{product_id}"
        image = await producer.call("POST", "registry", f"{product}/images", expect=200,
                                    content=png_image(), headers={"Content-Type": "image/png"})
        assert (image["image_id"], image["url"]) == (records["image_id"], records["image_url"])
        document = await producer.call("POST", "registry", f"{product}/documents", expect=200,
                                       content=PDF, params={"type": "product_story"},
                                       headers={"Content-Type": "application/pdf"})
        assert document["id"] == records["document_id"]
        for service, path, answer in (
                ("traceability", "/products/{product_id}/origin-documents", "DocumentOut"),
                ("registry", "/products/{product_id}/images", "ImageOut"),
                ("registry", "/products/{product_id}/documents", "DocumentOut")):
            spec = await anyone.call("GET", service, "/openapi.json")
            answers = spec["paths"][path]["post"]["responses"]
            assert {answers[s]["content"]["application/json"]["schema"]["$ref"]
                    for s in ("200", "201")} == {f"#/components/schemas/{answer}"}, service
            assert "already" in answers["200"]["description"]

        certificate = await producer.call(
            "POST", "traceability", filing, expect=201, content=png_image(),
            params={"kind": "area_certificate", "title": "VietGAP VG-TN-0042"},
            headers={"Content-Type": "image/png"})

        # Refused: a file that is not what it claims, an unknown kind, no title, no token.
        lying = await producer.call("POST", "traceability", filing, expect=400,
                                    content=b"MZ\x90\x00 not a pdf",
                                    params={"kind": "lab_report", "title": "x"},
                                    headers={"Content-Type": "application/pdf"})
        assert code_of(lying) == "unsupported-document" and lying["detail_vi"]
        await producer.call("POST", "traceability", filing, expect=422, content=REPORT,
                            params={"kind": "diploma", "title": "x"},
                            headers={"Content-Type": "application/pdf"})
        await producer.call("POST", "traceability", filing, expect=422, content=REPORT,
                            params={"kind": "lab_report"},
                            headers={"Content-Type": "application/pdf"})
        await anyone.call("POST", "traceability", filing, expect=401, content=REPORT,
                          params={"kind": "lab_report", "title": "x"},
                          headers={"Content-Type": "application/pdf"})

        # Anyone reads the list and the files themselves, unchanged.
        listed = await anyone.call("GET", "traceability", filing)
        assert [d["id"] for d in listed["items"]] == [certificate["id"], report["id"]]
        page = await anyone.call("GET", "traceability", filing, params={"limit": 1})
        rest = await anyone.call("GET", "traceability", filing,
                                 params={"limit": 1, "cursor": page["next_cursor"]})
        assert [d["id"] for d in page["items"] + rest["items"]] == [certificate["id"],
                                                                     report["id"]]
        downloaded = await anyone.client.get(report["url"])
        assert downloaded.content == REPORT
        assert downloaded.headers["content-type"] == "application/pdf"
        await anyone.call("GET", "traceability", "/origin-documents/nope", expect=404)

        # Cited: on the batch's area, and by the lab test; the scan page links both.
        produced = today() - timedelta(days=3)
        body = batch_body("TC-41", produced)
        body["areas"][0]["certificates"] = [{"kind": "vietgap", "number": "VG-TN-0042",
                                             "document_url": certificate["url"]}]
        batch = await producer.call("POST", "traceability", f"/products/{product_id}/batches",
                                    expect=201, json=body)
        assert batch["areas"][0]["certificates"][0]["document_url"] == certificate["url"]
        await producer.call("POST", "traceability", f"/batches/{batch['id']}/events",
                            expect=201, json={
                                "step": "lab_test", "happened_at": at(produced, 14),
                                "place": {"name": "Trung tâm Kiểm nghiệm Thái Nguyên"},
                                "lab": "Trung tâm Kiểm nghiệm Thái Nguyên", "passed": True,
                                "report_url": report["url"]})
        scan = await anyone.call("GET", "traceability", f"/01/{GTIN}/10/TC-41",
                                 follow_redirects=True)
        assert f'href="{report["url"]}"' in scan.text
        assert f'href="{certificate["url"]}"' in scan.text
