"""Events the rating service publishes about certificates (giấy chứng nhận OCOP) and the
evaluations councils score.

Certificates' events are keyed by product: one product's certification, revocation and later
changes stay in order.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.messaging.events.contracts import EventContract, contract
from shared.ocop.vocabulary import SubjectType

CERTIFICATES_TOPIC = "ocop.rating.certificates"


class CurrentCertificate(EventContract):
    """The product's certificate in force and what listings and labels show of it."""

    product_id: str
    product_name: str
    description: str = ""
    group: str
    subgroup: str
    gtin: str | None = None
    image_urls: list[str] = Field(default_factory=list)
    subject_id: str
    subject_name: str
    subject_type: SubjectType
    province: str
    commune: str
    score: float
    stars: int
    certificate_id: str
    certificate_number: str
    level: str
    """Recognising level: district, province or central."""
    decision_number: str
    decision_date: date
    valid_from: date
    valid_until: date
    """Last day of validity (36 months from the decision)."""
    product_version: int | None = None
    """The registry's version of the product this snapshot shows: a consumer that already
    holds a newer one from the registry's own events keeps it."""
    verification_url: str | None = None
    """The certificate's public verification page (what its PDF's QR code opens)."""


@contract("vn.ocop.rating.product.certified.v1", topic=CERTIFICATES_TOPIC)
class ProductCertified(CurrentCertificate):
    """A product recognised as OCOP (≥ 3★): what listings and labels show."""


@contract("vn.ocop.rating.certificate.renewed.v1", topic=CERTIFICATES_TOPIC)
class CertificateRenewed(CurrentCertificate):
    """Re-recognition (công nhận lại) before expiry: a new certificate at the same stars."""


@contract("vn.ocop.rating.certificate.upgraded.v1", topic=CERTIFICATES_TOPIC)
class CertificateUpgraded(CurrentCertificate):
    """A new evaluation raised the stars (nâng hạng); the new certificate replaces the old."""

    previous_stars: int


@contract("vn.ocop.rating.certificate.downgraded.v1", topic=CERTIFICATES_TOPIC)
class CertificateDowngraded(CurrentCertificate):
    """A new evaluation lowered the stars (still ≥ 3★); the new certificate replaces the old."""

    previous_stars: int


CERTIFICATE_IN_FORCE = (ProductCertified, CertificateRenewed, CertificateUpgraded,
                        CertificateDowngraded)
"""Events after which the product's certificate in force is the one they carry."""


@contract("vn.ocop.rating.certificate.expired.v1", topic=CERTIFICATES_TOPIC)
class CertificateExpired(EventContract):
    """Past its 36 months without renewal: no longer presented as OCOP."""

    product_id: str
    certificate_id: str
    certificate_number: str
    expired_on: date


@contract("vn.ocop.rating.certificate.revoked.v1", topic=CERTIFICATES_TOPIC)
class CertificateRevoked(EventContract):
    """Thu hồi: the product must no longer be presented as OCOP anywhere."""

    product_id: str
    certificate_id: str
    certificate_number: str
    reason: str
    revoked_on: date


class CertificateEnd(StrEnum):
    REVOKED = "revoked"
    EXPIRED = "expired"


class CertificateEnded(BaseModel):
    """How the product's last certificate stopped being in force (as ``CertificateRevoked``
    or ``CertificateExpired`` told it)."""

    model_config = ConfigDict(frozen=True)

    end: CertificateEnd
    on: date
    """The day it was revoked, or the sweep found it expired."""
    reason: str | None = None
    """Why it was revoked."""


@contract("vn.ocop.rating.certificate.state.v1", topic=CERTIFICATES_TOPIC)
class CertificateRestated(EventContract):
    """The product's certification as it stands, said again by rating's reconciliation (a
    sweep over every product) with the ``sequence`` of the product's latest certificate
    event. A consumer that applied that event ignores it (its inbox holds the sequence); one
    that never got it — a broker lost it — is repaired by it."""

    product_id: str
    certificate: CurrentCertificate
    """The product's latest certificate, as the event that put it in force carried it."""
    recognised_at: datetime
    """When it was decided (that event's time)."""
    ended: CertificateEnded | None = None
    """Set when it is no longer in force: revoked, or expired."""


@contract("vn.ocop.rating.certificate.expiring.v1", topic=CERTIFICATES_TOPIC)
class CertificateExpiring(EventContract):
    """A certificate in force nears its last day: the time to apply for re-recognition (công
    nhận lại). Published once per certificate at each reminder (``months_left``: 6, then 1)."""

    product_id: str
    subject_id: str
    product_name: str
    certificate_id: str
    certificate_number: str
    stars: int
    valid_until: date
    months_left: int


EVALUATIONS_TOPIC = "ocop.rating.evaluations"


@contract("vn.ocop.rating.evaluation.opened.v1", topic=EVALUATIONS_TOPIC)
class EvaluationOpened(EventContract):
    """A product's evaluation opened in a round: each member of the round's council has a
    score sheet (phiếu chấm điểm) to fill in by the day the round closes."""

    evaluation_id: str
    product_id: str
    subject_id: str
    product_name: str
    round_id: str
    round_name: str
    members: list[str]
    """The council members' user ids."""
    closes_on: date
