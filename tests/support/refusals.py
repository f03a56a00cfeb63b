"""Asserting a refusal — raised by a handler (its kind) or answered over HTTP (its status,
as problem+json with both languages) — and its code, the part of it a client acts on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from shared.refusals import AppError


@contextmanager
def refused(kind: type[AppError], code: str) -> Iterator[None]:
    """The block is refused with ``kind`` and exactly this ``code``."""
    with pytest.raises(kind) as caught:
        yield
    assert caught.value.code == code


def problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The body of an HTTP refusal with ``status`` (and ``code``, if given)."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["detail"] and body["detail_vi"], body
    if code:
        assert body["type"].endswith("/" + code), body
    return body
