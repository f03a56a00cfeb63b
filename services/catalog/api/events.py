"""What a channel needs to read the listings stream: its AsyncAPI document and the JSON
Schema of each event (what ``ce_dataschema`` points at)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, RootModel
from pydantic.alias_generators import to_camel

from services.catalog.api.deps import may
from shared.messaging.contracts.catalog import LISTING_EVENTS, LISTINGS_TOPIC
from shared.messaging.events.asyncapi import asyncapi_document
from shared.messaging.events.contracts import json_schema
from shared.platform.runtime import part
from shared.refusals import N_, NotFound

router = APIRouter(tags=["events"])
STREAM = ("The OCOP catalog's public listings stream. Topic ocop.catalog.listings is "
          "compacted and keyed by product id: read it from the beginning and keep the last "
          "message of each key — ListingPublished or ListingChanged carry the whole listing, "
          "ListingWithdrawn means the product must no longer be offered as OCOP.")


class AsyncApiInfo(BaseModel):
    title: str
    version: str
    description: str


class AsyncApiDocument(BaseModel):
    """An AsyncAPI 3.0 document: its channels, operations, servers and components are as
    that specification defines them."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    asyncapi: str
    info: AsyncApiInfo
    default_content_type: str
    channels: dict[str, dict[str, Any]]
    operations: dict[str, dict[str, Any]]
    components: dict[str, dict[str, Any]]
    servers: dict[str, dict[str, Any]] | None = None
    """Where to read the stream: only when the service is given the broker's address (the
    route leaves it out otherwise, rather than null)."""


class EventSchema(RootModel[dict[str, Any]]):
    """A JSON Schema (2020-12) of an event's data, as ``ce_dataschema`` names it."""


SCHEMAS = {c.event_type: EventSchema(json_schema(c)) for c in LISTING_EVENTS}


@dataclass(frozen=True)
class StreamDocument:
    """The AsyncAPI document, made once with the broker address channels are given."""

    document: dict[str, Any]

    @classmethod
    def at(cls, bootstrap: str | None) -> StreamDocument:
        servers = {"kafka": {"host": bootstrap, "protocol": "kafka", "description": (
            "Ask the OCOP office for access; read with any Kafka client.")}} if bootstrap else None
        return cls(asyncapi_document("OCOP catalog listings", topics={LISTINGS_TOPIC},
                                     servers=servers, description=STREAM))


@router.get("/events/asyncapi.json", summary="AsyncAPI 3.0 document of the listings stream",
            response_model_exclude_unset=True, **may("events.describe"))
async def asyncapi(stream: Annotated[StreamDocument, Depends(part(StreamDocument))]
                   ) -> AsyncApiDocument:
    return AsyncApiDocument.model_validate(stream.document)


@router.get("/events/schemas/{event_type}.json",
            summary="The JSON Schema of one listings event's data", **may("events.describe"))
async def event_schema(event_type: str) -> EventSchema:
    if event_type not in SCHEMAS:
        raise NotFound(N_("No published event %(event_type)s; the stream's are %(events)s."),
                       code="no-such-event", event_type=event_type, events=", ".join(SCHEMAS))
    return SCHEMAS[event_type]
