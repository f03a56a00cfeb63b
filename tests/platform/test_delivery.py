"""The delivery guarantees, on both buses: the embedded one and a real Kafka-protocol broker.

(a) a broker outage delays events but loses none, and each is applied exactly once (the
    broker is cut off by a proxy: see tests/support/tcp_proxy.py for why);
(b) duplicates and out-of-order deliveries change nothing;
(c) a handler that always fails ends in the dead-letter store after its retries, without
    blocking the events behind it; once fixed, a replay applies it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from shared.messaging import OUTBOX, Outcome, deadletters
from shared.messaging.events.codec import encode
from shared.messaging.events.envelope import Envelope
from shared.platform.config import Settings
from shared.platform.runtime import ServiceRuntime
from shared.ports.bus import EventBus, open_bus
from shared.ports.store import Transaction
from tests.support.clocks import SYSTEM_CLOCK
from tests.support.demo import (
    APPLICATIONS,
    COUNTERS,
    PROJECTION,
    TOPIC,
    CounterChanged,
    Projector,
    build_consumer,
    build_producer,
    change_counter,
    wait_until,
)
from tests.support.tansu import TansuBroker
from tests.support.tcp_proxy import TcpProxy


@dataclass
class Pair:
    producer: ServiceRuntime
    consumer: ServiceRuntime
    projector: Projector
    bus: EventBus

    async def projected(self, counter_id: str) -> dict | None:
        doc = await self.consumer.store.get(PROJECTION.name, counter_id)
        return doc.data if doc else None

    async def application_counts(self) -> list[int]:
        page = await self.consumer.store.find(APPLICATIONS.name, limit=1000)
        return [d.data["count"] for d in page.items]


@pytest.fixture(params=["local", "kafka"])
def bus_url(request: pytest.FixtureRequest, make_settings: Callable[..., Settings]) -> str:
    if request.param == "local":
        return make_settings().bus_url_resolved()
    if request.param == "kafka-behind-proxy":
        proxy: TcpProxy = request.getfixturevalue("broker_proxy")
        return f"kafka://127.0.0.1:{proxy.port}"
    broker: TansuBroker = request.getfixturevalue("kafka_broker")
    return broker.url


@pytest.fixture
async def pair(bus_url: str, make_settings: Callable[..., Settings]) -> AsyncIterator[Pair]:
    settings = make_settings(bus_url=bus_url)
    bus = open_bus(bus_url)
    projector = Projector()
    producer = build_producer(settings, bus)
    consumer = build_consumer(settings, projector, bus)
    await consumer.start()
    await producer.start()
    yield Pair(producer, consumer, projector, bus)
    await producer.stop()
    await consumer.stop()
    await bus.stop()


async def test_every_change_is_delivered_and_applied_once(pair: Pair) -> None:
    for i in range(20):
        await change_counter(pair.producer, f"c{i % 4}", i)

    async def all_applied() -> bool:
        return len(await pair.application_counts()) == 20

    await wait_until(all_applied)
    assert await pair.application_counts() == [1] * 20
    for c in range(4):
        latest = max(i for i in range(20) if i % 4 == c)
        assert await pair.projected(f"c{c}") == {"value": latest, "sequence": 5}
    assert await pair.producer.store.count(OUTBOX.name) == 0


@pytest.mark.parametrize("bus_url", ["kafka-behind-proxy"], indirect=True)
async def test_broker_outage_delays_but_loses_nothing(pair: Pair, broker_proxy: TcpProxy
                                                      ) -> None:
    await change_counter(pair.producer, "warm-up", 0)

    async def warmed() -> bool:
        return await pair.projected("warm-up") is not None

    await wait_until(warmed)
    await broker_proxy.stop()

    for i in range(200):
        await change_counter(pair.producer, f"k{i % 10}", i)
    # Every change was accepted and stored; its event waits in the outbox.
    assert await pair.producer.store.count(COUNTERS.name) == 11
    assert await pair.producer.store.count(OUTBOX.name) == 200
    assert len(await pair.application_counts()) == 1

    await broker_proxy.start()

    async def drained() -> bool:
        return len(await pair.application_counts()) == 201

    await wait_until(drained, within=90)
    assert await pair.application_counts() == [1] * 201
    for k in range(10):
        assert await pair.projected(f"k{k}") == {"value": 190 + k, "sequence": 20}
    assert await pair.producer.store.count(OUTBOX.name) == 0


def _event(subject: str, sequence: int, value: int) -> Envelope:
    return Envelope(type=CounterChanged.event_type, source="/ocop/demo_producer",
                    aggregate_id=subject, sequence=sequence,
                    data=CounterChanged(counter_id=subject, value=value).model_dump(),
                    time=SYSTEM_CLOCK.now())


async def test_duplicates_and_reordering_change_nothing(pair: Pair) -> None:
    e1, e2, e3 = (_event("dup", s, s * 10) for s in (1, 2, 3))
    late = _event("late", 2, 20)
    early = _event("late", 1, 10)
    sentinel = _event("sentinel", 1, 0)
    # Delivered twice, and older events after newer ones, through the real bus.
    await pair.bus.publish([encode(e, TOPIC) for e in
                            (e1, e2, e3, e2, e1, e3, late, early, late, sentinel)])

    async def sentinel_seen() -> bool:
        return await pair.projected("sentinel") is not None

    await wait_until(sentinel_seen)
    assert await pair.projected("dup") == {"value": 30, "sequence": 3}
    assert await pair.projected("late") == {"value": 20, "sequence": 2}
    counts = {d.id: d.data["count"] for d in
              (await pair.consumer.store.find(APPLICATIONS.name, limit=100)).items}
    assert counts == {e1.id: 1, e2.id: 1, e3.id: 1, late.id: 1, sentinel.id: 1}
    assert early.id not in counts


async def test_failing_handler_ends_in_dead_letters_without_blocking(pair: Pair) -> None:
    pair.projector.failing.add("poison")
    await change_counter(pair.producer, "poison", 1)
    for i in range(5):
        await change_counter(pair.producer, f"ok{i}", i)

    async def others_applied() -> bool:
        return all([await pair.projected(f"ok{i}") is not None for i in range(5)])

    await wait_until(others_applied)

    async def dead_lettered() -> bool:
        letters, _ = await deadletters.list_letters(pair.consumer.store)
        return len(letters) == 1

    await wait_until(dead_lettered)
    [letter], _ = await deadletters.list_letters(pair.consumer.store)
    assert letter.type == CounterChanged.event_type
    assert letter.event is not None and letter.event.aggregate_id == "poison"
    assert letter.attempts == pair.consumer.settings.retry_attempts == 3
    assert "cannot project poison" in letter.error
    assert await pair.projected("poison") is None

    # A replay while the cause persists keeps the letter, with the attempts added up.
    assert await pair.consumer.consumer.replay(letter.id) is Outcome.DEAD_LETTERED
    kept = await deadletters.get_letter(pair.consumer.store, letter.id)
    assert kept is not None and kept.attempts == 6

    pair.projector.failing.clear()
    assert await pair.consumer.consumer.replay(letter.id) is Outcome.APPLIED
    assert await pair.projected("poison") == {"value": 1, "sequence": 1}
    assert await deadletters.get_letter(pair.consumer.store, letter.id) is None


async def test_undecodable_message_is_dead_lettered(pair: Pair) -> None:
    from shared.ports.bus import Message

    await pair.bus.publish([Message(TOPIC, "junk", {"ce_type": b"nonsense"}, b"\xff not json"),
                            encode(_event("after-junk", 1, 1), TOPIC)])

    async def both_handled() -> bool:
        # Different keys may land on different partitions: either may be handled first.
        letters, _ = await deadletters.list_letters(pair.consumer.store)
        return bool(letters) and await pair.projected("after-junk") is not None

    await wait_until(both_handled)
    letters, _ = await deadletters.list_letters(pair.consumer.store)
    assert [(x.type, x.event) for x in letters] == [("undecodable", None)]
    assert letters[0].raw is not None and letters[0].raw["key"] == "junk"


@dataclass
class TransactionsSeen(Projector):
    transactions: list[Transaction] = field(default_factory=list)
    """Each transaction a call was given (kept alive: their ids stay distinct)."""

    async def __call__(self, envelope: Envelope, tx: Transaction) -> None:
        self.transactions.append(tx)
        await super().__call__(envelope, tx)


async def test_a_burst_is_applied_together_and_a_bad_event_in_it_holds_back_nothing(
        bus_url: str, make_settings: Callable[..., Settings]) -> None:
    """A backlog waiting when the consumer starts comes in batches (one transaction for
    many events): a failing event in the middle is dead-lettered alone, every other event
    is applied exactly once, and each counter ends at its newest value."""
    settings = make_settings(bus_url=bus_url)
    bus = open_bus(bus_url)
    await bus.start([TOPIC])
    backlog = [encode(_event(f"c{i % 10}", i // 10 + 1, i), TOPIC) for i in range(200)]
    await bus.publish([*backlog[:100], encode(_event("poison", 1, -1), TOPIC), *backlog[100:]])
    projector = TransactionsSeen(failing={"poison"})
    consumer = build_consumer(settings, projector, bus)
    await consumer.start()
    try:
        async def all_handled() -> bool:
            letters, _ = await deadletters.list_letters(consumer.store)
            return bool(letters) and all([(await consumer.store.get(
                PROJECTION.name, f"c{c}")) is not None and (await consumer.store.get(
                    PROJECTION.name, f"c{c}")).data["sequence"] == 20 for c in range(10)])

        await wait_until(all_handled)
        counts = [doc.data["count"] for doc in
                  (await consumer.store.find(APPLICATIONS.name, limit=1000)).items]
        assert len(counts) == 200 and set(counts) == {1}
        letters, _ = await deadletters.list_letters(consumer.store)
        assert [letter.event.aggregate_id for letter in letters if letter.event] == ["poison"]
        # Together: far fewer transactions than events.
        assert len({id(tx) for tx in projector.transactions}) < 50
    finally:
        await consumer.stop()
        await bus.stop()
