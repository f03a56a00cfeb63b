"""The embedded bus prunes what every consumer group has read (issue 34: ``bus.db`` grew
for ever): unread messages stay, and a margin of the latest read ones; a compacted topic
keeps each key's latest message; a topic only watched (signals) counts as read; one no group
reads is kept whole. Read from the file itself, as the rows it holds."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from shared.platform.config import Settings
from shared.ports.bus.local import LocalEventBus
from shared.ports.bus.port import BatchHandler, Message, compacted_topic
from tests.support.demo import wait_until

EVENTS = "test.prune.events"
STATE = compacted_topic("test.prune.state")
UNREAD = "test.prune.nobody"
SIGNALS = "test.prune.signals"


def held(path: Path, topic: str) -> list[str]:
    """The messages the file holds on ``topic``, oldest first."""
    with sqlite3.connect(path) as db:
        return [f"{key}={value.decode()}" if topic == STATE else value.decode()
                for key, value in db.execute(
                    "SELECT key, value FROM messages WHERE topic = ? ORDER BY position",
                    (topic,))]


def committed(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return {f"{group}:{topic}": position for group, topic, position in db.execute(
            "SELECT grp, topic, position FROM offsets")}


def messages(topic: str, *values: str) -> list[Message]:
    return [Message(topic, value.split("=")[0], {}, value.split("=")[-1].encode())
            for value in values]


async def test_what_every_group_has_read_is_pruned_and_the_unread_stays(
        make_settings: Callable[..., Settings]) -> None:
    path = Path(make_settings().bus_url_resolved().removeprefix("local://"))
    bus = LocalEventBus(path)
    await bus.start([EVENTS, STATE, UNREAD, SIGNALS])
    read: dict[str, list[str]] = {"fast": [], "slow": []}
    gate = asyncio.Event()

    def reader(group: str) -> BatchHandler:
        async def handle(batch: Sequence[Message]) -> None:
            if group == "slow" and any(m.value == b"u1" for m in batch):
                await gate.wait()  # the slow group has not read these yet
            read[group] += [m.value.decode() for m in batch]
        return handle

    try:
        for group in read:
            await bus.subscribe(group, [EVENTS, STATE], reader(group))
        await bus.publish(messages(EVENTS, *(f"r{i}" for i in range(6))))
        await bus.publish(messages(STATE, "k1=a", "k2=a", "k1=b", "k3=a", "k1=c"))
        await bus.publish(messages(UNREAD, "x", "y"))
        await bus.publish(messages(SIGNALS, "s0"))
        heard: list[str] = []

        async def hear(message: Message) -> None:
            heard.append(message.value.decode())

        async def gap() -> None:
            pass

        await bus.watch([SIGNALS], hear, gap)
        await bus.publish(messages(SIGNALS, "s1", "s2", "s3"))

        async def both_committed() -> bool:
            return set(committed(path).values()) == {6, 11}

        await wait_until(both_committed, within=15)
        await bus.publish(messages(EVENTS, "u1", "u2"))

        async def fast_read_all() -> bool:
            return committed(path)[f"fast:{EVENTS}"] == 19

        await wait_until(fast_read_all, within=15)
        assert heard == ["s1", "s2", "s3"]
        assert await bus.prune(keep_read=2) == 4 + 2 + 2
        # Read by both: r0..r3 gone, the two latest kept; u1, u2 unread by the slow group.
        assert held(path, EVENTS) == ["r4", "r5", "u1", "u2"]
        assert held(path, STATE) == ["k2=a", "k3=a", "k1=c"]  # each key's latest
        assert held(path, UNREAD) == ["x", "y"]  # no group reads it: who will is not known
        assert held(path, SIGNALS) == ["s2", "s3"]
        assert await bus.prune(keep_read=2) == 0

        gate.set()

        async def slow_read_all() -> bool:
            return committed(path)[f"slow:{EVENTS}"] == 19

        await wait_until(slow_read_all, within=15)
        assert await bus.prune(keep_read=0) == 4 + 2
        assert held(path, EVENTS) == held(path, SIGNALS) == []
        assert held(path, STATE) == ["k2=a", "k3=a", "k1=c"]
        assert await bus.prune_settled() == 0  # the job waits for every consumer to start
    finally:
        await bus.stop()
    assert read["slow"] == ["r0", "r1", "r2", "r3", "r4", "r5", "a", "a", "b", "a", "c",
                            "u1", "u2"]
