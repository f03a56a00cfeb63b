"""The suite's calendar check (``tests/support/time_travel.py``): the tests that read the
machine's date are noted, then each runs again on one of the travel days, the days in turn,
on that day's clock; the others do not run again."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

READERS = """
from shared.platform.clock import SystemClock

def test_first():
    print("DAY", SystemClock().today())

def test_second():
    print("DAY", SystemClock().today())

def test_third():
    print("DAY", SystemClock().today())

def test_no_reader():
    pass
"""


def test_each_date_reader_runs_again_on_one_day_the_days_in_turn(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    # Its own processes: the plugin patches the clock and notes readers process-wide.
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[2]))
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makeconftest('pytest_plugins = ["tests.support.time_travel"]')
    pytester.makepyfile(test_calendar=READERS)
    readers = pytester.path / "readers"

    noted = pytester.runpytest_subprocess(f"--record-date-readers={readers}")
    noted.assert_outcomes(passed=4)
    assert readers.read_text().split() == [
        f"test_calendar.py::test_{name}" for name in ("first", "second", "third")]

    travelled = pytester.runpytest_subprocess(
        f"--only-date-readers={readers}", "--travel-to=2031-06-15,2024-02-10", "-v", "-s")
    travelled.assert_outcomes(passed=3, deselected=5)
    travelled.stdout.fnmatch_lines([
        "*test_first?2031-06-15? DAY 2031-06-15*",
        "*test_second?2024-02-10? DAY 2024-02-10*",
        "*test_third?2031-06-15? DAY 2031-06-15*",
    ])
