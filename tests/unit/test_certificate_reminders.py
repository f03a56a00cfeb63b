"""When a producer is reminded of its certificate's coming end (``rating/certificates/
rules.py``): 6 calendar months before the last valid day, then 1, on that day of the month
or the month's last when it has none; each once, and only the one-month reminder for a
certificate first seen inside its last month."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.rating.certificates.model import Certificate
from services.rating.certificates.rules import (
    REMINDER_MONTHS,
    reminder_day,
    reminder_due,
    reminder_horizon,
)
from services.rating.evaluations.rules import Level

DAY = timedelta(days=1)


def named(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


@pytest.mark.parametrize(("valid_until", "six_months", "one_month"), [
    (date(2028, 8, 31), date(2028, 2, 29), date(2028, 7, 31)),  # a leap year's February
    (date(2027, 8, 31), date(2027, 2, 28), date(2027, 7, 31)),
    (date(2027, 3, 31), date(2026, 9, 30), date(2027, 2, 28)),
    (date(2027, 3, 30), date(2026, 9, 30), date(2027, 2, 28)),
    (date(2029, 2, 28), date(2028, 8, 28), date(2029, 1, 28)),
    (date(2027, 1, 15), date(2026, 7, 15), date(2026, 12, 15)),
    (date(2027, 6, 30), date(2026, 12, 30), date(2027, 5, 30)),
], ids=named)
def test_each_reminder_falls_that_many_calendar_months_before_the_last_valid_day(
        valid_until: date, six_months: date, one_month: date) -> None:
    assert (reminder_day(valid_until, 6), reminder_day(valid_until, 1)) == (six_months,
                                                                            one_month)
    assert reminder_due(valid_until, six_months - DAY, None) is None
    assert reminder_due(valid_until, six_months, None) == 6
    assert reminder_due(valid_until, six_months, 6) is None  # the next sweep: said once
    assert reminder_due(valid_until, one_month - DAY, 6) is None
    assert reminder_due(valid_until, one_month, 6) == 1
    assert reminder_due(valid_until, valid_until, 1) is None


def test_a_certificate_first_seen_inside_its_last_month_gets_only_the_one_month_reminder(
        ) -> None:
    valid_until = date(2027, 8, 31)
    assert reminder_due(valid_until, date(2027, 8, 10), None) == 1
    assert reminder_due(valid_until, date(2027, 8, 10), 1) is None
    assert reminder_due(valid_until, valid_until, None) == 1  # its very last day still


def test_a_missed_six_month_reminder_is_sent_late_but_never_after_the_last_valid_day(
        ) -> None:
    valid_until = date(2027, 8, 31)
    assert reminder_due(valid_until, date(2027, 5, 3), None) == 6  # the sweep was down
    assert reminder_due(valid_until, valid_until + DAY, None) is None
    assert reminder_due(valid_until, valid_until + DAY, 6) is None


@pytest.mark.parametrize("months", REMINDER_MONTHS)
def test_the_sweeps_horizon_is_the_latest_last_day_whose_reminder_has_come(
        months: int) -> None:
    """Over two years of days, month ends and a 29 February among them."""
    today = date(2027, 1, 1)
    while today < date(2029, 1, 1):
        horizon = reminder_horizon(today, months)
        assert reminder_day(horizon, months) <= today < reminder_day(horizon + DAY, months)
        today += DAY


def test_the_horizon_on_the_last_day_of_february_reaches_the_end_of_august() -> None:
    assert reminder_horizon(date(2027, 2, 28), 6) == date(2027, 8, 31)
    assert reminder_horizon(date(2028, 2, 28), 6) == date(2028, 8, 28)
    assert reminder_horizon(date(2028, 2, 29), 6) == date(2028, 8, 31)
    assert reminder_horizon(date(2027, 7, 31), 1) == date(2027, 8, 31)


def certificate(valid_until: date) -> Certificate:
    return Certificate("c1", "OCOP-2024-00001", "p1", "s1", "e1", 4, 78.5, Level.PROVINCE,
                       "12/QĐ-UBND", date(2024, 9, 1), date(2024, 9, 1), valid_until,
                       "office", "2024-09-01T02:00:00+00:00")


def test_the_certificate_remembers_each_reminder_it_said() -> None:
    held = certificate(date(2027, 8, 31))
    assert held.remind(date(2027, 2, 27), "Chè Tân Cương") is None
    six = held.remind(date(2027, 2, 28), "Chè Tân Cương")
    assert six is not None and six.model_dump(mode="json") == {
        "product_id": "p1", "subject_id": "s1", "product_name": "Chè Tân Cương",
        "certificate_id": "c1", "certificate_number": "OCOP-2024-00001", "stars": 4,
        "valid_until": "2027-08-31", "months_left": 6}
    assert held.reminded_months_left == 6
    assert held.remind(date(2027, 3, 1), "Chè Tân Cương") is None
    one = held.remind(date(2027, 7, 31), "Chè Tân Cương")
    assert one is not None and one.months_left == 1
    assert held.remind(date(2027, 8, 1), "Chè Tân Cương") is None


def test_a_revoked_certificate_is_not_reminded() -> None:
    held = certificate(date(2027, 8, 31))
    held.revoke("Vi phạm an toàn thực phẩm", date(2027, 1, 5), "office")
    assert held.remind(date(2027, 7, 31), "Chè Tân Cương") is None
    assert held.reminded_months_left is None
