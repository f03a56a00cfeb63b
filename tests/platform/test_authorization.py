"""Every operation of every service, called by every kind of caller, does what the
service's access table says — no more, no less.

The tables (``services/<name>/access.py``) are the ones the routes are guarded with; each
operation names its rule in the OpenAPI document (``x-access``), which is walked here over
HTTP. The calls all concern one subject's records (S1, in Xã Tân Cương, Thái Nguyên);
eight callers: anonymous, S1's producer, another subject's producer, the officer of S1's
commune, an officer of another commune, a council member, a sales channel (its API key) and
the office. Writes are sent a
body no operation accepts (``[]``), so a permitted caller gets past the gate (and is told
the body is wrong) while nothing changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from services.catalog.access import RULES as CATALOG
from services.rating.access import RULES as RATING
from services.registry.access import RULES as REGISTRY
from services.traceability.access import RULES as TRACEABILITY
from shared.identity.access import PLATFORM_RULES, RELATIVE, Party, SubjectRef, parties_of
from shared.identity.auth import Caller, Role
from shared.platform.config import SERVICES, Settings
from tests.platform.test_criteria_tables import table_body
from tests.support.clocks import today
from tests.support.platform import (
    User,
    certified_product,
    drawn,
    office_signed_in,
    registered,
)

PASSWORD = "authorization-pass"
TABLES = {"registry": REGISTRY, "rating": RATING, "traceability": TRACEABILITY,
          "catalog": CATALOG}
S1 = {"type": "cooperative", "name": "HTX Chè Tân Cương", "code": "0100109106",
      "province": "Thái Nguyên", "commune": "Xã Tân Cương"}
S2 = {"type": "household_business", "name": "Hộ Atiso Lạc Dương", "code": "LD-2024-07",
      "province": "Lâm Đồng", "commune": "Xã Lạc Dương"}
GTIN = "08934563138165"
CHANNEL = {"name": "Postmart", "website": "https://postmart.vn", "contact_name": "Bộ phận đối tác",
           "contact_email": "doitac@postmart.vn"}


@dataclass
class Cast:
    """A caller as the table sees it (``caller``; None: anonymous) and its session."""

    name: str
    caller: Caller | None
    user: User


@dataclass
class World:
    office: User
    cast: list[Cast]
    refs: dict[str, SubjectRef]
    """subject id → whose it is, for both subjects."""
    path: dict[str, str]
    """Path parameter → the S1 record it names."""


ACCOUNTS = (  # username, role, subject (S1/S2), commune of (S1/S2)
    ("producer-own", Role.PRODUCER, "S1", None), ("producer-other", Role.PRODUCER, "S2", None),
    ("officer-own", Role.COMMUNE_OFFICER, None, "S1"),
    ("officer-other", Role.COMMUNE_OFFICER, None, "S2"),
    ("member", Role.COUNCIL_MEMBER, None, None))


@pytest.fixture
async def world(make_settings: Callable[..., Settings]) -> AsyncIterator[World]:
    settings = make_settings(rate_limit="100000/second", allow_private_scan_url=True)
    days_ago = (today() - timedelta(days=30)).isoformat()
    async with office_signed_in(settings, PASSWORD) as office:
        subjects = {}
        for key, body in (("S1", S1), ("S2", S2)):
            subjects[key] = await office.call("POST", "registry", "/subjects", expect=201,
                                              json=body | registered(days_ago, district="Đại Từ"))
        cast = [Cast("anonymous", None, office.anonymous())]
        for username, role, subject, commune in ACCOUNTS:
            binding: dict[str, Any] = {}
            if subject:
                binding["subject_id"] = subjects[subject]["id"]
            if commune:  # by their official codes, as the officer's token carries them
                binding |= {"commune_code": subjects[commune]["commune_code"],
                            "province_code": subjects[commune]["province_code"]}
            await office.call("POST", "registry", "/users", expect=201, json={
                "username": username, "password": PASSWORD, "role": role.value, **binding})
            user = await office.anonymous().sign_in(username, PASSWORD)
            cast.append(Cast(username, Caller(username, username, role,
                                              binding.get("subject_id"),
                                              binding.get("commune_code"),
                                              binding.get("province_code")), user))
        cast.append(Cast("office", Caller("office", "office", Role.ADMIN), office))
        by_name = {c.name: c.user for c in cast}
        s1 = subjects["S1"]["id"]
        records = await certified_product(office, by_name["member"], by_name["producer-own"],
                                          s1, days_ago, GTIN)
        await by_name["producer-own"].call(  # a stage waiting: the queue of them lists it
            "POST", "registry", f"/products/{records['product_id']}/cycle",
            json={"stage": "idea", "status": "proposed"})
        await by_name["producer-other"].call("POST", "registry", "/products", expect=201, json={
            "subject_id": subjects["S2"]["id"], "name": "Trà atiso", "group": "food",
            "subgroup": "tea"})
        batch, harvest = await kept_batch(by_name["producer-own"], records["product_id"])
        await by_name["producer-own"].call("POST", "traceability", "/epcis/queries",
                                           expect=201, json={"name": "own-query", "query": {
                                               "EQ_bizStep": "commissioning"}})
        capture = await office.client.post(office.urls["traceability"] + "/epcis/capture",
                                           headers=office.headers, json=CAPTURED)
        assert capture.status_code == 202, capture.text
        sheet = await by_name["producer-own"].call(
            "POST", "traceability", f"/batches/{batch}/label-sheets", expect=202,
            json={"count": 1})
        # Drawn before the walk, whose PDF request would otherwise race the drawing (409).
        await drawn(by_name["producer-own"], sheet)
        codes = await by_name["producer-own"].call(
            "GET", "traceability", f"/label-sheets/{sheet['id']}/codes.csv")
        serial = codes.text.splitlines()[1].split(",")[0]
        document = await by_name["producer-own"].call(
            "POST", "traceability", f"/products/{records['product_id']}/origin-documents",
            expect=201, content=b"%PDF-1.7\n%%EOF\n", headers={"Content-Type": "application/pdf"},
            params={"kind": "lab_report", "title": "Phiếu kết quả"})
        await office.anonymous().call(  # a forged code: an anomaly for the list of them
            "GET", "traceability", f"/01/{GTIN}/10/LOT-1/21/FORGED0000000000", expect=404,
            follow_redirects=True)  # the code's page, where the scan counts
        table = await office.call("POST", "rating", "/criteria-tables", expect=201,
                                  json=table_body())
        held = await office.call("POST", "rating", "/rounds", expect=201, json={
            "name": "Đợt 1", "level": "province", "province": S1["province"],
            "opens_on": days_ago, "closes_on": today().isoformat(),
            "council": "Hội đồng OCOP tỉnh", "members": ["member"]})
        channel = await office.call("POST", "catalog", "/channels", expect=201, json=CHANNEL)
        spare = await office.call("POST", "catalog",
                                  f"/channels/{channel['channel']['id']}/keys", expect=201)
        hooked = office.channel(channel["api_key"])
        endpoint = await hooked.call("POST", "catalog", "/channel/webhooks", expect=201,
                                     json={"url": "https://hooks.postmart.vn/ocop"})
        await by_name["producer-own"].call(  # a change, and so a delivery to the endpoint
            "PUT", "catalog", f"/listings/{records['product_id']}/offers/"
            f"{channel['channel']['id']}", json={"url": "https://postmart.vn/san-pham/1"})
        [delivery] = (await hooked.call("GET", "catalog", "/channel/deliveries"))["items"]
        cast.insert(-1, Cast("channel", Caller(channel["channel"]["id"], CHANNEL["name"],
                                               Role.CHANNEL),
                             office.channel(channel["api_key"])))
        refs = {s["id"]: SubjectRef(s["id"], s["province"], s["commune"], s["commune_code"])
                for s in subjects.values()}
        path = records | {"subject_id": s1, "table_id": table["id"], "round_id": held["id"],
                          "gtin": GTIN,
                          "year": str(today().year), "qualifiers": "10/LOT-1",
                          "path": f"{GTIN}/10/LOT-1", "segment": "ARBAeuyU6g",
                          "lot": "LOT-1", "batch_id": batch, "record_id": harvest,
                          "sheet_id": sheet["id"], "serial": serial,
                          "origin_document_id": document["id"],
                          "kind": "png", "key": "x",
                          "username": "producer-own", "channel_id": channel["channel"]["id"],
                          "key_id": spare["key_id"], "extension": "csv",
                          "event_type": "vn.ocop.catalog.listing.published.v1",
                          "endpoint_id": endpoint["endpoint"]["id"],
                          "delivery_id": delivery["id"],
                          "captureID": capture.headers["location"].rsplit("/", 1)[1]}
        yield World(office, cast, refs, path)


async def kept_batch(producer: User, product_id: str) -> tuple[str, str]:
    """A batch LOT-1 of the certified product, with its harvest recorded: ids of both."""
    produced_on = today() - timedelta(days=5)
    batch = await producer.call("POST", "traceability", f"/products/{product_id}/batches",
                                expect=201, json={"lot": "LOT-1", "quantity": 10, "unit": "KGM",
                                                  "produced_on": produced_on.isoformat()})
    harvest = await producer.call("POST", "traceability", f"/batches/{batch['id']}/events",
                                  expect=201, json={
                                      "step": "harvest", "place": {"name": "Đồi chè"},
                                      "happened_at": f"{produced_on.isoformat()}T07:00:00+07:00"})
    return batch["id"], harvest["id"]


EPCIS_PATHS = {"eventType": "ObjectEvent", "epc": "urn:epc:id:sgtin:0614141.107346.2017",
               "bizStep": "shipping", "bizLocation": "urn:epc:id:sgln:0614141.00777.0"}
CAPTURED = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "ObjectEvent", "action": "OBSERVE", "eventTime": "2024-01-02T08:00:00Z",
            "eventTimeZoneOffset": "+00:00", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"]}
"""An event of a product not on the platform, captured by the office: a capture job."""
PATHS = {("registry", "/imports/{kind}/template"): {"kind": "subjects"},
         ("catalog", "/products/{product_id}/card/{digest}.png"): {"digest": "0" * 16},
         **{("traceability", f"/epcis/{kind}/{{{name}}}{tail}"): EPCIS_PATHS
            for kind, name in (("eventTypes", "eventType"), ("epcs", "epc"),
                               ("bizSteps", "bizStep"), ("bizLocations", "bizLocation"))
            for tail in ("", "/events")},
         **{("traceability", f"/epcis/queries/{{name}}{tail}"): {
             "name": "own-query", "subscription_id": "none"}
            for tail in ("", "/events", "/subscriptions", "/subscriptions/{subscription_id}")}}
"""Where a path parameter's name means something else than in ``World.path`` (a QR's
``kind`` is an image format; an import's, what it imports)."""
REQUIRED_QUERY = {"province": S1["province"], "type": "product_story", "kind": "lab_report",
                  "title": "Phiếu kết quả",
                  "criteria_set": "148/2023", "group": "food", "expires": "1",
                  "signature": "0"}


def expected_at_gate(rule: frozenset[Party], scope: str, who: Cast, record: SubjectRef
                     ) -> bool:
    """Whether the table lets ``who`` past an operation's gate."""
    if who.caller is None or scope in ("none", "path"):
        return bool(parties_of(who.caller, record if scope == "path" else None) & rule)
    # body and list: the role is checked at the gate, the record afterwards
    return bool(parties_of(who.caller) & rule) or any(
        who.caller.role is {Party.OWNER: Role.PRODUCER,
                            Party.OWN_COMMUNE: Role.COMMUNE_OFFICER}[p]
        for p in rule & RELATIVE)


@pytest.mark.long
async def test_every_operation_answers_every_caller_as_its_access_table_says(
        world: World) -> None:
    mismatches, cells = [], 0
    s1_ref = world.refs[world.path["subject_id"]]
    for service in SERVICES:
        table = {**PLATFORM_RULES, **TABLES[service]}
        spec = await world.office.call("GET", service, "/openapi.json")
        for template, operations in spec["paths"].items():
            for method, operation in operations.items():
                access = operation.get("x-access")
                where = f"{service} {method.upper()} {template}"
                assert access, f"{where} names no access rule"
                rule = table[access["rule"]]
                assert set(access["parties"]) == {p.value for p in rule}, where
                named = world.path | PATHS.get((service, template), {})
                url = template.format(**{name: named[name] for name in
                                         _path_names(template)})
                query = {p["name"]: REQUIRED_QUERY[p["name"]]
                         for p in operation.get("parameters", [])
                         if p["in"] == "query" and p.get("required")}
                listed = (await _listed(world, service, url, query)
                          if access["scope"] == "list" else set())
                for who in world.cast:
                    cells += 1
                    response = await who.user.client.request(
                        method, who.user.urls[service] + url, params=query,
                        headers=who.user.headers,
                        **({} if method == "get" else {"json": []}))
                    allowed = expected_at_gate(rule, access["scope"], who, s1_ref)
                    refused = response.status_code in (401, 403)
                    fine = (not refused and response.status_code < 500
                            and (method != "get" or response.status_code < 400))
                    if (allowed and not fine) or (not allowed and not refused):
                        mismatches.append(f"{where} as {who.name}: {response.status_code} "
                                          f"(table: {'allowed' if allowed else 'refused'})")
                    elif allowed and access["scope"] == "list":
                        mismatches += _list_mismatches(where, who, rule, response.json(),
                                                       world.refs, listed)
    assert not mismatches, "\n".join(mismatches)
    assert cells >= 60 * len(world.cast)


def _path_names(template: str) -> list[str]:
    return [part.strip("{}").split(":")[0] for part in template.replace(".", "/").split("/")
            if part.startswith("{")]


async def _listed(world: World, service: str, url: str, query: dict[str, str]) -> set[str]:
    """The subjects whose records a list holds (as the office, which sees them all)."""
    page = await world.office.call("GET", service, url, params=query)
    subjects = _subjects(page)
    assert subjects, f"{service} {url} lists nothing: its visibility would go untested"
    return subjects


def _subjects(page: dict[str, Any]) -> set[str]:
    return {item["subject_id"] if "subject_id" in item else item["id"]
            for item in page["items"]}


def _list_mismatches(where: str, who: Cast, rule: frozenset[Party], page: dict[str, Any],
                     refs: dict[str, SubjectRef], listed: set[str]) -> list[str]:
    """A list shows exactly the records, among those it holds, of the subjects the rule
    lets the caller see."""
    shown = _subjects(page)
    visible = {s for s, ref in refs.items() if parties_of(who.caller, ref) & rule} & listed
    if shown != visible:
        return [f"{where} as {who.name}: shows subjects {sorted(shown)}, "
                f"the table {sorted(visible)}"]
    return []
