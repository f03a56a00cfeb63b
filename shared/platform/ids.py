"""Identifiers that sort by creation time (UUID version 7, RFC 9562).

Time order matters for the outbox: the relay publishes in id order, so ids made in one
process must never go backwards, even within the same millisecond.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last = 0


def new_id() -> str:
    """A UUIDv7 string, strictly increasing within this process."""
    global _last
    with _lock:
        # 48 bits of milliseconds, then 12 bits of sub-millisecond counter ("method 3").
        now = time.time_ns() // 1_000_000 << 12
        _last = now if now > _last else _last + 1
        stamp = _last
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = ((stamp >> 12) << 80) | (0x7 << 76) | ((stamp & 0xFFF) << 64) | (0b10 << 62) | rand
    return str(uuid.UUID(int=value))
