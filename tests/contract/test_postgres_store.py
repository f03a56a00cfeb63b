"""What the PostgreSQL adapter adds to the document store's contract (which it passes in
test_document_store.py and test_text_search.py): both ways of answering a search, a schema
per service, replicas opening together, the document's keys in the order written, a
deadlock reported as a lost race, and an unreachable server named without its password."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest

from shared.ports.store import (
    Collection,
    DocumentStore,
    StaleVersion,
    TextMatch,
    open_store,
    postgres,
)
from shared.ports.store.postgres import ConcurrentWrite, PostgresDocumentStore
from tests.contract.test_text_search import DOCS, PRODUCTS, SEARCHES, ids
from tests.support.ports import free_port
from tests.support.postgres import PostgresServer

NOTES = Collection("notes", indexes=("n",))


@pytest.fixture
async def store(postgres_server: PostgresServer, postgres_service: str
                ) -> AsyncIterator[DocumentStore]:
    s = open_store(postgres_server.url, [PRODUCTS, NOTES], service=postgres_service)
    await s.open()
    async with s.transaction() as tx:
        for doc_id, data in DOCS.items():
            await tx.insert("products", doc_id, data)
    yield s
    await s.close()


async def test_a_search_is_answered_alike_by_walking_or_from_its_matches(
        store: DocumentStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A search first walks up to WALK_ROWS rows of the sort's index testing their words;
    when they do not fill the page, its matches are read from the text index and sorted.
    Same pages either way, whichever way each page ends up answered."""
    asked = [(match, order) for match in SEARCHES
             for order in ("name_key", "-name_key", "-stars", "stars", "id")]

    async def answers() -> list[list[str]]:
        found = []
        for match, order in asked:
            seen, cursor = [], None
            while True:
                page = await store.find("products", {"$text": match, "stars": {"$gte": 3}},
                                        order_by=order, limit=2, after=cursor)
                seen += ids(page)
                if (cursor := page.next_cursor) is None:
                    break
            found.append(seen)
        return found

    walked = await answers()  # six documents: every walk sees them all
    for rows in (1, 2, 4):  # walks cut short: pages from the matches, or from a walk
        monkeypatch.setattr(postgres, "WALK_ROWS", rows)
        assert await answers() == walked, rows
    assert walked[asked.index((TextMatch(("htx",)), "-stars"))] == ["f", "a", "b"]


async def test_each_service_has_a_schema_of_its_own_in_one_database(
        postgres_server: PostgresServer) -> None:
    names = [f"t{uuid.uuid4().hex[:12]}" for _ in range(2)]
    # postgres://, the short form, names the same adapter
    stores = [open_store(postgres_server.url.replace("postgresql://", "postgres://"), [NOTES],
                         service=name) for name in names]
    try:
        # replicas of one service opening at once: the schema is made once, no error
        replicas = [open_store(postgres_server.url, [NOTES], service=names[0])
                    for _ in range(3)]
        await asyncio.gather(*(s.open() for s in [*stores, *replicas]))
        for s in replicas:
            await s.close()
        for number, s in enumerate(stores):
            async with s.transaction() as tx:
                await tx.insert("notes", "same-id", {"n": number})
        found = [await s.get_many("notes", ["same-id"]) for s in stores]
        assert [f["same-id"].data for f in found] == [{"n": 0}, {"n": 1}]
        assert [await s.count("notes", {"n": 1}) for s in stores] == [0, 1]
        with psycopg.connect(postgres_server.url) as conn:
            schemas = {row[0] for row in conn.execute(
                "SELECT schema_name FROM information_schema.schemata").fetchall()}
        assert {f"ocop_{name}" for name in names} <= schemas
    finally:
        for s in stores:
            assert isinstance(s, PostgresDocumentStore)
            await s.drop()
            await s.close()


async def test_a_document_keeps_its_keys_in_the_order_written(store: DocumentStore) -> None:
    data: dict[str, Any] = {"zeta": 1, "a": {"y": 2, "b": 3}, "mid": [{"z": 0, "c": 1}]}
    async with store.transaction() as tx:
        await tx.insert("notes", "ordered", data)
        await tx.put_many("notes", {"many": data})
    for doc_id in ("ordered", "many"):
        got = await store.get("notes", doc_id)
        assert got is not None
        assert list(got.data) == ["zeta", "a", "mid"] and list(got.data["a"]) == ["y", "b"]
        assert list(got.data["mid"][0]) == ["z", "c"]


async def test_a_deadlock_is_a_lost_race_and_rolls_back(store: DocumentStore) -> None:
    """Two transactions each wait on the other's row: the server ends one, which the caller
    sees as a StaleVersion (ConcurrentWrite) and nothing of which is kept."""
    async with store.transaction() as tx:
        await tx.insert("notes", "x", {"n": 0})
        await tx.insert("notes", "y", {"n": 0})
    both_wrote = asyncio.Barrier(2)

    async def crosswise(first: str, second: str) -> str:
        try:
            async with store.transaction() as tx:
                await tx.put("notes", first, {"n": first})
                await both_wrote.wait()
                await tx.put("notes", second, {"n": first})
            return "committed"
        except StaleVersion as lost:
            assert isinstance(lost, ConcurrentWrite)
            return "lost"

    results = await asyncio.gather(crosswise("x", "y"), crosswise("y", "x"))
    assert sorted(results) == ["committed", "lost"]
    winner = "x" if results[0] == "committed" else "y"
    assert {d.data["n"] for d in (await store.get_many("notes", ["x", "y"])).values()} == {
        winner}


async def test_an_unreachable_server_is_named_without_its_password(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "CONNECT_TIMEOUT", 0.5)
    url = f"postgresql://ocop:s3cret-word@127.0.0.1:{free_port()}/ocop"
    s = open_store(url, [NOTES], service="nowhere")
    with pytest.raises(ConnectionError) as err:
        await s.open()
    assert "127.0.0.1" in str(err.value) and "s3cret-word" not in str(err.value)
    with pytest.raises(RuntimeError, match="not open"):
        await s.check()


async def test_check_answers_while_the_server_does(store: DocumentStore) -> None:
    await store.check()


def test_more_text_fields_than_weights_are_refused() -> None:
    wide = Collection("wide", text=("a", "b", "c", "d", "e"))
    with pytest.raises(ValueError, match="at most 4 text fields"):
        PostgresDocumentStore("postgresql://127.0.0.1/x", "ocop_x", [wide])


async def test_connections_the_server_dropped_cost_no_request(
        store: DocumentStore, postgres_server: PostgresServer) -> None:
    """A restart or failover drops every connection of the pool: the first statement on one
    finds it so, the pool replaces them, and the request goes on (no 500 per connection)."""
    await asyncio.gather(*(store.get("notes", "warm") for _ in range(5)))  # several pooled
    with psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'")
    await store.check()  # /readyz: still ready
    assert await store.get("notes", "none") is None
    async with store.transaction() as tx:
        await tx.insert("notes", "after", {"n": 1})
    assert ids(await store.find("notes", {"n": 1})) == ["after"]
