"""The platform on PostgreSQL, end to end: every service's store in one database of the
test's own (each service in its schema, ``ocop_<service>``), as the distributed deployment
runs them. The office registers a subject and its product over HTTP and reads them back;
the product's event leaves the registry's outbox and reaches the rating service's inbox,
both kept on PostgreSQL, before the commune may propose it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import psycopg
from pydantic import SecretStr

from shared.platform.config import Settings
from tests.support.platform import office_signed_in

TODAY = date(2026, 3, 2)
"""After 6 July 2025: the commune proposes products (``tests/support/time_travel.py``)."""
PASSWORD = "postgres-2026"
SUBJECT = {"type": "cooperative", "name": "HTX Mật Ong Sơn Hà", "code": "0100109106",
           "registered_on": "2026-01-05", "province": "Quảng Ngãi", "commune": "Xã Sơn Hà",
           "representatives": [{"name": "Đinh Văn Quế", "phone": "0912 345 678"}]}
PROPOSAL = {"origin": True, "local_labour": True, "idea": True, "local_identity": True}


async def test_the_platform_keeps_its_records_and_events_on_postgresql(
        make_settings: Callable[..., Settings], postgres_database: str) -> None:
    settings = make_settings(store_url=SecretStr(postgres_database))
    async with office_signed_in(settings, PASSWORD) as office:
        subject = await office.call("POST", "registry", "/subjects", expect=201, json=SUBJECT)
        product = await office.call("POST", "registry", "/products", expect=201, json={
            "subject_id": subject["id"], "name": "Mật ong Sơn Hà", "group": "food",
            "subgroup": "processed_produce"})
        read = await office.call("GET", "registry", f"/subjects/{subject['id']}")
        assert (read["name"], read["commune_code"]) == (SUBJECT["name"], "21289")
        listed = await office.call("GET", "registry", "/subjects")
        assert [s["id"] for s in listed["items"]] == [subject["id"]]
        await office.call("POST", "registry", "/users", expect=201, json={
            "username": "xa-son-ha", "password": PASSWORD, "role": "commune_officer",
            "province": "Quảng Ngãi", "commune": "Xã Sơn Hà"})
        officer = await office.anonymous().sign_in("xa-son-ha", PASSWORD)
        await officer.until("POST", "rating", "/proposals", expect=201,
                            json=PROPOSAL | {"product_id": product["id"]})
    with psycopg.connect(postgres_database) as conn:
        schemas = {row[0] for row in conn.execute(
            "SELECT schema_name FROM information_schema.schemata").fetchall()}
        [(subjects,)] = conn.execute('SELECT count(*) FROM "ocop_registry"."subjects"')
        [(applied,)] = conn.execute('SELECT count(*) FROM "ocop_rating"."_inbox"')
    assert {"ocop_registry", "ocop_rating", "ocop_catalog", "ocop_traceability"} <= schemas
    assert subjects == 1 and applied >= 1  # rating's inbox notes the product's event
