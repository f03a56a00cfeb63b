"""An office's registry work: bulk import of the lists it keeps (CSV, XLSX; all or nothing by
default, each refused row named with its field and reason; the ocop command with a progress
bar), and the producers' annual cycle and dossiers with their checklist."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from typer.testing import CliRunner

from services.cli import app as ocop
from shared.platform.config import Settings
from tests.support.platform import (
    PAPER_DOSSIER,
    User,
    accepted_dossier,
    add_admin,
    office_signed_in,
)

TODAY = date(2026, 11, 20)
"""The day this story is told from (``tests/support/time_travel.py``): its lists hold
records of 2024, and rows without a date are registered under two-level government."""
PASSWORD = "import-pass-1"
SUBJECTS_CSV = """Loại chủ thể;Tên chủ thể;Mã số thuế;Tỉnh;Huyện;Xã;Ngày đăng ký;Người đại diện
HTX;HTX Nông nghiệp Sơn Bình;0100109106;Khánh Hòa;Khánh Sơn;Xã Khánh Sơn;15/01/2024;Bà Mấu Thị Hoa
Doanh nghiệp;Công ty Nông sản Khánh Sơn;0100233488;Khánh Hòa;Khánh Sơn;xa khanh son;2024-02-01;
THT;Tổ hợp tác Cà phê;THT-SB-01;Khánh Hòa;Khánh Sơn;Xã Khánh Sơn;01/03/2024;
"""
"""Records of 2024: their former district, and the commune they are in now."""
BROKEN_ROWS = """Hộ kinh doanh;Hộ Mây tre;37A8001234;Khánh Hòa;;Xã Đông Khánh Sơn;01/03/2024;
Doanh nghiệp;Công ty Sai Mã;0100233489;Khánh Hòa;Khánh Sơn;Xã Tây Khánh Sơn;01/03/2024;
Tàu vũ trụ;Không rõ loại;12345;Khánh Hòa;Khánh Sơn;Xã Tây Khánh Sơn;31/02/2024;
"""


@pytest.fixture
async def office(make_settings: Callable[..., Settings]) -> AsyncIterator[User]:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as admin:
        yield admin


async def post_file(office: User, kind: str, data: bytes, content_type: str,
                    **params: str) -> httpx.Response:
    return await office.client.post(
        f"{office.urls['registry']}/imports/{kind}", content=data, params=params,
        headers=office.headers | {"Content-Type": content_type})


async def subject_count(office: User) -> int:
    page = await office.call("GET", "registry", "/subjects", params={"limit": 1000})
    return len(page["items"])


async def test_one_broken_row_and_nothing_is_imported(office: User) -> None:
    response = await post_file(office, "subjects", (SUBJECTS_CSV + BROKEN_ROWS).encode(),
                               "text/csv")
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/import-rejected") and body["detail_vi"]
    refused = {e["field"]: e["message"] for e in body["errors"]}
    assert "before 1 July 2025" in refused["row 5: district"]
    assert "tax code" in refused["row 6: code"]
    assert "DN, HTX" in refused["row 7: type"]
    assert "dd/mm/yyyy" in refused["row 7: registered_on"]
    assert await subject_count(office) == 0


async def test_partial_import_keeps_the_valid_rows_and_reports_the_rest(office: User) -> None:
    response = await post_file(office, "subjects", (SUBJECTS_CSV + BROKEN_ROWS).encode(),
                               "text/csv", partial="true")
    assert response.status_code == 200
    report = response.json()
    assert report["created"] == 3 and [r["row"] for r in report["rejected"]] == [5, 6, 7]
    subjects = (await office.call("GET", "registry", "/subjects"))["items"]
    by_name = {s["name"]: s for s in subjects}
    assert by_name["HTX Nông nghiệp Sơn Bình"]["type"] == "cooperative"
    assert by_name["HTX Nông nghiệp Sơn Bình"]["representatives"][0]["name"] == "Bà Mấu Thị Hoa"
    assert by_name["Tổ hợp tác Cà phê"]["registered_on"] == "2024-03-01"
    # the same file again: every row is now a duplicate, and is refused as such
    again = await post_file(office, "subjects", SUBJECTS_CSV.encode(), "text/csv")
    assert again.status_code == 422
    assert {e["field"] for e in again.json()["errors"]} == {"row 2: row", "row 3: row",
                                                            "row 4: row"}
    assert "already registered" in again.json()["errors"][0]["message"]


async def test_products_from_an_excel_sheet_name_their_subject_by_code(office: User) -> None:
    await post_file(office, "subjects", SUBJECTS_CSV.encode(), "text/csv")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã số thuế chủ thể", "Tên sản phẩm", "Nhóm sản phẩm", "Phân nhóm",
                  "Mã vạch", "Ngày đăng ký"])
    sheet.append(["0100233488", "Sầu riêng Khánh Sơn", "Thực phẩm", "fresh_produce",
                  8934563138165, "01/02/2024"])
    sheet.append(["0100109106", "Cà phê Sơn Bình", "food", "Cà phê, ca cao", None, None])
    out = io.BytesIO()
    book.save(out)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = await post_file(office, "products", out.getvalue(), xlsx)
    assert response.status_code == 200 and response.json()["created"] == 2
    products = (await office.call("GET", "registry", "/products"))["items"]
    assert {(p["name"], p["group"], p["subgroup"], p["gtin"]) for p in products} == {
        ("Sầu riêng Khánh Sơn", "food", "fresh_produce", "08934563138165"),
        ("Cà phê Sơn Bình", "food", "coffee_cocoa", None)}

    sheet.append(["9999999999", "Không có chủ", "food", "tea", None, None])
    out = io.BytesIO()
    book.save(out)
    refused = await post_file(office, "products", out.getvalue(), xlsx)
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert fields == {"row 2: row", "row 4: subject_code"}  # row 2: its GTIN is taken
    garbage = await post_file(office, "products", b"PK\x03\x04 not a workbook", xlsx)
    assert garbage.status_code == 400 and garbage.json()["type"].endswith("/unreadable-file")
    missing = await post_file(office, "products", b"name;group\nx;food\n", "text/csv")
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} == {"subject_code", "subgroup"}


async def test_the_ocop_command_imports_with_a_progress_bar(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    file = tmp_path / "chu-the.csv"
    file.write_text(SUBJECTS_CSV + BROKEN_ROWS, encoding="utf-8")
    env = {"OCOP_STORE_URL": settings.store_url.get_secret_value()}
    await add_admin(settings, "office", "provincial-office-pass")  # the platform's data exists
    args = ["import", "subjects", str(file), "--data-dir", str(settings.data_dir)]
    refused = await asyncio.to_thread(CliRunner().invoke, ocop, args, env=env)
    assert refused.exit_code == 1
    assert "Nothing was imported: 3 row(s) were refused (5, 6, 7)" in refused.output
    partial = await asyncio.to_thread(CliRunner().invoke, ocop, [*args, "--partial"], env=env)
    assert partial.exit_code == 1 and "Imported 3 subjects; 3 row(s) refused." in partial.output
    assert "importing chu-the.csv" in partial.output


async def fish_sauce_cooperative(office: User) -> tuple[User, dict[str, Any]]:
    """A cooperative in Xã Kỳ Khang, Hà Tĩnh, its producer signed in, and its draft
    product."""
    subject = await office.call("POST", "registry", "/subjects", expect=201, json={
        "type": "cooperative", "name": "HTX Nước mắm Phú Khương", "code": "0100109106",
        "province": "Hà Tĩnh", "commune": "Xã Kỳ Khang"})
    await office.call("POST", "registry", "/users", expect=201, json={
        "username": "phu-khuong", "password": PASSWORD, "role": "producer",
        "subject_id": subject["id"]})
    producer = await office.anonymous().sign_in("phu-khuong", PASSWORD)
    product = await producer.call("POST", "registry", "/products", expect=201, json={
        "subject_id": subject["id"], "name": "Nước mắm Phú Khương", "group": "food",
        "subgroup": "seasonings"})
    return producer, product


async def test_the_annual_cycle_and_the_dossier_checklist(office: User) -> None:
    """Idea → plan → dossier, each proposed by the producer and decided by the office; the
    dossier's documents are checked and the checklist says what the group still needs."""
    producer, product = await fish_sauce_cooperative(office)
    cycle = f"/products/{product['id']}/cycle"

    out_of_order = await office.client.post(office.urls["registry"] + cycle,
                                            headers=producer.headers,
                                            json={"stage": "plan", "status": "proposed"})
    assert out_of_order.status_code == 409
    assert out_of_order.json()["type"].endswith("/stage-out-of-order")
    await producer.call("POST", "registry", cycle, json={"stage": "idea", "status": "proposed",
                                                          "note": "Nước mắm truyền thống"})
    self_accept = await office.client.post(office.urls["registry"] + cycle,
                                           headers=producer.headers,
                                           json={"stage": "idea", "status": "accepted"})
    assert self_accept.status_code == 403
    await office.call("POST", "registry", cycle, json={"stage": "idea", "status": "accepted"})
    await producer.call("POST", "registry", cycle, json={"stage": "plan", "status": "proposed"})
    state = await office.call("POST", "registry", cycle, json={"stage": "plan",
                                                                "status": "accepted"})
    assert state["stages"] == {"idea": "accepted", "plan": "accepted"}
    assert [(s["stage"], s["status"], s["by"]) for s in state["cycle"]] == [
        ("idea", "proposed", "phu-khuong"), ("idea", "accepted", "office"),
        ("plan", "proposed", "phu-khuong"), ("plan", "accepted", "office")]

    documents = f"/products/{product['id']}/documents"
    pdf = b"%PDF-1.7\n% a test result\n%%EOF\n"
    added = await producer.call("POST", "registry", documents, expect=201, content=pdf,
                                params={"type": "test_results"},
                                headers={"Content-Type": "application/pdf"})
    for body, content_type, code in ((b"not a pdf", "application/pdf", "unsupported-document"),
                                     (b"GIF89a", "image/gif", "unsupported-document")):
        refused = await office.client.post(office.urls["registry"] + documents, content=body,
                                           params={"type": "product_story"},
                                           headers=producer.headers | {
                                               "Content-Type": content_type})
        assert refused.status_code == 400 and refused.json()["type"].endswith("/" + code)
    unknown_type = await office.client.post(office.urls["registry"] + documents, content=pdf,
                                            params={"type": "horoscope"},
                                            headers=producer.headers | {
                                                "Content-Type": "application/pdf"})
    assert unknown_type.status_code == 422
    dossier = await producer.call("GET", "registry", f"/products/{product['id']}/dossier")
    assert [d["type"] for d in dossier["documents"]] == ["test_results"]
    assert [m["type"] for m in dossier["missing"]] == [
        "product_story", "quality_standard", "food_safety_certificate", "label_packaging"]
    assert dossier["complete"] is False and dossier["missing"][2]["name_vi"].startswith(
        "Giấy chứng nhận an toàn")
    stored = await office.call("GET", "registry",
                               f"/products/{product['id']}/documents/{added['id']}")
    assert stored.content == pdf
    history = await office.call("GET", "registry", "/history", params={
        "entity": "dossier", "entity_id": product["id"]})
    assert [e["action"] for e in history["items"]][:2] == ["document-added", "plan-accepted"]

    # Submission waits for an accepted dossier, and the dossier for a complete checklist.
    submission = f"/products/{product['id']}/submission"
    refused = await office.client.post(office.urls["registry"] + submission,
                                       headers=producer.headers)
    assert refused.status_code == 409 and refused.json()["type"].endswith(
        "/dossier-not-accepted")
    incomplete = await office.client.post(office.urls["registry"] + cycle,
                                          headers=producer.headers,
                                          json={"stage": "dossier", "status": "proposed"})
    assert incomplete.status_code == 409
    assert incomplete.json()["detail"] == ("The dossier still lacks: Product story, Quality "
                                           "standard, Food-safety certificate, Label and "
                                           "packaging.")
    on_paper = await office.client.post(office.urls["registry"] + submission,
                                        headers=producer.headers, json=PAPER_DOSSIER)
    assert on_paper.status_code == 409  # only the office may vouch for a paper dossier
    await accepted_dossier(producer, office, product["id"])
    submitted = await producer.call("POST", "registry", submission)
    assert submitted["status"] == "submitted" and submitted["paper_dossier"] is None


async def test_the_office_submits_a_product_whose_dossier_it_holds_on_paper(
        office: User) -> None:
    subject = await office.call("POST", "registry", "/subjects", expect=201, json={
        "type": "household_business", "name": "Hộ Mật ong Thành Sơn", "code": "37A8001234",
        "province": "Khánh Hòa", "district": "Khánh Sơn", "commune": "Xã Tây Khánh Sơn",
        "registered_on": "2024-01-15"})
    product = await office.call("POST", "registry", "/products", expect=201, json={
        "subject_id": subject["id"], "name": "Mật ong Thành Sơn", "group": "food",
        "subgroup": "honey_confectionery", "registered_on": "2024-01-20"})
    submission = f"/products/{product['id']}/submission"
    refused = await office.client.post(office.urls["registry"] + submission,
                                       headers=office.headers, json={"paper_dossier": ""})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == \
        "paper_dossier"
    submitted = await office.call("POST", "registry", submission, json=PAPER_DOSSIER)
    assert submitted["paper_dossier"] == PAPER_DOSSIER["paper_dossier"]
    history = await office.call("GET", "registry", "/history", params={
        "entity": "product", "entity_id": product["id"]})
    assert history["items"][0]["action"] == "submitted"
    assert history["items"][0]["changes"]["paper_dossier"]["to"] == \
        PAPER_DOSSIER["paper_dossier"]


async def test_a_commune_officer_decides_on_and_reads_only_its_own_communes_dossiers(
        office: User) -> None:
    producer, product = await fish_sauce_cooperative(office)
    for username, commune in (("xa-ky-khang", "xa ky khang"), ("xa-ky-hoa", "Xã Kỳ Hoa")):
        await office.call("POST", "registry", "/users", expect=201, json={
            "username": username, "password": PASSWORD, "role": "commune_officer",
            "commune": commune, "province": "Hà Tĩnh"})
    own = await office.anonymous().sign_in("xa-ky-khang", PASSWORD)
    other = await office.anonymous().sign_in("xa-ky-hoa", PASSWORD)
    path = f"/products/{product['id']}"
    await producer.call("POST", "registry", f"{path}/cycle",
                        json={"stage": "idea", "status": "proposed"})

    refused = await other.client.post(other.urls["registry"] + f"{path}/cycle",
                                      headers=other.headers,
                                      json={"stage": "idea", "status": "accepted"})
    assert refused.status_code == 403 and refused.json()["detail_vi"]
    unread = await other.client.get(other.urls["registry"] + f"{path}/dossier",
                                    headers=other.headers)
    assert unread.status_code == 403
    state = await own.call("POST", "registry", f"{path}/cycle",
                           json={"stage": "idea", "status": "accepted"})
    assert state["stages"] == {"idea": "accepted"}
    assert state["cycle"][-1]["by"] == "xa-ky-khang"


async def test_each_refused_row_names_its_row_field_column_and_reason(office: User) -> None:
    """Structured, so a page shows the rows without reading the messages' words: the row as
    the spreadsheet numbers it, the field, its column's header as the template writes it,
    and the reason in English and Vietnamese; a partial import's answer says the same."""
    data = (SUBJECTS_CSV + BROKEN_ROWS).encode()
    refused = await post_file(office, "subjects", data, "text/csv")
    assert refused.status_code == 422
    rows = {r["row"]: r["errors"] for r in refused.json()["rejected"]}
    assert sorted(rows) == [5, 6, 7]
    district = rows[5][0]
    assert (district["field"], district["column"]) == ("district", "Huyện")
    assert "before 1 July 2025" in district["message"]
    assert "2025" in district["message_vi"]
    assert district["message_vi"] != district["message"]
    assert {(e["field"], e["column"]) for e in rows[7]} == {
        ("type", "Loại chủ thể"), ("registered_on", "Ngày đăng ký")}
    kept = await post_file(office, "subjects", data, "text/csv", partial="true")
    assert kept.json()["rejected"] == refused.json()["rejected"]
    again = await post_file(office, "subjects", SUBJECTS_CSV.encode(), "text/csv")
    whole = again.json()["rejected"][0]["errors"][0]
    assert (whole["field"], whole["column"]) == ("row", None) and whole["message_vi"]
