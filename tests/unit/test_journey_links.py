"""Records kept before links were checked: the journey shows no link but an http(s) one."""

from __future__ import annotations

from services.traceability.origin.journey import journey
from services.traceability.origin.model import OriginRecord


def test_a_kept_record_links_only_to_web_addresses() -> None:
    event = {"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting",
             "eventTime": "2026-07-03T09:00:00+07:00", "eventTimeZoneOffset": "+07:00",
             "certificationInfo": "javascript:alert(1)",
             "ocop:photos": ["data:text/html,x", "https://example.org/a.jpg", 7]}
    record = OriginRecord("r", event, [], "h", "e", "2026-07-03T02:00:00+00:00",
                          "inspecting", None, ["b"], ["p"], "2026-07-03T02:00:00+00:00", "u")
    (step,) = journey([record])
    assert step.report_url == ""
    assert step.photos == ["https://example.org/a.jpg"]
