"""Reading the accounts back: the office's list of them."""

from __future__ import annotations

from typing import Any

from services.registry.accounts.model import User
from services.registry.store import USERS, users
from shared.identity.auth import Role
from shared.ports.store import Reader


async def page(reader: Reader, role: Role | None, commune_code: str | None,
               disabled: bool | None, *, limit: int, after: str | None
               ) -> tuple[list[User], str | None, int]:
    """By username: of one role, of one commune (its officers, by the official code their
    tokens carry), disabled or not; and how many match."""
    where: dict[str, Any] = {}
    if role is not None:
        where["role"] = role.value
    if commune_code is not None:
        where["commune_code"] = commune_code
    if disabled is not None:
        where["disabled"] = disabled
    found = await reader.find(USERS.name, where or None, limit=limit, after=after)
    return ([users.load(d) for d in found.items], found.next_cursor,
            await reader.count(USERS.name, where or None))
