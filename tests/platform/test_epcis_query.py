"""The EPCIS 2.0 query interface over HTTP, as a partner's EPCIS client uses it: GS1's own
example documents (``../shared/standards/epcis-2.0/examples/``, beside this repository)
captured unchanged with a few events of this test's own, then asked back by each standard
query parameter: the events that match and only they, lists (OR), combinations (AND),
order and pages, and refusals with the standard's QueryParameterException. Every answer is
valid against the standard's JSON Schema (by ``jsonschema``, apart from the service's own
validator) and every event in it rehashes, by GS1's ``epcis-event-hash-generator``, to the
hash reported when it was captured.

The whole platform on its embedded defaults, really served over HTTP; one platform for the
module (each test only reads)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from jsonschema import Draft7Validator

from services.traceability.api.epcis import PARAMETERS
from services.traceability.origin.epcis import STANDARD_CONTEXT, event_hashes, schema_errors
from shared.platform.config import load_settings
from tests.support.batches import PASSWORD
from tests.support.platform import User
from tests.support.platform import office_signed_in as signed_in

STANDARD = Path(__file__).parents[3] / "shared" / "standards" / "epcis-2.0"
"""GS1's EPCIS 2.0 material, in the folder beside this repository's clone."""
EXAMPLES = sorted((STANDARD / "examples").glob("*.jsonld"))
QUERY_PARAMETER_EXCEPTION = "epcisException:QueryParameterException"

# The standard's examples' events, by their eventIDs.
OBJ1 = "ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0"
OBJ2 = "ni:///sha-256;00e1e6eba3a7cc6125be4793a631f0af50f8322e0ab5f2c0bab994a11cec1d79?ver=CBV2.0"
ERR = "ni:///sha-256;aa49daa1fe0b773e0437e546078dc87de9c864d5b9babe84488f31478887fdf3?ver=CBV2.0"
TRF = "ni:///sha-256;e65c3a997e77f34b58306da7a82ab0fc91c7820013287700f0b50345e5795b97?ver=CBV2.0"
SEN = "ni:///sha-256;74f1dc48ee22289bc40ddd9f1d0ecae0dd09a2f4c3dfa66fdbca16cb2d8a4e77?ver=CBV2.0"
# This test's own: the event types, fields and forms the examples lack.
AGG, TRX, DEL = "urn:uuid:agg-1", "urn:uuid:trx-1", "urn:uuid:del-1"
EXAMPLE_IDS = {OBJ1, OBJ2, ERR, TRF, SEN}
ALL = EXAMPLE_IDS | {AGG, TRX, DEL}
PARENT = "urn:epc:id:sscc:0614141.1234567890"
CLASS = "urn:epc:class:lgtin:4012345.012345.998877"

OWN = {
    "@context": [STANDARD_CONTEXT, {"example": "http://ns.example.com/epcis/"}],
    "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2022-01-01T00:00:00Z",
    "epcisBody": {"eventList": [
        {"eventID": AGG, "type": "AggregationEvent", "action": "ADD",
         "eventTime": "2020-03-01T08:00:00+07:00", "eventTimeZoneOffset": "+07:00",
         "parentID": PARENT, "childEPCs": ["urn:epc:id:sgtin:0614141.107346.3001"],
         "childQuantityList": [{"epcClass": CLASS, "quantity": 200, "uom": "KGM"}],
         "bizStep": "packing", "disposition": "in_progress",
         "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.1"},
         "bizLocation": {"id": "urn:epc:id:sgln:0614141.00777.0"}},
        {"eventID": TRX, "type": "TransactionEvent", "action": "ADD",
         "eventTime": "2021-03-01T08:00:00+07:00", "eventTimeZoneOffset": "+07:00",
         "bizTransactionList": [{"type": "po",
                                 "bizTransaction": "urn:epc:id:gdti:0614141.00001.1"}],
         "epcList": ["urn:epc:id:sgtin:0614141.107346.3002"],
         "quantityList": [{"epcClass": CLASS, "quantity": 5}],
         "bizStep": "https://ref.gs1.org/cbv/BizStep-shipping",
         "disposition": "https://ref.gs1.org/cbv/Disp-in_transit"},
    ]}}
CONFLICTING = {
    # The prefix "example" names another namespace than the standard's examples give it:
    # an answer holding both must keep each event's own meaning.
    "@context": [STANDARD_CONTEXT, {"example": "http://other.example.org/vocabulary/"}],
    "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2022-01-01T00:00:00Z",
    "epcisBody": {"eventList": [
        {"eventID": DEL, "type": "ObjectEvent", "action": "DELETE",
         "eventTime": "2022-03-01T08:00:00Z", "eventTimeZoneOffset": "+00:00",
         "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"], "bizStep": "decommissioning",
         "example:myField": "the same name, in another namespace"},
    ]}}


@dataclass
class Captured:
    office: User
    hashes: dict[str, set[str]]
    """Each captured eventID → the hashes reported for it at capture."""
    own_recorded_at: str
    """When this test's own events were recorded (after the examples)."""
    jobs: list[tuple[str, list[str]]]
    """Each capture's job (its Location) and the events it recorded."""


@pytest.fixture(scope="module")
async def captured(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Captured]:
    assert len(EXAMPLES) >= 4, f"GS1's examples are expected in {STANDARD}"
    settings = load_settings(data_dir=tmp_path_factory.mktemp("epcis") / "data",
                             retry_attempts=3, retry_backoff_seconds=0.01,
                             relay_poll_seconds=0.2, password_hash_memory_kib=1024,
                             password_hash_time_cost=1,
                             rate_limit="100000/second")  # a client asking in a loop
    async with signed_in(settings, PASSWORD) as office:
        hashes: dict[str, set[str]] = {}
        recorded = []
        jobs = []
        for document in [*(json.loads(p.read_text()) for p in EXAMPLES), OWN, CONFLICTING]:
            response = await office.client.post(
                office.urls["traceability"] + "/epcis/capture", json=document,
                headers=office.headers)
            assert response.status_code == 202, response.text
            answer = response.json()
            jobs.append((response.headers["location"],
                         [r["event_id"] for r in answer["recorded"]]))
            recorded.append(answer["recorded"])
            for r in answer["recorded"]:
                hashes.setdefault(r["event_id"], set()).add(r["hash"])
        assert set(hashes) == ALL
        yield Captured(office, hashes, recorded[-2][0]["recorded_at"], jobs)


def events_of(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return list(answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"])


@cache
def standard_schema() -> Any:
    """GS1's schema, by the Python reference validator (``jsonschema``): not the one the
    service checks captures with (``jsonschema-rs``), so an answer is judged apart from it."""
    schema = json.loads((STANDARD / "EPCIS-JSON-Schema.json").read_text())
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def check_answer(answer: dict[str, Any], captured: Captured) -> None:
    """Valid against the standard's schema (by both validators); each event, read with its
    own context, hashes to what its capture reported; each says when it was recorded."""
    assert [e.message for e in standard_schema().iter_errors(answer)] == []
    assert schema_errors(answer) == []
    for event in events_of(answer):
        assert event["recordTime"]
        context = event.get("@context", answer["@context"])
        bare = {k: v for k, v in event.items() if k not in ("@context", "recordTime")}
        (rehashed,) = event_hashes(context, [bare])
        assert rehashed in captured.hashes[event["eventID"]], event["eventID"]


async def ask(captured: Captured, params: dict[str, Any] | list[tuple[str, str]],
              path: str = "/epcis/events") -> dict[str, Any]:
    response = await captured.office.anonymous().client.get(
        captured.office.urls["traceability"] + path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/ld+json")
    assert response.headers["GS1-EPCIS-Version"] == "2.0.0"
    assert response.headers["GS1-CBV-Version"] == "2.0.0"
    answer: dict[str, Any] = response.json()
    if answer["type"] == "EPCISQueryDocument":
        check_answer(answer, captured)
    return answer


def ids(answer: dict[str, Any]) -> set[str]:
    return {e["eventID"] for e in events_of(answer)}


# Each standard parameter: (its query, the events that match; every other captured event
# is one that does not).
CASES: list[tuple[str, dict[str, str] | list[tuple[str, str]], set[str]]] = [
    ("eventType", {"eventType": "ObjectEvent"}, {OBJ1, OBJ2, ERR, SEN, DEL}),
    ("eventType list", {"eventType": "AggregationEvent,TransactionEvent"}, {AGG, TRX}),
    ("eventType none", {"eventType": "AssociationEvent"}, set()),
    ("GE_eventTime", {"GE_eventTime": "2013-01-01T00:00:00Z"}, {TRF, SEN, AGG, TRX, DEL}),
    ("LT_eventTime", {"LT_eventTime": "2013-01-01T07:00:00+07:00"}, {OBJ1, OBJ2, ERR}),
    ("event time range", {"GE_eventTime": "2013-01-01T00:00:00Z",
                          "LT_eventTime": "2020-01-01T00:00:00Z"}, {TRF, SEN}),
    ("EQ_action", {"EQ_action": "ADD"}, {AGG, TRX}),
    ("EQ_action list", {"EQ_action": "DELETE,OBSERVE"}, {OBJ1, OBJ2, ERR, SEN, DEL}),
    ("EQ_bizStep bare, any form stored", {"EQ_bizStep": "shipping"}, {OBJ1, ERR, TRX}),
    ("EQ_bizStep list of URIs", {"EQ_bizStep": "urn:epcglobal:cbv:bizstep:receiving,"
                                               "https://ref.gs1.org/cbv/BizStep-inspecting"},
     {OBJ2, SEN}),
    ("EQ_disposition", {"EQ_disposition": "in_progress"}, {OBJ2, TRF, AGG}),
    ("EQ_disposition URI", {"EQ_disposition": "https://ref.gs1.org/cbv/Disp-in_transit"},
     {OBJ1, ERR, TRX}),
    ("EQ_readPoint", {"EQ_readPoint": "urn:epc:id:sgln:0614141.07346.1234"}, {OBJ1, ERR}),
    ("EQ_readPoint list", {"EQ_readPoint": "urn:epc:id:sgln:0614141.07346.1234,"
                                           "urn:epc:id:sgln:4012345.00005.0"},
     {OBJ1, ERR, SEN}),
    ("EQ_bizLocation", {"EQ_bizLocation": "urn:epc:id:sgln:0012345.11111.0"}, {OBJ2}),
    ("EQ_bizLocation list", [("EQ_bizLocation", "urn:epc:id:sgln:0012345.11111.0"),
                             ("EQ_bizLocation", "urn:epc:id:sgln:0614141.00777.0")],
     {OBJ2, AGG}),
    ("MATCH_epc", {"MATCH_epc": "urn:epc:id:sgtin:0614141.107346.2018"}, {OBJ1, OBJ2, ERR}),
    ("MATCH_epc pattern", {"MATCH_epc": "urn:epc:idpat:sgtin:0614141.107346.*"},
     {OBJ1, OBJ2, ERR, AGG, TRX, DEL}),
    ("MATCH_epc company pattern", {"MATCH_epc": "urn:epc:idpat:sgtin:4012345.*.*"}, {SEN}),
    ("MATCH_epc not outputs", {"MATCH_epc": "urn:epc:id:sgtin:4012345.077889.25"}, set()),
    ("MATCH_parentID", {"MATCH_parentID": PARENT}, {AGG}),
    ("MATCH_parentID not children",
     {"MATCH_parentID": "urn:epc:id:sgtin:0614141.107346.3001"}, set()),
    ("MATCH_inputEPC", {"MATCH_inputEPC": "urn:epc:id:sgtin:4012345.011122.25"}, {TRF}),
    ("MATCH_outputEPC", {"MATCH_outputEPC": "urn:epc:idpat:sgtin:4012345.077889.*"}, {TRF}),
    ("MATCH_outputEPC not inputs",
     {"MATCH_outputEPC": "urn:epc:id:sgtin:4012345.011122.25"}, set()),
    ("MATCH_anyEPC list", {"MATCH_anyEPC": f"{PARENT},urn:epc:id:sgtin:4012345.077889.25"},
     {AGG, TRF}),
    ("MATCH_anyEPC", {"MATCH_anyEPC": "urn:epc:id:sgtin:0614141.107346.2017"},
     {OBJ1, ERR, DEL}),
    ("MATCH_epcClass", {"MATCH_epcClass": CLASS}, {AGG, TRX}),
    ("MATCH_epcClass not inputs",
     {"MATCH_epcClass": "urn:epc:class:lgtin:4012345.011111.4444"}, set()),
    ("MATCH_anyEPCClass", {"MATCH_anyEPCClass": "urn:epc:class:lgtin:4012345.011111.4444,"
                                                "urn:epc:idpat:sgtin:4012345.066666.*"},
     {TRF}),
    ("MATCH_anyEPCClass pattern", {"MATCH_anyEPCClass": "urn:epc:idpat:sgtin:4012345.*.*"},
     {TRF, AGG, TRX}),
    ("EQ_quantity", {"EQ_quantity": "30"}, {TRF}),
    ("GT_quantity", {"GT_quantity": "200"}, {TRF}),
    ("GE_quantity", {"GE_quantity": "200"}, {TRF, AGG}),
    ("LT_quantity", {"LT_quantity": "10"}, {TRX}),
    ("LE_quantity", {"LE_quantity": "10.0"}, {TRF, TRX}),
    ("one quantity element in range", {"GE_quantity": "100", "LE_quantity": "210"}, {AGG}),
    ("EQ_eventID", {"EQ_eventID": OBJ1}, {OBJ1}),
    ("EQ_eventID list", {"EQ_eventID": f"{TRF},{AGG},urn:uuid:none"}, {TRF, AGG}),
    ("AND across parameters", {"eventType": "ObjectEvent", "EQ_bizStep": "shipping",
                               "MATCH_epc": "urn:epc:id:sgtin:0614141.107346.2017"},
     {OBJ1, ERR}),
    ("AND, nothing in common", {"EQ_action": "ADD", "MATCH_inputEPC":
                                "urn:epc:id:sgtin:4012345.011122.25"}, set()),
]


@pytest.mark.parametrize(("params", "matching"), [(p, m) for _, p, m in CASES],
                         ids=[name for name, _, _ in CASES])
async def test_each_parameter_answers_the_matching_events_only(
        captured: Captured, params: dict[str, str], matching: set[str]) -> None:
    assert ids(await ask(captured, params)) == matching


async def test_record_time_parameters(captured: Captured) -> None:
    since = captured.own_recorded_at
    assert ids(await ask(captured, {"GE_recordTime": since})) == {AGG, TRX, DEL}
    assert ids(await ask(captured, {"LT_recordTime": since})) == EXAMPLE_IDS
    assert ids(await ask(captured, {"LT_recordTime": since,
                                    "eventType": "TransformationEvent"})) == {TRF}


async def test_every_event_keeps_its_meaning_in_one_answer(captured: Captured) -> None:
    """Two captures mean different things by "example:": the answer's own context leaves
    the prefix out, each event carries the context it was captured under."""
    answer = await ask(captured, {"EQ_eventID": f"{OBJ2},{DEL}"})
    assert ids(answer) == {OBJ2, DEL}
    assert "example" not in answer["@context"][1]
    contexts = {e["eventID"]: e["@context"][1]["example"] for e in events_of(answer)}
    assert contexts == {OBJ2: "http://ns.example.com/epcis/",
                        DEL: "http://other.example.org/vocabulary/"}


async def test_order_and_count_limit(captured: Captured) -> None:
    oldest_first = events_of(await ask(captured, {"orderBy": "eventTime",
                                                  "orderDirection": "ASC"}))
    assert {e["eventID"] for e in oldest_first[:2]} == {OBJ1, ERR}  # at the same time
    assert len(oldest_first) == len(ALL)
    newest_first = events_of(await ask(captured, {"orderBy": "eventTime"}))  # DESC: default
    assert [e["eventID"] for e in newest_first] == [e["eventID"] for e in oldest_first][::-1]
    by_record = events_of(await ask(captured, {"orderBy": "recordTime",
                                               "orderDirection": "DESC"}))
    assert by_record[0]["eventID"] == DEL
    two = await ask(captured, {"orderBy": "eventTime", "eventCountLimit": "2"})
    assert [e["eventID"] for e in events_of(two)] == [DEL, TRX]


async def test_pages_follow_the_link_header(captured: Captured) -> None:
    client, url = captured.office.client, captured.office.urls["traceability"] + "/epcis/events"
    seen: list[str] = []
    response = await client.get(url, params={"perPage": "3", "orderBy": "eventTime"})
    pages = 0
    while True:
        assert response.status_code == 200, response.text
        answer = response.json()
        check_answer(answer, captured)
        seen += [e["eventID"] for e in events_of(answer)]
        pages += 1
        if "next" not in response.links:
            break
        response = await client.get(response.links["next"]["url"])
    assert pages == 3 and sorted(seen) == sorted(ALL) and len(seen) == len(ALL)
    # eventCountLimit holds across pages: 4 events in all, 3 then 1.
    first = await client.get(url, params={"perPage": "3", "eventCountLimit": "4",
                                          "orderBy": "recordTime"})
    second = await client.get(first.links["next"]["url"])
    assert len(events_of(first.json())) == 3 and len(events_of(second.json())) == 1
    assert "next" not in second.links


@pytest.mark.parametrize(("params", "field"), [
    ({"EQ_bizstep": "shipping"}, "EQ_bizstep"),
    ({"WD_readPoint": "urn:epc:id:sgln:0614141.07346.1234"}, "WD_readPoint"),
    ({"place": "urn:epc:id:sgln:0614141.07346.1234"}, "place"),
    ({"eventType": "ObjectEvent,FooEvent"}, "eventType"),
    ({"GE_eventTime": "yesterday"}, "GE_eventTime"),
    ({"LT_recordTime": "2026-05-01T08:00:00"}, "LT_recordTime"),
    ({"EQ_action": "OBSERVE,"}, "EQ_action"),
    ({"EQ_action": "UPDATE"}, "EQ_action"),
    ({"EQ_quantity": "ten"}, "EQ_quantity"),
    ({"GT_quantity": "nan"}, "GT_quantity"),
    ({"MATCH_epc": "urn:epc:idpat:sgtin:*.107346.*"}, "MATCH_epc"),
    ({"orderBy": "bizStep"}, "orderBy"),
    ({"orderDirection": "UP"}, "orderDirection"),
    ({"eventCountLimit": "0"}, "eventCountLimit"),
    ({"maxEventCount": "0"}, "maxEventCount"),
    ({"maxEventCount": "3", "eventCountLimit": "2"}, "maxEventCount"),
    ({"perPage": "501"}, "perPage"),
    ({"perPage": "-1"}, "perPage"),
    ({"nextPageToken": "not-a-token"}, "nextPageToken"),
    ([("GE_eventTime", "2020-01-01T00:00:00Z"), ("GE_eventTime", "2021-01-01T00:00:00Z")],
     "GE_eventTime"),
])
async def test_unknown_or_malformed_parameters_are_refused(
        captured: Captured, params: dict[str, str], field: str) -> None:
    response = await captured.office.client.get(
        captured.office.urls["traceability"] + "/epcis/events", params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == QUERY_PARAMETER_EXCEPTION
    assert problem["status"] == 400 and problem["detail"] and problem["detail_vi"]
    assert problem["errors"][0]["field"] == field


async def test_the_standards_examples_queried_back_by_each_parameter_that_applies(
        captured: Captured) -> None:
    """Each example event, asked by every parameter its fields give, is in the answer."""
    for path in EXAMPLES:
        for event in json.loads(path.read_text())["epcisBody"]["eventList"]:
            asked: list[dict[str, str]] = [{"eventType": event["type"]},
                                           {"EQ_eventID": event["eventID"]},
                                           {"GE_eventTime": event["eventTime"]},
                                           {"LT_recordTime": captured.own_recorded_at}]
            for key, parameter in (("action", "EQ_action"), ("bizStep", "EQ_bizStep"),
                                   ("disposition", "EQ_disposition")):
                if key in event:
                    asked.append({parameter: event[key]})
            for key, parameter in (("readPoint", "EQ_readPoint"),
                                   ("bizLocation", "EQ_bizLocation")):
                if key in event:
                    asked.append({parameter: event[key]["id"]})
            for key, parameter in (("epcList", "MATCH_epc"), ("inputEPCList", "MATCH_inputEPC"),
                                   ("outputEPCList", "MATCH_outputEPC")):
                for epc in event.get(key, []):
                    asked += [{parameter: epc}, {"MATCH_anyEPC": epc}]
            for key, parameter in (("inputQuantityList", "MATCH_anyEPCClass"),
                                   ("quantityList", "MATCH_epcClass")):
                for element in event.get(key, []):
                    asked.append({parameter: element["epcClass"]})
                    if "quantity" in element:
                        asked.append({"EQ_quantity": str(element["quantity"])})
            for params in asked:
                assert event["eventID"] in ids(await ask(captured, params)), params


async def refused(captured: Captured, path: str, params: dict[str, str], status: int,
                  problem_type: str) -> dict[str, Any]:
    response = await captured.office.client.get(
        captured.office.urls["traceability"] + path, params=params)
    assert response.status_code == status, response.text
    problem: dict[str, Any] = response.json()
    assert problem["type"] == problem_type and problem["detail_vi"]
    return problem


async def test_event_types_and_their_events(captured: Captured) -> None:
    types = await ask(captured, {}, "/epcis/eventTypes")
    assert types == {"@context": [STANDARD_CONTEXT], "type": "Collection", "member": [
        "AggregationEvent", "AssociationEvent", "ObjectEvent", "TransactionEvent",
        "TransformationEvent"]}
    assert (await ask(captured, {}, "/epcis/eventTypes/ObjectEvent"))["member"] == ["events"]
    path = "/epcis/eventTypes/TransformationEvent/events"
    assert ids(await ask(captured, {}, path)) == {TRF}
    assert ids(await ask(captured, {"EQ_bizStep": "commissioning"}, path)) == {TRF}
    assert ids(await ask(captured, {"EQ_bizStep": "shipping"}, path)) == set()
    assert ids(await ask(captured, {}, "/epcis/eventTypes/AggregationEvent/events")) == {AGG}
    await refused(captured, "/epcis/eventTypes/FooEvent/events", {}, 404,
                  "epcisException:NoSuchNameException")
    await refused(captured, "/epcis/eventTypes/FooEvent", {}, 404,
                  "epcisException:NoSuchNameException")
    problem = await refused(captured, path, {"eventType": "ObjectEvent"}, 400,
                            QUERY_PARAMETER_EXCEPTION)
    assert problem["errors"][0]["field"] == "eventType"


async def test_an_epcs_events(captured: Captured) -> None:
    path = f"/epcis/epcs/{quote('urn:epc:id:sgtin:0614141.107346.2017', safe='')}/events"
    assert ids(await ask(captured, {}, path)) == {OBJ1, ERR, DEL}
    assert ids(await ask(captured, {"EQ_action": "DELETE"}, path)) == {DEL}
    assert ids(await ask(captured, {}, f"/epcis/epcs/{PARENT}/events")) == {AGG}
    outputs = quote("urn:epc:idpat:sgtin:4012345.077889.*", safe="")
    assert ids(await ask(captured, {}, f"/epcis/epcs/{outputs}/events")) == {TRF}
    assert ids(await ask(captured, {}, "/epcis/epcs/urn:epc:id:sgtin:1.2.3/events")) == set()
    await refused(captured, path, {"MATCH_anyEPC": PARENT}, 400, QUERY_PARAMETER_EXCEPTION)


async def test_business_steps_and_locations_and_their_events(captured: Captured) -> None:
    steps = await ask(captured, {}, "/epcis/bizSteps")
    assert steps["member"] == ["commissioning", "decommissioning", "inspecting", "packing",
                               "receiving", "shipping"]
    client, url = captured.office.client, captured.office.urls["traceability"]
    first = await client.get(url + "/epcis/bizSteps", params={"perPage": "4"})
    second = await client.get(first.links["next"]["url"])
    assert first.json()["member"] + second.json()["member"] == steps["member"]
    assert "next" not in second.links
    assert ids(await ask(captured, {}, "/epcis/bizSteps/shipping/events")) == {OBJ1, ERR, TRX}
    receiving = quote("https://ref.gs1.org/cbv/BizStep-receiving", safe="")
    assert ids(await ask(captured, {}, f"/epcis/bizSteps/{receiving}/events")) == {OBJ2}
    assert ids(await ask(captured, {"eventType": "TransactionEvent"},
                         "/epcis/bizSteps/shipping/events")) == {TRX}
    locations = await ask(captured, {}, "/epcis/bizLocations")
    assert locations["member"] == ["urn:epc:id:sgln:0012345.11111.0",
                                   "urn:epc:id:sgln:0614141.00777.0"]
    at = quote("urn:epc:id:sgln:0614141.00777.0", safe="")
    assert ids(await ask(captured, {}, f"/epcis/bizLocations/{at}/events")) == {AGG}
    assert ids(await ask(captured, {"MATCH_epc": "urn:epc:id:sgtin:0614141.107346.2018"},
                         f"/epcis/bizLocations/{at}/events")) == set()
    await refused(captured, "/epcis/bizSteps", {"EQ_bizStep": "x"}, 400,
                  QUERY_PARAMETER_EXCEPTION)
    await refused(captured, "/epcis/bizLocations", {"perPage": "0"}, 400,
                  QUERY_PARAMETER_EXCEPTION)
    await refused(captured, f"/epcis/bizLocations/{at}/events", {"EQ_bizLocation": "x"}, 400,
                  QUERY_PARAMETER_EXCEPTION)


async def test_named_queries(captured: Captured) -> None:
    office, url = captured.office, captured.office.urls["traceability"]
    defined = await office.client.post(url + "/epcis/queries", headers=office.headers, json={
        "name": "shipped-objects", "query": {"eventType": ["ObjectEvent"],
                                             "EQ_bizStep": "shipping"}})
    assert defined.status_code == 201, defined.text
    assert defined.headers["location"] == url + "/epcis/queries/shipped-objects"
    assert defined.json()["query"] == {"eventType": ["ObjectEvent"], "EQ_bizStep": ["shipping"]}
    await office.call("POST", "traceability", "/epcis/queries", expect=201, json={
        "name": "heavy", "query": {"GE_quantity": 100, "orderBy": "eventTime"}})
    listed = await office.anonymous().call("GET", "traceability", "/epcis/queries")
    assert [q["name"] for q in listed] == ["heavy", "shipped-objects"]
    got = await office.anonymous().call("GET", "traceability", "/epcis/queries/heavy")
    assert got["query"] == {"GE_quantity": ["100"], "orderBy": ["eventTime"]}

    path = "/epcis/queries/shipped-objects/events"
    answer = await ask(captured, {}, path)
    assert ids(answer) == {OBJ1, ERR}
    assert answer["epcisBody"]["queryResults"]["queryName"] == "shipped-objects"
    heavy = await ask(captured, {}, "/epcis/queries/heavy/events")
    assert [e["eventID"] for e in events_of(heavy)] == [AGG, TRF]  # DESC by event time
    first = await office.client.get(url + path, params={"perPage": "1"})
    second = await office.client.get(first.links["next"]["url"])
    assert ids(first.json()) | ids(second.json()) == {OBJ1, ERR}
    assert "next" not in second.links

    await refused(captured, path, {"EQ_action": "ADD"}, 400, QUERY_PARAMETER_EXCEPTION)
    for body, status, field in (
            ({"name": "x", "query": {"EQ_bizstep": "shipping"}}, 400, "EQ_bizstep"),
            ({"name": "x", "query": {"GE_eventTime": "yesterday"}}, 400, "GE_eventTime"),
            ({"name": "x", "query": {"perPage": 5}}, 400, "perPage"),
            ({"name": "a b", "query": {}}, 400, "name"),
            ({"name": "heavy", "query": {}}, 409, "name")):
        problem = await office.call("POST", "traceability", "/epcis/queries", expect=status,
                                    json=body)
        assert problem["errors"][0]["field"] == field, body
    await office.anonymous().call("POST", "traceability", "/epcis/queries", expect=401,
                                  json={"name": "anyone", "query": {}})
    await office.anonymous().call("DELETE", "traceability", "/epcis/queries/heavy",
                                  expect=401)
    await office.call("DELETE", "traceability", "/epcis/queries/heavy", expect=204)
    for gone in ("/epcis/queries/heavy", "/epcis/queries/heavy/events"):
        await refused(captured, gone, {}, 404, "epcisException:NoSuchNameException")
    await office.call("DELETE", "traceability", "/epcis/queries/shipped-objects", expect=204)


async def test_each_capture_answered_with_its_finished_job(captured: Captured) -> None:
    """The capture interface's 202 and Location: the job tells what it recorded."""
    anyone = captured.office.anonymous()
    for location, event_ids in captured.jobs:
        assert location.startswith(captured.office.urls["traceability"] + "/epcis/capture/")
        response = await anyone.client.get(location)
        assert response.status_code == 200 and response.headers["GS1-EPCIS-Version"]
        job = response.json()
        assert (job["running"], job["success"], job["errors"]) == (False, True, [])
        assert job["eventIDs"] == event_ids and job["captureID"] == location.split("/")[-1]
        assert job["createdAt"] <= job["finishedAt"]
    await anyone.call("GET", "traceability", "/epcis/capture/none", expect=404)


async def test_max_event_count(captured: Captured) -> None:
    """maxEventCount: the answer if the query matches no more, else QueryTooLargeException."""
    assert len(events_of(await ask(captured, {"maxEventCount": str(len(ALL))}))) == len(ALL)
    assert ids(await ask(captured, {"maxEventCount": "2", "perPage": "1",
                                    "eventType": "AggregationEvent,TransactionEvent"})) \
        in ({AGG}, {TRX})
    problem = await refused(captured, "/epcis/events", {"maxEventCount": str(len(ALL) - 1)},
                            413, "epcisException:QueryTooLargeException")
    assert problem["errors"][0]["field"] == "maxEventCount"


async def test_a_query_as_long_as_the_document_allows_is_read_not_cut_off(
        captured: Captured) -> None:
    """Every parameter near its documented longest (2,000; 1,900 keeps the whole query
    within what httpx sends): the service reads it and answers with the standard's
    problem, not the HTTP server's bare-text refusal of a long request line."""
    longest = {name: "x" * 1900 for name in PARAMETERS}
    response = await captured.office.client.get(
        captured.office.urls["traceability"] + "/epcis/events", params=longest,
        headers=captured.office.headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("QueryParameterException")
