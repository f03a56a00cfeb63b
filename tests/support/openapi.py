"""The services' OpenAPI documents, read from each service as its ``app.py`` builds it (not
started), and each stopped afterwards so its worker processes end."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from shared.platform.config import SERVICES, load_settings

EVERY_SERVICE = (*SERVICES, "web")


@contextlib.asynccontextmanager
async def openapi_documents(data_dir: Path, services: Iterable[str] = EVERY_SERVICE
                            ) -> AsyncIterator[dict[str, dict[str, Any]]]:
    """Service name → its OpenAPI document."""
    settings = load_settings(data_dir=data_dir)
    built = {name: importlib.import_module(f"services.{name}.app").build(settings)
             for name in services}
    try:
        yield {name: (runtime if hasattr(runtime, "openapi") else runtime.fastapi_app()
                      ).openapi() for name, runtime in built.items()}
    finally:
        for runtime in built.values():
            if hasattr(runtime, "stop"):  # the web front's app has no workers to stop
                await runtime.stop()
