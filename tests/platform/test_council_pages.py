"""The council member's pages over HTTP: the evaluations waiting for the member's sheet
(only those of the councils it sits on), the score sheet of the product's group row by
row, a sheet refused beside the criterion it is about, a sheet taken (and counted by the
rating service), and the sheets already submitted. The platform on its embedded defaults,
really served, and the workspace calling it with the member's own token."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from shared.platform.config import Settings
from tests.support.clocks import today
from tests.support.platform import PAPER_DOSSIER, User, propose, registered
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import Said, serving_workspace, sign_in_form

PASSWORD = "council-pages-pass"
CSRF = re.compile(r'<meta name="csrf" content="([^"]+)">')
CRITERIA = [  # code, part, name, maximum: a made-up table with 148/QĐ-TTg's part maxima
    ("A1", "A", "Nguồn nguyên liệu tại địa phương", 10),
    ("A2", "A", "Sử dụng lao động địa phương", 10),
    ("A3", "A", "Tổ chức sản xuất", 20),
    ("B1", "B", "Tiếp thị và quảng bá", 15),
    ("B2", "B", "Câu chuyện sản phẩm", 10),
    ("C1", "C", "Chất lượng cảm quan", 20),
    ("C2", "C", "Tiêu chuẩn sản phẩm", 15)]
TAN_CUONG = {"type": "cooperative", "name": "HTX Chè Tân Cương", "code": "0100109106",
             "province": "Thái Nguyên", "commune": "Xã Tân Cương"}


def days_ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


@dataclass
class Council:
    office: User
    member: User
    subject_id: str
    mine: dict[str, Any]
    """The round whose council the member sits on."""
    other: dict[str, Any]
    """A round of another council."""

    async def evaluation(self, name: str, held_round: dict[str, Any],
                         group: tuple[str, str] = ("food", "tea")) -> str:
        """A product of the cooperative, submitted, proposed by its commune and opened in
        ``held_round`` today: scored on the food group's criteria table (another group,
        having none, is scored per part)."""
        product = await self.office.call("POST", "registry", "/products", expect=201, json={
            "subject_id": self.subject_id, "name": name, "group": group[0],
            "subgroup": group[1], "registered_on": days_ago(40)})
        await self.office.call("POST", "registry", f"/products/{product['id']}/submission",
                               json=PAPER_DOSSIER)
        await propose(self.office, product["id"])
        opened = await self.office.until("POST", "rating", "/evaluations", expect=201, json={
            "product_id": product["id"], "round_id": held_round["id"]})
        return str(opened["id"])


async def council_of(office: User) -> Council:
    """The cooperative, the food group's criteria table, the council member ("member")
    on the province's round with one absent colleague, and another council's round."""
    subject = await office.call("POST", "registry", "/subjects", expect=201, json=TAN_CUONG | (
        registered(days_ago(60), district="Đại Từ")))
    await office.call("POST", "registry", "/users", expect=201, json={
        "username": "member", "password": PASSWORD, "role": "council_member",
        "full_name": "Trần Văn Bình"})
    await office.call("POST", "rating", "/criteria-tables", expect=201, json={
        "criteria_set": "148/2023", "group": "food", "source": "bảng thử nghiệm",
        "criteria": [{"code": c, "part": p, "name_vi": n, "name_en": f"Criterion {c}",
                      "maximum": m} for c, p, n, m in CRITERIA]})
    rounds = []
    for members in (["member", "absent"], ["someone-else"]):
        rounds.append(await office.call("POST", "rating", "/rounds", expect=201, json={
            "name": "Đợt 1", "level": "province", "province": "Thái Nguyên",
            "opens_on": days_ago(30), "closes_on": today().isoformat(),
            "council": "Hội đồng OCOP tỉnh Thái Nguyên", "members": members}))
    return Council(office, await office.anonymous().sign_in("member", PASSWORD),
                   subject["id"], *rounds)


async def web_session(client: httpx.AsyncClient, web: str, username: str
                      ) -> tuple[dict[str, str], str]:
    """Signed in to the workspace: the session's cookie and its CSRF token."""
    csrf, cookie = await sign_in_form(client, web)
    signed = await client.post(f"{web}/sign-in", headers=cookie, data={
        "username": username, "password": PASSWORD, "csrf": csrf})
    assert signed.status_code == 303, signed.text
    me = {"Cookie": f"ocop_session={signed.cookies['ocop_session']}"}
    home = await client.get(f"{web}{signed.headers['location']}", headers=me)
    found = CSRF.search(home.text)
    assert found, home.text
    return me, found.group(1)


FULL = {"score-A1": "8", "score-A2": "7,5", "score-A3": "15", "score-B1": "10",
        "score-B2": "8", "score-C1": "16", "score-C2": "12", "note-A2": "Thiếu hợp đồng lao động"}


async def test_a_member_scores_the_evaluations_of_its_council(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        council = await council_of(office)
        mine = await council.evaluation("Chè búp Tân Cương", council.mine)
        theirs = await council.evaluation("Chè móc câu", council.other)
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            me, csrf = await web_session(client, web, "member")
            inbox = await client.get(f"{web}/council", headers=me)
            assert inbox.status_code == 200
            said = Said(inbox.text)
            assert "Chè búp Tân Cương" in said.text and "Chè móc câu" not in said.text
            assert "Đợt 1" in said.text and "Thực phẩm" in said.text
            assert "0 trên 2 thành viên đã chấm" in said.text

            sheet = await client.get(f"{web}/council/evaluations/{mine}", headers=me)
            assert sheet.status_code == 200, sheet.text
            page = Said(sheet.text)
            for _, _, name, _ in CRITERIA:
                assert name in page.text
            assert "Lưu nháp" in page.text and "Nộp phiếu" in page.text
            assert "chỉ lưu phiếu trên máy tính bảng này" in page.text
            assert 'data-stars="90:5 70:4 50:3 30:2"' in sheet.text

            # Another council's evaluation is not the member's to score: the service says so.
            refused = await client.post(f"{web}/council/evaluations/{theirs}",
                                        data=FULL | {"csrf": csrf}, headers=me)
            assert refused.status_code == 403
            assert "không phải thành viên hội đồng" in Said(refused.text).refusals[0][1]

            # A criterion left empty and one over its maximum: refused beside each row,
            # the sheet kept as filled.
            path = f"{web}/council/evaluations/{mine}"
            incomplete = FULL | {"score-A1": "", "score-B1": "16", "csrf": csrf}
            answer = await client.post(path, data=incomplete, headers=me)
            assert answer.status_code == 400, answer.text
            said = Said(answer.text)
            assert said.beside("score-A1") == ["chưa được chấm"], said.refusals
            assert "xem ghi chú bên cạnh" in said.refusals[0][1]
            assert any("từ 0 đến 15" in note for note in said.beside("score-B1")), said.refusals
            assert not said.beside("score-A2")
            assert 'value="7,5"' in answer.text and "Thiếu hợp đồng lao động" in answer.text
            typo = await client.post(path, data=FULL | {"score-C1": "mười", "csrf": csrf},
                                     headers=me)
            assert typo.status_code == 400 and Said(typo.text).beside("score-C1")
            waiting = await office.call("GET", "rating", "/evaluations",
                                        params={"status": "open", "round_id": council.mine["id"]})
            assert waiting["items"][0]["scored"] == 0

            taken = await client.post(path, data=FULL | {"csrf": csrf}, headers=me)
            assert taken.status_code == 303, taken.text
            assert taken.headers["location"] == f"/council?done=sheet_submitted&scored={mine}"
            recorded = await office.call("GET", "rating", f"/evaluations/{mine}")
            assert [(s["member"], s["total"]) for s in recorded["score_sheets"]] == [
                ("member", 76.5)]
            assert recorded["score_sheets"][0]["criteria"]["A2"] == 7.5
            queued = await office.call("GET", "rating", "/evaluations",
                                       params={"round_id": council.mine["id"]})
            assert (queued["items"][0]["scored"], queued["items"][0]["council_size"]) == (1, 2)
            after = await client.get(f"{web}{taken.headers['location']}", headers=me)
            assert "Đã nộp phiếu chấm" in Said(after.text).notices[0]
            assert "Chè búp Tân Cương" not in Said(after.text).text

            done = Said((await client.get(f"{web}/council/scored", headers=me)).text)
            assert "Chè búp Tân Cương" in done.text and "76,5" in done.text

            # A group without a criteria table is scored per part, on the same page.
            wine = await council.evaluation("Rượu ngô men lá", council.mine,
                                            ("beverages", "spirits"))
            parts = Said((await client.get(f"{web}/council/evaluations/{wine}",
                                            headers=me)).text)
            assert "Sản phẩm và sức mạnh cộng đồng" in parts.text and "A1" not in parts.text
            over = await client.post(f"{web}/council/evaluations/{wine}", headers=me, data={
                "csrf": csrf, "score-part_a": "41", "score-part_b": "20",
                "score-part_c": "25"})
            assert over.status_code == 400 and Said(over.text).beside("score-part_a")
            taken = await client.post(f"{web}/council/evaluations/{wine}", headers=me, data={
                "csrf": csrf, "score-part_a": "30", "score-part_b": "20",
                "score-part_c": "25,5"})
            assert taken.status_code == 303, taken.text
            recorded = await office.call("GET", "rating", f"/evaluations/{wine}")
            assert recorded["score_sheets"][0]["total"] == 75.5

            # Another role is sent to its own workspace.
            office_me, _ = await web_session(client, web, "office")
            for page_path in ("/council", "/council/scored", f"/council/evaluations/{mine}"):
                moved = await client.get(f"{web}{page_path}", headers=office_me)
                assert (moved.status_code, moved.headers["location"]) == (303, "/office")


async def test_a_member_lists_only_its_own_sheets(make_settings: Callable[..., Settings]
                                                  ) -> None:
    async with signed_in(make_settings(), PASSWORD) as office:
        council = await council_of(office)
        evaluation = await council.evaluation("Chè búp Tân Cương", council.mine)
        sheet = {"criteria": {c: m / 2 for c, _, _, m in CRITERIA}, "comment": ""}
        await council.member.call("POST", "rating", f"/evaluations/{evaluation}/score-sheets",
                                  expect=201, json=sheet)
        listed = await council.member.call("GET", "rating", "/score-sheets")
        assert listed["total"] == 1
        [item] = listed["items"]
        assert (item["evaluation_id"], item["product_name"], item["total"], item["part_a"]) \
            == (evaluation, "Chè búp Tân Cương", 50, 20)
        # The member sees no one else's, even when asking for them.
        assert (await council.member.call("GET", "rating", "/score-sheets",
                                          params={"member": "absent"}))["total"] == 0
        everyone = await office.call("GET", "rating", "/score-sheets",
                                     params={"member": "member"})
        assert everyone["total"] == 1
        refused = await office.call("GET", "rating", "/score-sheets", expect=400,
                                    params={"evaluation": evaluation})
        assert refused["type"].endswith("/unknown-filter")
