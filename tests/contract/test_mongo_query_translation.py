"""The Mongo adapter's query translation, checked without a MongoDB server.

No MongoDB server can be installed on the build machines, so these tests (named
``test_mongo_translation_only_*``) run the adapter's translated filters, sorts and cursor
predicates against ``mongomock``, an in-memory double, and compare the ids with what the
real SQLite adapter returns for the same query on the same data. They do NOT exercise
transactions, versions, indexes or driver calls: the full contract suite
(test_document_store.py) does, when OCOP_TEST_MONGO_URL names a MongoDB replica set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import mongomock
import pytest

from shared.store import Collection, DocumentStore, Order, open_store
from shared.store.cursor import encode_cursor
from shared.store.mongo import translate_after, translate_filter, translate_sort

ITEMS = Collection("items", indexes=("stars", "group", "owner.id", "listed"))


def rows(n: int = 23) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for i in range(n):
        data: dict[str, Any] = {"group": ["food", "drink", "craft"][i % 3],
                                "owner": {"id": f"s{i % 4}"}, "listed": i % 2 == 0}
        if i % 5:  # every fifth has no stars at all; every seventh has an explicit null
            data["stars"] = None if i % 7 == 0 else [3, 4, 5][i % 3]
        out.append((f"i{i:02d}", data))
    return out


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[DocumentStore]:
    store = open_store(f"sqlite://{tmp_path}/t.db", [ITEMS], service="t")
    await store.open()
    async with store.transaction() as tx:
        for doc_id, data in rows():
            await tx.insert("items", doc_id, data)
    yield store
    await store.close()


@pytest.fixture
def double() -> Any:
    coll = mongomock.MongoClient().db.items
    coll.insert_many([{"_id": i, "v": 1, "d": d} for i, d in rows()])
    return coll


FILTERS = [
    {"group": "food"}, {"owner.id": "s1"}, {"listed": True}, {"stars": None},
    {"stars": {"$ne": None}}, {"stars": {"$ne": 4}}, {"stars": {"$gt": 3}},
    {"stars": {"$gte": 4, "$lt": 5}}, {"stars": {"$lte": 3}}, {"stars": {"$in": [3, 5]}},
    {"stars": {"$in": [None, 4]}}, {"stars": {"$in": []}}, {"id": {"$in": ["i01", "i05"]}},
    {"group": "drink", "stars": 4}, {"id": {"$gt": "i10"}},
]


@pytest.mark.parametrize("where", FILTERS, ids=[str(f) for f in FILTERS])
async def test_mongo_translation_only_filters_match_sqlite(sqlite: DocumentStore, double: Any,
                                                           where: dict) -> None:
    expected = [d.id for d in (await sqlite.find("items", where, limit=100)).items]
    got = [r["_id"] for r in double.find(translate_filter(where)).sort("_id", 1)]
    assert got == expected


@pytest.mark.parametrize("order_by", ["id", "-id", "stars", "-stars", "group", "-group"])
async def test_mongo_translation_only_sort_and_cursor_walk_match_sqlite(
        sqlite: DocumentStore, double: Any, order_by: str) -> None:
    order = Order.parse(order_by)
    expected = [d.id for d in (await sqlite.find("items", order_by=order, limit=100)).items]
    assert [r["_id"] for r in double.find({}).sort(translate_sort(order))] == expected
    # Walk pages of 5 with the SQLite adapter's cursors, applied through the translation.
    seen: list[str] = []
    cursor = None
    while True:
        query = translate_after(order, cursor) if cursor else {}
        page = list(double.find(query).sort(translate_sort(order)).limit(5))
        seen.extend(r["_id"] for r in page)
        if len(page) < 5:
            break
        last = (await sqlite.find("items", {"id": page[-1]["_id"]})).items[0]
        cursor = encode_cursor(last, order.field)
    assert seen == expected


async def test_mongo_unreachable_server_fails_check_quickly() -> None:
    store = open_store("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300", [ITEMS],
                       service="x")
    with pytest.raises(ConnectionError, match="unreachable"):
        await store.check()
    await store.close()
