"""Scan analytics endpoints: a producer's scans per product, batch and day, and the
counterfeit signals (anomalies) its codes raised; the office sees every province's."""

from __future__ import annotations

from datetime import date
from typing import Annotated, TypedDict

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from services.traceability.api.deps import gate, may
from services.traceability.scans.model import Anomaly, AnomalyKind, ScanCounts, ScanReport
from services.traceability.scans.model import by_province as count_by_province
from services.traceability.scans.queries import AnomalyFilter, ScanFigures
from services.traceability.scans.rules import Confidence, span
from shared.http.paging import Cursor, Limit, PageOut
from shared.identity.access import Scope
from shared.identity.auth import CurrentCaller
from shared.platform.runtime import part

FiguresPart = Annotated[ScanFigures, Depends(part(ScanFigures))]
Since = Annotated[date | None, Query(description="First day (Việt Nam time); 30 days before "
                                                 "'until' by default")]
Until = Annotated[date | None, Query(description="Last day; today by default")]
router = APIRouter(tags=["scans"])


class CountsOut(BaseModel):
    scans: int
    """Every counted scan (a shopper's GET of a scan page)."""
    unit_scans: int
    """Scans of units' own codes (serials)."""
    units_scanned: int
    """Distinct units whose code was scanned, each on its first scan's day."""

    @classmethod
    def of(cls, counts: ScanCounts) -> CountsOut:
        return cls(scans=counts.scans, unit_scans=counts.unit_scans,
                   units_scanned=counts.units_scanned)


class DayOut(CountsOut):
    day: date


class BatchCountsOut(CountsOut):
    batch_id: str | None
    """None: scans of the product's own code (no lot)."""
    lot: str | None


class AnomalyOut(BaseModel):
    id: str
    kind: AnomalyKind
    product_id: str
    subject_id: str
    province: str
    commune: str
    gtin: str | None
    batch_id: str | None
    lot: str | None
    day: date
    first_seen_at: str
    last_seen_at: str
    codes: list[str]
    """The codes seen (the first 20): the copied serial, or the forged serials or lots."""
    scans: int
    """Counted scans: each device's scans of a code count once per half hour, at most three
    a day."""
    devices: int
    """Distinct devices (coarse fingerprints) among them."""
    networks: int
    """Distinct networks among them: one client, household or shop is one, whatever
    browsers it names."""
    confidence: Confidence
    """low: one network; medium: a few; high: as many as a copy needs devices (five). A
    shopper scanning a copied code is warned only at high."""

    @classmethod
    def of(cls, anomaly: Anomaly) -> AnomalyOut:
        return cls(id=anomaly.id, kind=anomaly.kind, product_id=anomaly.product_id,
                   subject_id=anomaly.subject_id, province=anomaly.province,
                   commune=anomaly.commune, gtin=anomaly.gtin, batch_id=anomaly.batch_id,
                   lot=anomaly.lot, day=date.fromisoformat(anomaly.day),
                   first_seen_at=anomaly.first_seen_at, last_seen_at=anomaly.last_seen_at,
                   codes=anomaly.codes, scans=anomaly.scans, devices=anomaly.device_count,
                   networks=len(anomaly.networks), confidence=anomaly.confidence)


class ReportOut(BaseModel):
    since: date
    until: date
    total: CountsOut
    days: list[DayOut]
    """Every day of the span, zeros included."""


class _ReportFields(TypedDict):
    """``ReportOut``'s fields, for the answers that extend it."""

    since: date
    until: date
    total: CountsOut
    days: list[DayOut]


def _report(report: ScanReport) -> _ReportFields:
    return {"since": report.since, "until": report.until, "total": CountsOut.of(report.total),
            "days": [DayOut(day=day, **CountsOut.of(counts).model_dump())
                     for day, counts in report.days]}


class ProductScansOut(ReportOut):
    product_id: str
    batches: list[BatchCountsOut]


class BatchScansOut(ReportOut):
    batch_id: str
    lot: str
    units_printed: int
    """Units' codes printed for the batch (serial label sheets)."""
    copied: list[AnomalyOut]
    """Its units' codes that look copied (scanned from too many devices), each with how
    sure that is."""


class ProvinceOut(BaseModel):
    province: str
    total: int
    copied_serial: int
    unknown_serial: int
    unknown_lot: int
    consumer_report: int


@router.get("/products/{product_id}/scans", summary=(
    "Scans of a product's codes per day and per batch (its producer, or the office)"),
    **may("scans.read", Scope.PATH))
async def product_scans(figures: FiguresPart, product_id: str, since: Since = None,
                        until: Until = None) -> ProductScansOut:
    first, last = span(since, until, figures.today())
    scans = await figures.product_scans(product_id, first, last)
    return ProductScansOut(
        product_id=product_id, **_report(scans.report),
        batches=[BatchCountsOut(batch_id=batch_id, lot=scans.lots.get(batch_id or ""),
                                **CountsOut.of(counts).model_dump())
                 for batch_id, counts in scans.report.batches.items()])


@router.get("/batches/{batch_id}/scans", summary=(
    "Scans of a batch's codes per day, its units printed and scanned, and its codes that "
    "look copied (its producer, or the office)"), **may("scans.read", Scope.PATH))
async def batch_scans(figures: FiguresPart, batch_id: str, since: Since = None,
                      until: Until = None) -> BatchScansOut:
    first, last = span(since, until, figures.today())
    scans = await figures.batch_scans(batch_id, first, last)
    return BatchScansOut(batch_id=batch_id, lot=scans.batch.lot, **_report(scans.report),
                         units_printed=scans.printed,
                         copied=[AnomalyOut.of(a) for a in scans.copied])


@router.get("/anomalies", summary=(
    "Counterfeit signals, newest day first: the office sees all, a producer its own "
    "products'"), **may("anomaly.read", Scope.LIST))
async def list_anomalies(figures: FiguresPart, caller: CurrentCaller,
                         kind: Annotated[AnomalyKind | None, Query()] = None,
                         province: Annotated[str | None, Query(max_length=100)] = None,
                         product_id: Annotated[str | None, Query(max_length=100)] = None,
                         batch_id: Annotated[str | None, Query(max_length=100)] = None,
                         since: Since = None, until: Until = None, limit: Limit = 50,
                         cursor: Cursor = None) -> PageOut[AnomalyOut]:
    asked = AnomalyFilter(kind, province, product_id, batch_id, since, until)
    found, next_cursor = await figures.anomalies(gate.visible("anomaly.read", caller),
                                                  asked, limit, cursor)
    return PageOut(items=[AnomalyOut.of(a) for a in found], next_cursor=next_cursor)


@router.get("/anomalies/provinces", summary=(
    "Counterfeit signals per province and kind over a span of days (the office)"),
    **may("anomaly.summary"))
async def anomalies_by_province(figures: FiguresPart, since: Since = None,
                                until: Until = None) -> list[ProvinceOut]:
    first, last = span(since, until, figures.today())
    found = await figures.all_anomalies(AnomalyFilter(since=first, until=last))
    return [ProvinceOut(province=province, total=counts.total(),
                        **{kind.value: counts[kind.value] for kind in AnomalyKind})
            for province, counts in count_by_province(found)]
