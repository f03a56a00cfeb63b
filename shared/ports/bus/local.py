"""The embedded event bus: a durable log in one SQLite file, for one process.

It keeps Kafka's semantics so the embedded platform behaves like the distributed one:
topics are append-only logs, each consumer group has its own committed position per topic,
and a position moves only after the group's handler has returned. Because the log is a
file, events published but not yet handled survive a restart of the platform. What every
group has read is pruned (``prune``, a job of each service on this bus), as a broker's
retention would: a compacted topic keeps each key's latest message, as Kafka's compaction.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

import aiosqlite

from shared.platform.keyfiles import private_file
from shared.ports.bus.port import (
    BATCH_MAX,
    BatchHandler,
    BusUnavailable,
    GapHandler,
    Message,
    MessageHandler,
    Subscription,
    cancel_all,
    handle_until_done,
    topic_config,
)

log = logging.getLogger(__name__)

REDELIVERY_PAUSE_SECONDS = 1.0
PUBLISH_MAX = 1000
"""Messages appended by one statement (4 parameters each, well within SQLite's 32,766)."""
PRUNE_SECONDS = 600
"""How often the messages every group has read are pruned (``prune``)."""
KEEP_READ = 1000
"""Messages every group has read kept on each topic all the same: the latest, a margin for
looking back at what was just delivered."""
PRUNE_MAX = 10_000
EVERY_POSITION = 2**63 - 1
"""Messages deleted by one statement: the bus is not held longer than that takes."""


class LocalEventBus:
    """``local:///abs/path/bus.db``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._listeners: dict[str, set[asyncio.Event]] = {}
        """Per topic, an event for each reader of it, set when messages are appended."""
        self._tasks: list[asyncio.Task[None]] = []
        self._topics: set[str] = set()
        self._watched: set[str] = set()
        """Topics watched in this process: signals, which no one reads back."""
        self._opened_at = 0.0

    async def start(self, topics: Iterable[str]) -> None:
        if self._db is None:
            private_file(self.path)
            self._db = await aiosqlite.connect(self.path, isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000"):
                await self._db.execute(f"PRAGMA {pragma}")
            await self._db.execute(
                "CREATE TABLE IF NOT EXISTS messages (position INTEGER PRIMARY KEY AUTOINCREMENT,"
                " topic TEXT NOT NULL, key TEXT NOT NULL, headers TEXT NOT NULL,"
                " value BLOB NOT NULL)")
            await self._db.execute(
                "CREATE INDEX IF NOT EXISTS messages_topic ON messages (topic, position)")
            await self._db.execute(
                "CREATE TABLE IF NOT EXISTS offsets (grp TEXT NOT NULL, topic TEXT NOT NULL,"
                " position INTEGER NOT NULL, PRIMARY KEY (grp, topic))")
            self._opened_at = time.monotonic()
        self._topics.update(topics)

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def check(self) -> None:
        if self._db is None:
            raise BusUnavailable("the embedded bus is not started")

    def _conn(self) -> aiosqlite.Connection:
        if self._db is None:
            raise BusUnavailable("the embedded bus is not started")
        return self._db

    async def publish(self, messages: Sequence[Message]) -> None:
        db = self._conn()
        unknown = {m.topic for m in messages} - self._topics
        if unknown:
            raise BusUnavailable(f"unknown topics {sorted(unknown)}; declare them at start")
        # One statement per PUBLISH_MAX messages (a relay's batch is fewer: one), so one trip
        # to the connection's thread and a transaction of its own, all appended or none.
        # Should a later statement fail, the earlier messages are published again with the
        # rest: consumers' inboxes absorb the repeats.
        for start in range(0, len(messages), PUBLISH_MAX):
            part = messages[start:start + PUBLISH_MAX]
            await db.execute(
                "INSERT INTO messages (topic, key, headers, value) VALUES "
                + ", ".join(["(?, ?, ?, ?)"] * len(part)),
                [value for m in part for value in (
                    m.topic, m.key, json.dumps({k: v.decode() for k, v in m.headers.items()}),
                    m.value)])
        for topic in {m.topic for m in messages}:
            for appended in self._listeners.get(topic, ()):
                appended.set()

    async def subscribe(self, group: str, topics: Sequence[str],
                        handler: BatchHandler) -> Subscription:
        db = self._conn()
        # A group is known from its subscription: nothing it has not read is pruned, even
        # before its first commit.
        await db.executemany(
            "INSERT INTO offsets (grp, topic, position) VALUES (?, ?, 0) "
            "ON CONFLICT (grp, topic) DO NOTHING", [(group, topic) for topic in topics])
        tasks = [asyncio.create_task(self._consume(group, topic, handler),
                                     name=f"local-bus:{group}:{topic}") for topic in topics]
        self._tasks.extend(tasks)
        return Subscription(tasks)

    async def watch(self, topics: Sequence[str], handler: MessageHandler,
                    gap: GapHandler) -> None:
        self._watched.update(topics)
        for topic in topics:
            async with self._conn().execute(
                    "SELECT coalesce(max(position), 0) FROM messages WHERE topic = ?",
                    (topic,)) as cur:
                row = await cur.fetchone()
            self._tasks.append(asyncio.create_task(
                self._watch(topic, int(row[0]) if row else 0, handler),
                name=f"local-bus:watch:{topic}"))
        await gap()  # in-process: no gap after this

    async def _watch(self, topic: str, position: int, handler: MessageHandler) -> None:
        async for batch in self._batches(topic, position):
            for message in batch:
                try:
                    await handler(message)
                except Exception:
                    log.exception("watcher of %s failed on message %s; skipped", topic,
                                  message.offset)

    async def _position(self, group: str, topic: str) -> int:
        async with self._conn().execute(
                "SELECT position FROM offsets WHERE grp = ? AND topic = ?", (group, topic)) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def _commit(self, group: str, topic: str, position: int) -> None:
        await self._conn().execute(
            "INSERT INTO offsets (grp, topic, position) VALUES (?, ?, ?) "
            "ON CONFLICT (grp, topic) DO UPDATE SET position = excluded.position",
            (group, topic, position))

    async def _consume(self, group: str, topic: str, handler: BatchHandler) -> None:
        async for batch in self._batches(topic, await self._position(group, topic)):
            await handle_until_done(handler, batch, pause_seconds=REDELIVERY_PAUSE_SECONDS)
            await self._commit(group, topic, batch[-1].offset)

    async def _batches(self, topic: str, after: int) -> AsyncIterator[list[Message]]:
        """The messages appended after position ``after``, as they come, in batches. Only
        a publication on ``topic`` wakes this reader (each has its own event, cleared
        before it reads: a publication after that is seen by the read or wakes the wait)."""
        appended = asyncio.Event()
        self._listeners.setdefault(topic, set()).add(appended)
        try:
            while True:
                appended.clear()
                rows = await self._fetch(topic, after)
                if not rows:
                    await appended.wait()
                    continue
                yield [Message(topic, key, {k: v.encode()
                                            for k, v in json.loads(headers).items()},
                               bytes(value), 0, pos) for pos, key, headers, value in rows]
                after = rows[-1][0]
        finally:
            self._listeners[topic].discard(appended)

    async def prune_settled(self) -> int:
        """``prune``, once the bus has been open for ``PRUNE_SECONDS``: every consumer of
        the process has subscribed by then (the job, which also runs as a service starts,
        while others sharing the bus may still be starting)."""
        if time.monotonic() - self._opened_at < PRUNE_SECONDS:
            return 0
        return await self.prune()

    async def prune(self, keep_read: int = KEEP_READ) -> int:
        """Delete the messages of each topic that every consumer group subscribed to it has
        read, but the ``keep_read`` latest of them; of a compacted topic, each key's latest
        message stays too (a new subscriber rebuilds the topic's state from them). A topic
        only watched (signals: a watcher hears what comes once it listens) counts as read
        whole; one neither subscribed to nor watched is kept whole: who will read it is not
        known. How many were deleted. SQLite reuses the pages freed: the file stops
        growing, it does not shrink."""
        db = self._conn()
        deleted = 0
        read_by_all = {topic: int(read) for topic, read in await db.execute_fetchall(
            "SELECT topic, min(position) FROM offsets GROUP BY topic")}
        for topic in self._watched - read_by_all.keys():
            read_by_all[topic] = EVERY_POSITION
        for topic, read in read_by_all.items():
            rows = list(await db.execute_fetchall(
                "SELECT position FROM messages WHERE topic = ? AND position <= ?"
                " ORDER BY position DESC LIMIT 1 OFFSET ?", (topic, read, keep_read)))
            if not rows:
                continue
            upto = int(rows[0][0])
            latest = ("AND position NOT IN (SELECT max(position) FROM messages"
                      " WHERE topic = :topic GROUP BY key)"
                      if topic_config(topic).get("cleanup.policy") == "compact" else "")
            while True:
                cursor = await db.execute(
                    "DELETE FROM messages WHERE position IN (SELECT position FROM messages"
                    f" WHERE topic = :topic AND position <= :upto {latest}"
                    " ORDER BY position LIMIT :most)",
                    {"topic": topic, "upto": upto, "most": PRUNE_MAX})
                deleted += cursor.rowcount
                if cursor.rowcount < PRUNE_MAX:
                    break
        if deleted:
            log.info("embedded bus: %d messages every group had read pruned", deleted)
        return deleted

    async def _fetch(self, topic: str, after: int) -> list[tuple[int, str, str, bytes]]:
        rows = await self._conn().execute_fetchall(
            "SELECT position, key, headers, value FROM messages"
            " WHERE topic = ? AND position > ? ORDER BY position LIMIT ?",
            (topic, after, BATCH_MAX))
        return [tuple(r) for r in rows]
