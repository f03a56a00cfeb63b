"""An event the hash generator cannot read is refused, not skipped: with a time finer than
a millisecond that rounds up to the next second it drops the event and says nothing."""

from __future__ import annotations

import pytest

from services.traceability.origin.epcis import STANDARD_CONTEXT, event_hashes

EVENT = {"type": "ObjectEvent", "action": "OBSERVE", "eventTimeZoneOffset": "+07:00",
         "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"]}


def test_a_time_at_millisecond_precision_hashes() -> None:
    (one,) = event_hashes([STANDARD_CONTEXT], [EVENT | {
        "eventTime": "2031-06-16T09:00:00.999+00:00"}])
    assert one.startswith("ni:///sha-256;")


def test_a_time_the_generator_cannot_read_is_an_error_not_a_missing_hash() -> None:
    with pytest.raises(ValueError, match="cannot be read"):
        event_hashes([STANDARD_CONTEXT], [EVENT | {
            "eventTime": "2031-06-16T09:00:00.999986+00:00"}])
