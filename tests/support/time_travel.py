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

Travelling needs only the tests that read the date: ``--record-date-readers FILE`` notes
every test during which the machine's clock was asked for a day (``SystemClock.today``, by
the test or by a service it runs) and which is not set on a day of its own; a later run with
``--only-date-readers FILE --travel-to …`` runs just those (``make test`` does both). The
record is appended to, so each tier's run adds its own: remove the file to start anew.

Several days at once (``--travel-to 2031-06-15,2024-02-10``) run each test once on each day,
in one session: each test travels on its own (set-up included), as a test set on its own day
does, so the calendar checks share one start of the test workers and one tail. With
``--only-date-readers``, each reader travels to one of the days, in turn in the order they
are collected, so every module's readers are spread over all the days: each day is checked
in every tier and every module, and no reader runs three times (``make test`` had the
suite's longest tests, its browser journeys and end-to-end platform tests, run three times
in all, a third of its time). The days the services' rules turn on (month ends, 29
February, the 1 July 2025 reform, 2031…) are swept in the service tier, through the
injected clock, on every run.

While the suite travels, ``travelling()`` is true: what a person looks at (the screenshots)
and what does not depend on the day (the pages' accessibility audit) are today's run's.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Generator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import minio.time
import pytest
import time_machine
from time_machine import escape_hatch

from shared.platform.clock import SystemClock

_travel: time_machine.travel | None = None
_minio_utcnow = minio.time.utcnow
_system_today = SystemClock.today
_read_the_date = False
_travelling = False
TRAVEL_DAY = "travel_day"
"""The parameter that carries each test's day when the suite travels to several."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--travel-to", metavar="YYYY-MM-DD", default=os.environ.get("OCOP_TEST_DATE"),
                     help="run the suite as if today were this date (time-machine)")
    parser.addoption("--record-date-readers", metavar="FILE", type=Path,
                     help="write the ids of the tests that read the date to FILE")
    parser.addoption("--only-date-readers", metavar="FILE", type=Path,
                     help="run only the tests FILE names (see --record-date-readers)")


def pytest_configure(config: pytest.Config) -> None:
    global _travel, _travelling
    config.addinivalue_line("markers", "on_day(day): run this test (set-up included) on day")
    _start_recording(config)
    days = _travel_days(config)
    if not days:
        return
    _travelling = True
    minio.time.utcnow = _real_utcnow
    if len(days) == 1:
        _travel = time_machine.travel(_morning(days[0]), tick=True)
        _travel.start()


def _travel_days(config: pytest.Config) -> list[date]:
    given = config.getoption("--travel-to")
    if not given:
        return []
    try:
        return [date.fromisoformat(day.strip()) for day in given.split(",")]
    except ValueError:
        raise pytest.UsageError(f"--travel-to wants dates YYYY-MM-DD (comma between several), "
                                f"not {given!r}") from None


def _morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Travelling to several days: every test once per day (``TRAVEL_DAY``)."""
    days = _travel_days(metafunc.config)
    if len(days) > 1:
        metafunc.fixturenames.append(TRAVEL_DAY)
        metafunc.parametrize(TRAVEL_DAY, days, ids=[day.isoformat() for day in days])


def _start_recording(config: pytest.Config) -> None:
    record: Path | None = config.getoption("--record-date-readers")
    if record is None:
        return
    SystemClock.today = _noted_today  # type: ignore[method-assign]


def _noted_today(clock: SystemClock) -> date:
    global _read_the_date
    if not _in_a_scheduled_job():
        _read_the_date = True
    return _system_today(clock)


def _in_a_scheduled_job() -> bool:
    """A service's scheduled job (``job:…`` tasks, such as the expiry sweep every service
    start runs) reads the date whatever the test does; what the test asks is what counts."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no event loop in this thread
        return False
    return task is not None and task.get_name().startswith("job:")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    global _read_the_date
    _read_the_date = False
    outcome = yield
    record: Path | None = item.config.getoption("--record-date-readers")
    if record is not None and _read_the_date and _own_day(item) is None:
        with record.open("a") as readers:  # one short append per test: workers share it
            readers.write(item.nodeid + "\n")
    return outcome


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    only: Path | None = config.getoption("--only-date-readers")
    if only is None:
        return
    if not only.exists():
        raise pytest.UsageError(f"{only} does not exist: run the suite with "
                                f"--record-date-readers {only} first")
    readers = set(only.read_text().splitlines())
    recorded = {item: _recorded_id(item) for item in items}
    days = _travel_days(config) or [None]
    turn = {reader: days[n % len(days)] for n, reader in enumerate(
        dict.fromkeys(r for r in recorded.values() if r in readers))}
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        reader = recorded[item]
        runs = reader in turn and _travel_day(item) in (None, turn[reader])
        (kept if runs else dropped).append(item)
    config.hook.pytest_deselected(items=dropped)
    items[:] = kept


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Tiers none of whose tests read the date have nothing to run again: not a failure."""
    if (session.config.getoption("--only-date-readers") is not None
            and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.OK


def _recorded_id(item: pytest.Item) -> str:
    """The id a reader was recorded under: without the day it travels to, if any."""
    callspec = getattr(item, "callspec", None)
    if callspec is None or TRAVEL_DAY not in callspec.params:
        return item.nodeid
    day = callspec.params[TRAVEL_DAY].isoformat()
    return item.nodeid.replace(f"[{day}]", "").replace(f"-{day}]", "]").replace(
        f"[{day}-", "[")


def _own_day(item: pytest.Item) -> date | None:
    """The day a test is set on (its ``on_day`` marker, or its module's ``TODAY``)."""
    marker = item.get_closest_marker("on_day")
    module = getattr(item, "module", None)
    return marker.args[0] if marker else getattr(module, "TODAY", None)


def _travel_day(item: pytest.Item) -> date | None:
    """The day this test travels to, when the suite travels to several."""
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(TRAVEL_DAY) if callspec is not None else None


def travelling() -> bool:
    """Whether this run moves the clock to other days (``--travel-to``)."""
    return _travelling


def _real_utcnow() -> datetime:
    return escape_hatch.datetime.datetime.now(UTC)


@pytest.fixture(autouse=True)
def _on_the_modules_day(request: pytest.FixtureRequest) -> Iterator[None]:
    day = _own_day(request.node) or _travel_day(request.node)
    if day is None:
        yield
        return
    with time_machine.travel(_morning(day), tick=True):
        yield


def pytest_report_header(config: pytest.Config) -> str | None:
    day = config.getoption("--travel-to")
    return f"time travel: the suite runs on {day}" if day else None


def pytest_unconfigure(config: pytest.Config) -> None:
    global _travel, _travelling
    _travelling = False
    SystemClock.today = _system_today  # type: ignore[method-assign]
    if _travel is not None:
        _travel.stop()
        minio.time.utcnow = _minio_utcnow
        _travel = None
