"""The public listings stream on a real Kafka-protocol broker, read the way most channels
read Kafka — with librdkafka (``confluent-kafka``), not the platform's own aiokafka: a new
subscriber that reads the compacted topic from its beginning and keeps each product's last
message has exactly the catalog the public API shows."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource

from shared.messaging.contracts.catalog import LISTINGS_TOPIC
from shared.platform.config import Settings
from tests.support.channels import market, register_channel
from tests.support.platform import User, wait_until
from tests.support.tansu import TansuBroker

WITHDRAWN = "vn.ocop.catalog.listing.withdrawn.v1"


def read_whole_topic(bootstrap: str) -> list[Any]:
    """Every message of the listings topic, partition by partition, up to its end."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "new-channel",
                         "enable.auto.commit": False})
    try:
        partitions = sorted(consumer.list_topics(LISTINGS_TOPIC, timeout=10)
                            .topics[LISTINGS_TOPIC].partitions)
        ends = {p: consumer.get_watermark_offsets(TopicPartition(LISTINGS_TOPIC, p),
                                                  timeout=10)[1] for p in partitions}
        consumer.assign([TopicPartition(LISTINGS_TOPIC, p, OFFSET_BEGINNING)
                         for p in partitions if ends[p] > 0])
        messages, reached = [], {p for p in partitions if ends[p] == 0}
        while len(reached) < len(partitions):
            message = consumer.poll(10)
            assert message is not None, f"the topic ended early: {len(messages)} read"
            assert message.error() is None, message.error()
            messages.append(message)
            if message.offset() + 1 >= ends[message.partition()]:
                reached.add(message.partition())
        return messages
    finally:
        consumer.close()


def rebuilt(messages: list[Any]) -> dict[str, dict[str, Any]]:
    """What a channel keeps: per key, the last message; withdrawn products dropped."""
    last: dict[str, Any] = {}
    for message in messages:
        last[message.key().decode()] = message
    return {key: json.loads(m.value()) for key, m in last.items()
            if dict(m.headers())["ce_type"].decode() != WITHDRAWN}


async def public_catalog(anyone: User) -> dict[str, dict[str, Any]]:
    found, cursor = {}, None
    while True:
        page = await anyone.call("GET", "catalog", "/listings",
                                 params={"limit": 1} | ({"cursor": cursor} if cursor else {}))
        found |= {item["product_id"]: item for item in page["items"]}
        if not (cursor := page["next_cursor"]):
            return found


@pytest.mark.kafka
async def test_a_new_subscriber_rebuilds_the_catalog_from_the_topic_alone(
        make_settings: Callable[..., Settings], kafka_broker: TansuBroker) -> None:
    async with market(make_settings(bus_url=kafka_broker.url)) as shop:
        office, tea, wine = shop.office, shop.products["tea"], shop.products["wine"]
        channel, _ = await register_channel(office)
        await shop.producers["tea"].call(
            "PUT", "catalog", f"/listings/{tea}/offers/{channel['id']}",
            json={"url": "https://postmart.vn/san-pham/che-bup-tan-cuong"})
        await office.call("POST", "rating",
                          f"/certificates/{shop.certificates['wine']}/revocation",
                          json={"reason": "Vi phạm an toàn thực phẩm"})
        anyone = office.anonymous()

        async def wine_withdrawn() -> bool:
            changes = await anyone.call("GET", "catalog", "/listings/changes")
            return any(c["type"] == WITHDRAWN and c["subject"] == wine
                       for c in changes["items"])

        await wait_until(wine_withdrawn)
        log = (await anyone.call("GET", "catalog", "/listings/changes"))["items"]
        expected = await public_catalog(anyone)
        assert set(expected) == {tea}

        async def all_relayed() -> bool:
            return len(await asyncio.to_thread(read_whole_topic, kafka_broker.bootstrap)
                       ) == len(log)

        await wait_until(all_relayed)
        messages = await asyncio.to_thread(read_whole_topic, kafka_broker.bootstrap)

    assert rebuilt(messages) == expected
    assert expected[tea]["offers"][0]["channel_name"] == "Postmart"
    # In order per product, as the change log tells them; self-describing headers.
    assert [(m.key().decode(), dict(m.headers())["ce_id"].decode()) for m in messages
            if m.key().decode() == wine] == [(c["subject"], c["id"]) for c in log
                                             if c["subject"] == wine]
    withdrawal = json.loads(next(m for m in messages
                                 if dict(m.headers())["ce_type"].decode() == WITHDRAWN).value())
    assert withdrawal["reason"]["code"] == "revoked"
    for message in messages:
        headers = dict(message.headers())
        assert headers["ce_subject"] == message.key()
        assert headers["ce_dataschema"].decode().endswith(
            f"/events/schemas/{headers['ce_type'].decode()}.json")
        assert headers["traceparent"] == headers["ce_traceparent"]

    admin = AdminClient({"bootstrap.servers": kafka_broker.bootstrap})
    (described,) = admin.describe_configs([ConfigResource("topic", LISTINGS_TOPIC)]).values()
    assert described.result(timeout=10)["cleanup.policy"].value == "compact"
