"""The producers' workspace over plain HTTP: how its sessions are kept, that every form
needs the session's CSRF token, that refusals come back per field in Vietnamese, and that
it is the producers' own. The platform on its embedded defaults, really served."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import httpx

from shared.platform.config import Settings
from tests.support.batches import GTIN, PASSWORD
from tests.support.clocks import today
from tests.support.platform import certified_product, cooperative_with_council
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace, sign_in_form

CSRF = re.compile(r'<meta name="csrf" content="([^"]+)">')


async def sign_in(client: httpx.AsyncClient, web: str, username: str, password: str
                  ) -> httpx.Response:
    csrf, cookie = await sign_in_form(client, web)
    return await client.post(f"{web}/sign-in", headers=cookie, data={
        "username": username, "password": password, "csrf": csrf})


def session_of(response: httpx.Response) -> dict[str, str]:
    """The cookie the sign-in set, sent back by hand: it is Secure, and a client that
    honours that (httpx) sends it over HTTPS only."""
    key = response.cookies["ocop_session"]
    return {"Cookie": f"ocop_session={key}"}


async def test_sessions_forms_and_refusals_of_the_workspace(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        made = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                       (today() - timedelta(days=30)).isoformat(), GTIN)
        product_id = made["product_id"]
        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=30) as client:
            # Nothing without a session.
            assert (await client.get(f"{web}/")).status_code == 401

            # Each role lands on its own workspace, and a page of another role's sends
            # the person to their own.
            office_signed = await sign_in(client, web, "office", PASSWORD)
            assert office_signed.status_code == 303
            assert office_signed.headers["location"] == "/office"
            elsewhere = await client.get(f"{web}/", headers=session_of(office_signed))
            assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/office"
            wrong = await sign_in(client, web, "producer", "not-the-password")
            assert wrong.status_code == 401 and "ocop_session" not in wrong.cookies

            signed = await sign_in(client, web, "producer", PASSWORD)
            assert signed.status_code == 303 and signed.headers["location"] == "/"
            cookie = signed.headers["set-cookie"].lower()
            assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
            key = signed.cookies["ocop_session"]
            stored = (settings.data_dir / "web.db").read_bytes()
            assert key.encode() not in stored  # only its SHA-256 is kept
            me = session_of(signed)
            home = await client.get(f"{web}/", headers=me)
            assert home.status_code == 200 and "Chè búp Tân Cương" in home.text
            assert home.headers["cache-control"].startswith("private")
            assert "script-src 'self'" in home.headers["content-security-policy"]
            csrf = CSRF.search(home.text)
            assert csrf is not None and csrf.group(1)

            # A form without the session's CSRF token (another site's, or a stale one)
            # changes nothing.
            change = {"name": "Chè giả mạo", "description": ""}
            for token in (None, "forged-token"):
                form = change | ({"csrf": token} if token else {})
                response = await client.post(f"{web}/products/{product_id}/changes",
                                             data=form, headers=me)
                assert response.status_code == 403, response.text
                assert "Biểu mẫu đã cũ" in response.text
            product = await coop.producer.call("GET", "registry", f"/products/{product_id}")
            assert product["pending_identity_change"] is None

            # The phone's queue gets JSON: a refusal per field, in Vietnamese by default
            # and in English once chosen.
            batch = await coop.producer.call("POST", "traceability",
                                             f"/products/{product_id}/batches", expect=201,
                                             json={"lot": "L1", "produced_on": (
                                                 today() - timedelta(days=2)).isoformat(),
                                                 "quantity": 5, "unit": "KGM"})
            yesterday = (today() - timedelta(days=1)).isoformat()
            queued = {"Accept": "application/json", "X-CSRF-Token": csrf.group(1)} | me
            event = {"event_id": "5b0f3c7e-8a0a-4d5e-9a51-1f2d3c4b5a69", "step": "harvest",
                     "happened_at": f"{yesterday}T07:30", "place": ""}
            bad = await client.post(f"{web}/batches/{batch['id']}/events", data=event,
                                    headers=queued)
            assert bad.status_code == 422
            assert "place" in bad.json()["fields"]  # the form's field, not the API's
            assert "không hợp lệ" in bad.json()["message"]
            english = await client.get(f"{web}/language/en", params={"back": "/"})
            assert english.status_code == 303
            in_english = queued | {"Cookie": f"{me['Cookie']}; ocop_lang=en"}
            bad_en = await client.post(f"{web}/batches/{batch['id']}/events", data=event,
                                       headers=in_english)
            assert "invalid" in bad_en.json()["message"]
            page = await client.get(f"{web}/", headers=in_english)
            assert "My products" in page.text and 'lang="en"' in page.text
            # Only paths on the workspace itself are followed back.
            outward = await client.get(f"{web}/language/vi",
                                       params={"back": "//evil.example/"})
            assert outward.headers["location"] == "/"

            good = await client.post(f"{web}/batches/{batch['id']}/events",
                                     data=event | {"place": "Đồi chè"}, headers=queued)
            again = await client.post(f"{web}/batches/{batch['id']}/events",
                                      data=event | {"place": "Đồi chè"}, headers=queued)
            assert good.status_code == again.status_code == 201, good.text
            assert good.json()["record_id"] == again.json()["record_id"]
            journey = (await coop.producer.call("GET", "traceability",
                                                f"/batches/{batch['id']}"))["journey"]
            assert [s["step"] for s in journey] == ["harvest"]
            assert journey[0]["when"].startswith(f"{yesterday}T07:30:00+07:00")

            # Signing out ends the session on the server, not only in the browser.
            out = await client.post(f"{web}/sign-out", data={"csrf": csrf.group(1)},
                                    headers=me)
            assert out.status_code == 303 and out.headers["clear-site-data"] == '"cache"'
            assert (await client.get(f"{web}/", headers=me)).status_code == 401
            gone = await client.post(f"{web}/batches/{batch['id']}/events", data=event,
                                     headers=queued)
            assert gone.status_code == 401 and gone.json()["sign_in"] is True
