"""Asserting a refusal: its kind and its code, the part of it a client acts on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from shared.refusals import AppError


@contextmanager
def refused(kind: type[AppError], code: str) -> Iterator[None]:
    """The block is refused with ``kind`` and exactly this ``code``."""
    with pytest.raises(kind) as caught:
        yield
    assert caught.value.code == code
