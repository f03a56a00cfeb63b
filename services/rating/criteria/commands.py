"""Loading criteria tables (bảng tiêu chí) — the appendix of each criteria decision, per
product group — as versioned documents, and reading them from the spreadsheets offices
type them into. Reading them back is ``queries.py``'s."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from services.rating.criteria.rules import Criterion, check_table, find_set, table_id, table_key
from services.rating.store import CRITERIA_TABLES
from shared.files.tables import records
from shared.history import History
from shared.identity.auth import Caller
from shared.platform.clock import Clock
from shared.ports.store import Document, DocumentExists, DocumentStore
from shared.refusals import N_, BadRequest, Conflict, FieldError

# Folded spreadsheet header -> field; Vietnamese or English, as offices write them.
COLUMNS = {
    "code": "code", "ma": "code", "ma tieu chi": "code", "stt": "code",
    "part": "part", "phan": "part",
    "name": "name_vi", "ten": "name_vi", "tieu chi": "name_vi", "ten tieu chi": "name_vi",
    "noi dung": "name_vi", "name vi": "name_vi",
    "name en": "name_en", "english": "name_en", "ten tieng anh": "name_en",
    "maximum": "maximum", "max": "maximum", "diem toi da": "maximum", "diem": "maximum",
}
REQUIRED = ("code", "part", "name_vi", "maximum")


def criteria_from_rows(rows: list[list[Any]]) -> list[Criterion]:
    """A spreadsheet's rows (header first) as criteria; a cell that cannot be read is an
    error naming its row and column."""
    criteria, errors = [], []
    for number, raw in records(rows, COLUMNS, REQUIRED):
        cells = {f: str(v).strip() if v is not None else "" for f, v in raw.items()}
        try:
            maximum = float(cells["maximum"].replace(",", "."))
        except ValueError:
            errors.append(FieldError(f"row {number}.maximum", N_("not a number")))
            continue
        if not cells["code"] or not cells["name_vi"]:
            errors.append(FieldError(f"row {number}", N_("code and name are required")))
            continue
        criteria.append(Criterion(code=cells["code"], part=cells["part"].upper(),
                                  name_vi=cells["name_vi"],
                                  name_en=cells.get("name_en") or cells["name_vi"],
                                  maximum=maximum))
    if errors:
        raise BadRequest(N_("Some rows could not be read; see 'errors'."),
                         code="unreadable-rows", errors=errors)
    return criteria


@dataclass
class CriteriaTables:
    """Loading a table adds its next version; nothing already scored changes."""

    store: DocumentStore
    clock: Clock

    async def load(self, caller: Caller, *, criteria_set: str, group: str,
                   subgroup: str | None, criteria: Iterable[Criterion], source: str | None
                   ) -> Document:
        rows = list(criteria)
        decision = find_set(criteria_set)
        check_table(decision, group, subgroup, rows)
        source = source or f"Phụ lục, Quyết định {decision.decision}"
        key = table_key(criteria_set, group, subgroup)
        async with self.store.transaction() as tx:
            latest = (await tx.find(CRITERIA_TABLES.name, {"key": key}, order_by="-version",
                                    limit=1)).items
            version = latest[0].data["version"] + 1 if latest else 1
            try:
                loaded = await tx.insert(CRITERIA_TABLES.name, table_id(key, version), {
                    "key": key, "criteria_set": criteria_set, "group": group,
                    "subgroup": subgroup, "version": version, "source": source,
                    "criteria": [c.__dict__ for c in rows], "loaded_by": caller.user_id,
                    "loaded_at": self.clock.stamp()})
            except DocumentExists:
                raise Conflict(N_("Another version of this table was loaded at the same "
                                  "moment; check the latest version and load again if "
                                  "needed."), code="criteria-table-raced") from None
            await History(self.clock).record(
                tx, "criteria_table", loaded.id, loaded.version, {},
                {"criteria_set": criteria_set, "group": group, "subgroup": subgroup,
                 "version": version, "source": source, "criteria": len(rows)},
                caller.user_id, "criteria-table-loaded")
            return loaded
