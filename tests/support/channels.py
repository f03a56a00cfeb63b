"""A small market for the sales-channel tests: two subjects in two provinces, each with a
product certified a month ago and listed with its label, and the office signed in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared.platform.config import Settings
from tests.support.clocks import today
from tests.support.demo import wait_until
from tests.support.platform import PAPER_DOSSIER, User, office_signed_in, propose, registered

PASSWORD = "channel-tests-pass"
POSTMART = {"name": "Postmart", "website": "https://postmart.vn",
            "contact_name": "Bộ phận đối tác", "contact_email": "doitac@postmart.vn"}
SUBJECTS = {
    "tea": ({"type": "cooperative", "name": "HTX Chè Tân Cương", "code": "0100109106",
             "province": "Thái Nguyên", "commune": "Xã Tân Cương"}, "Đại Từ",
            ("Chè búp Tân Cương", "food", "processed_produce")),
    "wine": ({"type": "household_business", "name": "Hộ Rượu Cần Lạc Dương",
              "code": "LD-2024-07", "province": "Lâm Đồng", "commune": "Xã Lạc Dương"},
             "Lạc Dương", ("Rượu cần Lạc Dương", "beverages", "other_alcoholic")),
}

@dataclass
class Market:
    settings: Settings
    office: User
    member: User
    producers: dict[str, User]
    """"tea"/"wine" → its subject's producer, signed in."""
    products: dict[str, str]
    """"tea"/"wine" → the id of its certified product."""
    certificates: dict[str, str]
    """"tea"/"wine" → the id of its product's certificate."""

async def certify(office: User, member: User, product_id: str, on: str) -> dict[str, Any]:
    """Take a registered product through dossier, evaluation (4★) and recognition."""
    await office.call("POST", "registry", f"/products/{product_id}/submission",
                      json=PAPER_DOSSIER)
    await propose(office, product_id, assessed_on=on)
    evaluation = await office.until("POST", "rating", "/evaluations", expect=201, json={
        "product_id": product_id, "evaluation_date": on})
    await member.call("POST", "rating", f"/evaluations/{evaluation['id']}/score-sheets",
                      expect=201, json={"part_a": 30, "part_b": 20, "part_c": 25})
    await office.call("POST", "rating", f"/evaluations/{evaluation['id']}/closing")
    certificate: dict[str, Any] = await office.call(
        "POST", "rating", f"/evaluations/{evaluation['id']}/recognition", expect=201,
        json={"decision_number": "4/QĐ-UBND", "decision_date": on})
    anyone = office.anonymous()

    async def labelled() -> bool:  # the label's link is the last news to reach the listing
        listed = await anyone.client.get(f"{office.urls['catalog']}/listings/{product_id}")
        return listed.status_code == 200 and listed.json()["scan_url"] is not None

    await wait_until(labelled)
    return certificate

@asynccontextmanager
async def market(settings: Settings) -> AsyncIterator[Market]:
    on = (today() - timedelta(days=30)).isoformat()
    async with office_signed_in(settings, PASSWORD) as office:
        await office.call("POST", "registry", "/users", expect=201, json={
            "username": "member", "password": PASSWORD, "role": "council_member"})
        member = await office.anonymous().sign_in("member", PASSWORD)
        producers, products, certificates = {}, {}, {}
        for key, (subject, district, (name, group, subgroup)) in SUBJECTS.items():
            made = await office.call("POST", "registry", "/subjects", expect=201,
                                     json=subject | registered(on, district=district))
            await office.call("POST", "registry", "/users", expect=201, json={
                "username": f"producer-{key}", "password": PASSWORD, "role": "producer",
                "subject_id": made["id"]})
            producers[key] = await office.anonymous().sign_in(f"producer-{key}", PASSWORD)
            product = await producers[key].call("POST", "registry", "/products", expect=201,
                                                json={"subject_id": made["id"], "name": name,
                                                      "group": group, "subgroup": subgroup,
                                                      "registered_on": on})
            certificates[key] = (await certify(office, member, product["id"], on))["id"]
            products[key] = product["id"]
        yield Market(settings, office, member, producers, products, certificates)

async def register_channel(office: User, **changes: Any) -> tuple[dict[str, Any], User]:
    """Postmart (or it with ``changes``) registered: its record and its systems' session."""
    issued = await office.call("POST", "catalog", "/channels", expect=201,
                               json=POSTMART | changes)
    return issued["channel"], office.channel(issued["api_key"])

MarketFactory = Callable[[Settings], Any]
