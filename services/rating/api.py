"""Rating endpoints: criteria sets, evaluations and score sheets, recognition, certificates."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from services.rating import store as repositories
from services.rating.access import RULES
from services.rating.certificates.commands import Certificates
from services.rating.certificates.model import Certificate
from services.rating.certificates.verification import verification_view
from services.rating.criteria import rules as criteria
from services.rating.criteria.commands import CriteriaTables, criteria_from_rows
from services.rating.criteria.queries import evaluation_table
from services.rating.criteria.rules import Shortfall
from services.rating.evaluations.commands import Rating
from services.rating.evaluations.model import (
    Evaluation,
    EvaluationResult,
    EvaluationStatus,
    ScoreSheet,
)
from services.rating.evaluations.rules import COMMUNE_CRITERIA, Level
from services.rating.store import CERTIFICATES, PRODUCTS, SUBJECTS
from services.rating.summaries.queries import Locality, Summaries
from services.rating.summaries.reports import summary_csv, summary_xlsx
from shared.access import Gate, Scope, path_owner
from shared.auth import CurrentCaller
from shared.fields import EraDate, FreeText, Line, Place
from shared.i18n import install
from shared.language import LANGUAGE_NAMES, pick_language
from shared.openapi_problems import files
from shared.paging import Cursor, Limit, PageOut
from shared.refusals import BadRequest, FieldError
from shared.runtime import part
from shared.store import Document
from shared.tables import XLSX, read_table
from shared.text import fold
from shared.uploads import read_body

templates = Jinja2Templates(directory=FilePath(__file__).parent / "templates")
install(templates.env)
templates.env.globals |= {"language_names": LANGUAGE_NAMES}
Score = Annotated[float, Field(allow_inf_nan=False)]
MAX_TABLE_FILE_BYTES = 2_000_000
MAX_CRITERIA = 200
Note = Annotated[str, FreeText(2000)]
RoundName = Annotated[str, Line(3, 200)]
Username = Annotated[str, Line(3, 64)]
CriterionName = Annotated[str, Line(2, 500)]
CriterionNameEn = Annotated[str, FreeText(500)]
DecisionNumber = Annotated[str, Line(3, 60)]
Reason = Annotated[str, Line(5, 2000)]
PlaceFilter = Annotated[str, FreeText(100)]


class ProposalIn(BaseModel):
    """The commune's pre-assessment (đánh giá sơ bộ) of its own criteria."""

    product_id: str
    assessed_on: EraDate | None = Field(None, description="Default: today")
    origin: bool = Field(description="Idea and raw materials of local origin")
    local_labour: bool = Field(description="Uses local labour")
    idea: bool = Field(description="A product idea worth developing")
    local_identity: bool = Field(description="Carries the locality's identity")
    notes: Note = ""


class RoundIn(BaseModel):
    name: RoundName = Field(examples=["Đợt 1 năm 2026"])
    level: Level
    province: Place
    opens_on: EraDate
    closes_on: EraDate
    council: RoundName = Field(description="The council's name")
    members: list[Username] = Field(min_length=1, max_length=50,
                               description="Usernames of the council's members")


class EvaluationIn(BaseModel):
    product_id: str
    evaluation_date: EraDate | None = Field(None, description="Default: today. Decides the "
                                                           "criteria set in force.")
    round_id: str | None = Field(None, description="The round whose council scores it: "
                                                   "then only its members may score")
    criteria_set: str | None = Field(None, description="Default: the set in force on the "
                                                       "evaluation date; naming another is "
                                                       "refused", examples=["148/2023"])


class ScoreSheetIn(BaseModel):
    """Per criterion when the evaluation has a criteria table (its 'criteria'), else per
    part."""

    criteria: dict[str, Score] | None = Field(
        None, description="Criterion code → score, for every criterion of the evaluation's "
                          "table", examples=[{"A1": 4, "A2": 3.5}])
    part_a: Score | None = Field(None, description="Part A: product and community strength")
    part_b: Score | None = Field(None, description="Part B: marketing capability")
    part_c: Score | None = Field(None, description="Part C: product quality")
    comment: Note = ""

    def parts(self) -> dict[str, float] | None:
        given = {"A": self.part_a, "B": self.part_b, "C": self.part_c}
        if all(v is None for v in given.values()):
            return None
        missing = [p for p, v in given.items() if v is None]
        if missing:
            raise BadRequest("Give all three part totals.", "Cần đủ điểm ba phần.",
                             code="missing-parts",
                             errors=[FieldError(f"part_{p.lower()}", "required", "bắt buộc")
                                     for p in missing])
        return {p: float(v) for p, v in given.items() if v is not None}


class CriterionIn(BaseModel):
    code: str = Field(min_length=1, max_length=20, examples=["A1"])
    part: Literal["A", "B", "C"]
    name_vi: CriterionName
    name_en: CriterionNameEn = ""
    maximum: float = Field(gt=0, le=40, allow_inf_nan=False)


class CriteriaTableIn(BaseModel):
    """A criteria set's table for one product group (or sub-group), from its appendix."""

    criteria_set: str = Field(examples=["148/2023"])
    group: str = Field(min_length=2, max_length=60, examples=["food"])
    subgroup: str | None = Field(None, max_length=60, description="Only where the appendix "
                                                                  "gives the sub-group its "
                                                                  "own table")
    source: str | None = Field(None, min_length=3, max_length=300,
                               description="Where the table comes from. Default: the "
                                           "decision's appendix",
                               examples=["Phụ lục III, Quyết định 148/QĐ-TTg ngày 24/02/2023"])
    criteria: list[CriterionIn] = Field(min_length=3, max_length=MAX_CRITERIA)


class RecognitionIn(BaseModel):
    decision_number: DecisionNumber = Field(examples=["1234/QĐ-UBND"])
    decision_date: EraDate | None = Field(None, description="Default: today")
    level: Level | None = Field(None, description="Default: the level that recognises "
                                                         "these stars on the decision date")


class RevocationIn(BaseModel):
    reason: Reason


class CertificateOut(BaseModel):
    id: str
    number: str
    product_id: str
    subject_id: str
    stars: int
    score: float
    level: str
    decision_number: str
    decision_date: date
    valid_from: date
    valid_until: date
    status: str
    """active, revoked, superseded, or expired (shown as soon as past valid_until)"""
    revocation_reason: str | None = None
    authority: list[str] | None = Field(None, description="Who recognised it: Vietnamese, "
                                                          "English")


class PartMaximaOut(BaseModel):
    """Each part's maximum points under a criteria set."""

    part_a: int
    part_b: int
    part_c: int


def _per_part(values: Mapping[str, float]) -> dict[str, float]:
    return {f"part_{p.lower()}": v for p, v in values.items()}


class CriteriaSetOut(BaseModel):
    code: str
    decision: str
    in_force_from: date
    maxima: PartMaximaOut


class CriterionOut(BaseModel):
    code: str
    part: str
    name_vi: str
    name_en: str
    maximum: float


class CriteriaTableOut(BaseModel):
    id: str
    criteria_set: str
    group: str
    subgroup: str | None
    version: int
    source: str
    criteria: list[CriterionOut]
    loaded_by: str
    loaded_at: str


class EvaluationOut(BaseModel):
    """An evaluation with the maxima its sheets are checked against: the parts', and each
    criterion's (``criteria``) when it is scored on a criteria table."""

    id: str
    version: int
    product_id: str
    evaluation_date: date
    criteria_set: str
    criteria_table: str | None
    round_id: str | None
    level: Level | None
    opened_by: str
    opened_at: str
    status: EvaluationStatus
    result: EvaluationResult | None
    closed_by: str | None
    closed_at: str | None
    certificate_id: str | None
    maxima: PartMaximaOut
    criteria: list[CriterionOut] | None


class ScoreSheetOut(BaseModel):
    """A member's sheet: the criteria's scores when it is scored on a criteria table, and
    the part totals."""

    member: str
    total: float
    criteria: dict[str, float] | None
    part_a: float
    part_b: float
    part_c: float


class EvaluationWithSheetsOut(EvaluationOut):
    score_sheets: list[ScoreSheetOut]


class ScoredOut(BaseModel):
    evaluation_id: str
    member: str
    total: float


class ResultOut(BaseModel):
    """A closed evaluation's result: score, stars, parts and, below 3★, what fell short
    (``criteria`` and ``proposed_to_central`` are absent from results closed before
    either existed)."""

    evaluation_id: str
    evaluation_date: date
    criteria_set: str
    level: Level | None
    certificate_id: str | None
    score: float
    stars: int
    parts: dict[str, float]
    criteria: dict[str, float] | None = None
    members: int
    recognisable: bool
    proposed_to_central: bool | None = None
    shortfalls: list[Shortfall]


class ProposalOut(BaseModel):
    id: str
    product_id: str
    assessed_on: date
    checks: dict[str, bool]
    proposed: bool
    shortfalls: list[str]
    """The criteria the commune found unmet."""
    notes: str
    by: str
    at: str


class RoundOut(BaseModel):
    id: str
    name: str
    level: Level
    province: str
    opens_on: date
    closes_on: date
    council: str
    members: list[str]
    opened_by: str
    opened_at: str
    year: int


class ExpiryOut(BaseModel):
    expired: int
    """How many certificates expired now."""


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


def certificate_out(certificate: Certificate, today: date) -> CertificateOut:
    return CertificateOut(**repositories.certificates.dump(certificate) | {
        "id": certificate.id, "status": certificate.state_on(today).value})


def _evaluation_fields(evaluation: Evaluation, table: criteria.CriteriaTable | None
                       ) -> dict[str, Any]:
    return {"id": evaluation.id, "version": evaluation.version,
            **repositories.evaluations.dump(evaluation),
            "maxima": _per_part(evaluation.criteria_set_in_use.maxima),
            "criteria": [c.__dict__ for c in table.criteria] if table else None}


def evaluation_out(evaluation: Evaluation, table: criteria.CriteriaTable | None
                   ) -> EvaluationOut:
    return EvaluationOut.model_validate(_evaluation_fields(evaluation, table))


def evaluation_with_sheets_out(evaluation: Evaluation, table: criteria.CriteriaTable | None,
                               sheets: list[ScoreSheet]) -> EvaluationWithSheetsOut:
    return EvaluationWithSheetsOut.model_validate(_evaluation_fields(evaluation, table) | {
        "score_sheets": [{"member": s.member, "total": s.total, "criteria": s.criteria,
                          **_per_part(s.parts)} for s in sheets]})


def result_out(evaluation: Evaluation) -> ResultOut:
    return ResultOut.model_validate({
        "evaluation_id": evaluation.id, "evaluation_date": evaluation.evaluation_date,
        "criteria_set": evaluation.criteria_set, "level": evaluation.level,
        "certificate_id": evaluation.certificate_id, **evaluation.closed_result()})


def table_out(doc: Document) -> CriteriaTableOut:
    return CriteriaTableOut.model_validate(doc.data | {"id": doc.id})


RatingPart = Annotated[Rating, Depends(part(Rating))]
CertificatesPart = Annotated[Certificates, Depends(part(Certificates))]
TablesPart = Annotated[CriteriaTables, Depends(part(CriteriaTables))]
SummariesPart = Annotated[Summaries, Depends(part(Summaries))]
router = APIRouter()
may = Gate(RULES, path_owner(lambda request: part(Rating)(request).store, PRODUCTS.name,
                                  SUBJECTS.name)).rule


async def evaluation_with_table(rating: Rating, evaluation: Evaluation) -> EvaluationOut:
    return evaluation_out(evaluation, await evaluation_table(rating.store,
                                                             evaluation.criteria_table))


@router.get("/criteria-sets", tags=["criteria"],
            summary="The criteria sets (bộ tiêu chí) and when each came into force",
            **may("criteria.read"))
async def criteria_sets() -> list[CriteriaSetOut]:
    return [CriteriaSetOut.model_validate({
        "code": s.code, "decision": s.decision, "in_force_from": s.in_force_from,
        "maxima": _per_part(s.maxima)}) for s in criteria.CRITERIA_SETS]


@router.post("/criteria-tables", tags=["criteria"], status_code=status.HTTP_201_CREATED,
             summary="Load the next version of a group's criteria table (admin)",
             **may("criteria.load"))
async def load_table(tables: TablesPart, body: CriteriaTableIn,
                     caller: CurrentCaller
                     ) -> CriteriaTableOut:
    """Each part's criteria must add up to the part's maximum in the decision.
    Evaluations opened from now on are scored criterion by criterion on this version;
    those already open keep the version (or the part totals) they opened with."""
    rows = [criteria.Criterion(c.code, c.part, c.name_vi, c.name_en or c.name_vi,
                               c.maximum) for c in body.criteria]
    return table_out(await tables.load(caller, criteria_set=body.criteria_set,
                                       group=body.group, subgroup=body.subgroup,
                                       criteria=rows, source=body.source))


@router.post("/criteria-tables/file", tags=["criteria"],
             status_code=status.HTTP_201_CREATED,
             summary="Load a group's criteria table from a CSV or XLSX file (admin)",
             **may("criteria.load", openapi_extra={"requestBody": {"content": {
                 "text/csv": {"schema": {"type": "string"}},
                 XLSX: {"schema": {"type": "string", "format": "binary"}}}}}))
async def load_table_file(tables: TablesPart, request: Request,
                          caller: CurrentCaller,
                          criteria_set: Annotated[str, Query(examples=["148/2023"])],
                          group: Annotated[str, Query(min_length=2, max_length=60)],
                          subgroup: Annotated[str | None, Query(max_length=60)] = None,
                          source: Annotated[str | None,
                                            Query(min_length=3, max_length=300)] = None
                          ) -> CriteriaTableOut:
    """The body is the file: one row per criterion with the columns code (Mã), part
    (Phần: A, B or C), name (Tên tiêu chí), name_en (optional) and maximum (Điểm tối
    đa)."""
    data = await read_body(request, MAX_TABLE_FILE_BYTES)
    rows = await asyncio.to_thread(read_table, data,
                                   request.headers.get("content-type", ""),
                                   max_rows=MAX_CRITERIA)
    return table_out(await tables.load(caller, criteria_set=criteria_set, group=group,
                                       subgroup=subgroup, criteria=criteria_from_rows(rows),
                                       source=source))


@router.get("/criteria-tables", tags=["criteria"],
            summary="The latest version of each loaded criteria table",
            **may("criteria.read"))
async def current_tables(tables: TablesPart, criteria_set: str | None = None
                         ) -> list[CriteriaTableOut]:
    return [table_out(d) for d in await tables.current(criteria_set)]


@router.get("/criteria-tables/{table_id}", tags=["criteria"],
            summary="One version of a criteria table", **may("criteria.read"))
async def get_table(tables: TablesPart, table_id: str) -> CriteriaTableOut:
    return table_out(await tables.get(table_id))


@router.post("/evaluations", tags=["evaluations"], status_code=status.HTTP_201_CREATED,
             summary="Open the evaluation of a submitted product (admin)",
             **may("evaluation.open"))
async def open_evaluation(rating: RatingPart, body: EvaluationIn,
                          caller: CurrentCaller
                          ) -> EvaluationOut:
    return await evaluation_with_table(rating, await rating.open_evaluation(
        caller, body.product_id, body.evaluation_date, body.round_id, body.criteria_set))


@router.post("/proposals", tags=["evaluations"], status_code=status.HTTP_201_CREATED,
             summary="The commune's pre-assessment and proposal (from 6 July 2025)",
             **may("proposal.make", Scope.BODY))
async def propose(rating: RatingPart, body: ProposalIn,
                  caller: CurrentCaller
                  ) -> ProposalOut:
    checks = body.model_dump(include=set(COMMUNE_CRITERIA))
    proposal = await rating.propose(caller, body.product_id, body.assessed_on, checks,
                                    body.notes)
    return ProposalOut.model_validate({"id": proposal.id,
                                       **repositories.proposals.dump(proposal)})


@router.post("/rounds", tags=["evaluations"], status_code=status.HTTP_201_CREATED,
             summary="Open an evaluation round with its council (admin)",
             **may("round.open"))
async def open_round(rating: RatingPart, body: RoundIn,
                     caller: CurrentCaller
                     ) -> RoundOut:
    held = await rating.open_round(caller, **body.model_dump())
    return RoundOut.model_validate({"id": held.id, **repositories.rounds.dump(held)})


@router.get("/products/{product_id}/results", tags=["evaluations"],
            summary="A product's results, with what fell short: for the office, the "
                    "council, its producer and its commune", **may("result.read",
                                                                   Scope.PATH),
            response_model_exclude_unset=True)
async def results(rating: RatingPart, product_id: str) -> list[ResultOut]:
    return [result_out(e) for e in await rating.results(product_id)]


@router.get("/evaluations/{evaluation_id}", tags=["evaluations"],
            summary="An evaluation with its score sheets and result",
            **may("evaluation.read"))
async def get_evaluation(rating: RatingPart, evaluation_id: str
                         ) -> EvaluationWithSheetsOut:
    evaluation, sheets = await rating.evaluation(evaluation_id)
    return evaluation_with_sheets_out(evaluation, await evaluation_table(
        rating.store, evaluation.criteria_table), sheets)


@router.post("/evaluations/{evaluation_id}/score-sheets", tags=["evaluations"],
             status_code=status.HTTP_201_CREATED,
             summary="A council member's score sheet (one per member)",
             **may("evaluation.score"))
async def score(rating: RatingPart, evaluation_id: str, body: ScoreSheetIn,
                caller: CurrentCaller
                ) -> ScoredOut:
    sheet = await rating.score(caller, evaluation_id, parts=body.parts(),
                               by_criterion=body.criteria, comment=body.comment)
    return ScoredOut(evaluation_id=evaluation_id, member=sheet.member, total=sheet.total)


@router.post("/evaluations/{evaluation_id}/closing", tags=["evaluations"],
             summary="Close the evaluation: average, stars, and for 1–2★ what fell short",
             **may("evaluation.close"))
async def close(rating: RatingPart, evaluation_id: str,
                caller: CurrentCaller) -> EvaluationOut:
    return await evaluation_with_table(rating, await rating.close(caller, evaluation_id))


@router.post("/evaluations/{evaluation_id}/recognition", tags=["certificates"],
             status_code=status.HTTP_201_CREATED,
             summary="Recognition decision and certificate for a ≥ 3★ result (admin)",
             **may("certificate.issue"))
async def recognise(certificates: CertificatesPart, evaluation_id: str, body: RecognitionIn,
                    caller: CurrentCaller
                    ) -> CertificateOut:
    return certificate_out(await certificates.recognise(
        caller, evaluation_id, decision_number=body.decision_number,
        decision_date=body.decision_date, level=body.level), certificates.clock.today())


@router.get("/certificates/{certificate_id}", tags=["certificates"],
            summary="A certificate and its live state (public)",
            **may("certificate.read"))
async def get_certificate(certificates: CertificatesPart, certificate_id: str) -> CertificateOut:
    return certificate_out(await repositories.certificates.get(certificates.store,
                                                                 certificate_id),
                           certificates.clock.today())


@router.get("/certificates/{certificate_id}/pdf", tags=["certificates"],
            response_class=Response, responses=files("application/pdf",
                                                     description="The certificate"),
            summary="The certificate as a PDF (public)", **may("certificate.read"))
async def certificate_pdf(certificates: CertificatesPart, certificate_id: str) -> Response:
    return Response(await certificates.certificate_pdf(certificate_id),
                    media_type="application/pdf", headers={
                        "Content-Disposition":
                            f'inline; filename="ocop-{certificate_id}.pdf"'})


@router.get("/verify/{certificate_id}", tags=["certificates"],
            response_class=HTMLResponse, **may("certificate.read"),
            summary="A certificate's public verification page, which its PDF's QR code "
                    "opens: in force today or not")
async def verify(certificates: CertificatesPart, request: Request, certificate_id: str,
                 lang: Annotated[Literal["vi", "en"] | None, Query()] = None,
                 accept_language: Annotated[str | None, Header()] = None) -> Response:
    standing = await certificates.standing(certificate_id)
    language = pick_language(lang, accept_language)
    data = repositories.certificates.dump(standing.certificate)
    return templates.TemplateResponse(request, "verify.html", {
        "lang": language, "other_lang": "en" if language == "vi" else "vi",
        "certificate": data, "product": standing.product, "subject": standing.subject,
        "authority": certificates.authority(standing.certificate, standing.subject)[
            0 if language == "vi" else 1],
        "pdf_url": f"/certificates/{certificate_id}/pdf",
        "current_url": f"/verify/{standing.current_id}" if standing.current_id else None,
        **verification_view(data, standing.status, language)},
        headers={"Cache-Control": "no-cache", "Vary": "Accept-Language"})


@router.get("/certificates", tags=["certificates"], summary="Certificates (public)",
            **may("certificate.read"))
async def list_certificates(certificates: CertificatesPart, product_id: str | None = None,
                            number: str | None = None,
                            limit: Limit = 50, cursor: Cursor = None
                            ) -> PageOut[CertificateOut]:
    where = {k: v for k, v in (("product_id", product_id), ("number", number)) if v}
    page = await certificates.store.find(CERTIFICATES.name, where or None, limit=limit,
                                         after=cursor)
    today = certificates.clock.today()
    return PageOut(items=[certificate_out(repositories.certificates.load(d), today)
                          for d in page.items],
                   next_cursor=page.next_cursor)


@router.post("/certificates/{certificate_id}/renewal", tags=["certificates"],
             status_code=status.HTTP_201_CREATED,
             summary="Re-recognise (công nhận lại) before expiry: a new certificate (admin)",
             **may("certificate.issue"))
async def renew(certificates: CertificatesPart, certificate_id: str, body: RecognitionIn,
                caller: CurrentCaller) -> CertificateOut:
    return certificate_out(await certificates.renew(
        caller, certificate_id, decision_number=body.decision_number,
        decision_date=body.decision_date, level=body.level), certificates.clock.today())


@router.post("/certificates/expiry", tags=["certificates"],
             summary="Expire now every certificate past its validity (also runs hourly)",
             **may("certificate.expire"))
async def expire_now(certificates: CertificatesPart) -> ExpiryOut:
    return ExpiryOut(expired=await certificates.expire_due(certificates.clock.today()))


@router.post("/certificates/{certificate_id}/revocation", tags=["certificates"],
             summary="Revoke a certificate (thu hồi) with a reason (admin)",
             **may("certificate.revoke"))
async def revoke(certificates: CertificatesPart, certificate_id: str, body: RevocationIn,
                 caller: CurrentCaller) -> CertificateOut:
    return certificate_out(await certificates.revoke(caller, certificate_id, body.reason),
                           certificates.clock.today())


@router.get("/summaries/{year}", tags=["summaries"],
            summary="Annual summary of a locality (báo cáo tổng kết): JSON, CSV or XLSX",
            **may("summary.read"), response_model=SummaryOut,
            responses=files("text/csv", XLSX, description="The summary: JSON, or the file "
                                                          "format=csv or xlsx asks for"))
async def summary(summaries: SummariesPart, year: Annotated[int, Path(ge=2018, le=2100)],
                  province: Annotated[Place, Query()],
                  district: Annotated[PlaceFilter | None, Query()] = None,
                  commune: Annotated[PlaceFilter | None, Query()] = None,
                  expiring_within_months: Annotated[int, Query(ge=0, le=36)] = 6,
                  as_of: EraDate | None = None,
                  format: Literal["json", "csv", "xlsx"] = "json") -> Response | SummaryOut:
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
    return SummaryOut.model_validate(report)

