"""The registry's API as the pages call it: accounts, subjects, products, dossiers."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from pydantic import TypeAdapter

from services.web.backend import Refused
from services.web.clients import Answer, Client, Created, Operation, Page, Queue, Unread


class Token(Answer):
    access_token: str
    expires_in: int
    """Seconds."""


class Me(Answer):
    username: str
    role: str
    subject_id: str | None


class PendingChange(Answer):
    changes: dict[str, str | None]
    """Field → the value waiting for the office."""


class IdentityDecision(Answer):
    """The office's latest decision on a change of identity."""

    changes: dict[str, str | None]
    approved: bool
    note: str
    at: str


class Product(Answer):
    id: str
    name: str
    description: str
    status: str
    pending_identity_change: PendingChange | None = None
    last_identity_decision: IdentityDecision | None = None


class MissingDocument(Answer):
    type: str
    name_vi: str
    name_en: str


class HeldDocument(Answer):
    name_vi: str


class CycleStep(Answer):
    """A stage proposed, accepted or rejected: as whom (a role), when, with its note."""

    stage: str
    status: str
    note: str
    role: str | None = None
    at: str


class Dossier(Answer):
    stages: dict[str, str]
    """Stage → its status."""
    missing: list[MissingDocument]
    documents: list[HeldDocument]
    cycle: list[CycleStep]


SIGN_IN = Operation("registry", "POST", "/auth/token", Token)
ME = Operation("registry", "GET", "/users/me", Me)
NEW_PASSWORD = Operation("registry", "PUT", "/users/me/password", Token)
PRODUCTS = Operation("registry", "GET", "/products", Page[Product])
PRODUCT = Operation("registry", "GET", "/products/{product_id}", Product)
CHANGE = Operation("registry", "PATCH", "/products/{product_id}", Product)
DOSSIER = Operation("registry", "GET", "/products/{product_id}/dossier", Dossier)
DOCUMENT = Operation("registry", "POST", "/products/{product_id}/documents", Unread)


# -- the office's registers: subjects, accounts, imports (services/web/office/registration)

class Representative(Answer):
    name: str
    title: str = ""
    phone: str | None = None
    email: str | None = None


class Subject(Answer):
    id: str
    type: str
    name: str
    code: str
    province: str
    commune: str
    district: str | None = None
    registered_on: date | None = None
    representatives: tuple[Representative, ...] = ()
    locality_problem: str | None = None


class ProductCertification(Answer):
    status: str
    """certified (in force), expired or revoked."""
    stars: int
    valid_until: date


class SubjectProduct(Answer):
    """A product as the subject's page lists it."""

    id: str
    name: str
    group: str
    status: str
    registered_on: date | None
    certification: ProductCertification | None = None


class Account(Answer):
    username: str
    role: str
    subject_id: str | None
    commune: str | None = None
    province: str | None = None
    full_name: str
    disabled: bool = False


class Accounts(Answer):
    items: list[Account]
    total: int


class Access(Answer):
    username: str
    disabled: bool


class RowIssue(Answer):
    field: str
    column: str | None = None
    """Its column's header as the import's template writes it; None: the whole row."""
    message: str
    message_vi: str | None = None


class RowProblem(Answer):
    row: int
    """As the spreadsheet numbers it (the header is row 1)."""
    errors: list[RowIssue]


_ROW_PROBLEMS = TypeAdapter(list[RowProblem])


def refused_rows(refusal: Refused) -> list[RowProblem]:
    """The refused rows an all-or-nothing import's refusal carries (its ``rejected``, as a
    partial import's answer); none for a file refused as a whole."""
    return _ROW_PROBLEMS.validate_python(refusal.extensions.get("rejected") or [])


class Imported(Answer):
    kind: str
    created: int
    rejected: list[RowProblem]


SUBJECTS = Operation("registry", "GET", "/subjects", Page[Subject])
SUBJECT = Operation("registry", "GET", "/subjects/{subject_id}", Subject)
NEW_SUBJECT = Operation("registry", "POST", "/subjects", Subject)
SUBJECT_PRODUCTS = Operation("registry", "GET", "/products", Page[SubjectProduct])
ACCOUNTS = Operation("registry", "GET", "/users", Accounts)
NEW_ACCOUNT = Operation("registry", "POST", "/users", Account)
ACCESS = Operation("registry", "PUT", "/users/{username}/access", Access)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT = Operation("registry", "POST", "/imports/{kind}", Imported)
IMPORT_TEMPLATE = Operation("registry", "GET", "/imports/{kind}/template", Unread)


# -- the office's decisions: whose product a certificate is (services/web/office/decisions)

class CertifiedProduct(Answer):
    id: str
    name: str
    subject_id: str


class CertifiedSubject(Answer):
    id: str
    name: str
    commune: str


CERTIFIED_PRODUCT = Operation("registry", "GET", "/products/{product_id}", CertifiedProduct)
CERTIFIED_SUBJECT = Operation("registry", "GET", "/subjects/{subject_id}", CertifiedSubject)


class Registry(Client):
    async def sign_in(self, username: str, password: str, address: str) -> Token:
        """``address``: the person's, where the registry counts failed sign-ins."""
        return await self.read(SIGN_IN, json={"username": username, "password": password},
                               headers={"X-Forwarded-For": address})

    async def me(self) -> Me:
        return await self.read(ME)

    async def change_password(self, current: str, new: str) -> Token:
        return await self.read(NEW_PASSWORD, json={"current_password": current,
                                                   "new_password": new})

    async def products(self, subject_id: str | None) -> Page[Product]:
        return await self.read(PRODUCTS, params={"subject_id": subject_id, "limit": 200})

    async def product(self, product_id: str) -> Product:
        return await self.read(PRODUCT, product_id)

    async def propose_change(self, product_id: str, name: str, description: str) -> Product:
        return await self.read(CHANGE, product_id,
                               json={"name": name, "description": description})

    async def dossier(self, product_id: str) -> Dossier:
        return await self.read(DOSSIER, product_id)

    async def add_document(self, product_id: str, type: str, data: bytes,
                           content_type: str) -> None:
        await self.send(DOCUMENT, product_id, params={"type": type}, content=data,
                        headers={"Content-Type": content_type})

    # -- the producer's annual cycle (services/web/producer/cycle.py; operations at the end)

    async def register_product(self, body: dict[str, Any]) -> Created:
        """``body``: ``POST /products``'s (subject, name, group, sub-group, description,
        GTIN)."""
        return await self.read(REGISTER_PRODUCT, json=body)

    async def propose_stage(self, product_id: str, stage: str, note: str) -> None:
        await self.send(PROPOSE_STAGE, product_id,
                        json={"stage": stage, "status": "proposed", "note": note})

    async def submit_product(self, product_id: str) -> None:
        """Submit for evaluation (nộp đánh giá), once the dossier is accepted."""
        await self.send(SUBMISSION, product_id)

    # -- the commune officer's pages (models and operations at the end of the module)

    async def commune_products(self) -> Queue[CommuneProduct]:
        return await self.read(COMMUNE_PRODUCTS, params={"limit": 500})

    async def commune_subjects(self) -> Page[CommuneSubject]:
        return await self.read(COMMUNE_SUBJECTS, params={"limit": 500})

    async def commune_stages(self) -> Queue[CommuneStage]:
        return await self.read(COMMUNE_STAGES, params={"waiting_for": "commune", "limit": 200})

    async def commune_decision(self, product_id: str, stage: str, status: str,
                               note: str) -> None:
        await self.send(COMMUNE_DECISION, product_id,
                        json={"stage": stage, "status": status, "note": note})

    async def scored_product(self, product_id: str) -> ScoredProduct:
        return await self.read(SCORED_PRODUCT, product_id)

    # -- the office's decisions

    async def certified_product(self, product_id: str) -> CertifiedProduct:
        return await self.read(CERTIFIED_PRODUCT, product_id)

    async def certified_subject(self, subject_id: str) -> CertifiedSubject:
        return await self.read(CERTIFIED_SUBJECT, subject_id)

    # -- the office's registers: subjects, accounts, imports

    async def subjects(self, province: str | None = None, limit: int = 1000) -> Page[Subject]:
        """``province``: its official name, only its subjects."""
        return await self.read(SUBJECTS, params={"province": province, "limit": limit})

    async def subject(self, subject_id: str) -> Subject:
        return await self.read(SUBJECT, subject_id)

    async def register_subject(self, body: dict[str, Any]) -> Subject:
        return await self.read(NEW_SUBJECT, json=body)

    async def subject_products(self, subject_id: str) -> Page[SubjectProduct]:
        return await self.read(SUBJECT_PRODUCTS, params={"subject_id": subject_id,
                                                         "limit": 200})

    async def accounts(self, filters: dict[str, str], limit: int = 200) -> Accounts:
        """``filters``: role, commune (its code), disabled (true/false), as given."""
        return await self.read(ACCOUNTS, params={**filters, "limit": limit})

    async def create_account(self, body: dict[str, Any]) -> Account:
        return await self.read(NEW_ACCOUNT, json=body)

    async def set_access(self, username: str, disabled: bool) -> Access:
        return await self.read(ACCESS, username, json={"disabled": disabled})

    async def import_file(self, kind: str, data: bytes, *, partial: bool) -> Imported:
        """``data``: the XLSX file as uploaded. All rows or none unless ``partial``."""
        return await self.read(IMPORT, kind, content=data, params={
            "partial": "true" if partial else "false"}, headers={"Content-Type": XLSX})

    async def import_template(self, kind: str) -> httpx.Response:
        """The spreadsheet template of ``kind`` (XLSX) as the registry sent it (its
        headers name the file)."""
        return await self.send(IMPORT_TEMPLATE, kind)

    # -- the office's inbox and history (models and operations at the end of the module)

    async def inbox_stages(self) -> Queue[InboxStage]:
        return await self.read(INBOX_STAGES, params={"waiting_for": "office", "limit": 200})

    async def inbox_identity_changes(self) -> Queue[InboxProduct]:
        return await self.read(INBOX_PRODUCTS,
                               params={"identity_change": "pending", "limit": 200})

    async def inbox_product(self, product_id: str) -> InboxProduct:
        return await self.read(INBOX_PRODUCT, product_id)

    async def decide_stage(self, product_id: str, stage: str, status: str, note: str) -> None:
        await self.send(INBOX_STAGE_DECISION, product_id,
                        json={"stage": stage, "status": status, "note": note})

    async def decide_identity(self, product_id: str, approve: bool, note: str) -> None:
        await self.send(INBOX_IDENTITY_DECISION, product_id,
                        json={"approve": approve, "note": note})

    async def office_accounts(self) -> Queue[InboxAccount]:
        return await self.read(INBOX_ACCOUNTS, params={"role": "admin", "limit": 200})

    async def inbox_subject(self, subject_id: str) -> InboxSubject:
        return await self.read(INBOX_SUBJECT, subject_id)

    async def office_history(self, by: str, entity: str | None) -> Page[InboxHistoryEntry]:
        """``by``'s entries, newest first; ``entity``: on one kind of record only."""
        return await self.read(INBOX_HISTORY, params={"by": by, "limit": 200,
                                                      **({"entity": entity} if entity else {})})


# -- the office's inbox and history (services/web/office/inbox.py) ------------------------

class InboxStage(Answer):
    product_id: str
    product_name: str
    subject_name: str
    stage: str
    proposed_by: str
    proposed_at: str
    note: str


class InboxIdentity(Answer):
    changes: dict[str, str | None]
    """Field → the value proposed."""
    by: str
    at: str


class InboxProduct(Answer):
    """A product whose change of identity waits for the office, with its current values."""

    id: str
    name: str
    group: str
    gtin: str | None
    pending_identity_change: InboxIdentity | None = None


class InboxSubject(Answer):
    id: str
    name: str


class InboxAccount(Answer):
    username: str
    full_name: str


class InboxHistoryEntry(Answer):
    id: str
    entity: str
    entity_id: str
    action: str
    by: str
    at: str


INBOX_STAGES = Operation("registry", "GET", "/dossier-stages", Queue[InboxStage])
INBOX_PRODUCTS = Operation("registry", "GET", "/products", Queue[InboxProduct])
INBOX_PRODUCT = Operation("registry", "GET", "/products/{product_id}", InboxProduct)
INBOX_STAGE_DECISION = Operation("registry", "POST", "/products/{product_id}/cycle", Unread)
INBOX_IDENTITY_DECISION = Operation("registry", "POST",
                                    "/products/{product_id}/identity-change", Unread)
INBOX_SUBJECT = Operation("registry", "GET", "/subjects/{subject_id}", InboxSubject)
INBOX_ACCOUNTS = Operation("registry", "GET", "/users", Queue[InboxAccount])
INBOX_HISTORY = Operation("registry", "GET", "/history", Page[InboxHistoryEntry])


# -- the council's members, as a round's council is chosen (services/web/office/rounds) ---

class CouncilMember(Answer):
    username: str
    full_name: str


COUNCIL_MEMBERS = Operation("registry", "GET", "/users", Page[CouncilMember])


class Councils(Registry):
    """The accounts a round's council is chosen from."""

    async def council_members(self) -> Page[CouncilMember]:
        """The council members' accounts that may sign in."""
        return await self.read(COUNCIL_MEMBERS, params={"role": "council_member",
                                                        "disabled": "false", "limit": 1000})


# -- the commune officer's pages (services/web/commune), the council's (services/web/council)

class CommuneCertification(Answer):
    status: str
    """certified (in force), expired or revoked."""
    stars: int
    valid_until: date


class CommuneProduct(Answer):
    id: str
    name: str
    subject_id: str
    group: str
    subgroup: str
    status: str
    registered_on: date | None
    certification: CommuneCertification | None = None


class CommuneSubject(Answer):
    id: str
    name: str


class CommuneStage(Answer):
    product_id: str
    product_name: str
    subject_name: str
    stage: str
    proposed_by: str
    proposed_at: str
    note: str


class ScoredProduct(Answer):
    """A product as a score sheet names it: its name and group."""

    id: str
    name: str
    group: str
    subgroup: str


COMMUNE_PRODUCTS = Operation("registry", "GET", "/products", Queue[CommuneProduct])
COMMUNE_SUBJECTS = Operation("registry", "GET", "/subjects", Page[CommuneSubject])
COMMUNE_STAGES = Operation("registry", "GET", "/dossier-stages", Queue[CommuneStage])
COMMUNE_DECISION = Operation("registry", "POST", "/products/{product_id}/cycle", Unread)
SCORED_PRODUCT = Operation("registry", "GET", "/products/{product_id}", ScoredProduct)


# -- the producer's annual cycle (services/web/producer/cycle.py) -------------------------

REGISTER_PRODUCT = Operation("registry", "POST", "/products", Created)
PROPOSE_STAGE = Operation("registry", "POST", "/products/{product_id}/cycle", Unread)
SUBMISSION = Operation("registry", "POST", "/products/{product_id}/submission", Unread)
