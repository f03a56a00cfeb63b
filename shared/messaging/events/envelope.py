"""The event envelope: CloudEvents 1.0 attributes plus two extensions.

- ``sequence``: the aggregate's version after the change (an integer). Consumers ignore an
  event whose sequence is not newer than the one they hold, which makes redelivery,
  replays and reordering harmless. Events carry the aggregate's state needed by consumers
  (event-carried state transfer), so skipping an older event never loses information.
- ``traceparent``/``tracestate``: W3C trace context, so one trace runs from the HTTP
  request that caused a change to every consumer's work.

``dataschema`` (CloudEvents' own optional attribute) is set on events read by outsiders:
the URL of the published JSON Schema of their ``data``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from shared.platform.ids import new_id

SPEC_VERSION = "1.0"


@dataclass(frozen=True)
class Envelope:
    type: str
    source: str
    aggregate_id: str
    """The changed aggregate's id: CloudEvents' ``subject`` on the wire, the message key."""
    sequence: int
    data: dict[str, Any]
    time: datetime
    """When the change happened (the emitting service's clock)."""
    id: str = field(default_factory=new_id)
    traceparent: str | None = None
    tracestate: str | None = None
    dataschema: str | None = None

    @property
    def aggregate_key(self) -> str:
        """Identifies the aggregate across services: its source and its id."""
        return f"{self.source}|{self.aggregate_id}"

    def with_trace(self, traceparent: str | None, tracestate: str | None) -> Envelope:
        return replace(self, traceparent=traceparent, tracestate=tracestate)

    def attributes(self) -> dict[str, Any]:
        """CloudEvents context attributes, extensions included, without data."""
        attrs: dict[str, Any] = {
            "specversion": SPEC_VERSION, "id": self.id, "source": self.source,
            "type": self.type, "subject": self.aggregate_id, "time": self.time,
            "datacontenttype": "application/json", "sequence": self.sequence,
        }
        if self.traceparent:
            attrs["traceparent"] = self.traceparent
        if self.tracestate:
            attrs["tracestate"] = self.tracestate
        if self.dataschema:
            attrs["dataschema"] = self.dataschema
        return attrs

    def to_json(self) -> dict[str, Any]:
        """The CloudEvents JSON (structured) form, for the outbox and dead letters."""
        out = self.attributes() | {"data": self.data}
        out["time"] = self.time.isoformat()
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Envelope:
        return cls(type=raw["type"], source=raw["source"], aggregate_id=raw["subject"],
                   sequence=int(raw["sequence"]), data=raw.get("data") or {}, id=raw["id"],
                   time=datetime.fromisoformat(raw["time"]),
                   traceparent=raw.get("traceparent"), tracestate=raw.get("tracestate"),
                   dataschema=raw.get("dataschema"))
