"""The office's inbox over HTTP: what waits for the office is listed and counted, each
decision taken there over the web front changes the registry (and its queue empties), a
refusal stands beside its field in Vietnamese, the office's actions are in its history,
and the inbox is the office's own. The platform on its embedded defaults, really served."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from shared.platform.config import Settings
from tests.platform.test_workspace_http import CSRF, session_of, sign_in
from tests.support.platform import PDF, User, cooperative_with_council, office_signed_in
from tests.support.workspace import Said, serving_workspace

PASSWORD = "inbox-pass-31"
NOTE = "Hồ sơ đầy đủ, đạt yêu cầu. Mời HTX chuẩn bị nộp đánh giá."
EMPTY = "Không có hồ sơ nào chờ văn phòng"
REVOKED_BECAUSE = "Cơ sở ngừng sản xuất theo quy trình đã đánh giá."


def history_rows(page: str) -> list[list[str]]:
    """The history table's rows, each cell's text."""
    table = re.search(r'<table data-sortable id="history-table">(.*?)</table>', page, re.S)
    assert table, page
    body = table.group(1).split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in
             re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def count_of(page: str, anchor: str) -> int:
    """The number in the inbox's count box that links to ``#anchor``."""
    found = re.search(rf'<a href="#{anchor}"><b>(\d+)</b>', page)
    assert found, page
    return int(found.group(1))


async def dossier_proposed(producer: User, office: User, product_id: str) -> None:
    """The producer completes the dossier and proposes it, the idea and the plan accepted
    before (by the office, which may decide any stage): the dossier waits for the office."""
    path = f"/products/{product_id}"
    dossier = await producer.call("GET", "registry", f"{path}/dossier")
    for missing in dossier["missing"]:
        await producer.call("POST", "registry", f"{path}/documents", expect=201, content=PDF,
                            params={"type": missing["type"]},
                            headers={"Content-Type": "application/pdf"})
    for stage in ("idea", "plan"):
        await producer.call("POST", "registry", f"{path}/cycle",
                            json={"stage": stage, "status": "proposed"})
        await office.call("POST", "registry", f"{path}/cycle",
                          json={"stage": stage, "status": "accepted"})
    await producer.call("POST", "registry", f"{path}/cycle",
                        json={"stage": "dossier", "status": "proposed",
                              "note": "Đã bổ sung phiếu kiểm nghiệm."})


async def test_the_office_empties_its_inbox_over_the_web(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        subject = await office.call("GET", "registry", f"/subjects/{coop.subject_id}")
        await office.call("POST", "registry", "/users", expect=201, json={
            "username": "officer", "password": PASSWORD, "role": "commune_officer",
            "commune_code": subject["commune_code"], "province_code": subject["province_code"]})
        officer = await office.anonymous().sign_in("officer", PASSWORD)
        product = await coop.producer.call("POST", "registry", "/products", expect=201, json={
            "subject_id": coop.subject_id, "name": "Chè móc câu Tân Cương", "group": "food",
            "subgroup": "tea"})
        product_id = product["id"]
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            me = session_of(await sign_in(client, web, "office", PASSWORD))

            # An empty queue says so in words, in Vietnamese and in English.
            inbox = await client.get(f"{web}/office", headers=me)
            assert inbox.status_code == 200
            assert count_of(inbox.text, "stages") == 0 and EMPTY in Said(inbox.text).text
            english = Said((await client.get(f"{web}/office", headers={
                "Cookie": f"{me['Cookie']}; ocop_lang=en"})).text).text
            assert "What waits for the office" in english
            assert "No dossier waits for the office." in english

            # The producer proposes the dossier: it waits in the inbox, counted, with who
            # proposed it and when (the platform's clock, dd/mm/yyyy hh:mm).
            await dossier_proposed(coop.producer, office, product_id)
            waiting = await office.call("GET", "registry", "/dossier-stages",
                                        params={"waiting_for": "office"})
            inbox = await client.get(f"{web}/office", headers=me)
            said = Said(inbox.text)
            assert count_of(inbox.text, "stages") == 1 and EMPTY not in said.text
            assert "Chè móc câu Tân Cương" in said.text and "HTX Chè Tân Cương" in said.text
            proposed_at = waiting["items"][0]["proposed_at"]
            assert f'data-sort="{proposed_at}"' in inbox.text
            assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", said.text)
            decision = f"/office/stages/{product_id}/dossier"
            assert f'href="{decision}"' in inbox.text

            # A refusal stands beside the note, in Vietnamese, and nothing is decided.
            page = await client.get(f"{web}{decision}", headers=me)
            assert page.status_code == 200 and "Đã bổ sung phiếu kiểm nghiệm." in page.text
            csrf = CSRF.search(page.text)
            assert csrf is not None
            refused = await client.post(f"{web}{decision}", headers=me, data={
                "csrf": csrf.group(1), "decision": "accepted", "note": "x" * 2001})
            assert refused.status_code == 422
            assert Said(refused.text).beside("note") == ["Ghi chú quá dài; hãy viết ngắn lại."]
            in_english = await client.post(f"{web}{decision}", data={
                "csrf": csrf.group(1), "decision": "accepted", "note": "x" * 2001},
                headers=me | {"Cookie": f"{me['Cookie']}; ocop_lang=en"})
            assert Said(in_english.text).beside("note") == ["The note is too long; shorten it."]
            assert (await office.call("GET", "registry", "/dossier-stages", params={
                "waiting_for": "office"}))["total"] == 1

            # Accepted with a note: back to the inbox with a notice, the queue empty, and
            # the producer's dossier shows the stage accepted with the office's note.
            accepted = await client.post(f"{web}{decision}", headers=me, data={
                "csrf": csrf.group(1), "decision": "accepted", "note": NOTE})
            assert accepted.status_code == 303
            assert accepted.headers["location"] == "/office?done=stage_accepted#stages"
            inbox = await client.get(f"{web}/office?done=stage_accepted", headers=me)
            said = Said(inbox.text)
            assert said.notices == ["Đã chấp nhận. Chủ thể xem được quyết định cùng ghi chú "
                                    "của văn phòng."], said.notices
            assert count_of(inbox.text, "stages") == 0 and EMPTY in said.text
            dossier = await coop.producer.call("GET", "registry",
                                               f"/products/{product_id}/dossier")
            assert dossier["stages"]["dossier"] == "accepted"
            assert dossier["cycle"][-1] | {"at": ""} == {
                "stage": "dossier", "status": "accepted", "note": NOTE, "by": "office",
                "role": "admin", "at": ""}

            # A change of identity proposed once the product is submitted: shown field by
            # field against the current value; refused with a note, it leaves the queue.
            await coop.producer.call("POST", "registry", f"/products/{product_id}/submission")
            await coop.producer.call("PATCH", "registry", f"/products/{product_id}",
                                     json={"name": "Chè Tân Cương thượng hạng"})
            inbox = await client.get(f"{web}/office", headers=me)
            assert count_of(inbox.text, "identity") == 1
            row = re.search(r'<table data-sortable id="identity-table">.*?</table>',
                            inbox.text, re.S)
            assert row and "Chè móc câu Tân Cương" in row.group(0)
            assert "Chè Tân Cương thượng hạng" in row.group(0)
            page = await client.get(f"{web}/office/identity/{product_id}", headers=me)
            refusal = await client.post(f"{web}/office/identity/{product_id}", headers=me,
                                        data={"csrf": csrf.group(1), "decision": "refuse",
                                              "note": "Tên mới chưa có giấy tờ kèm theo."})
            assert page.status_code == 200 and refusal.status_code == 303
            assert refusal.headers["location"] == "/office?done=identity_refused#identity"
            kept = await office.call("GET", "registry", f"/products/{product_id}")
            assert kept["name"] == "Chè móc câu Tân Cương"
            assert kept["pending_identity_change"] is None
            assert count_of((await client.get(f"{web}/office", headers=me)).text,
                            "identity") == 0

            # The commune's proposal waits until an evaluation is opened on it.
            await officer.call("POST", "rating", "/proposals", expect=201, json={
                "product_id": product_id, "origin": True, "local_labour": True,
                "idea": True, "local_identity": True})
            assert count_of((await client.get(f"{web}/office", headers=me)).text,
                            "proposals") == 1
            await office.until("POST", "rating", "/evaluations", expect=201,
                               json={"product_id": product_id})
            inbox = await client.get(f"{web}/office", headers=me)
            assert count_of(inbox.text, "proposals") == 0
            opened = await office.call("GET", "rating", "/proposals", params={"opened": "true"})
            assert [p["product_id"] for p in opened["items"]] == [product_id]
            assert opened["items"][0]["evaluation_id"]
            assert (await office.call("GET", "rating", "/proposals", params={
                "opened": "false"}))["total"] == 0
            problem = await office.call("GET", "rating", "/proposals",
                                        params={"open": "false"}, expect=400)
            assert problem["type"].endswith("/unknown-filter")

            # The evaluation scored, closed and the product recognised, then revoked: rating's
            # decisions join the registry's in the history.
            evaluation_id = opened["items"][0]["evaluation_id"]
            await coop.member.call("POST", "rating",
                                   f"/evaluations/{evaluation_id}/score-sheets", expect=201,
                                   json={"part_a": 30, "part_b": 20, "part_c": 25})
            await office.call("POST", "rating", f"/evaluations/{evaluation_id}/closing")
            certificate = await office.call(
                "POST", "rating", f"/evaluations/{evaluation_id}/recognition", expect=201,
                json={"decision_number": "7/QĐ-UBND"})
            await office.call("POST", "rating",
                              f"/certificates/{certificate['id']}/revocation",
                              json={"reason": REVOKED_BECAUSE})
            revoked_at = (await office.call("GET", "rating", "/history", params={
                "entity": "certificate", "limit": 1}))["items"][0]["at"]

            # The office's actions, with who and when, filterable by kind of record; each
            # says which part of the programme it is of.
            history = await client.get(f"{web}/office/history", headers=me)
            said = Said(history.text)
            assert history.status_code == 200 and "Lịch sử" in said.text
            assert "Chấp nhận hồ sơ" in said.text
            assert "Từ chối thay đổi thông tin định danh" in said.text
            assert "office" in said.text and "Chè móc câu Tân Cương" in said.text
            rows = history_rows(history.text)
            assert rows[0][1:5] == ["office", "Đánh giá, chứng nhận", "Thu hồi giấy chứng nhận",
                                    REVOKED_BECAUSE]
            assert rows[0][5:] == ["Giấy chứng nhận",
                                   f"{certificate['number']} · Chè móc câu Tân Cương"]
            assert f'data-sort="{revoked_at}"' in history.text
            assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", rows[0][0])
            assert ["member", "Đánh giá, chứng nhận", "Nộp phiếu chấm điểm", "75.0",
                    "Phiếu chấm điểm", "Chè móc câu Tân Cương"] in [r[1:] for r in rows]
            assert ["office", "Đăng ký, hồ sơ", "Chấp nhận hồ sơ"] in [r[1:4] for r in rows]
            assert [r[3] for r in rows].index("Quyết định công nhận") < [
                r[3] for r in rows].index("Kết thúc đánh giá")  # newest first
            products_only = Said((await client.get(
                f"{web}/office/history", params={"record": "product"}, headers=me)).text)
            assert "Từ chối thay đổi thông tin định danh" in products_only.text
            assert "Chấp nhận hồ sơ" not in products_only.text
            assert "Thu hồi giấy chứng nhận" not in products_only.text
            certificates_only = history_rows((await client.get(
                f"{web}/office/history", params={"record": "certificate"}, headers=me)).text)
            assert [r[3] for r in certificates_only] == ["Thu hồi giấy chứng nhận",
                                                         "Quyết định công nhận"]
            assert certificates_only[1][4] == "7/QĐ-UBND · 4★"
            office_only = history_rows((await client.get(
                f"{web}/office/history", params={"by": "office"}, headers=me)).text)
            assert "member" not in [r[1] for r in office_only]

            # The inbox is the office's own: anyone else is sent to their own home.
            for username, home in (("officer", "/commune"), ("producer", "/")):
                other = session_of(await sign_in(client, web, username, PASSWORD))
                for path in ("/office", "/office/history", decision):
                    sent = await client.get(f"{web}{path}", headers=other)
                    assert sent.status_code == 303 and sent.headers["location"] == home
