"""The platform's promise, walked as its users walk it: an office registers a producer and
its product, a council scores it, the office recognises it, and within moments the product
is listed in the catalog and carries a QR label that a phone (here zxing-cpp, an
independent decoder) reads and opens; a revocation takes both down.

Once on the embedded defaults (one process, in-process bus, SQLite, a directory for files)
and once distributed (each service its own Kafka client on a real Kafka-protocol broker,
files in a real S3 server).
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
import zxingcpp
from PIL import Image

from shared.platform.config import Settings
from tests.support.demo import wait_until
from tests.support.platform import (
    accepted_dossier,
    office_signed_in,
    png_image,
    propose,
    registered,
)
from tests.support.tansu import TansuBroker

ADMIN_PASSWORD = "tinh-uy-khanh-hoa-1"
PASSWORD = "hoi-dong-danh-gia-1"


async def walk_the_flow(settings: Settings, *, shared_bus: bool) -> None:
    async with office_signed_in(settings, ADMIN_PASSWORD, shared_bus=shared_bus) as admin:
        anyone, client, urls = admin.anonymous(), admin.client, admin.urls

        # The office registers the producer, its account and two council members.
        subject = await admin.call("POST", "registry", "/subjects", expect=201, json={
            "type": "enterprise", "name": "Công ty TNHH Nông sản Khánh Sơn",
            "code": "0100233488", "province": "Khánh Hòa", "commune": "Xã Khánh Sơn",
            **registered(district="Khánh Sơn")})
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": "ks-producer", "password": PASSWORD, "role": "producer",
            "subject_id": subject["id"]})
        for member in ("member-1", "member-2"):
            await admin.call("POST", "registry", "/users", expect=201, json={
                "username": member, "password": PASSWORD, "role": "council_member"})
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": "xa-khanh-son", "password": PASSWORD, "role": "commune_officer",
            "commune": "Xã Khánh Sơn", "province": "Khánh Hòa"})

        # The producer registers its product with a GTIN and a photo, completes its dossier
        # (accepted by the office) and submits it.
        producer = await anyone.sign_in("ks-producer", PASSWORD)
        product = await producer.call("POST", "registry", "/products", expect=201, json={
            "subject_id": subject["id"], "name": "Sầu riêng Khánh Sơn", "group": "food",
            "subgroup": "fresh_produce", "description": "Sầu riêng cơm vàng hạt lép.",
            "gtin": "8934563138165"})
        assert product["gtin"] == "08934563138165" and product["status"] == "draft"
        image = await producer.call("POST", "registry", f"/products/{product['id']}/images",
                                    expect=201, content=png_image(),
                                    headers={"Content-Type": "image/png"})
        await accepted_dossier(producer, admin, product["id"])
        submitted = await producer.call("POST", "registry",
                                        f"/products/{product['id']}/submission")
        assert submitted["status"] == "submitted"

        # The commune proposes it; the council scores it (4★ on the average of 85 and 88);
        # the office recognises it.
        await propose(await anyone.sign_in("xa-khanh-son", PASSWORD), product["id"])
        evaluation = await admin.until("POST", "rating", "/evaluations", expect=201,
                                       json={"product_id": product["id"]})
        assert evaluation["maxima"] == {"part_a": 40, "part_b": 25, "part_c": 35}
        for member, parts in (("member-1", (35, 20, 30)), ("member-2", (36, 21, 31))):
            council = await anyone.sign_in(member, PASSWORD)
            await council.call("POST", "rating", f"/evaluations/{evaluation['id']}/score-sheets",
                               expect=201, json=dict(zip(("part_a", "part_b", "part_c"),
                                                         parts, strict=True)))
        closed = await admin.call("POST", "rating", f"/evaluations/{evaluation['id']}/closing")
        assert closed["result"]["score"] == 86.5 and closed["result"]["stars"] == 4
        certificate = await admin.call(
            "POST", "rating", f"/evaluations/{evaluation['id']}/recognition", expect=201,
            json={"decision_number": "1234/QĐ-UBND"})
        assert certificate["stars"] == 4 and certificate["level"] == "province"
        assert certificate["status"] == "active"

        # Within moments: listed (found without diacritics), with its label.
        listing: dict = {}

        async def listed_with_label() -> bool:
            page = await anyone.call("GET", "catalog", "/listings", params={"q": "sau rieng"})
            listing.update(next((i for i in page["items"] if i["scan_url"]), {}))
            return bool(listing)

        await wait_until(listed_with_label)
        assert listing["name"] == "Sầu riêng Khánh Sơn" and listing["stars"] == 4
        assert listing["producer"]["name"] == subject["name"]
        assert listing["producer"]["province"] == "Khánh Hòa"
        assert listing["group"] == {"code": "food", "name_vi": "Thực phẩm", "name_en": "Food"}
        assert listing["certificate"]["number"] == certificate["number"]
        assert listing["certificate"]["valid_until"] == certificate["valid_until"]
        assert listing["image_urls"] == [image["url"]]
        photo = await anyone.call("GET", "registry", image["url"].split(
            urls["registry"])[1])
        assert photo.headers["content-type"] == "image/webp"  # drawn again for the web
        assert listing["scan_url"] == f"{urls['traceability']}/01/08934563138165"

        # The consumer's phone reads the printed code and opens it.
        label = await client.get(listing["label_png_url"])
        assert label.status_code == 200 and label.headers["content-type"] == "image/png"
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(label.content)))
        assert [code.format for code in decoded] == [zxingcpp.BarcodeFormat.QRCode]
        scanned_url = decoded[0].text
        assert scanned_url == listing["scan_url"]
        page = await client.get(scanned_url, headers={"Accept": "text/html"},
                                follow_redirects=True)  # a phone follows to the page
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "Sầu riêng Khánh Sơn" in page.text and "★★★★☆" in page.text
        assert certificate["number"] in page.text and "Sản phẩm OCOP 4 sao" in page.text
        english = await client.get(scanned_url, params={"lang": "en"}, follow_redirects=True)
        assert "4-star OCOP product" in english.text
        facts = (await client.get(scanned_url, headers={"Accept": "application/json"})).json()
        assert facts["ocop"]["certified"] is True and facts["ocop"]["stars"] == 4
        assert facts["subject"]["province"] == "Khánh Hòa"

        # The office revokes it: off the catalog, and the label says so.
        await admin.call("POST", "rating", f"/certificates/{certificate['id']}/revocation",
                         json={"reason": "Sử dụng nhãn OCOP sai quy định"})
        await anyone.until("GET", "catalog", f"/listings/{product['id']}", expect=404)
        gone = await anyone.call("GET", "catalog", "/listings", params={"q": "sau rieng"})
        assert gone["items"] == []

        async def scan_says_revoked() -> bool:
            facts = (await client.get(scanned_url, params={"format": "json"})).json()
            return facts["ocop"]["state"] == "revoked"

        await wait_until(scan_says_revoked)
        revoked_page = await client.get(scanned_url, follow_redirects=True)
        assert "KHÔNG còn là sản phẩm OCOP" in revoked_page.text
        assert "★★★★☆" not in revoked_page.text
        assert (await client.get(scanned_url, params={"format": "json"})).json()["ocop"][
            "certified"] is False


async def test_flow_on_the_embedded_defaults(make_settings: Callable[..., Settings]) -> None:
    await walk_the_flow(make_settings(), shared_bus=True)


@pytest.mark.kafka
@pytest.mark.s3
async def test_flow_distributed_on_kafka_and_s3(make_settings: Callable[..., Settings],
                                                kafka_broker: TansuBroker,
                                                s3_bucket_url: str) -> None:
    settings = make_settings(bus_url=f"kafka://127.0.0.1:{kafka_broker.port}",
                             objects_url=s3_bucket_url)
    await walk_the_flow(settings, shared_bus=False)
