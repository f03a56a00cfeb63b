"""The scan URLs as a GS1-Conformant resolver, behaviour by behaviour over HTTP (GS1's own
suite judges them in ``test_gs1_resolver_suite.py``): CORS and OPTIONS, HEAD, the linkset
(``linkType=linkset``, ``all``, ``Accept``) with its JSON-LD context, a link by its type and
404 for a type the code has not, the default link (the scan page, the query string passed
on), a trailing slash, key qualifiers in any order, and an unknown lot or serial walking up
to the GTIN while it is still counted as a forged code's evidence; a compressed Digital
Link resolved as the link it compresses.

The whole platform on its embedded defaults, really served over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from shared.platform.config import Settings
from tests.platform.test_scan_analytics import PHONES
from tests.platform.test_scan_counting import anomalies, printed
from tests.support.batches import GTIN
from tests.support.demo import wait_until

LOT = "TC-31"
VOC = "https://gs1.org/voc/"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_the_resolver_answers_as_the_gs1_standard_says(
        make_settings: Callable[..., Settings]) -> None:
    async with printed(make_settings(allow_private_scan_url=True)) as world:
        anyone = world.office.anonymous()
        base = anyone.urls["traceability"]
        get = anyone.client.get
        gtin, lot = f"{base}/01/{GTIN}", f"{base}/01/{GTIN}/10/{LOT}"
        page = f"{base}/p/{world.product_id}"

        # CORS on every answer, OPTIONS (the pre-flight) and HEAD.
        for url in (gtin, lot, f"{base}/01/{GTIN}/10/NOPE-1", f"{base}/01/08934563138166",
                    f"{base}/.well-known/gs1resolver"):
            options = await anyone.client.options(url, headers={
                "Origin": "https://ref.gs1.org", "Access-Control-Request-Method": "GET"})
            assert options.status_code == 204, (url, options.status_code)
            assert options.headers["access-control-allow-origin"] == "*"
            assert set(options.headers["access-control-allow-methods"].split(", ")) == {
                "GET", "HEAD", "OPTIONS"}
            answer = await get(url, headers={"Origin": "https://ref.gs1.org"})
            assert answer.headers["access-control-allow-origin"] == "*", url
        options = await anyone.client.options(lot)
        assert options.headers["link"] == (f'<{gtin}?linkType=linkset>; rel="linkset"; '
                                           'type="application/linkset+json"')
        head = await anyone.client.head(gtin)
        assert head.status_code == 307 and head.content == b""
        assert head.headers["location"] == page

        # The linkset: linkType=linkset, its former name all, or Accept; never a redirect.
        for asked in ({"params": {"linkType": "linkset"}}, {"params": {"linkType": "all"}},
                      {"headers": {"Accept": "application/linkset+json"}}):
            answer = await get(lot, **asked)  # type: ignore[arg-type]
            assert answer.status_code == 200, asked
            assert answer.headers["content-type"] == "application/linkset+json"
            assert answer.headers["link"] == (
                '<https://ref.gs1.org/standards/resolver/linkset-context>; '
                'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"')
            [entry] = answer.json()["linkset"]
            assert entry["anchor"] == lot and entry["itemDescription"] == "Chè búp Tân Cương"
            assert entry[VOC + "defaultLink"][0]["href"] == f"{page}/10/{LOT}"
            assert entry[VOC + "defaultLink"] == entry[VOC + "pip"]
            assert set(entry) == {"anchor", "itemDescription", *(VOC + t for t in (
                "defaultLink", "pip", "certificationInfo", "traceability"))}

        # A link by its type (CURIE or URI, the query string passed on); 404 for a type
        # the code has no link of, with the problem naming the linkset.
        certificate = entry[VOC + "certificationInfo"][0]["href"]
        for link_type in ("gs1:certificationInfo", VOC + "certificationInfo",
                          "https://ref.gs1.org/voc/certificationInfo"):
            redirect = await get(lot, params={"linkType": link_type, "utm_source": "qr"})
            assert redirect.status_code == 307, link_type
            assert redirect.headers["location"] == f"{certificate}?utm_source=qr"
        for missing in ("gs1:recipeInfo", "gs1:nosuchlt", "https://example.org/x"):
            refused = await get(lot, params={"linkType": missing})
            assert refused.status_code == 404, missing
            problem = refused.json()
            assert problem["type"].endswith("/no-such-link-type")
            assert missing in problem["detail"] and problem["linkset"] == (
                f"{lot}?linkType=linkset")
            assert refused.headers["access-control-allow-origin"] == "*"

        # The default link: a redirect to the scan page, every key=value passed on (the
        # language too); the page's JSON is still answered in place when asked for.
        redirect = await get(gtin, params={"lang": "en", "foo": "bar"}, headers=BROWSER)
        assert redirect.status_code == 307
        assert redirect.headers["location"] == f"{page}?lang=en&foo=bar"
        assert 'rel="linkset"' in redirect.headers["link"]
        shown = await get(redirect.headers["location"], headers=BROWSER)
        assert shown.status_code == 200 and "Chè búp Tân Cương" in shown.text
        as_json = await get(gtin, headers={"Accept": "application/json"})
        assert as_json.status_code == 200 and as_json.json()["gtin"] == GTIN
        assert (await get(lot, params={"linkType": "gs1:defaultLink"})).headers[
            "location"] == f"{page}/10/{LOT}"

        # A trailing slash changes nothing; key qualifiers in any order, a variant (22)
        # accepted; a qualifier twice or an unknown one is malformed.
        serial = world.serials[0]
        unit_page = f"{page}/10/{LOT}/21/{serial}"
        for path in (f"/01/{GTIN}/", f"/01/{GTIN}/10/{LOT}/", f"/01/{GTIN}/21/{serial}",
                     f"/01/{GTIN}/10/{LOT}/21/{serial}", f"/01/{GTIN}/21/{serial}/10/{LOT}",
                     f"/01/{GTIN}/22/V1/10/{LOT}/21/{serial}/"):
            redirect = await get(base + path)
            assert redirect.status_code == 307, path
            expected = (page if path.count("/") <= 3 else
                        f"{page}/10/{LOT}" if "21" not in path.split("/") else unit_page)
            assert redirect.headers["location"] == expected, path
        for malformed in (f"/01/{GTIN}/10/A/10/B", f"/01/{GTIN}/99/x",
                          f"/01/{GTIN}/10/{'L' * 21}"):
            assert (await get(base + malformed)).status_code == 400, malformed

        # A compressed Digital Link (GS1's compression; these made by GS1's toolkit,
        # tests/unit/test_gs1_compression.py) resolves as the link it compresses.
        for segment, expected in (("ARBAeuyU6g", page), ("CxBAeuyU6sqYX2-o", f"{page}/10/{LOT}"),
                                  ("ARBAeuyU6iDKmF9vq", f"{page}/10/{LOT}")):
            redirect = await get(f"{base}/{segment}", params={"lang": "en"})
            assert redirect.status_code == 307, segment
            assert redirect.headers["location"] == f"{expected}?lang=en"
            assert redirect.headers["access-control-allow-origin"] == "*"
        linkset = (await get(f"{base}/CxBAeuyU6sqYX2-o", params={"linkType": "linkset"})).json()
        assert linkset["linkset"][0]["anchor"] == lot
        assert (await anyone.client.options(f"{base}/CxBAeuyU6sqYX2-o")).status_code == 204
        # Any other single segment is not found, and the service's own paths still answer.
        assert (await get(f"{base}/nothing-here")).status_code == 404
        assert (await get(f"{base}/ARBAeuyU6iDKmF9v")).status_code == 404  # cut short
        assert (await get(f"{base}/anomalies")).status_code == 401
        assert (await get(f"{base}/healthz")).status_code == 200

        # An unknown lot or serial walks up to the GTIN: its linkset and links are the
        # GTIN's, its default link is its own page, which warns the shopper as before and
        # counts it as a forged code.
        for phone, unknown in zip(PHONES, (f"/01/{GTIN}/10/NOPE-9",
                                           f"/01/{GTIN}/10/{LOT}/21/FAKE00000001"), strict=False):
            linkset = await get(base + unknown, params={"linkType": "linkset"})
            assert linkset.status_code == 200
            [walked] = linkset.json()["linkset"]
            assert walked["anchor"] == gtin and walked[VOC + "pip"][0]["href"] == page
            to_certificate = await get(base + unknown,
                                       params={"linkType": "gs1:certificationInfo"})
            assert to_certificate.headers["location"] == certificate
            redirect = await get(base + unknown)
            assert redirect.status_code == 307
            target = redirect.headers["location"]
            assert target.startswith(f"{page}/"), target
            # (one client's made-up codes count once a while: another phone each)
            warning = await get(target, headers=BROWSER | {"User-Agent": phone})
            assert warning.status_code == 404 and "Cảnh báo" in warning.text

        async def both_reported() -> bool:
            return {a["kind"] for a in await anomalies(world)} == {"unknown_lot",
                                                                   "unknown_serial"}

        await wait_until(both_reported)


async def test_the_resolver_counts_the_scan_once_on_the_page_it_leads_to(
        make_settings: Callable[..., Settings]) -> None:
    async with printed(make_settings(allow_private_scan_url=True)) as world:
        anyone = world.office.anonymous()
        base = anyone.urls["traceability"]
        lot = f"{base}/01/{GTIN}/10/{quote(LOT, safe='')}"
        for _ in range(3):  # the redirect is kept in memory after the first: still no count
            redirect = await anyone.client.get(lot, headers={"User-Agent": PHONES[0]})
            assert redirect.status_code == 307
        opened = await anyone.client.get(lot, headers={"User-Agent": PHONES[1]},
                                         follow_redirects=True)
        assert opened.status_code == 200 and str(opened.url).endswith(f"/10/{LOT}")
        report = await world.producer.call("GET", "traceability",
                                           f"/products/{world.product_id}/scans")
        assert report["total"]["scans"] == 1, report["total"]
