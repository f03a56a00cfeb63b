"""Registry rules: who may do what to subjects (chủ thể) and products, and what valid
identifiers look like. Pure functions, no I/O."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from stdnum.exceptions import ValidationError as NumberInvalid
from stdnum.vn import mst
from typing_extensions import TypedDict  # pydantic reads only this TypedDict on Python 3.11

from shared.files.images import IMAGE_EXTENSIONS, IMAGE_SIGNATURES
from shared.http.uploads import media_type
from shared.identity.auth import Caller, Role
from shared.ocop.gtin import gtin14
from shared.ocop.vocabulary import GROUPS_148_2023, SubjectType
from shared.refusals import (
    N_,
    BadRequest,
    Conflict,
    Term,
    invalid,
)

# Registration numbers of cooperative groups and household businesses are issued by
# communes and districts in many local formats: letters, digits and separators.
LOCAL_REGISTRATION = re.compile(r"^[A-Z0-9][A-Z0-9./-]{2,29}$")
# Enterprises and cooperatives are registered under their tax code (mã số thuế).
TAX_CODED = (SubjectType.ENTERPRISE, SubjectType.COOPERATIVE)


PROGRAMME_START = date(2018, 5, 7)
"""Decision 490/QĐ-TTg approved the OCOP programme: no record is older."""
DISTRICTS_ABOLISHED = date(2025, 7, 1)
"""Two-level local government: records from this day have a province and a commune only."""


def check_registered_on(day: date, today: date) -> None:
    if not PROGRAMME_START <= day <= today:
        raise invalid("registered_on", N_("must be between %(start)s (the programme's start) "
                                          "and today"), start=PROGRAMME_START.isoformat())


def check_district(registered_on: date, district: str | None) -> None:
    """Records made before 1 July 2025 keep their district; later ones have none."""
    if registered_on < DISTRICTS_ABOLISHED and not district:
        raise invalid("district", N_("a record made before 1 July 2025 names its district "
                                     "(huyện) as it was then"))
    if registered_on >= DISTRICTS_ABOLISHED and district:
        raise invalid("district", N_("districts were abolished on 1 July 2025: give the "
                                     "province and commune only"))


def normalize_subject_code(subject_type: SubjectType, code: str) -> str:
    """Tax codes (10 digits, or 10+3 for a branch) for enterprises and cooperatives; a
    local registration number for cooperative groups and household businesses."""
    raw = code.strip().upper()
    if subject_type in TAX_CODED:
        try:
            digits = mst.compact(raw)
            mst.validate(digits)
        except NumberInvalid:
            raise invalid("code", N_("a tax code has 10 digits, or 13 written as 10-3 for a "
                                     "branch, with a valid check digit")) from None
        return digits if len(digits) == 10 else f"{digits[:10]}-{digits[10:]}"
    if not LOCAL_REGISTRATION.match(raw):
        raise invalid("code", N_("use the registration number as issued: 3–30 letters, "
                                 "digits, '.', '/' or '-'"))
    return raw


def normalize_gtin(gtin: str) -> str:
    """Any GTIN-8/12/13/14 as the 14 digits GS1 Digital Link uses; check digit verified."""
    digits = gtin14(gtin.strip())
    if digits is None or not digits.strip("0"):
        raise invalid("gtin", N_("not a valid GTIN: use the 8, 12, 13 or 14 digits printed "
                                 "under the barcode (the last one is a check digit)"))
    return digits


def check_product_group(group: str, subgroup: str) -> None:
    found = GROUPS_148_2023.get(group)
    if found is None:
        raise invalid("group", N_("unknown product group; use one of %(known)s"),
                      known=", ".join(GROUPS_148_2023))
    if subgroup not in found.subgroups:
        raise invalid("subgroup", N_("not a sub-group of %(group)s; use one of %(known)s"),
                      group=group, known=", ".join(found.subgroups))


IdentityField = Literal["name", "group", "subgroup", "gtin"]
IDENTITY_FIELDS: tuple[IdentityField, ...] = ("name", "group", "subgroup", "gtin")
"""What the council evaluated and the certificate names: once a product is submitted, the
producer proposes changes to these and the office approves them."""


class IdentityChange(TypedDict, total=False):
    """A product's name, group, sub-group or GTIN as a change gives them (only those it
    changes)."""

    name: str
    group: str
    subgroup: str
    gtin: str | None


class PendingIdentity(TypedDict):
    """A change of identity waiting for the office: what, by whom, when."""

    changes: IdentityChange
    by: str
    at: str


def held_for_approval(status: str, caller: Caller, changes: dict[str, Any],
                      current: dict[str, Any]) -> IdentityChange:
    """The changes to a product's identity that wait for the office: those that change
    something, on a product past its draft, asked by anyone but the office."""
    held: IdentityChange = {}
    if status == "draft" or caller.role is Role.ADMIN:
        return held
    for name in IDENTITY_FIELDS:
        if name in changes and changes[name] != current.get(name):
            held[name] = changes[name]
    return held


def check_pending_identity(pending: PendingIdentity | None) -> PendingIdentity:
    if not pending:
        raise Conflict(N_("This product has no change of name, group or GTIN waiting for a "
                          "decision."), code="nothing-pending")
    return pending


def check_may_submit(caller: Caller, status: str, dossier: str | None,
                     paper_dossier: str | None) -> None:
    """A product goes to the council once the office has accepted its dossier (complete
    by the checklist). Only the office may submit one whose dossier it holds on paper —
    records from before the platform — and it says so (``paper_dossier``)."""
    if status != "draft":
        raise Conflict(N_("This product has already been submitted for evaluation."),
                       code="already-submitted")
    if dossier == "accepted":
        return
    if caller.role is Role.ADMIN and paper_dossier:
        return
    raise Conflict(
        N_("The dossier must be accepted before the product is submitted (it is %(state)s): "
           "add the documents GET /products/{id}/dossier lists as missing, then propose idea → "
           "plan → dossier for the office to accept. An office submitting a product whose "
           "dossier it holds on paper says so in 'paper_dossier'."),
        code="dossier-not-accepted", state=dossier or Term(N_("not proposed")))


def check_image(content_type: str, data: bytes) -> str:
    """The file extension for an image whose bytes match its declared type."""
    kind = media_type(content_type)
    signatures = IMAGE_SIGNATURES.get(kind)
    if signatures is None:
        raise BadRequest(N_("Send a JPEG, PNG or WebP image (Content-Type image/jpeg, "
                            "image/png or image/webp)."), code="unsupported-image")
    if not data.startswith(signatures) or (kind == "image/webp" and data[8:12] != b"WEBP"):
        raise BadRequest(N_("The file is not a %(kind)s image."), code="unsupported-image",
                         kind=kind)
    return IMAGE_EXTENSIONS[kind]
