"""The envelope, its CloudEvents Kafka binary encoding, and contract registration."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from shared.messaging.events.asyncapi import asyncapi_document
from shared.messaging.events.codec import UndecodableMessage, decode, encode
from shared.messaging.events.contracts import EventContract, contract, json_schema
from shared.messaging.events.envelope import Envelope
from shared.platform.ids import new_id
from shared.ports.bus import Message

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def make_envelope() -> Envelope:
    return Envelope(type="vn.ocop.rating.product.certified.v1", source="/ocop/rating",
                    aggregate_id="p-1", sequence=12,
                    data={"name": "Sầu riêng Khánh Sơn", "stars": 4},
                    time=datetime(2025, 7, 6, 8, 30, tzinfo=UTC), traceparent=TRACEPARENT)


def test_encoding_is_cloudevents_binary_mode_keyed_by_aggregate() -> None:
    msg = encode(make_envelope(), "ocop.rating.products")
    assert msg.key == "p-1" and msg.topic == "ocop.rating.products"
    assert msg.headers["ce_specversion"] == b"1.0"
    assert msg.headers["ce_type"] == b"vn.ocop.rating.product.certified.v1"
    assert msg.headers["ce_sequence"] == b"12"
    assert msg.headers["ce_traceparent"] == TRACEPARENT.encode()
    assert msg.headers["content-type"] == b"application/json"
    assert json.loads(msg.value) == {"name": "Sầu riêng Khánh Sơn", "stars": 4}


def test_decode_restores_the_envelope_exactly() -> None:
    original = make_envelope()
    assert decode(encode(original, "t")) == original


def test_structured_json_round_trip() -> None:
    original = make_envelope()
    assert Envelope.from_json(original.to_json()) == original


@pytest.mark.parametrize("message", [
    Message("t", "k", {"ce_type": b"x"}, b"{}"),
    Message("t", "k", {"ce_specversion": b"1.0", "ce_id": b"1", "ce_source": b"/s",
                       "ce_type": b"x", "ce_subject": b"a", "ce_sequence": b"one",
                       "content-type": b"application/json"}, b"{}"),
    Message("t", "k", {"ce_specversion": b"1.0", "ce_id": b"1", "ce_source": b"/s",
                       "ce_type": b"x", "ce_subject": b"a", "ce_sequence": b"1",
                       "content-type": b"application/json"}, b"[1, 2]"),
])
def test_malformed_messages_are_refused(message: Message) -> None:
    with pytest.raises(UndecodableMessage):
        decode(message)


def test_contract_types_must_be_versioned() -> None:
    with pytest.raises(ValueError, match=r"\.vN"):
        contract("vn.ocop.rating.product.certified", topic="t")


def test_contracts_export_schema_and_asyncapi() -> None:
    @contract("vn.ocop.unittest.thing.happened.v1", topic="ocop.unittest.things")
    class ThingHappened(EventContract):
        thing_id: str
        count: int = 0

    schema = json_schema(ThingHappened)
    assert schema["required"] == ["thing_id"]
    assert schema["x-topic"] == "ocop.unittest.things"
    doc = asyncapi_document()
    assert doc["asyncapi"] == "3.0.0"
    channel = doc["channels"]["ocop_unittest_things"]
    assert channel["address"] == "ocop.unittest.things"
    assert "vn_ocop_unittest_thing_happened_v1" in doc["components"]["messages"]


def test_ids_increase_strictly_even_within_one_millisecond() -> None:
    ids = [new_id() for _ in range(10_000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(i[14] == "7" for i in ids[:10])  # UUID version 7
