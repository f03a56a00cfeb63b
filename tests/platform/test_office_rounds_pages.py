"""The office prepares the rating over plain HTTP: a criteria table uploaded through the web
front is shown back part by part with its subtotals and the 100-point total (a table
whose parts do not add up is refused row by row, in Vietnamese); a round opened with a
three-member council and its chair (without members, closing before it opens, or a chair
who does not sit on it, refused beside the field); an evaluation opened from a commune's
proposal, listed open with "0/3"; a council member kept out."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from openpyxl import Workbook, load_workbook

from shared.platform.config import Settings
from tests.support.clocks import today
from tests.support.platform import PAPER_DOSSIER, cooperative_with_council, propose
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace, sign_in_form

PASSWORD = "rounds-pass-2026"
CSRF = re.compile(r'<meta name="csrf" content="([^"]+)">')
PRODUCT = "Chè búp Tân Cương"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEMBERS = {"hoa": "Nguyễn Thị Hoa", "binh": "Trần Văn Bình", "lan": "Lê Thị Lan"}
CRITERIA = [("A1", "A", "Tổ chức sản xuất", 15), ("A2", "A", "Phát triển sản phẩm", 15),
            ("A3", "A", "Sức mạnh cộng đồng", 10), ("B1", "B", "Tiếp thị", 15),
            ("B2", "B", "Câu chuyện sản phẩm", 10), ("C1", "C", "Chất lượng cảm quan", 20),
            ("C2", "C", "Tiêu chuẩn sản phẩm", 15)]


def table_file(rows: list[tuple[str, str, str, float]]) -> bytes:
    """A criteria table as the template has it: Mã, Phần, Tên tiêu chí, Điểm tối đa."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã", "Phần", "Tên tiêu chí", "Tên tiếng Anh", "Điểm tối đa"])
    for code, part, name, maximum in rows:
        sheet.append([code, part, name, "", maximum])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def sign_in(client: httpx.AsyncClient, web: str, username: str) -> dict[str, str]:
    csrf, cookie = await sign_in_form(client, web)
    signed = await client.post(f"{web}/sign-in", headers=cookie, data={
        "username": username, "password": PASSWORD, "csrf": csrf})
    assert signed.status_code == 303, signed.text
    return {"Cookie": f"ocop_session={signed.cookies['ocop_session']}"}


def field_note(page: str, field: str) -> str:
    """The note beside a form field: the refusal shown after it, before the next field's
    label."""
    found = re.search(rf'id="{field}"((?:(?!<label).)*?)<span class="field-error" '
                      r'role="alert">([^<]+)</span>', page, re.S)
    assert found, page
    return found.group(2)


def members_note(page: str) -> str:
    """The note within the council members' fieldset, after its choices."""
    found = re.search(r'<fieldset id="members".*?<span class="field-error" role="alert">'
                      r'([^<]+)</span>\s*</fieldset>', page, re.S)
    assert found, page
    return found.group(1)


async def test_the_office_loads_a_table_opens_a_round_and_an_evaluation(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        for username, name in MEMBERS.items():
            await office.call("POST", "registry", "/users", expect=201, json={
                "username": username, "password": PASSWORD, "role": "council_member",
                "full_name": name})
        product = await coop.producer.call("POST", "registry", "/products", expect=201, json={
            "subject_id": coop.subject_id, "name": PRODUCT, "group": "food",
            "subgroup": "tea", "registered_on": coop.registered_on})
        await office.call("POST", "registry", f"/products/{product['id']}/submission",
                          json=PAPER_DOSSIER)
        await propose(office, product["id"], assessed_on=today().isoformat())
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=60) as client:
            me = await sign_in(client, web, "office")

            # The groups, none with a table yet; the template comes from the page.
            page = await client.get(f"{web}/office/criteria", headers=me)
            assert page.status_code == 200, page.text
            assert "Thực phẩm" in page.text and "Chưa có bảng" in page.text
            csrf = CSRF.search(page.text)
            assert csrf is not None
            template = await client.get(f"{web}/office/criteria/template.xlsx", headers=me)
            assert template.status_code == 200
            assert template.headers["content-type"].startswith(XLSX)
            assert template.content[:2] == b"PK"  # a zip: an XLSX workbook
            # The rating service's, for the set the page shows (the link carries it).
            assert 'href="/office/criteria/template.xlsx?set=148/2023"' in page.text
            older = await client.get(f"{web}/office/criteria/template.xlsx", headers=me,
                                     params={"set": "1048/2019"})
            guide = load_workbook(io.BytesIO(older.content)).worksheets[1]
            assert "A 35, B 25, C 40" in guide["A1"].value, guide["A1"].value

            async def upload(rows: list[Any] | None, group: str = "food") -> httpx.Response:
                files = {"file": ("bang.xlsx", table_file(rows), XLSX)} if rows else None
                return await client.post(f"{web}/office/criteria", headers=me, files=files,
                                         data={"csrf": csrf.group(1), "criteria_set": "148/2023",
                                               "group": group, "subgroup": ""})

            # No file, and a table whose parts do not add up: refused, in plain words.
            missing = await upload(None)
            assert missing.status_code == 400
            assert "Hãy chọn bảng tiêu chí" in field_note(missing.text, "file")
            short = await upload([*CRITERIA[:-1], ("C2", "Z", "Tiêu chuẩn", 15)])
            assert short.status_code == 400, short.text
            bad_rows = short.text.split('id="bad-rows"')[1]
            assert "Tiêu chí thứ 7, cột Phần" in bad_rows and "Phần C" in bad_rows
            assert "criteria[" not in short.text and "errors" not in short.text.lower()

            # The whole table: shown back part by part, with the subtotals and the total.
            loaded = await upload(CRITERIA)
            assert loaded.status_code == 303, loaded.text
            shown = await client.get(web + loaded.headers["location"], headers=me)
            assert shown.status_code == 200
            assert "Bảng tiêu chí đã được nạp" in shown.text
            assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in shown.text
            for subtotal in ("40", "25", "35"):
                assert re.search(rf'class="subtotal">.*?<td class="num">{subtotal}</td>',
                                 shown.text, re.S)
            assert re.search(r'id="criteria-total">100</td>', shown.text)
            assert "Phát triển sản phẩm" in shown.text
            tables = await office.call("GET", "rating", "/criteria-tables",
                                       params={"criteria_set": "148/2023"})
            assert [t["group"] for t in tables] == ["food"]
            listed = await client.get(f"{web}/office/criteria", headers=me)
            assert f'href="/office/criteria/{tables[0]["id"]}"' in listed.text

            # A round: the council is chosen from the council members' accounts.
            new = await client.get(f"{web}/office/rounds/new", headers=me)
            assert new.status_code == 200
            for username, name in MEMBERS.items():
                assert f'value="{username}"' in new.text and name in new.text
            opens_on = today()
            round_form = {"csrf": csrf.group(1), "name": "Đợt 1", "level": "province",
                          "province": "Thái Nguyên", "opens_on": opens_on.strftime("%d/%m/%Y"),
                          "closes_on": (opens_on + timedelta(days=30)).strftime("%d/%m/%Y"),
                          "council": "Hội đồng đánh giá OCOP tỉnh"}
            nobody = await client.post(f"{web}/office/rounds", headers=me, data=round_form)
            assert nobody.status_code == 422
            assert members_note(nobody.text) == "Hãy chọn các thành viên hội đồng."
            no_such_day = await client.post(f"{web}/office/rounds", headers=me, data={
                **round_form, "members": list(MEMBERS), "opens_on": "31/02/2026"})
            assert no_such_day.status_code == 400
            assert "dd/mm/yyyy" in field_note(no_such_day.text, "opens_on")
            backwards = await client.post(f"{web}/office/rounds", headers=me, data={
                **round_form, "members": list(MEMBERS),
                "closes_on": (opens_on - timedelta(days=1)).strftime("%d/%m/%Y")})
            assert backwards.status_code == 400
            assert "ngày bắt đầu" in field_note(backwards.text, "closes_on")
            assert backwards.text.count("checked") == 3  # the choices kept
            outsider = await client.post(f"{web}/office/rounds", headers=me, data={
                **round_form, "members": list(MEMBERS), "chair": "member"})
            assert outsider.status_code == 400
            assert field_note(outsider.text, "chair") == "không phải thành viên của hội đồng"
            assert (await office.call("GET", "rating", "/rounds"))["total"] == 0
            opened = await client.post(f"{web}/office/rounds", headers=me,
                                       data={**round_form, "members": list(MEMBERS),
                                             "chair": "hoa"})
            assert opened.status_code == 303, opened.text
            round_id = opened.headers["location"].split("/")[-1].split("?")[0]
            held = await office.call("GET", "rating", f"/rounds/{round_id}")
            assert sorted(held["members"]) == sorted(MEMBERS) and held["chair"] == "hoa"
            shown = await client.get(web + opened.headers["location"], headers=me)
            assert re.search(r"Nguyễn Thị Hoa.*?Chủ tịch hội đồng", shown.text, re.S)
            rounds = await client.get(f"{web}/office/rounds",
                                      params={"year": opens_on.year}, headers=me)
            assert "Đợt 1" in rounds.text and "Hội đồng đánh giá OCOP tỉnh" in rounds.text

            # The proposal waits with its button; opening it in the round.
            evaluations = await client.get(f"{web}/office/evaluations", headers=me)
            waiting = evaluations.text.split('id="waiting-proposals"')[1].split("</table>")[0]
            assert PRODUCT in waiting and "Mở đánh giá" in waiting
            started = await client.post(f"{web}/office/evaluations", headers=me, data={
                "csrf": csrf.group(1), "product_id": product["id"], "round_id": round_id})
            assert started.status_code == 303, started.text
            evaluation_id = started.headers["location"].split("/")[-1].split("?")[0]
            evaluation = await office.call("GET", "rating", f"/evaluations/{evaluation_id}")
            assert evaluation["round_id"] == round_id
            assert evaluation["criteria_table"] == tables[0]["id"]

            # Listed open, none of three scored; out of the proposals' queue.
            listed = await client.get(f"{web}/office/evaluations", params={"status": "open"},
                                      headers=me)
            row = listed.text.split('id="evaluations"')[1].split("</tr>", 2)[1]
            assert PRODUCT in row and "Đợt 1" in row and "0/3" in row
            assert "Đang chấm" in row
            assert 'id="waiting-proposals"' not in listed.text
            closed = await client.get(f"{web}/office/evaluations",
                                      params={"status": "recognised"}, headers=me)
            assert PRODUCT not in closed.text.split('id="evaluations-title"')[1]
            one = await client.get(f"{web}/office/evaluations/{evaluation_id}", headers=me)
            assert one.status_code == 200
            assert one.text.count("Chưa chấm") == 3
            assert all(name in one.text for name in MEMBERS.values())

            # A council member has no business here.
            member = await sign_in(client, web, "hoa")
            kept_out = await client.get(f"{web}/office/rounds", headers=member)
            assert kept_out.status_code == 303 and kept_out.headers["location"] == "/council"
