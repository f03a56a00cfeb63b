"""The EPCIS query's indexes as the traceability service keeps them: written with each
record in its capture's transaction, and written at start for records captured before the
indexes existed; a record's recordTime is the service's clock's, not the sender's. Named
queries: a producer's is its subject's."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from services.traceability.named_queries.commands import NamedQueries
from services.traceability.origin.commands import Origin
from services.traceability.origin.queries import Histories
from services.traceability.origin.query import NoSuchName, read_query
from services.traceability.store import EPCIS_EVENTS, EPCIS_TERMS
from shared.identity.auth import Caller, Role
from shared.ports.store import find_all
from tests.support.clocks import FixedClock
from tests.support.refusals import refused
from tests.support.service_stories import OFFICE
from tests.support.service_tier import Running

EXAMPLE = Path(__file__).parents[1] / "fixtures" / "epcis" / "Example_9.6.1-ObjectEvent.jsonld"
JOB = "index earlier origin records for the EPCIS query"


async def test_earlier_records_are_indexed_at_start(traceability: Running,
                                                    clock: FixedClock) -> None:
    clock.instant = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    recorded = await traceability.part(Origin).capture(
        OFFICE, json.loads(EXAMPLE.read_text()))
    histories = traceability.part(Histories)
    query = read_query([("MATCH_epc", "urn:epc:idpat:sgtin:0614141.107346.*"),
                        ("GE_recordTime", "2027-01-01T00:30:00+07:00")])
    answer, _ = await histories.select(query)
    events = answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["eventID"] for e in events] == [r.event_id for r in recorded]
    assert {e["recordTime"] for e in events} == {"2026-12-31T17:30:00+00:00"}

    # As if captured before the indexes: none of them.
    async with traceability.store.transaction() as tx:
        for name in (EPCIS_EVENTS.name, EPCIS_TERMS.name):
            async for doc in find_all(tx, name):
                await tx.delete(name, doc.id)
    answer, _ = await histories.select(query)
    assert answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == []
    assert await traceability.run_job(JOB) == 2
    assert await traceability.run_job(JOB) == 0  # two counts, nothing more
    answer, _ = await histories.select(query)
    assert len(answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 2


async def test_a_producers_named_query_is_its_subjects(traceability: Running) -> None:
    """Whose a query is (what the access table's ``epcis.query.delete`` asks of the path's
    query): a producer's is its subject's, anyone else's nobody's but the office's."""
    queries = traceability.part(NamedQueries)
    producer = Caller("p1", "producer-one", Role.PRODUCER, subject_id="s1")
    mine = await queries.define(producer, "mine", {"EQ_bizStep": "shipping"})
    office = await queries.define(OFFICE, "kept", {"eventType": ["ObjectEvent",
                                                                  "TransactionEvent"]})
    assert (mine.subject_id, office.subject_id) == ("s1", None)
    assert (await queries.get("kept")).query == {"eventType": ["ObjectEvent",
                                                               "TransactionEvent"]}
    await queries.delete("mine")
    with refused(NoSuchName, "epcis-no-such-name"):
        await queries.delete("mine")
    with refused(NoSuchName, "epcis-no-such-name"):
        await queries.get("mine")
    assert [q.id for q in (await queries.listed(10, None))[0]] == ["kept"]
