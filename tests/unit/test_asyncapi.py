"""The AsyncAPI documents the platform publishes are valid AsyncAPI 3.0 — judged by the
AsyncAPI initiative's own parser (tests/js), not by our reading of the specification."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import shared.messaging.contracts  # noqa: F401  (registers every contract)
from services.catalog.api.events import StreamDocument
from shared.messaging.contracts.catalog import LISTINGS_TOPIC
from shared.messaging.events.asyncapi import asyncapi_document

CHECKER = Path(__file__).parents[1] / "js" / "check_asyncapi.js"


def judged(document: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "Node.js is needed for the AsyncAPI check: run `make test`"
    assert (CHECKER.parent / "node_modules" / "@asyncapi" / "parser").is_dir(), (
        "the AsyncAPI parser is not installed: run `make test` (npm ci in tests/js)")
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(document))
    done = subprocess.run([node, str(CHECKER), str(path)], capture_output=True, text=True,
                          timeout=60, check=True)
    verdict: dict[str, Any] = json.loads(done.stdout)
    return verdict


def test_the_listings_stream_document_is_valid_and_says_how_to_read_it(tmp_path: Path) -> None:
    document = StreamDocument.at("kafka.ocop.example:9092").document
    verdict = judged(document, tmp_path)
    errors = [d for d in verdict["diagnostics"] if d["severity"] == 0]
    assert verdict["parsed"] and not errors, errors
    assert document["servers"]["kafka"] == {
        "host": "kafka.ocop.example:9092", "protocol": "kafka",
        "description": "Ask the OCOP office for access; read with any Kafka client."}
    channel = document["channels"]["ocop_catalog_listings"]
    assert channel["address"] == LISTINGS_TOPIC
    assert channel["bindings"]["kafka"]["topicConfiguration"] == {"cleanup.policy": ["compact"]}
    assert set(channel["messages"]) == {"vn_ocop_catalog_listing_published_v1",
                                        "vn_ocop_catalog_listing_changed_v1",
                                        "vn_ocop_catalog_listing_withdrawn_v1"}
    operation = document["operations"]["send_ocop_catalog_listings"]
    assert operation["action"] == "send" and len(operation["messages"]) == 3
    message = document["components"]["messages"]["vn_ocop_catalog_listing_published_v1"]
    assert message["bindings"]["kafka"]["key"]["type"] == "string"
    assert {"ce_dataschema", "traceparent", "ce_traceparent"} <= set(
        message["headers"]["properties"])
    # The payload's nested types resolve inside the document.
    assert "Named" in document["components"]["schemas"]
    assert "#/components/schemas/ListedCertificate" in json.dumps(message["payload"])


def test_the_whole_platforms_document_is_valid_too(tmp_path: Path) -> None:
    verdict = judged(asyncapi_document(), tmp_path)
    errors = [d for d in verdict["diagnostics"] if d["severity"] == 0]
    assert verdict["parsed"] and not errors, errors
