"""The traceability service's access table: scan pages, labels, batches and their origin
records are public — they are what a shopper's phone opens from the packaging, and what a
sales channel shows. A batch is opened and recorded by its own producer (or the office
acting for it), who alone prints and downloads its label sheets: their serials are what
tells a genuine unit from a copy. Scan counts and counterfeit signals are the producer's
own business and the office's, which alone sees every province's."""

from __future__ import annotations

from shared.identity.access import ANYONE, Party

KEEPERS = frozenset({Party.OFFICE, Party.OWNER})
"""The subject's own producer, or the office acting for it."""

RULES: dict[str, frozenset[Party]] = {
    "scan.read": ANYONE,
    "scan.report": ANYONE,
    "label.read": ANYONE,
    "batch.read": ANYONE,
    "batch.open": KEEPERS,
    "origin.read": ANYONE,
    "origin.record": KEEPERS,
    "origin.capture": KEEPERS,
    "epcis.query.read": ANYONE,
    "epcis.query.define": frozenset({Party.SIGNED_IN}),
    "epcis.query.delete": KEEPERS,
    "sheet.print": KEEPERS,
    "sheet.read": KEEPERS,
    "scans.read": KEEPERS,
    "anomaly.read": KEEPERS,
    "anomaly.summary": frozenset({Party.OFFICE}),
    "repairs.read": frozenset({Party.OFFICE}),
}
