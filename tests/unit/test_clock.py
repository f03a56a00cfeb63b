"""Instants are UTC, days are Việt Nam's (UTC+7): the new day starts at 17:00 UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.support.clocks import FixedClock


@pytest.mark.parametrize(("instant", "day"), [
    (datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC), date(2026, 12, 31)),
    (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), date(2027, 1, 1)),  # 00:00 in Hà Nội
    (datetime(2028, 2, 28, 17, 30, tzinfo=UTC), date(2028, 2, 29)),
    (datetime(2025, 6, 30, 23, 0, tzinfo=UTC), date(2025, 7, 1)),
])
def test_today_is_the_day_in_viet_nam(instant: datetime, day: date) -> None:
    assert FixedClock(instant).today() == day
    assert FixedClock(instant).now() == instant  # instants stay UTC
