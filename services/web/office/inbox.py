"""The office's inbox: what waits for the provincial office, oldest first, with its counts —
dossier stages to decide, changes of a product's identity to decide, the communes' proposals
no evaluation has taken up yet, certificates to renew — the two decisions it takes there,
and its own actions in the registry's and rating's histories. Each page calls the services'
APIs with the office's own token and each form sends one call; the services keep every
rule."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from services.web.backend import Refused
from services.web.clients.rating import RatingHistoryEntry
from services.web.clients.registry import InboxHistoryEntry, InboxProduct, InboxStage
from services.web.front import (
    Front,
    Office,
    OfficeWriter,
    WebFront,
    back_to,
    language,
    render,
)
from services.web.plain import plain
from services.web.sessions import WebSession
from shared.i18n import N_
from shared.ocop.vocabulary import group_names

router = APIRouter(include_in_schema=False)

EXPIRING_MONTHS = 6
"""Certificates whose last valid day falls within this many months wait for renewal."""
DECISION_FORM = ("note",)
"""The decision forms' field: a refusal's note stands beside it."""
STAGE_NAMES = {"idea": N_("Product idea"), "plan": N_("Business plan"),
               "dossier": N_("Dossier")}
"""The annual cycle's stages (the registry's ``STAGES``)."""
IDENTITY_FIELDS = {"name": N_("Name"), "group": N_("Product group"), "gtin": N_("GTIN")}
"""The fields of a product's identity whose change the office decides."""
REGISTRY_RECORDS = {"user": N_("Account"), "subject": N_("Subject"),
                    "product": N_("Product"), "dossier": N_("Dossier")}
"""The registry's records whose history is kept (its ``GET /history``'s ``entity``)."""
RATING_RECORDS = {"round": N_("Evaluation round"), "criteria_table": N_("Criteria table"),
                  "evaluation": N_("Evaluation"), "score_sheet": N_("Score sheet"),
                  "certificate": N_("Certificate")}
"""Rating's records whose history is kept (its ``GET /history``'s ``entity``)."""
RECORD_NAMES = REGISTRY_RECORDS | RATING_RECORDS
PARTS = {"registry": N_("Registration and dossiers"), "rating": N_("Rating and certificates")}
"""Which part of the programme a history entry is of: the service that kept it."""
RECORDS_BY_PART = {"registry": REGISTRY_RECORDS, "rating": RATING_RECORDS}
ACTION_NAMES = {
    "created": N_("Record created"), "updated": N_("Changed"),
    "submitted": N_("Submitted for evaluation"), "document-added": N_("Document added"),
    "identity-change-proposed": N_("Identity change proposed"),
    "identity-change-approved": N_("Identity change accepted"),
    "identity-change-rejected": N_("Identity change refused"),
    "disabled": N_("Account disabled"), "enabled": N_("Account enabled"),
    "password-changed": N_("Password changed"),
    "round-opened": N_("Evaluation round opened"),
    "criteria-table-loaded": N_("Criteria table loaded"),
    "evaluation-opened": N_("Evaluation opened"), "sheet-submitted": N_("Score sheet submitted"),
    "evaluation-closed": N_("Evaluation closed"), "recognised": N_("Recognition decided"),
    "renewed": N_("Recognition renewed"), "revoked": N_("Revoked the certificate"),
    "expired": N_("Certificate expired"),
    **{f"{stage}-{status}": name for stage, (proposed, accepted, rejected) in {
        "idea": (N_("Idea proposed"), N_("Idea accepted"), N_("Idea returned")),
        "plan": (N_("Plan proposed"), N_("Plan accepted"), N_("Plan returned")),
        "dossier": (N_("Dossier proposed"), N_("Dossier accepted"), N_("Dossier returned")),
    }.items() for status, name in (("proposed", proposed), ("accepted", accepted),
                                   ("rejected", rejected))}}
"""What a history entry's ``action`` did, as the history page names it (another is shown as
the service wrote it)."""
SYSTEM = "system"
"""Who a scheduled job's entry names (rating's hourly expiry of certificates)."""


# -- how the pages read what the services answered -----------------------------------------

@dataclass(frozen=True)
class FieldChange:
    """One field of a proposed change of identity, against the value the product carries."""

    field: str
    now: str
    proposed: str


def identity_changes(product: InboxProduct, lang: str) -> list[FieldChange]:
    """The proposed change field by field (a group by its name in ``lang``)."""
    pending = product.pending_identity_change
    if pending is None:
        return []
    current = {"name": product.name, "group": product.group, "gtin": product.gtin}

    def shown(field: str, value: str | None) -> str:
        if field == "group" and value:
            vi, en = group_names(value)
            return vi if lang == "vi" else en
        return value or ""

    return [FieldChange(field, shown(field, current.get(field)), shown(field, value))
            for field, value in pending.changes.items()]


def newest_first(pages: list[list[InboxHistoryEntry]]) -> list[InboxHistoryEntry]:
    """Several people's history entries as one, newest first."""
    return sorted((e for page in pages for e in page), key=lambda e: e.at, reverse=True)


@dataclass(frozen=True)
class HistoryRow:
    """One line of the office's history page, of either service."""

    part: str
    """``registry`` or ``rating``: which part of the programme (``PARTS``)."""
    at: str
    by: str
    action: str
    entity: str
    entity_id: str
    detail: str = ""
    """What the decision said, where it says more than its name (a reason, a number)."""


def parts_asked(record: str) -> tuple[str, ...]:
    """The services whose history a ``record`` filter reads (every one without a filter)."""
    return tuple(part for part, kinds in RECORDS_BY_PART.items()
                 if not record or record in kinds)


def rating_detail(entry: RatingHistoryEntry) -> str:
    """The words of a rating decision worth reading beside its name: a revocation's reason,
    a recognition's decision number and stars, a closing's stars, a sheet's total."""
    to = {field: change.to for field, change in entry.changes.items()}
    if entry.action == "revoked":
        return str(to.get("revocation_reason") or "")
    if entry.action in ("recognised", "renewed"):
        return f"{to.get('decision_number', '')} · {to.get('stars', '')}★"
    if entry.action == "evaluation-closed" and to.get("stars") is not None:
        return f"{to['stars']}★"
    if entry.action == "sheet-submitted" and to.get("total") is not None:
        return str(to["total"])
    if entry.action == "round-opened":
        return str(to.get("name") or "")
    return ""


def history_rows(registry: list[InboxHistoryEntry], rating: list[RatingHistoryEntry]
                 ) -> list[HistoryRow]:
    """Both services' entries as one list, newest first."""
    rows = [HistoryRow("registry", e.at, e.by, e.action, e.entity, e.entity_id)
            for e in registry]
    rows += [HistoryRow("rating", e.at, e.by, e.action, e.entity, e.entity_id,
                        rating_detail(e)) for e in rating]
    return sorted(rows, key=lambda r: r.at, reverse=True)


def evaluation_of(row: HistoryRow) -> str | None:
    """The evaluation a rating entry is about (a sheet's id is ``<evaluation>:<member>``)."""
    if row.entity == "evaluation":
        return row.entity_id
    if row.entity == "score_sheet":
        return row.entity_id.split(":", 1)[0]
    return None


# -- the inbox ------------------------------------------------------------------------------

async def _product_names(front: WebFront, session: WebSession, ids: set[str]) -> dict[str, str]:
    registry = front.registry(session.token)
    found = await asyncio.gather(*(registry.inbox_product(i) for i in sorted(ids)))
    return {p.id: p.name for p in found}


@router.get("/office", response_class=HTMLResponse)
async def inbox(request: Request, front: Front, session: Office) -> Response:
    registry, rating = front.registry(session.token), front.rating(session.token)
    stages, changing, proposals, expiring = await asyncio.gather(
        registry.inbox_stages(), registry.inbox_identity_changes(), rating.inbox_proposals(),
        rating.inbox_expiring(EXPIRING_MONTHS))
    names = await _product_names(front, session, {p.product_id for p in proposals.items}
                                 | {c.product_id for c in expiring.items})
    lang = language(request)
    return render(request, "office/inbox.html", session, stages=stages, changing=[
        (p, identity_changes(p, lang)) for p in changing.items], changing_total=changing.total,
        proposals=proposals, expiring=sorted(expiring.items, key=lambda c: c.valid_until),
        names=names, months=EXPIRING_MONTHS, stage_names=STAGE_NAMES,
        identity_fields=IDENTITY_FIELDS)


# -- deciding a stage -----------------------------------------------------------------------

async def _waiting_stage(front: WebFront, session: WebSession, product_id: str,
                         stage: str) -> InboxStage | None:
    waiting = await front.registry(session.token).inbox_stages()
    return next((w for w in waiting.items
                 if w.product_id == product_id and w.stage == stage), None)


async def _stage_page(request: Request, front: WebFront, session: WebSession, product_id: str,
                      stage: str, status: int = 200, **context: Any) -> Response:
    registry = front.registry(session.token)
    waiting, product, dossier = await asyncio.gather(
        _waiting_stage(front, session, product_id, stage), registry.inbox_product(product_id),
        registry.dossier(product_id))
    return render(request, "office/inbox_stage.html", session, status=status,
                  waiting=waiting, product=product, dossier=dossier, stage=stage,
                  stage_names=STAGE_NAMES, **context)


@router.get("/office/stages/{product_id}/{stage}", response_class=HTMLResponse)
async def stage_page(request: Request, front: Front, session: Office, product_id: str,
                     stage: str) -> Response:
    return await _stage_page(request, front, session, product_id, stage)


@router.post("/office/stages/{product_id}/{stage}", response_class=HTMLResponse)
async def decide_stage(request: Request, front: Front, session: OfficeWriter, product_id: str,
                       stage: str, decision: Annotated[str, Form()] = "",
                       note: Annotated[str, Form()] = "") -> Response:
    try:
        await front.registry(session.token).decide_stage(product_id, stage, decision, note)
    except Refused as refusal:
        said = plain(refusal, language(request), DECISION_FORM)
        return await _stage_page(request, front, session, product_id, stage,
                                 status=refusal.status, refusal=said.message,
                                 errors=said.fields, form={"note": note})
    done = "stage_accepted" if decision == "accepted" else "stage_returned"
    return back_to(f"/office?done={done}#stages")


# -- deciding a change of identity --------------------------------------------------------

async def _identity_page(request: Request, front: WebFront, session: WebSession,
                         product_id: str, status: int = 200, **context: Any) -> Response:
    product = await front.registry(session.token).inbox_product(product_id)
    return render(request, "office/inbox_identity.html", session, status=status,
                  product=product, changes=identity_changes(product, language(request)),
                  identity_fields=IDENTITY_FIELDS, **context)


@router.get("/office/identity/{product_id}", response_class=HTMLResponse)
async def identity_page(request: Request, front: Front, session: Office,
                        product_id: str) -> Response:
    return await _identity_page(request, front, session, product_id)


@router.post("/office/identity/{product_id}", response_class=HTMLResponse)
async def decide_identity(request: Request, front: Front, session: OfficeWriter,
                          product_id: str, decision: Annotated[str, Form()] = "",
                          note: Annotated[str, Form()] = "") -> Response:
    approve = decision == "accept"
    try:
        await front.registry(session.token).decide_identity(product_id, approve, note)
    except Refused as refusal:
        said = plain(refusal, language(request), DECISION_FORM)
        return await _identity_page(request, front, session, product_id,
                                    status=refusal.status, refusal=said.message,
                                    errors=said.fields, form={"note": note})
    return back_to(f"/office?done={'identity_accepted' if approve else 'identity_refused'}"
                   "#identity")


# -- the office's history -----------------------------------------------------------------

@router.get("/office/history", response_class=HTMLResponse)
async def history(request: Request, front: Front, session: Office, by: str = "",
                  record: str = "") -> Response:
    """The office's actions in both services' histories, newest first: the registry's
    (registration and dossiers) by the office's accounts, rating's (rating and certificates)
    all of it — the council's sheets and the scheduled expiry too; ``by``: one account's,
    ``record``: on one kind of record."""
    registry, rating = front.registry(session.token), front.rating(session.token)
    office = (await registry.office_accounts()).items
    who = [a.username for a in office if not by or a.username == by]
    kind = record if record in RECORD_NAMES else ""
    asked = parts_asked(kind)
    registry_pages, rating_page = await asyncio.gather(
        asyncio.gather(*(registry.office_history(username, kind or None) for username in who
                         if "registry" in asked)),
        rating.office_history(by or None, kind or None) if "rating" in asked else _nothing())
    rows = history_rows(newest_first([page.items for page in registry_pages]),
                        rating_page.items if rating_page else [])
    names = await _record_names(front, session, rows)
    return render(request, "office/inbox_history.html", session, entries=rows,
                  office=office, names=names, form={"by": by, "record": kind},
                  record_names=RECORD_NAMES, records_by_part=RECORDS_BY_PART, parts=PARTS,
                  action_names=ACTION_NAMES, system=SYSTEM)


async def _nothing() -> None:
    return None


async def _record_names(front: WebFront, session: WebSession, rows: list[HistoryRow]
                        ) -> dict[str, str]:
    """What each row is of, by the record's id: a product's or a subject's name, an
    evaluation's (or its sheet's) product, a certificate's number and product."""
    registry, rating = front.registry(session.token), front.rating(session.token)
    evaluation_ids = sorted({e for r in rows if r.part == "rating"
                             and (e := evaluation_of(r)) is not None})
    certificate_ids = sorted({r.entity_id for r in rows
                              if r.part == "rating" and r.entity == "certificate"})
    subject_ids = sorted({r.entity_id for r in rows
                          if r.part == "registry" and r.entity == "subject"})
    evaluations, certificates, subjects = await asyncio.gather(
        asyncio.gather(*(rating.decided_evaluation(i) for i in evaluation_ids)),
        asyncio.gather(*(rating.issued_certificate(i) for i in certificate_ids)),
        asyncio.gather(*(registry.inbox_subject(i) for i in subject_ids)))
    products = {r.entity_id for r in rows
                if r.part == "registry" and r.entity in ("product", "dossier")}
    products |= {e.product_id for e in evaluations} | {c.product_id for c in certificates}
    names = await _product_names(front, session, products)
    of_evaluation = {e.id: names.get(e.product_id, e.product_id) for e in evaluations}
    shown = names | {s.id: s.name for s in subjects} | {
        c.id: f"{c.number} · {names.get(c.product_id, c.product_id)}" for c in certificates}
    for row in rows:
        evaluation = evaluation_of(row) if row.part == "rating" else None
        if evaluation is not None:
            shown[row.entity_id] = of_evaluation.get(evaluation, row.entity_id)
    return shown
