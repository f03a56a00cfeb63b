"""Event contracts: one pydantic model per event type and version.

A published version is frozen: its JSON Schema is kept in
``shared/messaging/contracts/schemas`` and a test fails when the model drifts from it. A
change that breaks consumers gets a new type name ending in the next ``.vN``;
both versions can be published while consumers move over.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

_TYPE = re.compile(r"^vn\.ocop\.[a-z]+(\.[a-z_]+)+\.v[1-9][0-9]*$")


class EventContract(BaseModel):
    """The ``data`` of an event. Unknown fields are ignored, so adding an optional field
    is a compatible change."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    topic: ClassVar[str]


C = TypeVar("C", bound=type[EventContract])
_REGISTRY: dict[str, type[EventContract]] = {}


def contract(event_type: str, *, topic: str) -> Callable[[C], C]:
    """Register a contract: ``@contract("vn.ocop.rating.product.certified.v1", topic=…)``."""
    if not _TYPE.match(event_type):
        raise ValueError(f"event type {event_type!r} must look like vn.ocop.<service>.<what>.vN")

    def register(cls: C) -> C:
        existing = _REGISTRY.get(event_type)
        if existing is not None and existing is not cls:
            raise ValueError(f"event type {event_type} is already registered by {existing}")
        cls.event_type = event_type
        cls.topic = topic
        _REGISTRY[event_type] = cls
        return cls

    return register


def contract_for(event_type: str) -> type[EventContract] | None:
    return _REGISTRY.get(event_type)


def registered() -> dict[str, type[EventContract]]:
    return dict(sorted(_REGISTRY.items()))


def json_schema(cls: type[EventContract]) -> dict[str, Any]:
    schema = cls.model_json_schema()
    schema["$id"] = f"https://ocop.vn/events/{cls.event_type}.json"
    schema["x-topic"] = cls.topic
    return schema
