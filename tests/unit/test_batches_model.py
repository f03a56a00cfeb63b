"""Batches and origin records (``services/traceability/origin/model.py``, ``epcis.py``,
``forms.py``, ``journey.py``): opening rules, the hash chain and what verifying it finds,
the identifiers an EPCIS event names, and a producer's form as an EPCIS event — without
HTTP, a bus or a store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest

from services.traceability.origin import epcis
from services.traceability.origin.forms import CorrectionIn, OriginEventIn, epcis_event
from services.traceability.origin.journey import entries, journey
from services.traceability.origin.model import (
    Batch,
    BatchDates,
    OriginRecord,
    Unit,
    content_digest,
    genesis,
    utc_stamp,
    verify,
)
from services.traceability.profiles import rules
from services.traceability.profiles.model import TraceProfile
from shared.ocop.gtin import gtin14
from shared.refusals import BadRequest, Conflict
from tests.support.events import certified, revoked
from tests.support.refusals import refused

DAY = date(2026, 11, 2)
VIETNAM = timezone(timedelta(hours=7))
BASE = "https://scan.ocop.example"
MORNING = datetime.combine(DAY, time(9), UTC)
NOON_AFTER = datetime(2026, 11, 5, 5, 0, tzinfo=UTC)


def profile() -> TraceProfile:
    shown = TraceProfile("p1")
    shown.show_certificate(certified())
    return shown


def opened(lot: str = "NM-2026-11", **dates: date) -> Batch:
    return Batch.open("b1", profile(), lot=lot, dates=BatchDates(DAY, **dates),
                      quantity=500, unit=Unit.LITRE, areas=[], now=NOON_AFTER,
                      at="2026-11-05T01:00:00Z", by="u1", scan_base_url=BASE)


def test_a_batch_is_named_by_its_gtin_and_lot_in_gs1_syntax() -> None:
    batch = opened("NM/2026-11")
    assert batch.identifier == "https://id.gs1.org/01/08934563138165/10/NM%2F2026-11"
    assert batch.opened(BASE).scan_url == f"{BASE}/01/08934563138165/10/NM%2F2026-11"
    assert epcis.lot_ref(batch.identifier) == epcis.LotRef("NM/2026-11", gtin="08934563138165")
    for bad in ("lô-1", "A" * 21, "NM 2026", "NM#1"):
        with refused(BadRequest, "lot-invalid"):
            opened(bad)


def test_batches_are_opened_only_under_a_certificate_in_force() -> None:
    with refused(Conflict, "not-certified"):
        Batch.open("b1", TraceProfile("p1"), lot="L1", dates=BatchDates(DAY), quantity=1,
                   unit=Unit.KILOGRAM, areas=[], now=MORNING, at="", by="", scan_base_url=BASE)
    gone = profile()
    gone.revoke(revoked())
    with refused(Conflict, "certificate-revoked"):
        Batch.open("b1", gone, lot="L1", dates=BatchDates(DAY), quantity=1,
                   unit=Unit.KILOGRAM, areas=[], now=MORNING, at="", by="", scan_base_url=BASE)


def test_a_batchs_dates_are_in_the_order_things_happen() -> None:
    with refused(BadRequest, "batch-dates"):
        opened(packed_on=DAY - timedelta(days=1))
    with refused(BadRequest, "batch-dates"):
        BatchDates(DAY + timedelta(days=1)).check(MORNING)
    batch = opened(packed_on=DAY, best_before=DAY + timedelta(days=700))
    with refused(BadRequest, "event-before-batch"):
        batch.check_event_time(datetime(2026, 11, 1, 23, 0, tzinfo=VIETNAM), "eventTime",
                               NOON_AFTER)
    batch.check_event_time(datetime(2026, 11, 2, 0, 30, tzinfo=VIETNAM), "eventTime", NOON_AFTER)


def record(record_id: str, event: dict[str, Any], hash_: str = "") -> OriginRecord:
    when = epcis.event_time(event)
    return OriginRecord(record_id, event, [epcis.STANDARD_CONTEXT], hash_ or f"h-{record_id}",
                        event.get("eventID", f"h-{record_id}"), utc_stamp(when),
                        epcis.biz_step(event), epcis.place_of(event), ["b1"], ["p1"], "", "u1")


def event(step: str, day: int, **extra: Any) -> dict[str, Any]:
    return {"type": "ObjectEvent", "action": "OBSERVE", "bizStep": step,
            "eventTime": f"2026-11-{day:02d}T08:00:00+07:00", "eventTimeZoneOffset": "+07:00",
            "readPoint": {"id": "urn:vn:ocop:place:nha-thung"}} | extra


def test_the_chain_moves_with_every_record_and_verifying_finds_what_was_altered() -> None:
    batch = opened()
    held = [record("r1", event("commissioning", 3)), record("r2", event("inspecting", 4)),
            record("r3", event("packing", 5))]
    chain = [batch.append(r) for r in held]
    assert [link.sequence for link in chain] == [1, 2, 3] and batch.length == 3
    assert chain[0].previous == genesis("b1") and chain[2].head == batch.head
    by_id = {r.id: r for r in held}
    hashes = {r.id: r.hash for r in held}
    assert verify(batch, chain, by_id, hashes).intact

    altered = replace(held[1], event=held[1].event | {"disposition": "conformant"})
    report = verify(batch, chain, by_id | {"r2": altered}, hashes | {"r2": "h-other"})
    assert not report.intact
    assert [(p.sequence, p.problem.split(" (")[0]) for p in report.problems] == [
        (2, "the event was altered")]

    quietly = verify(batch, chain, by_id | {"r2": altered}, hashes)  # same standard hash
    assert [p.sequence for p in quietly.problems] == [2]

    dropped = verify(batch, [chain[0], chain[2]], by_id, hashes)
    assert {p.sequence for p in dropped.problems} >= {3}
    assert content_digest({"b": 1, "a": 2}) == content_digest({"a": 2, "b": 1})


def test_the_identifiers_an_event_names_say_which_batches_and_how() -> None:
    named = list(epcis.named_lots({
        "type": "TransformationEvent",
        "inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.011111.4444"}],
        "outputQuantityList": [{"epcClass": "https://id.gs1.org/01/08934563138165/10/B%2F1"}],
        "inputEPCList": ["urn:epc:id:sgtin:4012345.011122.25"],
        "outputEPCList": [f"{BASE}/p/p9/10/L7/21/0001"]}))
    assert [(n.field, n.role.value, n.ref) for n in named] == [
        ("outputEPCList[0]", "subject", epcis.LotRef("L7", product_id="p9")),
        ("inputQuantityList[0].epcClass", "input", epcis.LotRef("4444", gtin="04012345111118")),
        ("outputQuantityList[0].epcClass", "subject",
         epcis.LotRef("B/1", gtin="08934563138165"))]
    assert gtin14("04012345111118") == "04012345111118"


def test_a_digital_link_path_is_split_before_it_is_decoded() -> None:
    assert rules.qualifiers("10/NM%2F1/21/0007") == {"10": "NM/1", "21": "0007"}
    assert rules.qualifiers("21/0007/10/NM/") == {"10": "NM", "21": "0007"}  # any order
    assert rules.qualifiers("21/X/22/V/10/L") == {"22": "V", "10": "L", "21": "X"}
    for malformed in ("10", "10/A/10/B", "99/x", "", f"10/{'L' * 21}", "21/a%20b"):
        assert rules.qualifiers(malformed) is None


def form(**fields: Any) -> OriginEventIn:
    return OriginEventIn.model_validate({"happened_at": "2026-11-03T08:00:00+07:00",
                                         "place": {"name": "Nhà thùng Phú Khương",
                                                   "commune": "Xã Kỳ Lạc"}} | fields)


def test_a_producers_form_becomes_a_valid_epcis_event() -> None:
    batch = opened()
    written = {
        "harvest": epcis_event(form(step="harvest"), batch.identifier, 500, Unit.LITRE, []),
        "processing": epcis_event(form(step="processing", inputs=[
            {"batch_id": "b0", "quantity": 900, "unit": "KGM"}]), batch.identifier, 500,
            Unit.LITRE, ["https://id.gs1.org/01/08934563138165/10/CA-1"]),
        "sensor": epcis_event(form(step="sensor_reading", readings=[
            {"kind": "salinity", "value": 245}]), batch.identifier, 500, Unit.LITRE, []),
        "lab": epcis_event(form(step="lab_test", lab="Quatest 3", passed=False),
                           batch.identifier, 500, Unit.LITRE, [])}
    for name, written_event in written.items():
        document = {"@context": [epcis.STANDARD_CONTEXT,
                                 {epcis.OCOP_PREFIX: epcis.OCOP_NAMESPACE}], **written_event}
        assert epcis.schema_errors(document) == [], name
    assert written["processing"]["type"] == "TransformationEvent"
    assert written["sensor"]["sensorElementList"][0]["sensorReport"][0] == {
        "type": "MassConcentration", "value": 245.0, "uom": "GL"}
    assert written["lab"]["disposition"] == "non_conformant"
    place = written["harvest"]["readPoint"]["id"]
    assert place == "urn:vn:ocop:place:xa-ky-lac-nha-thung-phu-khuong"
    with refused(BadRequest, "step-details"):
        form(step="processing")


def test_a_correction_of_wrong_data_gives_the_right_event_in_the_readers_language() -> None:
    """A refusal naming the field, in both languages (it was the library's English)."""
    with pytest.raises(BadRequest) as caught:
        CorrectionIn.model_validate({"reason": "incorrect_data"})
    assert caught.value.code == "correction-without-event"
    assert [e.as_dict() for e in caught.value.errors] == [
        {"field": "corrected", "message": "give the corrected event",
         "message_vi": "cần sự kiện đã sửa"}]
    assert CorrectionIn.model_validate({"reason": "did_not_occur"}).corrected is None


def test_the_journey_leaves_out_what_was_declared_wrong_and_marks_its_correction() -> None:
    wrong = record("r2", event("packing", 5, eventID="urn:uuid:1", quantityList=[
        {"epcClass": "x", "quantity": 1200}]))
    right = record("r3", event("packing", 5, eventID="urn:uuid:2", quantityList=[
        {"epcClass": "x", "quantity": 1150}]))
    declaration = replace(wrong, id="r4", corrects="urn:uuid:1", event=wrong.event | {
        "errorDeclaration": {"declarationTime": "2026-11-06T00:00:00Z",
                             "correctiveEventIDs": ["urn:uuid:2"]}})
    steps = journey([record("r1", event("commissioning", 3)), wrong, right, declaration])
    assert [(s.step, s.quantity, s.corrected) for s in steps] == [
        ("harvest", "", False), ("packing", "1150", True)]


def test_each_record_is_listed_with_what_corrected_it_and_the_form_it_was() -> None:
    made = epcis_event(form(step="processing", quantity=480.5, inputs=[
        {"batch_id": "b0", "quantity": 900, "unit": "KGM"}]), opened().identifier, 500,
        Unit.LITRE, ["https://id.gs1.org/01/08934563138165/10/CA-1"])
    wrong = record("r1", made | {"eventID": "urn:uuid:1"})
    right = record("r2", event("packing", 5, eventID="urn:uuid:2"))
    declaration = replace(wrong, id="r3", corrects="urn:uuid:1", recorded_at="T3",
                          event=wrong.event | {"errorDeclaration": {
                              "reason": "incorrect_data", "correctiveEventIDs": ["urn:uuid:2"]}})
    gone = record("r4", event("shipping", 6, eventID="urn:uuid:4"))
    never = replace(gone, id="r5", corrects="urn:uuid:4", recorded_at="T5",
                    event=gone.event | {"errorDeclaration": {"reason": "did_not_occur"}})
    listed = entries([wrong, right, declaration, gone, never])
    assert [(e.sequence, e.declares, e.corrected_by, e.corrected_at, e.corrects,
             e.correctable) for e in listed] == [
        (1, None, "r2", "T3", None, False), (2, None, None, None, "r1", True),
        (3, "r1", None, None, None, False), (4, None, None, "T5", None, False),
        (5, "r4", None, None, None, False)]
    filled = listed[0].filled
    assert filled is not None and listed[2].filled is None and listed[2].step is None
    assert (filled.quantity, filled.input_lots, filled.place) == (480.5, ["CA-1"],
                                                                 "Nhà thùng Phú Khương")
    assert filled.happened_at == made["eventTime"]
    assert listed[1].step is not None and listed[1].step.corrected
