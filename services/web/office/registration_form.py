"""How the office's registration pages read what a person typed and what the registry
answered: dates as people in Việt Nam write them, a refusal's fields named as the form's,
an import's refused rows as a table. Plain functions on what was typed and answered."""

from __future__ import annotations

from dataclasses import dataclass

from services.web.backend import Refused
from services.web.clients.registry import RowIssue, RowProblem
from shared.i18n import N_, words
from shared.ocop.vocabulary import GROUPS_148_2023

SUBJECT_TYPES = {"enterprise": N_("Enterprise"), "cooperative": N_("Cooperative"),
                 "cooperative_group": N_("Cooperative group"),
                 "household_business": N_("Registered household business")}
"""The registry's subject types (loại chủ thể), as the pages name them."""
ROLES = {"admin": N_("Provincial office"), "commune_officer": N_("Commune officer"),
         "council_member": N_("Council member"), "producer": N_("Producer")}
"""The roles an account may have (the registry's ``Role``), as the pages name them."""
CERTIFICATIONS = {"certified": N_("Certified"), "expired": N_("Expired"),
                  "revoked": N_("Revoked")}
PRODUCT_STATUSES = {"draft": N_("Being prepared"), "submitted": N_("Sent for evaluation")}
GROUPS = {g.code: {"vi": g.name_vi, "en": g.name_en} for g in GROUPS_148_2023.values()}
"""The product groups of Decision 148/QĐ-TTg, named in each language."""
IMPORT_KINDS = {"subjects": N_("Subjects"), "products": N_("Products")}
"""What ``POST /imports/{kind}`` takes."""

SUBJECT_FORM = ("type", "name", "code", "province", "commune", "district", "registered_on",
                "rep_name", "rep_title", "rep_phone", "rep_email")
ACCOUNT_FORM = ("username", "password", "role", "subject_id", "province", "commune",
                "full_name")
ACCOUNT_FILTERS = ("role", "commune", "disabled")
SUBJECT_FIELDS = {"representatives.0.name": "rep_name", "representatives.0.title": "rep_title",
                  "representatives.0.phone": "rep_phone", "representatives.0.email": "rep_email",
                  "representatives": "rep_name", "province_code": "province",
                  "commune_code": "commune"}
ACCOUNT_FIELDS = {"commune_code": "commune", "province_code": "province"}
"""The registry's field → the form's, where they differ."""
ASKS = {
    "type": N_("Choose the type of subject."),
    "name": N_("Enter the subject's name as registered, 2 to 200 characters."),
    "code": N_("Enter the tax or registration code, up to 40 characters."),
    "province": N_("Enter the province or city, e.g. Thái Nguyên."),
    "commune": N_("Enter the commune or ward as it is since 1 July 2025."),
    "district": N_("Enter the former district, 2 to 100 characters."),
    "registered_on": N_("Write the date as dd/mm/yyyy, e.g. 15/03/2019."),
    "rep_name": N_("Enter the representative's name, 2 to 200 characters."),
    "rep_title": N_("The title is too long; shorten it."),
    "rep_phone": N_("Enter a phone number of 8 to 17 digits, e.g. 0912 345 678."),
    "rep_email": N_("Enter an email address such as name@example.vn."),
    "username": N_("Enter a username of up to 64 characters."),
    "password": N_("Enter a password of at least 10 characters."),
    "role": N_("Choose the role."),
    "subject_id": N_("Choose the subject this producer's account acts for."),
    "full_name": N_("The full name is too long; shorten it."),
    "disabled": N_("Choose whether the account may sign in."),
}
"""A form field → what it asks for, said where the registry's words are not for people
(a validation library's own)."""
FILTER_ASKS = {"role": N_("Choose the role."),
               "commune": N_("Enter the commune's official code: up to 5 digits, e.g. 05602."),
               "disabled": N_("Choose whether the account may sign in.")}
"""The accounts list's filters → what each asks for."""
WHOLE_ROW = N_("(the whole row)")


def for_the_form(refusal: Refused, renames: dict[str, str],
                 asks: dict[str, str] = ASKS) -> Refused:
    """``refusal`` with its fields named as the form's (``renames``: the registry's → the
    form's), and the form's own words (``asks``) where the registry's are not for
    people."""
    fields: dict[str, tuple[str, str | None]] = {}
    for path, (en, vi) in refusal.fields.items():
        name = renames.get(path, path)
        if vi is None and name in asks:
            en, vi = words("en").gettext(asks[name]), words("vi").gettext(asks[name])
        fields.setdefault(name, (en, vi))
    return Refused(refusal.status, refusal.message, refusal.message_vi, fields, refusal.code)


@dataclass(frozen=True)
class RowError:
    """One refused cell of an imported file: its row as the spreadsheet numbers it (the
    header is row 1), the column, and what is wrong."""

    row: int
    column: str
    problem: str


def column_of(issue: RowIssue, lang: str) -> str:
    """The column a refused field of an imported row is in, as the file heads it (the
    registry names it from its template)."""
    return issue.column or (words(lang).gettext(WHOLE_ROW) if issue.field == "row"
                            else issue.field)


def row_errors(problems: list[RowProblem], lang: str) -> list[RowError]:
    """An import's refused rows (a partial import's answer, or an all-or-nothing import's
    refusal: ``clients.registry.refused_rows``), one line a refused field."""
    return sorted((RowError(p.row, column_of(e, lang),
                            (e.message_vi if lang == "vi" else e.message)
                            if e.message_vi else e.message)
                   for p in problems for e in p.errors), key=lambda r: r.row)
