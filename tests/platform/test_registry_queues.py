"""The registry's queues over HTTP: the office's list of accounts, the dossier stages waiting
for the office or the commune, and a product that says whether it is certified."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from shared.platform.config import Settings
from tests.support.demo import wait_until
from tests.support.platform import (
    PDF,
    Cooperative,
    User,
    certified_product,
    cooperative_with_council,
    office_signed_in,
    registered,
)

PASSWORD = "queues-pass-31"
GTIN = "08934563138165"
ELSEWHERE = {"type": "household_business", "name": "Hộ Atiso Lạc Dương", "code": "LD-2024-07",
             "province": "Lâm Đồng", "commune": "Xã Lạc Dương"}


@dataclass
class Province:
    office: User
    coop: Cooperative
    commune: str
    """The cooperative's commune, by its official code."""
    officer: User
    """The officer of the cooperative's commune."""
    other_officer: User
    """The officer of another commune."""


@pytest.fixture
async def province(make_settings: Callable[..., Settings]) -> AsyncIterator[Province]:
    async with office_signed_in(make_settings(), PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        subject = await office.call("GET", "registry", f"/subjects/{coop.subject_id}")
        elsewhere = await office.call("POST", "registry", "/subjects", expect=201, json={
            **ELSEWHERE, **registered(coop.registered_on, district="Lạc Dương")})
        officers = []
        for username, place in (("officer", subject), ("other-officer", elsewhere)):
            await office.call("POST", "registry", "/users", expect=201, json={
                "username": username, "password": PASSWORD, "role": "commune_officer",
                "commune_code": place["commune_code"], "province_code": place["province_code"]})
            officers.append(await office.anonymous().sign_in(username, PASSWORD))
        yield Province(office, coop, subject["commune_code"], *officers)


async def refused_filter(user: User, path: str) -> None:
    problem = await user.call("GET", "registry", path, params={"status": "x"}, expect=400)
    assert problem["type"].endswith("/unknown-filter")


async def test_the_office_lists_accounts_by_role_commune_and_access(province: Province) -> None:
    office = province.office
    await office.call("PUT", "registry", "/users/producer/access", json={"disabled": True})

    everyone = await office.call("GET", "registry", "/users")
    assert {u["username"] for u in everyone["items"]} == {
        "office", "producer", "member", "officer", "other-officer"}
    assert everyone["total"] == 5
    assert not any("password" in key for u in everyone["items"] for key in u)

    officers = await office.call("GET", "registry", "/users",
                                 params={"role": "commune_officer", "limit": 1})
    assert (len(officers["items"]), officers["total"]) == (1, 2)
    rest = await office.call("GET", "registry", "/users", params={
        "role": "commune_officer", "limit": 1, "cursor": officers["next_cursor"]})
    assert {officers["items"][0]["username"], rest["items"][0]["username"]} == {
        "officer", "other-officer"}

    local = await office.call("GET", "registry", "/users", params={"commune": province.commune})
    assert [u["username"] for u in local["items"]] == ["officer"]
    disabled = await office.call("GET", "registry", "/users", params={"disabled": "true"})
    assert [(u["username"], u["disabled"]) for u in disabled["items"]] == [("producer", True)]
    assert (await office.call("GET", "registry", "/users",
                              params={"disabled": "false"}))["total"] == 4

    # who holds an account is the office's to know: not a commune's, not a producer's
    await province.officer.call("GET", "registry", "/users", expect=403)
    await province.coop.member.call("GET", "registry", "/users", expect=403)
    await refused_filter(office, "/users")


async def proposed(producer: User, product_id: str, stage: str) -> None:
    await producer.call("POST", "registry", f"/products/{product_id}/cycle",
                        json={"stage": stage, "status": "proposed"})


async def waiting(user: User, **params: str) -> dict[str, Any]:
    return await user.call("GET", "registry", "/dossier-stages",  # type: ignore[no-any-return]
                           params=params)


def stages(queue: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(s["product_name"], s["stage"], s["waiting_for"]) for s in queue["items"]]


async def test_proposed_stages_wait_oldest_first_for_the_office_or_the_commune(
        province: Province) -> None:
    office, producer = province.office, province.coop.producer
    made = {}
    for name in ("Chè búp", "Chè móc câu"):
        made[name] = (await producer.call("POST", "registry", "/products", expect=201, json={
            "subject_id": province.coop.subject_id, "name": name, "group": "food",
            "subgroup": "tea"}))["id"]
    # Chè móc câu's idea and plan are accepted and its dossier complete
    hooked = f"/products/{made['Chè móc câu']}"
    for missing in (await producer.call("GET", "registry", f"{hooked}/dossier"))["missing"]:
        await producer.call("POST", "registry", f"{hooked}/documents", expect=201, content=PDF,
                            params={"type": missing["type"]},
                            headers={"Content-Type": "application/pdf"})
    for stage in ("idea", "plan"):
        await proposed(producer, made["Chè móc câu"], stage)
        await office.call("POST", "registry", f"{hooked}/cycle",
                          json={"stage": stage, "status": "accepted"})

    await proposed(producer, made["Chè búp"], "idea")
    await proposed(producer, made["Chè móc câu"], "dossier")

    queue = await waiting(office)
    assert stages(queue) == [("Chè búp", "idea", "commune"),
                             ("Chè móc câu", "dossier", "office")]
    assert queue["total"] == 2
    first = queue["items"][0]
    assert (first["product_id"], first["subject_id"], first["subject_name"],
            first["proposed_by"]) == (made["Chè búp"], province.coop.subject_id,
                                      "HTX Chè Tân Cương", "producer")
    assert first["proposed_at"] <= queue["items"][1]["proposed_at"]
    assert stages(await waiting(office, waiting_for="office")) == [
        ("Chè móc câu", "dossier", "office")]
    page = await waiting(office, limit="1")
    assert (stages(page), page["total"]) == ([("Chè búp", "idea", "commune")], 2)
    assert stages(await waiting(office, limit="1", cursor=page["next_cursor"])) == [
        ("Chè móc câu", "dossier", "office")]
    assert (await waiting(office, commune=province.commune))["total"] == 2

    # a commune officer sees its own commune's, nothing of another's
    local = await waiting(province.officer, waiting_for="commune")
    assert stages(local) == [("Chè búp", "idea", "commune")]
    assert (await waiting(province.other_officer))["items"] == []
    assert (await waiting(province.other_officer, commune=province.commune))["total"] == 0
    await producer.call("GET", "registry", "/dossier-stages", expect=403)
    await refused_filter(office, "/dossier-stages")

    # decided, the stage leaves the queue
    await province.officer.call("POST", "registry", f"/products/{made['Chè búp']}/cycle",
                                json={"stage": "idea", "status": "rejected"})
    await office.call("POST", "registry", f"{hooked}/cycle",
                      json={"stage": "dossier", "status": "accepted"})
    assert await waiting(office) == {"items": [], "next_cursor": None, "total": 0}


async def test_a_product_says_whether_it_is_certified(province: Province) -> None:
    office, coop = province.office, province.coop
    records = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                      coop.registered_on, GTIN)
    product_id = records["product_id"]
    draft = await coop.producer.call("POST", "registry", "/products", expect=201, json={
        "subject_id": coop.subject_id, "name": "Chè xanh", "group": "food",
        "subgroup": "tea"})

    async def certification(status: str) -> dict[str, Any]:
        seen: list[dict[str, Any]] = []

        async def says() -> bool:
            product = await office.call("GET", "registry", f"/products/{product_id}")
            seen.append(product)
            return bool(product["certification"]
                        and product["certification"]["status"] == status)

        await wait_until(says)
        return seen[-1]["certification"]  # type: ignore[no-any-return]

    async def listed(which: str) -> list[str]:
        page = await office.call("GET", "registry", "/products",
                                 params={"certification": which})
        assert page["total"] == len(page["items"])
        return [p["id"] for p in page["items"]]

    held = await certification("certified")
    assert (held["stars"], held["certificate_id"]) == (4, records["certificate_id"])
    assert held["valid_until"] > coop.registered_on
    assert await listed("certified") == [product_id]
    assert await listed("none") == [draft["id"]]
    assert draft["certification"] is None

    await office.call("POST", "rating", f"/certificates/{records['certificate_id']}/revocation",
                      json={"reason": "Nhãn sản phẩm sử dụng sai biểu trưng OCOP."})
    revoked = await certification("revoked")
    assert revoked["certificate_id"] == records["certificate_id"]
    assert await listed("revoked") == [product_id]
    assert await listed("certified") == []

    # the office's queue of identity changes counts too; unknown filters are refused
    pending = await office.call("GET", "registry", "/products",
                                params={"identity_change": "pending"})
    assert (pending["items"], pending["total"]) == ([], 0)
    await refused_filter(coop.producer, "/products")
