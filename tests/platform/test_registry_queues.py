"""The registry's queues over HTTP: the office's list of accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from shared.platform.config import Settings
from tests.support.platform import (
    Cooperative,
    User,
    cooperative_with_council,
    office_signed_in,
    registered,
)

PASSWORD = "queues-pass-31"
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
