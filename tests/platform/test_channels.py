"""Sales channels over HTTP: registered by the office with API keys (shown once, kept
hashed, rotated, revoked), carrying only what the office allows; producers record where a
product is sold and may take it off the catalog; every change in a resumable change log;
feeds in the formats marketplaces import; CORS and cache headers for channels' browsers."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema_rs
import pytest

from services.catalog.site.feeds import FIELDS, GOOGLE_NS, SITEMAP_NS
from shared.platform.config import Settings
from tests.support.channels import POSTMART, Market, market, register_channel
from tests.support.clocks import today
from tests.support.demo import wait_until
from tests.support.refusals import problem

G = f"{{{GOOGLE_NS}}}"


def stored_bytes(data_dir: Path) -> bytes:
    """Everything the catalog's SQLite files hold (the database and its write-ahead log)."""
    return b"".join(p.read_bytes() for p in data_dir.glob("catalog.db*"))


@pytest.fixture
async def shop(make_settings: Callable[..., Settings]) -> AsyncIterator[Market]:
    async with market(make_settings()) as made:
        yield made


async def test_a_channels_key_is_shown_once_kept_hashed_rotated_and_revoked(
        shop: Market) -> None:
    office = shop.office
    issued = await office.call("POST", "catalog", "/channels", expect=201, json=POSTMART)
    key, channel = issued["api_key"], issued["channel"]
    assert key.startswith("ocopk_") and len(key) > 60
    assert [k["active"] for k in channel["keys"]] == [True]
    assert key not in str(await office.call("GET", "catalog", f"/channels/{channel['id']}"))
    stored = stored_bytes(Path(shop.settings.data_dir))
    secret = key.split("_", 2)[2]  # ocopk_<key id>_<secret>; the secret may hold "_" too
    assert key.encode() not in stored and secret.encode() not in stored

    postmart = office.channel(key)
    assert (await postmart.call("GET", "catalog", "/channel"))["name"] == "Postmart"
    for wrong in (key[:-1] + ("A" if key[-1] != "A" else "B"), "ocopk_nonsense", ""):
        refused = await office.client.get(office.urls["catalog"] + "/channel",
                                          headers={"X-API-Key": wrong})
        problem(refused, 401, "api-key-invalid" if wrong else None)

    # Rotation: a second key works beside the first until the first is revoked.
    second = await office.call("POST", "catalog", f"/channels/{channel['id']}/keys",
                               expect=201)
    assert second["api_key"] != key
    await office.channel(second["api_key"]).call("GET", "catalog", "/channel")
    await postmart.call("GET", "catalog", "/channel")
    first_id = channel["keys"][0]["id"]
    after = await office.call("DELETE", "catalog", f"/channels/{channel['id']}/keys/{first_id}")
    assert [k["active"] for k in after["keys"]] == [False, True]
    problem(await office.client.get(office.urls["catalog"] + "/listings",
                                    headers={"X-API-Key": key}), 401, "api-key-invalid")
    await office.channel(second["api_key"]).call("GET", "catalog", "/listings")

    # Only the office manages channels; a channel has no account at the registry.
    problem(await shop.producers["tea"].client.post(
        office.urls["catalog"] + "/channels", json=POSTMART,
        headers=shop.producers["tea"].headers), 403)
    problem(await office.client.post(office.urls["catalog"] + "/channels", json=POSTMART), 401)
    refused = problem(await office.client.post(
        office.urls["registry"] + "/users", headers=office.headers,
        json={"username": "postmart", "password": "long-enough-pass", "role": "channel"}), 400)
    assert refused["errors"][0]["field"] == "role"
    bad = problem(await office.client.post(
        office.urls["catalog"] + "/channels", headers=office.headers,
        json=POSTMART | {"scope": {"groups": ["fish"]}, "contact_email": "nobody"}), 422)
    assert {e["field"] for e in bad["errors"]} >= {"scope.groups", "contact_email"}


async def test_a_channel_carries_only_what_the_office_allows(shop: Market) -> None:
    office, tea, wine = shop.office, shop.products["tea"], shop.products["wine"]
    channel, postmart = await register_channel(office, scope={"provinces": ["Lam Dong"]})

    listed = await postmart.call("GET", "catalog", "/listings")
    assert [i["product_id"] for i in listed["items"]] == [wine]
    everyone = await office.anonymous().call("GET", "catalog", "/listings")
    assert {i["product_id"] for i in everyone["items"]} == {tea, wine}
    await postmart.call("GET", "catalog", f"/listings/{wine}")
    problem(await office.client.get(f"{office.urls['catalog']}/listings/{tea}",
                                    headers=postmart.headers), 403, "outside-channel-scope")
    asked = await postmart.call("GET", "catalog", "/listings", params={"province": "Thái Nguyên"})
    assert asked["items"] == []
    feed = await postmart.call("GET", "catalog", "/feeds/products.csv")
    assert [r["id"] for r in csv.DictReader(io.StringIO(feed.text.lstrip("\ufeff")))] == [wine]
    changes = await postmart.call("GET", "catalog", "/listings/changes")
    assert {c["subject"] for c in changes["items"]} == {wine}

    await office.call("PUT", "catalog", f"/channels/{channel['id']}/scope",
                      json={"groups": ["food"]})
    listed = await postmart.call("GET", "catalog", "/listings")
    assert [i["product_id"] for i in listed["items"]] == [tea]


async def test_producers_record_where_a_product_is_sold(shop: Market) -> None:
    office, tea = shop.office, shop.products["tea"]
    channel, _ = await register_channel(office)
    producer = shop.producers["tea"]
    page = "https://postmart.vn/san-pham/che-bup-tan-cuong"
    listing = await producer.call("PUT", "catalog", f"/listings/{tea}/offers/{channel['id']}",
                                  json={"url": page})
    assert listing["offers"] == [{"channel_id": channel["id"], "channel_name": "Postmart",
                                  "url": page, "price": None, "availability": None}]
    assert (await office.anonymous().call("GET", "catalog", f"/listings/{tea}"))["offers"] == \
        listing["offers"]

    elsewhere = problem(await producer.client.put(
        f"{office.urls['catalog']}/listings/{tea}/offers/{channel['id']}",
        headers=producer.headers, json={"url": "https://example.com/che"}), 400, "invalid-field")
    assert elsewhere["errors"][0]["field"] == "url" and "postmart.vn" in elsewhere["detail"]
    problem(await producer.client.put(
        f"{office.urls['catalog']}/listings/{tea}/offers/{channel['id']}",
        headers=producer.headers, json={"url": "http://postmart.vn/che"}), 400, "invalid-field")
    problem(await producer.client.put(
        f"{office.urls['catalog']}/listings/{tea}/offers/no-such-channel",
        headers=producer.headers, json={"url": page}), 404)
    other = shop.producers["wine"]
    problem(await other.client.put(
        f"{office.urls['catalog']}/listings/{tea}/offers/{channel['id']}",
        headers=other.headers, json={"url": page}), 403)

    gone = await producer.call("DELETE", "catalog", f"/listings/{tea}/offers/{channel['id']}")
    assert gone["offers"] == []
    problem(await producer.client.delete(
        f"{office.urls['catalog']}/listings/{tea}/offers/{channel['id']}",
        headers=producer.headers), 409, "no-such-offer")


async def test_the_change_log_tells_every_change_and_resumes_where_it_stopped(
        shop: Market) -> None:
    office, tea, wine = shop.office, shop.products["tea"], shop.products["wine"]
    anyone = office.anonymous()
    first = await anyone.call("GET", "catalog", "/listings/changes", params={"limit": 1})
    assert len(first["items"]) == 1
    rest = await anyone.call("GET", "catalog", "/listings/changes",
                             params={"since": first["next_cursor"]})
    changes = first["items"] + rest["items"]
    published = [c for c in changes if c["type"] == "vn.ocop.catalog.listing.published.v1"]
    assert {c["subject"] for c in published} == {tea, wine}
    quiet = await anyone.call("GET", "catalog", "/listings/changes",
                              params={"since": rest["next_cursor"]})
    assert quiet == {"items": [], "next_cursor": rest["next_cursor"]}

    # Each change's data is valid against the schema its dataschema points at.
    for change in changes:
        schema = await anyone.call("GET", "catalog",
                                   change["dataschema"].removeprefix(office.urls["catalog"]))
        jsonschema_rs.validate(schema, change["data"])
    listing = published[0]["data"]
    assert listing["certificate"]["level"]["name_en"] in ("Province", "District")
    assert listing["producer"]["type"]["name_vi"] in ("Hợp tác xã", "Hộ kinh doanh có đăng ký")
    assert listing["page_url"].startswith(office.urls["catalog"] + "/products/")

    # Its producer takes the tea off the catalog: a withdrawal with its reason.
    await shop.producers["tea"].call("POST", "catalog", f"/listings/{tea}/withdrawal",
                                     expect=204)
    withdrawn = await anyone.call("GET", "catalog", "/listings/changes",
                                  params={"since": rest["next_cursor"]})
    assert [(c["type"], c["subject"]) for c in withdrawn["items"]] == [
        ("vn.ocop.catalog.listing.withdrawn.v1", tea)]
    reason = withdrawn["items"][0]["data"]["reason"]
    assert reason == {"code": "withdrawn", "name_vi": "Sản phẩm đã được rút khỏi danh mục",
                      "name_en": "The product was taken off the catalog"}
    problem(await anyone.client.get(f"{office.urls['catalog']}/listings/{tea}"), 404)
    problem(await shop.producers["tea"].client.post(
        f"{office.urls['catalog']}/listings/{tea}/withdrawal",
        headers=shop.producers["tea"].headers), 409, "not-listed")

    for forged in ("not-a-cursor", base64.urlsafe_b64encode(b"changes:-1").decode(),
                   base64.urlsafe_b64encode(b"offset:3").decode()):
        problem(await anyone.client.get(f"{office.urls['catalog']}/listings/changes",
                                        params={"since": forged}), 400, "cursor-invalid")
    future = base64.urlsafe_b64encode(b"changes:99999").decode().rstrip("=")
    problem(await anyone.client.get(f"{office.urls['catalog']}/listings/changes",
                                    params={"since": future}), 400, "cursor-ahead")


async def test_feeds_in_marketplace_formats_revalidate_by_etag(shop: Market) -> None:
    office, tea, wine = shop.office, shop.products["tea"], shop.products["wine"]
    anyone = office.anonymous()
    rss = await anyone.call("GET", "catalog", "/feeds/google.xml")
    assert rss.headers["content-type"].startswith("application/rss+xml")
    items = ET.fromstring(rss.content).findall("./channel/item")
    by_id = {i.findtext(f"{G}id"): i for i in items}
    assert set(by_id) == {tea, wine}
    wine_item = by_id[wine]
    assert wine_item.findtext("title") == "Rượu cần Lạc Dương"
    assert wine_item.findtext(f"{G}brand") == "Hộ Rượu Cần Lạc Dương"
    assert wine_item.findtext(f"{G}identifier_exists") == "no"
    assert wine_item.findtext(f"{G}custom_label_0") == "OCOP 4 sao"
    assert wine_item.findtext(f"{G}product_type") == "OCOP > Đồ uống > Đồ uống có cồn khác"
    assert wine_item.findtext("link") == f"{office.urls['catalog']}/products/{wine}"

    for extension, delimiter, media in (("csv", ",", "text/csv"),
                                        ("tsv", "\t", "text/tab-separated-values")):
        sheet = await anyone.call("GET", "catalog", f"/feeds/products.{extension}")
        assert sheet.headers["content-type"].startswith(media)
        assert sheet.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(sheet.text.lstrip("\ufeff")), delimiter=delimiter))
        assert rows[0] == list(FIELDS)
        assert {r[0] for r in rows[1:]} == {tea, wine}

    sitemap = ET.fromstring((await anyone.call("GET", "catalog", "/sitemap.xml")).content)
    locs = {u.findtext(f"{{{SITEMAP_NS}}}loc") for u in sitemap}
    assert {f"{office.urls['catalog']}/products/{p}" for p in (tea, wine)} <= locs

    # Unchanged: 304 without a body; a change makes a new ETag.
    etag = rss.headers["etag"]
    assert rss.headers["last-modified"].endswith("GMT")
    assert rss.headers["cache-control"].startswith("public, max-age=")
    again = await anyone.client.get(f"{office.urls['catalog']}/feeds/google.xml",
                                    headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    await shop.producers["wine"].call("POST", "catalog", f"/listings/{wine}/withdrawal",
                                      expect=204)
    changed = await anyone.client.get(f"{office.urls['catalog']}/feeds/google.xml",
                                      headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert [i.findtext(f"{G}id") for i in ET.fromstring(changed.content).iter("item")] == [tea]


async def test_a_listing_is_cacheable_and_readable_from_any_web_page(shop: Market) -> None:
    office, tea = shop.office, shop.products["tea"]
    url = f"{office.urls['catalog']}/listings/{tea}"
    read = await office.client.get(url, headers={"Origin": "https://shop.example"})
    assert read.headers["access-control-allow-origin"] == "*"
    assert read.headers["cache-control"].startswith("public, max-age=")
    assert (await office.client.get(url, headers={"If-None-Match": read.headers["etag"]})
            ).status_code == 304
    _, postmart = await register_channel(office)
    keyed = await office.client.get(url, headers=postmart.headers)
    assert keyed.headers["cache-control"].startswith("private")
    assert "X-API-Key" in keyed.headers["vary"]
    preflight = await office.client.options(url, headers={
        "Origin": "https://shop.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-api-key"})
    assert preflight.status_code == 200
    assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
    writes = await office.client.options(f"{url}/withdrawal", headers={
        "Origin": "https://shop.example", "Access-Control-Request-Method": "POST"})
    assert writes.status_code == 400  # no cross-origin writes


async def test_the_scan_page_and_the_annual_summary_say_where_products_are_sold(
        shop: Market) -> None:
    office, tea = shop.office, shop.products["tea"]
    postmart, _ = await register_channel(office)
    hue, _ = await register_channel(office, name="Sàn Huế", website="https://sanhue.vn")
    producer = shop.producers["tea"]
    for channel, page in ((postmart, "https://postmart.vn/che"), (hue, "https://sanhue.vn/che")):
        listing = await producer.call("PUT", "catalog",
                                      f"/listings/{tea}/offers/{channel['id']}",
                                      json={"url": page})
    scan_url = listing["scan_url"] + "?format=json"
    anyone = office.anonymous()

    async def shown() -> list[dict[str, str]]:
        scan = await anyone.client.get(scan_url)
        return list(scan.json()["where_to_buy"])

    await wait_until(lambda: _equal(shown(), [
        {"channel_name": "Postmart", "url": "https://postmart.vn/che"},
        {"channel_name": "Sàn Huế", "url": "https://sanhue.vn/che"}]))
    html = (await anyone.client.get(listing["scan_url"], follow_redirects=True)).text
    assert "Nơi bán trực tuyến" in html and "https://sanhue.vn/che" in html

    summary_path = f"/summaries/{today().year}"
    summary = await office.call("GET", "rating", summary_path,
                                params={"province": "Thái Nguyên"})
    assert summary["on_sale"]["by_channel"] == [
        {"channel_id": postmart["id"], "channel_name": "Postmart", "products": 1,
         "subjects": 1},
        {"channel_id": hue["id"], "channel_name": "Sàn Huế", "products": 1, "subjects": 1}]
    rows = (await office.call("GET", "rating", summary_path, params={
        "province": "Thái Nguyên", "format": "csv"})).text.splitlines()
    assert f"on_sale,{postmart['id']},Postmart,Postmart,1,1" in rows

    # Off the catalog: no longer offered anywhere, on the scan page or in the figures.
    await producer.call("POST", "catalog", f"/listings/{tea}/withdrawal", expect=204)
    await wait_until(lambda: _equal(shown(), []))
    summary = await office.call("GET", "rating", summary_path,
                                params={"province": "Thái Nguyên"})
    assert summary["on_sale"]["by_channel"] == []


async def _equal(value: Awaitable[object], expected: object) -> bool:
    return await value == expected
