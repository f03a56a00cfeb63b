"""Running a short read-modify-write again when a concurrent writer got there first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from shared.ports.store.port import DocumentExists, DocumentStore, StaleVersion, Transaction

T = TypeVar("T")


async def retried(store: DocumentStore, work: Callable[[Transaction], Awaitable[T]], *,
                  attempts: int = 5) -> T:
    """``work(tx)`` in a transaction, run again (reading afresh) when another transaction
    changed or created the same document meanwhile: for counters many requests bump at
    once (scans of one code). The last attempt's conflict is raised (a 409)."""
    for _ in range(attempts - 1):
        try:
            async with store.transaction() as tx:
                return await work(tx)
        except (StaleVersion, DocumentExists):
            continue
    async with store.transaction() as tx:
        return await work(tx)
