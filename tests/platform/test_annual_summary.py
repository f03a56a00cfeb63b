"""The annual summary reproduces the figures Khánh Sơn district reported for 2024
(DOMAIN.md): 21 products of 9 subjects registered; 16 products of 5 subjects recognised,
4 × 4★ and 12 × 3★; food 9 products (1 cooperative group, 2 enterprises), beverages 1
(1 enterprise), handicrafts 4 (1 household business), tourism 2 (1 enterprise, 1 household
business). Everything is entered through the public API, as an office would."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import openpyxl
from pypdf import PdfReader

from shared.platform.config import Settings
from tests.support.platform import PAPER_DOSSIER, User, office_signed_in

TODAY = date(2026, 11, 20)
"""The day this story is told from (``tests/support/time_travel.py``): after the 2024
review it reproduces, under today's two-level local government."""
PASSWORD = "khanh-son-2024"
FOUR, THREE, TWO = (30, 20, 25), (25, 15, 20), (15, 10, 15)

# subject -> type, commune, tax or registration code. A subject names the commune it is in
# now: Khánh Sơn district's eight communes became three on 1 July 2025 (Tô Hạp, Sơn Hiệp and
# Sơn Bình: Xã Khánh Sơn; Thành Sơn and Sơn Lâm: Xã Tây Khánh Sơn; Sơn Trung and Ba Cụm Bắc
# and Nam: Xã Đông Khánh Sơn), and the former district stays on its 2024 records.
SUBJECTS = {
    "THT Cà phê Sơn Bình": ("cooperative_group", "Xã Khánh Sơn", "THT-SB-01"),
    "Công ty Nông sản Khánh Sơn": ("enterprise", "Xã Khánh Sơn", "0100233488"),
    "Công ty Du lịch Tô Hạp": ("enterprise", "Xã Khánh Sơn", "0100109106"),
    "Hộ Mây tre Ba Cụm": ("household_business", "Xã Đông Khánh Sơn", "37A8001234"),
    "Hộ Homestay Sơn Lâm": ("household_business", "Xã Tây Khánh Sơn", "37A8005678"),
    # subjects whose products were registered but not recognised in 2024
    "HTX Sầu riêng Sơn Hiệp": ("cooperative", "Xã Khánh Sơn", "0401234566"),
    "Hộ Mật ong Thành Sơn": ("household_business", "Xã Tây Khánh Sơn", "37A8009999"),
    "Hộ Chuối Sơn Trung": ("household_business", "Xã Đông Khánh Sơn", "37A8007777"),
    "Công ty Trà Ba Cụm": ("enterprise", "Xã Đông Khánh Sơn", "0100233512"),
}
# product: subject, group, subgroup, scores (None: registered, never evaluated), decided on
RECOGNISED = [
    ("Sầu riêng Khánh Sơn", "THT Cà phê Sơn Bình", "food", "fresh_produce", FOUR, "2024-03-20"),
    ("Cà phê Sơn Bình", "THT Cà phê Sơn Bình", "food", "coffee_cocoa", THREE, "2024-03-20"),
    ("Bơ sáp Sơn Bình", "THT Cà phê Sơn Bình", "food", "fresh_produce", THREE, "2024-03-20"),
    ("Sầu riêng sấy", "Công ty Nông sản Khánh Sơn", "food", "processed_produce", FOUR,
     "2024-03-20"),
    ("Mứt sầu riêng", "Công ty Nông sản Khánh Sơn", "food", "processed_produce", THREE,
     "2024-03-20"),
    ("Gạo lúa rẫy", "Công ty Nông sản Khánh Sơn", "food", "grains", THREE, "2024-03-20"),
    ("Rượu sim", "Công ty Nông sản Khánh Sơn", "beverages", "other_alcoholic", THREE,
     "2024-03-20"),
    ("Chuối sấy", "Công ty Du lịch Tô Hạp", "food", "processed_produce", THREE, "2024-03-20"),
    ("Mật ong rừng", "Công ty Du lịch Tô Hạp", "food", "honey_confectionery", FOUR,
     "2024-10-15"),
    ("Sầu riêng Ri6", "Công ty Du lịch Tô Hạp", "food", "fresh_produce", THREE, "2024-10-15"),
    ("Gùi mây", "Hộ Mây tre Ba Cụm", "handicrafts", "household_decor", THREE, "2024-10-15"),
    ("Giỏ tre", "Hộ Mây tre Ba Cụm", "handicrafts", "household_decor", THREE, "2024-10-15"),
    ("Đàn đá", "Hộ Mây tre Ba Cụm", "handicrafts", "household_decor", THREE, "2024-10-15"),
    ("Khung cửi Raglai", "Hộ Mây tre Ba Cụm", "handicrafts", "textiles", THREE, "2024-10-15"),
    ("Du lịch thác Tà Gụ", "Công ty Du lịch Tô Hạp", "tourism", "community_tourism", FOUR,
     "2024-10-15"),
    ("Homestay Sơn Lâm", "Hộ Homestay Sơn Lâm", "tourism", "community_tourism", THREE,
     "2024-10-15"),
]
NOT_RECOGNISED = [
    ("Sầu riêng Sơn Hiệp", "HTX Sầu riêng Sơn Hiệp", "food", "fresh_produce", TWO),
    ("Mật ong Thành Sơn", "Hộ Mật ong Thành Sơn", "food", "honey_confectionery", TWO),
    ("Chuối mật", "Hộ Chuối Sơn Trung", "food", "fresh_produce", None),
    ("Trà Ba Cụm", "Công ty Trà Ba Cụm", "beverages", "non_alcoholic", None),
    ("Trà gừng", "Công ty Trà Ba Cụm", "beverages", "non_alcoholic", None),
]


async def evaluate(admin: User, member: User, product_id: str, scores: tuple[int, ...],
                   decided_on: str | None) -> dict[str, Any] | None:
    await admin.call("POST", "registry", f"/products/{product_id}/submission",
                     json=PAPER_DOSSIER)
    evaluated_on = f"{(decided_on or '2024')[:4]}-03-01"
    evaluation = await admin.until("POST", "rating", "/evaluations", expect=201, json={
        "product_id": product_id, "evaluation_date": evaluated_on})
    await member.call("POST", "rating", f"/evaluations/{evaluation['id']}/score-sheets",
                      expect=201, json=dict(zip(("part_a", "part_b", "part_c"), scores,
                                                strict=True)))
    await admin.call("POST", "rating", f"/evaluations/{evaluation['id']}/closing")
    if decided_on is None:
        return None
    return await admin.call("POST", "rating", f"/evaluations/{evaluation['id']}/recognition",
                            expect=201, json={"decision_number": f"{product_id[-4:]}/QĐ-UBND",
                                              "decision_date": decided_on})


async def test_the_khanh_son_2024_summary(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as admin:
        anyone = admin.anonymous()
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": "council", "password": PASSWORD, "role": "council_member"})
        member = await anyone.sign_in("council", PASSWORD)

        subject_ids = {}
        for name, (kind, commune, code) in SUBJECTS.items():
            subject = await admin.call("POST", "registry", "/subjects", expect=201, json={
                "type": kind, "name": name, "code": code, "province": "Khánh Hòa",
                "district": "Khánh Sơn", "commune": commune, "registered_on": "2024-01-15"})
            subject_ids[name] = subject["id"]
        # Outside the summary: another district's product, and a Khánh Sơn product of 2023.
        elsewhere = await admin.call("POST", "registry", "/subjects", expect=201, json={
            "type": "enterprise", "name": "Công ty Xoài Cam Lâm", "code": "0100233505",
            "province": "Khánh Hòa", "district": "Cam Lâm", "commune": "Xã Cam Lâm",
            "registered_on": "2023-05-01"})

        async def product(name: str, subject_id: str, group: str, subgroup: str,
                          registered_on: str = "2024-02-01") -> str:
            created = await admin.call("POST", "registry", "/products", expect=201, json={
                "subject_id": subject_id, "name": name, "group": group, "subgroup": subgroup,
                "registered_on": registered_on})
            return str(created["id"])

        certificates = []
        for name, subject, group, subgroup, scores, decided_on in RECOGNISED:
            pid = await product(name, subject_ids[subject], group, subgroup)
            certificates.append(await evaluate(admin, member, pid, scores, decided_on))
        for name, subject, group, subgroup, scores in NOT_RECOGNISED:
            pid = await product(name, subject_ids[subject], group, subgroup)
            if scores:
                await evaluate(admin, member, pid, scores, None)
        mango = await product("Xoài Cam Lâm", elsewhere["id"], "food", "fresh_produce")
        await evaluate(admin, member, mango, FOUR, "2024-05-05")
        old = await product("Sầu riêng 2023", subject_ids["THT Cà phê Sơn Bình"], "food",
                            "fresh_produce", registered_on="2023-02-01")
        await evaluate(admin, member, old, THREE, "2023-09-09")
        assert {c["level"] for c in certificates if c and c["stars"] == 3} == {"district"}
        assert {c["level"] for c in certificates if c and c["stars"] == 4} == {"province"}
        # one certificate of the October decisions is revoked: still recognised in 2024,
        # but not among those about to expire
        october = next(c for c in certificates if c and c["decision_date"] == "2024-10-15")
        await admin.call("POST", "rating", f"/certificates/{october['id']}/revocation",
                         json={"reason": "Không duy trì điều kiện sản xuất"})

        params = {"province": "Khánh Hòa", "district": "Khánh Sơn",
                  "as_of": "2027-06-01", "expiring_within_months": 6}
        summary = await admin.call("GET", "rating", "/summaries/2024", params=params)

    assert summary["registered"] == {"products": 21, "subjects": 9}
    recognised = summary["recognised"]
    assert (recognised["products"], recognised["subjects"]) == (16, 5)
    assert recognised["by_stars"] == {"3": 12, "4": 4, "5": 0}
    assert {g["group"]: (g["products"], g["subjects"], g["subjects_by_type"])
            for g in recognised["by_group"]} == {
        "food": (9, 3, {"cooperative_group": 1, "enterprise": 2}),
        "beverages": (1, 1, {"enterprise": 1}),
        "handicrafts": (4, 1, {"household_business": 1}),
        "tourism": (2, 2, {"enterprise": 1, "household_business": 1}),
    }
    assert {(g["group"], g["subgroup"]): g["products"] for g in recognised["by_subgroup"]} == {
        ("beverages", "other_alcoholic"): 1, ("food", "coffee_cocoa"): 1,
        ("food", "fresh_produce"): 3, ("food", "grains"): 1, ("food", "honey_confectionery"): 1,
        ("food", "processed_produce"): 3, ("handicrafts", "household_decor"): 3,
        ("handicrafts", "textiles"): 1, ("tourism", "community_tourism"): 2}
    assert {t["type"]: (t["products"], t["subjects"])
            for t in recognised["by_subject_type"]} == {
        "cooperative_group": (3, 1), "enterprise": (8, 2), "household_business": (5, 2)}
    assert {c["commune"]: c["products"] for c in recognised["by_commune"]} == {
        "Xã Khánh Sơn": 11, "Xã Đông Khánh Sơn": 4, "Xã Tây Khánh Sơn": 1}
    # decided 15 Oct 2024, valid until 14 Oct 2027: within six months of 1 June 2027
    expiring = summary["expiring"]["certificates"]
    assert len(expiring) == 7 and {c["valid_until"] for c in expiring} == {"2027-10-14"}
    assert october["number"] not in {c["number"] for c in expiring}


async def test_the_summary_as_csv_xlsx_and_pdf(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as admin:
        client = admin.client
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": "council", "password": PASSWORD, "role": "council_member"})
        member = await admin.anonymous().sign_in("council", PASSWORD)
        subject = await admin.call("POST", "registry", "/subjects", expect=201, json={
            "type": "enterprise", "name": "Công ty Nông sản Khánh Sơn", "code": "0100233488",
            "province": "Khánh Hòa", "district": "Khánh Sơn", "commune": "Xã Khánh Sơn",
            "registered_on": "2024-01-15"})
        created = await admin.call("POST", "registry", "/products", expect=201, json={
            "subject_id": subject["id"], "name": "Sầu riêng sấy", "group": "food",
            "subgroup": "processed_produce", "registered_on": "2024-02-01"})
        await evaluate(admin, member, created["id"], FOUR, "2024-03-20")
        params = {"province": "khanh hoa", "district": "Khánh Sơn"}
        as_csv = await admin.call("GET", "rating", "/summaries/2024",
                                  params=params | {"format": "csv"})
        as_xlsx = await admin.call("GET", "rating", "/summaries/2024",
                                   params=params | {"format": "xlsx"})
        as_pdf = await admin.call("GET", "rating", "/summaries/2024",
                                  params=params | {"format": "pdf"})
        as_json = await admin.call("GET", "rating", "/summaries/2024", params=params)
        refused = await client.get(admin.urls["rating"] + "/summaries/2024", params=params)
    assert refused.status_code == 401
    # each commune's and group's products by stars, for the office's charts
    assert [(c["commune"], c["by_stars"]) for c in as_json["recognised"]["by_commune"]] == [
        ("Xã Khánh Sơn", {"3": 0, "4": 1, "5": 0})]
    assert as_json["recognised"]["by_group"][0]["by_stars"] == {"3": 0, "4": 1, "5": 0}
    # the PDF an office files: under the national heading, the year's figures
    assert as_pdf.headers["content-type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(as_pdf.content)).pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "KẾT QUẢ OCOP NĂM 2024" in text and "Xã Khánh Sơn" in text
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    figures = {(r["section"], r["code"]): r["products"] for r in rows}
    assert figures[("registered", "")] == "1" and figures[("by_stars", "4")] == "1"
    assert figures[("by_group", "food")] == "1"
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content))
    sheet = book["Tổng hợp"]
    assert "2024" in sheet["A1"].value and "Khánh Sơn" in sheet["A1"].value
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Công nhận / recognised", 1, 1] in [row[:3] for row in values]
    assert len(sheet._charts) == 2  # stars and groups

