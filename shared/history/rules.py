"""What a history entry records of a change. Pure: no I/O."""

from __future__ import annotations

from typing import Any

UNTRACKED = frozenset({"password_hash", "updated_at", "updated_by", "created_at", "created_by"})


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What a change did, field by field ({field: {"from": …, "to": …}}), for the history;
    secrets and bookkeeping fields are left out."""
    return {k: {"from": before.get(k), "to": after.get(k)}
            for k in sorted(set(before) | set(after))
            if k not in UNTRACKED and before.get(k) != after.get(k)}
