"""The AsyncAPI 3.0 document of the platform's events, or of the few topics outsiders read.

One channel per topic with its Kafka binding (a compacted topic says so), one message per
event type with its payload's JSON Schema, its key and its headers (CloudEvents' Kafka
binding, binary mode, plus W3C trace context), and one ``send`` operation per channel: the
platform publishes, its readers subscribe.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from shared.messaging.events.contracts import json_schema, registered
from shared.ports.bus.port import topic_config

KAFKA_BINDING = "0.5.0"
HEADERS = {
    "type": "object",
    "description": "CloudEvents Kafka protocol binding, binary mode: the event's attributes "
                   "as ce_* headers; W3C trace context also under its own header names.",
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "Unique per event: deduplicate on it."},
        "ce_source": {"type": "string"},
        "ce_type": {"type": "string", "description": "The event type (this message's name)."},
        "ce_subject": {"type": "string", "description": "The aggregate's id; also the key."},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_sequence": {"type": "string", "description": (
            "The aggregate's version after the change: ignore an event whose sequence is not "
            "newer than the one you hold.")},
        "ce_dataschema": {"type": "string", "format": "uri",
                          "description": "The URL of the data's JSON Schema."},
        "ce_traceparent": {"type": "string"},
        "traceparent": {"type": "string", "description": "W3C Trace Context."},
        "tracestate": {"type": "string"},
        "content-type": {"type": "string", "const": "application/json"},
    },
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_subject", "ce_time"],
}


def _lifted(schema: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$defs`` moved to the document's component schemas (a ``$ref``
    inside an AsyncAPI document is read from the document's root)."""
    text = json.dumps(schema).replace('"#/$defs/', '"#/components/schemas/')
    lifted: dict[str, Any] = json.loads(text)
    shared.update(lifted.pop("$defs", {}))
    return lifted


def asyncapi_document(title: str = "OCOP platform events", *,
                      topics: Collection[str] | None = None,
                      servers: dict[str, dict[str, Any]] | None = None,
                      description: str = "") -> dict[str, Any]:
    """The document for ``topics`` (all by default), reachable at ``servers``."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for event_type, cls in registered().items():
        if topics is not None and cls.topic not in topics:
            continue
        name = event_type.replace(".", "_")
        payload = _lifted(json_schema(cls), schemas)
        messages[name] = {
            "name": event_type, "title": cls.__name__, "summary": (cls.__doc__ or "").strip(),
            "contentType": "application/json", "headers": HEADERS, "payload": payload,
            "bindings": {"kafka": {"key": {"type": "string", "description": (
                "The id of the aggregate the event is about (its CloudEvents subject): "
                "one aggregate's events share a partition, in order.")},
                "bindingVersion": KAFKA_BINDING}},
        }
        channel_id = cls.topic.replace(".", "_")
        if channel_id not in channels:
            binding: dict[str, Any] = {"topic": cls.topic, "bindingVersion": KAFKA_BINDING}
            if (policy := topic_config(cls.topic).get("cleanup.policy")) is not None:
                binding["topicConfiguration"] = {"cleanup.policy": [policy]}
            channels[channel_id] = {"address": cls.topic, "messages": {},
                                    "bindings": {"kafka": binding}}
            operations[f"send_{channel_id}"] = {
                "action": "send", "channel": {"$ref": f"#/channels/{channel_id}"},
                "messages": []}
        channels[channel_id]["messages"][name] = {"$ref": f"#/components/messages/{name}"}
        operations[f"send_{channel_id}"]["messages"].append(
            {"$ref": f"#/channels/{channel_id}/messages/{name}"})
    document: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": "1", "description": description},
        "defaultContentType": "application/json", "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas}}
    if servers:
        document["servers"] = servers
    return document
