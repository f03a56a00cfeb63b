"""The spreadsheet templates the README links (docs/templates/): they are what `ocop
templates` makes from the importers' own columns today, and each, with an example row
filled in from its own lists, is accepted by the real import over HTTP. The services serve
them: the registry ``GET /imports/{kind}/template``, rating ``GET
/criteria-tables/template`` — the same workbooks, the importer's headers, for the office."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from services.cli import app as ocop
from services.rating.criteria import commands as criteria_tables
from services.rating.criteria.template import LATEST, criteria_template
from services.registry.imports import rules as imports
from services.registry.imports.template import TEMPLATES as REGISTRY_TEMPLATES
from shared.files.tables import XLSX
from shared.i18n.text import fold
from shared.platform.config import Settings
from tests.support.platform import User, office_signed_in

SHIPPED = Path(__file__).resolve().parents[2] / "docs" / "templates"
PASSWORD = "templates-pass-1"
TEMPLATES = (*REGISTRY_TEMPLATES.values(), criteria_template(LATEST))


def contents(path: Path | bytes) -> dict[str, Any]:
    """What a person sees in a workbook: each sheet's cells and the lists cells pick from."""
    book = load_workbook(io.BytesIO(path) if isinstance(path, bytes) else path)
    return {sheet.title: ([list(row) for row in sheet.iter_rows(values_only=True)],
                          sorted((str(v.sqref), v.formula1)
                                 for v in sheet.data_validations.dataValidation))
            for sheet in book.worksheets}


def test_the_shipped_templates_are_the_ones_made_from_the_importers(tmp_path: Path) -> None:
    made = CliRunner().invoke(ocop, ["templates", "--out", str(tmp_path)])
    assert made.exit_code == 0, made.output
    for template in TEMPLATES:
        name = f"{template.name}.xlsx"
        assert (SHIPPED / name).exists(), f"docs/templates/{name} is missing: ocop templates"
        assert contents(SHIPPED / name) == contents(tmp_path / name), (
            f"docs/templates/{name} differs from what the importers read: run ocop templates")


def filled(name: str, rows: list[dict[str, Any]]) -> bytes:
    """The shipped template with ``rows`` typed in under its headers (by header)."""
    book: Workbook = load_workbook(SHIPPED / f"{name}.xlsx")
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for number, row in enumerate(rows, 2):
        for header, value in row.items():
            sheet.cell(number, headers.index(header) + 1, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def choice(name: str, header: str, value: str) -> str:
    """``value`` as the template's list offers it (the cell's drop-down)."""
    lists = load_workbook(SHIPPED / f"{name}.xlsx")["Danh mục (lists)"]
    column = [cell.value for cell in lists[1]].index(header) + 1
    offered = [row[0] for row in lists.iter_rows(min_row=2, min_col=column, max_col=column,
                                                   values_only=True) if row[0]]
    assert value in offered, f"{header}: {value!r} is not in {offered}"
    return value


@pytest.fixture
async def office(make_settings: Callable[..., Settings]) -> AsyncIterator[User]:
    async with office_signed_in(make_settings(), PASSWORD) as admin:
        yield admin


async def test_each_template_with_an_example_row_is_imported(office: User) -> None:
    subjects = filled("subjects", [{
        "Loại chủ thể": choice("subjects", "Loại chủ thể", "Hợp tác xã"),
        "Tên chủ thể": "HTX Chè Tân Cương", "Mã số thuế": "0100109106",
        "Tỉnh": choice("subjects", "Tỉnh", "Thái Nguyên"), "Huyện": "Thành phố Thái Nguyên",
        "Xã": "Xã Tân Cương", "Ngày đăng ký": "15/03/2019",
        "Người đại diện": "Ông Nguyễn Văn Chè", "Số điện thoại": "0912345678"}])
    imported = await office.call("POST", "registry", "/imports/subjects", content=subjects,
                                 headers={"Content-Type": XLSX})
    assert imported["created"] == 1 and imported["rejected"] == [], imported

    products = filled("products", [{
        "Mã số thuế chủ thể": "0100109106", "Tên sản phẩm": "Chè búp Tân Cương",
        "Nhóm sản phẩm": choice("products", "Nhóm sản phẩm", "Thực phẩm"),
        "Phân nhóm": choice("products", "Phân nhóm", "Chè và sản phẩm từ chè"),
        "Mã vạch": "08934563138165"}])
    imported = await office.call("POST", "registry", "/imports/products", content=products,
                                 headers={"Content-Type": XLSX})
    assert imported["created"] == 1 and imported["rejected"] == [], imported
    listed = await office.call("GET", "registry", "/products", params={"limit": 10})
    tea = listed["items"][0]
    assert (tea["group"], tea["subgroup"], tea["gtin"]) == ("food", "tea", "08934563138165")

    # A table needs each part's maxima (40/25/35): one example row per part.
    table = filled("criteria-table", [
        {"Mã": code, "Phần": choice("criteria-table", "Phần", part),
         "Tên tiêu chí": f"Tiêu chí {code}", "Điểm tối đa": maximum}
        for code, part, maximum in (("A1", "A", 40), ("B1", "B", 25), ("C1", "C", 35))])
    loaded = await office.call("POST", "rating", "/criteria-tables/file", expect=201,
                               content=table, headers={"Content-Type": XLSX},
                               params={"criteria_set": "148/2023", "group": "food"})
    assert [c["code"] for c in loaded["criteria"]] == ["A1", "B1", "C1"]


async def test_the_registry_serves_the_template_of_each_kind_it_imports(office: User) -> None:
    for kind in sorted(imports.COLUMNS):
        answer = await office.call("GET", "registry", f"/imports/{kind}/template")
        assert answer.headers["content-type"] == XLSX
        assert f'filename="mau-{kind}.xlsx"' in answer.headers["content-disposition"]
        headers = [c.value for c in load_workbook(io.BytesIO(answer.content)).worksheets[0][1]]
        assert {imports.COLUMNS[kind][fold(h)] for h in headers} == set(
            imports.COLUMNS[kind].values()), headers
        assert contents(answer.content) == contents(SHIPPED / f"{kind}.xlsx")

    unknown = await office.call("GET", "registry", "/imports/orders/template", expect=422)
    assert unknown["errors"] == [{"field": "kind",
                                  "message": "Input should be 'subjects' or 'products'"}]
    anonymous = await office.anonymous().call("GET", "registry", "/imports/subjects/template",
                                             expect=401)
    assert anonymous


async def test_rating_serves_the_criteria_table_template_of_a_set(office: User) -> None:
    answer = await office.call("GET", "rating", "/criteria-tables/template")
    assert answer.headers["content-type"] == XLSX
    assert 'filename="mau-bang-tieu-chi-148-2023.xlsx"' in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    headers = [c.value for c in book.worksheets[0][1]]
    assert {criteria_tables.COLUMNS[fold(h)] for h in headers} == set(
        criteria_tables.COLUMNS.values()), headers
    assert contents(answer.content) == contents(SHIPPED / "criteria-table.xlsx")

    older = await office.call("GET", "rating", "/criteria-tables/template",
                              params={"criteria_set": "1048/2019"})
    guide = load_workbook(io.BytesIO(older.content)).worksheets[1]
    assert "A 35, B 25, C 40" in guide["A1"].value and "1048/2019" in guide["A1"].value

    unknown = await office.call("GET", "rating", "/criteria-tables/template", expect=400,
                                params={"criteria_set": "999/2030"})
    assert unknown["type"].endswith("/unknown-criteria-set"), unknown
    assert unknown["detail_vi"] == ("Không có bộ tiêu chí '999/2030' (các bộ: 1048/2019, "
                                    "148/2023)."), unknown
