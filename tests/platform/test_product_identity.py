"""What was certified is what the certificate says: once a product is submitted, the
producer's change of its name, group or GTIN waits for the office; and a printed label never
goes dead — every GTIN a product ever carried still opens its scan page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from stdnum import ean

from shared.platform.config import Settings
from tests.support.demo import wait_until
from tests.support.platform import (
    User,
    certified_product,
    cooperative_with_council,
    office_signed_in,
)

PASSWORD = "identity-pass-1"
OLD_GTIN = "08934563138165"
NEW_GTIN = "0893456313820" + ean.calc_check_digit("893456313820")


@dataclass
class Certified:
    office: User
    producer: User
    product_id: str


@pytest.fixture
async def certified(make_settings: Callable[..., Settings]) -> AsyncIterator[Certified]:
    async with office_signed_in(make_settings(), PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        records = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                          coop.registered_on, OLD_GTIN)
        yield Certified(office, coop.producer, records["product_id"])


async def scanned(user: User, gtin: str) -> dict[str, Any]:
    """What a phone scanning ``gtin`` is told (empty: no OCOP product has it)."""
    response = await user.client.get(f"{user.urls['traceability']}/01/{gtin}",
                                     params={"format": "json"})
    return response.json() if response.status_code == 200 else {}  # type: ignore[no-any-return]


async def test_a_certified_products_new_name_and_gtin_wait_for_the_office(
        certified: Certified) -> None:
    office, producer, path = certified.office, certified.producer, (
        f"/products/{certified.product_id}")
    asked = await producer.call("PATCH", "registry", path, json={
        "name": "Trà Tân Cương thượng hạng", "gtin": NEW_GTIN[1:],
        "description": "Hái tay buổi sớm."})
    # the description applies at once; the identity waits, visible to the office
    assert (asked["name"], asked["gtin"]) == ("Chè búp Tân Cương", OLD_GTIN)
    assert asked["description"] == "Hái tay buổi sớm."
    assert asked["pending_identity_change"]["changes"] == {
        "name": "Trà Tân Cương thượng hạng", "gtin": NEW_GTIN}
    assert asked["pending_identity_change"]["by"] == "producer"
    queue = await office.call("GET", "registry", "/products",
                              params={"identity_change": "pending"})
    assert [p["id"] for p in queue["items"]] == [certified.product_id]
    listing = await office.until("GET", "catalog", f"/listings/{certified.product_id}")
    assert listing["name"] == "Chè búp Tân Cương"
    history = await office.call("GET", "registry", "/history",
                                params={"entity": "product", "entity_id": certified.product_id})
    assert history["items"][0]["action"] == "identity-change-proposed"

    approved = await office.call("POST", "registry", f"{path}/identity-change",
                                 json={"approve": True, "note": "Đúng với nhãn mới"})
    assert (approved["name"], approved["gtin"]) == ("Trà Tân Cương thượng hạng", NEW_GTIN)
    assert approved["former_gtins"] == [OLD_GTIN]
    assert approved["pending_identity_change"] is None
    assert (await office.call("GET", "registry", "/products",
                              params={"identity_change": "pending"}))["items"] == []

    async def renamed_everywhere() -> bool:
        names = [(await scanned(office, gtin)).get("product", {}).get("name")
                 for gtin in (NEW_GTIN, OLD_GTIN)]
        return names == ["Trà Tân Cương thượng hạng"] * 2

    await wait_until(renamed_everywhere)
    old = await scanned(office, OLD_GTIN)  # the labels already printed still find it
    assert old["ocop"]["state"] == "active"
    # and nobody else may take the retired GTIN
    taken = await office.client.post(office.urls["registry"] + "/products",
                                     headers=office.headers, json={
                                         "subject_id": approved["subject_id"], "name": "Khác",
                                         "group": "food", "subgroup": "tea", "gtin": OLD_GTIN})
    assert taken.status_code == 409, taken.text


async def test_a_rejected_change_leaves_the_product_as_certified(certified: Certified) -> None:
    office, producer, path = certified.office, certified.producer, (
        f"/products/{certified.product_id}")
    await producer.call("PATCH", "registry", path, json={"gtin": None, "group": "beverages",
                                                          "subgroup": "non_alcoholic"})
    rejected = await office.call("POST", "registry", f"{path}/identity-change",
                                 json={"approve": False, "note": "Nhóm không đúng"})
    assert (rejected["gtin"], rejected["group"]) == (OLD_GTIN, "food")
    assert rejected["pending_identity_change"] is None and rejected["former_gtins"] == []
    again = await office.client.post(office.urls["registry"] + f"{path}/identity-change",
                                     headers=office.headers, json={"approve": True})
    assert again.status_code == 409 and again.json()["type"].endswith("/nothing-pending")
    assert (await scanned(office, OLD_GTIN))["product"]["name"] == "Chè búp Tân Cương"
