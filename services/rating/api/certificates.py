"""Certificates: recognition decisions, renewal, revocation and expiry, each certificate
and its PDF, and the public verification page its QR code opens."""

from __future__ import annotations

from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from services.rating import store as repositories
from services.rating.api.deps import CertificatesPart, may
from services.rating.certificates.commands import Certificates
from services.rating.certificates.model import Certificate
from services.rating.certificates.queries import certificates_where
from services.rating.certificates.verification import verification_view
from services.rating.evaluations.rules import Level
from services.rating.store import CERTIFICATES
from shared.http.fields import EraDate, Line
from shared.http.paging import Cursor, Limit, PageOut
from shared.i18n import install
from shared.i18n.language import LANGUAGE_NAMES, pick_language
from shared.identity.auth import CurrentCaller
from shared.ocop.validity import CertificateStatus
from shared.refusals.openapi import files

templates = Jinja2Templates(directory=FilePath(__file__).parent.parent / "templates")
install(templates.env)
templates.env.globals |= {"language_names": LANGUAGE_NAMES}
DecisionNumber = Annotated[str, Line(3, 60)]
Reason = Annotated[str, Line(5, 2000)]


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
    revoked_on: date | None = Field(None, description="The day the office revoked it")
    authority: list[str] | None = Field(None, description="Who recognised it: Vietnamese, "
                                                          "English")
    verification_url: str = Field(description="Its public verification page (the one its "
                                              "PDF's QR code opens): in force today or not")


class ExpiryOut(BaseModel):
    expired: int
    """How many certificates expired now."""


def certificate_out(certificate: Certificate, certificates: Certificates) -> CertificateOut:
    """``certificate`` with its state on the service's today and its verification page."""
    return CertificateOut(**repositories.certificates.dump(certificate) | {
        "id": certificate.id,
        "status": certificate.state_on(certificates.clock.today()).value,
        "verification_url": certificates.verify_url(certificate.id)})


router = APIRouter(tags=["certificates"])


@router.post("/evaluations/{evaluation_id}/recognition",
             status_code=status.HTTP_201_CREATED,
             summary="Recognition decision and certificate for a ≥ 3★ result (admin)",
             **may("certificate.issue"))
async def recognise(certificates: CertificatesPart, evaluation_id: str, body: RecognitionIn,
                    caller: CurrentCaller
                    ) -> CertificateOut:
    return certificate_out(await certificates.recognise(
        caller, evaluation_id, decision_number=body.decision_number,
        decision_date=body.decision_date, level=body.level), certificates)


@router.get("/certificates/{certificate_id}",
            summary="A certificate and its live state (public)",
            **may("certificate.read"))
async def get_certificate(certificates: CertificatesPart, certificate_id: str) -> CertificateOut:
    return certificate_out(await repositories.certificates.get(certificates.store,
                                                                 certificate_id), certificates)


@router.get("/certificates/{certificate_id}/pdf",
            response_class=Response, responses=files("application/pdf",
                                                     description="The certificate"),
            summary="The certificate as a PDF (public)", **may("certificate.read"))
async def certificate_pdf(certificates: CertificatesPart, certificate_id: str) -> Response:
    return Response(await certificates.certificate_pdf(certificate_id),
                    media_type="application/pdf", headers={
                        "Content-Disposition":
                            f'inline; filename="ocop-{certificate_id}.pdf"'})


@router.get("/verify/{certificate_id}",
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


@router.get("/certificates", summary="Certificates, by state on today's date, or those in "
                                     "force expiring within some months (public)",
            **may("certificate.read"))
async def list_certificates(
        certificates: CertificatesPart, product_id: str | None = None,
        number: str | None = None,
        status: Annotated[CertificateStatus | None, Query(
            description="The state today: an active certificate past its last valid day "
                        "is expired")] = None,
        expiring_within_months: Annotated[int | None, Query(
            ge=1, le=36, description="Only certificates in force whose last valid day is "
                                     "within this many months: the ones to renew")] = None,
        decided_in: Annotated[int | None, Query(
            ge=2018, le=2100, description="Only certificates whose recognition decision "
                                          "is of this year: the year's decision list")] = None,
        limit: Limit = 50, cursor: Cursor = None) -> PageOut[CertificateOut]:
    today = certificates.clock.today()
    where = certificates_where(today, product_id=product_id, number=number, status=status,
                               expiring_within_months=expiring_within_months,
                               decided_in=decided_in)
    page = await certificates.store.find(CERTIFICATES.name, where or None, limit=limit,
                                         after=cursor)
    return PageOut(items=[certificate_out(repositories.certificates.load(d), certificates)
                          for d in page.items],
                   next_cursor=page.next_cursor)


@router.post("/certificates/{certificate_id}/renewal",
             status_code=status.HTTP_201_CREATED,
             summary="Re-recognise (công nhận lại) before expiry: a new certificate (admin)",
             **may("certificate.issue"))
async def renew(certificates: CertificatesPart, certificate_id: str, body: RecognitionIn,
                caller: CurrentCaller) -> CertificateOut:
    return certificate_out(await certificates.renew(
        caller, certificate_id, decision_number=body.decision_number,
        decision_date=body.decision_date, level=body.level), certificates)


@router.post("/certificates/expiry",
             summary="Expire now every certificate past its validity (also runs hourly)",
             **may("certificate.expire"))
async def expire_now(certificates: CertificatesPart, caller: CurrentCaller) -> ExpiryOut:
    return ExpiryOut(expired=await certificates.expire_due(certificates.clock.today(),
                                                           caller.user_id))


@router.post("/certificates/{certificate_id}/revocation",
             summary="Revoke a certificate (thu hồi) with a reason (admin)",
             **may("certificate.revoke"))
async def revoke(certificates: CertificatesPart, certificate_id: str, body: RevocationIn,
                 caller: CurrentCaller) -> CertificateOut:
    return certificate_out(await certificates.revoke(caller, certificate_id, body.reason),
                           certificates)
