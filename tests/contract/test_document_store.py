"""The document store contract: every adapter must pass this suite unchanged.

SQLite runs always, on real files. PostgreSQL runs always, on a real server of the test
process's own (``tests/support/postgres.py``), each test in a schema of its own.

MongoDB runs when OCOP_TEST_MONGO_URL points at a replica set (transactions need one);
without it these tests are not collected for Mongo,
and ``test_mongo_translation_*`` in test_mongo_query_translation.py covers only the query
translation against an in-memory double.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.ports.store import (
    Collection,
    DocumentExists,
    DocumentStore,
    InvalidQuery,
    StaleVersion,
    open_store,
)

PRODUCTS = Collection("products", indexes=("stars", "group", "province", "owner.id", "listed"))
NOTES = Collection("notes")

ADAPTERS = ["sqlite", "postgres"] + (["mongo"] if os.environ.get("OCOP_TEST_MONGO_URL") else [])


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DocumentStore]:
    if request.param == "sqlite":
        s = open_store(f"sqlite://{tmp_path}/contract.db", [PRODUCTS, NOTES], service="test")
    elif request.param == "postgres":
        server = request.getfixturevalue("postgres_server")
        s = open_store(server.url, [PRODUCTS, NOTES],
                       service=request.getfixturevalue("postgres_service"))
    else:
        s = open_store(os.environ["OCOP_TEST_MONGO_URL"], [PRODUCTS, NOTES],
                       service=f"test_{uuid.uuid4().hex[:8]}")
    await s.open()
    yield s
    drop = getattr(s, "drop", None)
    if drop is not None:
        await drop()
    await s.close()


def product(i: int, stars: int | None, group: str = "food", province: str = "Khánh Hòa") -> dict:
    return {"name": f"Sản phẩm {i}", "stars": stars, "group": group, "province": province,
            "owner": {"id": f"s{i % 3}"}, "listed": i % 2 == 0}


async def seed(store: DocumentStore, n: int = 12) -> None:
    async with store.transaction() as tx:
        for i in range(n):
            await tx.insert("products", f"p{i:02d}", product(i, [3, 4, 5, None][i % 4],
                                                               ["food", "drink"][i % 2]))


async def test_insert_get_round_trip_keeps_unicode_and_nesting(store: DocumentStore) -> None:
    data = {"name": "Sầu riêng Khánh Sơn", "stars": 4, "owner": {"id": "s1"},
            "tags": ["trái cây", "đặc sản"], "price": 120000.5, "listed": True}
    async with store.transaction() as tx:
        doc = await tx.insert("products", "p1", data)
    assert doc.version == 1
    got = await store.get("products", "p1")
    assert got is not None and got.data == data and got.version == 1
    assert await store.get("products", "missing") is None


async def test_insert_twice_is_refused(store: DocumentStore) -> None:
    async with store.transaction() as tx:
        await tx.insert("notes", "n1", {"text": "a"})
    with pytest.raises(DocumentExists):
        async with store.transaction() as tx:
            await tx.insert("notes", "n1", {"text": "b"})
    got = await store.get("notes", "n1")
    assert got is not None and got.data == {"text": "a"}


async def test_update_with_current_version_bumps_it(store: DocumentStore) -> None:
    async with store.transaction() as tx:
        await tx.insert("notes", "n1", {"text": "a"})
    async with store.transaction() as tx:
        doc = await tx.update("notes", "n1", {"text": "b"}, expected_version=1)
    assert doc.version == 2
    got = await store.get("notes", "n1")
    assert got is not None and (got.version, got.data) == (2, {"text": "b"})


async def test_stale_write_is_refused_not_applied(store: DocumentStore) -> None:
    async with store.transaction() as tx:
        await tx.insert("notes", "n1", {"text": "a"})
    async with store.transaction() as tx:
        await tx.update("notes", "n1", {"text": "first writer"}, expected_version=1)
    with pytest.raises(StaleVersion) as err:
        async with store.transaction() as tx:
            await tx.update("notes", "n1", {"text": "second writer"}, expected_version=1)
    assert err.value.actual == 2
    got = await store.get("notes", "n1")
    assert got is not None and got.data == {"text": "first writer"}


async def test_update_of_missing_document_is_stale(store: DocumentStore) -> None:
    with pytest.raises(StaleVersion) as err:
        async with store.transaction() as tx:
            await tx.update("notes", "ghost", {"text": "x"}, expected_version=1)
    assert err.value.actual is None


async def test_concurrent_writers_exactly_one_wins(store: DocumentStore) -> None:
    async with store.transaction() as tx:
        await tx.insert("notes", "n1", {"count": 0})

    async def writer(tag: str) -> str:
        try:
            async with store.transaction() as tx:
                await tx.update("notes", "n1", {"count": 1, "by": tag}, expected_version=1)
            return "won"
        except StaleVersion:
            return "lost"

    results = await asyncio.gather(*(writer(f"w{i}") for i in range(5)))
    assert sorted(results) == ["lost"] * 4 + ["won"]
    got = await store.get("notes", "n1")
    assert got is not None and got.version == 2


async def test_put_creates_then_replaces_without_version_check(store: DocumentStore) -> None:
    async with store.transaction() as tx:
        first = await tx.put("notes", "n1", {"v": 1})
        second = await tx.put("notes", "n1", {"v": 2})
    assert (first.version, second.version) == (1, 2)
    got = await store.get("notes", "n1")
    assert got is not None and got.data == {"v": 2}


async def test_put_many_creates_and_replaces_in_one_call(store: DocumentStore) -> None:
    async with store.transaction() as tx:
        await tx.insert("notes", "old", {"v": 0})
    async with store.transaction() as tx:
        await tx.put_many("notes", {"old": {"v": 1}, "new": {"v": "một"}})
        await tx.put_many("notes", {})
    old, new = await store.get("notes", "old"), await store.get("notes", "new")
    assert old is not None and (old.version, old.data) == (2, {"v": 1})
    assert new is not None and (new.version, new.data) == (1, {"v": "một"})
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.put_many("notes", {"old": {"v": 2}, "gone": {}})
            raise RuntimeError("rolled back")
    kept = await store.get("notes", "old")
    assert kept is not None and kept.data == {"v": 1}
    assert await store.get("notes", "gone") is None


async def test_put_many_of_many_documents_and_get_many(store: DocumentStore) -> None:
    """Past a few documents, a batch is written the way a large one is (SQLite: on the
    connection's thread); many ids are read back in one call, unknown ones left out."""
    many = {f"m{i:04d}": {"v": i} for i in range(1200)}
    async with store.transaction() as tx:
        await tx.put_many("notes", many)
        inside = await tx.get_many("notes", ["m0001", "m1199", "nope", "m0001"])
        assert {k: d.data for k, d in inside.items()} == {"m0001": {"v": 1}, "m1199": {"v": 1199}}
    found = await store.get_many("notes", [*many, "nope"])
    assert sorted(found) == sorted(many) and found["m0500"].data == {"v": 500}
    assert await store.get_many("notes", []) == {}


async def test_delete_with_and_without_version(store: DocumentStore) -> None:
    async with store.transaction() as tx:
        await tx.insert("notes", "a", {})
        await tx.insert("notes", "b", {})
    with pytest.raises(StaleVersion):
        async with store.transaction() as tx:
            await tx.delete("notes", "a", expected_version=7)
    async with store.transaction() as tx:
        assert await tx.delete("notes", "a", expected_version=1) is True
        assert await tx.delete("notes", "b") is True
        assert await tx.delete("notes", "b") is False
    assert await store.get("notes", "a") is None


async def test_transaction_rolls_back_every_write_on_error(store: DocumentStore) -> None:
    async with store.transaction() as tx:
        await tx.insert("notes", "keep", {"v": 1})
    with pytest.raises(RuntimeError, match="boom"):
        async with store.transaction() as tx:
            await tx.insert("notes", "new", {"v": 1})
            await tx.update("notes", "keep", {"v": 2}, expected_version=1)
            raise RuntimeError("boom")
    assert await store.get("notes", "new") is None
    kept = await store.get("notes", "keep")
    assert kept is not None and kept.data == {"v": 1}


async def test_reads_inside_a_transaction_see_its_own_writes(store: DocumentStore) -> None:
    async with store.transaction() as tx:
        await tx.insert("notes", "n1", {"v": 1})
        got = await tx.get("notes", "n1")
        assert got is not None and got.data == {"v": 1}


async def test_on_commit_runs_after_commit_only(store: DocumentStore) -> None:
    fired: list[str] = []
    async with store.transaction() as tx:
        await tx.insert("notes", "n1", {})
        tx.on_commit(lambda: fired.append("committed"))
        assert fired == []
    assert fired == ["committed"]
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            tx.on_commit(lambda: fired.append("rolled back"))
            raise RuntimeError("no")
    assert fired == ["committed"]


async def test_a_transaction_cancelled_anywhere_is_all_or_nothing(store: DocumentStore
                                                                 ) -> None:
    """A task cancelled at any point of a transaction (a service stopping mid-event): the
    write is there exactly when the commit hooks fired, and the next transaction begins."""
    fired: set[str] = set()

    async def write(name: str) -> None:
        async with store.transaction() as tx:
            await tx.insert("notes", name, {})
            tx.on_commit(lambda: fired.add(name))

    for step in range(40):
        name = f"n{step}"
        task = asyncio.create_task(write(name))
        for _ in range(step // 4):
            await asyncio.sleep(0)
        await asyncio.sleep(0.0005 * (step % 4))
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await write(f"after-{step}")  # queued behind whatever the cancelled one left
        assert (await store.get("notes", name) is not None) == (name in fired), step
    assert {f"after-{step}" for step in range(40)} <= fired
    assert any(f"n{step}" in fired for step in range(40))  # some got as far as COMMIT


async def test_find_filters_on_equality_nested_fields_and_booleans(store: DocumentStore) -> None:
    await seed(store)
    page = await store.find("products", {"group": "food", "stars": 3})
    assert [d.id for d in page.items] == ["p00", "p04", "p08"]
    owned = await store.find("products", {"owner.id": "s1"})
    assert [d.id for d in owned.items] == ["p01", "p04", "p07", "p10"]
    listed = await store.find("products", {"listed": True})
    assert [d.id for d in listed.items] == ["p00", "p02", "p04", "p06", "p08", "p10"]
    assert await store.count("products", {"group": "drink"}) == 6
    assert await store.count("products") == 12


async def test_find_operators(store: DocumentStore) -> None:
    await seed(store)
    ids = lambda page: [d.id for d in page.items]  # noqa: E731
    assert ids(await store.find("products", {"stars": {"$gte": 4}})) == [
        "p01", "p02", "p05", "p06", "p09", "p10"]
    assert ids(await store.find("products", {"stars": {"$gt": 3, "$lt": 5}})) == [
        "p01", "p05", "p09"]
    assert ids(await store.find("products", {"stars": {"$in": [3, 5]}})) == [
        "p00", "p02", "p04", "p06", "p08", "p10"]
    assert ids(await store.find("products", {"stars": None})) == ["p03", "p07", "p11"]
    assert await store.count("products", {"stars": {"$ne": None}}) == 9
    assert await store.count("products", {"stars": {"$ne": 3}}) == 9
    assert await store.count("products", {"stars": {"$in": []}}) == 0
    assert ids(await store.find("products", {"id": {"$in": ["p01", "p03", "zz"]}})) == [
        "p01", "p03"]


async def test_contains_matches_text_literally_and_needs_every_text(
        store: DocumentStore) -> None:
    async with store.transaction() as tx:
        for doc_id, group in (("a", "sau rieng khanh son"), ("b", "ca phe khanh son"),
                              ("c", "100% ca_cao"), ("d", "rieng"), ("e", 42), ("f", None),
                              ("g", ["sau rieng"])):
            await tx.insert("products", doc_id, {"group": group, "stars": 4})
        await tx.insert("products", "h", {"stars": 4})
    ids = lambda page: [d.id for d in page.items]  # noqa: E731
    assert ids(await store.find("products", {"group": {"$contains": "rieng"}})) == ["a", "d"]
    assert ids(await store.find("products", {"group": {"$contains": ["khanh", "sau"]}})) == ["a"]
    assert ids(await store.find("products", {"group": {"$contains": "khanh son"}})) == ["a", "b"]
    # '%', '_' and '.' are matched as themselves, not as wildcards
    assert ids(await store.find("products", {"group": {"$contains": "0%"}})) == ["c"]
    assert ids(await store.find("products", {"group": {"$contains": "a_c"}})) == ["c"]
    assert ids(await store.find("products", {"group": {"$contains": "a.c"}})) == []
    assert ids(await store.find("products", {"group": {"$contains": "%"}})) == ["c"]
    # with another filter, an order and pages
    first = await store.find("products", {"group": {"$contains": "khanh"}, "stars": 4},
                             order_by="-group", limit=1)
    assert ids(first) == ["a"]
    rest = await store.find("products", {"group": {"$contains": "khanh"}, "stars": 4},
                            order_by="-group", limit=1, after=first.next_cursor)
    assert ids(rest) == ["b"] and rest.next_cursor is None
    for bad in ("", [], [""], ["ok", 3], 7, {"x": 1}):
        with pytest.raises(InvalidQuery, match=r"\$contains"):
            await store.find("products", {"group": {"$contains": bad}})


async def test_sorting_puts_missing_values_first_ascending_and_last_descending(
        store: DocumentStore) -> None:
    await seed(store)
    asc = await store.find("products", order_by="stars", limit=100)
    assert [d.data["stars"] for d in asc.items] == [None] * 3 + [3] * 3 + [4] * 3 + [5] * 3
    desc = await store.find("products", order_by="-stars", limit=100)
    assert [d.data["stars"] for d in desc.items] == [5] * 3 + [4] * 3 + [3] * 3 + [None] * 3
    # ties are broken by id, in the sort's direction
    assert [d.id for d in desc.items][:3] == ["p10", "p06", "p02"]


@pytest.mark.parametrize("order_by", ["id", "-id", "stars", "-stars", "group", "-group"])
async def test_cursor_pagination_visits_every_document_once(store: DocumentStore,
                                                            order_by: str) -> None:
    await seed(store, 23)
    everything = await store.find("products", order_by=order_by, limit=100)
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await store.find("products", order_by=order_by, limit=5, after=cursor)
        seen.extend(d.id for d in page.items)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [d.id for d in everything.items]
    assert len(seen) == 23 and pages == 5


async def test_cursor_pagination_with_a_filter(store: DocumentStore) -> None:
    await seed(store, 30)
    first = await store.find("products", {"group": "food"}, order_by="-stars", limit=4)
    second = await store.find("products", {"group": "food"}, order_by="-stars", limit=4,
                              after=first.next_cursor)
    all_food = await store.find("products", {"group": "food"}, order_by="-stars", limit=100)
    assert [d.id for d in first.items + second.items] == [d.id for d in all_food.items][:8]


async def test_last_page_has_no_cursor(store: DocumentStore) -> None:
    await seed(store, 4)
    page = await store.find("products", limit=4)
    assert len(page.items) == 4 and page.next_cursor is None


async def test_queries_on_undeclared_fields_are_refused(store: DocumentStore) -> None:
    await seed(store, 2)
    with pytest.raises(InvalidQuery, match="name"):
        await store.find("products", {"name": "x"})
    with pytest.raises(InvalidQuery, match="name"):
        await store.find("products", order_by="name")
    with pytest.raises(InvalidQuery, match=r"\$regex"):
        await store.find("products", {"group": {"$regex": "f"}})
    with pytest.raises(InvalidQuery):
        await store.find("products", limit=0)
    with pytest.raises(InvalidQuery):
        await store.find("products", after="not-a-cursor!!")
    with pytest.raises(InvalidQuery):
        await store.find("nope")


async def test_data_survives_reopening(store: DocumentStore, tmp_path: Path) -> None:
    async with store.transaction() as tx:
        await tx.insert("notes", "n1", {"text": "kept"})
    await store.close()
    await store.open()
    got = await store.get("notes", "n1")
    assert got is not None and got.data == {"text": "kept"}
