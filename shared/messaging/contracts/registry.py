"""Events the registry publishes: subjects (chủ thể), their products and dossiers, accounts.

Every event carries the whole current state of its aggregate, so a consumer's read model is
one ``put`` and the inbox's sequence check keeps it from going backwards.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from shared.messaging.events.contracts import EventContract, contract
from shared.ocop.vocabulary import SubjectType

SUBJECTS_TOPIC = "ocop.registry.subjects"
PRODUCTS_TOPIC = "ocop.registry.products"


class SubjectState(EventContract):
    subject_id: str
    type: SubjectType
    name: str
    code: str
    """Business registration or tax code (mã số doanh nghiệp / mã số thuế)."""
    province: str
    commune: str
    district: str | None = None
    """The former district (huyện) of a record made before 1 July 2025."""
    registered_on: date | None = None
    """When the subject joined the programme."""


@contract("vn.ocop.registry.subject.registered.v1", topic=SUBJECTS_TOPIC)
class SubjectRegistered(SubjectState):
    pass


@contract("vn.ocop.registry.subject.updated.v1", topic=SUBJECTS_TOPIC)
class SubjectUpdated(SubjectState):
    pass


class ProductState(EventContract):
    product_id: str
    subject_id: str
    name: str
    group: str
    """Product group code of Decision 148/QĐ-TTg (``shared.ocop.vocabulary``)."""
    subgroup: str
    description: str = ""
    gtin: str | None = None
    """GTIN-14 (zero-padded), check digit verified."""
    image_urls: list[str] = Field(default_factory=list)
    status: Literal["draft", "submitted"]
    registered_on: date | None = None
    """When the product was registered in the programme (the year an annual summary counts)."""


@contract("vn.ocop.registry.product.registered.v1", topic=PRODUCTS_TOPIC)
class ProductRegistered(ProductState):
    pass


@contract("vn.ocop.registry.product.updated.v1", topic=PRODUCTS_TOPIC)
class ProductUpdated(ProductState):
    pass


@contract("vn.ocop.registry.product.submitted.v1", topic=PRODUCTS_TOPIC)
class ProductSubmitted(ProductState):
    """Submitted for evaluation (nộp hồ sơ đánh giá)."""


PRODUCT_STATES = (ProductRegistered, ProductUpdated, ProductSubmitted)
"""Events that carry the product's whole current state (``ProductState``): a read model of
products keeps it from each of them."""


ACCOUNTS_TOPIC = "ocop.registry.accounts"


@contract("vn.ocop.registry.product.gtin_retired.v1", topic=PRODUCTS_TOPIC)
class ProductGtinRetired(EventContract):
    """A product no longer carries ``gtin`` (replaced or removed), but labels printed with it
    are still on the shelves: the GTIN stays the product's, and a scan of it still finds it."""

    product_id: str
    gtin: str


@contract("vn.ocop.registry.account.tokens_revoked.v1", topic=ACCOUNTS_TOPIC)
class AccountTokensRevoked(EventContract):
    """An account was disabled or changed its password: every token issued to it before
    ends at once, in every service. Tokens carry their generation (``gen``); a service
    refuses a token whose generation is older than ``token_generation``."""

    user_id: str
    token_generation: int
    disabled: bool


class AccountState(EventContract):
    """Who an account is in the programme, as far as telling it what concerns it needs: its
    role and what it is bound to (a producer's subject, a commune officer's commune). No
    name, e-mail or password: a person's contact stays with the web front, where they set it."""

    user_id: str
    role: Literal["admin", "commune_officer", "council_member", "producer", "channel"]
    subject_id: str | None = None
    commune_code: str | None = None
    province_code: str | None = None
    disabled: bool = False


@contract("vn.ocop.registry.account.opened.v1", topic=ACCOUNTS_TOPIC)
class AccountOpened(AccountState):
    """An account was created."""


@contract("vn.ocop.registry.account.changed.v1", topic=ACCOUNTS_TOPIC)
class AccountChanged(AccountState):
    """An account was disabled, enabled again or bound elsewhere."""


ACCOUNT_STATES = (AccountOpened, AccountChanged)
"""Events that carry an account's whole current state (``AccountState``)."""


DOSSIERS_TOPIC = "ocop.registry.dossiers"


@contract("vn.ocop.registry.dossier.stage_decided.v1", topic=DOSSIERS_TOPIC)
class DossierStageDecided(EventContract):
    """The commune or the provincial office accepted or refused a stage of a product's cycle
    that its producer proposed (ý tưởng → phương án → hồ sơ), with the note they wrote: what
    the producer is told."""

    product_id: str
    subject_id: str
    product_name: str
    stage: Literal["idea", "plan", "dossier"]
    status: Literal["accepted", "rejected"]
    note: str = ""
    decided_by: Literal["office", "commune"]
    """Who decided, as the producer reads it: the provincial office or the commune."""
    decided_at: datetime


@contract("vn.ocop.registry.product.identity_decided.v1", topic=PRODUCTS_TOPIC)
class ProductIdentityDecided(EventContract):
    """The provincial office approved (the change applies) or refused (it is dropped) a
    change of a submitted product's identity (name, group, GTIN) that its producer asked for,
    with the office's note."""

    product_id: str
    subject_id: str
    product_name: str
    """The product's name after the decision."""
    approved: bool
    note: str = ""
    decided_at: datetime
