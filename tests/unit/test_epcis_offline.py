"""The second lock against fetching: should a document with a context URL reach the hash
generator unchecked, its JSON-LD processor refuses to load it, and nothing is fetched."""

from __future__ import annotations

import socket

import pytest

from services.traceability.origin.epcis import STANDARD_CONTEXT, event_hashes


def test_the_json_ld_processor_loads_no_context_it_does_not_hold() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.5)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/context.jsonld"
        event = {"type": "ObjectEvent", "action": "OBSERVE",
                 "eventTime": "2020-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
                 "epcList": [], "readPoint": {"id": "urn:x:1", "@context": url}}
        with pytest.raises(Exception, match="loading remote context failed"):
            event_hashes([STANDARD_CONTEXT], [event])
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody came
    assert event_hashes([STANDARD_CONTEXT], [{k: v for k, v in event.items()
                                              if k != "readPoint"}])[0].startswith("ni:///")
