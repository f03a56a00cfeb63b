"""Recognition and certificate rules: who recognises what on a date, who signs the
certificate, how long it is valid, how it relates to the one it replaces, and when it may be
renewed or revoked. Pure functions and data, no I/O."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import StrEnum

from services.rating.evaluations.rules import PROCEDURE_1489_FROM, RECOGNISED_MIN_STARS, Level
from shared.i18n import Given, in_every_language
from shared.i18n.text import fold
from shared.ocop.validity import CertificateStatus
from shared.refusals import N_, BadRequest, Conflict, FieldError, Term

CERTIFICATE_MONTHS = 36
STATE_NAMES = {CertificateStatus.ACTIVE: N_("active"), CertificateStatus.REVOKED: N_("revoked"),
               CertificateStatus.SUPERSEDED: N_("superseded"),
               CertificateStatus.EXPIRED: N_("expired")}
"""A certificate's state, as a sentence says it."""


def recognising_level(stars: int, on: date) -> Level:
    """Who recognises ``stars`` on the date of the decision."""
    if stars >= 5:
        return Level.CENTRAL
    if stars == 4 or on >= PROCEDURE_1489_FROM:
        return Level.PROVINCE
    return Level.DISTRICT


def check_level(stars: int, on: date, level: Level | None) -> Level:
    """The level that recognises ``stars`` on ``on``; refuses a level without that
    authority."""
    due = recognising_level(stars, on)
    if level is not None and level is not due:
        raise BadRequest(
            N_("On %(day)s a %(stars)s★ product is recognised at %(due)s level, not "
               "%(level)s."), code="wrong-level", day=on.isoformat(), stars=stars,
            due=str(due), level=str(level),
            errors=[FieldError("level", N_("must be %(due)s"), {"due": str(due)})])
    return due


def check_recognisable(stars: int, score: float) -> None:
    if stars < RECOGNISED_MIN_STARS:
        raise Conflict(N_("The product scored %(score)s (%(stars)s★); only 3★ and above are "
                          "recognised as OCOP products."), code="below-3-stars", score=score,
                       stars=stars)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(decision_date: date) -> date:
    """Last day of a certificate valid 36 months from its decision date."""
    return add_months(decision_date, CERTIFICATE_MONTHS) - timedelta(days=1)


REMINDER_MONTHS = (6, 1)
"""How many months before a certificate's last valid day its producer is reminded to apply
for re-recognition (công nhận lại): six, then one."""


def reminder_day(valid_until: date, months_left: int) -> date:
    """The day the reminder of ``months_left`` is due: as many calendar months before the
    last valid day, on its day of the month or the month's last when it has none (31 August:
    28 or 29 February, then 31 July)."""
    return add_months(valid_until, -months_left)


def reminder_due(valid_until: date, today: date, reminded: int | None) -> int | None:
    """The reminder a certificate in force through ``valid_until`` is due ``today`` (its
    ``months_left``), or None: the latest reminder whose day has come, unless it or a later
    one was sent (``reminded``: the ``months_left`` of the last one sent). So each is sent
    once, and a certificate first seen inside its last month gets the one-month reminder
    only; none after its last valid day."""
    if today > valid_until:
        return None
    reached = [m for m in REMINDER_MONTHS if reminder_day(valid_until, m) <= today]
    if not reached:
        return None
    due = min(reached)
    return None if reminded is not None and reminded <= due else due


def reminder_horizon(today: date, months_left: int) -> date:
    """The latest last valid day whose reminder of ``months_left`` is due by ``today``:
    what a sweep on ``today`` asks the store for (``reminder_day`` never decreases as the
    last valid day moves on; a short month's last days share one reminder day)."""
    horizon = add_months(today, months_left)
    while reminder_day(horizon + timedelta(days=1), months_left) <= today:
        horizon += timedelta(days=1)
    return horizon


MINISTRY_MERGED_ON = date(2025, 3, 1)
"""The Ministry of Agriculture and Rural Development and the Ministry of Natural Resources
and Environment became the Ministry of Agriculture and Environment (Nghị định 35/2025)."""
CENTRAL_CITIES = frozenset({"ha noi", "ho chi minh", "hai phong", "da nang", "can tho",
                            "hue"})
"""Provinces that are centrally-run cities (thành phố trực thuộc trung ương)."""
_DISTRICT_KINDS = ("huyen ", "quan ", "thi xa ", "thanh pho ")


def issuing_authority(level: Level, decision_date: date, province: str,
                      district: str | None) -> tuple[str, str]:
    """Who signs a certificate (Vietnamese, English): the People's Committee of the
    province (or of the former district, before 1 July 2025), or the ministry."""
    if level is Level.CENTRAL:
        return _in_both(N_("Ministry of Agriculture and Rural Development")
                        if decision_date < MINISTRY_MERGED_ON
                        else N_("Ministry of Agriculture and Environment"))
    if level is Level.DISTRICT and district:
        named = (district if fold(district).startswith(_DISTRICT_KINDS)
                 else f"huyện {district}")
        # the district's official name, its kind included: a proper name in English
        return _in_both(N_("People's Committee of %(district)s"),
                        district=Given({"vi": named, "en": f"{named[0].upper()}{named[1:]}"}))
    bare = province
    for prefix in ("tỉnh ", "thành phố ", "tp. ", "tp "):  # as offices type the name
        if province.lower().startswith(prefix):
            bare = province[len(prefix):].strip()
    return _in_both(N_("People's Committee of %(province)s City")
                    if fold(bare) in CENTRAL_CITIES
                    else N_("People's Committee of %(province)s Province"), province=bare)


def _in_both(message: str, **params: object) -> tuple[str, str]:
    said = in_every_language(message, **params)
    return said["vi"], said["en"]


class Change(StrEnum):
    """How a new certificate relates to the product's previous one in force."""

    RENEWED = "renewed"
    UPGRADED = "upgraded"
    DOWNGRADED = "downgraded"


def change_of(previous_stars: int, stars: int) -> Change:
    if stars > previous_stars:
        return Change.UPGRADED
    if stars < previous_stars:
        return Change.DOWNGRADED
    return Change.RENEWED


def check_renewable(status: CertificateStatus, valid_from: date, valid_until: date,
                    decision_date: date) -> None:
    """Re-recognition is decided while the certificate is in force, before it expires."""
    if status != CertificateStatus.ACTIVE:
        raise Conflict(N_("This certificate is %(state)s; only one in force can be renewed — "
                          "an expired or revoked product is evaluated anew."),
                       code="not-active", state=Term(STATE_NAMES[status]))
    if not valid_from <= decision_date <= valid_until:
        raise BadRequest(
            N_("A renewal is decided before the certificate expires (%(valid_until)s)."),
            code="renewal-too-late", valid_until=valid_until.isoformat(),
            errors=[FieldError("decision_date", N_("must be between %(valid_from)s and "
                                                   "%(valid_until)s"),
                               {"valid_from": valid_from.isoformat(),
                                "valid_until": valid_until.isoformat()})])


def check_may_revoke(status: CertificateStatus) -> None:
    if status != CertificateStatus.ACTIVE:
        raise Conflict(N_("This certificate is %(state)s; only an active one can be revoked."),
                       code="not-active", state=Term(STATE_NAMES[status]))


def check_recognising_council(stars: int, level: Level | None) -> None:
    """Only the central council's evaluation leads to a 5★ recognition."""
    if stars >= 5 and level is not Level.CENTRAL:
        raise Conflict(N_("A 5★ result is proposed to the central level: the ministry's "
                          "council evaluates the product again and recognises 5★ (open a "
                          "central round)."), code="proposed-to-central")
