"""Event bus port and the factory that picks its adapter from a URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from shared.ports.bus.port import BusUnavailable, EventBus, Message, MessageHandler, Subscription

__all__ = ["BusUnavailable", "EventBus", "Message", "MessageHandler", "Subscription",
           "open_bus"]


def open_bus(url: str, *, client_id: str = "ocop") -> EventBus:
    """``local:///abs/path/bus.db`` (embedded) or ``kafka://host:9092``."""
    parts = urlsplit(url)
    if parts.scheme == "local":
        from shared.ports.bus.local import LocalEventBus

        if not parts.path or parts.path == "/":
            raise ValueError("a local bus URL needs a file path: local:///data/bus.db")
        return LocalEventBus(Path(parts.path))
    if parts.scheme == "kafka":
        from shared.ports.bus.kafka import KafkaEventBus

        if not parts.netloc:
            raise ValueError("a kafka bus URL needs a broker address: kafka://host:9092")
        return KafkaEventBus(url, client_id=client_id)
    raise ValueError(f"unsupported bus URL scheme '{parts.scheme}'")
