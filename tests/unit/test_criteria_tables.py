"""Criteria tables as data: what makes a table whole, which table scores a product, and how
a sheet scored criterion by criterion is checked. The tables here are made up for the
tests (small, with the official part maxima); the real ones are loaded from the
decisions' appendices."""

from __future__ import annotations

from datetime import date

import pytest

from services.rating.criteria import rules as criteria
from services.rating.criteria.commands import criteria_from_rows
from services.rating.criteria.rules import CriteriaTable, Criterion, table_id
from shared.refusals import BadRequest

SET_148 = criteria.criteria_set_on(date(2024, 1, 1))
SET_1048 = criteria.criteria_set_on(date(2020, 1, 1))


def rows_for(maxima: dict[str, int]) -> list[Criterion]:
    """Two criteria per part splitting its maximum 60/40."""
    return [Criterion(f"{part}{n}", part, f"Tiêu chí {part}{n}", f"Criterion {part}{n}",
                      round(top * share, 2))
            for part, top in maxima.items() for n, share in ((1, 0.6), (2, 0.4))]


def table(version: int = 1, subgroup: str | None = None) -> CriteriaTable:
    return CriteriaTable("148/2023", "food", subgroup, version,
                         tuple(rows_for(SET_148.maxima)))


def test_a_whole_table_is_accepted_under_its_sets_part_maxima() -> None:
    criteria.check_table(SET_148, "food", None, rows_for(SET_148.maxima))
    criteria.check_table(SET_148, "food", "tea", rows_for(SET_148.maxima))
    criteria.check_table(SET_1048, "souvenirs", None, rows_for(SET_1048.maxima))


def test_parts_that_do_not_add_up_to_the_decisions_maxima_are_refused() -> None:
    # 2019 maxima (35/25/40) under the 2023 set (40/25/35): A and C do not add up.
    with pytest.raises(BadRequest) as refused:
        criteria.check_table(SET_148, "food", None, rows_for(SET_1048.maxima))
    assert [e.field for e in refused.value.errors] == ["part_a", "part_c"]
    said = refused.value.errors[0].text("en")
    assert "add up to 35; 148/QĐ-TTg gives part A 40 points" in said


def test_duplicate_codes_unknown_parts_and_groups_are_named() -> None:
    rows = rows_for(SET_148.maxima)
    rows[1] = Criterion("A1", "A", "trùng", "duplicate", rows[1].maximum)
    rows.append(Criterion("D1", "D", "phần lạ", "unknown part", 1))
    with pytest.raises(BadRequest) as refused:
        criteria.check_table(SET_148, "jewellery", "rings", rows)
    fields = [e.field for e in refused.value.errors]
    assert fields == ["group", "criteria[1].code", "criteria[6].part"]
    with pytest.raises(BadRequest) as refused:
        criteria.check_table(SET_148, "food", "rings", rows_for(SET_148.maxima))
    assert [e.field for e in refused.value.errors] == ["subgroup"]


def test_a_sub_groups_own_table_wins_over_its_groups_and_the_latest_version_counts() -> None:
    tables = [table(1), table(2), table(1, "tea")]
    assert criteria.table_for(tables, "food", "grains") == table(2)
    assert criteria.table_for(tables, "food", "tea") == table(1, "tea")
    assert criteria.table_for(tables, "beverages", "spirits") is None


def test_a_sheet_by_criterion_gives_every_criterion_within_its_maximum() -> None:
    scores = {c.code: c.maximum for c in table().criteria}
    assert criteria.parts_from_criteria(table(), scores) == {"A": 40, "B": 25, "C": 35}
    scores |= {"A1": 24.5, "Z9": 1}
    del scores["C2"]
    with pytest.raises(BadRequest) as refused:
        criteria.parts_from_criteria(table(), scores)
    assert [e.field for e in refused.value.errors] == [
        "criteria.A1", "criteria.C2", "criteria.Z9"]
    assert "from 0 to 24; got 24.5" in refused.value.errors[0].text("en")


def test_a_criterion_out_of_range_is_named_as_its_table_names_it_in_each_language() -> None:
    """The criterion's name is the table's data, not the catalog's: each reader gets the
    name the decision's appendix gives in their language."""
    with pytest.raises(BadRequest) as refused:
        criteria.parts_from_criteria(table(), {c.code: c.maximum for c in table().criteria}
                                     | {"A1": 24.5})
    assert refused.value.errors[0].as_dict() == {
        "field": "criteria.A1",
        "message": "'Criterion A1' is scored from 0 to 24; got 24.5",
        "message_vi": "'Tiêu chí A1' được chấm từ 0 đến 24; nhận 24.5"}


def test_an_evaluation_is_scored_the_way_it_was_opened() -> None:
    full = {c.code: c.maximum / 2 for c in table().criteria}
    assert criteria.sheet_parts(SET_148, table(), None, full) == {"A": 20, "B": 12.5,
                                                                   "C": 17.5}
    with pytest.raises(BadRequest, match="criterion by criterion"):
        criteria.sheet_parts(SET_148, table(), {"A": 20, "B": 12.5, "C": 17.5}, full)
    with pytest.raises(BadRequest, match="scored per part"):
        criteria.sheet_parts(SET_148, None, None, full)
    assert criteria.sheet_parts(SET_148, None, {"A": 1, "B": 2, "C": 3}, None) == {
        "A": 1, "B": 2, "C": 3}


def test_shortfalls_name_the_criteria_below_the_three_star_line_in_each_short_part() -> None:
    averages = {c.code: c.maximum for c in table().criteria} | {"B1": 3, "B2": 2}
    parts = criteria.parts_from_criteria(table(), averages)
    short = criteria.shortfalls(SET_148, parts, table(), averages)
    assert [s["part"] for s in short] == ["B"]
    assert [(c["code"], c["average"], c["maximum"]) for c in short[0]["criteria"]] == [
        ("B1", 3, 15), ("B2", 2, 10)]


def test_a_spreadsheet_table_is_read_with_vietnamese_headers() -> None:
    rows = [["Mã", "Phần", "Tên tiêu chí", "Điểm tối đa"],
            ["A1", "a", "Nguồn nguyên liệu", "24"], [None, None, None, None],
            ["A2", "A", "Liên kết sản xuất", "16,5"]]
    read = criteria_from_rows(rows)
    assert [(c.code, c.part, c.name_en, c.maximum) for c in read] == [
        ("A1", "A", "Nguồn nguyên liệu", 24.0), ("A2", "A", "Liên kết sản xuất", 16.5)]
    with pytest.raises(BadRequest) as refused:
        criteria_from_rows([["code", "part", "name", "maximum"], ["A1", "A", "x", "many"]])
    assert [e.field for e in refused.value.errors] == ["row 2.maximum"]
    with pytest.raises(BadRequest, match="Missing columns: maximum"):
        criteria_from_rows([["code", "part", "name"]])


def test_table_ids_are_readable_and_unique_per_version() -> None:
    assert table_id(table(3).key, 3) == "148-2023.food.all.v3"
    assert table_id(table(1, "tea").key, 1) == "148-2023.food.tea.v1"
