"""Criteria rules (bộ tiêu chí): which set is in force on a date, the criteria tables of a
set per product group (Appendix III of each decision, loaded as versioned data), and how a
score sheet is checked against them. Pure functions and data, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NotRequired

from typing_extensions import TypedDict  # pydantic reads only this TypedDict on Python 3.11

from shared.refusals import BadRequest, FieldError
from shared.vocabulary import GROUPS_148_2023

PARTS = ("A", "B", "C")
PART_NAMES = {
    "A": ("Sản phẩm và sức mạnh cộng đồng", "Product and community strength"),
    "B": ("Khả năng tiếp thị", "Marketing capability"),
    "C": ("Chất lượng sản phẩm", "Product quality"),
}
THREE_STAR_SHARE = 0.5
"""A 3★ product has 50 of 100 points: half of each part's, or criterion's, maximum."""
TOLERANCE = 1e-6


@dataclass(frozen=True)
class CriteriaSet:
    """Bộ tiêu chí: the parts' maxima (summing to 100) and the date it came into force."""

    code: str
    decision: str
    in_force_from: date
    maxima: dict[str, int]


CRITERIA_SETS = (
    CriteriaSet("1048/2019", "1048/QĐ-TTg", date(2019, 8, 21), {"A": 35, "B": 25, "C": 40}),
    CriteriaSet("148/2023", "148/QĐ-TTg", date(2023, 2, 24), {"A": 40, "B": 25, "C": 35}),
)
SETS_WITH_148_GROUPS = ("148/2023",)
"""Sets whose tables are keyed by the product groups of Decision 148/QĐ-TTg; the 2019 set
had its own six-way split, kept as the codes offices give."""


@dataclass(frozen=True)
class Criterion:
    """Tiêu chí: one line of a score sheet, with its maximum."""

    code: str
    part: str
    name_vi: str
    name_en: str
    maximum: float


@dataclass(frozen=True)
class CriteriaTable:
    """The criteria of a set for one product group (or one of its sub-groups), as loaded
    from the decision's appendix. Tables are never changed: a correction is a new version,
    and an evaluation keeps the version it was opened with."""

    criteria_set: str
    group: str
    subgroup: str | None
    version: int
    criteria: tuple[Criterion, ...]

    @property
    def key(self) -> str:
        return table_key(self.criteria_set, self.group, self.subgroup)


def table_key(criteria_set: str, group: str, subgroup: str | None) -> str:
    return f"{criteria_set}|{group}|{subgroup or '*'}"


def table_id(key: str, version: int) -> str:
    """Readable and unique per version, e.g. ``148-2023.food.all.v2``."""
    criteria_set, group, subgroup = key.split("|")
    return (f"{criteria_set.replace('/', '-')}.{group}."
            f"{'all' if subgroup == '*' else subgroup}.v{version}")


def find_set(code: str) -> CriteriaSet:
    found = next((s for s in CRITERIA_SETS if s.code == code), None)
    if found is None:
        known = ", ".join(s.code for s in CRITERIA_SETS)
        raise BadRequest(f"There is no criteria set '{code}' (known: {known}).",
                         f"Không có bộ tiêu chí '{code}' (các bộ: {known}).",
                         code="unknown-criteria-set",
                         errors=[FieldError("criteria_set", f"one of {known}",
                                            f"một trong {known}")])
    return found


def criteria_set_on(day: date) -> CriteriaSet:
    """The criteria set in force on ``day``."""
    in_force = [s for s in CRITERIA_SETS if s.in_force_from <= day]
    if not in_force:
        raise BadRequest(f"No OCOP criteria set was in force on {day.isoformat()}.",
                         f"Không có bộ tiêu chí OCOP nào có hiệu lực vào {day.isoformat()}.",
                         code="no-criteria-set",
                         errors=[FieldError("evaluation_date", "before the first criteria set",
                                            "trước bộ tiêu chí đầu tiên")])
    return max(in_force, key=lambda s: s.in_force_from)


def check_criteria_set(asked: str | None, day: date) -> CriteriaSet:
    """The set in force on ``day``; one asked for by name must be that set."""
    in_force = criteria_set_on(day)
    if asked is not None and asked != in_force.code:
        known = ", ".join(s.code for s in CRITERIA_SETS)
        raise BadRequest(
            f"On {day.isoformat()} the criteria set in force is {in_force.code} "
            f"({in_force.decision}), not {asked}.",
            f"Vào {day.isoformat()}, bộ tiêu chí có hiệu lực là {in_force.code} "
            f"({in_force.decision}), không phải {asked}.", code="criteria-set-not-in-force",
            errors=[FieldError("criteria_set", f"must be {in_force.code} (known: {known})",
                               f"phải là {in_force.code} (các bộ: {known})")])
    return in_force


def check_table(criteria_set: CriteriaSet, group: str, subgroup: str | None,
                criteria: Iterable[Criterion]) -> None:
    """A table is whole: a known group, unique codes, every part present, each maximum
    positive, and each part's maxima adding up to the part's maximum in the decision."""
    errors: list[FieldError] = []
    if criteria_set.code in SETS_WITH_148_GROUPS:
        known = GROUPS_148_2023.get(group)
        if known is None:
            errors.append(FieldError("group", f"not a group of {criteria_set.decision}: "
                                     f"one of {', '.join(GROUPS_148_2023)}",
                                     f"không phải nhóm của {criteria_set.decision}"))
        elif subgroup is not None and subgroup not in known.subgroups:
            errors.append(FieldError("subgroup", f"not a sub-group of '{group}': one of "
                                     f"{', '.join(known.subgroups)}",
                                     f"không phải phân nhóm của '{group}'"))
    seen: set[str] = set()
    totals = dict.fromkeys(PARTS, 0.0)
    for index, criterion in enumerate(criteria):
        where = f"criteria[{index}]"
        if criterion.code in seen:
            errors.append(FieldError(f"{where}.code", f"'{criterion.code}' appears twice",
                                     f"'{criterion.code}' bị trùng"))
        seen.add(criterion.code)
        if criterion.part not in PARTS:
            errors.append(FieldError(f"{where}.part", "must be A, B or C",
                                     "phải là A, B hoặc C"))
            continue
        if not 0 < criterion.maximum <= criteria_set.maxima[criterion.part]:
            errors.append(FieldError(
                f"{where}.maximum", f"must be above 0 and at most part {criterion.part}'s "
                f"{criteria_set.maxima[criterion.part]}",
                f"phải lớn hơn 0 và không quá {criteria_set.maxima[criterion.part]} điểm "
                f"của phần {criterion.part}"))
        totals[criterion.part] += criterion.maximum
    for part, top in criteria_set.maxima.items():
        if abs(totals[part] - top) > TOLERANCE:
            errors.append(FieldError(
                f"part_{part.lower()}", f"the maxima of part {part}'s criteria add up to "
                f"{totals[part]:g}; {criteria_set.decision} gives part {part} {top} points",
                f"tổng điểm tối đa các tiêu chí phần {part} là {totals[part]:g}; "
                f"{criteria_set.decision} quy định phần {part} {top} điểm"))
    if errors:
        raise BadRequest("This criteria table is not whole; see 'errors'.",
                         "Bảng tiêu chí chưa đúng; xem 'errors'.", code="invalid-criteria-table",
                         errors=errors)


def table_for(tables: Iterable[CriteriaTable], group: str, subgroup: str | None
              ) -> CriteriaTable | None:
    """The latest table for a product: its sub-group's where one differs, else its
    group's; none when no table has been loaded (scores are then given per part)."""
    candidates = [t for t in tables if t.group == group and t.subgroup in (subgroup, None)]
    if not candidates:
        return None
    return max(candidates, key=lambda t: (t.subgroup is not None, t.version))


def check_part_scores(criteria_set: CriteriaSet, scores: Mapping[str, float]) -> None:
    """Each part between 0 and its maximum; every error names the part and its maximum."""
    errors = []
    for part in PARTS:
        value, top = scores[part], criteria_set.maxima[part]
        if not 0 <= value <= top:
            errors.append(FieldError(
                f"part_{part.lower()}",
                f"part {part} is scored from 0 to {top} under {criteria_set.decision}; "
                f"got {value}",
                f"phần {part} được chấm từ 0 đến {top} theo {criteria_set.decision}; "
                f"nhận {value}"))
    if errors:
        raise BadRequest("Some scores are outside their part's range; see 'errors'.",
                         "Một số điểm nằm ngoài khoảng của phần; xem 'errors'.",
                         code="score-out-of-range", errors=errors)


def parts_from_criteria(table: CriteriaTable, scores: Mapping[str, float]) -> dict[str, float]:
    """Checks a sheet scored criterion by criterion (every criterion of the table, each
    from 0 to its maximum, nothing else) and returns its part totals."""
    errors = []
    for criterion in table.criteria:
        value = scores.get(criterion.code)
        if value is None:
            errors.append(FieldError(f"criteria.{criterion.code}", "not scored",
                                     "chưa được chấm"))
        elif not 0 <= value <= criterion.maximum:
            errors.append(FieldError(
                f"criteria.{criterion.code}",
                f"'{criterion.name_en}' is scored from 0 to {criterion.maximum:g}; got {value}",
                f"'{criterion.name_vi}' được chấm từ 0 đến {criterion.maximum:g}; "
                f"nhận {value}"))
    known = {c.code for c in table.criteria}
    errors += [FieldError(f"criteria.{code}", "not a criterion of this table",
                          "không phải tiêu chí của bảng này")
               for code in scores if code not in known]
    if errors:
        raise BadRequest("Some criteria are missing or outside their range; see 'errors'.",
                         "Một số tiêu chí chưa chấm hoặc nằm ngoài khoảng điểm; xem 'errors'.",
                         code="score-out-of-range", errors=errors)
    return {part: round(sum(scores[c.code] for c in table.criteria if c.part == part), 2)
            for part in PARTS}


def sheet_parts(criteria_set: CriteriaSet, table: CriteriaTable | None,
                parts: Mapping[str, float] | None, criteria: Mapping[str, float] | None
                ) -> dict[str, float]:
    """A score sheet's part totals. An evaluation with a criteria table is scored
    criterion by criterion and its parts are computed; one without (no table loaded for the
    group when it opened) is scored per part."""
    if table is not None:
        if criteria is None or parts is not None:
            raise BadRequest(
                "This evaluation is scored criterion by criterion: send 'criteria' "
                "(code → score) and no part totals; the parts are computed.",
                "Đợt đánh giá này chấm theo từng tiêu chí: gửi 'criteria' (mã → điểm), không "
                "gửi tổng điểm phần; điểm các phần được tính tự động.",
                code="score-by-criteria", errors=[FieldError("criteria", "required",
                                                             "bắt buộc")])
        return parts_from_criteria(table, criteria)
    if parts is None or criteria is not None:
        raise BadRequest(
            "This evaluation is scored per part: send part_a, part_b and part_c (no criteria "
            "table was loaded for the product's group when it opened).",
            "Đợt đánh giá này chấm theo phần: gửi part_a, part_b, part_c (chưa có bảng tiêu chí "
            "cho nhóm sản phẩm khi mở đợt).", code="score-by-parts",
            errors=[FieldError(f"part_{p.lower()}", "required", "bắt buộc") for p in PARTS])
    check_part_scores(criteria_set, parts)
    return dict(parts)


class CriterionShortfall(TypedDict):
    """A criterion whose average is below what a 3★ product has there."""

    code: str
    name_vi: str
    name_en: str
    average: float
    maximum: float


class Shortfall(TypedDict):
    """A part whose average is below what a 3★ product has there; ``criteria``, when the
    evaluation was scored criterion by criterion: the part's criteria below that line."""

    part: str
    name_vi: str
    name_en: str
    average: float
    maximum: int
    needed_for_3_stars: float
    criteria: NotRequired[list[CriterionShortfall]]


def shortfalls(criteria_set: CriteriaSet, parts: Mapping[str, float],
               table: CriteriaTable | None = None,
               criteria: Mapping[str, float] | None = None) -> list[Shortfall]:
    """For 1–2★ results: each part whose average is below what a 3★ product has there,
    with — when scored criterion by criterion — the criteria of that part below that line."""
    out: list[Shortfall] = []
    for part in PARTS:
        needed = criteria_set.maxima[part] * THREE_STAR_SHARE
        if parts[part] >= needed:
            continue
        vi, en = PART_NAMES[part]
        entry: Shortfall = {"part": part, "name_vi": vi, "name_en": en,
                            "average": parts[part], "maximum": criteria_set.maxima[part],
                            "needed_for_3_stars": needed}
        if table is not None and criteria is not None:
            entry["criteria"] = [
                {"code": c.code, "name_vi": c.name_vi, "name_en": c.name_en,
                 "average": criteria[c.code], "maximum": c.maximum}
                for c in table.criteria
                if c.part == part and criteria[c.code] < c.maximum * THREE_STAR_SHARE]
        out.append(entry)
    return out
