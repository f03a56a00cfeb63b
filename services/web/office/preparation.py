"""How the pages that prepare the rating read (``rounds.py``): a criteria table by its
parts, the product groups and the tables in force for each, a refused table's rows, a
round's council and an evaluation's members. Plain functions of what the services
answered; every rule stays in the rating service."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from services.web.backend import Refused
from services.web.clients.rating import (
    CriteriaSet,
    CriteriaTable,
    Criterion,
    EvaluationSheets,
    ListedEvaluation,
    Round,
    SheetTotal,
)
from services.web.clients.registry import CouncilMember
from services.web.plain import ASK, FIX_FIELDS, form_field
from shared.i18n import N_, Words, words
from shared.ocop.vocabulary import GROUPS_148_2023

PARTS = ("A", "B", "C")
PART_NAMES = {"A": N_("Part A: product and community strength"),
              "B": N_("Part B: marketing capability"),
              "C": N_("Part C: product quality")}
LEVEL_NAMES = {"district": N_("District level"), "province": N_("Provincial level"),
               "central": N_("Central level")}
STAGE_NAMES = {"open": N_("Being scored"), "closed": N_("Closed"),
               "recognised": N_("Recognised")}
"""An evaluation's stage, as the rating service's list filters it."""
COLUMN_NAMES = {"code": N_("Code"), "part": N_("Part"), "name_vi": N_("Criterion"),
                "name_en": N_("English name"), "maximum": N_("Maximum points")}
"""A criteria table's column (the template's headings, as the rating service reads
them)."""
TABLE_FORM = ("criteria_set", "group", "subgroup", "file")
ROUND_FORM = ("name", "level", "province", "opens_on", "closes_on", "council", "members",
              "chair")
OPENING_FORM = ("round_id", "evaluation_date")
"""Each form's fields: a refusal's note stands beside the one it is about."""
_ROW = re.compile(r"^row (\d+)(?:\.(\w+))?$")
_CRITERION = re.compile(r"^criteria\[(\d+)\]\.(\w+)$")
_PART = re.compile(r"^part_([abc])$")


# -- criteria tables --------------------------------------------------------------------

@dataclass(frozen=True)
class TablePart:
    part: str
    criteria: list[Criterion]
    subtotal: float


def table_parts(table: CriteriaTable) -> list[TablePart]:
    """The table's criteria part by part (A, B, C), each with its points added up."""
    return [TablePart(part, found, sum(c.maximum for c in found))
            for part in PARTS
            if (found := [c for c in table.criteria if c.part == part])]


def in_force(sets: list[CriteriaSet], today: date) -> CriteriaSet | None:
    """The criteria set in force ``today`` (the latest come into force by then)."""
    started = [s for s in sets if s.in_force_from <= today]
    return max(started, key=lambda s: s.in_force_from) if started else None


@dataclass(frozen=True)
class GroupRow:
    """A product group (or a sub-group with a table of its own) and its table in force,
    None where none was loaded."""

    group: str
    name: str
    subgroup: str | None
    subgroup_name: str | None
    table: CriteriaTable | None


def group_name(group: str, subgroup: str | None, lang: str) -> str:
    """A group's (or sub-group's) name in ``lang``; the code of one Decision 148 does not
    name (a 2019 table's)."""
    found = GROUPS_148_2023.get(group)
    if found is None:
        return subgroup or group
    if subgroup:
        names = found.subgroups.get(subgroup, (subgroup, subgroup))
        return names[0] if lang == "vi" else names[1]
    return found.name_vi if lang == "vi" else found.name_en


def group_rows(tables: Iterable[CriteriaTable], lang: str) -> list[GroupRow]:
    """Every group of Decision 148 with its tables in force (the group's own first, then
    its sub-groups'), and the tables of groups it does not name (a 2019 set's)."""
    held = list(tables)
    rows: list[GroupRow] = []
    for code in GROUPS_148_2023:
        own = sorted((t for t in held if t.group == code),
                     key=lambda t: (t.subgroup is not None, t.subgroup or ""))
        rows += [GroupRow(code, group_name(code, None, lang), t.subgroup,
                          group_name(code, t.subgroup, lang) if t.subgroup else None, t)
                 for t in own]
        if not own:
            rows.append(GroupRow(code, group_name(code, None, lang), None, None, None))
    rows += [GroupRow(t.group, t.group, t.subgroup, t.subgroup, t) for t in held
             if t.group not in GROUPS_148_2023]
    return rows


def group_choices(lang: str) -> list[tuple[str, str]]:
    """The groups of Decision 148 (code, name), for the upload's list."""
    return [(code, group_name(code, None, lang)) for code in GROUPS_148_2023]


def subgroup_choices(lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each group's name with its sub-groups (code, name), for the upload's list."""
    return [(g.name_vi if lang == "vi" else g.name_en,
             [(code, names[0] if lang == "vi" else names[1])
              for code, names in g.subgroups.items()]) for g in GROUPS_148_2023.values()]


@dataclass(frozen=True)
class RowRefusal:
    """Where in the uploaded table a refusal is (a row, a criterion, a part, a column) and
    what is wrong there."""

    where: str
    problem: str


UNWHOLE_TABLE = N_("The table was not loaded: correct the file where listed below and "
                   "upload it again.")
TABLE_CODES = ("invalid-criteria-table", "unreadable-rows", "missing-columns")
"""The rating service's refusals of a table's contents, which name its rows and columns
for programs: the page lists them in a table instead."""


def table_message(refusal: Refused, lang: str, message: str) -> str:
    """What the page says above a refused table's list of rows: ``message`` (the refusal
    as ``plain`` says it) unless the refusal is about the file's contents."""
    return words(lang).gettext(UNWHOLE_TABLE) if refusal.code in TABLE_CODES else message


def row_refusals(refusal: Refused, lang: str) -> list[RowRefusal]:
    """The refusal's notes about the table's contents, each said where it is; those about
    the form's own fields (``TABLE_FORM``) stand beside them instead."""
    said = words(lang)
    found = []
    for path, (en, vi) in refusal.fields.items():
        if path in TABLE_FORM:
            continue
        problem = (vi if lang == "vi" else en) if vi else said.gettext(ASK)
        found.append(RowRefusal(_where(path, said), problem))
    return found


def _where(path: str, said: Words) -> str:
    if match := _ROW.match(path):
        row, column = match.groups()
        if column:
            return said.gettext("Row %(row)s, column %(column)s", row=row,
                                column=said.gettext(COLUMN_NAMES.get(column, column)))
        return said.gettext("Row %(row)s", row=row)
    if match := _CRITERION.match(path):
        index, column = match.groups()
        return said.gettext("Criterion no. %(number)s, column %(column)s",
                            number=int(index) + 1,
                            column=said.gettext(COLUMN_NAMES.get(column, column)))
    if match := _PART.match(path):
        return said.gettext("Part %(part)s", part=match.group(1).upper())
    if path in COLUMN_NAMES:
        return said.gettext("Column %(column)s", column=said.gettext(COLUMN_NAMES[path]))
    return path


# -- rounds and evaluations ---------------------------------------------------------------

ROUND_ASKS = {"name": N_("Enter the round's name, 3 to 200 characters."),
              "council": N_("Enter the council's name, 3 to 200 characters."),
              "province": N_("Enter the province."),
              "opens_on": N_("Enter the day the round opens, as dd/mm/yyyy."),
              "closes_on": N_("Enter the day the round closes, as dd/mm/yyyy."),
              "level": N_("Choose the level."),
              "members": N_("Choose the council's members."),
              "chair": N_("Choose the chair among the council's members.")}
"""What the round's form asks for, where the rating service's words are a validation
library's (``services.web.plain.ASKS`` for the producer's forms)."""


def round_message(refusal: Refused, lang: str, message: str) -> str:
    """What the round's page says above its form: ``message`` (the refusal as ``plain``
    says it) unless the service's names a field by its id (a date's)."""
    return words(lang).gettext(FIX_FIELDS) if refusal.code == "invalid-date" else message


def round_notes(refusal: Refused, lang: str, notes: dict[str, str]) -> dict[str, str]:
    """``notes`` (``plain``'s, by field) with the round form's own words where the service
    wrote none for people."""
    said = words(lang)
    return notes | {field: said.gettext(ROUND_ASKS[field])
                    for path, (_, vi) in refusal.fields.items()
                    if not vi and (field := form_field(path)) in ROUND_ASKS}


@dataclass(frozen=True)
class Seat:
    """A council member of an evaluation's round: their account and, once they submitted
    their sheet, its total."""

    username: str
    full_name: str
    total: float | None


def seats(held: Round | None, sheets: list[SheetTotal],
          members: Iterable[CouncilMember]) -> list[Seat]:
    """The round's council, each member with their sheet's total once submitted; outside
    a round, whoever scored."""
    names = {m.username: m.full_name for m in members}
    totals = {s.member: s.total for s in sheets}
    sitting = held.members if held is not None else sorted(totals)
    return [Seat(m, names.get(m, ""), totals.get(m)) for m in sitting]


def scored_of(evaluation: ListedEvaluation) -> str:
    """"k/n": how many of its council scored it (only "k" outside a round)."""
    if evaluation.council_size is None:
        return str(evaluation.scored)
    return f"{evaluation.scored}/{evaluation.council_size}"


def stage_of(evaluation: EvaluationSheets) -> str:
    """Where an evaluation stands, as the list filters it (``STAGE_NAMES``)."""
    if evaluation.status == "open":
        return "open"
    return "recognised" if evaluation.certificate_id else "closed"
