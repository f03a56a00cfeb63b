"""The EPCIS 2.0 SimpleEventQuery's pure part (``origin/query.py``): what a captured event
is indexed under, the standard's parameters read into store queries, the refusals, the
answer's contexts; named queries and their subscriptions (``named_queries/model.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.traceability.named_queries.model import Subscription
from services.traceability.origin.epcis import STANDARD_CONTEXT, merged_context
from services.traceability.origin.query import (
    QUERY_PARAMETER_EXCEPTION,
    NamedQuery,
    NoSuchName,
    Page,
    QueryParameterRefused,
    answered,
    event_type,
    index_of,
    patterns_of,
    read_page,
    read_query,
)
from shared.ports.store import Document
from shared.ports.store.cursor import encode_cursor
from shared.ports.webhooks import Attempt, RetrySchedule
from shared.refusals import BadRequest

EVENT = {"type": "TransformationEvent", "eventTime": "2013-10-31T14:58:56.591+02:00",
         "eventTimeZoneOffset": "+02:00",
         "inputEPCList": ["urn:epc:id:sgtin:4012345.011122.25"],
         "inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.011111.4444",
                                "quantity": 10, "uom": "KGM"}],
         "outputEPCList": ["https://id.example.org/01/04012345077889/21/25"],
         "bizStep": "urn:epcglobal:cbv:bizstep:commissioning",
         "disposition": "https://ref.gs1.org/cbv/Disp-in_progress",
         "readPoint": {"id": "urn:epc:id:sgln:4012345.00001.0"}}


def test_an_epc_matches_its_patterns_and_a_class_its_gtins() -> None:
    assert patterns_of("urn:epc:id:sgtin:0614141.107346.2017") == [
        "urn:epc:idpat:sgtin:0614141.107346.*", "urn:epc:idpat:sgtin:0614141.*.*",
        "urn:epc:idpat:sgtin:*.*.*"]
    assert patterns_of("urn:epc:class:lgtin:4012345.011111.4444")[0] == \
        "urn:epc:idpat:sgtin:4012345.011111.*"
    assert patterns_of("urn:epc:idpat:sgtin:4012345.066666.*") == [
        "urn:epc:idpat:sgtin:4012345.066666.*", "urn:epc:idpat:sgtin:4012345.*.*",
        "urn:epc:idpat:sgtin:*.*.*"]
    assert patterns_of("https://id.gs1.org/01/09521234543213/21/1") == []


def test_an_event_is_indexed_by_its_fields_and_terms() -> None:
    indexed = index_of("r1", EVENT, "urn:uuid:1", "2026-05-01T08:00:00+07:00", ["b1"], ["p1"])
    assert indexed.fields == {
        "type": "TransformationEvent", "action": None, "biz_step": "commissioning",
        "disposition": "in_progress", "read_point": "urn:epc:id:sgln:4012345.00001.0",
        "biz_location": None, "event_time": "2013-10-31T12:58:56.591000Z",
        "record_time": "2026-05-01T01:00:00.000000Z", "event_id": "urn:uuid:1"}
    terms = {t["term"] for t in indexed.terms}
    assert {"inputEPC urn:epc:id:sgtin:4012345.011122.25",
            "inputEPC urn:epc:idpat:sgtin:4012345.011122.*",
            "inputEPCClass urn:epc:class:lgtin:4012345.011111.4444",
            "inputEPCClass urn:epc:idpat:sgtin:4012345.011111.*",
            "outputEPC https://id.example.org/01/04012345077889/21/25",
            "batch b1", "product p1"} <= terms
    assert not any(t.startswith("epc ") for t in terms)  # no epcList in a transformation
    assert {"record_id": "r1", "term": "quantity", "number": 10.0} in indexed.terms


def test_parameters_become_store_queries() -> None:
    query = read_query([("eventType", "ObjectEvent,AggregationEvent"),
                        ("EQ_bizStep", "https://ref.gs1.org/cbv/BizStep-shipping"),
                        ("EQ_bizStep", "receiving"),
                        ("GE_eventTime", "2026-05-01T08:00:00+07:00"),
                        ("LT_eventTime", "2026-06-01T00:00:00Z"),
                        ("MATCH_anyEPC", "urn:epc:id:sgtin:0614141.107346.2017"),
                        ("GE_quantity", "2"), ("LT_quantity", "5.5")])
    assert query.where == {
        "type": {"$in": ["ObjectEvent", "AggregationEvent"]},
        "biz_step": {"$in": ["shipping", "receiving"]},
        "event_time": {"$gte": "2026-05-01T01:00:00.000000Z",
                       "$lt": "2026-06-01T00:00:00.000000Z"}}
    assert query.terms == (
        ("MATCH_anyEPC", {"term": {"$in": [
            f"{kind} urn:epc:id:sgtin:0614141.107346.2017"
            for kind in ("epc", "parentID", "inputEPC", "outputEPC")]}}),
        ("GE_quantity", {"term": "quantity", "number": {"$gte": 2.0, "$lt": 5.5}}))
    assert query.order == "event_time" and query.per_page == 100


def test_order_direction_and_count_limit() -> None:
    assert read_query([("maxEventCount", "5")]).max_count == 5
    assert read_query([("orderBy", "recordTime")]).order == "-record_time"  # DESC default
    assert read_query([("orderBy", "eventTime"), ("orderDirection", "ASC")]).order == \
        "event_time"
    query = read_query([("eventCountLimit", "5"), ("perPage", "3")])
    assert query.page_size() == 3
    cursor = encode_cursor(Document("r3", 1, {"event_time": "2026"}), "event_time")
    following = query.next_page(cursor, 3)
    assert following == Page(cursor, 3)
    second = read_query([("eventCountLimit", "5"), ("perPage", "3"),
                         ("nextPageToken", following.token())])
    assert second.page_size() == 2 and second.next_page(cursor, 2) is None


@pytest.mark.parametrize(("items", "field"), [
    ([("EQ_bizstep", "x")], "EQ_bizstep"),
    ([("eventType", "Foo")], "eventType"),
    ([("GE_recordTime", "2026-05-01")], "GE_recordTime"),
    ([("EQ_quantity", "inf")], "EQ_quantity"),
    ([("MATCH_anyEPC", "urn:epc:idpat:sgtin:0614141.*.2017")], "MATCH_anyEPC"),
    ([("EQ_readPoint", "a,,b")], "EQ_readPoint"),
    ([("perPage", "1"), ("perPage", "2")], "perPage"),
    ([("nextPageToken", "e30")], "nextPageToken"),
    ([("nextPageToken", Page("forged", 1).token())], "nextPageToken"),
])
def test_unknown_and_malformed_parameters_are_the_standards_exception(
        items: list[tuple[str, str]], field: str) -> None:
    with pytest.raises(QueryParameterRefused) as refused:
        read_query(items)
    assert refused.value.problem_type == QUERY_PARAMETER_EXCEPTION
    assert refused.value.status == 400 and refused.value.errors[0].field == field


def test_an_answer_keeps_each_events_context() -> None:
    ours = [STANDARD_CONTEXT, {"example": "http://ns.example.com/epcis/"}]
    theirs = [STANDARD_CONTEXT, {"example": "http://other.example.org/"}, {"x": "urn:x:"}]
    assert merged_context([ours, theirs]) == [STANDARD_CONTEXT,
                                              {"ocop": "urn:vn:ocop:epcis:", "x": "urn:x:"}]
    event = answered({"type": "ObjectEvent", "recordTime": "sent"}, ours, "2026-05-01")
    assert event == {"@context": ours, "type": "ObjectEvent", "recordTime": "2026-05-01"}


def test_a_resources_path_gives_one_parameter_whole() -> None:
    query = read_query([("EQ_action", "ADD")], ("EQ_bizLocation", "geo:21.59,105.77"))
    assert query.where == {"action": {"$in": ["ADD"]},
                           "biz_location": {"$in": ["geo:21.59,105.77"]}}
    with pytest.raises(QueryParameterRefused) as refused:
        read_query([("EQ_bizLocation", "x")], ("EQ_bizLocation", "y"))
    assert refused.value.errors[0].field == "EQ_bizLocation"
    assert read_page([("perPage", "7")]) == (7, Page())
    with pytest.raises(QueryParameterRefused):
        read_page([("eventType", "ObjectEvent")])
    with pytest.raises(NoSuchName):
        event_type("FooEvent")


def test_a_named_query_keeps_its_parameters_and_runs_with_a_page() -> None:
    named = NamedQuery.define("shipped", {"EQ_bizStep": "shipping", "GE_quantity": 5,
                                          "eventType": ["ObjectEvent", "TransactionEvent"]},
                              at="2026-05-01T00:00:00+00:00", by="u1")
    assert named.query == {"EQ_bizStep": ["shipping"], "GE_quantity": ["5"],
                           "eventType": ["ObjectEvent", "TransactionEvent"]}
    query = named.run([("perPage", "2")])
    assert query.per_page == 2 and query.where["biz_step"] == {"$in": ["shipping"]}
    with pytest.raises(QueryParameterRefused):
        named.run([("EQ_action", "ADD")])
    for name, params, field in (("a b", {}, "name"), ("x", {"perPage": 3}, "perPage"),
                                ("x", {"EQ_bizstep": "shipping"}, "EQ_bizstep")):
        with pytest.raises(BadRequest) as refused:
            NamedQuery.define(name, params, at="", by="u1")
        assert refused.value.errors[0].field == field


def test_a_subscription_moves_on_once_a_page_is_taken_and_gives_up_after_its_schedule(
        ) -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    held = Subscription.subscribe("shipped", "https://example.org/hooks",
                                  allow_private=False, at=now, by="u1")
    assert held.secret.startswith("whsec_") and held.since == "2026-05-01T00:00:00.000000Z"
    schedule = RetrySchedule(timedelta(seconds=5), attempts=3)
    held.record(Attempt(now.isoformat(), 503, "down", 10), now, schedule, "c1")
    assert (held.after, held.tries, held.due(now)) == (None, 1, False)
    assert held.due(now + timedelta(seconds=5))
    held.record(Attempt(now.isoformat(), 204, None, 10), now, schedule, "c1")
    assert (held.after, held.tries, held.next_attempt_at) == ("c1", 0, None)
    for _ in range(3):
        held.record(Attempt(now.isoformat(), None, "timeout", 10), now, schedule, "c2")
    assert not held.enabled and held.after == "c1" and "timeout" in str(held.disabled_reason)
    assert len(held.attempts) == 5
    with pytest.raises(BadRequest):
        Subscription.subscribe("shipped", "http://127.0.0.1/hooks", allow_private=False,
                               at=now, by="u1")
