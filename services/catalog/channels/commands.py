"""The office's commands on sales channels, and finding the channel an API key speaks for."""

from __future__ import annotations

from dataclasses import dataclass

from services.catalog.channels.model import Channel, Scope, bad_key, parse_key
from services.catalog.store import CHANNEL_KEYS, channels
from shared.identity.auth import Caller, Role
from shared.platform.clock import Clock
from shared.ports.store import DocumentStore, Transaction


@dataclass(frozen=True)
class IssuedKey:
    channel: Channel
    key_id: str
    key: str
    """The whole key, shown this once."""


@dataclass(frozen=True)
class Channels:
    store: DocumentStore
    clock: Clock

    async def register(self, *, name: str, website: str, contact_name: str,
                       contact_email: str, scope: Scope) -> IssuedKey:
        """A new channel and its first key."""
        channel = Channel.register(name=name, website=website, contact_name=contact_name,
                                   contact_email=contact_email, scope=scope,
                                   at=self.clock.stamp())
        async with self.store.transaction() as tx:
            return await self._issue(tx, channel)

    async def rescope(self, channel_id: str, scope: Scope) -> Channel:
        async with self.store.transaction() as tx:
            channel = await channels.get(tx, channel_id)
            channel.scope = scope
            return await channels.save(tx, channel)

    async def issue_key(self, channel_id: str) -> IssuedKey:
        """Another key (rotation: issue, move the channel's systems over, revoke the old)."""
        async with self.store.transaction() as tx:
            return await self._issue(tx, await channels.get(tx, channel_id))

    async def _issue(self, tx: Transaction, channel: Channel) -> IssuedKey:
        """A new key for ``channel``, kept with it and indexed by its id."""
        key = channel.issue_key(self.clock.stamp())
        await channels.keep(tx, channel)
        await tx.insert(CHANNEL_KEYS.name, channel.keys[-1].id, {"channel_id": channel.id})
        return IssuedKey(channel, channel.keys[-1].id, key)

    async def revoke_key(self, channel_id: str, key_id: str) -> Channel:
        async with self.store.transaction() as tx:
            channel = await channels.get(tx, channel_id)
            channel.revoke_key(key_id, self.clock.stamp())
            return await channels.save(tx, channel)

    async def identify(self, presented: str) -> tuple[Channel, Caller]:
        """The channel of an API key, and the caller it is to access tables; Unauthorized
        for a key that is malformed, unknown or revoked."""
        key_id, secret = parse_key(presented)
        owner = await self.store.get(CHANNEL_KEYS.name, key_id)
        channel = (await channels.get_or_none(self.store, owner.data["channel_id"])
                   if owner else None)
        if channel is None or not channel.admits(key_id, secret):
            raise bad_key()
        return channel, Caller(user_id=channel.id, username=channel.name, role=Role.CHANNEL)
