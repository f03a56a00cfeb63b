"""How a score sheet reads on the council member's tablet: its rows from the evaluation's
criteria table (or its three parts, when the evaluation is scored per part), the sheet's
body for the rating service from what was typed, and the stars a total would give. Plain
functions on the services' answers; the rating service checks every score."""

from __future__ import annotations

from dataclasses import dataclass, replace

from services.web.backend import Refused
from services.web.clients.rating import CriteriaSet, Scoring
from services.web.typed import typed_number
from shared.i18n import N_, in_every_language
from shared.ocop.vocabulary import group_names

PARTS = ("A", "B", "C")
PART_NAMES = {"A": N_("Product and community strength"), "B": N_("Marketing capability"),
              "C": N_("Product quality")}
COMMENT = "comment"
POINTS_AT_NOTES = ("score-out-of-range",)
"""The rating service's refusals whose message sends a program to its per-field notes."""
CHECK_ROWS = N_("Some criteria are not scored or are over their maximum: see the notes beside "
                "them. What you filled in is kept.")


@dataclass(frozen=True)
class Row:
    """One line of the sheet: a criterion (or a whole part) with its maximum."""

    code: str
    part: str
    name_vi: str
    name_en: str
    maximum: float

    @property
    def field(self) -> str:
        """The form field of its points."""
        return f"score-{self.code}"

    @property
    def note(self) -> str:
        return f"note-{self.code}"


def rows(scoring: Scoring) -> list[Row]:
    """The sheet's lines: the criteria table row by row, or one line per part when the
    evaluation is scored per part (no table was loaded for the group when it opened)."""
    if scoring.criteria is not None:
        return [Row(c.code, c.part, c.name_vi, c.name_en, c.maximum) for c in scoring.criteria]
    maxima = {"A": scoring.maxima.part_a, "B": scoring.maxima.part_b,
              "C": scoring.maxima.part_c}
    return [Row(f"part_{p.lower()}", p, "", "", maxima[p]) for p in PARTS]


def part_maxima(scoring: Scoring) -> dict[str, float]:
    return {"A": scoring.maxima.part_a, "B": scoring.maxima.part_b, "C": scoring.maxima.part_c}


def stars_attribute(sets: list[CriteriaSet], criteria_set: str) -> str:
    """The stars a total would give, as the page's script reads them (``data-stars``:
    "90:5 70:4 …"), from the rating service's own floors for the evaluation's criteria set;
    the service decides the stars when the evaluation closes."""
    floors = next(s.star_floors for s in sets if s.code == criteria_set)
    return " ".join(f"{f.from_points:g}:{f.stars}" for f in floors)


def sheet_body(scoring: Scoring, form: dict[str, str], lang: str) -> dict[str, object]:
    """The rating service's body from what was typed: each row's points as typed in the
    page's language (a blank row is left out, for the service to name), and the notes
    gathered into the sheet's comment, each after its criterion's code."""
    lines = rows(scoring)
    points = {row.code: typed_number(form.get(row.field, ""), lang, row.field)
              for row in lines}
    given = {code: value for code, value in points.items() if value is not None}
    notes = [f"{row.code}: {form[row.note].strip()}" for row in lines
             if form.get(row.note, "").strip()]
    if form.get(COMMENT, "").strip():
        notes.append(form[COMMENT].strip())
    body: dict[str, object] = {"comment": "\n".join(notes)}
    if scoring.criteria is not None:
        return body | {"criteria": given}
    return body | given


def beside_rows(refusal: Refused, scoring: Scoring) -> Refused:
    """The refusal with each note on the form field of the row it is about (the service
    names a criterion ``criteria.A1``, a part ``part_a``), and, where its message only
    points a program at those notes, the page's own words instead."""
    fields: dict[str, tuple[str, str | None]] = {}
    known = {row.code for row in rows(scoring)}
    for path, said in refusal.fields.items():
        code = path.removeprefix("criteria.")
        fields[f"score-{code}" if code in known else path] = said
    if refusal.code in POINTS_AT_NOTES:
        told = in_every_language(CHECK_ROWS)
        return replace(refusal, fields=fields, message=told["en"], message_vi=told["vi"])
    return replace(refusal, fields=fields)


def form_fields(scoring: Scoring) -> tuple[str, ...]:
    """The sheet's fields, where a refusal's notes may stand."""
    return (*(row.field for row in rows(scoring)), *(row.note for row in rows(scoring)),
            COMMENT)


def group_name(group: str, lang: str, subgroup: str | None = None) -> str:
    """A product's group (or sub-group) of Decision 148/QĐ-TTg in the page's language."""
    vi, en = group_names(group, subgroup)
    return vi if lang == "vi" else en
