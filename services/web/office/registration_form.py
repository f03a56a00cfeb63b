"""How the office's registration pages read what a person typed and what the registry
answered: dates as people in Việt Nam write them, a refusal's fields named as the form's,
an import's refused rows as a table. Plain functions on what was typed and answered."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from services.web.backend import Refused
from services.web.clients.registry import RowProblem
from services.web.plain import FIX_FIELDS
from shared.i18n import N_, in_every_language, words
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
HEADERS = {
    "subjects": {"type": "Loại chủ thể", "name": "Tên chủ thể", "code": "Mã số thuế",
                 "province": "Tỉnh", "province_code": "Tỉnh", "district": "Huyện",
                 "commune": "Xã", "commune_code": "Xã", "registered_on": "Ngày đăng ký",
                 "representatives": "Người đại diện", "phone": "Số điện thoại",
                 "email": "Email"},
    "products": {"subject_code": "Mã số thuế chủ thể", "subject_id": "Mã số thuế chủ thể",
                 "name": "Tên sản phẩm", "group": "Nhóm sản phẩm", "subgroup": "Phân nhóm",
                 "description": "Mô tả", "gtin": "Mã vạch", "registered_on": "Ngày đăng ký"}}
"""An import's field → its column's header in the template (the file's own words, which
the registry reads: ``services/registry/imports/template.py``)."""
WHOLE_ROW = N_("(the whole row)")
_TYPED_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ROW_FIELD = re.compile(r"row (\d+): (.+)")


def typed_day(typed: str, field: str = "registered_on") -> str | None:
    """A date as typed (dd/mm/yyyy, or yyyy-mm-dd from a date input) as the registry takes
    it (ISO); None if blank. Anything else is refused beside ``field`` before the registry
    is asked."""
    text = typed.strip()
    if not text:
        return None
    try:
        if found := _TYPED_DAY.fullmatch(text):
            return date(int(found[3]), int(found[2]), int(found[1])).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        told = in_every_language(FIX_FIELDS)
        raise Refused(400, told["en"], told["vi"], fields={field: ("not a date", None)},
                      code="not-a-date") from None


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


def column_of(kind: str, field: str, lang: str) -> str:
    """The column a refused field of an imported row is in, as the file heads it."""
    if field == "row":
        return words(lang).gettext(WHOLE_ROW)
    top = re.split(r"[.\[]", field, maxsplit=1)[0]
    return HEADERS.get(kind, {}).get(top, field)


def rejected_rows(kind: str, refusal: Refused, lang: str) -> list[RowError]:
    """The refused rows of an all-or-nothing import (its fields are ``row N: field``)."""
    rows = []
    for path, (en, vi) in refusal.fields.items():
        if found := _ROW_FIELD.fullmatch(path):
            rows.append(RowError(int(found[1]), column_of(kind, found[2], lang),
                                 (vi if lang == "vi" else en) if vi else en))
    return sorted(rows, key=lambda r: r.row)


def row_errors(kind: str, problems: list[RowProblem], lang: str) -> list[RowError]:
    """The refused rows of an import that kept the valid ones."""
    return [RowError(p.row, column_of(kind, e.field, lang),
                     (e.message_vi if lang == "vi" else e.message)
                     if e.message_vi else e.message)
            for p in problems for e in p.errors]
