"""Opaque cursors for keyset pagination, shared by every store adapter.

A cursor holds the sort value and id of the last item of a page; the next page starts
strictly after that pair, so pages never skip or repeat items while others write.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

from shared.ports.store.port import Document, InvalidQuery
from shared.refusals import N_


def field_value(doc: Document, path: str) -> Any:
    """The value at a dotted ``path`` of the document (``"id"`` is the document id)."""
    if path == "id":
        return doc.id
    value: Any = doc.data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def encode_cursor(doc: Document, order_field: str) -> str:
    raw = json.dumps([field_value(doc, order_field), doc.id], ensure_ascii=False,
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


_INT64 = 2**63


def _is_sort_value(value: Any) -> bool:
    """What a page can be sorted by: a scalar both stores can compare (a forged cursor may
    hold a list, an object or an integer beyond 64 bits)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        return -_INT64 <= value < _INT64
    return isinstance(value, float) and math.isfinite(value)


def decode_cursor(cursor: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, doc_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(doc_id, str) or not _is_sort_value(value):
            raise ValueError(doc_id)
        return value, doc_id
    except (ValueError, TypeError) as exc:
        raise InvalidQuery(N_("The page cursor is not valid; start again from the first "
                              "page.")) from exc
