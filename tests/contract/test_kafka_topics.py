"""Topics on a real Kafka-protocol broker (Tansu) are created by the platform, with their
declared configuration, before any of its clients asks the broker for them: a broker creates
a topic it is asked about on its own, with its defaults, and a compacted topic created so
would lose its compaction (CI once found the listings topic so)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from confluent_kafka.admin import AdminClient, ConfigResource

from shared.ports.bus import open_bus
from shared.ports.bus.kafka import KafkaEventBus
from shared.ports.bus.port import Message, compacted_topic
from tests.support.demo import wait_until
from tests.support.tansu import TansuBroker

PUBLISHED = "test.published"
SUBSCRIBED = compacted_topic("test.subscribed.compacted")
WATCHED = compacted_topic("test.watched.compacted")
ONLY_PUBLISHED = compacted_topic("test.published.compacted")


def cleanup_policy(bootstrap: str, topic: str) -> str | None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    (described,) = admin.describe_configs([ConfigResource("topic", topic)]).values()
    entry = described.result(timeout=10).get("cleanup.policy")
    return entry.value if entry is not None else None


@pytest.mark.kafka
async def test_topics_first_used_after_the_start_keep_their_configuration(
        kafka_broker: TansuBroker) -> None:
    bus = open_bus(kafka_broker.url)
    await bus.start([PUBLISHED])  # the bus is connected, its first topics created
    heard: list[bytes] = []

    async def handle(messages: Sequence[Message]) -> None:
        heard.extend(m.value for m in messages)

    async def hear(message: Message) -> None:
        heard.append(message.value)

    async def gap() -> None:
        return None

    try:
        await bus.subscribe("readers", [SUBSCRIBED], handle)
        await bus.watch([WATCHED], hear, gap)
        await bus.publish([Message(SUBSCRIBED, "k", {}, b"kept"),
                           Message(WATCHED, "k", {}, b"heard"),
                           Message(ONLY_PUBLISHED, "k", {}, b"sent")])

        async def both_heard() -> bool:
            return sorted(heard) == [b"heard", b"kept"]

        await wait_until(both_heard, within=20)
    finally:
        await bus.stop()
    for topic in (SUBSCRIBED, WATCHED, ONLY_PUBLISHED):
        assert await asyncio.to_thread(cleanup_policy, kafka_broker.bootstrap, topic) \
            == "compact", topic


class DeclaringWhileCreating(KafkaEventBus):
    """The real bus on the real broker, with one moment made certain: another of its parts
    declares a topic while the bus is creating the ones declared before (a consumer
    subscribing while the publisher connects)."""

    @contextlib.asynccontextmanager
    async def _admin(self, timeout_ms: int, failure: str
                     ) -> AsyncIterator[AIOKafkaAdminClient]:
        async with super()._admin(timeout_ms, failure) as admin:
            create = admin.create_topics

            async def creating(*args: object, **kwargs: object) -> object:
                self._declare([SUBSCRIBED])
                return await create(*args, **kwargs)  # type: ignore[arg-type]

            admin.create_topics = creating  # type: ignore[method-assign]
            yield admin


@pytest.mark.kafka
async def test_a_topic_declared_while_others_are_created_is_created_too(
        kafka_broker: TansuBroker) -> None:
    """CI found the listings topic without compaction: a topic declared while the bus was
    creating others was taken as created, and the broker made it with its defaults."""
    bus = DeclaringWhileCreating(kafka_broker.url)
    try:
        await bus.start([PUBLISHED])
        await bus.ensure_topics()  # what a consumer of the new topic does before it starts
    finally:
        await bus.stop()
    assert await asyncio.to_thread(cleanup_policy, kafka_broker.bootstrap, SUBSCRIBED) \
        == "compact"
