"""A page or file a browser kept is still whole on the next visit: a revalidation answered
``304 Not Modified`` carries the security headers of the resource's own 200 — a browser
merges the 304's headers into what it kept, so a 304 with the JSON APIs' policy left the
reloaded scan page unstyled and its photo blocked.

Every kind of cached page and file of every service, over HTTP; and the scan page reloaded
in a real Chromium. The whole platform and the producers' workspace, really served."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from shared.platform.config import Settings
from tests.support.batches import batch_body, harvest
from tests.support.clocks import today
from tests.support.platform import certified_batch
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace

PASSWORD = "second-visit-pass"
GTIN = "08934563138165"
LOT = "TC-9"
SECURITY = ("content-security-policy", "x-content-type-options", "x-frame-options",
            "referrer-policy", "cross-origin-opener-policy")


@dataclass
class Site:
    urls: dict[str, str]
    """Each service's, and the workspace's (``web``)."""
    product_id: str
    image_id: str
    certificate_id: str
    batch_id: str


@pytest.fixture
async def site(make_settings: Callable[..., Settings]) -> AsyncIterator[Site]:
    """A certified product with its photo and a batch with its harvest recorded."""
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        produced = today() - timedelta(days=3)
        made = await certified_batch(office, PASSWORD, GTIN, batch_body(LOT, produced))
        coop, records, batch = made.coop, made.records, made.batch
        await coop.producer.call("POST", "traceability", f"/batches/{batch['id']}/events",
                                 expect=201, json=harvest(produced))
        async with serving_workspace(settings, office.urls) as web:
            yield Site(office.urls | {"web": web}, records["product_id"], records["image_id"],
                       records["certificate_id"], batch["id"])


def cached_resources(site: Site) -> list[tuple[str, str, str]]:
    """(service, path, Accept) of what browsers keep and revalidate, service by service."""
    product, scan = site.product_id, f"/01/{GTIN}"
    html, json, anything = "text/html", "application/json", "*/*"
    page = f"/p/{product}"  # a Digital Link's HTML answer redirects to its page
    return [
        ("traceability", page, html), ("traceability", f"{page}/10/{LOT}", html),
        ("traceability", f"{scan}/10/{LOT}", json), ("traceability", f"/p/{product}", json),
        ("traceability", f"/labels/{product}/qr.png", anything),
        ("traceability", f"/batches/{site.batch_id}/qr.svg", anything),
        ("rating", f"/verify/{site.certificate_id}", html),
        ("rating", f"/certificates/{site.certificate_id}/pdf", anything),
        ("catalog", "/", html), ("catalog", f"/products/{product}", html),
        ("catalog", f"/listings/{product}", json), ("catalog", "/feeds/products.csv", anything),
        ("registry", f"/products/{product}/images/{site.image_id}?w=480", anything),
        ("web", "/sign-in", html), ("web", "/static/app.css", anything),
        ("web", "/static/icon-192.png", anything), ("web", "/sw.js", anything),
        *((service, "/docs", html) for service in ("registry", "rating", "traceability",
                                                     "catalog"))]


async def test_a_revalidation_carries_the_security_headers_of_the_resources_200(
        site: Site) -> None:
    mismatches, revalidated = [], []
    async with httpx.AsyncClient(timeout=30) as client:
        resources = cached_resources(site)
        docs = await client.get(site.urls["catalog"] + "/docs")
        resources += [("catalog", path, "*/*")  # Swagger UI's own files
                      for path in re.findall(r'(?:src|href)="(/static-offline-docs/[^"]+)"',
                                             docs.text)]
        for service, path, accept in resources:
            url = site.urls[service] + path
            first = await client.get(url, headers={"Accept": accept})
            assert first.status_code == 200, (url, first.status_code)
            validators = {"If-None-Match": first.headers["etag"]} if "etag" in first.headers \
                else {"If-Modified-Since": first.headers["last-modified"]} \
                if "last-modified" in first.headers else {}
            again = await client.get(url, headers={"Accept": accept} | validators)
            if validators:  # kept with a validator: the browser's copy is still current
                if again.status_code != 304:
                    mismatches.append(f"{url}: {again.status_code} to {validators}")
                    continue
                revalidated.append(path)
            differing = {name: (first.headers.get(name), again.headers.get(name))
                         for name in SECURITY
                         if first.headers.get(name) != again.headers.get(name)}
            if differing:
                mismatches.append(f"{url} ({accept}), {again.status_code}: {differing}")
    assert not mismatches, "\n".join(mismatches)
    # The scan and batch pages, the catalog's product page and listing, the feed, the
    # workspace's static files and Swagger UI's, at least, are revalidated.
    assert {f"/p/{site.product_id}", f"/p/{site.product_id}/10/{LOT}",
            f"/01/{GTIN}/10/{LOT}", f"/products/{site.product_id}",
            f"/listings/{site.product_id}", "/feeds/products.csv", "/static/app.css",
            "/sw.js"} <= set(revalidated), revalidated


