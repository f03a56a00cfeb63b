"""Run the whole suite on another day: ``pytest --travel-to 2031-06-15`` (or
``OCOP_TEST_DATE=2031-06-15``) moves the test process's clock there before anything starts,
and lets it tick on. The services run in this process, so they read the moved date through
their ``Clock``; nothing in a test may depend on the calendar day it happens to run.

time-machine patches the wall clock only (``time.time``, ``datetime.now``…), not the monotonic
clock that timeouts and the event loop use, so sockets and sleeps behave as usual. The test
servers (Tansu, SeaweedFS) are other processes and keep the real time, so the S3 client dates
its request signatures by the real clock (SigV4 refuses a request more than 15 minutes off the
server's time: transport, not the platform's idea of today).
A test module whose story is set on fixed dates (a product certified in 2024, upgraded under
the 2025 procedure…) says which day it is told from with ``TODAY = date(…)``: each of its
tests, set-up included, then runs on that day, whatever day the suite runs on; one test
says it with ``@pytest.mark.on_day(date(…))``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime

import minio.time
import pytest
import time_machine
from time_machine import escape_hatch

_travel: time_machine.travel | None = None
_minio_utcnow = minio.time.utcnow


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--travel-to", metavar="YYYY-MM-DD", default=os.environ.get("OCOP_TEST_DATE"),
                     help="run the suite as if today were this date (time-machine)")


def pytest_configure(config: pytest.Config) -> None:
    global _travel
    config.addinivalue_line("markers", "on_day(day): run this test (set-up included) on day")
    day = config.getoption("--travel-to")
    if not day:
        return
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise pytest.UsageError(f"--travel-to wants a date YYYY-MM-DD, not {day!r}") from None
    _travel = time_machine.travel(datetime(when.year, when.month, when.day, 9, tzinfo=UTC),
                                  tick=True)
    _travel.start()
    minio.time.utcnow = _real_utcnow


def _real_utcnow() -> datetime:
    return escape_hatch.datetime.datetime.now(UTC)


@pytest.fixture(autouse=True)
def _on_the_modules_day(request: pytest.FixtureRequest) -> Iterator[None]:
    marker = request.node.get_closest_marker("on_day")
    day: date | None = marker.args[0] if marker else getattr(request.module, "TODAY", None)
    if day is None:
        yield
        return
    with time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=UTC), tick=True):
        yield


def pytest_report_header(config: pytest.Config) -> str | None:
    day = config.getoption("--travel-to")
    return f"time travel: the suite runs on {day}" if day else None


def pytest_unconfigure(config: pytest.Config) -> None:
    global _travel
    if _travel is not None:
        _travel.stop()
        minio.time.utcnow = _minio_utcnow
        _travel = None
