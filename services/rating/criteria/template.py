"""The spreadsheet template of a criteria table (bảng tiêu chí) for one criteria set: made
from the table importer's own header map (``commands.COLUMNS``) and required fields, so
making it fails if a header is not one the importer reads or a field it reads has no
column. Its parts and their maxima are the set's. Served by ``GET
/criteria-tables/template``; ``ocop templates`` writes the one of the set in force to
``docs/templates/``."""

from __future__ import annotations

from services.rating.criteria.commands import COLUMNS, REQUIRED
from services.rating.criteria.rules import CRITERIA_SETS, CriteriaSet
from shared.files.templates import Column, Template
from shared.i18n import N_, Term

OPTIONAL = N_("Optional.")


def criteria_template(criteria_set: CriteriaSet) -> Template:
    parts = criteria_set.maxima
    return Template(
        "criteria-table", N_("Criteria"), (
            Column("code", "Mã", N_("The criterion's code, as in the appendix, e.g. A1."),
                   width=10),
            Column("part", "Phần", N_("A, B or C."), tuple(parts), width=8),
            Column("name_vi", "Tên tiêu chí", N_("As in the appendix."), width=50),
            Column("name_en", "Tên tiếng Anh", OPTIONAL, width=40),
            Column("maximum", "Điểm tối đa", N_("The criterion's maximum."), width=12)),
        COLUMNS, REQUIRED,
        Term(N_("One table per product group (or sub-group); each part's maxima add up to "
                "the decision's: %(parts)s. Load: POST "
                "/criteria-tables/file?criteria_set=%(criteria_set)s&group=<group>."),
             {"parts": ", ".join(f"{p} {m}" for p, m in parts.items()),
              "criteria_set": criteria_set.code}))


LATEST = max(CRITERIA_SETS, key=lambda s: s.in_force_from)
"""The newest criteria set: its template is the one shipped in ``docs/templates/``."""
