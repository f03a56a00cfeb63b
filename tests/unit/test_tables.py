"""A table read under its header (``shared.tables.records``), as the registry's imports and
rating's criteria tables both read the spreadsheets offices keep."""

from __future__ import annotations

import pytest

from shared.refusals import BadRequest
from shared.tables import records

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
