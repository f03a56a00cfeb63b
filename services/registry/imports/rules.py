"""Reading the lists offices keep — CSV or Excel, headers in Vietnamese or English — into
rows the registry can check one by one. Parsing only: no I/O beyond the bytes given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shared.files.tables import records
from shared.i18n.text import fold
from shared.ocop.vocabulary import GROUPS_148_2023, SUBJECT_TYPE_NAMES, SubjectType
from shared.refusals import N_, FieldError

MAX_ROWS = 20_000
"""Rows one import may hold (``shared.files.tables.read_table`` stops reading past it)."""

# Folded header -> field. Offices write headers many ways; these are the common ones.
COLUMNS = {
    "subjects": {
        "type": "type", "loai": "type", "loai chu the": "type",
        "name": "name", "ten": "name", "ten chu the": "name",
        "code": "code", "ma so": "code", "ma so thue": "code", "so dang ky": "code",
        "province": "province", "tinh": "province", "tinh thanh pho": "province",
        "district": "district", "huyen": "district",
        "commune": "commune", "xa": "commune", "xa phuong": "commune",
        "xa phuong thi tran": "commune",
        "registered on": "registered_on", "ngay dang ky": "registered_on",
        "representative": "representative", "nguoi dai dien": "representative",
        "phone": "phone", "dien thoai": "phone", "so dien thoai": "phone",
        "email": "email",
    },
    "products": {
        "subject code": "subject_code", "ma chu the": "subject_code",
        "ma so thue chu the": "subject_code", "ma so thue": "subject_code",
        "name": "name", "ten": "name", "ten san pham": "name",
        "group": "group", "nhom": "group", "nhom san pham": "group",
        "subgroup": "subgroup", "phan nhom": "subgroup",
        "description": "description", "mo ta": "description",
        "gtin": "gtin", "ma vach": "gtin",
        "registered on": "registered_on", "ngay dang ky": "registered_on",
    },
}
REQUIRED = {"subjects": ("type", "name", "code", "province", "commune"),
            "products": ("subject_code", "name", "group", "subgroup")}

_SUBJECT_TYPES = {fold(word): kind for kind, names in SUBJECT_TYPE_NAMES.items()
                  for word in (kind.value, *names)} | {
    "dn": SubjectType.ENTERPRISE, "htx": SubjectType.COOPERATIVE,
    "tht": SubjectType.COOPERATIVE_GROUP, "thp": SubjectType.COOPERATIVE_GROUP,
    "ho kinh doanh": SubjectType.HOUSEHOLD_BUSINESS,
    "ho san xuat": SubjectType.HOUSEHOLD_BUSINESS}
_GROUPS = {fold(w): g.code for g in GROUPS_148_2023.values() for w in (g.code, g.name_vi,
                                                                          g.name_en)}


@dataclass
class RowProblem:
    row: int
    """As the office sees it: the header is row 1."""
    errors: list[FieldError]

    def as_dict(self, column: Callable[[str], str | None]) -> dict[str, Any]:
        """The row's number and each refused field with ``column(field)``: the header of
        the column it is in (None: the row as a whole), and the reason in English and
        Vietnamese."""
        return {"row": self.row, "errors": [{**e.as_dict(), "column": column(e.field)}
                                            for e in self.errors]}


@dataclass
class Parsed:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def parse(kind: str, table: list[list[Any]]) -> Parsed:
    """Rows keyed by field, with the values shaped (types, groups and dates understood);
    a row whose cells cannot be understood is a problem naming its fields."""
    parsed = Parsed()
    for number, raw in records(table, COLUMNS[kind], REQUIRED[kind]):
        values = {f: _cell(v) for f, v in raw.items()}
        errors: list[FieldError] = []
        row = _shape(kind, values, errors)
        if errors:
            parsed.problems.append(RowProblem(number, errors))
        else:
            parsed.rows.append((number, row))
    return parsed


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _shape(kind: str, v: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    for name in REQUIRED[kind]:
        if v.get(name) in (None, ""):
            errors.append(FieldError(name, N_("is empty")))
    if errors:
        return {}
    out: dict[str, Any] = {k: (str(x) if x is not None and k != "registered_on" else x)
                           for k, x in v.items() if k not in ("representative", "phone",
                                                              "email")}
    if "registered_on" in v:
        out["registered_on"] = _date(v["registered_on"], errors)
    if kind == "subjects":
        out["type"] = _SUBJECT_TYPES.get(fold(str(v["type"])))
        if out["type"] is None:
            errors.append(FieldError("type", N_("use DN, HTX, THT or Hộ kinh doanh (or "
                                                "enterprise, cooperative, …)")))
        if v.get("representative"):
            out["representatives"] = [{"name": str(v["representative"]), "title": "",
                                       "phone": _text(v.get("phone")),
                                       "email": _text(v.get("email"))}]
    else:
        out["group"] = _GROUPS.get(fold(str(v["group"])), str(v["group"]))
        group = GROUPS_148_2023.get(out["group"])
        if group is not None:
            by_name = {fold(w): code for code, names in group.subgroups.items()
                       for w in (code, *names)}
            out["subgroup"] = by_name.get(fold(str(v["subgroup"])), str(v["subgroup"]))
        if isinstance(v.get("gtin"), int | float):
            out["gtin"] = str(int(v["gtin"]))  # Excel turns barcodes into numbers
    return out


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _date(value: Any, errors: list[FieldError]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    for layout in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    errors.append(FieldError("registered_on", N_("write the date as dd/mm/yyyy or "
                                                 "yyyy-mm-dd")))
    return None
