"""Composition root of the registry service: the one place its adapters and parts are wired."""

from __future__ import annotations

from shared.bus import EventBus
from shared.config import Settings
from shared.runtime import ServiceRuntime

NAME = "registry"


def build(settings: Settings, *, bus: EventBus | None = None) -> ServiceRuntime:
    return ServiceRuntime(NAME, settings, collections=(), bus=bus)
