"""A sales channel's webhooks, with its API key: endpoints, the delivery log, redelivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, Field

from services.catalog.api.deps import ChannelsPart, CurrentChannel, may
from services.catalog.store import channels
from services.catalog.webhooks.commands import Webhooks
from services.catalog.webhooks.model import EVENT_TYPES, Delivery, DeliveryState, Endpoint
from shared.http.paging import Cursor, Limit, PageOut
from shared.platform.runtime import part

router = APIRouter(tags=["webhooks"])
WebhooksPart = Annotated[Webhooks, Depends(part(Webhooks))]
Url = Annotated[str, Field(min_length=1, max_length=2000,
                           description="https address that receives the POSTs")]
EventTypes = Annotated[list[str], Field(min_length=1, max_length=len(EVENT_TYPES),
                                        description=f"Among: {', '.join(EVENT_TYPES)}")]
Description = Annotated[str, Field(max_length=200)]


class EndpointIn(BaseModel):
    url: Url
    event_types: EventTypes = Field(default_factory=lambda: list(EVENT_TYPES))
    description: Description = ""


class EndpointChange(BaseModel):
    """Only what is given changes. ``enabled: true`` on a disabled endpoint sends again
    every delivery that failed."""

    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    enabled: bool | None = None


class EndpointOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    disabled_at: str | None
    disabled_reason: str | None
    created_at: str


class NewEndpointOut(BaseModel):
    endpoint: EndpointOut
    secret: str = Field(description="Verifies the signatures (Standard Webhooks); shown "
                                     "this once.")


class AttemptOut(BaseModel):
    at: str
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    id: str
    endpoint_id: str
    webhook_id: str = Field(description="The 'webhook-id' header: the event's id")
    event_type: str
    product_id: str
    state: DeliveryState
    created_at: str
    next_attempt_at: str | None
    attempts: list[AttemptOut]


def endpoint_out(e: Endpoint) -> EndpointOut:
    return EndpointOut(id=e.id, url=e.url, event_types=e.event_types,
                       description=e.description, enabled=e.enabled,
                       disabled_at=e.disabled_at, disabled_reason=e.disabled_reason,
                       created_at=e.created_at)


def delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(id=d.id, endpoint_id=d.endpoint_id, webhook_id=d.event_id,
                       event_type=d.event_type, product_id=d.product_id, state=d.state,
                       created_at=d.created_at, next_attempt_at=d.next_attempt_at,
                       attempts=[AttemptOut(at=a.at, status_code=a.status_code, error=a.error,
                                            duration_ms=a.duration_ms) for a in d.attempts])


@router.post("/channel/webhooks", status_code=status.HTTP_201_CREATED,
             summary="Add a webhook endpoint: the listing events it wants are POSTed to it, "
                     "signed (the channel's API key)", **may("channel.self"))
async def add_endpoint(body: EndpointIn, channel: CurrentChannel,
                       webhooks: WebhooksPart) -> NewEndpointOut:
    endpoint = await webhooks.add_endpoint(channel, url=body.url, event_types=body.event_types,
                                           description=body.description)
    return NewEndpointOut(endpoint=endpoint_out(endpoint), secret=endpoint.secret)


@router.get("/channel/webhooks", summary="The channel's webhook endpoints",
            **may("channel.self"))
async def list_endpoints(channel: CurrentChannel, webhooks: WebhooksPart
                         ) -> list[EndpointOut]:
    return [endpoint_out(e) for e in await webhooks.endpoints_of(channel)]


@router.get("/channel/webhooks/{endpoint_id}", summary="One of the channel's webhook endpoints",
            **may("channel.self"))
async def get_endpoint(endpoint_id: str, channel: CurrentChannel, webhooks: WebhooksPart
                       ) -> EndpointOut:
    return endpoint_out(await webhooks.endpoint(channel, endpoint_id))


@router.patch("/channel/webhooks/{endpoint_id}",
              summary="Change, disable or enable a webhook endpoint (enabling sends again what "
                      "failed)", **may("channel.self"))
async def change_endpoint(endpoint_id: str, body: EndpointChange, channel: CurrentChannel,
                          webhooks: WebhooksPart) -> EndpointOut:
    return endpoint_out(await webhooks.change_endpoint(
        channel, endpoint_id, url=body.url, event_types=body.event_types,
        description=body.description, enabled=body.enabled))


@router.delete("/channel/webhooks/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Remove a webhook endpoint (what still waited for it is not sent)",
               **may("channel.self"))
async def remove_endpoint(endpoint_id: str, channel: CurrentChannel,
                          webhooks: WebhooksPart) -> Response:
    await webhooks.remove_endpoint(channel, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/channel/deliveries",
            summary="The channel's webhook deliveries, newest first, with every attempt",
            **may("channel.self"))
async def list_deliveries(channel: CurrentChannel, webhooks: WebhooksPart, limit: Limit = 50,
                          after: Cursor = None, endpoint_id: str | None = None,
                          state: DeliveryState | None = None) -> PageOut[DeliveryOut]:
    found, next_cursor = await webhooks.deliveries(channel, endpoint_id=endpoint_id,
                                                   state=state, limit=limit, after=after)
    return PageOut(items=[delivery_out(d) for d in found], next_cursor=next_cursor)


@router.post("/channel/deliveries/{delivery_id}/redelivery",
             status_code=status.HTTP_202_ACCEPTED,
             summary="Send a delivery again now (e.g. after mending the receiver)",
             **may("channel.self"))
async def redeliver(delivery_id: str, channel: CurrentChannel, webhooks: WebhooksPart
                    ) -> DeliveryOut:
    return delivery_out(await webhooks.redeliver(channel, delivery_id))


@router.get("/channels/{channel_id}/webhooks",
            summary="A channel's webhook endpoints, and why any is disabled (the office)",
            **may("channel.manage"))
async def channel_endpoints(channel_id: str, office: ChannelsPart, webhooks: WebhooksPart
                            ) -> list[EndpointOut]:
    channel = await channels.get(office.store, channel_id)
    return [endpoint_out(e) for e in await webhooks.endpoints_of(channel)]
