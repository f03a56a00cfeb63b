"""A table read under its header (``shared.files.tables.records``), as the registry's imports and
rating's criteria tables both read the spreadsheets offices keep."""

from __future__ import annotations

import pytest

from shared.files.tables import XLSX, read_table, records
from shared.refusals import BadRequest

COLUMNS = {"ma": "code", "name vi": "name_vi", "diem toi da": "maximum"}


def test_headings_are_folded_and_rows_numbered_as_the_office_sees_them() -> None:
    rows = [["Mã", "Name_VI", "Ghi chú", "Điểm tối đa"],
            ["A1", "Nguồn nguyên liệu", "x", 24], [None, "", None, None],
            ["A2", "Liên kết", None, "16,5"]]
    assert records(rows, COLUMNS, ("code", "maximum")) == [
        (2, {"code": "A1", "name_vi": "Nguồn nguyên liệu", "maximum": 24}),
        (4, {"code": "A2", "name_vi": "Liên kết", "maximum": "16,5"})]


def test_an_empty_table_or_a_missing_column_is_refused() -> None:
    with pytest.raises(BadRequest) as empty:
        records([[None, ""]], COLUMNS, ("code",))
    assert empty.value.code == "empty-file"
    with pytest.raises(BadRequest) as missing:
        records([["Mã"]], COLUMNS, ("code", "maximum"))
    assert missing.value.code == "missing-columns"
    assert [e.field for e in missing.value.errors] == ["maximum"]


def test_an_unreadable_workbook_is_named_in_the_readers_language() -> None:
    with pytest.raises(BadRequest) as unreadable:
        read_table(b"PK\x03\x04 not a workbook", XLSX, "list.xlsx", max_rows=10)
    assert unreadable.value.code == "unreadable-file"
    assert unreadable.value.in_every_language() == {
        "en": "The file could not be read as an Excel (.xlsx) workbook.",
        "vi": "Không đọc được tệp dưới dạng bảng tính Excel (.xlsx)."}
