"""The spreadsheet templates of what the registry imports, subjects and products: made from
the importer's own header map (``rules.COLUMNS``) and required fields, so making one
fails if a header is not one the importer reads or a field it reads has no column.
Served by ``GET /imports/{kind}/template``; ``ocop templates`` writes them to
``docs/templates/``."""

from __future__ import annotations

import re

from services.registry.imports.rules import COLUMNS, REQUIRED
from shared.files.templates import Column, Listing, Template, both
from shared.i18n import N_, Term
from shared.ocop.localities import provinces
from shared.ocop.vocabulary import GROUPS_148_2023, SUBJECT_TYPE_NAMES

DATE = N_("Day/month/year, e.g. 15/03/2019.")
OPTIONAL = N_("Optional.")


def _subject_types() -> tuple[str, ...]:
    return tuple(name_vi for name_vi, _ in SUBJECT_TYPE_NAMES.values())


def _groups() -> tuple[str, ...]:
    return tuple(g.name_vi for g in GROUPS_148_2023.values())


def _subgroups() -> tuple[str, ...]:
    return tuple(name_vi for g in GROUPS_148_2023.values() for name_vi, _ in g.subgroups.values())


SUBGROUPS_OF_GROUPS = Listing(
    (both(N_("Group")), both(N_("Sub-group")), "code"),
    tuple((g.name_vi, name_vi, code) for g in GROUPS_148_2023.values()
          for code, (name_vi, _) in g.subgroups.items()),
    (30, 44, 22))
"""Which sub-groups belong to which group (a cell's list cannot depend on another's)."""

SUBJECTS = Template(
    "subjects", N_("Subjects"), (
        Column("type", "Loại chủ thể", N_("Pick from the list (or DN, HTX, THT)."),
               _subject_types(), width=26),
        Column("name", "Tên chủ thể", N_("The full name, as registered."), width=40),
        Column("code", "Mã số thuế", N_("Tax or registration code (leading zeros kept)."),
               text=True),
        Column("province", "Tỉnh", N_("One of the 34 provinces and cities (since 1 July 2025)."),
               tuple(name for _, name in provinces()), width=24),
        Column("district", "Huyện",
               N_("Only for records made before 1 July 2025: the district then.")),
        Column("commune", "Xã",
               N_("The commune, ward or special zone as it is now, with its diacritics."),
               width=24),
        Column("registered_on", "Ngày đăng ký", DATE, width=14),
        Column("representative", "Người đại diện", OPTIONAL, width=24),
        Column("phone", "Số điện thoại", OPTIONAL, text=True),
        Column("email", "Email", OPTIONAL, width=26)),
    COLUMNS["subjects"], REQUIRED["subjects"],
    Term(N_("One subject a row. Import: ocop import subjects <file> (or POST "
            "/imports/subjects).")))

PRODUCTS = Template(
    "products", N_("Products"), (
        Column("subject_code", "Mã số thuế chủ thể",
               N_("The tax code of a subject already registered."), text=True, width=20),
        Column("name", "Tên sản phẩm", N_("The product's name, as on its label."), width=36),
        Column("group", "Nhóm sản phẩm", N_("Pick from the list (Decision 148/QĐ-TTg)."),
               _groups(), width=30),
        Column("subgroup", "Phân nhóm", N_("A sub-group of the chosen group (see the lists)."),
               _subgroups(), width=36),
        Column("description", "Mô tả", OPTIONAL, width=36),
        Column("gtin", "Mã vạch", N_("GTIN of 8, 12, 13 or 14 digits; optional."), text=True),
        Column("registered_on", "Ngày đăng ký", DATE, width=14)),
    COLUMNS["products"], REQUIRED["products"],
    Term(N_("One product a row. Import: ocop import products <file> (or POST "
            "/imports/products).")),
    beside=SUBGROUPS_OF_GROUPS)

TEMPLATES = {"subjects": SUBJECTS, "products": PRODUCTS}
"""Each kind the registry imports (``rules.COLUMNS``) -> its template."""

REGISTERED_AS = {"province_code": "province", "commune_code": "commune",
                 "representatives.phone": "phone", "representatives.email": "email",
                 "representatives": "representative", "subject_id": "subject_code"}
"""A field the registry refuses a row's record on (list indexes dropped) -> the import's
field it was read from, where they differ."""


def header_of(kind: str, field: str) -> str | None:
    """The header of the column a refused field of an imported row is in, as the template
    writes it (the file's own words); None for the row as a whole."""
    path = re.sub(r"\.\d+|\[\d+\]", "", field)
    top = path.split(".", 1)[0]
    name = REGISTERED_AS.get(path) or REGISTERED_AS.get(top) or top
    return next((c.header for c in TEMPLATES[kind].columns if c.field == name), None)
