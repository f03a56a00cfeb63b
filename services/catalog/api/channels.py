"""Sales channels: registered and given keys by the office; a channel reads its own record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, Field, HttpUrl, field_validator

from services.catalog.api.deps import ChannelsPart, CurrentChannel, may
from services.catalog.channels.commands import IssuedKey
from services.catalog.channels.model import Channel, Scope
from services.catalog.store import channels
from shared.ocop.vocabulary import GROUPS_148_2023

router = APIRouter(tags=["channels"])
Text = Annotated[str, Field(min_length=1, max_length=200)]
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class ScopeIn(BaseModel):
    """Empty lists: every listing."""

    provinces: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=63)
    groups: list[str] = Field(default_factory=list, max_length=len(GROUPS_148_2023))

    @field_validator("groups")
    @classmethod
    def _known(cls, groups: list[str]) -> list[str]:
        unknown = sorted(set(groups) - set(GROUPS_148_2023))
        if unknown:
            raise ValueError(f"unknown product groups {unknown}; use "
                             f"{', '.join(GROUPS_148_2023)}")
        return groups

    def scope(self) -> Scope:
        return Scope(provinces=list(self.provinces), groups=list(self.groups))


class ChannelIn(BaseModel):
    name: Text
    website: HttpUrl
    contact_name: Text
    contact_email: Annotated[str, Field(max_length=254, pattern=EMAIL)]
    scope: ScopeIn = Field(default_factory=ScopeIn)


class KeyOut(BaseModel):
    id: str
    created_at: str
    revoked_at: str | None
    active: bool


class ChannelOut(BaseModel):
    id: str
    name: str
    website: str
    contact_name: str
    contact_email: str
    scope: ScopeIn
    keys: list[KeyOut]
    created_at: str


class IssuedKeyOut(BaseModel):
    channel: ChannelOut
    key_id: str
    api_key: str = Field(description="Shown this once: only its digest is kept.")


def channel_out(channel: Channel) -> ChannelOut:
    return ChannelOut(
        id=channel.id, name=channel.name, website=channel.website,
        contact_name=channel.contact_name, contact_email=channel.contact_email,
        scope=ScopeIn(provinces=channel.scope.provinces, groups=channel.scope.groups),
        keys=[KeyOut(id=k.id, created_at=k.created_at, revoked_at=k.revoked_at,
                     active=k.active) for k in channel.keys],
        created_at=channel.created_at)


def issued_out(issued: IssuedKey) -> IssuedKeyOut:
    return IssuedKeyOut(channel=channel_out(issued.channel), key_id=issued.key_id,
                        api_key=issued.key)


@router.post("/channels", status_code=status.HTTP_201_CREATED,
             summary="Register a sales channel and make its first API key (the office)",
             **may("channel.manage"))
async def register_channel(body: ChannelIn, office: ChannelsPart) -> IssuedKeyOut:
    return issued_out(await office.register(
        name=body.name, website=str(body.website), contact_name=body.contact_name,
        contact_email=body.contact_email, scope=body.scope.scope()))


@router.get("/channels", summary="Every registered sales channel (the office)",
            **may("channel.manage"))
async def list_channels(office: ChannelsPart) -> list[ChannelOut]:
    return [channel_out(c) for c in await channels.find(office.store)]


@router.get("/channels/{channel_id}", summary="One sales channel (the office)",
            **may("channel.manage"))
async def get_channel(channel_id: str, office: ChannelsPart) -> ChannelOut:
    return channel_out(await channels.get(office.store, channel_id))


@router.put("/channels/{channel_id}/scope",
            summary="Which listings the channel may carry (the office)",
            **may("channel.manage"))
async def rescope(channel_id: str, body: ScopeIn, office: ChannelsPart) -> ChannelOut:
    return channel_out(await office.rescope(channel_id, body.scope()))


@router.post("/channels/{channel_id}/keys", status_code=status.HTTP_201_CREATED,
             summary="Another API key for the channel, e.g. to rotate (the office)",
             **may("channel.manage"))
async def issue_key(channel_id: str, office: ChannelsPart) -> IssuedKeyOut:
    """Rotation: issue a new key, let the channel move its systems to it, then revoke the
    old one; both work meanwhile."""
    return issued_out(await office.issue_key(channel_id))


@router.delete("/channels/{channel_id}/keys/{key_id}",
               summary="Revoke one of the channel's API keys at once (the office)",
               **may("channel.manage"))
async def revoke_key(channel_id: str, key_id: str, office: ChannelsPart) -> ChannelOut:
    return channel_out(await office.revoke_key(channel_id, key_id))


@router.get("/channel", summary="The calling channel's own record (its API key)",
            **may("channel.self"))
async def own_channel(channel: CurrentChannel) -> ChannelOut:
    return channel_out(channel)
