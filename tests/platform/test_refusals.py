"""What the platform refuses, each with a clear 4xx in English and Vietnamese, and with
nothing changed: over HTTP, on the embedded defaults."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.identity.auth import Caller, Role, TokenIssuer
from shared.platform.config import Settings
from tests.support.clocks import SYSTEM_CLOCK
from tests.support.demo import wait_until
from tests.support.platform import User, accepted_dossier, office_signed_in, propose, registered
from tests.support.refusals import problem

PASSWORD = "a-long-password"


@dataclass
class World:
    client: httpx.AsyncClient
    anyone: User
    admin: User
    producer_a: User
    member: User
    product_a: dict[str, Any]
    product_b: dict[str, Any]


@pytest.fixture
async def world(make_settings: Callable[..., Settings]) -> AsyncIterator[World]:
    """Two subjects, each with a product; producer A is signed in, as are the office and
    a council member. The test's own address is a proxy: a request may name the client it
    stands for (a guesser's)."""
    settings = make_settings(trusted_proxies=["127.0.0.1"])
    async with office_signed_in(settings, PASSWORD) as admin:
        anyone, client = admin.anonymous(), admin.client
        products = []
        for name, code in (("HTX Sâm Ngọc Linh", "0401234566"), ("HTX Chè Tân Cương",
                                                                 "0100109106")):
            subject = await admin.call("POST", "registry", "/subjects", expect=201, json={
                "type": "cooperative", "name": name, "code": code, "province": "Đà Nẵng",
                "commune": "Xã Trà Linh", **registered(district="Nam Trà My")})
            products.append(await admin.call("POST", "registry", "/products", expect=201,
                                             json={"subject_id": subject["id"],
                                                   "name": f"Sản phẩm của {name}",
                                                   "group": "herbal", "subgroup": "herbs"}))
            if len(products) == 1:
                await admin.call("POST", "registry", "/users", expect=201, json={
                    "username": "producer-a", "password": PASSWORD, "role": "producer",
                    "subject_id": subject["id"]})
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": "member", "password": PASSWORD, "role": "council_member"})
        yield World(client, anyone, admin, await anyone.sign_in("producer-a", PASSWORD),
                    await anyone.sign_in("member", PASSWORD), products[0], products[1])


async def test_a_producer_cannot_touch_another_subjects_product(world: World) -> None:
    other = world.product_b
    path = f"/products/{other['id']}"
    for method, url, kwargs in (("PATCH", path, {"json": {"name": "Tên khác"}}),
                                ("POST", f"{path}/submission", {}),
                                ("POST", f"{path}/images", {"content": b"\x89PNG\r\n\x1a\n",
                                                            "headers": {"Content-Type":
                                                                        "image/png"}})):
        response = await world.client.request(
            method, world.anyone.urls["registry"] + url,
            headers=world.producer_a.headers | kwargs.pop("headers", {}), **kwargs)
        problem(response, 403, "not-permitted")
    # nor register a product for it
    response = await world.client.post(
        world.anyone.urls["registry"] + "/products", headers=world.producer_a.headers,
        json={"subject_id": other["subject_id"], "name": "Lén lút", "group": "food",
              "subgroup": "tea"})
    problem(response, 403, "not-permitted")
    unchanged = await world.admin.call("GET", "registry", path)
    assert (unchanged["name"], unchanged["status"], unchanged["version"]) == (
        other["name"], "draft", other["version"])
    assert unchanged["image_urls"] == []
    # while its own product it may change
    own = await world.producer_a.call("PATCH", "registry", f"/products/{world.product_a['id']}",
                                      json={"description": "Củ sâm 5 năm tuổi"})
    assert own["description"] == "Củ sâm 5 năm tuổi" and own["version"] == 2


async def test_a_draft_product_cannot_be_evaluated_or_certified(world: World) -> None:
    # (once the rating service has heard of the product, which it answers 404 until then)
    body = await world.admin.until("POST", "rating", "/evaluations", expect=409,
                                   json={"product_id": world.product_a["id"]})
    assert body["type"].endswith("/not-submitted") and body["detail_vi"]
    assert "submission" in body["detail"]
    listed = await world.anyone.call("GET", "rating", "/certificates",
                                     params={"product_id": world.product_a["id"]})
    assert listed["items"] == []


@pytest.mark.on_day(date(2026, 11, 20))  # the commune's proposal is needed from 6 July 2025
async def test_scores_above_a_parts_maximum_are_refused_and_not_stored(world: World) -> None:
    await accepted_dossier(world.producer_a, world.admin, world.product_a["id"])
    await world.producer_a.call("POST", "registry",
                                f"/products/{world.product_a['id']}/submission")
    refusals: list[dict[str, Any]] = []

    async def refused_for_want_of_a_proposal() -> bool:
        # (until the rating service has heard of the submission, it says not-submitted)
        response = await world.client.post(world.anyone.urls["rating"] + "/evaluations",
                                           headers=world.admin.headers,
                                           json={"product_id": world.product_a["id"]})
        refusals.append(response.json())
        return str(refusals[-1]["type"]).endswith("/not-proposed-by-commune")

    await wait_until(refused_for_want_of_a_proposal)
    assert refusals[-1]["detail_vi"].startswith("Từ ngày 6/7/2025")
    not_all_met = await world.admin.call("POST", "rating", "/proposals", expect=201, json={
        "product_id": world.product_a["id"], "origin": True, "local_labour": False,
        "idea": True, "local_identity": True})
    assert not_all_met["proposed"] is False and not_all_met["shortfalls"] == ["local_labour"]
    await world.admin.call("POST", "rating", "/evaluations", expect=409,
                           json={"product_id": world.product_a["id"]})
    for officer, commune in (("xa-khac", "Xã Trà Tập"), ("xa-tra-linh", "Xã Trà Linh")):
        await world.admin.call("POST", "registry", "/users", expect=201, json={
            "username": officer, "password": PASSWORD, "role": "commune_officer",
            "commune": commune, "province": "Đà Nẵng"})
    other_commune = await world.anyone.sign_in("xa-khac", PASSWORD)
    foreign = await world.client.post(world.anyone.urls["rating"] + "/proposals",
                                      headers=other_commune.headers, json={
                                          "product_id": world.product_a["id"], "origin": True,
                                          "local_labour": True, "idea": True,
                                          "local_identity": True})
    problem(foreign, 403, "not-permitted")
    await propose(await world.anyone.sign_in("xa-tra-linh", PASSWORD), world.product_a["id"])
    old_set = await world.client.post(world.anyone.urls["rating"] + "/evaluations",
                                      headers=world.admin.headers,
                                      json={"product_id": world.product_a["id"],
                                            "criteria_set": "1048/2019"})
    body = problem(old_set, 400, "criteria-set-not-in-force")
    assert body["errors"][0]["field"] == "criteria_set"
    evaluation = await world.admin.until("POST", "rating", "/evaluations", expect=201,
                                         json={"product_id": world.product_a["id"]})
    path = f"/evaluations/{evaluation['id']}/score-sheets"
    response = await world.client.post(world.anyone.urls["rating"] + path,
                                       headers=world.member.headers,
                                       json={"part_a": 41, "part_b": 25, "part_c": -1})
    body = problem(response, 400, "score-out-of-range")
    assert [e["field"] for e in body["errors"]] == ["part_a", "part_c"]
    assert "0 to 40" in body["errors"][0]["message"]
    assert "0 đến 40" in body["errors"][0]["message_vi"]
    stored = await world.admin.call("GET", "rating", f"/evaluations/{evaluation['id']}")
    assert stored["score_sheets"] == []
    # the same member scores once, correctly; twice is refused
    await world.member.call("POST", "rating", path, expect=201,
                            json={"part_a": 20, "part_b": 10, "part_c": 10})
    again = await world.client.post(world.anyone.urls["rating"] + path,
                                    headers=world.member.headers,
                                    json={"part_a": 30, "part_b": 20, "part_c": 20})
    problem(again, 409, "already-scored")
    # a 2★ result (40 points) is not recognised, and the producer learns what fell short
    closed = await world.admin.call("POST", "rating", f"/evaluations/{evaluation['id']}/closing")
    assert closed["result"]["stars"] == 2
    assert [s["part"] for s in closed["result"]["shortfalls"]] == ["B", "C"]
    refused = await world.client.post(
        world.anyone.urls["rating"] + f"/evaluations/{evaluation['id']}/recognition",
        headers=world.admin.headers, json={"decision_number": "99/QĐ-UBND"})
    problem(refused, 409, "below-3-stars")
    # the producer reads its own result and what to improve; another's is not its business
    results = await world.producer_a.call("GET", "rating",
                                          f"/products/{world.product_a['id']}/results")
    assert [(r["stars"], r["score"]) for r in results] == [(2, 40.0)]
    assert [(s["part"], s["name_vi"]) for s in results[0]["shortfalls"]] == [
        ("B", "Khả năng tiếp thị"), ("C", "Chất lượng sản phẩm")]
    others = await world.producer_a.until(  # (404 until rating has heard of the product)
        "GET", "rating", f"/products/{world.product_b['id']}/results", expect=403)
    assert others["type"].endswith("/not-permitted")


async def test_missing_forged_and_wrong_role_tokens_are_refused(world: World) -> None:
    url = world.anyone.urls["registry"] + f"/products/{world.product_a['id']}"
    missing = await world.client.patch(url, json={"name": "Không ký"})
    problem(missing, 401, "token-missing")
    forger = TokenIssuer(Ed25519PrivateKey.generate(), timedelta(minutes=5), SYSTEM_CLOCK)
    forged = forger.issue(Caller("office", "office", Role.ADMIN)).token
    for service, method, path in (("registry", "PATCH", f"/products/{world.product_a['id']}"),
                                  ("rating", "POST", "/evaluations"),
                                  ("rating", "POST", "/certificates/x/revocation")):
        response = await world.client.request(
            method, world.anyone.urls[service] + path, json={"name": "Giả mạo"},
            headers={"Authorization": f"Bearer {forged}"})
        problem(response, 401, "token-invalid")
    garbage = await world.client.patch(url, json={"name": "x"},
                                       headers={"Authorization": "Bearer not.a.token"})
    problem(garbage, 401, "token-invalid")
    wrong_role = await world.client.post(world.anyone.urls["registry"] + "/subjects",
                                         headers=world.producer_a.headers,
                                         json={"type": "enterprise", "name": "Tự đăng ký",
                                               "code": "0100233488", "province": "Hà Nội",
                                               "commune": "Phường Ba Đình"})
    problem(wrong_role, 403, "not-permitted")
    product = await world.admin.call("GET", "registry", f"/products/{world.product_a['id']}")
    assert product["name"] == world.product_a["name"] and product["version"] == 1
    wrong_password = await world.client.post(world.anyone.urls["registry"] + "/auth/token",
                                             json={"username": "office", "password": "guess"})
    problem(wrong_password, 401, "login-failed")


async def test_bad_identifiers_name_the_field(world: World) -> None:
    for body, field in (
            ({"type": "enterprise", "name": "Công ty A", "code": "0100233489",
              "province": "Hà Nội", "commune": "Phường Ba Đình"}, "code"),
            ({"type": "household_business", "name": "Hộ B", "code": "!",
              "province": "Hà Nội", "commune": "Phường Hoàn Kiếm"}, "code")):
        response = await world.client.post(world.anyone.urls["registry"] + "/subjects",
                                           headers=world.admin.headers, json=body)
        assert problem(response, 400, "invalid-field")["errors"][0]["field"] == field
    bad_gtin = await world.client.patch(
        world.anyone.urls["registry"] + f"/products/{world.product_a['id']}",
        headers=world.admin.headers, json={"gtin": "8934563138166"})
    body = problem(bad_gtin, 400, "invalid-field")
    assert body["errors"][0]["field"] == "gtin" and "check digit" in body["detail"]
    wrong_group = await world.client.patch(
        world.anyone.urls["registry"] + f"/products/{world.product_a['id']}",
        headers=world.admin.headers, json={"subgroup": "coffee_cocoa"})
    assert problem(wrong_group, 400, "invalid-field")["errors"][0]["field"] == "subgroup"
    not_image = await world.client.post(
        world.anyone.urls["registry"] + f"/products/{world.product_a['id']}/images",
        headers=world.admin.headers | {"Content-Type": "image/png"}, content=b"GIF89a....")
    problem(not_image, 400, "unsupported-image")
    product = await world.admin.call("GET", "registry", f"/products/{world.product_a['id']}")
    assert product["version"] == 1 and product["gtin"] is None and product["image_urls"] == []


async def test_every_change_is_in_the_history_for_admins_only(world: World) -> None:
    path = f"/products/{world.product_a['id']}"
    await world.producer_a.call("PATCH", "registry", path, json={"name": "Sâm Ngọc Linh 5 năm"})
    await accepted_dossier(world.producer_a, world.admin, world.product_a["id"])
    await world.producer_a.call("POST", "registry", f"{path}/submission")
    refused = await world.client.patch(world.anyone.urls["registry"] + path,
                                       headers=world.producer_a.headers, json={"group": "x"})
    assert refused.status_code == 400
    history = await world.admin.call("GET", "registry", "/history", params={
        "entity": "product", "entity_id": world.product_a["id"]})
    assert [(e["action"], e["by"], e["version"]) for e in history["items"]] == [
        ("submitted", "producer-a", 3), ("updated", "producer-a", 2), ("created", "office", 1)]
    assert history["items"][1]["changes"] == {"name": {
        "from": world.product_a["name"], "to": "Sâm Ngọc Linh 5 năm"}}
    assert history["items"][0]["changes"]["status"] == {"from": "draft", "to": "submitted"}
    users = await world.admin.call("GET", "registry", "/history", params={"entity": "user"})
    assert {e["entity_id"] for e in users["items"]} == {"office", "producer-a", "member"}
    assert all("password_hash" not in e["changes"] for e in users["items"])
    denied = await world.client.get(world.anyone.urls["registry"] + "/history",
                                    headers=world.producer_a.headers)
    assert denied.status_code == 403


async def test_guessing_passwords_slows_the_guesser_not_the_account_and_disabled_accounts_cannot_sign_in(  # noqa: E501
        world: World) -> None:
    token_url = world.anyone.urls["registry"] + "/auth/token"
    attacker = {"X-Forwarded-For": "203.0.113.66"}
    for _ in range(5):
        wrong = await world.client.post(token_url, headers=attacker, json={
            "username": "member", "password": "guess-guess"})
        problem(wrong, 401, "login-failed")
    wrong = await world.client.post(token_url, headers=attacker, json={
        "username": "member", "password": "guess-guess"})
    problem(wrong, 401, "login-failed")  # the sixth is counted; the next must wait
    slowed = await world.client.post(token_url, headers=attacker, json={
        "username": "member", "password": PASSWORD})
    body = problem(slowed, 429, "sign-in-throttled")
    assert "try again in" in body["detail"] and "thử lại sau" in body["detail_vi"]
    assert int(slowed.headers["retry-after"]) >= 1
    # the member, from its own address, signs in as ever; so does anyone else
    for username in ("member", "producer-a"):
        assert (await world.client.post(token_url, json={
            "username": username, "password": PASSWORD})).status_code == 200

    await world.admin.call("PUT", "registry", "/users/producer-a/access",
                           json={"disabled": True})
    disabled = await world.client.post(token_url, json={"username": "producer-a",
                                                        "password": PASSWORD})
    problem(disabled, 401, "login-failed")  # as a wrong password: nothing to learn
    await world.admin.call("PUT", "registry", "/users/producer-a/access",
                           json={"disabled": False})
    assert (await world.client.post(token_url, json={"username": "producer-a",
                                                     "password": PASSWORD})).status_code == 200
    history = await world.admin.call("GET", "registry", "/history", params={
        "entity": "user", "entity_id": "producer-a"})
    assert [e["action"] for e in history["items"]][:2] == ["enabled", "disabled"]
