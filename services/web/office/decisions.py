"""The office's decisions: closing evaluations every member has scored, recognising their
results (decision number and date, then the certificate to print), the year's decision list,
and the certificates — renewal, revocation with a reason, the expiry sweep. Each page loads
what it shows from the rating service with the office's own token; each form sends one
call, and the service keeps every rule."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from services.web.backend import Refused
from services.web.clients.rating import IssuedCertificate
from services.web.clients.registry import CertifiedProduct, CertifiedSubject
from services.web.front import (
    Front,
    Office,
    OfficeWriter,
    WebFront,
    back_to,
    language,
    render,
)
from services.web.office.deciding import (
    CERTIFICATE_STATES,
    EXPIRING_MONTHS,
    LEVELS,
    RECOGNITION_FORM,
    REVOCATION_FORM,
    CertificateRow,
    fully_scored,
    rows,
)
from services.web.plain import plain
from services.web.sessions import WebSession

router = APIRouter(include_in_schema=False)
DECISIONS: dict[str, Any] = {"levels": LEVELS, "certificate_states": CERTIFICATE_STATES}
"""The names every decision page reads."""


# -- evaluations waiting for the office's decision ------------------------------------------

@router.get("/office/decisions", response_class=HTMLResponse)
async def decisions(request: Request, front: Front, session: Office) -> Response:
    rating = front.rating(session.token)
    open_ones, closed = await asyncio.gather(rating.evaluations_at("open"),
                                             rating.evaluations_at("closed"))
    return render(request, "office/decisions.html", session, **DECISIONS,
                  to_close=[e for e in open_ones.items if fully_scored(e)],
                  scoring=len([e for e in open_ones.items if not fully_scored(e)]),
                  to_recognise=[e for e in closed.items if e.recognisable])


async def _decision_page(request: Request, front: WebFront, session: WebSession,
                         evaluation_id: str, status: int = 200, **context: Any) -> Response:
    rating = front.rating(session.token)
    evaluation = await rating.decided_evaluation(evaluation_id)
    product, certificate = await asyncio.gather(
        front.registry(session.token).certified_product(evaluation.product_id),
        rating.issued_certificate(evaluation.certificate_id) if evaluation.certificate_id
        else _nothing())
    context.setdefault("form", {"decision_date": front.clock.today().isoformat()})
    return render(request, "office/decision.html", session, status=status, **DECISIONS,
                  evaluation=evaluation, product=product, certificate=certificate, **context)


async def _nothing() -> None:
    return None


@router.get("/office/decisions/list", response_class=HTMLResponse)
async def decision_list(request: Request, front: Front, session: Office,
                        year: int | None = None) -> Response:
    """The year's recognised products, to print with the national heading."""
    year = year or front.clock.today().year
    found = await front.rating(session.token).issued_certificates(decided_in=year)
    listed = await _with_products(front, session, sorted(
        found.items, key=lambda c: (c.decision_date, c.number)))
    return render(request, "office/decision_list.html", session, **DECISIONS, year=year,
                  rows=listed, today=front.clock.today())


@router.get("/office/decisions/{evaluation_id}", response_class=HTMLResponse)
async def decision_page(request: Request, front: Front, session: Office,
                        evaluation_id: str) -> Response:
    return await _decision_page(request, front, session, evaluation_id)


@router.post("/office/decisions/{evaluation_id}/closing", response_class=HTMLResponse)
async def close(request: Request, front: Front, session: OfficeWriter,
                evaluation_id: str) -> Response:
    try:
        await front.rating(session.token).close_evaluation(evaluation_id)
    except Refused as refusal:
        return await _decision_page(request, front, session, evaluation_id,
                                    status=refusal.status,
                                    refusal=plain(refusal, language(request)).message)
    return back_to(f"/office/decisions/{evaluation_id}?done=evaluation_closed")


@router.post("/office/decisions/{evaluation_id}/recognition", response_class=HTMLResponse)
async def recognise(request: Request, front: Front, session: OfficeWriter, evaluation_id: str,
                    decision_number: Annotated[str, Form()] = "",
                    decision_date: Annotated[str, Form()] = "") -> Response:
    try:
        await front.rating(session.token).recognise(evaluation_id, decision_number,
                                                    decision_date)
    except Refused as refusal:
        said = plain(refusal, language(request), RECOGNITION_FORM)
        return await _decision_page(request, front, session, evaluation_id,
                                    status=refusal.status, refusal=said.message,
                                    errors=said.fields,
                                    form={"decision_number": decision_number,
                                          "decision_date": decision_date})
    return back_to(f"/office/decisions/{evaluation_id}?done=recognised#certificate")


# -- certificates ---------------------------------------------------------------------------

async def _with_products(front: WebFront, session: WebSession,
                         certificates: list[IssuedCertificate]) -> list[CertificateRow]:
    """Each certificate with its product and subject, each asked of the registry once."""
    registry = front.registry(session.token)
    product_ids = sorted({c.product_id for c in certificates})
    subject_ids = sorted({c.subject_id for c in certificates})
    products: list[CertifiedProduct] = list(await asyncio.gather(
        *(registry.certified_product(i) for i in product_ids)))
    subjects: list[CertifiedSubject] = list(await asyncio.gather(
        *(registry.certified_subject(i) for i in subject_ids)))
    return rows(certificates, {p.id: p for p in products}, {s.id: s for s in subjects},
                front.clock.today())


@router.get("/office/certificates", response_class=HTMLResponse)
async def certificates(request: Request, front: Front, session: Office, status: str = "",
                       months: str = "", expired: int | None = None) -> Response:
    filters = {"status": status, "months": months}
    try:
        found = await front.rating(session.token).issued_certificates(
            status=status, expiring_within_months=months)
    except Refused as refusal:
        return render(request, "office/certificates.html", session, status=refusal.status,
                      **DECISIONS, rows=[], filters=filters, months_choices=EXPIRING_MONTHS,
                      refusal=plain(refusal, language(request)).message)
    listed = await _with_products(front, session, sorted(
        found.items, key=lambda c: (c.valid_until, c.number)))
    return render(request, "office/certificates.html", session, **DECISIONS, rows=listed,
                  filters=filters, months_choices=EXPIRING_MONTHS, expired=expired)


@router.post("/office/certificates/expiry", response_class=HTMLResponse)
async def expire(front: Front, session: OfficeWriter) -> Response:
    swept = await front.rating(session.token).expire_certificates()
    return back_to(f"/office/certificates?expired={swept.expired}")


@router.get("/office/certificates/{certificate_id}.pdf")
async def certificate_pdf(front: Front, session: Office, certificate_id: str) -> Response:
    return await front.certificate_pdf(session.token, certificate_id)


async def _certificate_page(request: Request, front: WebFront, session: WebSession,
                            certificate_id: str, status: int = 200, **context: Any
                            ) -> Response:
    certificate = await front.rating(session.token).issued_certificate(certificate_id)
    (row,) = await _with_products(front, session, [certificate])
    context.setdefault("form", {"decision_date": front.clock.today().isoformat()})
    return render(request, "office/certificate.html", session, status=status, **DECISIONS,
                  row=row, certificate=certificate, **context)


@router.get("/office/certificates/{certificate_id}", response_class=HTMLResponse)
async def certificate_page(request: Request, front: Front, session: Office,
                           certificate_id: str) -> Response:
    return await _certificate_page(request, front, session, certificate_id)


@router.post("/office/certificates/{certificate_id}/renewal", response_class=HTMLResponse)
async def renew(request: Request, front: Front, session: OfficeWriter, certificate_id: str,
                decision_number: Annotated[str, Form()] = "",
                decision_date: Annotated[str, Form()] = "") -> Response:
    try:
        renewed = await front.rating(session.token).renew_certificate(
            certificate_id, decision_number, decision_date)
    except Refused as refusal:
        said = plain(refusal, language(request), RECOGNITION_FORM)
        return await _certificate_page(request, front, session, certificate_id,
                                       status=refusal.status, renewal_refusal=said.message,
                                       errors=said.fields,
                                       form={"decision_number": decision_number,
                                             "decision_date": decision_date})
    return back_to(f"/office/certificates/{renewed.id}?done=renewed")


@router.post("/office/certificates/{certificate_id}/revocation", response_class=HTMLResponse)
async def revoke(request: Request, front: Front, session: OfficeWriter, certificate_id: str,
                 reason: Annotated[str, Form()] = "") -> Response:
    try:
        await front.rating(session.token).revoke_certificate(certificate_id, reason)
    except Refused as refusal:
        said = plain(refusal, language(request), REVOCATION_FORM)
        return await _certificate_page(request, front, session, certificate_id,
                                       status=refusal.status, revocation_refusal=said.message,
                                       errors=said.fields, revocation={"reason": reason})
    return back_to(f"/office/certificates/{certificate_id}?done=revoked")
