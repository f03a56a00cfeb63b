"""The annual summary of a locality (báo cáo tổng kết): JSON, CSV, XLSX or PDF."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from services.rating.api.deps import CertificatesPart, SummariesPart, may
from services.rating.summaries.pdf import summary_pdf
from services.rating.summaries.queries import Locality
from services.rating.summaries.reports import summary_csv, summary_xlsx
from shared.files.tables import XLSX
from shared.http.fields import EraDate, FreeText, Place
from shared.i18n.text import fold
from shared.refusals.openapi import files

PlaceFilter = Annotated[str, FreeText(100)]


class TallyOut(BaseModel):
    """Distinct products and the subjects (chủ thể) that make them."""

    products: int
    subjects: int


class LocalityOut(BaseModel):
    province: str
    district: str | None
    commune: str | None


class GroupTallyOut(BaseModel):
    group: str
    name_vi: str
    name_en: str
    products: int
    subjects: int
    subjects_by_type: dict[str, int]
    by_stars: dict[str, int]
    """Its products by the stars of their latest decision of the year ("3", "4", "5")."""


class SubgroupTallyOut(BaseModel):
    group: str
    subgroup: str
    name_vi: str
    name_en: str
    products: int
    subjects: int


class SubjectTypeTallyOut(BaseModel):
    type: str
    name_vi: str
    name_en: str
    products: int
    subjects: int


class CommuneTallyOut(BaseModel):
    commune: str
    products: int
    subjects: int
    by_stars: dict[str, int]
    """Its products by the stars of their latest decision of the year ("3", "4", "5")."""


class RecognisedOut(TallyOut):
    """Products recognised in the year, each once at the stars of its latest decision."""

    by_stars: dict[str, int]
    by_group: list[GroupTallyOut]
    by_subgroup: list[SubgroupTallyOut]
    by_subject_type: list[SubjectTypeTallyOut]
    by_commune: list[CommuneTallyOut]


class ExpiringCertificateOut(BaseModel):
    number: str
    product_id: str
    product_name: str
    subject_name: str
    stars: int
    valid_until: date


class ExpiringOut(BaseModel):
    within_months: int
    until: date
    certificates: list[ExpiringCertificateOut]


class ChannelTallyOut(BaseModel):
    channel_id: str
    channel_name: str
    products: int
    subjects: int


class OnSaleOut(BaseModel):
    by_channel: list[ChannelTallyOut]
    """The locality's listed products on each sales channel now, most products first."""


class SummaryOut(BaseModel):
    """The annual summary of a locality (báo cáo tổng kết)."""

    year: int
    locality: LocalityOut
    as_of: date
    registered: TallyOut
    recognised: RecognisedOut
    expiring: ExpiringOut
    on_sale: OnSaleOut


router = APIRouter(tags=["summaries"])


@router.get("/summaries/{year}",
            summary="Annual summary of a locality (báo cáo tổng kết): JSON, CSV, XLSX or PDF",
            **may("summary.read"), response_model=SummaryOut,
            responses=files("text/csv", XLSX, "application/pdf",
                            description="The summary: JSON, or the file format=csv, xlsx or "
                                        "pdf asks for (the PDF under the national heading, "
                                        "as an office files it)"))
async def summary(summaries: SummariesPart, certificates: CertificatesPart,
                  year: Annotated[int, Path(ge=2018, le=2100)],
                  province: Annotated[Place, Query()],
                  district: Annotated[PlaceFilter | None, Query()] = None,
                  commune: Annotated[PlaceFilter | None, Query()] = None,
                  expiring_within_months: Annotated[int, Query(ge=0, le=36)] = 6,
                  as_of: EraDate | None = None,
                  format: Literal["json", "csv", "xlsx", "pdf"] = "json"
                  ) -> Response | SummaryOut:
    report = await summaries.summary(year, Locality(province, district, commune),
                                     as_of=as_of or summaries.clock.today(),
                                     expiring_within_months=expiring_within_months)
    name = f"ocop-{year}-{fold(province).replace(' ', '-')}"
    if format == "csv":
        return Response(summary_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if format == "xlsx":
        return Response(summary_xlsx(report), media_type=XLSX,
                        headers={"Content-Disposition":
                                 f'attachment; filename="{name}.xlsx"'})
    if format == "pdf":  # drawn by the certificates' worker, off the event loop
        return Response(await certificates.renderer.run(summary_pdf, report),
                        media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})
    return SummaryOut.model_validate(report)
