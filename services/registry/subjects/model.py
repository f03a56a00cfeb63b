"""Subjects (chủ thể) and their products, the registry's aggregates beside accounts
(``accounts/model.py``) and dossiers (``dossiers/model.py``). Each method checks its rule
(named in ``rules.py``) and changes the aggregate, or
refuses with a ``shared.refusals`` error. Pure: no I/O, no clock of its own (the day and the
time are arguments); uniqueness across aggregates (usernames, codes, GTINs) is the store's,
through claims the commands insert."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, NotRequired, final

from typing_extensions import TypedDict  # pydantic reads only this TypedDict on Python 3.11

from services.registry.subjects import rules
from services.registry.subjects.rules import IdentityChange, PendingIdentity
from shared.files.content import same_file
from shared.identity.access import SubjectRef
from shared.identity.auth import Caller
from shared.messaging.contracts.rating import CertificateRestated
from shared.messaging.contracts.registry import (
    ProductIdentityDecided,
    ProductState,
    SubjectState,
)
from shared.ocop.localities import Locality, resolve
from shared.ocop.vocabulary import SubjectType
from shared.refusals import BadRequest

LOCALITY_FIELDS = ("province", "commune", "province_code", "commune_code")
"""What names a subject's or an officer's locality: official names or codes."""


class Representative(TypedDict):
    """A subject's representative or contact (người đại diện, người liên hệ); one stored
    before the registry gave every field may have only some besides the name."""

    name: str
    title: NotRequired[str]
    phone: NotRequired[str | None]
    email: NotRequired[str | None]


class StoredFile(TypedDict):
    """An upload as the object store keeps it."""

    key: str
    content_type: str
    size: int


@final  # so that a check for a key tells the kinds of image apart
class ProductImage(TypedDict):
    """A product photo: its web renditions (width → object key), served, and the upload as
    sent (``original``), kept privately."""

    id: str
    renditions: dict[str, str]
    width: int
    height: int
    original: StoredFile
    sha256: NotRequired[str]
    """Of the upload's bytes (its folder is named by it); images added before it was kept
    have none."""


@final
class UploadedImage(TypedDict):
    """A photo stored before renditions were made: the upload alone (``key``), drawn again
    at each request."""

    id: str
    key: str
    content_type: str
    size: int


class IdentityDecision(PendingIdentity):
    """The office's decision on a change of identity; ``at``: when it decided."""

    approved: bool
    note: str
    decided_by: str


class Located:
    """A record whose locality is kept by its official codes, with the official names for
    display: a subject, a commune officer's account."""

    id: str
    version: int
    province: str | None
    commune: str | None
    province_code: str | None
    commune_code: str | None
    locality_problem: str | None

    def keep_codes(self) -> str | None:
        """Give a record stored with names only its official codes and names; why not, if
        its names name no single commune (it then matches no one, rather than the wrong
        one)."""
        try:
            place = resolve(province=self.province or "", commune=self.commune or "")
        except BadRequest as refused:
            self.locality_problem = refused.message
            return refused.message
        self._place(place)
        return None

    def _place(self, place: Locality) -> None:
        self.province, self.commune = place.province, place.commune
        self.province_code, self.commune_code = place.province_code, place.commune_code
        self.locality_problem = None


@dataclass
class Subject(Located):
    """A producer (chủ thể): enterprise, cooperative, cooperative group or household
    business, registered under its tax code or local registration number."""

    id: str
    type: SubjectType
    name: str
    code: str
    province: str
    commune: str
    """Its commune's and province's official names (``shared.ocop.localities``), for display."""
    registered_on: date
    created_by: str
    created_at: str
    district: str | None = None
    """The former district (huyện), for records made before 1 July 2025."""
    representatives: list[Representative] = field(default_factory=list)
    updated_by: str | None = None
    updated_at: str | None = None
    commune_code: str | None = None
    """Its commune's and province's official codes: what a commune officer's access and
    lists compare. None only on a subject stored before codes were kept, until
    ``keep_codes`` gives them."""
    province_code: str | None = None
    locality_problem: str | None = None
    """Why a subject stored with names only has no codes: its names name no single commune
    (it then matches no commune officer until the office corrects them)."""
    version: int = 0

    @classmethod
    def register(cls, subject_id: str, *, type: SubjectType, name: str, code: str,
                 district: str | None, registered_on: date,
                 representatives: list[Representative], today: date, by: str, at: str,
                 province: str | None = None, commune: str | None = None,
                 province_code: str | None = None, commune_code: str | None = None
                 ) -> Subject:
        """Its province and commune by names or codes, resolved to the official list."""
        located = resolve(province=province, commune=commune, province_code=province_code,
                          commune_code=commune_code)
        subject = cls(subject_id, type, name, rules.normalize_subject_code(type, code),
                      located.province, located.commune, registered_on, by, at, district,
                      representatives)
        subject._place(located)
        subject._check_dates(today)
        return subject

    def change(self, changes: dict[str, Any], *, today: date, by: str, at: str) -> str | None:
        """Apply ``changes`` (field: value); the code it was registered under if the code
        changed (its claim moves), else None."""
        former_code = self.code
        place = {key: changes.pop(key) for key in LOCALITY_FIELDS if key in changes}
        for name, value in changes.items():
            setattr(self, name, value)
        if place:
            self._place(self._moved(place))
        self.registered_on = date.fromisoformat(str(self.registered_on))
        self.code = rules.normalize_subject_code(self.type, self.code)
        self._check_dates(today)
        self.updated_by, self.updated_at = by, at
        return former_code if self.code != former_code else None

    def _moved(self, given: dict[str, str | None]) -> Locality:
        """The locality a change names: what it gives, the rest as it is (a commune named
        alone is looked for in the subject's province; a province alone keeps the commune's
        name)."""
        place = dict(given)
        if not {"province", "province_code", "commune_code"} & place.keys():
            place |= ({"province_code": self.province_code} if self.province_code
                      else {"province": self.province})
        if not {"commune", "commune_code"} & place.keys():
            place["commune"] = self.commune
        return resolve(**place)

    def _check_dates(self, today: date) -> None:
        rules.check_registered_on(self.registered_on, today)
        rules.check_district(self.registered_on, self.district)

    def ref(self) -> SubjectRef:
        """Whose records are this subject's (for the access rules)."""
        return SubjectRef(self.id, self.province, self.commune, self.commune_code)

    def state(self) -> SubjectState:
        return SubjectState(subject_id=self.id, type=self.type, name=self.name, code=self.code,
                            province=self.province, commune=self.commune,
                            district=self.district, registered_on=self.registered_on)


class ProductStatus(StrEnum):
    DRAFT = "draft"
    """Being prepared: the producer changes it freely."""
    SUBMITTED = "submitted"
    """Sent to the council (nộp đánh giá): its identity changes wait for the office."""


class CertificationStatus(StrEnum):
    CERTIFIED = "certified"
    """A certificate in force: the product is OCOP at ``stars``."""
    EXPIRED = "expired"
    REVOKED = "revoked"


class Certification(TypedDict):
    """The product's latest certificate as the rating service told of it (its events):
    in force, expired or revoked."""

    status: CertificationStatus
    stars: int
    certificate_id: str
    valid_until: date


@dataclass
class Product:
    """A subject's product (sản phẩm), with its photos and, once it has one, its GTIN."""

    id: str
    subject_id: str
    name: str
    group: str
    subgroup: str
    created_by: str
    created_at: str
    registered_on: date | None = None
    description: str = ""
    gtin: str | None = None
    images: list[ProductImage | UploadedImage] = field(default_factory=list)
    status: ProductStatus = ProductStatus.DRAFT
    submitted_at: str | None = None
    paper_dossier: str | None = None
    """Where the office holds the dossier on paper, when it submitted without one here."""
    former_gtins: list[str] = field(default_factory=list)
    """GTINs it carried before: labels printed with them still find it."""
    pending_identity: PendingIdentity | None = None
    """A change of name, group or GTIN waiting for the office."""
    identity_pending: bool = False
    last_identity_decision: IdentityDecision | None = None
    certification: Certification | None = None
    """None: never certified."""
    updated_by: str | None = None
    updated_at: str | None = None
    version: int = 0

    @classmethod
    def register(cls, product_id: str, subject_id: str, *, name: str, group: str,
                 subgroup: str, description: str, gtin: str | None, registered_on: date,
                 today: date, by: str, at: str) -> Product:
        rules.check_product_group(group, subgroup)
        rules.check_registered_on(registered_on, today)
        return cls(product_id, subject_id, name, group, subgroup, by, at, registered_on,
                   description or "", rules.normalize_gtin(gtin) if gtin else None)

    def change(self, by: Caller, changes: dict[str, Any], at: str) -> IdentityChange:
        """Apply ``changes``, except a producer's change to a submitted product's identity
        (``rules.IDENTITY_FIELDS``): that waits for the office and is returned."""
        if "gtin" in changes:
            changes["gtin"] = rules.normalize_gtin(changes["gtin"]) if changes["gtin"] else None
        held = rules.held_for_approval(self.status, by, changes, {
            k: getattr(self, k) for k in rules.IDENTITY_FIELDS})
        for name, value in changes.items():
            if name not in held:
                setattr(self, name, value)
        if held:
            rules.check_product_group(held.get("group", self.group),
                                       held.get("subgroup", self.subgroup))
            self.pending_identity = {"changes": held, "by": by.user_id, "at": at}
            self.identity_pending = True
        return held

    def decide_identity(self, approve: bool, note: str, by: str, at: str
                        ) -> ProductIdentityDecided:
        """The office approves (the change applies) or rejects (it is dropped) the change
        of identity waiting; the decision, as its producer is told it."""
        pending = rules.check_pending_identity(self.pending_identity)
        self.pending_identity, self.identity_pending = None, False
        if approve:
            for name, value in pending["changes"].items():
                setattr(self, name, value)
        self.last_identity_decision = {**pending, "approved": approve, "note": note,
                                       "decided_by": by, "at": at}
        return ProductIdentityDecided.model_validate({
            "product_id": self.id, "subject_id": self.subject_id, "product_name": self.name,
            "approved": approve, "note": note, "decided_at": at})

    def settle_identity(self, gtin_before: str | None) -> str | None:
        """After a change: check the group, and if the GTIN moved keep the one replaced
        among the former ones for good (printed labels carry it). The GTIN retired, if any."""
        rules.check_product_group(self.group, self.subgroup)
        if self.gtin == gtin_before:
            return None
        self.former_gtins = [g for g in self.former_gtins if g != self.gtin]
        if gtin_before:
            self.former_gtins.append(gtin_before)
        return gtin_before

    def add_image(self, image: ProductImage) -> ProductImage | UploadedImage:
        """``image`` added, or the image of the same upload (its ``sha256``) the product
        already shows, and nothing changes: a photo sent again is the one photo
        (``shared.files.content``)."""
        kept = same_file(self.images, image.get("sha256", ""))
        if kept is not None:
            return kept
        self.images = [*self.images, image]
        return image

    def image(self, image_id: str) -> ProductImage | UploadedImage | None:
        return next((i for i in self.images if i["id"] == image_id), None)

    def submit(self, by: Caller, dossier_stage: str | None, paper_dossier: str | None,
               at: str) -> None:
        """To the council, once the dossier is accepted (or, by the office, held on paper:
        ``rules.check_may_submit``)."""
        rules.check_may_submit(by, self.status, dossier_stage, paper_dossier)
        self.status, self.submitted_at = ProductStatus.SUBMITTED, at
        if dossier_stage != "accepted":
            self.paper_dossier = paper_dossier

    def certify(self, certificate_id: str, stars: int, valid_until: date) -> None:
        """A certificate in force (issued, renewed, up- or downgraded) replaces the one
        shown: rating orders a product's certificate events, so the latest is current."""
        self.certification = {"status": CertificationStatus.CERTIFIED, "stars": stars,
                              "certificate_id": certificate_id, "valid_until": valid_until}

    def reconcile_certification(self, e: CertificateRestated) -> str | None:
        """Rating's word on the product's latest certificate, said again by its
        reconciliation: make the product say what every certificate event would have made it
        say. The change made (``certified``, ``certification-ended``), or None when it says
        so already."""
        c, ended = e.certificate, e.ended
        status = (CertificationStatus.CERTIFIED if ended is None
                  else CertificationStatus(ended.end.value))
        held = self.certification
        if held is not None and (held["certificate_id"], held["status"]) == (
                c.certificate_id, status):
            return None
        self.certification = {"status": status, "stars": c.stars,
                              "certificate_id": c.certificate_id, "valid_until": c.valid_until}
        return "certified" if ended is None else "certification-ended"

    def end_certification(self, certificate_id: str, status: CertificationStatus) -> bool:
        """The certificate shown expired or was revoked; False if it is not the one shown
        (one superseded by a renewal ends without changing what the product is)."""
        if self.certification is None or self.certification["certificate_id"] != certificate_id:
            return False
        self.certification = {**self.certification, "status": status}
        return True

    def touched(self, by: str, at: str) -> None:
        self.updated_by, self.updated_at = by, at

    def state(self, image_urls: list[str]) -> ProductState:
        return ProductState(
            product_id=self.id, subject_id=self.subject_id, name=self.name, group=self.group,
            subgroup=self.subgroup, description=self.description, gtin=self.gtin,
            image_urls=image_urls, status=self.status.value,
            registered_on=self.registered_on)
