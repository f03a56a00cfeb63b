"""Every service's OpenAPI document describes every answer it gives: each 2xx answer with a
body names its media types, and each has a schema (binary files as ``format: binary``), so a
sales channel or an office's integrator can generate a client from ``/openapi.json`` alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.openapi import EVERY_SERVICE, openapi_documents

_NO_BODY = {"204", "205", "304"}


@pytest.mark.parametrize("service", EVERY_SERVICE)
async def test_every_success_answer_has_a_schema(service: str, tmp_path: Path) -> None:
    async with openapi_documents(tmp_path, [service]) as documents:
        spec = documents[service]
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
