"""After recognition: upgrade and downgrade through new evaluations, renewal before expiry,
and the expiry sweep; each change reaches the catalog and the scan page."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from shared.platform.config import Settings
from tests.support.demo import wait_until
from tests.support.platform import PAPER_DOSSIER, User, office_signed_in, propose

TODAY = date(2026, 11, 20)
"""The day this story is told from (``tests/support/time_travel.py``): certificates of 2023
have lapsed, the 2024 one is in force, rounds follow the 2025 procedure."""
PASSWORD = "lifecycle-pass"
STARS = {3: (25, 15, 20), 4: (30, 20, 25), 5: (38, 24, 33)}


@dataclass
class Office:
    admin: User
    member: User
    subject_id: str

    async def evaluate(self, product_id: str, stars: int, evaluated_on: str,
                       round_id: str | None = None) -> dict[str, Any]:
        """Proposed by the commune (from July 2025), scored and closed."""
        if round_id is None:
            await propose(self.admin, product_id, assessed_on=evaluated_on)
        evaluation = await self.admin.until("POST", "rating", "/evaluations", expect=201, json={
            "product_id": product_id, "evaluation_date": evaluated_on, "round_id": round_id})
        await self.member.call(
            "POST", "rating", f"/evaluations/{evaluation['id']}/score-sheets", expect=201,
            json=dict(zip(("part_a", "part_b", "part_c"), STARS[stars], strict=True)))
        return await self.admin.call(  # type: ignore[no-any-return]
            "POST", "rating", f"/evaluations/{evaluation['id']}/closing")

    async def certify(self, product_id: str, stars: int, evaluated_on: str,
                      decided_on: str, round_id: str | None = None) -> dict[str, Any]:
        closed = await self.evaluate(product_id, stars, evaluated_on, round_id)
        return await self.admin.call(  # type: ignore[no-any-return]
            "POST", "rating", f"/evaluations/{closed['id']}/recognition", expect=201,
            json={"decision_number": "7/QĐ-UBND", "decision_date": decided_on})

    async def product(self, name: str) -> str:
        created = await self.admin.call("POST", "registry", "/products", expect=201, json={
            "subject_id": self.subject_id, "name": name, "group": "food",
            "subgroup": "tea", "registered_on": "2023-01-10"})
        await self.admin.call("POST", "registry", f"/products/{created['id']}/submission",
                              json=PAPER_DOSSIER)
        return str(created["id"])


@pytest.fixture
async def office(make_settings: Callable[..., Settings]) -> AsyncIterator[Office]:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as admin:
        anyone = admin.anonymous()
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": "council", "password": PASSWORD, "role": "council_member"})
        subject = await admin.call("POST", "registry", "/subjects", expect=201, json={
            "type": "cooperative", "name": "HTX Chè Tân Cương", "code": "0100109106",
            "province": "Thái Nguyên", "district": "Thái Nguyên", "commune": "Xã Tân Cương",
            "registered_on": "2023-01-05"})
        yield Office(admin, await anyone.sign_in("council", PASSWORD), subject["id"])


async def listing(office: Office, product_id: str) -> dict[str, Any] | None:
    response = await office.admin.client.get(
        f"{office.admin.urls['catalog']}/listings/{product_id}")
    return response.json() if response.status_code == 200 else None


async def scan(office: Office, product_id: str) -> dict[str, Any]:
    response = await office.admin.client.get(
        f"{office.admin.urls['traceability']}/p/{product_id}", params={"format": "json"})
    return response.json()  # type: ignore[no-any-return]


async def test_upgrade_and_downgrade_replace_the_certificate_everywhere(office: Office) -> None:
    product = await office.product("Chè Tân Cương")
    first = await office.certify(product, 3, "2024-04-01", "2024-05-02")
    assert first["level"] == "district"

    async def shows(stars: int, number: str) -> bool:
        listed, scanned = await listing(office, product), await scan(office, product)
        return (listed is not None and listed["stars"] == stars
                and listed["certificate"]["number"] == number
                and "ocop" in scanned  # (a 404 until traceability has the product)
                and scanned["ocop"]["stars"] == stars
                and scanned["ocop"]["certificate"]["number"] == number)

    await wait_until(lambda: shows(3, first["number"]))
    # 5★ at the province: proposed to the central level, which evaluates and recognises it
    provincial = await office.evaluate(product, 5, "2025-08-01")
    assert provincial["result"]["proposed_to_central"] is True
    refused = await office.admin.client.post(
        f"{office.admin.urls['rating']}/evaluations/{provincial['id']}/recognition",
        headers=office.admin.headers, json={"decision_number": "8/QĐ-UBND"})
    assert refused.status_code == 409 and refused.json()["type"].endswith(
        "/proposed-to-central")
    central = await office.admin.call("POST", "rating", "/rounds", expect=201, json={
        "name": "Đánh giá 5 sao 2025", "level": "central", "province": "Thái Nguyên",
        "opens_on": "2025-08-15", "closes_on": "2025-12-31",
        "council": "Hội đồng Trung ương", "members": ["council"]})
    upgraded = await office.certify(product, 5, "2025-09-01", "2025-09-15", central["id"])
    assert upgraded["level"] == "central"
    await wait_until(lambda: shows(5, upgraded["number"]))
    downgraded = await office.certify(product, 4, "2026-01-10", "2026-02-01")
    assert downgraded["level"] == "province"
    await wait_until(lambda: shows(4, downgraded["number"]))
    history = await office.admin.call("GET", "rating", "/certificates",
                                      params={"product_id": product})
    assert {c["number"]: c["status"] for c in history["items"]} == {
        first["number"]: "superseded", upgraded["number"]: "superseded",
        downgraded["number"]: "active"}


async def test_each_certificate_has_its_pdf_in_the_object_store(
        office: Office, make_settings: Callable[..., Settings]) -> None:
    product = await office.product("Chè Tân Cương đặc biệt")
    certificate = await office.certify(product, 4, "2026-01-10", "2026-02-01")
    stored = (make_settings().data_dir / "objects" / "certificates" / certificate["id"]
              / "active.pdf")

    async def drawn() -> bool:
        return stored.exists()

    await wait_until(drawn)  # drawn just after the decision, not when first asked for
    response = await office.admin.client.get(
        f"{office.admin.urls['rating']}/certificates/{certificate['id']}/pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content == stored.read_bytes()
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for expected in ("GIẤY CHỨNG NHẬN SẢN PHẨM OCOP", "Chè Tân Cương đặc biệt",
                     "HTX Chè Tân Cương", certificate["number"], "Đạt hạng 4 sao",
                     "01/02/2026", "31/01/2029", "Ủy ban nhân dân tỉnh Thái Nguyên".upper(),
                     "People's Committee of Thái Nguyên Province"):
        assert expected in text, expected


def pdf_text_and_qr(pdf: bytes) -> tuple[str, str]:
    """The PDF's text, and what its QR code says (read by zxing-cpp, as a phone would)."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    codes = [code.text for image in page.images
             for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))]
    assert len(codes) == 1, codes
    return page.extract_text(), codes[0]


async def test_an_expired_certificate_is_stamped_expired(office: Office) -> None:
    lapsed = await office.certify(await office.product("Chè móc câu"), 3, "2023-05-01",
                                  "2023-06-01")
    response = await office.admin.anonymous().client.get(
        f"{office.admin.urls['rating']}/certificates/{lapsed['id']}/pdf")
    text, _ = pdf_text_and_qr(response.content)
    assert "HẾT HIỆU LỰC" in text and "EXPIRED" in text and "31/05/2026" in text


async def test_renewal_before_expiry_extends_and_late_renewal_is_refused(
        office: Office) -> None:
    product = await office.product("Chè búp Tân Cương")
    current = await office.certify(product, 4, "2024-01-02", "2024-01-10")
    assert current["valid_until"] == "2027-01-09"
    renewed = await office.admin.call(
        "POST", "rating", f"/certificates/{current['id']}/renewal", expect=201,
        json={"decision_number": "88/QĐ-UBND", "decision_date": "2026-11-01"})
    assert (renewed["stars"], renewed["valid_until"], renewed["level"]) == (
        4, "2029-10-31", "province")

    async def renewed_everywhere() -> bool:
        listed, scanned = await listing(office, product), await scan(office, product)
        return (listed is not None and listed["certificate"]["number"] == renewed["number"]
                and "ocop" in scanned
                and scanned["ocop"]["certificate"]["valid_until"] == "2029-10-31")

    await wait_until(renewed_everywhere)
    again = await office.admin.client.post(
        f"{office.admin.urls['rating']}/certificates/{current['id']}/renewal",
        headers=office.admin.headers, json={"decision_number": "89/QĐ-UBND"})
    assert again.status_code == 409 and again.json()["type"].endswith("/not-active")

    old = await office.product("Chè xanh 2023")
    lapsed = await office.certify(old, 3, "2023-05-01", "2023-06-01")  # valid to 2026-05-31
    late = await office.admin.client.post(
        f"{office.admin.urls['rating']}/certificates/{lapsed['id']}/renewal",
        headers=office.admin.headers, json={"decision_number": "90/QĐ-UBND",
                                            "decision_date": "2026-06-01"})
    assert late.status_code == 400 and late.json()["type"].endswith("/renewal-too-late")
    assert late.json()["errors"][0]["field"] == "decision_date"


async def test_the_expiry_sweep_expires_once_and_everything_follows(office: Office) -> None:
    product = await office.product("Chè móc câu")
    lapsed = await office.certify(product, 3, "2023-05-01", "2023-06-01")
    fresh = await office.certify(await office.product("Chè đinh"), 4, "2026-10-01",
                                 "2026-10-02")
    # shown as expired at once (by date), before any sweep
    await wait_until(lambda: _state(office, product, "expired"))
    assert await listing(office, product) is None
    assert (await office.admin.call("GET", "rating", f"/certificates/{lapsed['id']}"))[
        "status"] == "expired"

    swept = await office.admin.call("POST", "rating", "/certificates/expiry")
    assert swept == {"expired": 1}
    assert await office.admin.call("POST", "rating", "/certificates/expiry") == {"expired": 0}
    assert (await office.admin.call("GET", "rating", f"/certificates/{fresh['id']}"))[
        "status"] == "active"
    page = await office.admin.client.get(f"{office.admin.urls['traceability']}/p/{product}")
    # its last valid day, said as such: it expired on 1 June
    assert "chỉ có hiệu lực đến hết ngày 31/05/2026" in page.text
    # a new evaluation certifies it again, as a first certification
    again = await office.certify(product, 3, "2026-11-01", "2026-11-02")
    await wait_until(lambda: _state(office, product, "active"))
    listed = await listing(office, product)
    assert listed is not None and listed["certificate"]["number"] == again["number"]


async def _state(office: Office, product_id: str, state: str) -> bool:
    scanned = await office.admin.client.get(
        f"{office.admin.urls['traceability']}/p/{product_id}", params={"format": "json"})
    return scanned.status_code == 200 and scanned.json()["ocop"]["state"] == state


async def test_only_the_rounds_council_scores_and_rounds_follow_the_levels_of_their_time(
        office: Office) -> None:
    rating = office.admin.urls["rating"]
    round_body = {"name": "Đợt 2 năm 2026", "level": "district", "province": "Thái Nguyên",
                  "opens_on": "2026-09-01", "closes_on": "2026-11-30",
                  "council": "Hội đồng OCOP tỉnh Thái Nguyên", "members": ["council"]}
    no_district = await office.admin.client.post(f"{rating}/rounds", json=round_body,
                                                 headers=office.admin.headers)
    assert no_district.status_code == 400 and no_district.json()["errors"][0]["field"] == "level"
    held = await office.admin.call("POST", "rating", "/rounds", expect=201,
                                   json=round_body | {"level": "province"})
    assert held["members"] == ["council"] and held["year"] == 2026
    old_round = await office.admin.call("POST", "rating", "/rounds", expect=201, json=round_body
                                        | {"opens_on": "2024-03-01", "closes_on": "2024-04-30"})
    assert old_round["level"] == "district"  # districts still rated products in 2024

    product = await office.product("Chè Tân Cương hội đồng")
    outside = await office.admin.client.post(f"{rating}/evaluations", headers=office.admin.headers,
                                             json={"product_id": product, "round_id": held["id"],
                                                   "evaluation_date": "2026-08-31"})
    assert outside.status_code == 400 and outside.json()["type"].endswith("/outside-round")
    await propose(office.admin, product, assessed_on="2026-09-20")
    evaluation = await office.admin.until("POST", "rating", "/evaluations", expect=201, json={
        "product_id": product, "round_id": held["id"], "evaluation_date": "2026-10-01"})
    await office.admin.call("POST", "registry", "/users", expect=201, json={
        "username": "outsider", "password": PASSWORD, "role": "council_member"})
    outsider = await office.admin.anonymous().sign_in("outsider", PASSWORD)
    sheet = {"part_a": 30, "part_b": 20, "part_c": 25}
    path = f"{rating}/evaluations/{evaluation['id']}/score-sheets"
    refused = await office.admin.client.post(path, json=sheet, headers=outsider.headers)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/not-a-member")
    await office.member.call("POST", "rating", f"/evaluations/{evaluation['id']}/score-sheets",
                             expect=201, json=sheet)
    stored = await office.admin.call("GET", "rating", f"/evaluations/{evaluation['id']}")
    assert [s["member"] for s in stored["score_sheets"]] == ["council"]


async def test_registry_changes_after_certification_reach_the_listing_and_the_label(
        office: Office) -> None:
    product = await office.product("Chè Tân Cương")
    certificate = await office.certify(product, 4, "2026-10-01", "2026-10-02")
    catalog, tracing = office.admin.urls["catalog"], office.admin.urls["traceability"]

    async def label_url() -> str | None:
        response = await office.admin.client.get(f"{tracing}/labels/{product}")
        return response.json()["scan_url"] if response.status_code == 200 else None

    async def labelled_by_id() -> bool:
        return (await label_url() or "").endswith(f"/p/{product}")

    async def printed() -> list[str]:
        """What a phone reads off the label's artwork (drawn when first asked for)."""
        png = await office.admin.client.get(f"{tracing}/labels/{product}/qr.png")
        svg = await office.admin.client.get(f"{tracing}/labels/{product}/qr.svg")
        assert png.status_code == svg.status_code == 200
        assert svg.headers["content-type"] == "image/svg+xml" and b"<path" in svg.content
        return [c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))]

    await wait_until(labelled_by_id)
    assert await printed() == [await label_url()]
    await office.admin.call("PATCH", "registry", f"/products/{product}", json={
        "name": "Chè búp Tân Cương Thái Nguyên", "gtin": "8934563138165"})

    async def everywhere() -> bool:
        listed = await listing(office, product)
        found = await office.admin.client.get(f"{catalog}/listings",
                                              params={"q": "che bup thai nguyen"})
        scanned = await scan(office, product)
        return (listed is not None and listed["name"] == "Chè búp Tân Cương Thái Nguyên"
                and listed["gtin"] == "08934563138165"
                and [i["product_id"] for i in found.json()["items"]] == [product]
                and (await label_url() or "").endswith("/01/08934563138165")
                and listed["scan_url"] == await label_url()
                and scanned.get("product", {}).get("name") == "Chè búp Tân Cương Thái Nguyên")

    await wait_until(everywhere)
    assert await printed() == [f"{tracing}/01/08934563138165"]  # the old code is not kept
    gs1 = await office.admin.client.get(f"{tracing}/01/08934563138165",
                                        params={"format": "json"})
    assert gs1.json()["ocop"]["certificate"]["number"] == certificate["number"]
