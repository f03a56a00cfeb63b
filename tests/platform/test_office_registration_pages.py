"""The office's registers over plain HTTP: a subject registered by the web front's form is
the registry's (a refusal stands beside its field, in Vietnamese, with the form kept as
typed); a producer's account created, listed by the filters the registry takes, and
disabled (it can no longer sign in); a spreadsheet with one bad row refused whole, or its
valid rows kept, with the row's error in the answer page; and these are the office's
pages only. The platform on its embedded defaults, really served."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta

import httpx
from openpyxl import Workbook, load_workbook

from services.registry.subjects.rules import DISTRICTS_ABOLISHED
from shared.platform.config import Settings
from tests.support.batches import PASSWORD
from tests.support.clocks import today
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace, sign_in_form

CSRF = re.compile(r'<meta name="csrf" content="([^"]+)">')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def sign_in(client: httpx.AsyncClient, web: str, username: str) -> dict[str, str]:
    """The session's cookie, sent back by hand (it is Secure; httpx keeps it for HTTPS)."""
    csrf, cookie = await sign_in_form(client, web)
    signed = await client.post(f"{web}/sign-in", headers=cookie, data={
        "username": username, "password": PASSWORD, "csrf": csrf})
    assert signed.status_code == 303, signed.text
    return {"Cookie": f"ocop_session={signed.cookies['ocop_session']}"}


def field_error(page: str, field: str) -> str:
    """The note beside ``field``: the first one after its input, before the next label."""
    after = page.split(f'id="{field}"', 1)[1].split("<label", 1)[0]
    found = re.search(r'<span class="field-error" role="alert">([^<]+)</span>', after)
    return found.group(1) if found else ""


def spreadsheet(rows: list[list[str]]) -> bytes:
    """A filled subjects template: its headers, then ``rows``."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Loại chủ thể", "Tên chủ thể", "Mã số thuế", "Tỉnh", "Huyện", "Xã",
                  "Ngày đăng ký"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_the_office_registers_subjects_accounts_and_a_spreadsheet(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    day = today() - timedelta(days=3)
    district = "Thành phố Thái Nguyên" if day < DISTRICTS_ABOLISHED else ""
    async with signed_in(settings, PASSWORD) as office, \
            serving_workspace(settings, office.urls) as web, \
            httpx.AsyncClient(timeout=30) as client:
        me = await sign_in(client, web, "office")

        # The form opens on the clock's day; the office types dates as dd/mm/yyyy.
        page = await client.get(f"{web}/office/subjects/new", headers=me)
        assert page.status_code == 200
        assert f'value="{today().strftime("%d/%m/%Y")}"' in page.text
        csrf = CSRF.search(page.text)
        assert csrf is not None
        typed = {"csrf": csrf.group(1), "type": "", "name": "HTX Mật ong Tân Cương",
                 "code": "0100109995", "province": "Thái Nguyên", "commune": "Xã Tân Cương",
                 "district": district, "registered_on": "31/02/2025", "rep_name": "",
                 "rep_title": "", "rep_phone": "", "rep_email": ""}

        # A date that does not exist is refused beside it, before the registry is asked,
        # and the form comes back as typed.
        bad_day = await client.post(f"{web}/office/subjects", headers=me, data=typed)
        assert bad_day.status_code == 400
        assert "dd/mm/yyyy" in field_error(bad_day.text, "registered_on")
        assert 'value="HTX Mật ong Tân Cương"' in bad_day.text
        assert 'value="31/02/2025"' in bad_day.text

        # The registry's refusal (no type chosen) in Vietnamese, beside the field.
        typed["registered_on"] = day.strftime("%d/%m/%Y")
        no_type = await client.post(f"{web}/office/subjects", headers=me, data=typed)
        assert no_type.status_code == 422, no_type.text
        assert field_error(no_type.text, "type") == "Chọn loại chủ thể."
        assert "Input should" not in no_type.text and "type:" not in no_type.text
        assert 'value="0100109995"' in no_type.text

        typed["type"] = "cooperative"
        taken = await client.post(f"{web}/office/subjects", headers=me, data=typed)
        assert taken.status_code == 303, taken.text
        subject_id = taken.headers["location"].split("/")[-1].split("?")[0]
        listed = await office.call("GET", "registry", "/subjects")
        (subject,) = [s for s in listed["items"] if s["id"] == subject_id]
        assert subject["name"] == "HTX Mật ong Tân Cương"
        assert subject["registered_on"] == day.isoformat()
        shown = await client.get(f"{web}{taken.headers['location']}", headers=me)
        assert "HTX Mật ong Tân Cương" in shown.text and "Hợp tác xã" in shown.text
        assert day.strftime("%d/%m/%Y") in shown.text
        listing = await client.get(f"{web}/office/subjects", headers=me)
        assert f'href="/office/subjects/{subject_id}"' in listing.text
        english = await client.get(f"{web}/office/subjects", headers={
            "Cookie": f"{me['Cookie']}; ocop_lang=en"})
        assert "Register a subject" in english.text and ">Cooperative<" in english.text
        # The registry's filter: the subjects of one province.
        here = await client.get(f"{web}/office/subjects", headers=me,
                                params={"province": "Thái Nguyên"})
        elsewhere = await client.get(f"{web}/office/subjects", headers=me,
                                     params={"province": "Cao Bằng"})
        assert f'href="/office/subjects/{subject_id}"' in here.text
        assert f'href="/office/subjects/{subject_id}"' not in elsewhere.text

        # The producer's account, for that subject.
        accounts = await client.get(f"{web}/office/accounts", params={
            "subject_id": subject_id}, headers=me)
        assert f'<option value="{subject_id}" selected>' in accounts.text
        account = {"csrf": csrf.group(1), "username": "mat-ong", "password": PASSWORD,
                   "role": "producer", "subject_id": subject_id, "full_name": "Lò Thị Mai",
                   "province": "", "commune": ""}
        short = await client.post(f"{web}/office/accounts", headers=me,
                                  data=account | {"password": "ngan"})
        assert short.status_code in (400, 422), short.text
        assert field_error(short.text, "password")
        assert 'value="mat-ong"' in short.text
        created = await client.post(f"{web}/office/accounts", headers=me, data=account)
        assert created.status_code == 303, created.text
        users = await office.call("GET", "registry", "/users", params={"role": "producer"})
        assert [u["subject_id"] for u in users["items"] if u["username"] == "mat-ong"] == [
            subject_id]
        producer = await office.anonymous().sign_in("mat-ong", PASSWORD)
        assert (await producer.call("GET", "registry", "/users/me"))["subject_id"] == subject_id

        # A commune officer's account names its commune; the list's filter finds it by
        # the commune's code.
        officer = await client.post(f"{web}/office/accounts", headers=me, data=account | {
            "username": "can-bo-xa", "role": "commune_officer", "subject_id": "",
            "province": "Thái Nguyên", "commune": "Xã Tân Cương"})
        assert officer.status_code == 303, officer.text
        (made,) = [u for u in (await office.call("GET", "registry", "/users", params={
            "role": "commune_officer"}))["items"] if u["username"] == "can-bo-xa"]
        of_commune = await client.get(f"{web}/office/accounts", headers=me,
                                      params={"commune": made["commune_code"]})
        assert "<td>can-bo-xa</td>" in of_commune.text
        assert "<td>mat-ong</td>" not in of_commune.text

        # A producer asking the office's pages is sent to its own.
        producer_session = await sign_in(client, web, "mat-ong")
        for path in ("/office/subjects", "/office/accounts", "/office/import"):
            elsewhere = await client.get(f"{web}{path}", headers=producer_session)
            assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/"

        # The list's filters are the registry's.
        allowed = await client.get(f"{web}/office/accounts", headers=me,
                                   params={"role": "producer", "disabled": "false"})
        assert "<td>mat-ong</td>" in allowed.text and "<td>office</td>" not in allowed.text
        unknown = await client.get(f"{web}/office/accounts", headers=me,
                                   params={"commune": "không phải mã"})
        assert unknown.status_code == 200
        assert "tối đa 5 chữ số" in field_error(unknown.text, "f-commune")

        disabled = await client.post(f"{web}/office/accounts/mat-ong/access", headers=me,
                                     data={"csrf": csrf.group(1), "disabled": "true"})
        assert disabled.status_code == 303
        refused = await client.post(f"{office.urls['registry']}/auth/token", json={
            "username": "mat-ong", "password": PASSWORD})
        assert refused.status_code in (401, 403)
        listed_off = await client.get(f"{web}/office/accounts", headers=me,
                                      params={"disabled": "true"})
        assert "<td>mat-ong</td>" in listed_off.text

        # The template is the importer's.
        template = await client.get(f"{web}/office/import/subjects/template.xlsx", headers=me)
        assert template.status_code == 200 and template.headers["content-type"] == XLSX
        sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
        assert "Tên chủ thể" in [c.value for c in sheet[1]]

        # One bad row: nothing is imported, and the row's error is in the page.
        when = day.strftime("%d/%m/%Y")
        filled = spreadsheet([
            ["HTX", "HTX Nấm Đồng Hỷ", "4600123459", "Thái Nguyên", district, "Xã Tân Cương",
             when],
            ["Công ty ma", "Công ty Trà Xanh", "4600654322", "Thái Nguyên", district,
             "Xã Tân Cương", when]])
        upload = {"file": ("chu-the.xlsx", filled, XLSX)}
        whole = await client.post(f"{web}/office/import", headers=me, files=upload,
                                  data={"csrf": csrf.group(1), "kind": "subjects"})
        assert whole.status_code == 422, whole.text
        assert "Chưa nhập dòng nào: 1 dòng bị từ chối" in whole.text
        row = re.search(r'<tr><td data-sort="3">3</td><td>([^<]+)</td><td>([^<]+)</td>',
                        whole.text)
        assert row is not None and row.group(1) == "Loại chủ thể", whole.text
        names = {s["name"] for s in (await office.call("GET", "registry", "/subjects"))["items"]}
        assert "HTX Nấm Đồng Hỷ" not in names

        kept = await client.post(f"{web}/office/import", headers=me, files=upload,
                                 data={"csrf": csrf.group(1), "kind": "subjects",
                                       "partial": "on"})
        assert kept.status_code == 200, kept.text
        assert re.search(r'id="imported"><b>1</b>', kept.text)
        assert '<td data-sort="3">3</td><td>Loại chủ thể</td>' in kept.text
        names = {s["name"] for s in (await office.call("GET", "registry", "/subjects"))["items"]}
        assert "HTX Nấm Đồng Hỷ" in names and "Công ty Trà Xanh" not in names

        # No file chosen: said beside the file field.
        empty = await client.post(f"{web}/office/import", headers=me,
                                  data={"csrf": csrf.group(1), "kind": "subjects"})
        assert empty.status_code == 400 and field_error(empty.text, "file")
