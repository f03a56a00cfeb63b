"""The EPCIS 2.0 JSON/JSON-LD binding as this platform speaks it: documents checked against
the standard's JSON Schema, the identifiers an event names (which of them are batches kept
here), the CBV 2.0 hash-based event ID, and query answers as EPCIS documents.

Pure functions; ``event_hashes`` is CPU-bound (JSON-LD expansion) and runs in the service's
worker process. No network, ever: a document may name only the standard's context by URL,
wherever a JSON-LD context may stand (other prefixes inline), and the JSON-LD processor is
given only the local copies of the contexts it knows: a URL a caller names is never fetched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema_rs
from typing_extensions import TypeAliasType

from shared.refusals import N_, BadRequest, FieldError, Term

STANDARD_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
KNOWN_CONTEXTS = frozenset({STANDARD_CONTEXT, "https://gs1.github.io/EPCIS/epcis-context.jsonld"})
"""Context URLs the hash generator holds a copy of: the only ones a document may name."""
OCOP_PREFIX = "ocop"
OCOP_NAMESPACE = "urn:vn:ocop:epcis:"
"""The namespace of this platform's extension fields (place names, lab results…). Fixed,
not derived from where the platform answers: extension fields enter the event hash by
their expanded name."""
SCHEMA_FILE = Path(__file__).parents[1] / "standards" / "EPCIS-JSON-Schema.json"
"""Beside the templates, at the service's root: the data it ships, not this module's."""
EVENT_TYPES = frozenset({"ObjectEvent", "AggregationEvent", "TransactionEvent",
                         "TransformationEvent", "AssociationEvent"})
EpcisEvent = TypeAliasType("EpcisEvent", dict[str, Any])
"""An EPCIS 2.0 event in the JSON-LD binding, kept as captured: free-form on purpose, since
the standard's extension fields (any namespace a sender declares) are part of the event and
of its hash. Its shape is checked against GS1's schema where it comes in
(``check_document``), and read with the functions below. A named alias, so that a record
holding one says so (``tests/unit/test_typed_aggregates.py``)."""
JsonLdContext = TypeAliasType("JsonLdContext", str | dict[str, Any] | list[str | dict[str, Any]])
"""A JSON-LD ``@context``: a context's URL, inline prefix definitions (free-form, as JSON-LD
allows), or a list of them."""
MAX_ERRORS = 20
MAX_EVENTS = 500
"""Events one capture may hold (the ``GS1-EPCIS-Capture-Limit`` this service declares)."""


@cache
def _validator() -> Any:
    return jsonschema_rs.validator_for(json.loads(SCHEMA_FILE.read_text()))


def field_path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def check_document(document: Any) -> tuple[Any, list[dict[str, Any]]]:
    """The context and the events of a captured EPCIS document (or of one event sent on its
    own); BadRequest naming each field the standard's schema refuses."""
    errors = [FieldError(field_path(e.instance_path), e.message, from_elsewhere=True)
              for e in islice(_validator().iter_errors(document), MAX_ERRORS)]
    if errors:
        raise BadRequest(N_("The EPCIS document does not conform to the EPCIS 2.0 JSON "
                            "schema."), code="epcis-invalid", errors=errors)
    kind = document.get("type")
    if kind in EVENT_TYPES:
        context, events = document["@context"], [document]
    elif kind == "EPCISDocument":
        context, events = document["@context"], document["epcisBody"]["eventList"]
    else:
        raise BadRequest(N_("Capture takes an EPCISDocument or a single EPCIS event."),
                         code="epcis-invalid",
                         errors=[FieldError("type", N_("%(kind)s cannot be captured"),
                                            {"kind": repr(kind)})])
    for where, found in _contexts(document):
        _check_context(found, where)
    if not 0 < len(events) <= MAX_EVENTS:
        raise BadRequest(N_("A capture holds 1 to %(most)s events; send more in several."),
                         code="epcis-capture-limit", most=MAX_EVENTS,
                         errors=[FieldError("epcisBody.eventList", N_("%(events)s events"),
                                            {"events": len(events)})])
    for i, event in enumerate(events):
        try:
            event_time(event)
        except ValueError:
            raise BadRequest(N_("An event's time cannot be read."), code="epcis-invalid",
                             errors=[FieldError(f"epcisBody.eventList[{i}].eventTime",
                                                N_("not a time this service can place"))]
                             ) from None
    return context, [{k: v for k, v in e.items() if k != "@context"} for e in events]


def _contexts(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every ``@context`` in ``value``, with where it stands: JSON-LD lets one stand in any
    object (an event, its ``readPoint``…), and each would be loaded."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if key == "@context":
                yield here, item
            else:
                yield from _contexts(item, here)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _contexts(item, f"{path}[{i}]")


def _context_refused(where: str, what: Term, problem: Term) -> BadRequest:
    """``what``: the field's reason; ``problem``: the refusal's, before how to fix it."""
    return BadRequest(N_("%(problem)s This platform never fetches a context: name only the "
                         "EPCIS 2.0 context by URL (%(standard)s) and define other prefixes "
                         "inline, as prefix → namespace IRI."), code="epcis-context",
                      errors=[FieldError(where, what.message, what.params)], problem=problem,
                      standard=STANDARD_CONTEXT)


def _check_context(context: Any, where: str) -> None:
    """A context this platform can read offline: the standard's by URL, and inline
    prefix → namespace IRI entries. Nothing that loads another document (a URL, an
    ``@import``), nor a term that renames a keyword (``"ctx": "@context"`` would make
    ``ctx`` load one too)."""
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, str):
            if item not in KNOWN_CONTEXTS:
                raise _context_refused(
                    where, Term(N_("%(context)s is not the EPCIS 2.0 context"),
                                {"context": item[:200]}),
                    Term(N_("The context %(context)s is not one this platform holds."),
                         {"context": repr(item[:200])}))
        elif isinstance(item, dict):
            for prefix, iri in item.items():
                if str(prefix).startswith("@") or not isinstance(iri, str) or \
                        iri.startswith("@"):
                    raise _context_refused(
                        where, Term(N_("%(prefix)s: %(iri)s is not a prefix mapped to a "
                                       "namespace IRI"),
                                    {"prefix": str(prefix)[:100], "iri": str(iri)[:200]}),
                        Term(N_("The inline context entry %(prefix)s is not a prefix mapped "
                                "to a namespace IRI."), {"prefix": repr(str(prefix)[:100])}))
        else:
            raise _context_refused(where, Term(N_("neither a URL nor an object of prefixes")),
                                   Term(N_("A context must be a URL or an object of "
                                           "prefixes.")))


@cache
def _offline_json_ld() -> None:
    """Give the JSON-LD processor only the local copies of the contexts it knows.

    The hash generator installs, process-wide, a loader that fetches any other context from
    the network; documents are checked before they get here (``_check_context``), and this
    is the second lock: should one slip through, loading it fails, nothing is fetched."""
    from epcis_event_hash_generator.file_document_loader import file_document_loader
    from pyld import jsonld

    bundled = file_document_loader()

    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url not in KNOWN_CONTEXTS:
            raise ValueError(f"the context {url[:200]} is not held locally; nothing is fetched")
        loaded: dict[str, Any] = bundled(url, options or {})
        return loaded

    jsonld.set_document_loader(load)


def event_hashes(context: Any, events: list[dict[str, Any]]) -> list[str]:
    """The CBV 2.0 hash-based event ID of each event (``ni:///sha-256;…?ver=CBV2.0``),
    computed by GS1's reference algorithm (``epcis-event-hash-generator``). An error
    declaration does not enter the hash: a declared event keeps its ID."""
    from epcis_event_hash_generator.hash_generator import epcis_hashes_from_events
    from epcis_event_hash_generator.json_to_py import event_list_from_epcis_document_json

    _offline_json_ld()

    document = {"@context": context, "type": "EPCISDocument", "schemaVersion": "2.0",
                "creationDate": "2000-01-01T00:00:00Z",
                "epcisBody": {"eventList": json.loads(json.dumps(events))}}
    hashes = list(epcis_hashes_from_events(event_list_from_epcis_document_json(document)))
    if len(hashes) != len(events):  # the generator logs an event it cannot read and skips it
        raise ValueError("an event's fields cannot be read (a time of more than millisecond "
                         "precision that rounds up to the next second, for one)")
    return hashes


def hashes_of(items: list[tuple[Any, dict[str, Any]]]) -> list[str]:
    """The hash of each (context, event) pair."""
    return [event_hashes(context, [event])[0] for context, event in items]


def warm_up() -> None:
    """Load the hash generator and its JSON-LD context in the worker process."""
    event_hashes([STANDARD_CONTEXT], [{"type": "ObjectEvent", "action": "OBSERVE",
                                       "eventTime": "2020-01-01T00:00:00Z",
                                       "eventTimeZoneOffset": "+00:00", "epcList": []}])


# --- what an event names -------------------------------------------------------------------

class Role(StrEnum):
    """How an event involves what it names: a transformation's inputs are consumed."""

    INPUT = "input"
    SUBJECT = "subject"


@dataclass(frozen=True)
class LotRef:
    """A batch an identifier names: by GTIN and lot (GS1 Digital Link, LGTIN), or by this
    platform's product id and lot (products without a GTIN)."""

    lot: str
    gtin: str | None = None
    product_id: str | None = None


@dataclass(frozen=True)
class Named:
    field: str
    role: Role
    ref: LotRef


_DIGITAL_LINK = re.compile(r"^https?://[^/]+(?:/[^?#]*)?/01/(\d{14})/10/([^/?#]+)")
_PLATFORM_LOT = re.compile(r"^https?://[^/]+(?:/[^?#]*)?/p/([A-Za-z0-9_-]+)/10/([^/?#]+)")
_LGTIN = re.compile(r"^urn:epc:class:lgtin:(\d+)\.(\d+)\.(.+)$")


def lot_ref(uri: str) -> LotRef | None:
    """The batch ``uri`` names, if it names one (a lot, with or without a serial)."""
    if m := _DIGITAL_LINK.match(uri):
        return LotRef(unquote(m[2]), gtin=m[1])
    if m := _PLATFORM_LOT.match(uri):
        return LotRef(unquote(m[2]), product_id=m[1])
    if (m := _LGTIN.match(uri)) and len(m[1]) + len(m[2]) == 13:
        return LotRef(unquote(m[3]), gtin=_gtin_of(m[1], m[2]))
    return None


def _gtin_of(company_prefix: str, item_reference: str) -> str:
    """GTIN-14 of an EPC class: indicator digit, company prefix, item reference, check."""
    body = item_reference[0] + company_prefix + item_reference[1:]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


_LISTS = (("epcList", Role.SUBJECT), ("childEPCs", Role.SUBJECT),
          ("inputEPCList", Role.INPUT), ("outputEPCList", Role.SUBJECT))
_QUANTITIES = (("quantityList", Role.SUBJECT), ("childQuantityList", Role.SUBJECT),
               ("inputQuantityList", Role.INPUT), ("outputQuantityList", Role.SUBJECT))


def named_lots(event: dict[str, Any]) -> Iterator[Named]:
    """Every batch ``event`` names, with the field that names it."""
    if isinstance(parent := event.get("parentID"), str) and (ref := lot_ref(parent)):
        yield Named("parentID", Role.SUBJECT, ref)
    for name, role in _LISTS:
        for i, uri in enumerate(event.get(name) or []):
            if ref := lot_ref(uri):
                yield Named(f"{name}[{i}]", role, ref)
    for name, role in _QUANTITIES:
        for i, element in enumerate(event.get(name) or []):
            if ref := lot_ref(element.get("epcClass", "")):
                yield Named(f"{name}[{i}].epcClass", role, ref)


def event_time(event: dict[str, Any]) -> datetime:
    """When it happened (the schema has checked it is an RFC 3339 time with an offset)."""
    text = str(event["eventTime"])
    return datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)


def local_time(event: dict[str, Any]) -> datetime:
    """When it happened on the clock where it happened (``eventTimeZoneOffset``, which the
    schema requires): ``eventTime`` is often written in UTC, whose day is not always the
    day there."""
    return event_time(event).astimezone(
        datetime.strptime(str(event["eventTimeZoneOffset"]), "%z").tzinfo)


def place_of(event: dict[str, Any]) -> str | None:
    """Where: the business location, else the read point."""
    for key in ("bizLocation", "readPoint"):
        if isinstance(event.get(key), dict) and event[key].get("id"):
            return str(event[key]["id"])
    return None


def biz_step(event: dict[str, Any]) -> str | None:
    """The business step in its bare CBV form (``shipping``), however it was written."""
    step = event.get("bizStep")
    if not isinstance(step, str):
        return None
    for prefix in ("https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:"):
        if step.startswith(prefix):
            return step[len(prefix):]
    return step


def merged_context(contexts: list[Any]) -> list[Any]:
    """The answer's own context, for events captured under several: the standard's, then
    the inline prefixes every capture that defines them agrees on. A prefix two captures
    map to different namespaces is left out: each event carries its capture's context
    (``query.answered``), which alone says what its terms mean."""
    inline: dict[str, str] = {OCOP_PREFIX: OCOP_NAMESPACE}
    disputed: set[str] = set()
    for context in contexts:
        for item in context if isinstance(context, list) else [context]:
            if isinstance(item, dict):
                for prefix, iri in item.items():
                    if inline.setdefault(prefix, iri) != iri:
                        disputed.add(prefix)
    return [STANDARD_CONTEXT, {p: iri for p, iri in inline.items() if p not in disputed}]


def query_document(events: list[dict[str, Any]], contexts: list[Any], created: datetime,
                   query_name: str = "SimpleEventQuery") -> dict[str, Any]:
    """An EPCIS 2.0 query answer (``EPCISQueryDocument``) holding ``events``; the query's
    name: the standard's query, or a named query's."""
    return {"@context": merged_context(contexts), "type": "EPCISQueryDocument",
            "schemaVersion": "2.0", "creationDate": created.isoformat(),
            "epcisBody": {"queryResults": {"queryName": query_name,
                                           "resultsBody": {"eventList": events}}}}


def schema_errors(document: Any) -> list[str]:
    """What the standard's schema finds wrong with ``document`` (for answers we give)."""
    return [f"{field_path(e.instance_path)}: {e.message}"
            for e in _validator().iter_errors(document)]
