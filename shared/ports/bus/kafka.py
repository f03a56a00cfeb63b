"""Kafka adapter of the event bus (aiokafka).

- Topics are created on start and again whenever the broker reports them missing (a broker
  that lost its state must not stop the platform), with their declared settings
  (``port.compacted_topic``).
- Publishing waits for the broker's acknowledgement (acks=all) of every message.
- Each consumer group gets what a partition has fetched as one batch and commits its offsets
  only after the handler returned; a crash in between means redelivery, which the inbox
  absorbs. ``watch`` reads every partition from the end without a group (signals).
- A broker outage never fails a caller's state change: publish raises BusUnavailable and
  the outbox relay tries again; consumers reconnect in their own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from urllib.parse import parse_qs, urlsplit

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

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

RECONNECT_MAX_SECONDS = 5.0
CLOSE_SECONDS = 10.0
"""How long a consumer is given to close: a stopping service must not wait on a broker
that no longer answers."""


class KafkaEventBus:
    """``kafka://host:9092[,host2:9092]?partitions=3&replication=1&fetch_max_wait_ms=25``.

    ``fetch_max_wait_ms`` bounds how long the broker may hold a fetch with no data. Kafka
    answers a held fetch as soon as data arrives, so there it only sets how often an idle
    consumer polls; brokers that answer only when the wait runs out (Tansu, measured
    ~250 ms at aiokafka's default of 500) add up to that wait to every event's latency."""

    def __init__(self, url: str, *, client_id: str = "ocop") -> None:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        self.bootstrap = parts.netloc
        self.partitions = int(query.get("partitions", ["3"])[0])
        self.replication = int(query.get("replication", ["1"])[0])
        self.fetch_max_wait_ms = int(query.get("fetch_max_wait_ms", ["25"])[0])
        self.client_id = client_id
        self._topics: set[str] = set()
        self._topics_ready = False
        self._producer: AIOKafkaProducer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._connect_lock = asyncio.Lock()
        self._topics_lock = asyncio.Lock()

    def _declare(self, topics: Iterable[str]) -> None:
        """Topics this client uses: the next connection creates those the broker lacks,
        with their configuration, before any client asks for them (a broker asked about a
        topic it lacks creates it itself, with its defaults: a compacted topic would not
        be)."""
        new = set(topics) - self._topics
        if new:
            self._topics |= new
            self._topics_ready = False

    async def start(self, topics: Iterable[str]) -> None:
        self._declare(topics)
        with contextlib.suppress(BusUnavailable):
            await self._ensure_producer()

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        if self._producer is not None:
            with contextlib.suppress(KafkaError):
                await self._producer.stop()
            self._producer = None

    @contextlib.asynccontextmanager
    async def _admin(self, timeout_ms: int, failure: str) -> AsyncIterator[AIOKafkaAdminClient]:
        """A started admin client, always closed; broker errors become BusUnavailable."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, client_id=self.client_id,
                                    request_timeout_ms=timeout_ms)
        try:
            await admin.start()
            yield admin
        except (KafkaError, OSError) as exc:
            raise BusUnavailable(f"{failure} {self.bootstrap}: {exc}") from exc
        finally:
            with contextlib.suppress(Exception):
                await admin.close()

    async def check(self) -> None:
        async with self._admin(3000, "Kafka is unreachable at") as admin:
            await admin.list_topics()

    async def ensure_topics(self) -> None:
        # One at a time: a group's consumer and a watcher start together, and each would
        # list and create the same topics.
        async with self._topics_lock:
            if self._topics_ready or not self._topics:
                return
            declared = frozenset(self._topics)
            async with self._admin(5000, "cannot create topics on") as admin:
                missing = sorted(declared - set(await admin.list_topics()))
                if missing:
                    with contextlib.suppress(TopicAlreadyExistsError):
                        await admin.create_topics([
                            NewTopic(t, self.partitions, self.replication,
                                     topic_configs=topic_config(t)) for t in missing])
                    log.info("created topics %s", missing)
            # A topic declared meanwhile (a subscription starting while these were created)
            # is created by the next call, which its own client makes before asking for it.
            self._topics_ready = self._topics == declared

    async def _ensure_producer(self) -> AIOKafkaProducer:
        async with self._connect_lock:
            await self.ensure_topics()
            if self._producer is None:
                producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap,
                                            client_id=self.client_id, acks="all",
                                            request_timeout_ms=5000, linger_ms=0)
                try:
                    await producer.start()
                except (KafkaError, OSError) as exc:
                    await _stop_quietly(producer)
                    raise BusUnavailable(
                        f"Kafka at {self.bootstrap} is unreachable: {exc}") from exc
                self._producer = producer
            return self._producer

    async def publish(self, messages: Sequence[Message]) -> None:
        self._declare(m.topic for m in messages)
        producer = await self._ensure_producer()
        try:
            futures = [await producer.send(m.topic, m.value, key=m.key.encode(),
                                           headers=list(m.headers.items())) for m in messages]
            await asyncio.gather(*futures)
        except (KafkaError, OSError) as exc:
            # The broker may have lost its topics or be gone: reconnect from scratch next time.
            self._topics_ready = False
            async with self._connect_lock:
                if self._producer is producer:
                    self._producer = None
                    await _stop_quietly(producer)
            raise BusUnavailable(f"publishing to {self.bootstrap} failed: {exc}") from exc

    async def subscribe(self, group: str, topics: Sequence[str],
                        handler: BatchHandler) -> Subscription:
        self._declare(topics)
        task = asyncio.create_task(self._consume(group, list(topics), handler),
                                   name=f"kafka:{group}")
        self._tasks.append(task)
        return Subscription([task])

    async def _consume(self, group: str, topics: list[str], handler: BatchHandler) -> None:
        await self._reconnecting(f"consumer {group}", lambda: AIOKafkaConsumer(
            *topics, bootstrap_servers=self.bootstrap, group_id=group,
            client_id=f"{self.client_id}-{group}", enable_auto_commit=False,
            auto_offset_reset="earliest", request_timeout_ms=10000,
            session_timeout_ms=10000, heartbeat_interval_ms=1000, metadata_max_age_ms=5000,
            fetch_max_wait_ms=self.fetch_max_wait_ms), lambda c: self._drain(c, handler))

    async def _reconnecting(self, name: str, connect: Callable[[], AIOKafkaConsumer],
                            session: Callable[[AIOKafkaConsumer], Awaitable[None]]) -> None:
        """Run ``session`` on a started consumer; when the broker is lost, connect again
        (backing off up to ``RECONNECT_MAX_SECONDS``)."""
        backoff = 0.2
        while True:
            consumer = connect()
            try:
                await self.ensure_topics()
                await consumer.start()
                backoff = 0.2
                await session(consumer)
            except asyncio.CancelledError:
                raise
            except (KafkaError, OSError, BusUnavailable) as exc:
                log.warning("%s lost the broker (%s); reconnecting in %.1fs", name, exc,
                            backoff)
                self._topics_ready = False
            finally:
                with contextlib.suppress(Exception):  # asyncio.timeout: see OutboxRelay.run
                    async with asyncio.timeout(CLOSE_SECONDS):
                        await consumer.stop()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, RECONNECT_MAX_SECONDS)

    async def watch(self, topics: Sequence[str], handler: MessageHandler,
                    gap: GapHandler) -> None:
        self._declare(topics)
        listening = asyncio.Event()
        # No group: this process reads every partition itself, from the end.
        self._tasks.append(asyncio.create_task(self._reconnecting(
            f"watcher of {','.join(topics)}", lambda: AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False,
                client_id=f"{self.client_id}-watch", request_timeout_ms=10000,
                metadata_max_age_ms=5000, fetch_max_wait_ms=self.fetch_max_wait_ms),
            lambda c: self._hear(c, list(topics), handler, gap, listening)),
            name="kafka:watch"))
        # Messages published once this returns are heard (the broker may be down: then the
        # first connection's gap stands for them).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                await listening.wait()

    async def _hear(self, consumer: AIOKafkaConsumer, topics: list[str],
                    handler: MessageHandler, gap: GapHandler, listening: asyncio.Event
                    ) -> None:
        partitions = [TopicPartition(topic, p) for topic in topics
                      for p in sorted(await self._partitions(consumer, topic))]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for partition in partitions:  # where "now" is, before saying so
            await consumer.position(partition)
        await gap()
        listening.set()
        while True:
            record = await consumer.getone()
            try:
                await handler(_message(record))
            except Exception:
                log.exception("watcher of %s failed on %s@%s; skipped", record.topic,
                              record.partition, record.offset)

    async def _partitions(self, consumer: AIOKafkaConsumer, topic: str) -> set[int]:
        for _ in range(50):
            found = consumer.partitions_for_topic(topic)
            if found:
                return set(found)
            await consumer.topics()  # refreshes the metadata
            await asyncio.sleep(0.1)
        raise BusUnavailable(f"topic {topic} has no partitions on {self.bootstrap}")

    async def _drain(self, consumer: AIOKafkaConsumer, handler: BatchHandler) -> None:
        while True:
            # What has been fetched, at once; with nothing there, waits for the next fetch.
            fetched = await consumer.getmany(timeout_ms=1000, max_records=BATCH_MAX)
            for partition, records in fetched.items():
                await handle_until_done(handler, [_message(record) for record in records])
                # The handler's effect is stored: only now may the group move on.
                await consumer.commit({partition: records[-1].offset + 1})


async def _stop_quietly(producer: AIOKafkaProducer) -> None:
    """Stop a producer being given up on: whatever it fails with, a new one takes over."""
    with contextlib.suppress(Exception):
        await producer.stop()


def _message(record: ConsumerRecord) -> Message:
    return Message(record.topic, (record.key or b"").decode(),
                   {k: bytes(v) for k, v in record.headers}, record.value or b"",
                   record.partition, record.offset)
