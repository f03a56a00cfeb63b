"""The four OCOP services, each ``<name>/app.py`` exposing ``build(settings, *, bus=None,
clock=None, workers=None)`` (a ``ServiceRuntime``), and the web front, the workspaces
(``web/app.py``: ``build`` of the same signature, a ``ServiceRuntime`` serving pages)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from shared.platform.config import SERVICES

if TYPE_CHECKING:
    from shared.platform.config import Settings
    from shared.platform.runtime import ServiceRuntime
    from shared.platform.workers import WorkerFactory
    from shared.ports.bus import EventBus

DEFAULT_PORTS = {"web": 8000, "registry": 8001, "rating": 8002, "traceability": 8003,
                 "catalog": 8004}


def build_service(name: str, settings: Settings, *, bus: EventBus | None = None,
                  workers: WorkerFactory | None = None) -> ServiceRuntime:
    if name not in SERVICES:
        raise ValueError(f"unknown service '{name}'; choose one of {', '.join(SERVICES)}")
    module = importlib.import_module(f"services.{name}.app")
    runtime: ServiceRuntime = module.build(settings, bus=bus, workers=workers)
    return runtime
