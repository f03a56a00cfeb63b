"""Envelope <-> bus message, in the CloudEvents Kafka protocol binding, binary mode.

Attributes travel as ``ce_*`` headers (trace context also as ``traceparent``/``tracestate``)
and the data as the JSON value, with the aggregate id as the message key so that one
aggregate's events stay in one partition, in order. The embedded bus stores the very same
messages, so both buses exercise this codec.
"""

from __future__ import annotations

from typing import Any

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary, to_binary
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from shared.messaging.events.envelope import Envelope
from shared.ports.bus.port import Message

_FORMAT = JSONFormat()


class UndecodableMessage(ValueError):
    """A message that is not a CloudEvent of ours; it goes to the dead-letter store."""


def encode(envelope: Envelope, topic: str) -> Message:
    event = CloudEvent(envelope.attributes(), envelope.data)
    msg = to_binary(event, _FORMAT, key_mapper=lambda _: envelope.aggregate_id)
    key = msg.key.decode() if isinstance(msg.key, bytes) else str(msg.key)
    headers = dict(msg.headers)
    # W3C Trace Context's own header names too, which tracing tools read without
    # knowing CloudEvents.
    for name, value in (("traceparent", envelope.traceparent),
                        ("tracestate", envelope.tracestate)):
        if value:
            headers[name] = value.encode()
    return Message(topic=topic, key=key, headers=headers, value=msg.value)


def decode(message: Message) -> Envelope:
    try:
        event = from_binary(KafkaMessage(headers=dict(message.headers), key=message.key,
                                         value=message.value), _FORMAT, CloudEvent)
        attrs: dict[str, Any] = event.get_attributes()
        data = event.get_data()
        if not isinstance(data, dict):
            raise ValueError("data is not a JSON object")
        return Envelope(type=attrs["type"], source=attrs["source"], aggregate_id=attrs["subject"],
                        sequence=int(attrs["sequence"]), data=data, id=attrs["id"],
                        time=attrs["time"], traceparent=attrs.get("traceparent"),
                        tracestate=attrs.get("tracestate"),
                        dataschema=attrs.get("dataschema"))
    except Exception as exc:  # any malformed input is the same problem to the consumer
        raise UndecodableMessage(f"not a valid CloudEvent: {exc}") from exc
