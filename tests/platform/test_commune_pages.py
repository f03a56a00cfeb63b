"""The commune officer's pages over HTTP: the commune's products (and no other commune's)
with where each stands, a stage waiting for the commune decided with a note, and the
pre-assessment of Decision 1489/QĐ-TTg making a proposal — or refused beside the answer it
lacks. The platform on its embedded defaults, really served, and the workspace calling it
with the officer's own token."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx

from shared.platform.config import Settings
from tests.platform.test_council_pages import web_session
from tests.support.clocks import today
from tests.support.platform import office_signed_in as signed_in
from tests.support.platform import registered
from tests.support.workspace import Said, serving_workspace

PASSWORD = "council-pages-pass"  # the sign-in helper's
TAN_CUONG = {"type": "cooperative", "name": "HTX Chè Tân Cương", "code": "0100109106",
             "province": "Thái Nguyên", "commune": "Xã Tân Cương"}
LAC_DUONG = {"type": "household_business", "name": "Hộ Atiso Lạc Dương", "code": "LD-2024-07",
             "province": "Lâm Đồng", "commune": "Xã Lạc Dương"}
ALL_MET = {"origin": "yes", "local_labour": "yes", "idea": "yes", "local_identity": "yes"}


async def test_the_commune_officer_sees_decides_and_proposes_its_communes_products(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    long_ago = (today() - timedelta(days=90)).isoformat()
    async with signed_in(settings, PASSWORD) as office:
        subjects = [await office.call("POST", "registry", "/subjects", expect=201,
                                      json=body | registered(long_ago, district="Đại Từ"))
                    for body in (TAN_CUONG, LAC_DUONG)]
        here, there = subjects
        for username, role, extra in (
                ("officer", "commune_officer", {"commune_code": here["commune_code"],
                                                "province_code": here["province_code"]}),
                ("producer", "producer", {"subject_id": here["id"]}),
                ("member", "council_member", {})):
            await office.call("POST", "registry", "/users", expect=201, json={
                "username": username, "password": PASSWORD, "role": role, **extra})
        producer = await office.anonymous().sign_in("producer", PASSWORD)
        tea = await producer.call("POST", "registry", "/products", expect=201, json={
            "subject_id": here["id"], "name": "Chè búp Tân Cương", "group": "food",
            "subgroup": "tea"})
        await office.call("POST", "registry", "/products", expect=201, json={
            "subject_id": there["id"], "name": "Trà atiso Lạc Dương", "group": "beverages",
            "subgroup": "non_alcoholic"})
        await producer.call("POST", "registry", f"/products/{tea['id']}/cycle",
                            json={"stage": "idea", "status": "proposed",
                                  "note": "Chè búp hái tay"})
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            me, csrf = await web_session(client, web, "officer")
            home = await client.get(f"{web}/commune", headers=me)
            assert home.status_code == 200
            said = Said(home.text)
            assert "Chè búp Tân Cương" in said.text and "HTX Chè Tân Cương" in said.text
            assert "Trà atiso Lạc Dương" not in said.text  # another commune's
            assert "Chè búp hái tay" in said.text  # the idea waiting, with its note
            assert 'id="products"' in home.text and "data-sortable" in home.text

            # A stage the producer has not proposed: the registry refuses, the page says so.
            early = await client.post(f"{web}/commune/products/{tea['id']}/stages/plan",
                                      data={"csrf": csrf, "status": "accepted", "note": ""},
                                      headers=me)
            assert early.status_code >= 400 and Said(early.text).refusals
            decided = await client.post(f"{web}/commune/products/{tea['id']}/stages/idea",
                                        data={"csrf": csrf, "status": "accepted",
                                              "note": "Ý tưởng phù hợp"}, headers=me)
            assert decided.status_code == 303, decided.text
            dossier = await producer.call("GET", "registry", f"/products/{tea['id']}/dossier")
            assert dossier["stages"]["idea"] == "accepted"
            after = Said((await client.get(f"{web}{decided.headers['location']}",
                                           headers=me)).text)
            assert after.notices and "Chè búp hái tay" not in after.text

            # The pre-assessment: today's date from the clock, each criterion a yes or no.
            path = f"{web}/commune/products/{tea['id']}/pre-assessment"
            form = await client.get(path, headers=me)
            assert form.status_code == 200
            assert f'value="{today().isoformat()}"' in form.text
            assert "Ý tưởng sản phẩm và nguyên liệu có nguồn gốc tại địa phương" in form.text
            assert "1489/QĐ-TTg" in form.text

            unanswered = {k: v for k, v in ALL_MET.items() if k != "idea"}
            refused = await client.post(path, headers=me, data=unanswered | {
                "csrf": csrf, "assessed_on": today().isoformat()})
            assert refused.status_code == 422, refused.text
            idea_at = refused.text.index('name="idea"')
            note_at = refused.text.index("Chọn Có hoặc Không.")
            assert idea_at < note_at < refused.text.index('name="local_identity"')
            assert 'name="origin" value="yes" checked' in refused.text  # kept as answered
            future = (today() + timedelta(days=1)).isoformat()
            refused = await client.post(path, headers=me, data=ALL_MET | {
                "csrf": csrf, "assessed_on": future})
            assert Said(refused.text).beside("assessed_on"), refused.text
            assert (await office.call("GET", "rating", "/proposals"))["total"] == 0

            held = await client.post(path, headers=me, data=ALL_MET | {
                "csrf": csrf, "local_labour": "no", "assessed_on": today().isoformat()})
            assert held.headers["location"].endswith("?done=held_back#result")
            page = Said((await client.get(f"{web}{held.headers['location']}",
                                          headers=me)).text)
            assert "Không đề xuất" in page.text
            assert "Sản phẩm sử dụng lao động tại địa phương" in page.text

            made = await client.post(path, headers=me, data=ALL_MET | {
                "csrf": csrf, "assessed_on": today().isoformat(), "notes": "Đủ điều kiện"})
            assert made.status_code == 303
            assert made.headers["location"].endswith("?done=proposed#result")
            proposals = await office.call("GET", "rating", "/proposals",
                                          params={"product_id": tea["id"]})
            assert [(p["proposed"], p["by"], p["notes"]) for p in proposals["items"]] == [
                (False, "officer", ""), (True, "officer", "Đủ điều kiện")]
            page = Said((await client.get(f"{web}{made.headers['location']}",
                                          headers=me)).text)
            assert "Đã đề xuất lên tỉnh" in page.text
            listed = Said((await client.get(f"{web}/commune", headers=me)).text)
            assert f"đã đề xuất · {today():%d/%m/%Y}" in listed.text
            assert "Đã đề xuất, chờ tỉnh đánh giá" in listed.text

            # Another role is sent to its own workspace.
            member, _ = await web_session(client, web, "member")
            for other in ("/commune", f"/commune/products/{tea['id']}/pre-assessment"):
                moved = await client.get(f"{web}{other}", headers=member)
                assert (moved.status_code, moved.headers["location"]) == (303, "/council")
            officer_elsewhere = await client.get(f"{web}/council", headers=me)
            assert officer_elsewhere.headers["location"] == "/commune"
