"""The EPCIS 2.0 REST binding: the capture interface (a capture answered 202 with its
job's ``Location``), the events query with the standard's query parameters
(``origin/query.py`` reads them; ``origin/queries.py`` answers them), the top-level
resources whose events it answers (event types, EPCs, business steps and locations), and
named queries with their webhook subscriptions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.traceability.api.deps import may
from services.traceability.api.origin import (
    CapturedOut,
    EpcisQueryDocument,
    EpcisResponse,
    OriginPart,
    RecordOut,
)
from services.traceability.named_queries.commands import NamedQueries
from services.traceability.named_queries.model import Subscription
from services.traceability.named_queries.subscriptions import Subscriptions
from services.traceability.origin.captures import CaptureJob
from services.traceability.origin.capturing import CaptureJobs
from services.traceability.origin.epcis import EVENT_TYPES, MAX_EVENTS, JsonLdContext
from services.traceability.origin.queries import Histories
from services.traceability.origin.query import (
    CBV_VERSION,
    EPCIS_VERSION,
    PARAMETERS,
    QUERY_PARAMETER_EXCEPTION,
    NamedQuery,
    Page,
    QueryValue,
    collection,
    event_type,
    read_page,
    read_query,
)
from shared.identity.access import Scope
from shared.identity.auth import CurrentCaller
from shared.platform.runtime import part
from shared.ports.webhooks import Attempt

HistoriesPart = Annotated[Histories, Depends(part(Histories))]
CaptureJobsPart = Annotated[CaptureJobs, Depends(part(CaptureJobs))]
router = APIRouter(tags=["epcis"])
VERSIONS = {"GS1-EPCIS-Version": EPCIS_VERSION, "GS1-CBV-Version": CBV_VERSION}
"""The versions of the standards every EPCIS answer says it speaks."""
PAGES = {"perPage": PARAMETERS["perPage"], "nextPageToken": PARAMETERS["nextPageToken"]}


def _parameters(names: dict[str, str] = PARAMETERS) -> list[dict[str, Any]]:
    """The query's parameters in its OpenAPI document (they are read from the URL as the
    standard writes them: lists comma-separated, a parameter possibly repeated)."""
    return [{"name": name, "in": "query", "required": False, "description": description,
             "schema": {"type": "string", "maxLength": 2000}}
            for name, description in names.items()]


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string"}}


TOO_LARGE: dict[int | str, dict[str, Any]] = {413: {
    "description": "The query names too many events (QueryTooLargeException)",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}
QUERY = ("The standard's query parameters: AND across parameters, OR within a "
         "comma-separated list. A parameter the query does not take, or cannot read, is "
         f"refused with a {QUERY_PARAMETER_EXCEPTION} problem. Pages: perPage, and the Link "
         "header's rel=\"next\".")


class CollectionOut(BaseModel):
    """A top-level resource's members (the REST binding's Collection)."""

    model_config = ConfigDict(populate_by_name=True)
    context: JsonLdContext = Field(alias="@context")
    type: str
    member: list[str]


def _linked(request: Request, response: Response, following: Page | None) -> None:
    response.headers.update(VERSIONS)
    if following is not None:
        url = request.url.include_query_params(nextPageToken=following.token())
        response.headers["Link"] = f'<{url}>; rel="next"'


async def _events(histories: Histories, request: Request, response: Response,
                  fixed: tuple[str, str] | None = None) -> EpcisQueryDocument:
    query = read_query(request.query_params.multi_items(), fixed)
    document, following = await histories.select(query)
    _linked(request, response, following)
    return EpcisQueryDocument.model_validate(document)


def _members(response: Response, members: list[str]) -> CollectionOut:
    response.headers.update(VERSIONS)
    return CollectionOut.model_validate(collection(members))


@router.get("/epcis/events",
            summary="EPCIS 2.0 events query (SimpleEventQuery): an EPCISQueryDocument",
            description=QUERY, response_class=EpcisResponse, responses=TOO_LARGE,
            **may("origin.read", openapi_extra={"parameters": _parameters()}))
async def query_events(histories: HistoriesPart, request: Request,
                       response: Response) -> EpcisQueryDocument:
    return await _events(histories, request, response)


@router.get("/epcis/eventTypes", summary="The EPCIS event types (a Collection)",
            response_class=EpcisResponse, **may("origin.read"))
async def event_types(response: Response) -> CollectionOut:
    return _members(response, sorted(EVENT_TYPES))


@router.get("/epcis/eventTypes/{eventType}", summary="An event type's resources: its events",
            response_class=EpcisResponse, **may("origin.read"))
async def event_type_resource(response: Response,
                              event_type_name: Annotated[str, Path(alias="eventType")]
                              ) -> CollectionOut:
    event_type(event_type_name)
    return _members(response, ["events"])


@router.get("/epcis/eventTypes/{eventType}/events",
            summary="The events of one type (an EPCISQueryDocument; the query's parameters "
                    "narrow it)", description=QUERY, response_class=EpcisResponse,
            responses=TOO_LARGE, **may("origin.read", openapi_extra={
                "parameters": [_path("eventType", "ObjectEvent, AggregationEvent…"),
                               *_parameters()]}))
async def events_of_type(histories: HistoriesPart, request: Request, response: Response,
                         event_type_name: Annotated[str, Path(alias="eventType")]
                         ) -> EpcisQueryDocument:
    return await _events(histories, request, response,
                         ("eventType", event_type(event_type_name)))


@router.get("/epcis/epcs/{epc:path}/events",
            summary="The events naming an EPC anywhere (MATCH_anyEPC; the query's parameters "
                    "narrow it)", description=QUERY, response_class=EpcisResponse,
            responses=TOO_LARGE, **may("origin.read", openapi_extra={
                "parameters": [_path("epc", "An EPC URI or pattern (URL-encoded)"),
                               *_parameters()]}))
async def events_of_epc(histories: HistoriesPart, request: Request, response: Response,
                        epc: str) -> EpcisQueryDocument:
    return await _events(histories, request, response, ("MATCH_anyEPC", epc))


@router.get("/epcis/bizSteps", summary="The business steps the events name (a Collection)",
            response_class=EpcisResponse,
            **may("origin.read", openapi_extra={"parameters": _parameters(PAGES)}))
async def biz_steps(histories: HistoriesPart, request: Request,
                    response: Response) -> CollectionOut:
    return await _vocabulary(histories, request, response, "bizSteps")


@router.get("/epcis/bizLocations",
            summary="The business locations the events name (a Collection)",
            response_class=EpcisResponse,
            **may("origin.read", openapi_extra={"parameters": _parameters(PAGES)}))
async def biz_locations(histories: HistoriesPart, request: Request,
                        response: Response) -> CollectionOut:
    return await _vocabulary(histories, request, response, "bizLocations")


async def _vocabulary(histories: Histories, request: Request, response: Response,
                      kind: str) -> CollectionOut:
    per_page, page = read_page(request.query_params.multi_items())
    members, following = await histories.members(kind, per_page, page)
    _linked(request, response, following)
    return CollectionOut.model_validate(members)


@router.get("/epcis/bizSteps/{bizStep:path}/events",
            summary="The events of a business step (EQ_bizStep; the query's parameters "
                    "narrow it)", description=QUERY, response_class=EpcisResponse,
            responses=TOO_LARGE, **may("origin.read", openapi_extra={
                "parameters": [_path("bizStep", "A CBV business step, bare or its URI"),
                               *_parameters()]}))
async def events_of_biz_step(histories: HistoriesPart, request: Request, response: Response,
                             biz_step: Annotated[str, Path(alias="bizStep")]
                             ) -> EpcisQueryDocument:
    return await _events(histories, request, response, ("EQ_bizStep", biz_step))


@router.get("/epcis/bizLocations/{bizLocation:path}/events",
            summary="The events at a business location (EQ_bizLocation; the query's "
                    "parameters narrow it)", description=QUERY, response_class=EpcisResponse,
            responses=TOO_LARGE, **may("origin.read", openapi_extra={
                "parameters": [_path("bizLocation", "A business location (URL-encoded)"),
                               *_parameters()]}))
async def events_at_biz_location(histories: HistoriesPart, request: Request,
                                 response: Response,
                                 biz_location: Annotated[str, Path(alias="bizLocation")]
                                 ) -> EpcisQueryDocument:
    return await _events(histories, request, response, ("EQ_bizLocation", biz_location))


# --- named queries -------------------------------------------------------------------------

NamedQueriesPart = Annotated[NamedQueries, Depends(part(NamedQueries))]


class NamedQueryIn(BaseModel):
    """A query to keep under a name: the standard's query parameters, each a value or a list
    of values (OR), as the events query takes them."""

    name: str = Field(max_length=100, examples=["shipped-durians"])
    query: dict[str, QueryValue] = Field(max_length=60, examples=[{
        "eventType": ["ObjectEvent"], "EQ_bizStep": ["shipping"],
        "MATCH_epc": ["urn:epc:idpat:sgtin:0614141.107346.*"]}])


class NamedQueryOut(BaseModel):
    """A named query (the REST binding's NamedQueryMetaData)."""

    name: str
    query: dict[str, list[str]]
    created_at: str

    @classmethod
    def of(cls, named: NamedQuery) -> NamedQueryOut:
        return cls(name=named.id, query=named.query, created_at=named.created_at)


@router.post("/epcis/queries", status_code=201,
             summary="Keep a query under a name (any signed-in account); its events at "
                     "/epcis/queries/{name}/events", **may("epcis.query.define"))
async def define_query(queries: NamedQueriesPart, caller: CurrentCaller, request: Request,
                       response: Response, body: NamedQueryIn) -> NamedQueryOut:
    named = await queries.define(caller, body.name, body.query)
    response.headers["Location"] = str(request.url_for("named_query", name=named.id))
    response.headers.update(VERSIONS)
    return NamedQueryOut.of(named)


@router.get("/epcis/queries", summary="The named queries, by name",
            **may("epcis.query.read", openapi_extra={"parameters": _parameters(PAGES)}))
async def named_query_list(queries: NamedQueriesPart, request: Request,
                           response: Response) -> list[NamedQueryOut]:
    per_page, page = read_page(request.query_params.multi_items())
    found, cursor = await queries.listed(per_page, page.after)
    _linked(request, response, Page(cursor) if cursor else None)
    return [NamedQueryOut.of(named) for named in found]


@router.get("/epcis/queries/{name}/events",
            summary="A named query's events, now (an EPCISQueryDocument named after it)",
            response_class=EpcisResponse, responses=TOO_LARGE, **may(
                "epcis.query.read", openapi_extra={"parameters": [
                    _path("name", "The query's name"), *_parameters(PAGES)]}))
async def named_query_events(queries: NamedQueriesPart, histories: HistoriesPart,
                             request: Request, response: Response,
                             name: str) -> EpcisQueryDocument:
    named = await queries.get(name)
    document, following = await histories.select(
        named.run(request.query_params.multi_items()), named.id)
    _linked(request, response, following)
    return EpcisQueryDocument.model_validate(document)


# --- subscriptions -------------------------------------------------------------------------

SubscriptionsPart = Annotated[Subscriptions, Depends(part(Subscriptions))]


class SubscriptionIn(BaseModel):
    url: str = Field(min_length=1, max_length=2000,
                     description="The https address that receives the POSTs")


class SubscriptionOut(BaseModel):
    """A subscription to a named query: where its events go, how far they were taken, and
    what its receiver last answered."""

    id: str
    query_name: str
    url: str
    created_at: str
    enabled: bool
    disabled_reason: str | None
    next_attempt_at: str | None
    attempts: list[Attempt]

    @classmethod
    def of(cls, held: Subscription) -> SubscriptionOut:
        return cls(id=held.id, query_name=held.query_name, url=held.url,
                   created_at=held.created_at, enabled=held.enabled,
                   disabled_reason=held.disabled_reason,
                   next_attempt_at=held.next_attempt_at, attempts=held.attempts)


class SubscribedOut(SubscriptionOut):
    secret: str
    """``whsec_…``: verifies each delivery's signature (Standard Webhooks). Shown once."""


@router.post("/epcis/queries/{name}/subscriptions", status_code=201,
             summary="Subscribe to a named query by webhook: the events it finds among those "
                     "recorded from now on are POSTed to the URL, signed per Standard "
                     "Webhooks", **may("epcis.query.define"))
async def subscribe(subs: SubscriptionsPart, caller: CurrentCaller, name: str,
                    body: SubscriptionIn) -> SubscribedOut:
    made = await subs.subscribe(caller, name, body.url)
    return SubscribedOut(**SubscriptionOut.of(made).model_dump(), secret=made.secret)


@router.get("/epcis/queries/{name}/subscriptions",
            summary="A named query's subscriptions (its producer's, or the office)",
            **may("epcis.query.delete", Scope.PATH))
async def subscriptions_of(subs: SubscriptionsPart, name: str) -> list[SubscriptionOut]:
    return [SubscriptionOut.of(held) for held in await subs.of(name)]


@router.delete("/epcis/queries/{name}/subscriptions/{subscription_id}", status_code=204,
               summary="End a subscription (the query's producer, or the office)",
               **may("epcis.query.delete", Scope.PATH))
async def unsubscribe(subs: SubscriptionsPart, name: str, subscription_id: str) -> Response:
    await subs.end(name, subscription_id)
    return Response(status_code=204)


# A named query itself: after its events and subscriptions in the OpenAPI document, so a
# client walking it (the authorization test) deletes the query last.
@router.get("/epcis/queries/{name}", summary="A named query", **may("epcis.query.read"))
async def named_query(queries: NamedQueriesPart, response: Response,
                      name: str) -> NamedQueryOut:
    response.headers.update(VERSIONS)
    return NamedQueryOut.of(await queries.get(name))


@router.delete("/epcis/queries/{name}", status_code=204,
               summary="Delete a named query: a producer's own, or any (the office)",
               **may("epcis.query.delete", Scope.PATH))
async def delete_named_query(queries: NamedQueriesPart, name: str) -> Response:
    await queries.delete(name)
    return Response(status_code=204)


# --- capture -------------------------------------------------------------------------------

CAPTURE_LIMITS = {"GS1-EPCIS-Capture-Limit": str(MAX_EVENTS)}


class CaptureJobOut(BaseModel):
    """A capture job, as the standard's capture interface shows it: finished when first
    read (a capture is recorded before it is answered)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)
    capture_id: str = Field(alias="captureID")
    created_at: str
    finished_at: str
    running: bool
    success: bool
    capture_error_behaviour: str
    errors: list[str]
    event_ids: list[str] = Field(alias="eventIDs")
    """The events it recorded, in the document's order."""

    @classmethod
    def of(cls, job: CaptureJob) -> CaptureJobOut:
        return cls(capture_id=job.id, created_at=job.created_at, finished_at=job.finished_at,
                   running=False, success=True, capture_error_behaviour="rollback",
                   errors=[], event_ids=job.event_ids)


@router.post("/epcis/capture", status_code=202,
             summary="EPCIS 2.0 capture: an EPCISDocument (or one event) in the JSON/JSON-LD "
                     "binding, validated against the standard's schema; 202 with the "
                     "Location of its capture job, finished already",
             **may("origin.capture", Scope.BODY))
async def capture(origin: OriginPart, jobs: CaptureJobsPart, caller: CurrentCaller,
                  request: Request, response: Response,
                  document: Annotated[dict[str, Any], Body()]) -> CapturedOut:
    started = origin.clock.stamp()
    recorded = await origin.capture(caller, document)
    job = await jobs.finished(started, caller.user_id, recorded)
    response.headers["Location"] = str(request.url_for("capture_job", captureID=job.id))
    response.headers.update(VERSIONS | CAPTURE_LIMITS)
    return CapturedOut(recorded=[RecordOut.of(r) for r in recorded])


@router.get("/epcis/capture/{captureID}", summary="A capture job: what the capture recorded",
            **may("origin.read"))
async def capture_job(jobs: CaptureJobsPart, response: Response,
                      capture_id: Annotated[str, Path(alias="captureID")]) -> CaptureJobOut:
    response.headers.update(VERSIONS)
    return CaptureJobOut.of(await jobs.get(capture_id))
