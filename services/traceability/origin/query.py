"""The EPCIS 2.0 query interface's SimpleEventQuery as this platform answers it over REST:
the standard's query parameters read and checked, turned into queries of the store's
EPCIS indexes, and what each captured event is indexed under.

Pure: no I/O. ``index_of`` gives the documents a record is found by (one of its scalar
fields, one per multi-valued term: each EPC, its EPC patterns, each EPC class, each
quantity); ``read_query`` the standard's parameters as a plan over them: AND across
parameters, OR within one parameter's list (comma-separated, or the parameter repeated).
Unknown and malformed parameters are refused with the standard's QueryParameterException.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.traceability.origin.epcis import EVENT_TYPES, STANDARD_CONTEXT, biz_step
from services.traceability.origin.model import utc_stamp
from shared.ports.store import InvalidQuery
from shared.ports.store.cursor import decode_cursor
from shared.refusals import N_, BadRequest, FieldError, NotFound, Term

QUERY_PARAMETER_EXCEPTION = "epcisException:QueryParameterException"
QUERY_TOO_LARGE_EXCEPTION = "epcisException:QueryTooLargeException"
NO_SUCH_NAME_EXCEPTION = "epcisException:NoSuchNameException"
EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"
PER_PAGE = 100
MAX_PER_PAGE = 500
MAX_MATCHED = 5000
"""Events one multi-valued parameter (an EPC, a class, a quantity) may narrow a query to:
their ids are handed to the store in one query. A query naming more is refused as too
large (QueryTooLargeException): narrow it by time or type."""
ACTIONS = ("ADD", "OBSERVE", "DELETE")
ORDER_FIELDS = {"eventTime": "event_time", "recordTime": "record_time"}

# What each multi-valued index term is made of: (term kind, the event's fields).
EPC_FIELDS = (("epc", ("epcList", "childEPCs")), ("parentID", ("parentID",)),
              ("inputEPC", ("inputEPCList",)), ("outputEPC", ("outputEPCList",)))
CLASS_FIELDS = (("epcClass", ("quantityList", "childQuantityList")),
                ("inputEPCClass", ("inputQuantityList",)),
                ("outputEPCClass", ("outputQuantityList",)))
QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList",
                  "outputQuantityList")
MATCHES: dict[str, tuple[str, ...]] = {
    "MATCH_epc": ("epc",), "MATCH_parentID": ("parentID",),
    "MATCH_inputEPC": ("inputEPC",), "MATCH_outputEPC": ("outputEPC",),
    "MATCH_anyEPC": ("epc", "parentID", "inputEPC", "outputEPC"),
    "MATCH_epcClass": ("epcClass",), "MATCH_inputEPCClass": ("inputEPCClass",),
    "MATCH_outputEPCClass": ("outputEPCClass",),
    "MATCH_anyEPCClass": ("epcClass", "inputEPCClass", "outputEPCClass"),
}
"""Each MATCH_ parameter: the term kinds it looks in (the standard's fields for it)."""
EQUALS = {"EQ_action": "action", "EQ_bizStep": "biz_step", "EQ_disposition": "disposition",
          "EQ_readPoint": "read_point", "EQ_bizLocation": "biz_location",
          "EQ_eventID": "event_id"}
"""Each EQ_ parameter: the indexed field it matches one of its values on."""
TIMES = {"GE_eventTime": ("event_time", "$gte"), "LT_eventTime": ("event_time", "$lt"),
         "GE_recordTime": ("record_time", "$gte"), "LT_recordTime": ("record_time", "$lt")}
QUANTITIES = {"EQ_quantity": "$eq", "GT_quantity": "$gt", "GE_quantity": "$gte",
              "LT_quantity": "$lt", "LE_quantity": "$lte"}
VENDOR = {"batch": "batch", "product": "product"}
"""This platform's own parameters (what a scan page links to): a batch's or a product's
events, by their id here."""
SINGLE = ("orderBy", "orderDirection", "eventCountLimit", "maxEventCount", "perPage",
          "nextPageToken",
          *TIMES, *QUANTITIES)
PARAMETERS: dict[str, str] = {
    "eventType": "One or more event types (ObjectEvent, AggregationEvent, "
                 "TransactionEvent, TransformationEvent, AssociationEvent), comma-separated",
    **{name: "From this time, inclusive (RFC 3339 with its offset)" for name in TIMES
       if name.startswith("GE_")},
    **{name: "Before this time (RFC 3339 with its offset)" for name in TIMES
       if name.startswith("LT_")},
    "EQ_action": "ADD, OBSERVE or DELETE (a list: any of them)",
    "EQ_bizStep": "CBV business steps, bare (shipping) or as URIs (a list: any of them)",
    "EQ_disposition": "CBV dispositions, bare (in_transit) or as URIs (a list: any)",
    "EQ_readPoint": "Read point identifiers (a list: any of them)",
    "EQ_bizLocation": "Business location identifiers (a list: any of them)",
    "EQ_eventID": "Event IDs (a list: any of them)",
    **{name: "EPC URIs or EPC patterns (urn:epc:idpat:…) the event's "
             + ", ".join(MATCHES[name]) + " match (a list: any of them)"
       for name in MATCHES},
    **{name: f"A quantity element's quantity {op[1:]} this number"
       for name, op in QUANTITIES.items()},
    "orderBy": "eventTime or recordTime",
    "orderDirection": "ASC or DESC (the standard's default: DESC)",
    "eventCountLimit": "At most this many events in all, the first in the order asked",
    "maxEventCount": "Refuse the query (QueryTooLargeException) if it matches more events "
                     "than this; not with eventCountLimit",
    "perPage": f"Events per page (1 to {MAX_PER_PAGE}; {PER_PAGE} unless given)",
    "nextPageToken": "The next page: the token the Link header's rel=\"next\" carries",
    "batch": "A batch id on this platform (its events)",
    "product": "A product id on this platform (its batches' events)",
}
"""Every parameter the events query takes, as its OpenAPI document describes it."""


class QueryParameterRefused(BadRequest):
    """A parameter the query does not take, or cannot read: the standard's
    QueryParameterException."""

    problem_type = QUERY_PARAMETER_EXCEPTION
    CODE = "epcis-query-parameter"


class NoSuchName(NotFound):
    """A resource the query interface does not have (an event type the standard does not
    define): the standard's NoSuchNameException."""

    problem_type = NO_SUCH_NAME_EXCEPTION
    CODE = "epcis-no-such-name"


class QueryTooLarge(BadRequest):
    problem_type = QUERY_TOO_LARGE_EXCEPTION
    STATUS, CODE = 413, "epcis-query-too-large"


def _malformed(name: str, reason: Term) -> QueryParameterRefused:
    return QueryParameterRefused(
        N_("The EPCIS query parameter %(parameter)s cannot be read."), parameter=name,
        errors=[FieldError(name, reason.message, reason.params)])


def more_than_asked(count: int, most: int) -> QueryTooLarge:
    return QueryTooLarge(
        N_("The query matches %(count)s events, more than maxEventCount (%(most)s)."),
        count=count, most=most, errors=[FieldError("maxEventCount", N_("exceeded"))])


def too_large(name: str) -> QueryTooLarge:
    return QueryTooLarge(
        N_("%(parameter)s names more than %(most)s events: narrow the query by time or "
           "by event type."), parameter=name, most=MAX_MATCHED,
        errors=[FieldError(name, N_("names too many events"))])


# --- what an event is found by -------------------------------------------------------------

_EPC_URN = re.compile(r"^urn:epc:(id|idpat):([a-z0-9-]+):([^:]+)$")
_CLASS_URN = re.compile(r"^urn:epc:class:lgtin:([0-9]+)\.([0-9]+)\.(.+)$")
_PATTERN = re.compile(r"^urn:epc:idpat:[a-z0-9-]+:(?:[^.*:]+\.)*(?:[^.*:]+|\*)(?:\.\*)*$")


def patterns_of(uri: str) -> list[str]:
    """The EPC patterns (Tag Data Standard, ``urn:epc:idpat:…``) ``uri`` matches, besides
    itself: an SGTIN ``0614141.107346.2017`` matches ``0614141.107346.*``,
    ``0614141.*.*`` and ``*.*.*``; an LGTIN class, the SGTIN patterns of its GTIN."""
    if m := _EPC_URN.match(uri):
        scheme, parts = m[2], m[3].split(".")
        if m[1] == "idpat":
            parts = [p for p in parts if p != "*"]
            total = len(m[3].split("."))
        else:
            total = len(parts)
    elif m := _CLASS_URN.match(uri):
        scheme, parts, total = "sgtin", [m[1], m[2]], 3
    else:
        return []
    return [f"urn:epc:idpat:{scheme}:" + ".".join(parts[:kept] + ["*"] * (total - kept))
            for kept in range(min(len(parts), total - 1), -1, -1)]


def _term(kind: str, value: str) -> str:
    return f"{kind} {value}"


def _uris(event: dict[str, Any], field: str) -> Iterator[str]:
    value = event.get(field)
    for uri in value if isinstance(value, list) else [value]:
        if isinstance(uri, str):
            yield uri


def _classes(event: dict[str, Any], field: str) -> Iterator[str]:
    for element in event.get(field) or []:
        if isinstance(element, dict) and isinstance(element.get("epcClass"), str):
            yield element["epcClass"]


def terms_of(event: dict[str, Any]) -> tuple[list[str], list[float]]:
    """The multi-valued terms ``event`` is found by (each EPC and class with its patterns,
    by the field kind naming it) and the quantities of its quantity elements."""
    terms: dict[str, None] = {}
    for kind, fields in EPC_FIELDS:
        for field in fields:
            for uri in _uris(event, field):
                for value in [uri, *patterns_of(uri)]:
                    terms[_term(kind, value)] = None
    for kind, fields in CLASS_FIELDS:
        for field in fields:
            for uri in _classes(event, field):
                for value in [uri, *patterns_of(uri)]:
                    terms[_term(kind, value)] = None
    quantities = sorted({float(element["quantity"]) for field in QUANTITY_LISTS
                         for element in event.get(field) or []
                         if isinstance(element, dict)
                         and isinstance(element.get("quantity"), int | float)})
    return list(terms), quantities


def disposition(value: Any) -> str | None:
    """A disposition in its bare CBV form (``in_transit``), however it was written."""
    if not isinstance(value, str):
        return None
    for prefix in ("https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:"):
        if value.startswith(prefix):
            return value[len(prefix):]
    return value


def _where_id(event: dict[str, Any], key: str) -> str | None:
    place = event.get(key)
    return str(place["id"]) if isinstance(place, dict) and place.get("id") else None


@dataclass(frozen=True)
class Indexed:
    """What one record is found by: its scalar fields (one document, the record's id) and
    its multi-valued terms (one document each)."""

    fields: dict[str, Any]
    terms: list[dict[str, Any]]


def index_of(record_id: str, event: dict[str, Any], event_id: str, recorded_at: str,
             batch_ids: Iterable[str], product_ids: Iterable[str]) -> Indexed:
    """The index documents of a captured event (``recorded_at``: ISO 8601, with offset)."""
    fields = {"type": event.get("type"), "action": event.get("action"),
              "biz_step": biz_step(event), "disposition": disposition(event.get("disposition")),
              "read_point": _where_id(event, "readPoint"),
              "biz_location": _where_id(event, "bizLocation"),
              "event_time": utc_stamp(_time(str(event["eventTime"]))),
              "record_time": utc_stamp(_time(recorded_at)), "event_id": event_id}
    terms, quantities = terms_of(event)
    terms += [_term("batch", b) for b in batch_ids] + [_term("product", p) for p in product_ids]
    docs: list[dict[str, Any]] = [{"record_id": record_id, "term": t} for t in terms]
    docs += [{"record_id": record_id, "term": "quantity", "number": q} for q in quantities]
    return Indexed(fields, docs)


# --- a query -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    """Where a page starts: the store's cursor and how many events earlier pages gave."""

    after: str | None = None
    given: int = 0

    def token(self) -> str:
        text = json.dumps({"a": self.after, "g": self.given}, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def of_token(cls, token: str) -> Page:
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            after, given = data["a"], data["g"]
            if not (isinstance(after, str) and isinstance(given, int) and given >= 0):
                raise ValueError
            decode_cursor(after)
        except (ValueError, TypeError, KeyError, binascii.Error, InvalidQuery):
            raise _malformed("nextPageToken",
                             Term(N_("not a page token this query gave"))) from None
        return cls(after, given)


@dataclass(frozen=True)
class EventQuery:
    """A SimpleEventQuery as store queries: ``where`` on the events' scalar index, each of
    ``terms`` a filter on the term index (an event must match every one), in ``order``."""

    where: dict[str, Any]
    terms: tuple[tuple[str, dict[str, Any]], ...]
    """(the parameter, its filter on the term index)."""
    order: str
    per_page: int
    count_limit: int | None
    page: Page
    max_count: int | None = None
    """``maxEventCount``: more matching events than this refuse the query."""

    def page_size(self) -> int:
        """This page's size: ``perPage``, or what ``eventCountLimit`` leaves."""
        if self.count_limit is None:
            return self.per_page
        return max(0, min(self.per_page, self.count_limit - self.page.given))

    def next_page(self, cursor: str | None, given: int) -> Page | None:
        """The page after this one (``given`` events on it), if there is one to give."""
        total = self.page.given + given
        if cursor is None or (self.count_limit is not None and total >= self.count_limit):
            return None
        return Page(cursor, total)


def _values(name: str, given: Sequence[str]) -> list[str]:
    values = [v.strip() for text in given for v in text.split(",")]
    if not values or any(not v for v in values):
        raise _malformed(name, Term(N_("an empty value")))
    if any(len(v) > 2000 for v in values) or len(values) > 100:
        raise _malformed(name, Term(N_("too long")))
    return list(dict.fromkeys(values))


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)


def _instant(name: str, text: str) -> str:
    try:
        when = _time(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise _malformed(name, Term(N_("not a time with its offset "
                                       "(2026-05-01T08:00:00+07:00)")))
    return utc_stamp(when)


def _number(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _malformed(name, Term(N_("not a number")))
    return value


def _count(name: str, text: str, most: int | None = None) -> int:
    if not text.isdigit() or int(text) < 1 or (most is not None and int(text) > most):
        raise _malformed(name, Term(N_("a whole number from 1 to %(most)s"), {"most": most})
                         if most else Term(N_("a whole number from 1")))
    return int(text)


def _one_of(name: str, values: list[str], allowed: Iterable[str]) -> list[str]:
    allowed = list(allowed)
    if wrong := [v for v in values if v not in allowed]:
        raise _malformed(name, Term(N_("%(value)s is not one of %(allowed)s"),
                                    {"value": wrong[0][:100], "allowed": ", ".join(allowed)}))
    return values


def _epc_values(name: str, values: list[str]) -> list[str]:
    for value in values:
        if value.startswith("urn:epc:idpat:") and not _PATTERN.match(value):
            raise _malformed(name, Term(N_("%(value)s is not an EPC pattern "
                                           "(urn:epc:idpat:sgtin:0614141.107346.*)"),
                                        {"value": value[:200]}))
    return values


def read_query(items: Iterable[tuple[str, str]], fixed: tuple[str, str] | None = None
               ) -> EventQuery:
    """The query ``items`` (the URL's parameters, in order) ask; QueryParameterRefused
    naming the first parameter not taken or not readable. ``fixed``: a parameter a
    resource's path gives (``/bizSteps/shipping/events``: EQ_bizStep), one value as it is
    (a location may hold a comma); the URL may not give it again."""
    given: dict[str, list[str]] = {}
    for name, value in items:
        given.setdefault(name, []).append(value)
    whole: dict[str, list[str]] = {}
    if fixed is not None:
        name, value = fixed
        if name in given:
            raise QueryParameterRefused(
                N_("%(parameter)s is given by the resource's path already."),
                parameter=name, errors=[FieldError(name, N_("given by the path"))])
        whole[name] = [value]

    def values_of(name: str) -> list[str]:
        return whole[name] if name in whole else _values(name, given[name])

    for name, values in given.items():
        if name not in PARAMETERS:
            raise QueryParameterRefused(
                N_("The EPCIS query does not take the parameter %(parameter)s."),
                parameter=name[:100], errors=[FieldError(name[:100],
                                                         N_("unknown parameter"))])
        if name in SINGLE and len(values) > 1:
            raise _malformed(name, Term(N_("given more than once")))
    single = {name: values[0] for name, values in given.items() if name in SINGLE}
    given |= whole
    where: dict[str, Any] = {}
    terms: list[tuple[str, dict[str, Any]]] = []
    if "eventType" in given:
        types = _one_of("eventType", values_of("eventType"), sorted(EVENT_TYPES))
        where["type"] = {"$in": types}
    for name, field in EQUALS.items():
        if name not in given:
            continue
        values = values_of(name)
        if name == "EQ_action":
            values = _one_of(name, values, ACTIONS)
        elif name == "EQ_bizStep":
            values = [biz_step({"bizStep": v}) or v for v in values]
        elif name == "EQ_disposition":
            values = [disposition(v) or v for v in values]
        where[field] = {"$in": values}
    for name, (field, op) in TIMES.items():
        if name in single:
            where.setdefault(field, {})[op] = _instant(name, single[name])
    for name, kinds in MATCHES.items():
        if name in given:
            values = _epc_values(name, values_of(name))
            terms.append((name, {"term": {"$in": [_term(k, v) for k in kinds
                                                  for v in values]}}))
    for name, kind in VENDOR.items():
        if name in given:
            terms.append((name, {"term": {"$in": [_term(kind, v) for v in values_of(name)]}}))
    quantity = {op: _number(name, single[name]) for name, op in QUANTITIES.items()
                if name in single}
    if quantity:
        terms.append((next(n for n in QUANTITIES if n in single),
                      {"term": "quantity", "number": quantity}))
    order_by = single.get("orderBy")
    if order_by is not None:
        _one_of("orderBy", [order_by], ORDER_FIELDS)
    direction = single.get("orderDirection")
    if direction is not None:
        _one_of("orderDirection", [direction], ("ASC", "DESC"))
    # The standard's default direction is DESC; with no orderBy the order is the
    # implementation's: the time things happened, oldest first.
    field = ORDER_FIELDS[order_by] if order_by else "event_time"
    descending = (direction or "DESC") == "DESC" if order_by else direction == "DESC"
    limit = single.get("eventCountLimit")
    most = single.get("maxEventCount")
    if limit and most:  # the standard: one or the other
        raise _malformed("maxEventCount", Term(N_("not with eventCountLimit")))
    per_page = single.get("perPage")
    token = single.get("nextPageToken")
    return EventQuery(where, tuple(terms), ("-" if descending else "") + field,
                      _count("perPage", per_page, MAX_PER_PAGE) if per_page else PER_PAGE,
                      _count("eventCountLimit", limit) if limit else None,
                      Page.of_token(token) if token else Page(),
                      _count("maxEventCount", most) if most else None)


def read_page(items: Iterable[tuple[str, str]]) -> tuple[int, Page]:
    """The page a list of a resource's members asks (``perPage``, ``nextPageToken``)."""
    given = dict(items)
    for name in given:
        if name not in ("perPage", "nextPageToken"):
            raise QueryParameterRefused(
                N_("The EPCIS query does not take the parameter %(parameter)s."),
                parameter=name[:100], errors=[FieldError(name[:100],
                                                         N_("unknown parameter"))])
    per_page = given.get("perPage")
    token = given.get("nextPageToken")
    return (_count("perPage", per_page, MAX_PER_PAGE) if per_page else PER_PAGE,
            Page.of_token(token) if token else Page())


VOCABULARIES = {"bizSteps": ("biz_step", "EQ_bizStep"),
                "bizLocations": ("biz_location", "EQ_bizLocation")}
"""The REST binding's top-level resources listing what events name: the indexed field
their members are, and the query parameter their ``/events`` is."""


def vocabulary_of(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """The (resource, member) pairs an event's indexed ``fields`` add to the lists."""
    return [(kind, str(fields[field])) for kind, (field, _) in VOCABULARIES.items()
            if fields.get(field)]


def event_type(name: str) -> str:
    """An event type the standard defines; NoSuchName otherwise."""
    if name not in EVENT_TYPES:
        raise NoSuchName(N_("There is no EPCIS event type %(type)s."), type=name[:100])
    return name


def collection(members: list[str]) -> dict[str, Any]:
    """A top-level resource's members, as the REST binding lists them."""
    return {"@context": [STANDARD_CONTEXT], "type": "Collection", "member": members}


def answered(event: dict[str, Any], context: Any, recorded_at: str) -> dict[str, Any]:
    """An event as a query answers it: its own ``@context`` (the one it was captured
    under, so each of its terms keeps the meaning it had, whatever another capture meant by
    the same prefix), and when this repository recorded it (``recordTime``, which the
    event hash leaves out)."""
    return {"@context": context, **{k: v for k, v in event.items() if k != "recordTime"},
            "recordTime": recorded_at}


# --- named queries -------------------------------------------------------------------------

_QUERY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
PAGE_PARAMETERS = frozenset({"perPage", "nextPageToken"})
QueryValue = str | int | float | list[str]


@dataclass
class NamedQuery:
    """A SimpleEventQuery kept under a name (the REST binding's ``/queries``): its
    parameters as given, checked when it is defined, run whenever its events are asked."""

    id: str
    """Its name: what the URL names it by."""
    query: dict[str, list[str]]
    created_at: str
    created_by: str
    subject_id: str | None = None
    """The producer's subject, when a producer defined it: its producer may delete it (the
    office may delete any)."""
    version: int = 0

    @classmethod
    def define(cls, name: str, query: dict[str, QueryValue], *, at: str, by: str,
               subject_id: str | None = None) -> NamedQuery:
        """QueryParameterRefused if a parameter is not one the query takes, or a page's
        (asked when it runs); BadRequest for a name a URL cannot carry plainly."""
        if not _QUERY_NAME.match(name):
            raise BadRequest(N_("A query's name is 1 to 100 letters, digits, '.', '_' or "
                                "'-', the first a letter or a digit."), code="query-name",
                             errors=[FieldError("name", N_("not a query name"))])
        kept = {key: [str(v) for v in value] if isinstance(value, list) else [str(value)]
                for key, value in query.items()}
        if paged := sorted(PAGE_PARAMETERS & set(kept)):
            raise _malformed(paged[0], Term(N_("asked when the query runs, not kept in it")))
        named = cls(name, kept, at, by, subject_id)
        read_query(named.items())  # every parameter readable now, so at every run
        return named

    def items(self) -> list[tuple[str, str]]:
        return [(key, value) for key, values in self.query.items() for value in values]

    def run(self, page: Iterable[tuple[str, str]]) -> EventQuery:
        """The query with the page a run asks (``perPage``, ``nextPageToken``; nothing
        else: the parameters are the query's)."""
        asked = list(page)
        for name, _ in asked:
            if name not in PAGE_PARAMETERS:
                raise QueryParameterRefused(
                    N_("A named query's events take only perPage and nextPageToken; "
                       "%(parameter)s belongs in a query of its own."), parameter=name[:100],
                    errors=[FieldError(name[:100], N_("unknown parameter"))])
        return read_query([*self.items(), *asked])
