"""The rating service's queues over HTTP: evaluations by stage (a council member's inbox of
what it has yet to score), the communes' proposals, rounds with their councils, and
certificates by state and by how soon they expire."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from services.rating.certificates.rules import add_months
from shared.platform.config import Settings
from tests.support.clocks import today
from tests.support.platform import PAPER_DOSSIER, User, office_signed_in, propose, registered

PASSWORD = "queues-pass"
TAN_CUONG = {"type": "cooperative", "name": "HTX Chè Tân Cương", "code": "0100109106",
             "province": "Thái Nguyên", "commune": "Xã Tân Cương"}
LAC_DUONG = {"type": "household_business", "name": "Hộ Atiso Lạc Dương", "code": "LD-2024-07",
             "province": "Lâm Đồng", "commune": "Xã Lạc Dương"}
SHEETS = {2: {"part_a": 20, "part_b": 10, "part_c": 10},
          4: {"part_a": 30, "part_b": 20, "part_c": 25}}


def days_ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


@dataclass
class Office:
    admin: User
    member: User
    officer: User
    """The commune officer of Xã Tân Cương."""
    subjects: dict[str, dict[str, Any]]

    async def product(self, subject: str = "tan_cuong") -> str:
        """A product registered long ago and submitted by the office."""
        created = await self.admin.call("POST", "registry", "/products", expect=201, json={
            "subject_id": self.subjects[subject]["id"], "name": "Chè búp", "group": "food",
            "subgroup": "tea", "registered_on": self.subjects[subject]["registered_on"]})
        await self.admin.call("POST", "registry", f"/products/{created['id']}/submission",
                              json=PAPER_DOSSIER)
        return str(created["id"])

    async def evaluation(self, on: str, round_id: str | None = None,
                         product_id: str | None = None) -> str:
        """A new product's open evaluation on ``on``, proposed by its commune."""
        product_id = product_id or await self.product()
        await propose(self.admin, product_id, assessed_on=on)
        opened = await self.admin.until("POST", "rating", "/evaluations", expect=201, json={
            "product_id": product_id, "evaluation_date": on, "round_id": round_id})
        return str(opened["id"])

    async def closed(self, on: str, stars: int) -> str:
        evaluation = await self.evaluation(on)
        await self.member.call("POST", "rating", f"/evaluations/{evaluation}/score-sheets",
                               expect=201, json=SHEETS[stars])
        await self.admin.call("POST", "rating", f"/evaluations/{evaluation}/closing")
        return evaluation

    async def certificate(self, decided_on: date) -> dict[str, Any]:
        """A 4★ certificate decided on ``decided_on``."""
        on = decided_on.isoformat()
        return await self.admin.call(  # type: ignore[no-any-return]
            "POST", "rating", f"/evaluations/{await self.closed(on, 4)}/recognition",
            expect=201, json={"decision_number": "9/QĐ-UBND", "decision_date": on})

    async def round(self, members: list[str], opens_on: str) -> dict[str, Any]:
        return await self.admin.call(  # type: ignore[no-any-return]
            "POST", "rating", "/rounds", expect=201, json={
                "name": "Đợt đánh giá", "level": "province", "province": "Thái Nguyên",
                "opens_on": opens_on, "closes_on": today().isoformat(),
                "council": "Hội đồng OCOP tỉnh", "members": members})


@pytest.fixture
async def office(make_settings: Callable[..., Settings]) -> AsyncIterator[Office]:
    long_ago = add_months(today(), -40).isoformat()  # old enough for expired certificates
    async with office_signed_in(make_settings(), PASSWORD) as admin:
        subjects = {}
        for key, body in (("tan_cuong", TAN_CUONG), ("lac_duong", LAC_DUONG)):
            subjects[key] = await admin.call("POST", "registry", "/subjects", expect=201,
                                             json=body | registered(long_ago, district="Đại Từ"))
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": "member", "password": PASSWORD, "role": "council_member"})
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": "officer", "password": PASSWORD, "role": "commune_officer",
            "commune_code": subjects["tan_cuong"]["commune_code"],
            "province_code": subjects["tan_cuong"]["province_code"]})
        anyone = admin.anonymous()
        yield Office(admin, await anyone.sign_in("member", PASSWORD),
                     await anyone.sign_in("officer", PASSWORD), subjects)


def ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["items"]]


async def test_a_council_member_finds_what_its_councils_have_yet_to_score(
        office: Office) -> None:
    mine = await office.round(["member", "absent"], days_ago(60))
    other = await office.round(["someone-else"], days_ago(60))
    unscored = await office.evaluation(days_ago(10), mine["id"])
    elsewhere = await office.evaluation(days_ago(12), other["id"])
    outside = await office.evaluation(days_ago(11))  # no round: any council member scores
    scored = await office.evaluation(days_ago(9), mine["id"])
    await office.member.call("POST", "rating", f"/evaluations/{scored}/score-sheets",
                             expect=201, json=SHEETS[4])
    below = await office.closed(days_ago(8), 2)
    recognised = (await office.certificate(today() - timedelta(days=7)))

    inbox = await office.member.call("GET", "rating", "/evaluations",
                                     params={"to_score": "true"})
    assert ids(inbox) == [outside, unscored] and inbox["total"] == 2  # oldest first
    first, second = inbox["items"]
    assert (first["scored"], first["council_size"], first["stage"]) == (0, None, "open")
    assert (second["scored"], second["council_size"]) == (0, 2)
    assert first["product_name"] == "Chè búp"
    one = await office.member.call("GET", "rating", "/evaluations",
                                   params={"to_score": "true", "limit": 1})
    rest = await office.member.call("GET", "rating", "/evaluations", params={
        "to_score": "true", "limit": 1, "cursor": one["next_cursor"]})
    assert ids(one) + ids(rest) == [outside, unscored] and rest["next_cursor"] is None
    assert one["total"] == rest["total"] == 2

    members_open = await office.member.call("GET", "rating", "/evaluations",
                                            params={"status": "open"})
    assert ids(members_open) == [outside, unscored, scored]  # not another council's
    assert (members_open["items"][2]["scored"], members_open["items"][2]["council_size"]) \
        == (1, 2)
    assert (await office.member.call("GET", "rating", "/evaluations",
                                     params={"round_id": other["id"]}))["total"] == 0

    office_open = await office.admin.call("GET", "rating", "/evaluations",
                                          params={"status": "open", "limit": 2})
    assert ids(office_open) == [elsewhere, outside] and office_open["total"] == 4
    next_page = await office.admin.call("GET", "rating", "/evaluations", params={
        "status": "open", "limit": 2, "cursor": office_open["next_cursor"]})
    assert ids(next_page) == [unscored, scored]
    closed = await office.admin.call("GET", "rating", "/evaluations",
                                     params={"status": "closed"})
    assert ids(closed) == [below] and closed["items"][0]["stars"] == 2
    done = await office.admin.call("GET", "rating", "/evaluations",
                                   params={"status": "recognised"})
    assert [i["certificate_id"] for i in done["items"]] == [recognised["id"]]
    assert done["items"][0]["stage"] == "recognised"
    in_round = await office.admin.call("GET", "rating", "/evaluations",
                                       params={"round_id": mine["id"]})
    assert sorted(ids(in_round)) == sorted([unscored, scored])
    product = (await office.admin.call("GET", "rating", f"/evaluations/{elsewhere}"))[
        "product_id"]
    assert ids(await office.admin.call("GET", "rating", "/evaluations",
                                       params={"product_id": product})) == [elsewhere]

    await office.officer.call("GET", "rating", "/evaluations", expect=403)
    refused = await office.admin.call("GET", "rating", "/evaluations", expect=400,
                                      params={"stage": "open"})
    assert refused["type"].endswith("/unknown-filter")


async def test_a_commune_officer_sees_its_communes_proposals(office: Office) -> None:
    here = await office.product()
    await propose(office.officer, here, assessed_on=days_ago(3))
    held_back = await office.product()
    await office.officer.until("POST", "rating", "/proposals", expect=201, json={
        "product_id": held_back, "origin": True, "local_labour": False, "idea": True,
        "local_identity": True})
    there = await office.product("lac_duong")
    await propose(office.admin, there, assessed_on=days_ago(2))
    tan_cuong = office.subjects["tan_cuong"]["commune_code"]
    lac_duong = office.subjects["lac_duong"]["commune_code"]

    everything = await office.admin.call("GET", "rating", "/proposals")
    assert [p["product_id"] for p in everything["items"]] == [here, held_back, there]
    assert everything["total"] == 3
    assert everything["items"][2]["commune_code"] == lac_duong
    only_there = await office.admin.call("GET", "rating", "/proposals",
                                         params={"commune": lac_duong})
    assert [p["product_id"] for p in only_there["items"]] == [there]

    officers = await office.officer.call("GET", "rating", "/proposals")
    assert [p["product_id"] for p in officers["items"]] == [here, held_back]
    assert {p["subject_id"] for p in officers["items"]} == {office.subjects["tan_cuong"]["id"]}
    assert officers["total"] == 2
    assert (await office.officer.call("GET", "rating", "/proposals",
                                      params={"commune": lac_duong}))["total"] == 0
    not_proposed = await office.officer.call("GET", "rating", "/proposals", params={
        "proposed": "false", "commune": tan_cuong})
    assert [p["product_id"] for p in not_proposed["items"]] == [held_back]
    assert not_proposed["items"][0]["shortfalls"] == ["local_labour"]
    page = await office.admin.call("GET", "rating", "/proposals",
                                   params={"product_id": here, "limit": 1})
    assert [p["product_id"] for p in page["items"]] == [here] and page["total"] == 1

    await office.member.call("GET", "rating", "/proposals", expect=403)
    refused = await office.admin.call("GET", "rating", "/proposals", expect=400,
                                      params={"round_id": "x"})
    assert refused["type"].endswith("/unknown-filter")


async def test_rounds_list_their_councils_by_year(office: Office) -> None:
    opens_on = today() - timedelta(days=40)
    first = await office.round(["member"], opens_on.isoformat())
    second = await office.round(["member", "other"], opens_on.isoformat())

    listed = await office.member.call("GET", "rating", "/rounds",
                                      params={"year": opens_on.year})
    assert sorted(ids(listed)) == sorted([first["id"], second["id"]])
    assert listed["total"] == 2
    assert {tuple(r["members"]) for r in listed["items"]} == {("member",), ("member", "other")}
    assert (await office.admin.call("GET", "rating", "/rounds",
                                    params={"year": opens_on.year - 5}))["items"] == []
    one = await office.member.call("GET", "rating", f"/rounds/{second['id']}")
    assert one["members"] == ["member", "other"] and one["council"] == "Hội đồng OCOP tỉnh"
    await office.admin.call("GET", "rating", "/rounds/none-such", expect=404)

    await office.officer.call("GET", "rating", "/rounds", expect=403)
    refused = await office.admin.call("GET", "rating", "/rounds", expect=400,
                                      params={"province": "Thái Nguyên"})
    assert refused["type"].endswith("/unknown-filter")


async def test_certificates_by_state_and_by_how_soon_they_expire(office: Office) -> None:
    expiring = await office.certificate(add_months(today(), -35))  # its last month
    fresh = await office.certificate(today() - timedelta(days=3))
    lapsed = await office.certificate(add_months(today(), -37))
    revoked = await office.certificate(today() - timedelta(days=5))
    await office.admin.call("POST", "rating", f"/certificates/{revoked['id']}/revocation",
                            json={"reason": "Sản phẩm không còn sản xuất"})
    public = office.admin.anonymous()

    async def listed(**params: Any) -> list[str]:
        return sorted(ids(await public.call("GET", "rating", "/certificates", params=params)))

    assert await listed(status="active") == sorted([expiring["id"], fresh["id"]])
    assert await listed(status="expired") == [lapsed["id"]]
    assert await listed(status="revoked") == [revoked["id"]]
    assert await listed(status="superseded") == []
    assert await listed(expiring_within_months=1) == [expiring["id"]]
    assert await listed(expiring_within_months=35) == [expiring["id"]]
    assert await listed(expiring_within_months=36) == sorted([expiring["id"], fresh["id"]])
    assert await listed(expiring_within_months=1, status="active") == [expiring["id"]]
    assert await listed(status="active", number=fresh["number"]) == [fresh["id"]]
    assert await listed(status="active", product_id=fresh["product_id"]) == [fresh["id"]]

    contradictory = await public.call("GET", "rating", "/certificates", expect=400, params={
        "status": "revoked", "expiring_within_months": 3})
    assert contradictory["type"].endswith("/expiring-not-active")
    await public.call("GET", "rating", "/certificates", expect=422,
                      params={"expiring_within_months": 37})
    refused = await public.call("GET", "rating", "/certificates", expect=400,
                                params={"valid_until": today().isoformat()})
    assert refused["type"].endswith("/unknown-filter")
