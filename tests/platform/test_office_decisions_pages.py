"""The office's decisions over plain HTTP: an evaluation every member scored waits in
/office/decisions; closing and recognising it through the web front makes a certificate,
whose PDF comes through the front; the year's decision list; revoking with a reason (and
without one, refused beside the field); the expiry sweep; a producer kept out."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx

from services.rating.certificates.rules import add_months
from shared.platform.config import Settings
from tests.support.clocks import today
from tests.support.demo import wait_until
from tests.support.platform import (
    PAPER_DOSSIER,
    User,
    cooperative_with_council,
    propose,
    registered,
)
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace, sign_in_form

PASSWORD = "decisions-pass"
CSRF = re.compile(r'<meta name="csrf" content="([^"]+)">')
PRODUCT = "Chè búp Tân Cương"
FOUR_STARS = {"part_a": 30, "part_b": 20, "part_c": 25}


async def sign_in(client: httpx.AsyncClient, web: str, username: str) -> dict[str, str]:
    """The session cookie of ``username`` signed in through the front, sent back by hand
    (it is Secure, and httpx sends such cookies over HTTPS only)."""
    csrf, cookie = await sign_in_form(client, web)
    signed = await client.post(f"{web}/sign-in", headers=cookie, data={
        "username": username, "password": PASSWORD, "csrf": csrf})
    assert signed.status_code == 303, signed.text
    return {"Cookie": f"ocop_session={signed.cookies['ocop_session']}"}


async def scored_evaluation(office: User, member: User, producer: User, subject_id: str
                            ) -> dict[str, Any]:
    """A product submitted and proposed, its evaluation opened ten days ago and scored
    (4★) by the council member: ready to close."""
    evaluated_on = (today() - timedelta(days=10)).isoformat()
    product = await producer.call("POST", "registry", "/products", expect=201, json={
        "subject_id": subject_id, "name": PRODUCT, "group": "food", "subgroup": "tea",
        "registered_on": evaluated_on})
    await office.call("POST", "registry", f"/products/{product['id']}/submission",
                      json=PAPER_DOSSIER)
    await propose(office, product["id"], assessed_on=evaluated_on)
    evaluation: dict[str, Any] = await office.until("POST", "rating", "/evaluations",
                                                    expect=201, json={
                                                        "product_id": product["id"],
                                                        "evaluation_date": evaluated_on})
    await member.call("POST", "rating", f"/evaluations/{evaluation['id']}/score-sheets",
                      expect=201, json={"part_a": 30, "part_b": 20, "part_c": 25})
    return evaluation


def field_note(page: str, field: str) -> str:
    """The note beside a form field: the refusal shown right after it."""
    found = re.search(rf'id="{field}"[^>]*>(?:[^<]*</textarea>)?\s*'
                      r'<span class="field-error" role="alert">([^<]+)</span>', page)
    assert found, page
    return found.group(1)


async def test_the_office_closes_recognises_prints_and_revokes(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        evaluation = await scored_evaluation(office, coop.member, coop.producer,
                                             coop.subject_id)
        evaluation_id, product_id = evaluation["id"], evaluation["product_id"]
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=60) as client:
            me = await sign_in(client, web, "office")

            # Scored by every member (outside rounds, one sheet): waiting to be closed.
            waiting = await client.get(f"{web}/office/decisions", headers=me)
            assert waiting.status_code == 200, waiting.text
            assert PRODUCT in waiting.text
            assert f'action="/office/decisions/{evaluation_id}/closing"' in waiting.text
            found = CSRF.search(waiting.text)
            assert found is not None
            csrf = found.group(1)
            # The evaluation's own page carries the same decision.
            one = await client.get(f"{web}/office/evaluations/{evaluation_id}", headers=me)
            assert f'action="/office/decisions/{evaluation_id}/closing"' in one.text

            closed = await client.post(f"{web}/office/decisions/{evaluation_id}/closing",
                                       data={"csrf": csrf}, headers=me)
            assert closed.status_code == 303
            assert closed.headers["location"] == (f"/office/decisions/{evaluation_id}"
                                                  "?done=evaluation_closed")
            held = await office.call("GET", "rating", f"/evaluations/{evaluation_id}")
            assert held["status"] == "closed" and held["result"]["stars"] == 4

            # Closed at 4★: waiting for the recognition decision, dated today by the clock.
            waiting = await client.get(f"{web}/office/decisions", headers=me)
            assert f'href="/office/decisions/{evaluation_id}"' in waiting.text
            assert f"/office/decisions/{evaluation_id}/closing" not in waiting.text
            form = await client.get(f"{web}/office/decisions/{evaluation_id}", headers=me)
            assert f'name="decision_date" type="date" value="{today().isoformat()}"' \
                in form.text
            assert "75 / 100" in form.text
            assert f'href="/office/evaluations/{evaluation_id}"' in form.text

            # A refusal stands beside its field, in Vietnamese.
            refused = await client.post(
                f"{web}/office/decisions/{evaluation_id}/recognition", headers=me,
                data={"csrf": csrf, "decision_number": "",
                      "decision_date": today().isoformat()})
            assert refused.status_code == 422
            assert field_note(refused.text, "decision_number")
            assert (await office.call("GET", "rating",
                                      f"/evaluations/{evaluation_id}"))["certificate_id"] \
                is None

            recognised = await client.post(
                f"{web}/office/decisions/{evaluation_id}/recognition", headers=me,
                data={"csrf": csrf, "decision_number": "12/QĐ-UBND",
                      "decision_date": today().isoformat()})
            assert recognised.status_code == 303, recognised.text
            held = await office.call("GET", "rating", f"/evaluations/{evaluation_id}")
            certificate_id = held["certificate_id"]
            assert certificate_id
            certificate = await office.call("GET", "rating", f"/certificates/{certificate_id}")
            assert certificate["status"] == "active" and certificate["stars"] == 4
            assert certificate["decision_number"] == "12/QĐ-UBND"
            assert certificate["decision_date"] == today().isoformat()

            # The certificate to print, through the front with the office's token.
            page = await client.get(f"{web}{recognised.headers['location']}", headers=me)
            pdf_link = f'href="/office/certificates/{certificate_id}.pdf"'
            assert pdf_link in page.text and "Đã công nhận" in page.text
            pdf = await client.get(f"{web}/office/certificates/{certificate_id}.pdf",
                                   headers=me)
            assert pdf.status_code == 200
            assert pdf.headers["content-type"] == "application/pdf"
            assert pdf.content.startswith(b"%PDF")
            waiting = await client.get(f"{web}/office/decisions", headers=me)
            assert f'href="/office/decisions/{evaluation_id}"' not in waiting.text

            # The year's decision list, with the national heading; the API's year filter.
            year = today().year
            listed = await client.get(f"{web}/office/decisions/list",
                                      params={"year": year}, headers=me)
            assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in listed.text
            assert "Độc lập - Tự do - Hạnh phúc" in listed.text
            for shown in (PRODUCT, "HTX Chè Tân Cương", "Xã Tân Cương", "12/QĐ-UBND",
                          today().strftime("%d/%m/%Y")):
                assert shown in listed.text
            earlier = await client.get(f"{web}/office/decisions/list",
                                       params={"year": year - 1}, headers=me)
            assert PRODUCT not in earlier.text
            decided = await office.call("GET", "rating", "/certificates",
                                        params={"decided_in": year})
            assert [c["id"] for c in decided["items"]] == [certificate_id]
            assert (await office.call("GET", "rating", "/certificates",
                                      params={"decided_in": year - 1}))["items"] == []

            # The certificates, by state: in force, 36 months less a day left.
            active = await client.get(f"{web}/office/certificates",
                                      params={"status": "active"}, headers=me)
            assert certificate["number"] in active.text
            until = date.fromisoformat(certificate["valid_until"])
            assert f">{until.strftime('%d/%m/%Y')}</td>" in active.text
            left = f"{(until - today()).days:,}".replace(",", ".")  # 1.095: Vietnamese
            assert f'data-sort="{(until - today()).days}">{left}</td>' in active.text
            revoked_list = await client.get(f"{web}/office/certificates",
                                            params={"status": "revoked"}, headers=me)
            assert certificate["number"] not in revoked_list.text

            # Revoking asks for a reason, said beside its field in Vietnamese.
            no_reason = await client.post(
                f"{web}/office/certificates/{certificate_id}/revocation", headers=me,
                data={"csrf": csrf, "reason": ""})
            assert no_reason.status_code == 422
            note = field_note(no_reason.text, "reason")
            assert "reason" not in note and "error" not in note.lower()
            assert re.search(r"[ạảãàáâậầấẩẫăắằặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữ]", note), note
            too_short = await client.post(
                f"{web}/office/certificates/{certificate_id}/revocation", headers=me,
                data={"csrf": csrf, "reason": "Sai"})
            assert field_note(too_short.text, "reason") == (
                "Ghi lý do thu hồi giấy chứng nhận, ít nhất 5 ký tự.")
            still = await office.call("GET", "rating", f"/certificates/{certificate_id}")
            assert still["status"] == "active"

            reason = "Cơ sở ngừng sản xuất sản phẩm"
            revoked = await client.post(
                f"{web}/office/certificates/{certificate_id}/revocation", headers=me,
                data={"csrf": csrf, "reason": reason})
            assert revoked.status_code == 303
            assert revoked.headers["location"] == (f"/office/certificates/{certificate_id}"
                                                   "?done=revoked")
            gone = await office.call("GET", "rating", f"/certificates/{certificate_id}")
            assert gone["status"] == "revoked" and gone["revocation_reason"] == reason
            async def revoked_in_registry() -> bool:
                product = await office.call("GET", "registry", f"/products/{product_id}")
                return (product.get("certification") or {}).get("status") == "revoked"

            await wait_until(revoked_in_registry, within=30, interval=0.05)
            shown = await client.get(f"{web}{revoked.headers['location']}", headers=me)
            assert reason in shown.text and "Đã thu hồi" in shown.text
            revoked_list = await client.get(f"{web}/office/certificates",
                                            params={"status": "revoked"}, headers=me)
            assert certificate["number"] in revoked_list.text

            # The expiry sweep says how many it expired (none is due here).
            swept = await client.post(f"{web}/office/certificates/expiry",
                                      data={"csrf": csrf}, headers=me)
            assert swept.status_code == 303
            assert swept.headers["location"] == "/office/certificates?expired=0"
            told = await client.get(f"{web}{swept.headers['location']}", headers=me)
            assert "0 giấy chứng nhận đã hết hạn" in told.text

            # The producer reads why, and is kept out of the office's pages.
            producer = await sign_in(client, web, "producer")
            own = await client.get(f"{web}/products/{product_id}", headers=producer)
            assert "đã thu hồi giấy chứng nhận này ngày" in own.text
            assert f"Lý do: {reason}" in own.text
            for path in ("/office/certificates", "/office/decisions",
                         f"/office/certificates/{certificate_id}.pdf"):
                away = await client.get(f"{web}{path}", headers=producer)
                assert away.status_code == 303 and away.headers["location"] == "/"


async def test_renewal_the_expiry_sweep_and_what_is_not_ready(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    long_ago = add_months(today(), -40)
    async with signed_in(settings, PASSWORD) as office:
        subject = await office.call("POST", "registry", "/subjects", expect=201, json={
            "type": "cooperative", "name": "HTX Chè Tân Cương", "code": "0100109106",
            "province": "Thái Nguyên", "commune": "Xã Tân Cương",
            **registered(long_ago, district="Thành phố Thái Nguyên")})
        for username in ("member", "other"):
            await office.call("POST", "registry", "/users", expect=201, json={
                "username": username, "password": PASSWORD, "role": "council_member"})
        member = await office.anonymous().sign_in("member", PASSWORD)

        async def evaluated(name: str, on: date, sheet: dict[str, int] | None,
                            round_id: str | None = None) -> str:
            product = await office.call("POST", "registry", "/products", expect=201, json={
                "subject_id": subject["id"], "name": name, "group": "food",
                "subgroup": "tea", "registered_on": long_ago.isoformat()})
            await office.call("POST", "registry", f"/products/{product['id']}/submission",
                              json=PAPER_DOSSIER)
            await propose(office, product["id"], assessed_on=on.isoformat())
            opened = await office.until("POST", "rating", "/evaluations", expect=201, json={
                "product_id": product["id"], "evaluation_date": on.isoformat(),
                "round_id": round_id})
            if sheet:
                await member.call("POST", "rating", f"/evaluations/{opened['id']}/score-sheets",
                                  expect=201, json=sheet)
            return str(opened["id"])

        async def certified(name: str, on: date) -> dict[str, Any]:
            evaluation = await evaluated(name, on, FOUR_STARS)
            await office.call("POST", "rating", f"/evaluations/{evaluation}/closing")
            return dict(await office.call(
                "POST", "rating", f"/evaluations/{evaluation}/recognition", expect=201,
                json={"decision_number": "7/QĐ-UBND", "decision_date": on.isoformat()}))

        lapsed = await certified("Chè xanh cũ", add_months(today(), -37))
        current = await certified("Chè móc câu", today() - timedelta(days=20))
        # Two members sit on the round's council and one has scored: not ready to close.
        held = await office.call("POST", "rating", "/rounds", expect=201, json={
            "name": "Đợt 1", "level": "province", "province": "Thái Nguyên",
            "opens_on": (today() - timedelta(days=10)).isoformat(),
            "closes_on": today().isoformat(), "council": "Hội đồng OCOP tỉnh",
            "members": ["member", "other"]})
        await evaluated("Chè đinh", today() - timedelta(days=5), FOUR_STARS, held["id"])
        # Closed at 2★: nothing to recognise.
        low = await evaluated("Chè vụn", today() - timedelta(days=5),
                              {"part_a": 20, "part_b": 10, "part_c": 10})
        await office.call("POST", "rating", f"/evaluations/{low}/closing")

        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=60) as client:
            me = await sign_in(client, web, "office")
            waiting = await client.get(f"{web}/office/decisions", headers=me)
            for absent in ("Chè đinh", "Chè vụn"):
                assert absent not in waiting.text
            assert "<b>1</b>đang chấm điểm" in waiting.text
            found = CSRF.search(waiting.text)
            assert found is not None
            csrf = found.group(1)
            english = await client.get(f"{web}/office/decisions", headers={
                "Cookie": f"{me['Cookie']}; ocop_lang=en"})
            assert "Evaluations waiting for the office&#39;s decision" in english.text

            # Expiring within 36 months less 20 days: only the one decided 20 days ago is
            # in force; within a month, none.
            soon = await client.get(f"{web}/office/certificates", headers=me,
                                    params={"months": "1"})
            assert current["number"] not in soon.text and "Không có giấy chứng nhận" \
                in soon.text
            wrong = await client.get(f"{web}/office/certificates", headers=me,
                                     params={"status": "lost"})
            assert wrong.status_code == 422 and 'class="refusal"' in wrong.text

            # Renewal: a decision dated tomorrow is refused beside its date.
            tomorrow = (today() + timedelta(days=1)).isoformat()
            refused = await client.post(
                f"{web}/office/certificates/{current['id']}/renewal", headers=me,
                data={"csrf": csrf, "decision_number": "8/QĐ-UBND", "decision_date": tomorrow})
            assert refused.status_code == 400, refused.text
            assert "decision_date" not in refused.text.split("<main>")[1].split("<form")[0]
            assert field_note(refused.text, "decision_date")
            renewed = await client.post(
                f"{web}/office/certificates/{current['id']}/renewal", headers=me,
                data={"csrf": csrf, "decision_number": "8/QĐ-UBND",
                      "decision_date": today().isoformat()})
            assert renewed.status_code == 303
            new_id = renewed.headers["location"].split("/")[-1].split("?")[0]
            assert new_id != current["id"]
            fresh = await office.call("GET", "rating", f"/certificates/{new_id}")
            assert fresh["decision_number"] == "8/QĐ-UBND" and fresh["status"] == "active"
            old = await office.call("GET", "rating", f"/certificates/{current['id']}")
            assert old["status"] == "superseded"

            # The sweep expires the lapsed certificate and says so.
            swept = await client.post(f"{web}/office/certificates/expiry",
                                      data={"csrf": csrf}, headers=me)
            assert swept.headers["location"] == "/office/certificates?expired=1"
            told = await client.get(f"{web}{swept.headers['location']}", headers=me)
            assert "1 giấy chứng nhận đã hết hạn." in told.text
            gone = await office.call("GET", "rating", f"/certificates/{lapsed['id']}")
            assert gone["status"] == "expired"
