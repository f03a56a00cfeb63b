"""A batch of a certified product as the tests write it: its body, what happened to it (a
harvest by the form, processing by EPCIS capture), and the refusal codes they read back."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from shared.platform.clock import VIETNAM

PASSWORD = "batches-pass"
GTIN = "08934563138165"


def code_of(problem: dict[str, Any]) -> str:
    """The refusal's code: the last segment of its problem type."""
    return str(problem["type"]).rsplit("/", 1)[-1]


def at(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), VIETNAM).isoformat()


def batch_body(lot: str, produced_on: date) -> dict[str, Any]:
    return {"lot": lot, "produced_on": produced_on.isoformat(),
            "packed_on": (produced_on + timedelta(days=2)).isoformat(),
            "best_before": (produced_on + timedelta(days=365)).isoformat(),
            "quantity": 120, "unit": "KGM",
            "areas": [{"name": "Đồi chè Khuôn Ngàn", "commune": "Xã Tân Cương",
                       "province": "Thái Nguyên", "latitude": 21.5582, "longitude": 105.7706,
                       "hectares": 4.5,
                       "certificates": [{"kind": "vietgap", "number": "VietGAP-TT-18-07-19-0012",
                                         "issued_by": "Trung tâm Chứng nhận Phù hợp"}]}]}


def harvest(day: date, **extra: Any) -> dict[str, Any]:
    return {"step": "harvest", "happened_at": at(day, 7), "quantity": 150, "unit": "KGM",
            "place": {"name": "Đồi chè Khuôn Ngàn", "commune": "Xã Tân Cương",
                      "latitude": 21.5582, "longitude": 105.7706}} | extra


def processing_document(output: str, day: date) -> dict[str, Any]:
    """Withering and pan-firing the fresh leaves of a supplier not on the platform (an LGTIN
    of another company) into the batch: an EPCIS TransformationEvent."""
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                     {"ocop": "urn:vn:ocop:epcis:"}],
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": at(day, 18),
        "epcisBody": {"eventList": [{
            "type": "TransformationEvent", "eventTime": at(day, 14),
            "eventTimeZoneOffset": "+07:00",
            "inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.011111.LEAF-7",
                                   "quantity": 150, "uom": "KGM"}],
            "outputQuantityList": [{"epcClass": output, "quantity": 120, "uom": "KGM"}],
            "bizStep": "commissioning", "disposition": "active",
            "readPoint": {"id": "urn:vn:ocop:place:xa-tan-cuong-xuong-sao-che"},
            "ocop:placeName": "Xưởng sao chè HTX"}]}}
