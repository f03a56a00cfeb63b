"""Who is told of what (pure): the producers' accounts of a product's subject of the
decisions on its stages and identity, of its certificate issued (or renewed, upgraded,
downgraded), nearing its end, revoked or expired, and of counterfeit alerts on its codes
(once per anomaly and confidence level, however often it is published again); a round's
council members of an evaluation opened for them to score. Nobody whose account is
disabled is told anything."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from services.web.notifications.model import Kind, Person, Told
from shared.messaging.contracts.rating import (
    CertificateExpired,
    CertificateExpiring,
    CertificateRevoked,
    CurrentCertificate,
    EvaluationOpened,
)
from shared.messaging.contracts.registry import DossierStageDecided, ProductIdentityDecided
from shared.messaging.contracts.traceability import ScanAnomalyDetected

PRODUCERS_ARE_TOLD = (Kind.STAGE_DECIDED, Kind.IDENTITY_DECIDED, Kind.CERTIFICATE_ISSUED,
                      Kind.CERTIFICATE_EXPIRING, Kind.CERTIFICATE_REVOKED,
                      Kind.CERTIFICATE_EXPIRED, Kind.COUNTERFEIT_ALERT)
KINDS_TOLD = {"producer": PRODUCERS_ARE_TOLD, "council_member": (Kind.EVALUATION_OPENED,)}
"""What each role is told of (the office and commune officers: nothing yet; their work waits
in their queues)."""


def kinds_told_to(role: str) -> tuple[Kind, ...]:
    return KINDS_TOLD.get(role, ())


def producers_of(subject_id: str, people: Iterable[Person]) -> list[str]:
    """The accounts that speak for ``subject_id`` and may still sign in."""
    return sorted(p.user_id for p in people
                  if p.role == "producer" and p.subject_id == subject_id and not p.disabled)


def council_of(event: EvaluationOpened, people: Mapping[str, Person]) -> list[str]:
    """The round's council members, but those whose account is known to be disabled."""
    return sorted({member for member in event.members
                   if not (member in people and people[member].disabled)})


def _product(product_id: str) -> str:
    return f"/products/{product_id}"


def stage_decided(event: DossierStageDecided, event_id: str) -> Told:
    return Told(Kind.STAGE_DECIDED, event_id, {
        "product": event.product_name, "stage": event.stage, "status": event.status,
        "by": event.decided_by, "note": event.note}, _product(event.product_id))


def identity_decided(event: ProductIdentityDecided, event_id: str) -> Told:
    return Told(Kind.IDENTITY_DECIDED, event_id, {
        "product": event.product_name, "approved": "yes" if event.approved else "no",
        "note": event.note}, _product(event.product_id))


def certificate_issued(event: CurrentCertificate, how: str, event_id: str) -> Told:
    """``how``: issued, renewed, upgraded or downgraded."""
    return Told(Kind.CERTIFICATE_ISSUED, event_id, {
        "product": event.product_name, "how": how, "stars": str(event.stars),
        "number": event.certificate_number, "until": event.valid_until.isoformat()},
        _product(event.product_id))


def certificate_expiring(event: CertificateExpiring, event_id: str) -> Told:
    return Told(Kind.CERTIFICATE_EXPIRING, event_id, {
        "product": event.product_name, "stars": str(event.stars),
        "number": event.certificate_number, "until": event.valid_until.isoformat(),
        "months": str(event.months_left)}, _product(event.product_id))


def certificate_revoked(event: CertificateRevoked, product_name: str, event_id: str) -> Told:
    return Told(Kind.CERTIFICATE_REVOKED, event_id, {
        "product": product_name, "number": event.certificate_number,
        "reason": event.reason, "on": event.revoked_on.isoformat()},
        _product(event.product_id))


def certificate_expired(event: CertificateExpired, product_name: str, event_id: str) -> Told:
    return Told(Kind.CERTIFICATE_EXPIRED, event_id, {
        "product": product_name, "number": event.certificate_number,
        "on": event.expired_on.isoformat()}, _product(event.product_id))


def counterfeit_alert(event: ScanAnomalyDetected, product_name: str) -> Told:
    """Keyed by the anomaly and its confidence: published again as its scans grow, it is
    told again only when it becomes surer."""
    confidence = event.confidence or "unweighed"
    return Told(Kind.COUNTERFEIT_ALERT, f"anomaly:{event.anomaly_id}:{confidence}", {
        "product": product_name, "alert": event.kind, "code": event.code,
        "confidence": event.confidence or "", "day": event.day.isoformat()}, "/alerts")


def evaluation_opened(event: EvaluationOpened, event_id: str) -> Told:
    return Told(Kind.EVALUATION_OPENED, event_id, {
        "product": event.product_name, "round": event.round_name,
        "closes": event.closes_on.isoformat()},
        f"/council/evaluations/{event.evaluation_id}")
