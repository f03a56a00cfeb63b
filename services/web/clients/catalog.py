"""The catalog service's API as the pages call it: the office's sales channels, their API
keys and their webhooks (services/web/office/channels.py)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, TypeAdapter

from services.web.clients import Answer, Client, Operation, Unread


class Scope(Answer):
    """What a channel may carry: every listing when both lists are empty."""

    provinces: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)


class Key(Answer):
    """One of a channel's API keys: its id (public) and when it was made or revoked."""

    id: str
    created_at: str
    revoked_at: str | None
    active: bool


class Channel(Answer):
    id: str
    name: str
    website: str
    contact_name: str
    contact_email: str
    scope: Scope
    keys: list[Key]
    created_at: str


class IssuedKey(Answer):
    """A key just made: the whole key is in this answer only (the catalog keeps a digest)."""

    channel: Channel
    key_id: str
    api_key: str


class Webhook(Answer):
    id: str
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    disabled_at: str | None
    disabled_reason: str | None
    created_at: str


CHANNELS = Operation("catalog", "GET", "/channels", Unread)
REGISTER = Operation("catalog", "POST", "/channels", IssuedKey)
CHANNEL = Operation("catalog", "GET", "/channels/{channel_id}", Channel)
RESCOPE = Operation("catalog", "PUT", "/channels/{channel_id}/scope", Channel)
ISSUE_KEY = Operation("catalog", "POST", "/channels/{channel_id}/keys", IssuedKey)
REVOKE_KEY = Operation("catalog", "DELETE", "/channels/{channel_id}/keys/{key_id}", Channel)
WEBHOOKS = Operation("catalog", "GET", "/channels/{channel_id}/webhooks", Unread)
CHANNELS_READ = TypeAdapter(list[Channel])
WEBHOOKS_READ = TypeAdapter(list[Webhook])


class Catalog(Client):
    async def channels(self) -> list[Channel]:
        response = await self.send(CHANNELS)
        return CHANNELS_READ.validate_json(response.content)

    async def register_channel(self, channel: dict[str, Any]) -> IssuedKey:
        """``POST /channels``: the channel and its first key, shown once."""
        return await self.read(REGISTER, json=channel)

    async def channel(self, channel_id: str) -> Channel:
        return await self.read(CHANNEL, channel_id)

    async def rescope(self, channel_id: str, scope: dict[str, list[str]]) -> Channel:
        return await self.read(RESCOPE, channel_id, json=scope)

    async def issue_key(self, channel_id: str) -> IssuedKey:
        return await self.read(ISSUE_KEY, channel_id)

    async def revoke_key(self, channel_id: str, key_id: str) -> Channel:
        return await self.read(REVOKE_KEY, channel_id, key_id)

    async def webhooks(self, channel_id: str) -> list[Webhook]:
        response = await self.send(WEBHOOKS, channel_id)
        return WEBHOOKS_READ.validate_json(response.content)
