"""Reading criteria tables back: the one an evaluation opened now is scored on, and the
version an open evaluation keeps."""

from __future__ import annotations

from typing import Any

from services.rating.criteria.rules import CriteriaTable, Criterion, table_for
from services.rating.store import CRITERIA_TABLES
from shared.store import Document, Reader, find_all, get_existing


def table_of(doc: Document) -> CriteriaTable:
    data = doc.data
    return CriteriaTable(data["criteria_set"], data["group"], data["subgroup"],
                         data["version"], tuple(Criterion(**c) for c in data["criteria"]))


async def table_for_product(reader: Reader, criteria_set: str, product: dict[str, Any]
                            ) -> CriteriaTable | None:
    """The table an evaluation of ``product`` opened now is scored on, if one is loaded."""
    tables = [table_of(d) async for d in find_all(reader, CRITERIA_TABLES.name,
                                                  {"criteria_set": criteria_set})]
    return table_for(tables, product["group"], product.get("subgroup"))


async def evaluation_table(reader: Reader, ref: str | None) -> CriteriaTable | None:
    """The table an evaluation is scored on (``ref``: the version it opened with), if any."""
    if ref is None:
        return None
    return table_of(await get_existing(reader, CRITERIA_TABLES.name, ref, "criteria table",
                                       "bảng tiêu chí"))
