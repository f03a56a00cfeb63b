"""A producer's whole year from its own pages, over HTTP through the web front: it registers a
product (group and sub-group from the programme's lists), proposes each stage of the annual
cycle, reads the commune's refusal and its note, proposes again, meets the dossier's
checklist (the registry refuses an incomplete dossier, in words beside the button) and
submits the product for evaluation. Then the certificate reads as it stands, on the list of
products and the product's page: in force, expiring (re-recognition due), revoked (the
reason and the day), expired, replaced by an upgrade; with its PDF and public verification
page. The batches of a revoked product stay, read-only. Dates from the platform's clock."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from services.web.producer.workspace import months_before
from shared.platform.config import Settings
from tests.platform.test_producer_decisions_pages import stage_item
from tests.platform.test_workspace_http import CSRF, session_of, sign_in
from tests.support.batches import batch_body, harvest
from tests.support.clocks import today
from tests.support.platform import (
    PAPER_DOSSIER,
    PDF,
    User,
    cooperative_with_council,
    office_signed_in,
    propose,
    registered,
)
from tests.support.workspace import Said, serving_workspace

PASSWORD = "cycle-pages-pass-32"
PLAN_NOTE = "Phương án chưa nêu nguồn nguyên liệu; bổ sung vùng chè liên kết."
REASON = "Sản phẩm không còn đáp ứng tiêu chuẩn chất lượng đã công bố."
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
STARS = {3: (25, 15, 20), 4: (30, 20, 25)}


def gtin(body: str) -> str:
    """A GTIN-13 whose check digit is right, from its first 12 digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def shown(day: date | str) -> str:
    return (date.fromisoformat(day) if isinstance(day, str) else day).strftime("%d/%m/%Y")


class Pages:
    """The producer's browser: its session cookie and the page's CSRF token."""

    def __init__(self, client: httpx.AsyncClient, web: str, cookie: dict[str, str]) -> None:
        self.client, self.web, self.cookie = client, web, cookie

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get(f"{self.web}{path}", headers=self.cookie)

    async def post(self, path: str, data: dict[str, str], **extra: Any) -> httpx.Response:
        page = await self.get("/")
        csrf = CSRF.search(page.text)
        assert csrf is not None
        return await self.client.post(f"{self.web}{path}", headers=self.cookie,
                                      data={"csrf": csrf.group(1), **data}, **extra)


async def commune_officer(office: User, subject_id: str) -> User:
    subject = await office.call("GET", "registry", f"/subjects/{subject_id}")
    await office.call("POST", "registry", "/users", expect=201, json={
        "username": "officer", "password": PASSWORD, "role": "commune_officer",
        "commune_code": subject["commune_code"], "province_code": subject["province_code"]})
    return await office.anonymous().sign_in("officer", PASSWORD)


async def test_a_producer_registers_proposes_and_submits_from_its_pages(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        officer = await commune_officer(office, coop.subject_id)
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            me = Pages(client, web, session_of(await sign_in(client, web, "producer",
                                                             PASSWORD)))
            # The form: the programme's groups and sub-groups, in Vietnamese.
            form = await me.get("/products/new")
            assert form.status_code == 200
            assert '<option value="food">Thực phẩm</option>' in form.text
            assert '<optgroup label="Thực phẩm" data-group="food">' in form.text
            assert '<option value="tea">Chè và sản phẩm từ chè</option>' in form.text
            home = await me.get("/")
            assert 'href="/products/new"' in home.text

            # Refused: each note beside its field, in Vietnamese; what was typed kept.
            good = {"name": "Chè móc câu Tân Cương", "group": "food", "subgroup": "tea",
                    "description": "Chè búp hái tay.", "gtin": ""}
            for field, wrong in (("name", "C"), ("subgroup", "spirits"), ("gtin", "12345")):
                refused = await me.post("/products", good | {field: wrong})
                assert refused.status_code in (400, 409, 422), refused.text
                said = Said(refused.text)
                notes = said.beside(field)
                assert len(notes) == 1 and VIETNAMESE.search(notes[0]), said.refusals
                kept = ' selected' if field == "subgroup" else ""
                assert f'value="{wrong}"{kept}' in refused.text
                assert "food" not in notes[0] and "spirits" not in notes[0]  # no codes
            assert said.beside("name") == [], said.refusals

            made = await me.post("/products", good)
            assert made.status_code == 303, made.text
            product_id = re.search(r"/products/([^?]+)\?done=product_registered",
                                   made.headers["location"]).group(1)  # type: ignore[union-attr]
            path = f"/products/{product_id}"
            product = await coop.producer.call("GET", "registry", path)
            assert (product["name"], product["group"], product["subgroup"], product["gtin"],
                    product["subject_id"]) == ("Chè móc câu Tân Cương", "food", "tea", None,
                                               coop.subject_id)

            # The three stages, the idea to propose first.
            page = await me.get(f"{path}?done=product_registered")
            assert "đề xuất ý tưởng sản phẩm" in Said(page.text).notices[0]
            assert "Đề xuất" in stage_item(page.text, "idea")
            assert "chưa đề xuất" in stage_item(page.text, "plan")
            assert 'name="stage" value="plan"' not in page.text
            assert (await me.post(f"{path}/cycle", {"stage": "idea", "note": "Chè đặc sản."})
                    ).status_code == 303
            dossier = await coop.producer.call("GET", "registry", f"{path}/dossier")
            assert dossier["stages"] == {"idea": "proposed"}
            assert dossier["cycle"][-1]["note"] == "Chè đặc sản."
            page = await me.get(path)
            assert "đang chờ UBND xã quyết định" in stage_item(page.text, "idea")
            twice = await me.post(f"{path}/cycle", {"stage": "idea", "note": ""})  # a stale page
            assert twice.status_code == 409
            assert ("Bước 'ý tưởng sản phẩm' đã đề xuất rồi, không cần đề xuất lại."
                    in stage_item(twice.text, "idea"))
            assert 'name="stage"' not in page.text  # nothing to propose while it waits

            await officer.call("POST", "registry", f"{path}/cycle",
                               json={"stage": "idea", "status": "accepted"})
            assert (await me.post(f"{path}/cycle", {"stage": "plan", "note": ""})
                    ).status_code == 303
            await officer.call("POST", "registry", f"{path}/cycle", json={
                "stage": "plan", "status": "rejected", "note": PLAN_NOTE})

            # The commune's refusal and its note; the plan proposed again.
            page = await me.get(path)
            plan = stage_item(page.text, "plan")
            assert "↩ đã trả lại" in plan and PLAN_NOTE in plan
            assert f"Bị UBND xã trả lại ngày {shown(today())}." in plan
            assert "Đề xuất lại" in plan
            assert (await me.post(f"{path}/cycle", {"stage": "plan", "note": "Đã bổ sung."})
                    ).status_code == 303
            await officer.call("POST", "registry", f"{path}/cycle",
                               json={"stage": "plan", "status": "accepted"})

            # The dossier: what it lacks, and the registry's refusal beside the button.
            page = await me.get(path)
            last = stage_item(page.text, "dossier")
            assert "Phiếu kết quả kiểm nghiệm" in last and "Đề xuất" in last
            refused = await me.post(f"{path}/cycle", {"stage": "dossier", "note": ""})
            assert refused.status_code == 409
            last = stage_item(refused.text, "dossier")
            assert "Hồ sơ còn thiếu" in last, last
            missing = (await coop.producer.call("GET", "registry", f"{path}/dossier"))["missing"]
            for document in missing:
                uploaded = await me.post(f"{path}/documents", {"type": document["type"]},
                                         files={"file": ("a.pdf", PDF, "application/pdf")})
                assert uploaded.status_code == 303, uploaded.text
            page = await me.get(path)
            assert "Đã đủ giấy tờ trong hồ sơ." in Said(page.text).text
            assert (await me.post(f"{path}/cycle", {"stage": "dossier", "note": ""})
                    ).status_code == 303
            assert f'action="/products/{product_id}/submission"' not in (
                await me.get(path)).text  # not before the office accepts the dossier
            await office.call("POST", "registry", f"{path}/cycle",
                              json={"stage": "dossier", "status": "accepted"})

            # Submitted for evaluation.
            page = await me.get(path)
            assert "Nộp đánh giá" in page.text
            submitted = await me.post(f"{path}/submission", {})
            assert submitted.status_code == 303
            assert submitted.headers["location"] == f"{path}?done=product_submitted"
            assert (await coop.producer.call("GET", "registry", path))["status"] == "submitted"
            page = await me.get(path)
            assert 'name="stage"' not in page.text and "/submission" not in page.text
            again = await me.post(f"{path}/submission", {})
            assert again.status_code == 409
            assert [text for _, text in Said(again.text).refusals], again.text

            # The office's pages are not the producer's, nor the producer's the office's.
            office_me = session_of(await sign_in(client, web, "office", PASSWORD))
            elsewhere = await client.get(f"{web}/products/new", headers=office_me)
            assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/office"


async def certify(office: User, member: User, product_id: str, stars: int, day: date
                  ) -> dict[str, Any]:
    """Evaluated and recognised on ``day`` at ``stars`` (proposed by the commune first)."""
    await propose(office, product_id, assessed_on=day.isoformat())
    evaluation = await office.until("POST", "rating", "/evaluations", expect=201, json={
        "product_id": product_id, "evaluation_date": day.isoformat()})
    await member.call("POST", "rating", f"/evaluations/{evaluation['id']}/score-sheets",
                      expect=201, json=dict(zip(("part_a", "part_b", "part_c"), STARS[stars],
                                                strict=True)))
    await office.call("POST", "rating", f"/evaluations/{evaluation['id']}/closing")
    return await office.call(  # type: ignore[no-any-return]
        "POST", "rating", f"/evaluations/{evaluation['id']}/recognition", expect=201,
        json={"decision_number": "12/QĐ-UBND", "decision_date": day.isoformat()})


def card(home: str, name: str) -> str:
    """What the list of products says of one product."""
    found = re.search(rf'<article class="card">\s*<h2><a [^>]*>{name}</a></h2>(.*?)</article>',
                      home, re.S)
    assert found, home
    return " ".join(Said(found.group(1)).text.split())


@dataclass(frozen=True)
class Shelf:
    """A cooperative registered 40 months ago, its producer signed in, and four products:
    one certified 30 days ago with a batch (``valid``), one whose certificate ends within
    six months, one whose certificate expired, one upgraded from 3 to 4 stars."""

    producer: User
    valid: str
    expiring: str
    expired: str
    upgraded: str
    in_force: dict[str, Any]
    ending: dict[str, Any]
    lapsed: dict[str, Any]
    first: dict[str, Any]
    second: dict[str, Any]
    batch: dict[str, Any]


async def four_certificates(office: User) -> Shelf:
    now = today()
    long_ago = months_before(now, 40)
    subject = await office.call("POST", "registry", "/subjects", expect=201, json={
        "type": "cooperative", "name": "HTX Chè Tân Cương", "code": "0100109106",
        "province": "Thái Nguyên", "commune": "Xã Tân Cương",
        **registered(long_ago, district="Thành phố Thái Nguyên")})
    for username, role in (("producer", "producer"), ("member", "council_member")):
        await office.call("POST", "registry", "/users", expect=201, json={
            "username": username, "password": PASSWORD, "role": role,
            **({"subject_id": subject["id"]} if role == "producer" else {})})
    member = await office.anonymous().sign_in("member", PASSWORD)
    producer = await office.anonymous().sign_in("producer", PASSWORD)

    async def product(name: str, code: str) -> str:
        made = await producer.call("POST", "registry", "/products", expect=201, json={
            "subject_id": subject["id"], "name": name, "group": "food",
            "subgroup": "tea", "gtin": gtin(code), "registered_on": long_ago.isoformat()})
        await office.call("POST", "registry", f"/products/{made['id']}/submission",
                          json=PAPER_DOSSIER)
        return str(made["id"])

    valid = await product("Chè búp", "893456300001")
    expiring = await product("Chè móc câu", "893456300002")
    expired = await product("Chè xanh", "893456300003")
    upgraded = await product("Chè đinh", "893456300004")
    in_force = await certify(office, member, valid, 4, now - timedelta(days=30))
    ending = await certify(office, member, expiring, 3, months_before(now, 32))
    lapsed = await certify(office, member, expired, 3, months_before(now, 37))
    first = await certify(office, member, upgraded, 3, now - timedelta(days=200))
    second = await certify(office, member, upgraded, 4, now - timedelta(days=100))
    await office.until("GET", "traceability", f"/labels/{valid}")
    batch = await producer.call("POST", "traceability", f"/products/{valid}/batches",
                                expect=201, json=batch_body("CB-01", now - timedelta(days=3)))
    return Shelf(producer, valid, expiring, expired, upgraded, in_force, ending, lapsed,
                 first, second, batch)


async def test_the_certificate_reads_as_it_stands_and_ended_batches_stay(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    now = today()
    async with office_signed_in(settings, PASSWORD) as office:
        shelf = await four_certificates(office)
        producer, valid, upgraded, batch = (shelf.producer, shelf.valid, shelf.upgraded,
                                            shelf.batch)
        in_force, ending, lapsed = shelf.in_force, shelf.ending, shelf.lapsed
        first, second = shelf.first, shelf.second

        # The rating API says where anyone can check each certificate.
        answered = await office.call("GET", "rating", "/certificates",
                                     params={"product_id": valid})
        assert answered["items"][0]["verification_url"].endswith(f"/verify/{in_force['id']}")
        assert answered["items"][0]["revoked_on"] is None

        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            me = Pages(client, web, session_of(await sign_in(client, web, "producer",
                                                             PASSWORD)))
            home = (await me.get("/")).text
            said = card(home, "Chè búp")
            assert f"4 sao Hiệu lực đến {shown(in_force['valid_until'])}" in said, said
            assert "Còn " in said and "không còn hiệu lực" not in said
            said = card(home, "Chè móc câu")
            assert ("Hết hiệu lực trong vòng sáu tháng, vào cuối ngày "
                    f"{shown(ending['valid_until'])}") in said, said
            assert "công nhận lại" in said
            said = card(home, "Chè xanh")
            assert "3 sao, không còn hiệu lực" in said and "Hiệu lực đến" not in said
            assert ("Đã hết hiệu lực: giấy chứng nhận chỉ có hiệu lực đến hết ngày "
                    f"{shown(lapsed['valid_until'])}") in said, said
            said = card(home, "Chè đinh")
            assert "Nâng hạng từ 3 lên 4 sao." in said, said

            # The product's page: the certificate's PDF and its public verification page.
            page = await me.get(f"/products/{valid}")
            assert f'href="/certificates/{in_force["id"]}.pdf"' in page.text
            assert f'/verify/{in_force["id"]}"' in page.text
            pdf = await me.get(f"/certificates/{in_force['id']}.pdf")
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
            assert f'href="/batches/{batch["id"]}"' in page.text
            page = await me.get(f"/products/{upgraded}")
            earlier = " ".join(Said(page.text).text.split())
            assert (f"{first['number']} · 3 sao · được thay bằng giấy chứng nhận nâng hạng "
                    f"lên 4 sao ({second['number']})") in earlier, earlier

            # Revoked: the reason and the day, everywhere; its batches stay, read-only.
            revoked = await office.call("POST", "rating",
                                        f"/certificates/{in_force['id']}/revocation",
                                        json={"reason": REASON})
            assert revoked["revoked_on"] == now.isoformat()
            told = ("Văn phòng Điều phối OCOP tỉnh đã thu hồi giấy chứng nhận này ngày "
                    f"{shown(now)}. Lý do: {REASON}")
            said = card((await me.get("/")).text, "Chè búp")
            assert told in said and "Hiệu lực đến" not in said, said
            page = await me.get(f"/products/{valid}")
            text = " ".join(Said(page.text).text.split())
            assert told in text and "4 sao, không còn hiệu lực" in text
            assert "CB-01" in text and "Lượt quét trong 30 ngày: 0 · Tem đã in: 0" in text, text
            assert "không thể mở lô mới, ghi sự kiện hay in tem" in text, text
            assert f'href="/batches/{batch["id"]}"' not in page.text
            assert "/batches/new" not in page.text and "/events" not in page.text
            # The services refuse those writes themselves.
            for where, body in ((f"/batches/{batch['id']}/events",
                                 harvest(now - timedelta(days=2))),
                                (f"/products/{valid}/batches",
                                 batch_body("CB-02", now - timedelta(days=1)))):
                response = await producer.client.post(
                    producer.urls["traceability"] + where, headers=producer.headers,
                    json=body)
                assert response.status_code == 409, response.text
                assert response.json()["type"].endswith("/certificate-revoked")
