"""Recognition and certificate rules: who recognises what on a date, who signs the
certificate, how long it is valid, how it relates to the one it replaces, and when it may be
renewed or revoked. Pure functions and data, no I/O."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import StrEnum

from services.rating.evaluations.rules import PROCEDURE_1489_FROM, RECOGNISED_MIN_STARS, Level
from shared.refusals import BadRequest, Conflict, FieldError
from shared.text import fold
from shared.validity import CertificateStatus

CERTIFICATE_MONTHS = 36


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
            f"On {on.isoformat()} a {stars}★ product is recognised at {due} level, not {level}.",
            f"Vào {on.isoformat()}, sản phẩm {stars} sao do cấp {due} công nhận, không phải "
            f"cấp {level}.", code="wrong-level",
            errors=[FieldError("level", f"must be {due}", f"phải là {due}")])
    return due


def check_recognisable(stars: int, score: float) -> None:
    if stars < RECOGNISED_MIN_STARS:
        raise Conflict(f"The product scored {score} ({stars}★); only 3★ and above are "
                       "recognised as OCOP products.",
                       f"Sản phẩm đạt {score} điểm ({stars} sao); chỉ sản phẩm từ 3 sao trở lên "
                       "mới được công nhận OCOP.", code="below-3-stars")


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(decision_date: date) -> date:
    """Last day of a certificate valid 36 months from its decision date."""
    return add_months(decision_date, CERTIFICATE_MONTHS) - timedelta(days=1)


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
        if decision_date < MINISTRY_MERGED_ON:
            return ("Bộ Nông nghiệp và Phát triển nông thôn",
                    "Ministry of Agriculture and Rural Development")
        return "Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment"
    if level is Level.DISTRICT and district:
        named = (district if fold(district).startswith(_DISTRICT_KINDS)
                 else f"huyện {district}")
        return f"Ủy ban nhân dân {named}", f"People's Committee of {named[0].upper()}{named[1:]}"
    bare = province
    for prefix in ("tỉnh ", "thành phố ", "tp. ", "tp "):
        if province.lower().startswith(prefix):
            bare = province[len(prefix):].strip()
    kind = "thành phố" if fold(bare) in CENTRAL_CITIES else "tỉnh"
    kind_en = "City" if kind == "thành phố" else "Province"
    return f"Ủy ban nhân dân {kind} {bare}", f"People's Committee of {bare} {kind_en}"


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


def check_renewable(status: str, valid_from: date, valid_until: date, decision_date: date
                    ) -> None:
    """Re-recognition is decided while the certificate is in force, before it expires."""
    if status != CertificateStatus.ACTIVE:
        raise Conflict(f"This certificate is {status}; only one in force can be renewed — "
                       "an expired or revoked product is evaluated anew.",
                       f"Giấy chứng nhận này đang ở trạng thái {status}; chỉ giấy còn hiệu lực "
                       "mới được công nhận lại — sản phẩm đã hết hạn hoặc bị thu hồi cần đánh "
                       "giá lại từ đầu.", code="not-active")
    if not valid_from <= decision_date <= valid_until:
        raise BadRequest(
            f"A renewal is decided before the certificate expires ({valid_until.isoformat()}).",
            f"Công nhận lại phải được quyết định trước khi giấy chứng nhận hết hạn "
            f"({valid_until.isoformat()}).", code="renewal-too-late",
            errors=[FieldError("decision_date", f"must be between {valid_from.isoformat()} and "
                               f"{valid_until.isoformat()}",
                               f"phải từ {valid_from.isoformat()} đến "
                               f"{valid_until.isoformat()}")])


def check_may_revoke(status: str) -> None:
    if status != CertificateStatus.ACTIVE:
        raise Conflict(f"This certificate is {status}; only an active one can be revoked.",
                       f"Giấy chứng nhận này đang ở trạng thái {status}; chỉ giấy còn hiệu lực "
                       "mới thu hồi được.", code="not-active")


def check_recognising_council(stars: int, level: Level | None) -> None:
    """Only the central council's evaluation leads to a 5★ recognition."""
    if stars >= 5 and level is not Level.CENTRAL:
        raise Conflict("A 5★ result is proposed to the central level: the ministry's council "
                       "evaluates the product again and recognises 5★ (open a central round).",
                       "Kết quả 5 sao được đề xuất lên Trung ương: hội đồng cấp Bộ đánh giá "
                       "lại và công nhận 5 sao (mở đợt đánh giá cấp Trung ương).",
                       code="proposed-to-central")
