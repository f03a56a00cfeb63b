"""Spreadsheet templates (``shared/files/templates.py``) and the services' specs of them: a
template cannot drift from its importer — a header the importer does not read as its
field, or a field it reads without a column, fails the making."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from services.rating.criteria import commands as criteria_tables
from services.rating.criteria.rules import CRITERIA_SETS, CriteriaSet
from services.rating.criteria.template import criteria_template
from services.registry.imports import rules as imports
from services.registry.imports.template import TEMPLATES
from shared.files.templates import LISTS, Column, Listing, Template, workbook
from shared.i18n import N_, Term
from shared.i18n.text import fold

READS = {"ma": "code", "code": "code", "ten": "name"}


def plain(*columns: Column, beside: Listing | None = None) -> Template:
    return Template("plain", N_("Subjects"), columns, READS, ("code",),
                    Term(N_("Optional.")), beside)


def test_a_workbook_has_the_headers_a_guide_and_the_lists() -> None:
    made = plain(Column("code", "Mã", N_("Optional."), ("A", "B"), text=True),
                 Column("name", "Tên", N_("Optional.")),
                 beside=Listing(("x", "y"), (("1", "2"),), (10, 10)))
    book = load_workbook(io.BytesIO(workbook(made)))
    first, guide, lists = book.worksheets
    assert [c.value for c in first[1]] == ["Mã", "Tên"]
    assert first["A2"].number_format == "@" and first.freeze_panes == "A2"
    [validation] = first.data_validations.dataValidation
    assert validation.formula1.endswith("!$A$2:$A$3") and str(validation.sqref) == "A2:A2001"
    assert lists.title == LISTS
    assert [c.value for c in lists[1]] == ["Mã", None, None, "x", "y"]
    assert [c.value for c in lists["A"]] == ["Mã", "A", "B"]
    assert [c.value for c in guide["A"]][4:6] == ["Mã", "Tên"]


def test_a_header_the_importer_does_not_read_fails_the_making() -> None:
    with pytest.raises(ValueError, match="does not read 'Tên gọi' as name"):
        workbook(plain(Column("code", "Mã", ""), Column("name", "Tên gọi", "")))
    with pytest.raises(ValueError, match="does not read 'Mã' as name"):
        workbook(plain(Column("name", "Mã", ""), Column("code", "code", "")))


def test_a_field_the_importer_reads_without_a_column_fails_the_making() -> None:
    with pytest.raises(ValueError, match="plain: no column for name"):
        workbook(plain(Column("code", "Mã", "")))


@pytest.mark.parametrize("kind", sorted(imports.COLUMNS))
def test_the_registry_has_a_template_for_each_kind_it_imports(kind: str) -> None:
    template = TEMPLATES[kind]
    template.check()
    assert template.reads is imports.COLUMNS[kind]
    assert set(imports.REQUIRED[kind]) <= {c.field for c in template.columns}
    assert set(TEMPLATES) == set(imports.COLUMNS)


@pytest.mark.parametrize("criteria_set", CRITERIA_SETS, ids=lambda s: s.code)
def test_a_criteria_table_template_reads_as_its_importer_with_the_sets_parts(
        criteria_set: CriteriaSet) -> None:
    chosen = criteria_set
    template = criteria_template(chosen)
    template.check()
    assert template.reads is criteria_tables.COLUMNS
    [part] = [c for c in template.columns if c.field == "part"]
    assert part.choices == tuple(chosen.maxima)
    assert template.notes.params["criteria_set"] == chosen.code
    headers = [fold(c.header) for c in template.columns]
    assert [criteria_tables.COLUMNS[h] for h in headers] == [c.field for c in template.columns]

