"""Published event versions are frozen: each contract's JSON Schema must equal the one kept
in shared/messaging/contracts/schemas. A change that breaks consumers needs a new version (.v2);
a new contract needs its schema written with `ocop contracts export --out
shared/messaging/contracts/schemas`."""

from __future__ import annotations

import json
from pathlib import Path

import shared.messaging.contracts  # noqa: F401  (registers every contract)
from shared.messaging.events.contracts import json_schema, registered

SCHEMAS = Path(__file__).parents[2] / "shared" / "messaging" / "contracts" / "schemas"


def test_every_published_contract_matches_its_frozen_schema() -> None:
    contracts = {t: c for t, c in registered().items() if not t.startswith(("vn.ocop.test.",
                                                                            "vn.ocop.unittest."))}
    assert len(contracts) >= 8
    for event_type, cls in contracts.items():
        frozen = SCHEMAS / f"{event_type}.json"
        assert frozen.exists(), f"{event_type} has no frozen schema; export it"
        assert json.loads(frozen.read_text()) == json_schema(cls), (
            f"{event_type} changed incompatibly with its frozen schema: publish a new version")


def test_no_frozen_schema_is_orphaned() -> None:
    """A published version is never deleted while consumers may still read it."""
    frozen = {p.stem for p in SCHEMAS.glob("*.json")}
    assert frozen <= set(registered()), frozen - set(registered())
