"""Pages a browser kept are whole on the next visit, in Chromium: the scan page reloaded is
styled and shows its photo, and every public page stays whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Request

from tests.platform.test_second_visit import GTIN, LOT, Site, site
from tests.support.browser import PHONE, chromium, screenshot_path


async def test_the_scan_page_reloaded_in_a_browser_is_styled_and_shows_its_photo(
        site: Site, tmp_path: Path) -> None:
    # The batch's page (its Digital Link, /01/{GTIN}/10/{LOT}, redirects there).
    url = f"{site.urls['traceability']}/p/{site.product_id}/10/{LOT}"
    async with chromium() as browser:
        page = await browser.new_page(**PHONE)
        sent: list[dict[str, str]] = []

        async def record(request: Request) -> None:
            if request.url == url:
                sent.append(await request.all_headers())

        page.on("request", record)
        for visit in ("first", "second"):
            if visit == "first":
                await page.goto(url)
            else:
                await page.reload()
            photo = page.get_by_role("img", name="Chè búp Tân Cương")
            await photo.wait_for()
            await page.wait_for_function("document.querySelector('img').complete")
            await page.screenshot(path=screenshot_path(tmp_path, f"scan-page-{visit}-visit"),
                                  full_page=True)
            styled = await page.evaluate(
                "() => [getComputedStyle(document.body).maxWidth,"
                " getComputedStyle(document.querySelector('.state')).backgroundColor]")
            assert styled == ["576px", "rgb(231, 245, 233)"], (visit, styled)
            assert await photo.evaluate("img => img.naturalWidth") > 0, visit
        assert ["if-none-match" in headers for headers in sent] == [False, True], sent


WATCH_POLICY = """
window.__blocked = [];
document.addEventListener('securitypolicyviolation',
    e => window.__blocked.push(e.violatedDirective + ' ' + e.blockedURI));
"""


WHOLE = """async () => {
    // Images below a phone's fold load lazily, after the page's load event: ask for them
    // now and wait for each to load or fail.
    for (const image of document.images) image.loading = 'eager';
    await Promise.all([...document.images].map(image => image.complete ? null :
        new Promise(done => { image.onload = done; image.onerror = done; })));
    return {
        blocked: window.__blocked,
        sheets: [...document.styleSheets].map(s => s.cssRules.length),
        images: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))
                                     .map(i => i.currentSrc || i.src),
    };
}"""


def public_pages(site: Site) -> dict[str, str]:
    """Every public page a shopper or a producer opens, by name."""
    scan = f"{site.urls['traceability']}/01/{GTIN}"
    return {"scan": scan, "batch": f"{scan}/10/{LOT}",
            "product-without-gtin": f"{site.urls['traceability']}/p/{site.product_id}",
            "certificate": f"{site.urls['rating']}/verify/{site.certificate_id}",
            "catalog": f"{site.urls['catalog']}/",
            "catalog-product": f"{site.urls['catalog']}/products/{site.product_id}",
            "workspace-sign-in": f"{site.urls['web']}/sign-in"}


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_every_public_page_is_whole_on_every_visit(site: Site, tmp_path: Path,
                                                         lang: str) -> None:
    """First visit, a reload, and a visit again from another page, at phone size: no style or
    image blocked by the page's policy, every stylesheet applied, every image loaded."""
    broken = []
    async with chromium() as browser:
        context = await browser.new_context(**PHONE, locale="en-US" if lang == "en" else "vi-VN")
        await context.add_init_script(WATCH_POLICY)
        page = await context.new_page()
        for name, url in public_pages(site).items():
            url = f"{url}{'&' if '?' in url else '?'}lang={lang}"
            for visit in ("first", "reload", "again"):
                if visit == "reload":
                    await page.reload(wait_until="load")
                else:
                    if visit == "again":
                        await page.goto("about:blank")
                    response = await page.goto(url, wait_until="load")
                    assert response is not None and response.ok, (name, visit)
                state = await page.evaluate(WHOLE)
                if state["blocked"] or not state["sheets"] or 0 in state["sheets"] \
                        or state["images"]:
                    broken.append(f"{name} ({lang}, {visit}): {state}")
            await page.screenshot(path=screenshot_path(tmp_path, f"{name}-{lang}-again"),
                                  full_page=True)
        await context.close()
    assert not broken, "\n".join(broken)
