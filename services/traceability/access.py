"""The traceability service's access table: scan pages and labels are public — they are
what a shopper's phone opens from the packaging."""

from __future__ import annotations

from shared.access import ANYONE, Party

RULES: dict[str, frozenset[Party]] = {
    "scan.read": ANYONE,
    "label.read": ANYONE,
}
