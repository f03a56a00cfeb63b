"""Real servers for the tests: Kafka-protocol brokers (Tansu), one S3 server (SeaweedFS) and
one PostgreSQL (``tests/support/postgres.py``, started when a test first asks for it), on
free loopback ports and stopped afterwards."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from shared.platform.config import Settings, load_settings
from tests.support.kept_workers import KEPT
from tests.support.ports import free_port
from tests.support.tansu import TansuBroker
from tests.support.tcp_proxy import TcpProxy

pytest_plugins = ["tests.support.s3_fixture", "tests.support.time_travel",
                  "tests.support.postgres"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "long: one of the suite's longest tests (minutes on a "
                            "loaded machine): started first, one per test worker")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests start first, each at the head of another worker's first share.

    pytest-xdist hands each worker a run of consecutive tests to begin with (a quarter of
    its share), then the next ones as workers finish. In collection order the four fuzzing
    runs started late and ran alone at the end of the platform tier with a core idle for
    minutes; all at the front, they would go to one worker. So each worker's first run
    begins with one of them, and the rest come next."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    longest = [item for item in items if item.get_closest_marker("long")]
    if workers < 2 or not longest:
        return
    others = iter([item for item in items if not item.get_closest_marker("long")])
    first_run = max(len(items) // workers // 4, 2)
    ordered: list[pytest.Item] = []
    for head in longest[:workers]:
        ordered += [head, *itertools.islice(others, first_run - 1)]
    items[:] = [*ordered, *longest[workers:], *others]


def pytest_sessionfinish() -> None:
    KEPT.close_all()  # the platforms' worker processes, kept from test to test


@pytest.fixture
def kafka_broker() -> Iterator[TansuBroker]:
    """A broker of the test's own (Tansu starts in milliseconds), so no test sees another's
    topics, offsets or consumer groups."""
    broker = TansuBroker()
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
async def broker_proxy() -> AsyncIterator[TcpProxy]:
    """A broker reachable only through a proxy the test can cut (``proxy.stop()``) and
    restore (``proxy.start()``); the broker's log survives the outage."""
    broker = TansuBroker(advertised_port=(proxy_port := free_port()))
    broker.start()
    proxy = TcpProxy(broker.port, proxy_port)
    await proxy.start()
    yield proxy
    await proxy.stop()
    broker.stop()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings on a fresh data directory; keyword arguments override fields."""

    def make(**overrides: object) -> Settings:
        # Passwords hashed at Argon2id's least cost: the tests' accounts are throwaway, and
        # at the production cost their sign-ins were a third of the platform tier's CPU.
        base: dict[str, object] = {"data_dir": tmp_path / "data", "retry_attempts": 3,
                                   "retry_backoff_seconds": 0.01, "relay_poll_seconds": 0.2,
                                   "password_hash_memory_kib": 1024,
                                   "password_hash_time_cost": 1,
                                   # Warming a catalog of a few listings helps no test and
                                   # cost each platform start seconds on a loaded machine:
                                   # test_warm_up.py and `ocop run` tests keep it on.
                                   "catalog_warm_up_seconds": 0}
        return load_settings(**(base | overrides))

    return make


@pytest.fixture(params=["local", "kafka"])
def bus_url(request: pytest.FixtureRequest, make_settings: Callable[..., Settings]) -> str:
    """Each bus in turn: the embedded one, and a Kafka-protocol broker of the test's own.
    (test_delivery.py has its own, which can also put the broker behind a proxy.)"""
    if request.param == "local":
        return make_settings().bus_url_resolved()
    broker: TansuBroker = request.getfixturevalue("kafka_broker")
    return broker.url
