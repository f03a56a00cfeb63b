"""The calls the pages make to the services, one method each, and what the web front reads
of each answer.

Each answer is declared from the web front's side: only the fields the pages read, any
other ignored, so a service that adds a field does not break a page; a field the pages
read that a service stops answering is found by tests/contract/test_web_clients.py, which
holds every ``Operation`` here against the service's OpenAPI document. The web front
imports no service: these models are its own reading of the services' public APIs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict

from services.web.backend import Backend


class Answer(BaseModel):
    """What the pages read of a service's answer; a field they do not read is ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Unread(Answer):
    """An answer the pages do not read (a file sent on, a request taken)."""


class Created(Answer):
    """What a page reads of a thing just made: its id, to go to it."""

    id: str


A = TypeVar("A", bound=Answer)


class Page(Answer, Generic[A]):
    """A page of a list (the pages ask for no next one)."""

    items: list[A]


_PARAMETER = re.compile(r"\{[^}]+\}")


@dataclass(frozen=True)
class Operation(Generic[A]):
    """One operation of a service's API as its OpenAPI document names it, and what the
    pages read of its answer."""

    service: str
    method: str
    path: str
    """The path template, ``/batches/{batch_id}``."""
    answer: type[A]

    def path_for(self, *ids: str) -> str:
        """The path with each ``{parameter}`` given in turn."""
        given = iter(ids)
        return _PARAMETER.sub(lambda _: next(given), self.path)


@dataclass(frozen=True)
class Client:
    """A service's API as one account sees it: calls with its token (none to sign in)."""

    backend: Backend
    token: str | None

    async def read(self, operation: Operation[A], *ids: str, **request: Any) -> A:
        """The answer as the pages read it; ``Refused``/``SignedOut`` as ``Backend.send``."""
        response = await self.send(operation, *ids, **request)
        return operation.answer.model_validate_json(response.content)

    async def send(self, operation: Operation[Any], *ids: str,
                   **request: Any) -> httpx.Response:
        return await self.backend.send(self.token, operation.method, operation.service,
                                       operation.path_for(*ids), **request)


# -- registry -----------------------------------------------------------------------------

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


class Product(Answer):
    id: str
    name: str
    description: str
    status: str
    pending_identity_change: PendingChange | None = None


class MissingDocument(Answer):
    type: str
    name_vi: str
    name_en: str


class HeldDocument(Answer):
    name_vi: str


class Dossier(Answer):
    stages: dict[str, str]
    """Stage → its status."""
    missing: list[MissingDocument]
    documents: list[HeldDocument]


SIGN_IN = Operation("registry", "POST", "/auth/token", Token)
ME = Operation("registry", "GET", "/users/me", Me)
NEW_PASSWORD = Operation("registry", "PUT", "/users/me/password", Token)
PRODUCTS = Operation("registry", "GET", "/products", Page[Product])
PRODUCT = Operation("registry", "GET", "/products/{product_id}", Product)
CHANGE = Operation("registry", "PATCH", "/products/{product_id}", Product)
DOSSIER = Operation("registry", "GET", "/products/{product_id}/dossier", Dossier)
DOCUMENT = Operation("registry", "POST", "/products/{product_id}/documents", Unread)


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


# -- rating -------------------------------------------------------------------------------

class Certificate(Answer):
    number: str
    stars: int
    status: str
    decision_date: date
    valid_from: date
    valid_until: date


CERTIFICATES = Operation("rating", "GET", "/certificates", Page[Certificate])


class Rating(Client):
    async def certificates(self, product_id: str) -> Page[Certificate]:
        return await self.read(CERTIFICATES, params={"product_id": product_id})


# -- traceability -------------------------------------------------------------------------

class BatchDates(Answer):
    produced_on: date


class Area(Answer):
    name: str


class Step(Answer):
    """A step of a batch's journey, as the service words it for people."""

    step: str
    when: str
    place: str
    quantity: str
    note: str
    photos: list[str]
    report_url: str


class ListedBatch(Answer):
    id: str
    lot: str
    dates: BatchDates


class Batch(ListedBatch):
    product_id: str
    quantity: float
    unit: str
    areas: list[Area]
    journey: list[Step]


class Progress(Answer):
    drawn: int
    total: int


class Sheet(Answer):
    id: str
    status: str
    count: int
    requested_at: str
    progress: Progress
    pdf_url: str | None = None


class Counts(Answer):
    scans: int
    units_scanned: int


class Scans(Answer):
    total: Counts
    units_printed: int


class Anomaly(Answer):
    kind: str
    day: date
    batch_id: str | None
    lot: str | None
    codes: list[str]
    scans: int
    devices: int
    networks: int
    confidence: str


class Filed(Answer):
    url: str


BATCHES = Operation("traceability", "GET", "/products/{product_id}/batches",
                    Page[ListedBatch])
OPEN_BATCH = Operation("traceability", "POST", "/products/{product_id}/batches", Created)
BATCH = Operation("traceability", "GET", "/batches/{batch_id}", Batch)
EVENTS = Operation("traceability", "POST", "/batches/{batch_id}/events", Created)
FILE = Operation("traceability", "POST", "/products/{product_id}/origin-documents", Filed)
SHEETS = Operation("traceability", "GET", "/batches/{batch_id}/label-sheets", Page[Sheet])
PRINT = Operation("traceability", "POST", "/batches/{batch_id}/label-sheets", Unread)
LABELS_PDF = Operation("traceability", "GET", "/label-sheets/{sheet_id}/labels.pdf", Unread)
SCANS = Operation("traceability", "GET", "/batches/{batch_id}/scans", Scans)
ANOMALIES = Operation("traceability", "GET", "/anomalies", Page[Anomaly])


class Traceability(Client):
    async def batches(self, product_id: str) -> Page[ListedBatch]:
        return await self.read(BATCHES, product_id)

    async def open_batch(self, product_id: str, batch: dict[str, Any]) -> Created:
        return await self.read(OPEN_BATCH, product_id, json=batch)

    async def batch(self, batch_id: str) -> Batch:
        return await self.read(BATCH, batch_id)

    async def record_event(self, batch_id: str, event: dict[str, Any]) -> Created:
        """``event``: what ``services.web.origin_form.event_body`` makes."""
        return await self.read(EVENTS, batch_id, json=event)

    async def file_origin_document(self, product_id: str, kind: str, title: str, data: bytes,
                                   content_type: str) -> Filed:
        return await self.read(FILE, product_id, params={"kind": kind, "title": title},
                               content=data, headers={"Content-Type": content_type})

    async def label_sheets(self, batch_id: str) -> Page[Sheet]:
        return await self.read(SHEETS, batch_id)

    async def print_labels(self, batch_id: str, count: float | None, kind: str) -> None:
        await self.send(PRINT, batch_id, json={"count": count, "kind": kind})

    async def labels_pdf(self, sheet_id: str) -> httpx.Response:
        """The sheet's PDF as the service sent it (its headers name the file)."""
        return await self.send(LABELS_PDF, sheet_id)

    async def scans(self, batch_id: str) -> Scans:
        return await self.read(SCANS, batch_id)

    async def anomalies(self, *, batch_id: str | None = None,
                        limit: int | None = None) -> Page[Anomaly]:
        asked = {"batch_id": batch_id, "limit": limit}
        return await self.read(ANOMALIES,
                               params={k: v for k, v in asked.items() if v is not None})
