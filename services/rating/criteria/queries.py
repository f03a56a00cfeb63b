"""Reading criteria tables back: the tables as loaded, the one an evaluation opened now is
scored on, and the version an open evaluation keeps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.rating.criteria.rules import CriteriaTable, Criterion, table_for
from services.rating.store import CRITERIA_TABLES
from shared.i18n import N_
from shared.ports.store import Document, DocumentStore, Reader, find_all, get_existing


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
    return table_of(await get_existing(reader, CRITERIA_TABLES.name, ref, N_("criteria table")))


@dataclass
class LoadedTables:
    """The criteria tables as loaded: the latest version of each, or any one version."""

    store: DocumentStore

    async def current(self, criteria_set: str | None) -> list[Document]:
        """The latest version of each loaded table (of one set, or of all)."""
        where = {"criteria_set": criteria_set} if criteria_set else None
        latest: dict[str, Document] = {}
        async for doc in find_all(self.store, CRITERIA_TABLES.name, where):
            held = latest.get(doc.data["key"])
            if held is None or held.data["version"] < doc.data["version"]:
                latest[doc.data["key"]] = doc
        return sorted(latest.values(), key=lambda d: d.id)

    async def get(self, table_id: str) -> Document:
        return await get_existing(self.store, CRITERIA_TABLES.name, table_id,
                                  N_("criteria table"))
