"""``EventBus.watch`` on both buses (the embedded one, and Tansu as a real Kafka-protocol
broker): each watcher hears every message published once it listens, none from before,
and hears a gap when it begins."""

from __future__ import annotations

from shared.ports.bus import open_bus
from shared.ports.bus.port import Message
from tests.support.demo import wait_until

TOPIC = "test.signals"


async def test_every_watcher_hears_what_is_published_while_it_listens(bus_url: str) -> None:
    bus = open_bus(bus_url)
    await bus.start([TOPIC])
    heard: dict[str, list[str]] = {"a": [], "b": []}
    gaps: list[str] = []
    try:
        await bus.publish([Message(TOPIC, "k", {}, b"before")])
        for name in heard:
            async def hear(message: Message, name: str = name) -> None:
                heard[name].append(message.value.decode())

            async def gap(name: str = name) -> None:
                gaps.append(name)

            await bus.watch([TOPIC], hear, gap)
        assert sorted(gaps) == ["a", "b"]
        await bus.publish([Message(TOPIC, "k", {}, b"one"), Message(TOPIC, "j", {}, b"two")])

        async def both_heard() -> bool:
            return all(sorted(values) == ["one", "two"] for values in heard.values())

        await wait_until(both_heard, within=15)
    finally:
        await bus.stop()
