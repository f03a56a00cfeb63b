"""Producers keep batch origin records: a batch of a certified product, what happened to it
(through the producer's forms and the EPCIS 2.0 capture interface), corrections, the hash
chain that shows tampering, the EPCIS query, and the scan page of the batch.

The whole platform on its embedded defaults (real SQLite files, the embedded bus, file
objects), really served over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from services.traceability.origin.epcis import schema_errors
from shared.platform.config import Settings
from tests.support.batches import (
    PASSWORD,
    code_of,
)
from tests.support.platform import cooperative_with_council
from tests.support.platform import office_signed_in as signed_in

EXAMPLES = Path(__file__).parents[1] / "fixtures" / "epcis"


async def test_the_standards_examples_are_captured_unchanged_and_queried_back(
        make_settings: Callable[..., Settings]) -> None:
    async with signed_in(make_settings(), PASSWORD) as office:
        captured: set[str] = set()
        for example in sorted(EXAMPLES.glob("*.jsonld")):
            document = json.loads(example.read_text())
            answer = await office.call("POST", "traceability", "/epcis/capture", expect=202,
                                       json=document)
            sent = document["epcisBody"]["eventList"]
            assert [r["event_id"] for r in answer["recorded"]] == [e["eventID"] for e in sent]
            captured |= {e["eventID"] for e in sent}
        queried = await office.call("GET", "traceability", "/epcis/events")
        assert schema_errors(queried) == []
        events = queried["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        assert len(events) == len(captured) == 5  # one event is in two of them
        sensor = [e for e in events if e.get("bizStep") == "inspecting"]
        assert sensor[0]["sensorElementList"][0]["sensorReport"][0]["type"] == "Temperature"
        declared = [e for e in events if "errorDeclaration" in e]
        assert declared[0]["errorDeclaration"]["reason"] == "incorrect_data"
        # A producer's capture must name one of its own batches.
        document = json.loads((EXAMPLES / "Example_9.6.1-ObjectEvent.jsonld").read_text())
        coop = await cooperative_with_council(office, PASSWORD)
        refused = await coop.producer.call("POST", "traceability", "/epcis/capture",
                                           expect=400, json=document)
        assert code_of(refused) == "no-batch-named"
