"""The document store's full-text search (``TextMatch``) and pages over tiers of it, on the
SQLite adapter's real files (FTS5) and a real PostgreSQL server (a GIN index over weighted
words), and the Mongo adapter's translation of the same
searches on an in-memory double (``test_mongo_translation_only_*``: no MongoDB server runs
here; the double executes the translated filter over documents stored in the adapter's
``{"_id", "v", "d", "t"}`` shape, and the ids are compared with SQLite's)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import mongomock
import pytest

from shared.ports.store import (
    Collection,
    DocumentStore,
    InvalidQuery,
    TextMatch,
    open_store,
    sqlite_text,
)
from shared.ports.store.mongo import text_terms, translate_filter
from shared.ports.store.tiers import find_in_tiers

PRODUCTS = Collection("products", indexes=("stars", "name_key"), text=("name_key", "maker_key"))
PLAIN = Collection("plain", indexes=("stars",))
DOCS = {
    "a": {"name_key": "sau rieng khanh son", "maker_key": "htx son binh", "stars": 4},
    "b": {"name_key": "mat ong rung ky lac", "maker_key": "htx sau rieng", "stars": 3},
    "c": {"name_key": "sau rieng ri6", "maker_key": "cong ty khanh hoa", "stars": 5},
    "d": {"name_key": "nuoc mam phu khuong", "maker_key": "ho kinh doanh an", "stars": 4},
    "e": {"name_key": "banh da vung den", "stars": 3},
    "f": {"name_key": None, "maker_key": "htx rieng", "stars": 4},
}
SEARCHES = [
    TextMatch(("sau",)), TextMatch(("rie", "sau")), TextMatch(("rieng", "khanh")),
    TextMatch(("s",)), TextMatch(("ong",)), TextMatch(("htx",)), TextMatch(("zzz",)),
    TextMatch(("ri6",)), TextMatch(("ri",)), TextMatch(("an",)),
    TextMatch(("sau", "rieng"), within=("name_key",)),
    TextMatch(("sau", "rieng"), within=("maker_key",)),
    TextMatch(("sau", "rieng"), unless_within=("name_key",)),
    TextMatch(("rieng",), within=("maker_key", "name_key")),
    TextMatch(("khanh", "rieng"), within=("name_key", "maker_key"),
              unless_within=("name_key",)),
    TextMatch(("s", "sau")), TextMatch(("rieng", "sau"), within=("name_key",)),
]


def ids(page: Any) -> list[str]:
    return [d.id for d in page.items]


ADAPTERS = ["sqlite", "postgres"]


@pytest.fixture(params=ADAPTERS)
def place(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """Where a test's store is: its URL and service name (the same on reopening)."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/text.db", "test"
    return (request.getfixturevalue("postgres_server").url,
            request.getfixturevalue("postgres_service"))


@pytest.fixture
async def store(place: tuple[str, str]) -> AsyncIterator[DocumentStore]:
    s = open_store(place[0], [PRODUCTS, PLAIN], service=place[1])
    await s.open()
    async with s.transaction() as tx:
        for doc_id, data in DOCS.items():
            await tx.insert("products", doc_id, data)
    yield s
    await s.close()


async def search(store: DocumentStore, *words: str, **more: Any) -> list[str]:
    return ids(await store.find("products", {"$text": TextMatch(words, **more)},
                                limit=100))


async def test_each_word_begins_a_word_of_some_text_field_in_any_order(
        store: DocumentStore) -> None:
    assert await search(store, "sau", "rie") == ["a", "b", "c"]
    assert await search(store, "rieng", "sau") == ["a", "b", "c"]
    assert await search(store, "khanh", "rieng") == ["a", "c"]  # c: the maker's "khanh"
    assert await search(store, "ong") == ["b"]  # a word's start, not inside "khuong"
    assert await search(store, "ieng") == []
    assert await search(store, "sau", "nuoc") == []  # every word is needed
    assert await search(store, "htx") == ["a", "b", "f"]  # a null name is no obstacle


async def test_within_and_unless_within_make_exclusive_tiers(store: DocumentStore) -> None:
    assert await search(store, "sau", "rieng", within=("name_key",)) == ["a", "c"]
    assert await search(store, "sau", "rieng", unless_within=("name_key",)) == ["b"]
    assert await search(store, "rieng", within=("maker_key",)) == ["b", "f"]


async def test_the_index_follows_every_write(store: DocumentStore,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    async with store.transaction() as tx:
        doc = await tx.get("products", "d")
        assert doc is not None
        await tx.update("products", "d", doc.data | {"name_key": "nuoc mam sau rieng",
                                                     "stars": 5},
                        expected_version=doc.version)
        await tx.put("products", "e", {"name_key": "tra hoa vang", "stars": 3})
        await tx.put("products", "g", {"name_key": "sau rieng ri6 loai 1", "stars": 5})
        await tx.delete("products", "a")
    assert await search(store, "sau", "rieng") == ["b", "c", "d", "g"]
    sau_rieng = {"$text": TextMatch(("sau", "rieng"))}  # sorted by the fields it keeps too
    assert ids(await store.find("products", sau_rieng, order_by="-stars")) == ["g", "d", "c",
                                                                              "b"]
    assert ids(await store.find("products", sau_rieng, order_by="name_key")) == ["b", "d", "c",
                                                                                "g"]
    assert await search(store, "nuoc") == ["d"]
    assert await search(store, "phu") == []  # the old words are forgotten
    assert await search(store, "banh") == []
    assert await search(store, "tra", "vang") == ["e"]
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.put("products", "h", {"name_key": "sau rieng tam", "stars": 3})
            raise RuntimeError("rolled back")
    assert await search(store, "tam") == []
    # The postings, read for a search in a text order, followed the same writes.
    monkeypatch.setattr(sqlite_text, "BY_WORDS_FROM", 1)
    by_name = [(("sau", "rieng"), ["b", "d", "c", "g"]), (("phu",), []), (("banh",), []),
               (("tra", "vang"), ["e"]), (("nuoc",), ["d"]), (("r",), ["f", "b", "d", "c", "g"])]
    for words, found in by_name:
        assert ids(await store.find("products", {"$text": TextMatch(words)},
                                    order_by="name_key")) == found, words


async def test_a_search_sorts_filters_and_pages_like_any_query(store: DocumentStore) -> None:
    where = {"$text": TextMatch(("rieng",)), "stars": {"$gte": 4}}
    first = await store.find("products", where, order_by="-stars", limit=2)
    assert ids(first) == ["c", "f"]
    rest = await store.find("products", where, order_by="-stars", limit=2,
                            after=first.next_cursor)
    assert ids(rest) == ["a"] and rest.next_cursor is None
    assert await store.count("products", {"$text": TextMatch(("htx",))}) == 3


async def test_every_way_of_answering_a_search_finds_the_same(
        store: DocumentStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A few matches are filtered and sorted in the fields table; many (BROAD_TEXT) are
    probed while walking the sort's index; in a text order, many (BY_WORDS_FROM) are read
    from the postings of one searched word, unless it begins too many words (MOST_WORDS:
    walked); with ``$contains`` the documents themselves are read. The answers, and the
    pages, must not depend on the way."""
    asked = [(match, order) for match in SEARCHES
             for order in ("name_key", "-name_key", "-stars", "stars", "id")]

    async def answers() -> tuple[list[list[str]], list[list[str]]]:
        whole = [ids(await store.find("products", {"$text": m}, order_by=o, limit=100))
                 for m, o in asked]
        paged = []
        for m, o in asked:
            found, cursor = [], None
            while True:
                page = await store.find("products", {"$text": m}, order_by=o, limit=1,
                                        after=cursor)
                found += ids(page)
                if (cursor := page.next_cursor) is None:
                    break
            paged.append(found)
        return whole, paged

    among, among_paged = await answers()
    contains = [ids(await store.find("products", {"$text": m, "name_key": {"$contains": "a"}},
                                     order_by=o, limit=100)) for m, o in asked]
    monkeypatch.setattr(sqlite_text, "BROAD_TEXT", 1)
    monkeypatch.setattr(sqlite_text, "BY_WORDS_FROM", 1)
    by_words, by_words_paged = await answers()
    monkeypatch.setattr(sqlite_text, "MOST_WORDS", 0)
    walked, walked_paged = await answers()
    assert among == among_paged == by_words == by_words_paged == walked == walked_paged
    assert any(among)
    assert contains == [[i for i in found if "a" in (DOCS[i]["name_key"] or "")]
                        for found in among]
    assert among[asked.index((TextMatch(("htx",)), "-stars"))] == ["f", "a", "b"]
    assert among[asked.index((TextMatch(("s", "sau")), "name_key"))] == ["b", "a", "c"]


async def test_pages_over_tiers_visit_each_match_once_tier_after_tier(
        store: DocumentStore) -> None:
    tiers = [{"$text": TextMatch(("rieng",), within=("name_key",))},
             {"$text": TextMatch(("rieng",), unless_within=("name_key",))}]
    seen, cursor, pages = [], None, 0
    while True:
        page = await find_in_tiers(store, "products", tiers, order_by="-stars", limit=1,
                                   after=cursor)
        seen += ids(page)
        pages += 1
        if (cursor := page.next_cursor) is None:
            break
    assert seen == ["c", "a", "f", "b"] and pages == 4
    whole = await find_in_tiers(store, "products", tiers, order_by="name_key", limit=2,
                                after=None)
    assert ids(whole) == ["a", "c"] and whole.next_cursor == "1."  # the next tier's start
    rest = await find_in_tiers(store, "products", tiers, order_by="name_key", limit=5,
                               after=whole.next_cursor)
    assert ids(rest) == ["f", "b"] and rest.next_cursor is None  # f: no name, first
    for forged in ("2.", "x.", "0", "-1.", "1.not-a-cursor!!"):
        with pytest.raises(InvalidQuery):
            await find_in_tiers(store, "products", tiers, order_by="name_key", limit=2,
                                after=forged)


async def test_bad_searches_are_refused(store: DocumentStore) -> None:
    for bad in (TextMatch(()), TextMatch(("Sầu",)), TextMatch(("sau rieng",)),
                TextMatch(('"',)), TextMatch(("a*",)), "sau"):
        with pytest.raises(InvalidQuery, match="folded words"):
            await store.find("products", {"$text": bad})
    with pytest.raises(InvalidQuery, match="stars is not a text field"):
        await store.find("products", {"$text": TextMatch(("sau",), within=("stars",))})
    with pytest.raises(InvalidQuery, match="no full-text index"):
        await store.find("plain", {"$text": TextMatch(("sau",))})


async def test_text_fields_added_later_index_the_rows_already_there(
        place: tuple[str, str]) -> None:
    before = open_store(place[0], [PLAIN], service=place[1])
    await before.open()
    async with before.transaction() as tx:
        await tx.insert("plain", "x", {"name_key": "mat ong", "stars": 3})
    await before.close()
    grown = Collection("plain", indexes=("stars",), text=("name_key",))
    after = open_store(place[0], [grown], service=place[1])
    await after.open()
    assert ids(await after.find("plain", {"$text": TextMatch(("mat",))})) == ["x"]
    await after.close()
    await after.open()  # opened again: kept, not indexed twice
    assert await after.count("plain", {"$text": TextMatch(("ong",))}) == 1
    await after.close()
    sortable = Collection("plain", indexes=("stars", "name_key"), text=("name_key",))
    again = open_store(place[0], [sortable], service=place[1])
    await again.open()  # a field declared later: the fields kept for searches are made anew
    async with again.transaction() as tx:
        await tx.insert("plain", "y", {"name_key": "mat ong rung", "stars": 5})
    assert ids(await again.find("plain", {"$text": TextMatch(("mat",))},
                                order_by="-name_key")) == ["y", "x"]
    await again.close()


@pytest.fixture
def double() -> Any:
    coll = mongomock.MongoClient().db.products
    coll.insert_many([{"_id": doc_id, "v": 1, "d": data, "t": text_terms(PRODUCTS, data)}
                      for doc_id, data in DOCS.items()])
    return coll


@pytest.mark.parametrize("match", SEARCHES, ids=repr)
async def test_mongo_translation_only_text_search_finds_what_sqlite_finds(
        store: DocumentStore, double: Any, match: TextMatch) -> None:
    expected = await search(store, *match.words, within=match.within,
                            unless_within=match.unless_within)
    found = sorted(r["_id"] for r in double.find(translate_filter({"$text": match})))
    assert found == expected


def test_mongo_translation_only_text_terms_are_every_prefix_per_field_and_together() -> None:
    terms = text_terms(PRODUCTS, {"name_key": "mat ong", "maker_key": "htx"})
    assert terms["name_key"] == ["m", "ma", "mat", "o", "on", "ong"]
    assert terms["maker_key"] == ["h", "ht", "htx"]
    assert terms["_"] == sorted({*terms["name_key"], *terms["maker_key"]})
    assert text_terms(PRODUCTS, {"name_key": None}) == {"name_key": [], "maker_key": [],
                                                        "_": []}
