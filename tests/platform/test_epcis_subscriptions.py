"""Subscriptions to a named EPCIS query by webhook, against a real HTTP receiver: the
events the query finds among those recorded after subscribing are POSTed, signed per
Standard Webhooks (verified with the specification's own library) by the platform's
webhook sender, retried through a failure with the same webhook-id, each event sent once
taken, valid against the standard's schema and rehashing to its capture hash; an ended
subscription sends nothing more."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from standardwebhooks.webhooks import Webhook

from services.traceability.origin.epcis import STANDARD_CONTEXT, event_hashes, schema_errors
from shared.platform.config import load_settings
from tests.platform.test_epcis_query import STANDARD, standard_schema
from tests.support.batches import PASSWORD
from tests.support.demo import wait_until
from tests.support.platform import User
from tests.support.platform import office_signed_in as signed_in
from tests.support.receiver import Receiver, receiver


def shipping(event_id: str, epc: str, day: int, step: str = "shipping") -> dict[str, Any]:
    return {"@context": [STANDARD_CONTEXT], "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2024-01-01T00:00:00Z", "epcisBody": {"eventList": [{
                "eventID": event_id, "type": "ObjectEvent", "action": "OBSERVE",
                "eventTime": f"2024-01-{day:02d}T08:00:00+07:00",
                "eventTimeZoneOffset": "+07:00", "epcList": [epc],
                "bizStep": step}]}}


async def capture(office: User, document: dict[str, Any]) -> dict[str, str]:
    answer = await office.call("POST", "traceability", "/epcis/capture", expect=202,
                               json=document)
    return {r["event_id"]: r["hash"] for r in answer["recorded"]}


def delivered(hook: Receiver, secret: str) -> list[dict[str, Any]]:
    return [Webhook(secret).verify(r.body, r.headers) for r in hook.accepted]


async def test_a_subscription_posts_what_its_query_finds_signed_once_taken(
        tmp_path: Any) -> None:
    settings = load_settings(data_dir=tmp_path / "data", retry_attempts=3,
                             retry_backoff_seconds=0.01, relay_poll_seconds=0.2,
                             password_hash_memory_kib=1024, password_hash_time_cost=1,
                             allow_private_webhook_urls=True, webhook_first_retry_seconds=0.05,
                             webhook_timeout_seconds=0.5)
    async with signed_in(settings, PASSWORD) as office, receiver() as hook:
        await office.call("POST", "traceability", "/epcis/queries", expect=201, json={
            "name": "shipped", "query": {"EQ_bizStep": "shipping"}})
        example = json.loads((STANDARD / "examples" / "Example_9.6.1-ObjectEvent.jsonld")
                             .read_text())
        await capture(office, example)  # before subscribing: not sent
        hook.script = ["fail"]
        made = await office.call("POST", "traceability", "/epcis/queries/shipped/subscriptions",
                                 expect=201, json={"url": hook.url})
        secret = made["secret"]
        assert secret.startswith("whsec_") and made["enabled"]
        hashes = await capture(office, shipping("urn:uuid:ship-1", "urn:epc:id:sgtin:1.2.3", 2))
        await capture(office, shipping("urn:uuid:pack-1", "urn:epc:id:sgtin:1.2.4", 2,
                                       "packing"))  # not what the query finds

        await wait_until(lambda: _count(hook, 1), within=30)
        (first,) = delivered(hook, secret)
        assert hook.received[0].answered == "fail"  # tried again, as the same message
        assert hook.received[0].headers["webhook-id"] == hook.accepted[0].headers["webhook-id"]
        assert first["type"] == "EPCISQueryDocument" and schema_errors(first) == []
        assert list(standard_schema().iter_errors(first)) == []
        results = first["epcisBody"]["queryResults"]
        assert (results["queryName"], results["subscriptionID"]) == ("shipped", made["id"])
        (event,) = results["resultsBody"]["eventList"]
        assert event["eventID"] == "urn:uuid:ship-1" and event["recordTime"]
        bare = {k: v for k, v in event.items() if k not in ("@context", "recordTime")}
        assert event_hashes(event["@context"], [bare]) == [hashes["urn:uuid:ship-1"]]

        # Taken: only what is recorded next is sent next.
        await capture(office, shipping("urn:uuid:ship-2", "urn:epc:id:sgtin:1.2.5", 3))
        await wait_until(lambda: _count(hook, 2), within=30)
        second = delivered(hook, secret)[1]
        assert [e["eventID"] for e in second["epcisBody"]["queryResults"]["resultsBody"][
            "eventList"]] == ["urn:uuid:ship-2"]
        async def all_attempts_kept() -> bool:  # the answer is kept just after it came
            (listed,) = await office.call("GET", "traceability",
                                          "/epcis/queries/shipped/subscriptions")
            return len(listed["attempts"]) >= 3

        await wait_until(all_attempts_kept, within=30)
        (listed,) = await office.call("GET", "traceability",
                                      "/epcis/queries/shipped/subscriptions")
        assert listed["enabled"] and "secret" not in listed
        assert [a["status_code"] for a in listed["attempts"]] == [503, 204, 204]

        await office.call("DELETE", "traceability",
                          f"/epcis/queries/shipped/subscriptions/{made['id']}", expect=204)
        await capture(office, shipping("urn:uuid:ship-3", "urn:epc:id:sgtin:1.2.6", 4))
        await asyncio.sleep(3)
        assert len(hook.accepted) == 2

        # Refused: not a web address, a query that is not there, no sign-in.
        await office.call("POST", "traceability", "/epcis/queries/shipped/subscriptions",
                          expect=400, json={"url": "ftp://example.org/hooks"})
        missing = await office.call("POST", "traceability", "/epcis/queries/none/subscriptions",
                                    expect=404, json={"url": hook.url})
        assert missing["type"] == "epcisException:NoSuchNameException"
        await office.anonymous().call("POST", "traceability",
                                      "/epcis/queries/shipped/subscriptions", expect=401,
                                      json={"url": hook.url})


async def _count(hook: Receiver, count: int) -> bool:
    return len(hook.accepted) >= count
