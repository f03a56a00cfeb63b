"""Real servers for the tests: Kafka-protocol brokers (Tansu) and one S3 server (SeaweedFS),
started on free loopback ports and stopped afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shared.config import Settings, load_settings
from tests.support.tansu import TansuBroker

pytest_plugins = ["tests.support.s3_fixture"]


@pytest.fixture
def kafka_broker() -> Iterator[TansuBroker]:
    """A broker of the test's own (Tansu starts in milliseconds), so no test sees another's
    topics, offsets or consumer groups."""
    broker = TansuBroker()
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings on a fresh data directory; keyword arguments override fields."""

    def make(**overrides: object) -> Settings:
        base: dict[str, object] = {"data_dir": tmp_path / "data", "retry_attempts": 3,
                                   "retry_backoff_seconds": 0.01, "relay_poll_seconds": 0.2}
        return load_settings(**(base | overrides))

    return make
