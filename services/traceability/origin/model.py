"""Batches (lô) and their origin records: the aggregates a producer keeps after
certification. A batch is opened for a certified product; each EPCIS event about it is
recorded once, never edited, and appended to the batch's hash chain, whose head changes with
every record so that a rewritten history no longer matches the heads already published.

Pure: no I/O, no clock (the day and the time are arguments)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from services.traceability.origin.epcis import EpcisEvent, JsonLdContext
from services.traceability.profiles import rules
from services.traceability.profiles.model import TraceProfile
from shared.messaging.contracts.traceability import BatchOpened, ChainHead
from shared.platform.clock import VIETNAM
from shared.refusals import N_, BadRequest, Conflict, FieldError


class Unit(StrEnum):
    """What a batch is counted in (UN/ECE Recommendation 20 codes, as EPCIS writes them)."""

    KILOGRAM = "KGM"
    LITRE = "LTR"
    TONNE = "TNE"
    PIECE = "H87"
    """Bottles, boxes, packs: counted, not weighed."""


class AreaCertificateKind(StrEnum):
    VIETGAP = "vietgap"
    ORGANIC = "organic"
    GLOBALGAP = "globalgap"
    OTHER = "other"


@dataclass
class AreaCertificate:
    """A certificate the raw-material area holds (VietGAP, organic…)."""

    kind: AreaCertificateKind
    number: str
    issued_by: str = ""
    valid_until: date | None = None
    document_url: str = ""
    """The certificate itself (a filed document, or the certifier's page)."""


@dataclass
class RawMaterialArea:
    """Where the batch's raw material came from (vùng nguyên liệu)."""

    name: str
    commune: str
    province: str = ""
    latitude: float | None = None
    longitude: float | None = None
    hectares: float | None = None
    certificates: list[AreaCertificate] = field(default_factory=list)


CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of the platform's clock a phone's clock may run: an event "now" from such a
phone is not in the future."""


def in_the_future(when: date | datetime, now: datetime) -> bool:
    """The one reading of "in the future" for what a producer dates (``now``: the platform's
    clock): a day after today in Việt Nam, where the day starts at 17:00 UTC of the day
    before; an instant later than now, a phone's clock running ``CLOCK_SKEW`` ahead
    forgiven."""
    if isinstance(when, datetime):
        return when > now + CLOCK_SKEW
    return when > now.astimezone(VIETNAM).date()


@dataclass
class BatchDates:
    produced_on: date
    """Production or harvest day (ngày sản xuất / thu hoạch)."""
    packed_on: date | None = None
    best_before: date | None = None
    expires_on: date | None = None

    def check(self, now: datetime) -> None:
        """In the order things happen, production not in the future."""
        errors = []
        if in_the_future(self.produced_on, now):
            errors.append(FieldError("produced_on", N_("is later than today")))
        for name, later in (("packed_on", self.packed_on), ("best_before", self.best_before),
                            ("expires_on", self.expires_on)):
            if later is not None and later < self.produced_on:
                errors.append(FieldError(name, N_("is before the production date")))
        if errors:
            raise BadRequest(N_("The batch's dates are not in order."), code="batch-dates",
                             errors=errors)


GENESIS = "ocop:batch:"


def chain_step(previous: str, event_hash: str, digest: str) -> str:
    """The chain's head after one more record: it covers the record's standard hash and a
    digest of everything stored (the standard hash leaves out e.g. error declarations)."""
    return hashlib.sha256(f"{previous}|{event_hash}|{digest}".encode()).hexdigest()


def content_digest(event: EpcisEvent) -> str:
    """SHA-256 of the stored event as canonical JSON (keys sorted, no spaces)."""
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class ChainLink:
    """One record's place in one batch's chain."""

    id: str
    """``{batch_id}.{sequence:08d}``: the chain's order is the ids' order."""
    batch_id: str
    product_id: str
    sequence: int
    record_id: str
    event_hash: str
    digest: str
    previous: str
    head: str
    event_time: str
    biz_step: str | None
    place: str | None
    version: int = 0

    def head_event(self) -> ChainHead:
        return ChainHead(batch_id=self.batch_id, sequence=self.sequence, head=self.head)


@dataclass
class Batch:
    """A batch (lô) of a certified product, with its raw-material areas and the head of
    its chain of origin records."""

    id: str
    product_id: str
    subject_id: str
    province: str
    commune: str
    gtin: str | None
    lot: str
    identifier: str
    """EPC class URI its events name it by (``rules.batch_identifier``)."""
    dates: BatchDates
    quantity: float
    unit: Unit
    opened_at: str
    opened_by: str
    areas: list[RawMaterialArea] = field(default_factory=list)
    head: str = ""
    length: int = 0
    version: int = 0

    @classmethod
    def open(cls, batch_id: str, profile: TraceProfile, *, lot: str, dates: BatchDates,
             quantity: float, unit: Unit, areas: list[RawMaterialArea], now: datetime,
             at: str, by: str, scan_base_url: str) -> Batch:
        """Open a batch of ``profile``'s product: only while its certificate is in force."""
        check_certified(profile, now.astimezone(VIETNAM).date())
        if not rules.LOT.match(lot):
            raise BadRequest(N_("The lot code must be 1–20 characters of the GS1 character "
                                "set (letters without accents, digits and "
                                "!\"%%&'()*+,-./:;<=>?_)."), code="lot-invalid",
                             errors=[FieldError("lot", N_("letters without accents, digits "
                                                          "and signs such as - . / only; no "
                                                          "spaces"))])
        dates.check(now)
        assert profile.subject
        identifier = rules.batch_identifier(scan_base_url, profile.id, profile.gtin, lot)
        return cls(batch_id, profile.id, profile.subject.id, profile.subject.province,
                   profile.subject.commune, profile.gtin, lot, identifier, dates, quantity,
                   unit, at, by, areas, head=genesis(batch_id))

    def opened(self, scan_base_url: str) -> BatchOpened:
        return BatchOpened(
            batch_id=self.id, product_id=self.product_id, subject_id=self.subject_id,
            gtin=self.gtin, lot=self.lot, identifier=self.identifier,
            scan_url=rules.batch_scan_url(scan_base_url, self.product_id, self.gtin,
                                           self.lot),
            produced_on=self.dates.produced_on, packed_on=self.dates.packed_on,
            best_before=self.dates.best_before, expires_on=self.dates.expires_on,
            quantity=self.quantity, unit=self.unit.value)

    def check_event_time(self, when: datetime, field_name: str, now: datetime) -> None:
        """Nothing happens to a batch before it was produced (on the day as written where
        it happened), nor later than now (``in_the_future``: the batch's own dates' rule)."""
        if in_the_future(when, now):
            raise BadRequest(N_("The event is dated later than now."), code="event-in-future",
                             errors=[FieldError(field_name,
                                                N_("give the day and time it happened"))])
        if when.date() < self.dates.produced_on:
            raise BadRequest(
                N_("The event is dated before batch %(lot)s was produced (%(produced_on)s)."),
                code="event-before-batch", lot=self.lot,
                produced_on=f"{self.dates.produced_on:%d/%m/%Y}",
                errors=[FieldError(field_name, N_("is before the batch's production date"))])

    def append(self, record: OriginRecord) -> ChainLink:
        """Add ``record`` to the chain: the new link, and the batch's head moves on."""
        sequence, digest = self.length + 1, content_digest(record.event)
        link = ChainLink(f"{self.id}.{sequence:08d}", self.id, self.product_id, sequence,
                         record.id, record.hash, digest, self.head,
                         chain_step(self.head, record.hash, digest),
                         record.event_time, record.biz_step, record.place)
        self.head, self.length = link.head, sequence
        return link


def genesis(batch_id: str) -> str:
    """The head of a batch's chain before any record."""
    return hashlib.sha256(f"{GENESIS}{batch_id}".encode()).hexdigest()


NO_LONGER_CERTIFIED = {
    rules.CertificateState.REVOKED: N_("The product's certificate is revoked: its batches can "
                                       "be read, no longer opened or added to."),
    rules.CertificateState.EXPIRED: N_("The product's certificate is expired: its batches can "
                                       "be read, no longer opened or added to.")}


def check_certified(profile: TraceProfile, today: date) -> None:
    """Batches are opened and recorded only under a certificate in force; those of a
    revoked or expired one stay readable."""
    if profile.certificate is None:
        raise Conflict(N_("The product is not OCOP-certified: it has no batches."),
                       code="not-certified")
    state = profile.certificate.state_on(today)
    if state is not rules.CertificateState.ACTIVE:
        raise Conflict(NO_LONGER_CERTIFIED[state], code=f"certificate-{state.value}")


def utc_stamp(when: datetime) -> str:
    """A time as stored for range queries: UTC, fixed width, so text order is time order."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class OriginRecord:
    """One captured EPCIS event (hồ sơ nguồn gốc), as received, never changed."""

    id: str
    event: EpcisEvent
    """The event as captured, its ``eventID`` filled in if the sender gave none."""
    context: JsonLdContext
    """The JSON-LD context it was captured under (its extension fields' namespaces)."""
    hash: str
    event_id: str
    event_time: str
    biz_step: str | None
    place: str | None
    batch_ids: list[str]
    product_ids: list[str]
    recorded_at: str
    recorded_by: str
    corrects: str | None = None
    """The eventID this record declares erroneous (an error declaration)."""
    version: int = 0

    @property
    def kind(self) -> str:
        return str(self.event["type"])


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    record_id: str
    problem: str
    """In English, the catalog's id: a page says it in its reader's language."""


@dataclass(frozen=True)
class ChainReport:
    """What recomputing a batch's chain found (``verify``)."""

    batch_id: str
    records: int
    head: str
    intact: bool
    problems: list[ChainProblem]


def verify(batch: Batch, links: list[ChainLink], records: dict[str, OriginRecord],
           recomputed: dict[str, str]) -> ChainReport:
    """Check ``batch``'s chain against the stored records (``recomputed``: each record's
    standard hash computed again from its stored event) and say which record or link
    breaks it. Each link is checked on its own, so one altered record is reported once.
    A rewrite of a record, its link and every later link together is consistent here; it
    is caught against the heads published in the ``OriginEventRecorded`` events."""
    problems: list[ChainProblem] = []

    def broken(link: ChainLink, what: str) -> None:
        problems.append(ChainProblem(link.sequence, link.record_id, what))

    head = genesis(batch.id)
    for expected, link in enumerate(links, start=1):
        record = records.get(link.record_id)
        if link.sequence != expected:
            broken(link, N_("a record is missing before this one"))
        if link.previous != head:
            broken(link, N_("the chain was rewritten (the link does not follow the one "
                            "before)"))
        if chain_step(link.previous, link.event_hash, link.digest) != link.head:
            broken(link, N_("the link was altered"))
        head = link.head
        if record is None:
            broken(link, N_("the record is gone"))
        elif recomputed[record.id] != link.event_hash or record.hash != link.event_hash:
            broken(link, N_("the event was altered (its standard hash differs)"))
        elif content_digest(record.event) != link.digest:
            broken(link, N_("the stored event was altered (its content differs)"))
    if head != batch.head or len(links) != batch.length:
        problems.append(ChainProblem(len(links), "", N_("the chain ends elsewhere than the "
                                                        "batch's head")))
    return ChainReport(batch.id, len(links), batch.head, not problems, problems)
