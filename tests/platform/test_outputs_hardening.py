"""What the platform writes out is safe to open: spreadsheets hold what people typed as text,
never as a formula; uploaded documents are files to save, sandboxed, never pages of the
platform; public batch views name no account; webhooks cannot be pointed at the platform's
own machine however its address is spelt; HTTPS answers carry HSTS; and each service's
OpenAPI document asks for credentials exactly where its routes check them.

The whole platform really served over HTTP (embedded defaults; S3 on SeaweedFS where said).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from services.catalog.access import RULES as CATALOG
from services.rating.access import RULES as RATING
from services.registry.access import RULES as REGISTRY
from services.traceability.access import RULES as TRACEABILITY
from shared.files.tables import FORMULA_STARTS
from shared.identity.access import PLATFORM_RULES, Party
from shared.platform.config import SERVICES, Settings
from shared.ports.objects import open_object_store
from tests.support.batches import batch_body, harvest
from tests.support.clocks import today
from tests.support.demo import wait_until
from tests.support.platform import (
    User,
    certified_product,
    office_signed_in,
    registered,
    running_platform,
)
from tests.support.refusals import problem
from tests.support.workspace import serving_workspace

PASSWORD = "outputs-pass"
GTIN = "08934563138165"
PRODUCT = '=HYPERLINK("http://attacker.example","Bấm vào đây")'
SUBJECT = "+cmd|' /C calc'!A0 HTX"
PRODUCER = "nsx-tan-cuong-07"
"""The producer's username: no public answer may carry it."""
SCRIPTED_PDF = (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript "
                b"/JS (app.alert(document.domain)) >> >>\nendobj\n%%EOF\n")
"""A PDF that runs script when a viewer opens it (its OpenAction)."""


@dataclass
class Shop:
    settings: Settings
    office: User
    producer: User
    product_id: str
    dossier_document_id: str


@asynccontextmanager
async def opened_shop(settings: Settings) -> AsyncIterator[Shop]:
    """A subject named like a formula, its producer ``PRODUCER``, and its product certified
    a month ago, then renamed by the office to a formula (``PRODUCT``)."""
    days_ago = (today() - timedelta(days=30)).isoformat()
    async with office_signed_in(settings, PASSWORD) as office:
        subject = await office.call("POST", "registry", "/subjects", expect=201, json={
            "type": "cooperative", "name": SUBJECT, "code": "0100109106",
            "province": "Thái Nguyên", "commune": "Xã Tân Cương",
            **registered(days_ago, district="Đại Từ")})
        for username, role in ((PRODUCER, "producer"), ("member", "council_member")):
            await office.call("POST", "registry", "/users", expect=201, json={
                "username": username, "password": PASSWORD, "role": role,
                **({"subject_id": subject["id"]} if role == "producer" else {})})
        producer = await office.anonymous().sign_in(PRODUCER, PASSWORD)
        member = await office.anonymous().sign_in("member", PASSWORD)
        records = await certified_product(office, member, producer, subject["id"], days_ago,
                                          GTIN)
        product_id = records["product_id"]
        await office.call("PATCH", "registry", f"/products/{product_id}",
                          json={"name": PRODUCT})

        for service, path in (("catalog", f"/listings/{product_id}"),
                              ("rating", f"/summaries/{today().year}?province=Thái+Nguyên"
                                         "&expiring_within_months=36")):
            await wait_until(partial(_shows, office, service, path, PRODUCT), interval=0.05)
        yield Shop(settings, office, producer, product_id, records["document_id"])


async def _shows(user: User, service: str, path: str, value: str) -> bool:
    """Whether the JSON at ``path`` holds the string ``value``."""
    response = await user.client.get(user.urls[service] + path, headers=user.headers)
    return json.dumps(value, ensure_ascii=False) in response.text


@pytest.fixture
async def shop(make_settings: Callable[..., Settings]) -> AsyncIterator[Shop]:
    async with opened_shop(make_settings()) as opened:
        yield opened


# --- 1. spreadsheets -------------------------------------------------------------------

def _no_live_formula(rows: list[list[Any]], where: str) -> set[str]:
    """The text cells of ``rows``, after checking none would open as a formula."""
    texts = {cell for row in rows for cell in row if isinstance(cell, str)}
    live = [cell for cell in texts if cell.startswith(FORMULA_STARTS)]
    assert not live, (where, live)
    return texts


async def test_every_spreadsheet_holds_typed_formulas_as_text(shop: Shop) -> None:
    office, anyone = shop.office, shop.office.anonymous()
    year = f"/summaries/{today().year}"
    params = {"province": "Thái Nguyên", "expiring_within_months": 36}
    tables = {
        "feed csv": (await anyone.call("GET", "catalog", "/feeds/products.csv")).text,
        "feed tsv": (await anyone.call("GET", "catalog", "/feeds/products.tsv")).text,
        "summary csv": (await office.call("GET", "rating", year,
                                          params=params | {"format": "csv"})).text}
    for where, text in tables.items():
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")),
                               delimiter="\t" if "tsv" in where else ","))
        cells = _no_live_formula(rows, where)
        assert {"'" + PRODUCT, "'" + SUBJECT} <= cells, (where, text)
    xlsx = await office.call("GET", "rating", year, params=params | {"format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    for sheet in book.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        cells = _no_live_formula(rows, f"xlsx {sheet.title}")
        if sheet.title == "Sắp hết hạn":
            assert {"'" + PRODUCT, "'" + SUBJECT} <= cells, rows
    numbers = [c for s in book.worksheets for row in s.iter_rows() for c in row
               if isinstance(c.value, int)]
    assert numbers and all(c.data_type == "n" for c in numbers)  # counts stay numbers


# --- 2. uploaded documents -------------------------------------------------------------

def _sandboxed_attachment(response: httpx.Response, name: str) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = [p.strip() for p in response.headers["content-security-policy"].split(";")]
    assert "sandbox" in policy, policy


@pytest.mark.parametrize("objects", ["file", "s3"])
async def test_uploaded_documents_are_sandboxed_attachments_however_served(
        objects: str, make_settings: Callable[..., Settings],
        request: pytest.FixtureRequest) -> None:
    settings = make_settings(**({"objects_url": request.getfixturevalue("s3_bucket_url")}
                                if objects == "s3" else {}))
    async with opened_shop(settings) as shop:
        filed = await shop.producer.call(
            "POST", "traceability", f"/products/{shop.product_id}/origin-documents",
            expect=201, content=SCRIPTED_PDF, params={"kind": "lab_report", "title": "Phiếu"},
            headers={"Content-Type": "application/pdf"})
        name = f"{filed['id']}.pdf"
        # Through the service: the public URL a lab-test event cites, and the dossier's.
        _sandboxed_attachment(await shop.office.anonymous().client.get(filed["url"]), name)
        dossier = await shop.producer.call(
            "GET", "registry",
            f"/products/{shop.product_id}/documents/{shop.dossier_document_id}")
        _sandboxed_attachment(dossier, f"{shop.dossier_document_id}.pdf")
        # The object store's own link: a signed one served by the service (file://), or
        # S3's presigned URL, which serves the object's stored Content-Disposition.
        store = open_object_store(settings.objects_url_resolved(), max_bytes=1 << 20,
                                  public_url=shop.office.urls["traceability"],
                                  signing_key=None, data_dir=settings.data_dir)
        await store.start()
        # Where filing keeps it: named by its digest (shared.files.content), as is the file
        # the link saves.
        kept = f"{filed['sha256']}.pdf"
        key = f"origin-documents/{shop.product_id}/{kept}"
        direct = await shop.office.client.get(await store.url(key))
        assert direct.content == SCRIPTED_PDF
        assert direct.headers["content-disposition"] == f'attachment; filename="{kept}"'
        if objects == "file":
            _sandboxed_attachment(direct, kept)
        await store.close()


# --- 3. public batch views -------------------------------------------------------------

async def test_public_batch_views_do_not_name_who_opened_the_batch(shop: Shop) -> None:
    produced = today() - timedelta(days=3)
    batch = await shop.producer.call("POST", "traceability",
                                     f"/products/{shop.product_id}/batches", expect=201,
                                     json=batch_body("TC-7", produced))
    assert batch["opened_by"] == PRODUCER  # the producer's own answer may say so
    await shop.producer.call("POST", "traceability", f"/batches/{batch['id']}/events",
                             expect=201, json=harvest(produced))
    anyone = shop.office.anonymous()
    seen = {}
    for path, params, accept in (
            (f"/batches/{batch['id']}", {}, "application/json"),
            (f"/products/{shop.product_id}/batches", {}, "application/json"),
            (f"/batches/{batch['id']}/verify", {}, "application/json"),
            ("/epcis/events", {"batch": batch["id"]}, "application/json"),
            (f"/products/{shop.product_id}/origin-documents", {}, "application/json"),
            (f"/01/{GTIN}/10/TC-7", {}, "application/json"),
            (f"/01/{GTIN}/10/TC-7", {"format": "json"}, "*/*"),
            (f"/01/{GTIN}/10/TC-7", {}, "text/html")):
        response = await anyone.client.get(anyone.urls["traceability"] + path, params=params,
                                           headers={"Accept": accept},
                                           follow_redirects=True)  # HTML: to the page
        assert response.status_code == 200, (path, response.text)
        seen[(path, accept)] = PRODUCER in response.text
    assert not any(seen.values()), seen


# --- 4. webhook addresses --------------------------------------------------------------

SPELLINGS_OF_THIS_MACHINE = (
    "https://localhost.:8443/hook", "https://LOCALHOST/hook", "https://127.1/hook",
    "https://0x7f.1/hook", "https://[::ffff:127.0.0.1]/hook", "https://0.0.0.0/hook",
    "https://2130706433/hook", "https://0177.0.0.1/hook", "https://[64:ff9b::7f00:1]/hook",
    "https://[2002:7f00:1::]/hook", "https://ｌｏｃａｌｈｏｓｔ/hook")


async def test_a_webhook_to_this_machine_is_refused_however_its_address_is_spelt(
        shop: Shop) -> None:
    channel = await shop.office.call("POST", "catalog", "/channels", expect=201, json={
        "name": "Postmart", "website": "https://postmart.vn",
        "contact_name": "Bộ phận đối tác", "contact_email": "doitac@postmart.vn"})
    hooked = shop.office.channel(channel["api_key"])
    accepted = []
    for url in SPELLINGS_OF_THIS_MACHINE:
        response = await hooked.client.post(
            hooked.urls["catalog"] + "/channel/webhooks", headers=hooked.headers,
            json={"url": url, "event_types": ["vn.ocop.catalog.listing.published.v1"]})
        if response.status_code != 400:
            accepted.append((url, response.status_code))
            continue
        body = problem(response, 400, "invalid-field")
        assert "public internet address" in body["detail"] and body["detail_vi"], body
        assert body["errors"][0]["field"] == "url"
    assert not accepted, accepted
    listed = await hooked.call("GET", "catalog", "/channel/webhooks")
    assert listed == []


# --- 5. HSTS ---------------------------------------------------------------------------

async def test_hsts_is_sent_over_https_only(make_settings: Callable[..., Settings]) -> None:
    """Behind a TLS proxy (this test's own loopback address, configured as a trusted
    proxy), ``X-Forwarded-Proto: https`` makes the request HTTPS."""
    settings = make_settings(trusted_proxies=["127.0.0.1"])
    async with running_platform(settings, shared_bus=True) as platform, \
            serving_workspace(settings, platform.urls) as web, \
            httpx.AsyncClient(timeout=30) as client:
        for url in [*platform.urls.values(), web]:
            secure = await client.get(url + "/healthz", headers={"X-Forwarded-Proto": "https"})
            assert secure.headers["strict-transport-security"] == "max-age=31536000", url
            plain = await client.get(url + "/healthz")
            assert "strict-transport-security" not in plain.headers, url


# --- 6. OpenAPI security ---------------------------------------------------------------

TABLES = {"registry": REGISTRY, "rating": RATING, "traceability": TRACEABILITY,
          "catalog": CATALOG}
PATH_VALUES = {"year": "2025", "kind": "png", "extension": "csv", "gtin": GTIN}
"""Path parameters that must have a certain form; any other is given "x"."""


def _expected_schemes(parties: frozenset[Party]) -> set[str]:
    """The security schemes that can show a caller to be one of ``parties``."""
    if parties & {Party.ANYONE, Party.LINK_HOLDER}:
        return set()
    return ({"channel_api_key"} if Party.CHANNEL in parties else set()) | (
        {"HTTPBearer"} if parties - {Party.CHANNEL} else set())


async def test_openapi_asks_for_credentials_exactly_where_routes_check_them(
        make_settings: Callable[..., Settings]) -> None:
    mismatches, operations = [], 0
    async with running_platform(make_settings(), shared_bus=True) as platform, \
            httpx.AsyncClient(timeout=30) as client:
        for service in SERVICES:
            table = {**PLATFORM_RULES, **TABLES[service]}
            spec = (await client.get(platform.urls[service] + "/openapi.json")).json()
            for template, methods in spec["paths"].items():
                for method, operation in methods.items():
                    operations += 1
                    where = f"{service} {method.upper()} {template}"
                    parties = table[operation["x-access"]["rule"]]
                    security = operation.get("security", [])
                    required = bool(security) and {} not in security
                    expected = _expected_schemes(parties)
                    if required != bool(expected) or (
                            required and {n for need in security for n in need} != expected):
                        mismatches.append(f"{where}: security {security}, rule "
                                          f"{sorted(parties)}")
                    url = platform.urls[service] + template.format(**{
                        name: PATH_VALUES.get(name, "x")
                        for name in re.findall(r"{(\w+)", template)})
                    answer = await client.request(method, url,
                                                  **({} if method == "get" else {"json": []}))
                    if required and answer.status_code != 401:
                        mismatches.append(f"{where}: needs a credential, yet answers "
                                          f"{answer.status_code} without one")
                    if not required and answer.status_code == 401:
                        mismatches.append(f"{where}: asks no credential, yet answers 401")
    assert not mismatches, "\n".join(mismatches)
    assert operations > 100
