"""Topics on a real Kafka-protocol broker (Tansu) are created by the platform, with their
declared configuration, before any of its clients asks the broker for them: a broker creates
a topic it is asked about on its own, with its defaults, and a compacted topic created so
would lose its compaction (CI once found the listings topic so)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from confluent_kafka.admin import AdminClient, ConfigResource

from shared.ports.bus import open_bus
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
