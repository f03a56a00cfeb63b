"""The read side of scans: a product's or a batch's scans per day and per batch, its units
printed and scanned, and the anomalies the office and the producer read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.traceability.labels.model import SheetKind
from services.traceability.origin.model import Batch
from services.traceability.scans.commands import Scanning
from services.traceability.scans.model import Anomaly, AnomalyKind, ScanReport
from services.traceability.store import ANOMALIES, anomalies, batches, scan_days, sheets
from shared.identity.access import Visibility
from shared.ports.store import DocumentStore, Filter, find_all


@dataclass(frozen=True)
class AnomalyFilter:
    kind: AnomalyKind | None = None
    province: str | None = None
    product_id: str | None = None
    batch_id: str | None = None
    since: date | None = None
    until: date | None = None

    def where(self, visibility: Visibility) -> Filter:
        where: dict[str, object] = {name: value for name, value in (
            ("kind", self.kind.value if self.kind else None), ("province", self.province),
            ("product_id", self.product_id), ("batch_id", self.batch_id)) if value}
        days = {op: d.isoformat() for op, d in (("$gte", self.since), ("$lte", self.until))
                if d}
        if days:
            where["day"] = days
        if not visibility.everything:
            where["subject_id"] = visibility.subject_id
        return where


@dataclass(frozen=True)
class ProductScans:
    product_id: str
    report: ScanReport
    lots: dict[str, str]
    """Batch id → its lot, for the batches in the report."""


@dataclass(frozen=True)
class BatchScans:
    batch: Batch
    report: ScanReport
    printed: int
    """Units' codes printed for the batch (serial sheets)."""
    copied: list[Anomaly]
    """Its units' codes that look copied."""


@dataclass
class ScanFigures:
    store: DocumentStore
    scanning: Scanning
    """Whose scans counted in memory are written before a report reads them."""

    def today(self) -> date:
        return self.scanning.today()

    async def product_scans(self, product_id: str, since: date, until: date
                            ) -> ProductScans:
        """Scans of a product's codes over ``since``..``until``, per day and per batch."""
        report = await self._report({"product_id": product_id}, since, until)
        ids = [batch_id for batch_id in report.batches if batch_id]
        found = await batches.find(self.store, {"id": {"$in": ids}}) if ids else []
        return ProductScans(product_id, report, {b.id: b.lot for b in found})

    async def batch_scans(self, batch_id: str, since: date, until: date) -> BatchScans:
        """Scans of a batch's codes, its units printed and scanned, its copied codes."""
        batch = await batches.get(self.store, batch_id)
        report = await self._report({"batch_id": batch_id}, since, until)
        printed = sum(sheet.count for sheet in await sheets.find(self.store,
                                                                 {"batch_id": batch_id})
                      if sheet.kind is SheetKind.SERIAL)
        copied = await anomalies.find(self.store, {"batch_id": batch_id})
        return BatchScans(batch, report, printed, copied)

    async def _report(self, where: Filter, since: date, until: date) -> ScanReport:
        await self.scanning.flush()  # the counts kept in memory first
        days = {"$gte": since.isoformat(), "$lte": until.isoformat()}
        counted = await scan_days.find(self.store, {**where, "day": days})
        return ScanReport.of(counted, since, until)

    async def anomalies(self, visibility: Visibility, asked: AnomalyFilter, limit: int,
                        after: str | None) -> tuple[list[Anomaly], str | None]:
        page = await self.store.find(ANOMALIES.name, asked.where(visibility), order_by="-day",
                                     limit=limit, after=after)
        return [anomalies.load(doc) for doc in page.items], page.next_cursor

    async def all_anomalies(self, asked: AnomalyFilter) -> list[Anomaly]:
        return [anomalies.load(doc) async for doc in
                find_all(self.store, ANOMALIES.name, asked.where(Visibility(everything=True)))]
