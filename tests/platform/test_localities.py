"""Localities by their official codes: a commune officer speaks for the subjects of its own
commune, compared by code, never by a name folded without its diacritics. Quảng Ngãi has
"Xã Sơn Hà" (21289) and "Xã Sơn Hạ" (21292), as Hà Tĩnh had Kỳ Hà and Kỳ Hạ before 1 July
2025: an officer of one must not read the other's subject contacts or dossier, nor propose
its product. Everything over the services' HTTP APIs, as the office and officers use them;
records from before codes were kept are written into the registry's store as the earlier
version wrote them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pwdlib import PasswordHash

from services.registry.store import COLLECTIONS
from shared.platform.config import Settings
from shared.ports.store import open_store
from tests.support.demo import wait_until
from tests.support.platform import User, office_signed_in

TODAY = date(2026, 3, 2)
"""After 6 July 2025: the commune proposes products (``tests/support/time_travel.py``)."""
PASSWORD = "localities-2026"
QUANG_NGAI, SON_HA, SON_HA_DOT = "51", "21289", "21292"
SUBJECT = {"type": "cooperative", "name": "HTX Quế Sơn Hà", "code": "0100109106",
           "registered_on": "2026-01-05",
           "representatives": [{"name": "Đinh Văn Quế", "phone": "0912 345 678"}]}


async def officer(office: User, username: str, **place: str) -> User:
    await office.call("POST", "registry", "/users", expect=201, json={
        "username": username, "password": PASSWORD, "role": "commune_officer", **place})
    return await office.anonymous().sign_in(username, PASSWORD)


async def status(user: User, method: str, service: str, path: str, **kwargs: Any) -> int:
    response = await user.client.request(method, user.urls[service] + path,
                                         headers=user.headers, **kwargs)
    return response.status_code


PROPOSAL = {"origin": True, "local_labour": True, "idea": True, "local_identity": True}


async def test_an_officer_of_son_ha_dot_reads_nothing_of_son_ha_nor_proposes_its_product(
        make_settings: Callable[..., Settings]) -> None:
    async with office_signed_in(make_settings(), PASSWORD) as office:
        subject = await office.call("POST", "registry", "/subjects", expect=201, json=SUBJECT | {
            "province": "Quảng Ngãi", "commune": "Xã Sơn Hà"})
        product = await office.call("POST", "registry", "/products", expect=201, json={
            "subject_id": subject["id"], "name": "Quế Sơn Hà", "group": "food",
            "subgroup": "processed_produce"})
        own = await officer(office, "xa-son-ha", province="Quảng Ngãi", commune="Xã Sơn Hà")
        other = await officer(office, "xa-son-ha-dot", province="Quảng Ngãi",
                              commune="Xã Sơn Hạ")
        subject_path, dossier_path = (f"/subjects/{subject['id']}",
                                      f"/products/{product['id']}/dossier")
        proposal = PROPOSAL | {"product_id": product["id"]}

        read = await own.call("GET", "registry", subject_path)
        assert read["representatives"][0]["phone"] == "0912 345 678"
        await own.call("GET", "registry", dossier_path)
        await own.until("POST", "rating", "/proposals", expect=201, json=proposal)

        assert await status(other, "GET", "registry", subject_path) == 403
        assert await status(other, "GET", "registry", dossier_path) == 403
        assert await status(other, "POST", "rating", "/proposals", json=proposal) == 403
        assert (await other.call("GET", "registry", "/subjects"))["items"] == []
        assert (await other.call("GET", "registry", "/products"))["items"] == []
        assert (await own.call("GET", "registry", "/subjects"))["items"][0]["id"] == \
            subject["id"]

    assert (subject["province"], subject["commune"]) == ("Quảng Ngãi", "Xã Sơn Hà")
    assert (subject["province_code"], subject["commune_code"]) == (QUANG_NGAI, SON_HA)


async def test_a_name_without_diacritics_that_names_two_communes_is_refused_with_both(
        make_settings: Callable[..., Settings]) -> None:
    async with office_signed_in(make_settings(), PASSWORD) as office:
        refused = await office.client.post(office.urls["registry"] + "/subjects",
                                           headers=office.headers, json=SUBJECT | {
                                               "province": "Quang Ngai", "commune": "Xa Son Ha"})
        officer_refused = await office.client.post(
            office.urls["registry"] + "/users", headers=office.headers, json={
                "username": "xa-son-ha", "password": PASSWORD, "role": "commune_officer",
                "province": "quảng ngãi", "commune": "son ha"})
        # without doubt, the same way of writing is taken, and the official names kept
        typed = await office.call("POST", "registry", "/subjects", expect=201, json=SUBJECT | {
            "province": "khanh hoa", "commune": "KHANH SON"})

    for response in (refused, officer_refused):
        assert response.status_code == 400
        body = response.json()
        assert body["type"].endswith("/ambiguous-locality")
        [error] = body["errors"]
        assert error["field"] == "commune"
        for candidate in ("Xã Sơn Hà (21289)", "Xã Sơn Hạ (21292)"):
            assert candidate in error["message"] and candidate in error["message_vi"]
    assert (typed["province"], typed["commune"]) == ("Khánh Hòa", "Xã Khánh Sơn")
    assert (typed["province_code"], typed["commune_code"]) == ("56", "22714")


async def test_codes_are_taken_and_checked_against_the_names_given_with_them(
        make_settings: Callable[..., Settings]) -> None:
    async with office_signed_in(make_settings(), PASSWORD) as office:
        subject = await office.call("POST", "registry", "/subjects", expect=201, json=SUBJECT | {
            "commune_code": SON_HA})
        own = await officer(office, "xa-son-ha", commune_code=SON_HA)
        await own.call("GET", "registry", f"/subjects/{subject['id']}")
        account = await office.client.post(office.urls["registry"] + "/users",
                                           headers=office.headers, json={
            "username": "xa-son-ha-dot", "password": PASSWORD, "role": "commune_officer",
            "province_code": QUANG_NGAI, "commune_code": SON_HA_DOT})

        refusals = {}
        for name, place in {
                "disagreeing": {"commune_code": SON_HA, "commune": "Xã Sơn Hạ"},
                "other province": {"commune_code": SON_HA, "province": "Khánh Hòa"},
                "unknown code": {"commune_code": "99999"},
                "former commune": {"province": "Khánh Hòa", "commune": "Thị trấn Tô Hạp"},
                "former province": {"province": "Quảng Nam", "commune": "Xã Trà Linh"}}.items():
            response = await office.client.post(office.urls["registry"] + "/subjects",
                                                headers=office.headers,
                                                json=SUBJECT | place)
            refusals[name] = (response.status_code, response.json()["errors"][0])

        # a change of commune alone is looked for in the subject's province
        moved = await office.call("PATCH", "registry", f"/subjects/{subject['id']}",
                                  json={"commune": "Xã Sơn Hạ"})
        assert await status(own, "GET", "registry", f"/subjects/{subject['id']}") == 403

    assert (subject["province"], subject["commune"]) == ("Quảng Ngãi", "Xã Sơn Hà")
    assert subject["province_code"] == QUANG_NGAI
    assert account.status_code == 201 and account.json()["commune"] == "Xã Sơn Hạ"
    assert (moved["commune"], moved["commune_code"]) == ("Xã Sơn Hạ", SON_HA_DOT)
    assert {name: (code, error["field"]) for name, (code, error) in refusals.items()} == {
        "disagreeing": (400, "commune"), "other province": (400, "commune_code"),
        "unknown code": (400, "commune_code"), "former commune": (400, "commune"),
        "former province": (400, "province")}
    assert "1 July 2025" in refusals["former commune"][1]["message"]
    assert "Quảng Ngãi (51)" in refusals["former province"][1]["message"]


def stored_subject(name: str, code: str, province: str, commune: str) -> dict[str, Any]:
    """A subject as the registry stored it before localities were kept by code."""
    return {"type": "cooperative", "name": name, "code": code, "province": province,
            "commune": commune, "locality": "", "registered_on": "2026-01-05",
            "created_by": "office", "created_at": "2026-01-05T02:00:00+00:00",
            "district": None, "representatives": [{"name": "Đinh Văn Quế",
                                                   "phone": "0912 345 678"}]}


def stored_officer(province: str, commune: str) -> dict[str, Any]:
    """A commune officer's account as stored before: its commune and province by name."""
    return {"role": "commune_officer", "password_hash": PasswordHash.recommended().hash(
        PASSWORD), "created_at": "2026-01-05T02:00:00+00:00", "subject_id": None,
        "full_name": "", "commune": commune, "province": province, "disabled": False,
        "token_generation": 0}


async def test_records_stored_with_names_only_are_matched_by_the_code_their_names_name(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    store = open_store(settings.store_url_for("registry"), COLLECTIONS, service="registry")
    await store.open()
    try:
        async with store.transaction() as tx:
            await tx.insert("subjects", "written-out", stored_subject(
                "HTX Quế Sơn Hà", "0100109106", "Quảng Ngãi", "Xã Sơn Hà"))
            await tx.insert("subjects", "folded", stored_subject(
                "HTX Quế không dấu", "0100233488", "quang ngai", "xa son ha"))
            await tx.insert("users", "xa-son-ha", stored_officer("Quảng Ngãi", "Xã Sơn Hà"))
            await tx.insert("users", "xa-son-ha-dot", stored_officer("quang ngai",
                                                                     "Xã Sơn Hạ"))
    finally:
        await store.close()

    async with office_signed_in(settings, PASSWORD) as office:
        own = await office.anonymous().sign_in("xa-son-ha", PASSWORD)
        other = await office.anonymous().sign_in("xa-son-ha-dot", PASSWORD)
        seen = {(who, subject): await status(user, "GET", "registry", f"/subjects/{subject}")
                for who, user in (("own", own), ("other", other))
                for subject in ("written-out", "folded")}

        async def kept() -> bool:
            page = await office.call("GET", "registry", "/subjects")
            return all(s["commune_code"] or s["locality_problem"] for s in page["items"])

        await wait_until(kept)
        subjects = {s["id"]: s for s in
                    (await office.call("GET", "registry", "/subjects"))["items"]}
        listed = {who: [s["id"] for s in (await user.call("GET", "registry",
                                                          "/subjects"))["items"]]
                  for who, user in (("own", own), ("other", other))}

    assert seen == {("own", "written-out"): 200, ("own", "folded"): 403,
                    ("other", "written-out"): 403, ("other", "folded"): 403}
    assert listed == {"own": ["written-out"], "other": []}
    written_out, folded = subjects["written-out"], subjects["folded"]
    assert (written_out["commune_code"], written_out["commune"]) == (SON_HA, "Xã Sơn Hà")
    assert written_out["locality_problem"] is None
    # nothing lost: the names it was stored with stay, and the office is told why
    assert (folded["province"], folded["commune"], folded["commune_code"]) == (
        "quang ngai", "xa son ha", None)
    assert "Xã Sơn Hà (21289)" in folded["locality_problem"]
    assert "Xã Sơn Hạ (21292)" in folded["locality_problem"]
