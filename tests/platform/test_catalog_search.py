"""Searching the catalog over HTTP: words matched from their start, whatever the diacritics
and case, in any order; the listings with every word in their name ranked before those
found by their producer's name, each group in the order asked, paged with one cursor."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest

from shared.platform.config import Settings
from tests.support.channels import Market, certify, market
from tests.support.clocks import today
from tests.support.refusals import problem


@pytest.fixture
async def shop(make_settings: Callable[..., Settings]) -> AsyncIterator[Market]:
    """The market, and a second product of the wine's household whose name has no 'rượu':
    'Cơm lam' sorts before 'Rượu cần' by name, but only its producer is 'Hộ Rượu Cần…'."""
    async with market(make_settings()) as made:
        on = (today() - timedelta(days=30)).isoformat()
        wine = await made.office.call("GET", "catalog", f"/listings/{made.products['wine']}")
        product = await made.producers["wine"].call(
            "POST", "registry", "/products", expect=201,
            json={"subject_id": wine["producer"]["id"], "name": "Cơm lam Lạc Dương",
                  "group": "food", "subgroup": "grains", "registered_on": on})
        await certify(made.office, made.member, product["id"], on)
        made.products["rice"] = product["id"]
        yield made


async def found(shop: Market, **params: Any) -> list[str]:
    page = await shop.office.anonymous().call("GET", "catalog", "/listings",
                                              params={"limit": 50} | params)
    return [item["product_id"] for item in page["items"]]


async def test_name_matches_come_before_producer_matches_in_the_order_asked(
        shop: Market) -> None:
    tea, wine, rice = (shop.products[k] for k in ("tea", "wine", "rice"))
    # by name 'com lam…' < 'ruou can…', yet the wine is the one named 'rượu'
    assert await found(shop, q="rượu") == [wine, rice]
    assert await found(shop, q="ruou", sort="-certified") == [wine, rice]
    # both names have 'Lạc Dương': one tier, sorted by name
    assert await found(shop, q="lac duong") == [rice, wine]
    assert await found(shop, q="lac duong", sort="-certified") == [rice, wine]
    assert await found(shop, q="tan cuong") == [tea]


async def test_words_match_from_their_start_whatever_diacritics_case_and_order(
        shop: Market) -> None:
    tea, wine, rice = (shop.products[k] for k in ("tea", "wine", "rice"))
    for query in ("Chè búp", "CHE BUP", "che bup", "bup che", "chè b", "ch tân"):
        assert await found(shop, q=query) == [tea], query
    assert await found(shop, q="RƯỢU CẦN") == [wine, rice]
    assert await found(shop, q="ruo ca") == [wine, rice]  # typing: 'ruo' of 'ruou'
    assert await found(shop, q="uong") == []  # not inside a word ('duong', 'cuong')
    assert await found(shop, q="tea") == []
    assert await found(shop, q="che ruou") == []  # every word is needed
    assert await found(shop, q="lac duong", province="Lâm Đồng") == [rice, wine]
    assert await found(shop, q="lac duong", group="beverages") == [wine]
    assert await found(shop, q="   ") == await found(shop)  # no words: everything


async def test_one_cursor_pages_through_both_ranks_and_a_forged_one_is_refused(
        shop: Market) -> None:
    wine, rice = shop.products["wine"], shop.products["rice"]
    anyone = shop.office.anonymous()
    first = await anyone.call("GET", "catalog", "/listings", params={"q": "ruou", "limit": 1})
    assert [i["product_id"] for i in first["items"]] == [wine]
    second = await anyone.call("GET", "catalog", "/listings", params={
        "q": "ruou", "limit": 1, "cursor": first["next_cursor"]})
    assert [i["product_id"] for i in second["items"]] == [rice]
    assert second["next_cursor"] is None
    plain = await anyone.call("GET", "catalog", "/listings", params={"limit": 1})
    for forged in ("7.", "nonsense", plain["next_cursor"]):  # a plain page's is no search's
        refused = await anyone.client.get(f"{anyone.urls['catalog']}/listings",
                                          params={"q": "ruou", "cursor": forged})
        assert "trang đầu" in problem(refused, 400, "invalid-query")["detail_vi"], forged
