"""The traceability service's collections and the fields each is queried on."""

import hashlib

from services.traceability.documents.model import OriginDocument
from services.traceability.labels.model import LabelSheet, UnitCode
from services.traceability.named_queries.model import Subscription
from services.traceability.origin.captures import CaptureJob
from services.traceability.origin.model import Batch, ChainLink, OriginRecord
from services.traceability.origin.query import NamedQuery, index_of, vocabulary_of
from services.traceability.profiles.model import Label, TraceProfile
from services.traceability.scans.model import Anomaly, ClientReports, ScanDay
from shared.i18n import N_
from shared.ports.store import Collection, DocumentStore, Reader, Transaction
from shared.ports.store.port import MAX_PAGE
from shared.ports.store.repository import Repository

PROFILES = Collection("profiles", indexes=("gtin",))
"""Trace profile per product: what the scan page shows, kept from the rating events."""
LABELS = Collection("labels")
"""Per product: its QR label, the URL it encodes and where its artwork is stored."""

FORMER_GTINS = Collection("former_gtins")
"""GTIN a product no longer carries → the product: labels printed with it still find it."""

BATCHES = Collection("batches", indexes=("product_id", "subject_id"))
"""Batches (lô) of certified products, with the head of each one's hash chain."""
LOTS = Collection("lots")
"""``{product_id}|{lot}`` → the batch: a lot code is unique per product."""
RECORDS = Collection("origin_records", indexes=("event_id", "event_time", "biz_step", "place"))
"""Every captured EPCIS event, as received (append-only)."""
LINKS = Collection("chain_links", indexes=("batch_id", "product_id", "event_time",
                                           "biz_step", "place"))
"""Each record's place in each batch's chain (a transformation is in several)."""
EPCIS_EVENTS = Collection("epcis_events", indexes=(
    "type", "action", "biz_step", "disposition", "read_point", "biz_location", "event_time",
    "record_time", "event_id"))
"""Per origin record (same id): the fields the EPCIS query matches and orders it on."""
EPCIS_TERMS = Collection("epcis_terms", indexes=("term", "number", "record_id"))
"""Per origin record and multi-valued term (an EPC, an EPC pattern it matches, an EPC
class, a quantity, its batches and products): what the EPCIS query's MATCH_ and
quantity parameters find it by."""
EPCIS_VOCABULARY = Collection("epcis_vocabulary", indexes=("kind", "value"),
                              compound=(("kind", "value"),))
"""What the events name, once each: the members of the EPCIS REST binding's ``bizSteps``
and ``bizLocations`` (``kind``), by value."""
EPCIS_QUERIES = Collection("epcis_queries", indexes=("created_by",))
"""Named EPCIS queries (the REST binding's ``/queries``), by name."""
EPCIS_SUBSCRIPTIONS = Collection("epcis_subscriptions", indexes=("query_name", "enabled"))
"""Subscriptions to named EPCIS queries, by webhook: where each has got to."""
EPCIS_CAPTURES = Collection("epcis_captures")
"""EPCIS capture jobs: what each capture recorded (``origin/captures.py``)."""

SHEETS = Collection("label_sheets", indexes=("batch_id", "status", "subject_id"))
"""Label sheets printed for batches: their layout, progress and PDF."""
UNIT_CODES = Collection("unit_codes")
"""``{product_id}/{serial}`` → the batch and sheet it was printed on, and its scans."""

SCAN_DAYS = Collection("scan_days", indexes=("product_id", "batch_id", "day"))
"""Scans per product, batch and day (Việt Nam time)."""
ANOMALIES = Collection("scan_anomalies", indexes=("kind", "product_id", "subject_id",
                                                  "province", "batch_id", "day"))
"""Counterfeit signals: copied unit codes, codes never printed, shoppers' reports."""
REPORTS = Collection("client_reports")
"""``{network}|{product_id}|{day}`` → the codes that client reported that day (each once)."""

DOCUMENTS = Collection("origin_documents", indexes=("product_id", "sha256"))
"""Lab reports, area certificates and photos behind the records, kept in the object
store."""
DOCUMENT_FILES = Collection("origin_document_files")
"""Each file filed for a product, ``{product_id}:{sha256}`` → the document's id: inserted
with the document, so a retry racing the first upload is refused by the store itself
(``shared.files.content``)."""

COLLECTIONS = (PROFILES, LABELS, FORMER_GTINS, BATCHES, LOTS, RECORDS, LINKS, EPCIS_EVENTS,
               EPCIS_TERMS, EPCIS_VOCABULARY, EPCIS_QUERIES, EPCIS_SUBSCRIPTIONS,
               EPCIS_CAPTURES, SHEETS, UNIT_CODES, SCAN_DAYS, ANOMALIES, REPORTS, DOCUMENTS,
               DOCUMENT_FILES)

profiles = Repository(PROFILES.name, TraceProfile, N_("product"))
labels = Repository(LABELS.name, Label, N_("label"))
batches = Repository(BATCHES.name, Batch, N_("batch"))
records = Repository(RECORDS.name, OriginRecord, N_("origin record"))
links = Repository(LINKS.name, ChainLink, N_("chain link"))
sheets = Repository(SHEETS.name, LabelSheet, N_("label sheet"))
unit_codes = Repository(UNIT_CODES.name, UnitCode, N_("unit code"))
scan_days = Repository(SCAN_DAYS.name, ScanDay, N_("scan count"))
anomalies = Repository(ANOMALIES.name, Anomaly, N_("scan anomaly"))
client_reports = Repository(REPORTS.name, ClientReports, N_("report"))
documents = Repository(DOCUMENTS.name, OriginDocument, N_("document"))
named_queries = Repository(EPCIS_QUERIES.name, NamedQuery, N_("named query"))
subscriptions = Repository(EPCIS_SUBSCRIPTIONS.name, Subscription, N_("subscription"))
captures = Repository(EPCIS_CAPTURES.name, CaptureJob, N_("capture job"))


def lot_key(product_id: str, lot: str) -> str:
    return f"{product_id}|{lot}"


async def profile_carrying(reader: Reader, gtin: str) -> TraceProfile | None:
    """The product carrying ``gtin`` now, or the one that carried it when a label still
    on the shelves was printed: a genuine label never goes dead."""
    page = await reader.find(PROFILES.name, {"gtin": gtin}, limit=1)
    if page.items:
        return profiles.load(page.items[0])
    former = await reader.get(FORMER_GTINS.name, gtin)
    return await profiles.get_or_none(reader, former.data["product_id"]) if former else None


async def index_record(tx: Transaction, record: OriginRecord) -> None:
    """What the EPCIS query finds ``record`` by, written in its capture's transaction."""
    indexed = index_of(record.id, record.event, record.event_id, record.recorded_at,
                       record.batch_ids, record.product_ids)
    await tx.put(EPCIS_EVENTS.name, record.id, indexed.fields)
    await tx.put_many(EPCIS_TERMS.name, {f"{record.id}.{i:05d}": term
                                         for i, term in enumerate(indexed.terms)})
    await tx.put_many(EPCIS_VOCABULARY.name, {vocabulary_key(kind, value): {
        "kind": kind, "value": value} for kind, value in vocabulary_of(indexed.fields)})


def vocabulary_key(kind: str, value: str) -> str:
    return f"{kind}:" + hashlib.sha256(value.encode()).hexdigest()


async def index_unindexed(store: DocumentStore) -> int:
    """Index the records captured before the EPCIS query had its indexes (at start: two
    counts when there are none); how many it indexed. Idempotent, so replicas may run it
    at once."""
    if await store.count(RECORDS.name) == await store.count(EPCIS_EVENTS.name):
        return 0
    indexed, after = 0, None
    while True:
        page = await store.find(RECORDS.name, limit=MAX_PAGE, after=after)
        held = await store.get_many(EPCIS_EVENTS.name, [doc.id for doc in page.items])
        missing = [records.load(doc) for doc in page.items if doc.id not in held]
        if missing:
            async with store.transaction() as tx:
                for record in missing:
                    await index_record(tx, record)
            indexed += len(missing)
        if page.next_cursor is None:
            return indexed
        after = page.next_cursor
