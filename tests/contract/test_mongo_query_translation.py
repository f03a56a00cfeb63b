"""The Mongo adapter's query translation, checked without a MongoDB server.

No MongoDB server can run on the build machines, so this module is a substitute for the
contract suite, and a partial one. Its tests (``test_mongo_translation_only_*``) execute the
adapter's translated filters, sorts and cursor predicates on ``mongomock``, an in-memory
double, over documents stored in the adapter's ``{"_id", "v", "d"}`` shape, and compare the
ids with what the real SQLite adapter returns for the same query on the same data.

NOT exercised here: transactions, versions and StaleVersion/WriteConflict, DocumentExists,
index creation, the driver calls themselves and PyMongo's behaviour. The full contract suite
(test_document_store.py) exercises those when OCOP_TEST_MONGO_URL names a MongoDB replica set.

The double is only trusted where it agrees with MongoDB: the first test pins down the MongoDB
behaviours the translation relies on, and the data avoids the points where mongomock is known
to differ (listed there).
"""

from __future__ import annotations

import base64
import json
import math
import re
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import mongomock
import pytest

from shared.ports.store import (
    Collection,
    Document,
    DocumentStore,
    InvalidQuery,
    Order,
    TextMatch,
    open_store,
)
from shared.ports.store.cursor import encode_cursor
from shared.ports.store.mongo import (
    find_query,
    lacking_text_terms,
    text_terms,
    text_terms_backfill,
    translate_after,
    translate_filter,
    translate_sort,
    translate_text,
)

ITEMS = Collection("items", indexes=("stars", "group", "province", "owner.id", "listed"))
PAGE = 5
# Binary (code point) order differs from Vietnamese dictionary order; both engines use it.
PROVINCES = ["Khánh Hòa", "Đà Nẵng", "An Giang", "Bến Tre", "an giang"]


def item(i: int) -> dict[str, Any]:
    """Every shape a queried field can take here: a value, an explicit null, missing, and for
    ``owner.id`` a missing parent and an empty parent."""
    data: dict[str, Any] = {"group": ["food", "drink", "craft"][i % 3],
                            "province": PROVINCES[i % 5]}
    if i % 5:  # i = 0, 5, 10, … have no stars at all; 7, 14, 21 an explicit null
        data["stars"] = None if i % 7 == 0 else [3, 4, 5, 4.5][i % 4]
    if i % 6 != 5:
        data["owner"] = {} if i == 8 else {"id": f"s{i % 4}"}
    if i % 4 != 3:
        data["listed"] = i % 2 == 0
    return data


DOCS = [(f"i{i:02d}", item(i)) for i in range(23)]


@pytest.fixture(scope="module")
async def sqlite(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DocumentStore]:
    path = tmp_path_factory.mktemp("translation")
    store = open_store(f"sqlite://{path}/x.db", [ITEMS], service="translation")
    await store.open()
    async with store.transaction() as tx:
        for doc_id, data in DOCS:
            await tx.insert("items", doc_id, data)
    yield store
    await store.close()


@pytest.fixture(scope="module")
def double() -> Any:
    coll = mongomock.MongoClient().db.items
    coll.insert_many([{"_id": doc_id, "v": 1, "d": data} for doc_id, data in DOCS])
    return coll


def ids(rows: Any) -> list[str]:
    return [r["_id"] for r in rows]


def test_mongo_translation_only_double_agrees_with_mongodb_where_we_rely_on_it() -> None:
    """MongoDB's documented behaviour that the translation leans on, checked on the double.

    mongomock differs from MongoDB elsewhere, and those points are not tested against it:
    ``{$gte: null}``/``{$lte: null}`` match only explicit nulls in mongomock but also missing
    fields in MongoDB (the translation never sends them); mongomock matches ``True`` with
    ``1`` (Python equality) where MongoDB brackets by type; and a path through a scalar
    (``a.b`` on ``{"a": 5}``) is "missing" to MongoDB but not to mongomock's ``$eq``/``$ne``
    null, so the data here never has a scalar where a path expects an object.
    """
    coll = mongomock.MongoClient().db.semantics
    coll.insert_many([{"_id": "a", "d": {"f": 1}}, {"_id": "b", "d": {"f": None}},
                      {"_id": "c", "d": {}}, {"_id": "d", "d": {"f": 2}}])
    match = lambda query: sorted(ids(coll.find(query)))  # noqa: E731
    # "Query for Null or Missing Fields": {f: null} matches both; $ne null neither.
    assert match({"d.f": {"$eq": None}}) == ["b", "c"]
    assert match({"d.f": {"$ne": None}}) == ["a", "d"]
    assert match({"d.f": {"$ne": 1}}) == ["b", "c", "d"]
    assert match({"d.f": {"$in": [None, 2]}}) == ["b", "c", "d"]
    assert match({"d.f": {"$in": []}}) == []
    # Type bracketing: comparison operators only match values of the operand's type.
    assert match({"d.f": {"$lt": 2}}) == ["a"]
    assert match({"d.f": {"$gte": 1}}) == ["a", "d"]
    # Sort order: null and missing are equal and lowest, so first ascending, last descending.
    assert ids(coll.find().sort([("d.f", 1), ("_id", 1)])) == ["b", "c", "a", "d"]
    assert ids(coll.find().sort([("d.f", -1), ("_id", -1)])) == ["d", "a", "c", "b"]


FILTERS: list[dict[str, Any]] = [
    {"group": "food"}, {"province": "Đà Nẵng"}, {"owner.id": "s1"}, {"owner.id": None},
    {"owner.id": {"$ne": None}}, {"owner.id": {"$ne": "s2"}},
    {"listed": True}, {"listed": False}, {"listed": None}, {"listed": {"$ne": True}},
    {"stars": None}, {"stars": {"$eq": None}}, {"stars": {"$ne": None}}, {"stars": {"$ne": 4}},
    {"stars": 4.5}, {"stars": 4},
    {"stars": {"$gt": 4}}, {"stars": {"$gte": 4}}, {"stars": {"$lt": 4.5}},
    {"stars": {"$lte": 4}}, {"stars": {"$gt": 3, "$lt": 5}},
    {"stars": {"$gte": None}}, {"stars": {"$lt": None}},
    {"province": {"$gte": "B"}}, {"province": {"$lt": "a"}}, {"province": {"$gt": "Z"}},
    {"stars": {"$in": [3, 5]}}, {"stars": {"$in": [None, 4]}}, {"stars": {"$in": [None]}},
    {"stars": {"$in": []}}, {"owner.id": {"$in": ["s0", None]}},
    {"id": "i03"}, {"id": None}, {"id": {"$in": ["i01", "i05", "zz"]}}, {"id": {"$gt": "i10"}},
    {"id": {"$ne": "i00"}, "group": "food"},
    {"group": "drink", "stars": {"$ne": None}},
    {"group": {"$in": ["food", "craft"]}, "listed": True, "stars": {"$gte": 4}},
    {"province": {"$contains": "Giang"}}, {"province": {"$contains": ["n G", "A"]}},
    {"group": {"$contains": "o"}, "stars": {"$gte": 4}}, {"stars": {"$contains": "4"}},
    {"owner.id": {"$contains": "s"}}, {"province": {"$contains": "."}},
]


@pytest.mark.parametrize("where", FILTERS, ids=[json.dumps(f, ensure_ascii=False)
                                                for f in FILTERS])
async def test_mongo_translation_only_filters_match_sqlite(sqlite: DocumentStore, double: Any,
                                                           where: dict[str, Any]) -> None:
    expected = [d.id for d in (await sqlite.find("items", where, limit=100)).items]
    got = ids(double.find(translate_filter(where)).sort(translate_sort(Order())))
    assert got == expected
    assert double.count_documents(translate_filter(where)) == await sqlite.count("items", where)


ORDERS = ["id", "-id", "stars", "-stars", "group", "-group", "province", "-province",
          "owner.id", "-owner.id", "listed", "-listed"]


@pytest.mark.parametrize("order_by", ORDERS)
async def test_mongo_translation_only_sort_matches_sqlite(sqlite: DocumentStore, double: Any,
                                                          order_by: str) -> None:
    order = Order.parse(order_by)
    expected = [d.id for d in (await sqlite.find("items", order_by=order, limit=100)).items]
    assert ids(double.find().sort(translate_sort(order))) == expected


def double_page(double: Any, where: dict[str, Any] | None, order: Order,
                after: str | None) -> tuple[list[str], str | None]:
    """One page as the adapter's ``find`` makes it: one row more than the page, to know
    whether another page follows, and the cursor of the last row shown."""
    rows = list(double.find(find_query(where, order, after)).sort(translate_sort(order))
                .limit(PAGE + 1))
    shown = rows[:PAGE]
    cursor = None
    if len(rows) > PAGE:
        last = shown[-1]
        cursor = encode_cursor(Document(last["_id"], last["v"], last["d"]), order.field)
    return ids(shown), cursor


@pytest.mark.parametrize("where", [None, {"group": "food"}, {"stars": {"$ne": 4}}],
                         ids=["all", "food", "stars-ne-4"])
@pytest.mark.parametrize("order_by", ORDERS)
async def test_mongo_translation_only_cursor_walk_matches_sqlite_page_by_page(
        sqlite: DocumentStore, double: Any, order_by: str, where: dict[str, Any] | None
) -> None:
    order = Order.parse(order_by)
    expected_pages: list[tuple[list[str], str | None]] = []
    cursor: str | None = None
    while True:
        page = await sqlite.find("items", where, order_by=order, limit=PAGE, after=cursor)
        expected_pages.append(([d.id for d in page.items], page.next_cursor))
        if (cursor := page.next_cursor) is None:
            break
    got_pages = [double_page(double, where, order, None)]
    while (cursor := got_pages[-1][1]) is not None:
        got_pages.append(double_page(double, where, order, cursor))
    # Same ids on every page and the same cursors, so a cursor means the same on both.
    assert got_pages == expected_pages
    everything = [doc_id for page_ids, _ in got_pages for doc_id in page_ids]
    matching = await sqlite.count("items", where)
    assert len(everything) == len(set(everything)) == matching
    assert len(got_pages) == max(1, math.ceil(matching / PAGE))


def raw_cursor(value: Any, doc_id: Any) -> str:
    """A cursor as a client could forge it: the encoding is opaque, not secret."""
    raw = json.dumps([value, doc_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def assert_values_are_operands(query: Mapping[str, Any]) -> None:
    """Every field in ``query`` maps to an operator document, so no value sent by a client is
    ever read as an operator or as a bare (array-matching) field value."""
    for key, value in query.items():
        if key in ("$and", "$or"):
            for clause in value:
                assert_values_are_operands(clause)
        else:
            assert not key.startswith("$"), key
            assert isinstance(value, dict) and value, (key, value)
            assert set(value) <= {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in",
                                  "$regex"}, value
            # $contains becomes an escaped pattern: the client's text is never a pattern
            assert "$regex" not in value or value["$regex"] == re.escape(
                re.sub(r"\\(.)", r"\1", value["$regex"])), value


FORGED = [{"$where": "sleep(1000)"}, {"$ne": None}, ["food"], None, 4, "food"]


@pytest.mark.parametrize("order_by", ["stars", "-stars", "group", "-group", "id"])
def test_mongo_translation_only_values_are_always_operands_never_operators(
        order_by: str) -> None:
    order = Order.parse(order_by)
    for where in [*FILTERS, {"group": {"$eq": {"$where": "1"}}}, {"group": {"$in": [{"$gt": ""}]}},
                  {"group": {"$contains": [".*(", "$where"]}}]:
        assert_values_are_operands(translate_filter(where))
    for value in FORGED:
        if isinstance(value, dict | list):  # no store sorts by these: refused before use
            with pytest.raises(InvalidQuery):
                translate_after(order, raw_cursor(value, "i03"))
            continue
        predicate = translate_after(order, raw_cursor(value, "i03"))
        assert_values_are_operands(predicate)
        assert_values_are_operands(find_query({"group": "food"}, order, raw_cursor(value, "x")))


async def test_mongo_translation_only_refuses_the_same_queries_as_sqlite(
        sqlite: DocumentStore) -> None:
    """Validation runs before any I/O, so it is checked here against an unreachable server:
    each refusal must be the SQLite adapter's, word for word."""
    mongo = open_store("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200", [ITEMS],
                       service="translation")
    bad_finds: list[dict[str, Any]] = [
        {"where": {"name": "x"}}, {"order_by": "name"}, {"where": {"group": {"$regex": "f"}}},
        {"where": {"stars": {"$in": 3}}}, {"where": {"group": {"$contains": ""}}},
        {"where": {"group": {"$contains": [1]}}}, {"limit": 0}, {"limit": 1001},
        {"after": "not-a-cursor!!"}, {"after": raw_cursor("food", None)},
        {"collection": "nope"},
    ]
    try:
        for bad in bad_finds:
            collection = bad.pop("collection", "items")
            with pytest.raises(InvalidQuery) as expected:
                await sqlite.find(collection, **bad)
            with pytest.raises(InvalidQuery) as got:
                await mongo.find(collection, **bad)
            assert (got.value.message, got.value.message_vi) == (
                expected.value.message, expected.value.message_vi), bad
        with pytest.raises(InvalidQuery) as expected:
            await sqlite.count("items", {"name": "x"})
        with pytest.raises(InvalidQuery) as got:
            await mongo.count("items", {"name": "x"})
        assert got.value.message == expected.value.message
    finally:
        await mongo.close()


async def test_mongo_unreachable_server_fails_check_quickly() -> None:
    """No server needed: nothing listens on port 1. ``check()`` and ``open()`` must give up
    after the URL's server selection timeout with a readable error, never hang, and never
    show the URL's password."""
    store = open_store("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500", [ITEMS],
                       service="x")
    started = time.monotonic()
    with pytest.raises(ConnectionError, match=r"MongoDB at mongodb://127\.0\.0\.1:1/.* is "
                                              r"unreachable"):
        await store.check()
    assert time.monotonic() - started < 3
    await store.close()

    secret = open_store("mongodb://ocop:s3cr%40t@127.0.0.1:1/?serverSelectionTimeoutMS=500",
                        [ITEMS], service="x")
    started = time.monotonic()
    for attempt in (secret.open, secret.check):
        with pytest.raises(ConnectionError, match="unreachable") as err:
            await attempt()
        assert "ocop:***@127.0.0.1:1" in str(err.value)
        assert "s3cr" not in str(err.value) and err.value.__cause__ is None
    assert time.monotonic() - started < 6
    await secret.close()


def test_mongo_translation_only_backfill_makes_older_documents_found_by_text() -> None:
    """Documents stored before ``name`` became a text field (no ``t``), and one stored when only
    ``name`` was (no ``t.note``): the backfill's filter picks both, its updates give them the
    prefixes a search needs, and a document rewritten since it was read (another version) is
    left to the write that rewrote it."""
    before = Collection("things")
    after = Collection("things", text=("name", "note"))
    coll = mongomock.MongoClient().db.things
    coll.insert_many([
        {"_id": "old", "v": 1, "d": {"name": "mat ong rung", "note": "u minh"}},
        {"_id": "half", "v": 2, "d": {"name": "nuoc mam", "note": "phu quoc"},
         "t": {"_": ["n", "nu"], "name": ["n", "nu"]}},
        {"_id": "new", "v": 1, "d": {"name": "che"}, "t": text_terms(after, {"name": "che"})},
    ])
    assert not before.text
    lacking = lacking_text_terms(after)
    assert sorted(ids(coll.find(lacking))) == ["half", "old"]

    stored = list(coll.find(lacking))
    coll.update_one({"_id": "half"}, {"$set": {"v": 3}})  # rewritten since it was read
    for where, update in text_terms_backfill(after, stored):
        coll.update_one(where, update)
    assert ids(coll.find(lacking)) == ["half"]  # its own write sets its prefixes
    assert ids(coll.find(translate_text(TextMatch(("mat", "ru"))))) == ["old"]
    assert ids(coll.find(translate_text(TextMatch(("min",), within=("note",))))) == ["old"]
    assert ids(coll.find(translate_text(TextMatch(("ch",))))) == ["new"]
