"""The producer reads the decisions taken on its product, over HTTP through the web front: the
commune accepts the idea and the plan, the office returns the dossier with a note over its
inbox, and the producer's product page says, stage by stage, who decided (the commune, the
provincial office: in words, not an account's name), on which day (dd/mm/yyyy, from the
platform's clock), the note, and what to do next; a change of identity the office refused,
with its note, likewise. The registry's answers carry the decider's role and the identity
decision."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import httpx

from shared.platform.clock import VIETNAM
from shared.platform.config import Settings
from tests.platform.test_workspace_http import CSRF, session_of, sign_in
from tests.support.platform import (
    PAPER_DOSSIER,
    PDF,
    Cooperative,
    User,
    cooperative_with_council,
    office_signed_in,
)
from tests.support.workspace import Said, serving_workspace

PASSWORD = "decisions-pass-31"
IDEA_NOTE = "Ý tưởng phù hợp với địa phương."
RETURNED_BECAUSE = "Phiếu kiểm nghiệm đã quá 12 tháng; bổ sung phiếu mới."
REFUSED_BECAUSE = "Tên mới trùng với sản phẩm khác của tỉnh."


def shown_day(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(VIETNAM).strftime("%d/%m/%Y")


def stage_item(page: str, stage: str) -> str:
    """What the product page says of one stage."""
    found = re.search(rf'<li class="decision[^"]*" id="stage-{stage}">(.*?)</li>', page, re.S)
    assert found, page
    return Said(found.group(1)).text


async def dossier_before_the_office(office: User, coop: Cooperative) -> str:
    """A product of the cooperative whose idea and plan the commune accepted (the idea with
    a note) and whose complete dossier waits for the office: its id."""
    subject = await office.call("GET", "registry", f"/subjects/{coop.subject_id}")
    await office.call("POST", "registry", "/users", expect=201, json={
        "username": "officer", "password": PASSWORD, "role": "commune_officer",
        "commune_code": subject["commune_code"], "province_code": subject["province_code"]})
    officer = await office.anonymous().sign_in("officer", PASSWORD)
    product = await coop.producer.call("POST", "registry", "/products", expect=201, json={
        "subject_id": coop.subject_id, "name": "Chè móc câu Tân Cương", "group": "food",
        "subgroup": "tea"})
    path = f"/products/{product['id']}"
    dossier = await coop.producer.call("GET", "registry", f"{path}/dossier")
    for missing in dossier["missing"]:
        await coop.producer.call("POST", "registry", f"{path}/documents", expect=201,
                                 content=PDF, params={"type": missing["type"]},
                                 headers={"Content-Type": "application/pdf"})
    for stage, note in (("idea", IDEA_NOTE), ("plan", "")):
        await coop.producer.call("POST", "registry", f"{path}/cycle",
                                 json={"stage": stage, "status": "proposed"})
        await officer.call("POST", "registry", f"{path}/cycle",
                           json={"stage": stage, "status": "accepted", "note": note})
    await coop.producer.call("POST", "registry", f"{path}/cycle",
                             json={"stage": "dossier", "status": "proposed"})
    return str(product["id"])


async def test_the_producer_reads_who_returned_a_stage_when_and_why(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        product_id = await dossier_before_the_office(office, coop)
        product = {"id": product_id}

        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            me = session_of(await sign_in(client, web, "office", PASSWORD))
            decision = f"{web}/office/stages/{product_id}/dossier"
            page = await client.get(decision, headers=me)
            csrf = CSRF.search(page.text)
            assert page.status_code == 200 and csrf is not None
            returned = await client.post(decision, headers=me, data={
                "csrf": csrf.group(1), "decision": "rejected", "note": RETURNED_BECAUSE})
            assert returned.status_code == 303

            # The registry's answer says as whom each step was taken.
            dossier = await coop.producer.call("GET", "registry",
                                               f"/products/{product['id']}/dossier")
            steps = [(s["stage"], s["status"], s.get("role")) for s in dossier["cycle"]]
            assert steps == [("idea", "proposed", "producer"),
                             ("idea", "accepted", "commune_officer"),
                             ("plan", "proposed", "producer"),
                             ("plan", "accepted", "commune_officer"),
                             ("dossier", "proposed", "producer"),
                             ("dossier", "rejected", "admin")]
            accepted_on, returned_on = (shown_day(dossier["cycle"][i]["at"]) for i in (1, 5))

            producer = session_of(await sign_in(client, web, "producer", PASSWORD))
            page = await client.get(f"{web}/products/{product['id']}", headers=producer)
            assert page.status_code == 200
            idea, plan, last = (stage_item(page.text, s) for s in ("idea", "plan", "dossier"))
            assert f"Được UBND xã chấp nhận ngày {accepted_on}." in idea
            assert IDEA_NOTE in idea and "Ghi chú" not in plan  # no note, no note line
            assert "✓ đã chấp nhận" in plan
            assert "↩ đã trả lại" in last
            assert f"Bị Văn phòng Điều phối OCOP tỉnh trả lại ngày {returned_on}." in last
            assert RETURNED_BECAUSE in last
            assert ("Việc cần làm tiếp: Bổ sung hoặc sửa các tài liệu trong hồ sơ theo ghi chú, "
                    "rồi nộp lại hồ sơ cho Văn phòng Điều phối OCOP tỉnh.") in last
            assert "officer" not in idea + plan  # roles in words, not accounts' names
            english = await client.get(f"{web}/products/{product['id']}", headers={
                "Cookie": f"{producer['Cookie']}; ocop_lang=en"})
            last_en = stage_item(english.text, "dossier")
            assert f"Returned by the provincial OCOP office on {returned_on}." in last_en
            assert "What to do next: Complete or correct the dossier's documents" in last_en

            # A change of identity the office refuses, with its note, over its inbox.
            await office.call("POST", "registry", f"/products/{product['id']}/submission",
                              json=PAPER_DOSSIER)
            await coop.producer.call("PATCH", "registry", f"/products/{product['id']}",
                                     json={"name": "Chè Tân Cương thượng hạng"})
            identity = f"{web}/office/identity/{product['id']}"
            page = await client.get(identity, headers=me)
            csrf = CSRF.search(page.text)
            assert csrf is not None
            refused = await client.post(identity, headers=me, data={
                "csrf": csrf.group(1), "decision": "refuse", "note": REFUSED_BECAUSE})
            assert refused.status_code == 303
            answer = await coop.producer.call("GET", "registry", f"/products/{product['id']}")
            decided = answer["last_identity_decision"]
            assert (decided["approved"], decided["note"]) == (False, REFUSED_BECAUSE)
            assert decided["changes"] == {"name": "Chè Tân Cương thượng hạng"}
            page = await client.get(f"{web}/products/{product['id']}", headers=producer)
            said = Said(page.text)
            told = (f"Ngày {shown_day(decided['at'])}, Văn phòng Điều phối OCOP tỉnh đã không "
                    "chấp nhận thay đổi bạn đề xuất: «Chè Tân Cương thượng hạng».")
            assert told in [text for _, text in said.refusals], said.refusals
            assert REFUSED_BECAUSE in said.text
