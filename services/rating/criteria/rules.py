"""Criteria rules (bộ tiêu chí): which set is in force on a date, the criteria tables of a
set per product group (Appendix III of each decision, loaded as versioned data), and how a
score sheet is checked against them. Pure functions and data, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NotRequired

from typing_extensions import TypedDict  # pydantic reads only this TypedDict on Python 3.11

from shared.i18n import Given, in_every_language
from shared.ocop.vocabulary import GROUPS_148_2023
from shared.refusals import N_, BadRequest, FieldError

PARTS = ("A", "B", "C")
PART_NAMES = {"A": N_("Product and community strength"), "B": N_("Marketing capability"),
              "C": N_("Product quality")}
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
        raise BadRequest(N_("There is no criteria set '%(criteria_set)s' (known: %(known)s)."),
                         code="unknown-criteria-set", criteria_set=code, known=known,
                         errors=[FieldError("criteria_set", N_("one of %(known)s"),
                                            {"known": known})])
    return found


def criteria_set_on(day: date) -> CriteriaSet:
    """The criteria set in force on ``day``."""
    in_force = [s for s in CRITERIA_SETS if s.in_force_from <= day]
    if not in_force:
        raise BadRequest(N_("No OCOP criteria set was in force on %(day)s."),
                         code="no-criteria-set", day=day.isoformat(),
                         errors=[FieldError("evaluation_date",
                                            N_("before the first criteria set"))])
    return max(in_force, key=lambda s: s.in_force_from)


def check_criteria_set(asked: str | None, day: date) -> CriteriaSet:
    """The set in force on ``day``; one asked for by name must be that set."""
    in_force = criteria_set_on(day)
    if asked is not None and asked != in_force.code:
        known = ", ".join(s.code for s in CRITERIA_SETS)
        raise BadRequest(
            N_("On %(day)s the criteria set in force is %(in_force)s (%(decision)s), "
               "not %(asked)s."), code="criteria-set-not-in-force", day=day.isoformat(),
            in_force=in_force.code, decision=in_force.decision, asked=asked,
            errors=[FieldError("criteria_set", N_("must be %(in_force)s (known: %(known)s)"),
                               {"in_force": in_force.code, "known": known})])
    return in_force


def check_table(criteria_set: CriteriaSet, group: str, subgroup: str | None,
                criteria: Iterable[Criterion]) -> None:
    """A table is whole: a known group, unique codes, every part present, each maximum
    positive, and each part's maxima adding up to the part's maximum in the decision."""
    errors: list[FieldError] = []
    if criteria_set.code in SETS_WITH_148_GROUPS:
        known = GROUPS_148_2023.get(group)
        if known is None:
            errors.append(FieldError("group", N_("not a group of %(decision)s: one of "
                                                 "%(known)s"),
                                     {"decision": criteria_set.decision,
                                      "known": ", ".join(GROUPS_148_2023)}))
        elif subgroup is not None and subgroup not in known.subgroups:
            errors.append(FieldError("subgroup", N_("not a sub-group of '%(group)s': one of "
                                                    "%(known)s"),
                                     {"group": group, "known": ", ".join(known.subgroups)}))
    seen: set[str] = set()
    totals = dict.fromkeys(PARTS, 0.0)
    for index, criterion in enumerate(criteria):
        where = f"criteria[{index}]"
        if criterion.code in seen:
            errors.append(FieldError(f"{where}.code", N_("'%(criterion)s' appears twice"),
                                     {"criterion": criterion.code}))
        seen.add(criterion.code)
        if criterion.part not in PARTS:
            errors.append(FieldError(f"{where}.part", N_("must be A, B or C")))
            continue
        if not 0 < criterion.maximum <= criteria_set.maxima[criterion.part]:
            errors.append(FieldError(
                f"{where}.maximum", N_("must be above 0 and at most part %(part)s's %(top)s"),
                {"part": criterion.part, "top": criteria_set.maxima[criterion.part]}))
        totals[criterion.part] += criterion.maximum
    for part, top in criteria_set.maxima.items():
        if abs(totals[part] - top) > TOLERANCE:
            errors.append(FieldError(
                f"part_{part.lower()}", N_("the maxima of part %(part)s's criteria add up to "
                                           "%(total)s; %(decision)s gives part %(part)s "
                                           "%(top)s points"),
                {"part": part, "total": f"{totals[part]:g}", "decision": criteria_set.decision,
                 "top": top}))
    if errors:
        raise BadRequest(N_("This criteria table is not whole; see 'errors'."),
                         code="invalid-criteria-table", errors=errors)


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
                N_("part %(part)s is scored from 0 to %(top)s under %(decision)s; "
                   "got %(value)s"),
                {"part": part, "top": top, "decision": criteria_set.decision,
                 "value": value}))
    if errors:
        raise BadRequest(N_("Some scores are outside their part's range; see 'errors'."),
                         code="score-out-of-range", errors=errors)


def parts_from_criteria(table: CriteriaTable, scores: Mapping[str, float]) -> dict[str, float]:
    """Checks a sheet scored criterion by criterion (every criterion of the table, each
    from 0 to its maximum, nothing else) and returns its part totals."""
    errors = []
    for criterion in table.criteria:
        value = scores.get(criterion.code)
        if value is None:
            errors.append(FieldError(f"criteria.{criterion.code}", N_("not scored")))
        elif not 0 <= value <= criterion.maximum:
            errors.append(FieldError(
                f"criteria.{criterion.code}",
                N_("'%(criterion)s' is scored from 0 to %(top)s; got %(value)s"),
                {"criterion": Given({"vi": criterion.name_vi, "en": criterion.name_en}),
                 "top": f"{criterion.maximum:g}", "value": value}))
    known = {c.code for c in table.criteria}
    errors += [FieldError(f"criteria.{code}", N_("not a criterion of this table"))
               for code in scores if code not in known]
    if errors:
        raise BadRequest(N_("Some criteria are missing or outside their range; "
                            "see 'errors'."), code="score-out-of-range", errors=errors)
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
                N_("This evaluation is scored criterion by criterion: send 'criteria' "
                   "(code → score) and no part totals; the parts are computed."),
                code="score-by-criteria", errors=[FieldError("criteria", N_("required"))])
        return parts_from_criteria(table, criteria)
    if parts is None or criteria is not None:
        raise BadRequest(
            N_("This evaluation is scored per part: send part_a, part_b and part_c (no "
               "criteria table was loaded for the product's group when it opened)."),
            code="score-by-parts",
            errors=[FieldError(f"part_{p.lower()}", N_("required")) for p in PARTS])
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
        named = in_every_language(PART_NAMES[part])
        entry: Shortfall = {"part": part, "name_vi": named["vi"], "name_en": named["en"],
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
