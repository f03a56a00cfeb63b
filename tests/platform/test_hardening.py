"""What a caller sends never breaks the platform: each input that once answered 500, or
was stored where it should have been refused, now gets a clear 4xx and changes nothing.
Over HTTP, on the embedded defaults."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import stat
import unicodedata
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from shared.platform.config import Settings
from tests.support.clocks import today
from tests.support.demo import wait_until
from tests.support.platform import PAPER_DOSSIER, User, office_signed_in, propose, registered
from tests.support.refusals import problem

PASSWORD = "hardening-pass"
FORMULA = '=HYPERLINK("http://attacker.example","Bấm vào đây")'
STAR_PARTS = {3: (25, 15, 20), 4: (30, 20, 25)}


@dataclass
class Market:
    settings: Settings
    admin: User
    member: User
    subject: dict[str, Any]
    certified: dict[int, str]
    """stars → product id of a product certified with them (the 3★ one named FORMULA)."""


@pytest.fixture
async def market(make_settings: Callable[..., Settings]) -> AsyncIterator[Market]:
    """A subject with two products certified a month ago, at 3★ and 4★."""
    settings = make_settings()
    days_ago = (today() - timedelta(days=30)).isoformat()
    async with office_signed_in(settings, PASSWORD) as admin:
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": "member", "password": PASSWORD, "role": "council_member"})
        member = await admin.anonymous().sign_in("member", PASSWORD)
        subject = await admin.call("POST", "registry", "/subjects", expect=201, json={
            "type": "cooperative", "name": "HTX Chè Tân Cương", "code": "0100109106",
            "province": "Thái Nguyên", "commune": "Xã Tân Cương",
            **registered(days_ago, district="Đại Từ")})
        certified = {}
        for stars, name in ((3, FORMULA), (4, "Chè búp Tân Cương")):
            product = await admin.call("POST", "registry", "/products", expect=201, json={
                "subject_id": subject["id"], "name": name, "group": "food", "subgroup": "tea",
                "registered_on": days_ago})
            await admin.call("POST", "registry", f"/products/{product['id']}/submission",
                             json=PAPER_DOSSIER)
            await propose(admin, product["id"], assessed_on=days_ago)
            evaluation = await admin.until("POST", "rating", "/evaluations", expect=201, json={
                "product_id": product["id"], "evaluation_date": days_ago})
            await member.call("POST", "rating", f"/evaluations/{evaluation['id']}/score-sheets",
                              expect=201, json=dict(zip(("part_a", "part_b", "part_c"),
                                                        STAR_PARTS[stars], strict=True)))
            await admin.call("POST", "rating", f"/evaluations/{evaluation['id']}/closing")
            await admin.call("POST", "rating", f"/evaluations/{evaluation['id']}/recognition",
                             expect=201, json={"decision_number": f"{stars}/QĐ-UBND",
                                               "decision_date": days_ago})
            await admin.until("GET", "catalog", f"/listings/{product['id']}")
            await admin.until("GET", "traceability", f"/labels/{product['id']}")
            certified[stars] = product["id"]
        yield Market(settings, admin, member, subject, certified)


async def test_listings_filter_by_one_or_several_star_counts(market: Market) -> None:
    anyone = market.admin.anonymous()

    async def ids(query: str) -> set[str]:
        page = await anyone.call("GET", "catalog", f"/listings?{query}")
        return {item["product_id"] for item in page["items"]}

    assert await ids("stars=4") == {market.certified[4]}
    assert await ids("stars=3") == {market.certified[3]}
    assert await ids("stars=3&stars=4") == set(market.certified.values())
    assert await ids("stars=5") == set()
    for bad in ("stars=2", "stars=6", "stars=four"):
        response = await anyone.client.get(f"{anyone.urls['catalog']}/listings?{bad}")
        body = problem(response, 422, "invalid-input")
        assert body["errors"][0]["field"].startswith("stars"), body


async def test_forged_page_cursors_are_refused_not_failed(market: Market) -> None:
    def forged(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    cursors = [forged([{"a": 1}, "x"]), forged([[1, 2], "x"]), forged([10**30, "x"]),
               forged([1, 2]), forged("x"), "not base64 at all!", forged([float("nan"), "x"])]
    for cursor in cursors:
        for service, path in (("catalog", "/listings"), ("registry", "/history"),
                              ("registry", "/subjects"), ("rating", "/certificates")):
            response = await market.admin.client.get(
                market.admin.urls[service] + path, params={"cursor": cursor},
                headers=market.admin.headers)
            problem(response, 400)


async def test_a_file_link_with_a_non_ascii_signature_is_refused(market: Market) -> None:
    for service in ("registry", "rating", "traceability", "catalog"):
        response = await market.admin.client.get(
            f"{market.admin.urls[service]}/objects/x?expires=99999999999&signature=%C3%A9")
        problem(response, 403, "link-invalid")


async def test_a_subject_patch_cannot_remove_required_fields(market: Market) -> None:
    path = f"/subjects/{market.subject['id']}"
    for field in ("representatives", "name", "code", "province", "commune", "registered_on"):
        response = await market.admin.client.patch(
            market.admin.urls["registry"] + path, json={field: None},
            headers=market.admin.headers)
        body = problem(response, 422, "invalid-input")
        assert field in json.dumps(body), body
    after = await market.admin.call("GET", "registry", path)
    assert after["version"] == market.subject["version"]
    assert after["representatives"] == [] and after["name"] == "HTX Chè Tân Cương"
    page = await market.admin.call("GET", "registry", "/subjects")
    assert [s["id"] for s in page["items"]] == [market.subject["id"]]


async def test_text_is_normalised_and_hidden_characters_are_refused(market: Market) -> None:
    admin, subject_id = market.admin, market.subject["id"]
    for name in ("Chè\x00 búp", "Chè \u202eoàt", "   ", "Chè\u200bbúp", "Chè\nbúp"):
        response = await admin.client.post(
            admin.urls["registry"] + "/products", headers=admin.headers, json={
                "subject_id": subject_id, "name": name, "group": "food", "subgroup": "tea"})
        problem(response, 422, "invalid-input")
    # 200 characters as a Vietnamese keyboard sends them decomposed (NFD): longer in code
    # points than the limit, the same name as 200 precomposed characters.
    nfc = ("Chè Tân Cương " * 15)[:200]
    nfd = unicodedata.normalize("NFD", nfc)
    assert len(nfd) > 200
    created = await admin.call("POST", "registry", "/products", expect=201, json={
        "subject_id": subject_id, "name": nfd, "group": "food", "subgroup": "tea",
        "description": "Dòng một\nDòng hai"})
    assert created["name"] == nfc.strip() and created["description"] == "Dòng một\nDòng hai"
    response = await admin.client.post(admin.urls["registry"] + "/products",
                                       headers=admin.headers, json={
        "subject_id": subject_id, "name": "Chè", "group": "food", "subgroup": "tea",
        "gtin": "00000000000000"})
    assert problem(response, 400, "invalid-field")["errors"][0]["field"] == "gtin"
    for opens, closes in (("0001-01-01", "2026-01-02"), ("2026-01-01", "9999-12-31")):
        response = await admin.client.post(admin.urls["rating"] + "/rounds",
                                           headers=admin.headers, json={
            "name": "Đợt 1", "level": "province", "province": "Thái Nguyên",
            "opens_on": opens, "closes_on": closes, "council": "Hội đồng tỉnh",
            "members": ["member"]})
        problem(response, 422, "invalid-input")


async def test_a_far_summary_date_is_refused(market: Market) -> None:
    response = await market.admin.client.get(
        market.admin.urls["rating"] + f"/summaries/{today().year}",
        params={"province": "Thái Nguyên", "as_of": "9999-12-31"},
        headers=market.admin.headers)
    problem(response, 422, "invalid-input")


async def test_spreadsheets_the_platform_writes_hold_no_live_formula(market: Market) -> None:
    params = {"province": "Thái Nguyên", "expiring_within_months": 36}
    year = f"/summaries/{today().year}"
    csv_text = (await market.admin.call("GET", "rating", year,
                                        params=params | {"format": "csv"})).text
    assert "'" + FORMULA.replace('"', '""') in csv_text
    assert "\n" + FORMULA not in csv_text and "," + FORMULA not in csv_text
    xlsx = await market.admin.call("GET", "rating", year, params=params | {"format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row
             if c.value == "'" + FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)


async def test_unreadable_and_oversized_tables_are_refused(market: Market) -> None:
    admin = market.admin
    too_many = ("name;code\n" + "x;y\n" * 20_001).encode()
    for service, path, params in (
            ("registry", "/imports/subjects", {}),
            ("rating", "/criteria-tables/file", {"criteria_set": "148/2023", "group": "food"})):
        for body, code in ((b"a", "missing-columns"), (b"\xff\xfe\x00", "unreadable-file"),
                           (b"a,b\n\x00,1\n", None)):
            response = await admin.client.post(
                admin.urls[service] + path, params=params, content=body,
                headers=admin.headers | {"Content-Type": "text/csv"})
            problem(response, 400, code)
        response = await admin.client.post(admin.urls[service] + path, params=params,
                                           content=too_many,
                                           headers=admin.headers | {"Content-Type": "text/csv"})
        problem(response, 400, "too-many-rows")


async def test_responses_carry_security_headers_and_data_files_are_private(
        market: Market) -> None:
    anyone = market.admin.anonymous()
    for service in ("registry", "rating", "traceability", "catalog"):
        response = await anyone.client.get(anyone.urls[service] + "/healthz")
        assert "server" not in response.headers
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page = await anyone.client.get(
        f"{anyone.urls['traceability']}/p/{market.certified[4]}")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "style-src 'self' 'unsafe-inline'" in page.headers["content-security-policy"]
    assert "script-src" not in page.headers["content-security-policy"]
    data_dir = market.settings.data_dir
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    databases = list(data_dir.glob("*.db"))
    assert len(databases) == 5  # four services and the bus
    for path in databases:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


async def _raw_response(url: str, request: bytes) -> bytes:
    """What the server answers to ``request`` sent by hand, before any body follows."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(4096), 5)
    finally:
        writer.close()


async def test_bodies_are_capped_and_strangers_are_refused_before_their_body_is_read(
        market: Market) -> None:
    admin, registry = market.admin, market.admin.urls["registry"]
    # A stranger announces 100 MB and sends none of it: refused at once, nothing read.
    head = (b"POST /subjects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000000\r\n\r\n")
    answer = await _raw_response(registry, head)
    assert answer.startswith(b"HTTP/1.1 401") and b"token-missing" in answer, answer[:300]
    # A signed-in caller's JSON above the JSON cap: 413 before reading, declared or not.
    big = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = await admin.client.post(registry + "/subjects", content=big,
                                       headers=admin.headers | {
                                           "Content-Type": "application/json"})
    problem(response, 413, "too-large")

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b" " * 65536

    response = await admin.client.post(registry + "/subjects", content=chunks(),
                                       headers=admin.headers | {
                                           "Content-Type": "application/json"})
    problem(response, 413, "too-large")
    # Files: the upload cap (20 MB) for all, then each route's own (10 MB for documents).
    product = f"/products/{market.certified[4]}"
    response = await admin.client.post(
        registry + f"{product}/images", content=b"\xff" * (25 * 2**20),
        headers=admin.headers | {"Content-Type": "image/jpeg"})
    problem(response, 413, "too-large")
    response = await admin.client.post(
        registry + f"{product}/documents", params={"type": "product_story"},
        content=b"%PDF-" + b"0" * (12 * 2**20),
        headers=admin.headers | {"Content-Type": "application/pdf"})
    problem(response, 413, "object-too-large")
    assert (await admin.client.get(registry + "/healthz")).status_code == 200
    assert (await admin.call("GET", "registry", f"/subjects/{market.subject['id']}"))


async def test_a_single_client_flooding_is_slowed_and_others_are_not(
        make_settings: Callable[..., Settings]) -> None:
    # The test's own address as a proxy: its requests name the clients they stand for.
    # A minute's budget: the whole flood falls in one window however slowly a busy machine
    # serves it (with a second's, how many were refused depended on the machine's speed).
    settings = make_settings(rate_limit="30/minute", trusted_proxies=["127.0.0.1"])
    async with office_signed_in(settings, PASSWORD) as admin:
        url = admin.urls["catalog"] + "/listings"

        async def burst(address: str, count: int) -> list[httpx.Response]:
            return list(await asyncio.gather(*(
                admin.client.get(url, headers={"X-Forwarded-For": address})
                for _ in range(count))))

        flood = await burst("203.0.113.7", 80)
        refused = [r for r in flood if r.status_code == 429]
        assert len(refused) == 50, len(refused)
        body = problem(refused[0], 429, "rate-limited")
        assert "slow down" in body["detail"]
        # When the sliding window frees one: this minute's end, and a 30th of the next.
        assert 1 <= int(refused[0].headers["retry-after"]) <= 60 + 2
        others = await burst("198.51.100.20", 20)
        assert all(r.status_code == 200 for r in others)


async def test_disabling_an_account_or_changing_a_password_ends_its_tokens_everywhere(
        market: Market) -> None:
    admin, anyone = market.admin, market.admin.anonymous()
    await admin.call("POST", "registry", "/users", expect=201, json={
        "username": "producer", "password": PASSWORD, "role": "producer",
        "subject_id": market.subject["id"]})
    phone = await anyone.sign_in("producer", PASSWORD)
    laptop = await anyone.sign_in("producer", PASSWORD)
    product = f"/products/{market.certified[4]}"
    for user in (phone, laptop):
        await user.call("GET", "rating", f"{product}/results")
    # A wrong current password changes nothing.
    response = await phone.client.put(phone.urls["registry"] + "/users/me/password",
                                      headers=phone.headers, json={
        "current_password": "not-the-password", "new_password": "a-new-password-1"})
    assert problem(response, 400, "invalid-field")["errors"][0]["field"] == "current_password"
    await laptop.call("GET", "registry", "/users/me")
    changed = await phone.call("PUT", "registry", "/users/me/password", json={
        "current_password": PASSWORD, "new_password": "a-new-password-1"})
    phone = User(phone.urls, phone.client, changed["access_token"])

    async def ended(user: User, service: str, path: str) -> bool:
        response = await user.client.get(user.urls[service] + path, headers=user.headers)
        return response.status_code == 401 and response.json()["type"].endswith(
            "/token-revoked")

    for service, path in (("registry", "/users/me"), ("rating", f"{product}/results"),
                          ("registry", product)):
        await wait_until(lambda s=service, p=path: ended(laptop, s, p), within=10)
    await phone.call("GET", "rating", f"{product}/results")
    await anyone.sign_in("producer", "a-new-password-1")
    # Disabled: the token just issued ends too, for writes as well as reads.
    await admin.call("PUT", "registry", "/users/producer/access", json={"disabled": True})
    await wait_until(lambda: ended(phone, "rating", f"{product}/results"), within=10)
    response = await phone.client.patch(phone.urls["registry"] + product,
                                        headers=phone.headers, json={"description": "x"})
    problem(response, 401, "token-revoked")
    history = await admin.call("GET", "registry", "/history",
                               params={"entity": "user", "entity_id": "producer"})
    assert [e["action"] for e in history["items"]][:2] == ["disabled", "password-changed"]
