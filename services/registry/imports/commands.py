"""Import commands: the rows read from an office's list registered as subjects or products,
all or nothing unless the office keeps the valid rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from services.registry.imports.rules import Parsed, RowProblem
from services.registry.imports.template import header_of
from services.registry.store import SUBJECTS
from services.registry.subjects.commands import Registry
from services.registry.subjects.model import Product, Subject
from services.registry.subjects.rules import normalize_subject_code
from shared.identity.auth import Caller
from shared.ocop.vocabulary import SubjectType
from shared.ports.store import Transaction
from shared.refusals import N_, AppError, FieldError, invalid


@dataclass(frozen=True)
class ImportReport:
    """What an import did: the ids of the records it created and the rows it refused
    (``partial``: the valid rows were kept)."""

    kind: str
    ids: list[str]
    rejected: list[RowProblem]
    partial: bool


def reported(kind: str, problems: list[RowProblem]) -> list[dict[str, Any]]:
    """Each refused row as the answers carry it: its number as the spreadsheet numbers it,
    and each refused field with its column's header in the template (``template.header_of``)
    and the reason in English and Vietnamese."""
    return [p.as_dict(lambda field: header_of(kind, field)) for p in problems]


class ImportRejected(AppError):
    """All-or-nothing import with refused rows: nothing was written. Its answer names each
    refused field as ``row N: field`` (``errors``, as before) and carries the rows
    structured (``rejected``, as a partial import's answer does)."""

    def __init__(self, kind: str, problems: list[RowProblem]) -> None:
        problems = sorted(problems, key=lambda p: p.row)
        rows = ", ".join(str(p.row) for p in problems[:20])
        super().__init__(
            N_("Nothing was imported: %(count)s row(s) were refused (%(rows)s). Fix them, or "
               "import with partial=true to keep the valid rows."), code="import-rejected",
            status=422, errors=[replace(e, field=f"row {p.row}: {e.field}")
                                for p in problems for e in p.errors],
            count=len(problems), rows=rows)
        self.problems = problems
        self.extensions = {"rejected": reported(kind, problems)}


@dataclass
class Imports:
    registry: Registry
    """What registers each row, in the import's one transaction."""

    async def import_rows(self, caller: Caller, kind: str, parsed: Parsed, *, partial: bool,
                          progress: Callable[[int], None] | None = None) -> ImportReport:
        """Register every parsed row in one transaction. All or nothing unless ``partial``:
        one refused row (unreadable, invalid, duplicate, unknown subject) and nothing is
        written, and the report names each refused row, field and reason."""
        problems = list(parsed.problems)
        created: list[str] = []
        async with self.registry.store.transaction() as tx:
            for row_number, row in parsed.rows:
                try:
                    if kind == "subjects":
                        added: Subject | Product = await self.registry.add_subject(
                            tx, caller, **row)
                    else:
                        subject_id = await _subject_by_code(tx, row.pop("subject_code"))
                        added = await self.registry.add_product(
                            tx, caller, subject_id=subject_id, **row)
                    created.append(added.id)
                except AppError as exc:
                    problems.append(RowProblem(row_number, exc.errors or [
                        FieldError("row", exc.template, exc.params)]))
                if progress is not None:
                    progress(1)
            if problems and not partial:
                raise ImportRejected(kind, problems)  # leaving the transaction rolls it all back
        problems.sort(key=lambda p: p.row)
        return ImportReport(kind, created, problems, partial)


async def _subject_by_code(tx: Transaction, code: str) -> str:
    """The subject registered under ``code``, however the office wrote it."""
    candidates = {code.strip().upper()}
    for kind in SubjectType:
        try:
            candidates.add(normalize_subject_code(kind, code))
        except AppError:
            continue
    for candidate in candidates:
        page = await tx.find(SUBJECTS.name, {"code": candidate}, limit=1)
        if page.items:
            return page.items[0].id
    raise invalid("subject_code", N_("no subject is registered with code %(number)s"),
                  number=code)
