"""Every service's OpenAPI document describes every answer it gives: each 2xx answer with a
body names its media types, and each has a schema (binary files as ``format: binary``), so a
sales channel or an office's integrator can generate a client from ``/openapi.json`` alone."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from shared.config import SERVICES, load_settings

_NO_BODY = {"204", "205", "304"}


def _openapi(service: str, data_dir: Path) -> dict[str, Any]:
    wiring = importlib.import_module(f"services.{service}.app")
    built = wiring.build(load_settings(data_dir=data_dir))
    app = built if hasattr(built, "openapi") else built.fastapi_app()
    return app.openapi()


@pytest.mark.parametrize("service", [*SERVICES, "web"])
def test_every_success_answer_has_a_schema(service: str, tmp_path: Path) -> None:
    spec = _openapi(service, tmp_path)
    undescribed = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if not status.startswith("2") or status in _NO_BODY:
                    continue
                content = answer.get("content")
                if not content:
                    undescribed.append(f"{method.upper()} {path} {status}: no media type")
                    continue
                undescribed += [f"{method.upper()} {path} {status} {media}: no schema"
                                for media, body in content.items() if not body.get("schema")]
    assert not undescribed, "\n".join(undescribed)
