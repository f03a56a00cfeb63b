"""Criteria tables through the public API: an office loads a group's table (JSON or a
spreadsheet), evaluations opened afterwards are scored criterion by criterion on that
version, and a later version never changes an evaluation already open. The table is made
up for the test, with the official part maxima of 148/QĐ-TTg (40/25/35)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from shared.platform.config import Settings
from tests.support.platform import PAPER_DOSSIER, User, office_signed_in, propose, registered

PASSWORD = "criteria-pass"
TODAY_SET = "148/2023"
CRITERIA = [  # code, part, maximum
    ("A1", "A", 24), ("A2", "A", 16), ("B1", "B", 15), ("B2", "B", 10),
    ("C1", "C", 21), ("C2", "C", 14)]


def table_body(criteria: list[tuple[str, str, float]] = CRITERIA, **extra: Any
               ) -> dict[str, Any]:
    return {"criteria_set": TODAY_SET, "group": "food", "source": "test table",
            "criteria": [{"code": c, "part": p, "name_vi": f"Tiêu chí {c}",
                          "name_en": f"Criterion {c}", "maximum": m} for c, p, m in criteria],
            **extra}


@dataclass
class Office:
    admin: User
    members: list[User]
    producer: User
    subject_id: str

    async def submitted_product(self, name: str, subgroup: str = "tea") -> str:
        created = await self.admin.call("POST", "registry", "/products", expect=201, json={
            "subject_id": self.subject_id, "name": name, "group": "food",
            "subgroup": subgroup})
        await self.admin.call("POST", "registry", f"/products/{created['id']}/submission",
                              json=PAPER_DOSSIER)
        await propose(self.admin, created["id"])
        return str(created["id"])

    async def open_evaluation(self, product_id: str) -> dict[str, Any]:
        return await self.admin.until(  # type: ignore[no-any-return]
            "POST", "rating", "/evaluations", expect=201, json={"product_id": product_id})


@pytest.fixture
async def office(make_settings: Callable[..., Settings]) -> AsyncIterator[Office]:
    async with office_signed_in(make_settings(), PASSWORD) as admin:
        subject = await admin.call("POST", "registry", "/subjects", expect=201, json={
            "type": "cooperative", "name": "HTX Chè Tân Cương", "code": "0100109106",
            "province": "Thái Nguyên", "commune": "Xã Tân Cương",
            **registered(district="Đại Từ")})
        members = []
        for name in ("member-1", "member-2"):
            await admin.call("POST", "registry", "/users", expect=201, json={
                "username": name, "password": PASSWORD, "role": "council_member"})
            members.append(await admin.anonymous().sign_in(name, PASSWORD))
        await admin.call("POST", "registry", "/users", expect=201, json={
            "username": "producer", "password": PASSWORD, "role": "producer",
            "subject_id": subject["id"]})
        producer = await admin.anonymous().sign_in("producer", PASSWORD)
        yield Office(admin, members, producer, subject["id"])


async def test_an_evaluation_is_scored_criterion_by_criterion_on_the_table_it_opened_with(
        office: Office) -> None:
    loaded = await office.admin.call("POST", "rating", "/criteria-tables", expect=201,
                                     json=table_body())
    assert (loaded["id"], loaded["version"], loaded["loaded_by"]) == (
        "148-2023.food.all.v1", 1, "office")
    product_id = await office.submitted_product("Chè búp Tân Cương")
    evaluation = await office.open_evaluation(product_id)
    assert evaluation["criteria_table"] == "148-2023.food.all.v1"
    assert [(c["code"], c["maximum"]) for c in evaluation["criteria"]] == [
        (c, m) for c, _, m in CRITERIA]

    # A corrected table (version 2) changes nothing for the evaluation already open.
    corrected = [("A1", "A", 20), ("A2", "A", 20), *CRITERIA[2:]]
    second = await office.admin.call("POST", "rating", "/criteria-tables", expect=201,
                                     json=table_body(corrected))
    assert second["id"] == "148-2023.food.all.v2"
    sheets = f"/evaluations/{evaluation['id']}/score-sheets"
    first, other = office.members

    refused = await first.call("POST", "rating", sheets, expect=400, json={"criteria": {
        "A1": 24.5, "A2": 16, "B1": 15, "B2": 10, "C1": 21, "Z1": 1}})
    assert {e["field"] for e in refused["errors"]} == {"criteria.A1", "criteria.C2",
                                                      "criteria.Z1"}
    assert any("from 0 to 24; got 24.5" in e["message"] for e in refused["errors"])
    refused = await first.call("POST", "rating", sheets, expect=400, json={
        "part_a": 30, "part_b": 20, "part_c": 25})
    assert refused["type"].endswith("/score-by-criteria")

    await first.call("POST", "rating", sheets, expect=201, json={"criteria": {
        "A1": 18, "A2": 12, "B1": 12, "B2": 8, "C1": 15, "C2": 10}})
    await other.call("POST", "rating", sheets, expect=201, json={"criteria": {
        "A1": 22, "A2": 14, "B1": 13, "B2": 7, "C1": 17, "C2": 11}})
    closed = await office.admin.call("POST", "rating",
                                     f"/evaluations/{evaluation['id']}/closing")
    assert closed["result"]["parts"] == {"A": 33, "B": 20, "C": 26.5}
    assert closed["result"]["score"] == 79.5 and closed["result"]["stars"] == 4
    assert closed["result"]["criteria"] == {"A1": 20, "A2": 13, "B1": 12.5, "B2": 7.5,
                                            "C1": 16, "C2": 10.5}

    # The next evaluation of the group opens on version 2.
    next_product = await office.submitted_product("Chè móc câu", subgroup="tea")
    assert (await office.open_evaluation(next_product))["criteria_table"] == \
        "148-2023.food.all.v2"


async def test_a_low_result_tells_the_producer_which_criteria_fell_short(
        office: Office) -> None:
    await office.admin.call("POST", "rating", "/criteria-tables", expect=201,
                            json=table_body())
    product_id = await office.submitted_product("Chè xanh")
    evaluation = await office.open_evaluation(product_id)
    await office.members[0].call(
        "POST", "rating", f"/evaluations/{evaluation['id']}/score-sheets", expect=201,
        json={"criteria": {"A1": 14, "A2": 10, "B1": 3, "B2": 2, "C1": 8, "C2": 3}})
    await office.admin.call("POST", "rating", f"/evaluations/{evaluation['id']}/closing")
    [result] = await office.producer.call("GET", "rating", f"/products/{product_id}/results")
    assert (result["score"], result["stars"]) == (40, 2)
    short = {s["part"]: [c["code"] for c in s["criteria"]] for s in result["shortfalls"]}
    assert short == {"B": ["B1", "B2"], "C": ["C1", "C2"]}


async def test_a_spreadsheet_table_loads_and_a_broken_one_is_refused_whole(
        office: Office) -> None:
    csv = "Mã;Phần;Tên tiêu chí;Điểm tối đa\n" + "".join(
        f"{c};{p};Tiêu chí {c};{m}\n" for c, p, m in CRITERIA)
    params = {"criteria_set": TODAY_SET, "group": "food", "subgroup": "tea",
              "source": "Phụ lục III (bản nhập thử)"}
    loaded = await office.admin.call("POST", "rating", "/criteria-tables/file", expect=201,
                                     params=params, content=csv.encode(),
                                     headers={"Content-Type": "text/csv"})
    assert loaded["id"] == "148-2023.food.tea.v1" and len(loaded["criteria"]) == 6

    broken = csv.replace("A2;A;Tiêu chí A2;16", "A2;A;Tiêu chí A2;11")
    refused = await office.admin.call("POST", "rating", "/criteria-tables/file", expect=400,
                                      params=params, content=broken.encode(),
                                      headers={"Content-Type": "text/csv"})
    assert refused["errors"][0]["field"] == "part_a"
    assert "add up to 35" in refused["errors"][0]["message"]
    assert "message_vi" in refused["errors"][0]
    current = await office.admin.call("GET", "rating", "/criteria-tables",
                                      params={"criteria_set": TODAY_SET})
    assert [(t["id"], t["version"]) for t in current] == [("148-2023.food.tea.v1", 1)]

    await office.producer.call("POST", "rating", "/criteria-tables", expect=403,
                               json=table_body())
    await office.admin.anonymous().call("POST", "rating", "/criteria-tables", expect=401,
                                        json=table_body())


async def test_without_a_table_the_evaluation_is_scored_per_part(office: Office) -> None:
    product_id = await office.submitted_product("Chè đinh")
    evaluation = await office.open_evaluation(product_id)
    assert evaluation["criteria_table"] is None and evaluation["criteria"] is None
    sheets = f"/evaluations/{evaluation['id']}/score-sheets"
    refused = await office.members[0].call("POST", "rating", sheets, expect=400,
                                           json={"criteria": {"A1": 1}})
    assert refused["type"].endswith("/score-by-parts")
    refused = await office.members[0].call("POST", "rating", sheets, expect=400,
                                           json={"part_a": 30})
    assert {e["field"] for e in refused["errors"]} == {"part_b", "part_c"}
    await office.members[0].call("POST", "rating", sheets, expect=201,
                                 json={"part_a": 30, "part_b": 20, "part_c": 25})


async def test_the_criteria_sets_say_their_maxima_and_how_a_total_becomes_stars(
        office: Office) -> None:
    """What a council member's score sheet reads to show the stars a total would give."""
    sets = {s["code"]: s for s in await office.members[0].call("GET", "rating",
                                                               "/criteria-sets")}
    assert sets[TODAY_SET]["maxima"] == {"part_a": 40, "part_b": 25, "part_c": 35}
    assert [(f["stars"], f["from_points"]) for f in sets[TODAY_SET]["star_floors"]] == [
        (5, 90), (4, 70), (3, 50), (2, 30)]
