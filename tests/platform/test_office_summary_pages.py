"""The office's annual summary and counterfeit dashboard over plain HTTP: two certified
products in two communes drawn as charts with their figures in tables, the XLSX and PDF
downloaded through the front, a year with nothing saying so, a producer sent home, and a
made-up code's counterfeit signal listed. The platform on its embedded defaults."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import quote

import httpx
import openpyxl

from shared.platform.config import Settings
from tests.platform.test_workspace_http import session_of, sign_in
from tests.support.batches import GTIN, PASSWORD, batch_body
from tests.support.clocks import today
from tests.support.platform import certified_batch, certified_product, registered
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace

OTHER_GTIN = "08934563138202"
PROVINCE = quote("Thái Nguyên")


def commune_row(page: str, commune: str) -> list[str]:
    """The figures of a commune's row in the chart's table: 3★, 4★, 5★, products."""
    found = re.search(rf"<tr><td>{commune}</td>(.*?)</tr>", page)
    assert found, f"{commune} is not in the table"
    return re.findall(r'<td class="num"[^>]*>([^<]*)</td>', found.group(1))


async def test_the_summary_charts_downloads_and_counterfeits(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(allow_private_scan_url=True)
    async with signed_in(settings, PASSWORD) as office:
        made = await certified_batch(office, PASSWORD, GTIN,
                                     batch_body("TC-31", today() - timedelta(days=3)))
        coop = made.coop
        decided = (today() - timedelta(days=30)).isoformat()
        year = date.fromisoformat(decided).year
        other = await office.call("POST", "registry", "/subjects", expect=201, json={
            "type": "enterprise", "name": "Công ty Trà Phú Lương", "code": "0100233488",
            "province": "Thái Nguyên", "commune": "Xã Phú Lương",
            **registered(coop.registered_on, district="Huyện Phú Lương")})
        await office.call("POST", "registry", "/users", expect=201, json={
            "username": "producer2", "password": PASSWORD, "role": "producer",
            "subject_id": other["id"]})
        producer2 = await office.anonymous().sign_in("producer2", PASSWORD)
        await certified_product(office, coop.member, producer2, other["id"], decided,
                                OTHER_GTIN)
        # a shopper scanning a code never printed raises a counterfeit signal
        forged = f"/01/{GTIN}/10/TC-31/21/FAKE000000000001"
        scanned = await office.client.get(office.urls["traceability"] + forged,
                                          follow_redirects=True)
        assert scanned.status_code == 404
        await office.until("GET", "traceability", "/anomalies?kind=unknown_serial")

        async with serving_workspace(settings, office.urls) as web, \
                httpx.AsyncClient(timeout=60) as client:
            me = session_of(await sign_in(client, web, "office", PASSWORD))

            # The summary: both communes in the chart's table, each with its 4★ product.
            page = await client.get(f"{web}/office/summary?year={year}&province={PROVINCE}",
                                    headers=me)
            assert page.status_code == 200, page.text
            text = page.text
            assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
            assert "Độc lập - Tự do - Hạnh phúc" in text
            assert text.count('<svg role="img"') >= 3
            assert '<title id="chart-commune-title">' in text
            assert commune_row(text, "Xã Tân Cương") == ["0", "1", "0", "1"]
            assert commune_row(text, "Xã Phú Lương") == ["0", "1", "0", "1"]
            assert "Hạng sao theo xã" in text and "Thực phẩm" in text
            # the office's menu names the page, and the year chosen is the page's
            assert 'href="/office/summary" aria-current="page"' in text
            assert f"<option selected>{year}</option>" in text

            # With no year asked, the clock's year (the front's only date).
            current = await client.get(f"{web}/office/summary?province={PROVINCE}",
                                       headers=me)
            assert f"<option selected>{today().year}</option>" in current.text

            # The downloads: the service's workbook and PDF, with the office's token.
            xlsx = await client.get(
                f"{web}/office/summary/{year}.xlsx?province={PROVINCE}", headers=me)
            assert xlsx.status_code == 200
            book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
            cells = {c.value for row in book.worksheets[0].iter_rows() for c in row}
            assert {"Xã Tân Cương", "Xã Phú Lương"} <= cells
            pdf = await client.get(f"{web}/office/summary/{year}.pdf?province={PROVINCE}",
                                   headers=me)
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
            assert pdf.headers["content-type"] == "application/pdf"

            # A year with nothing says so.
            empty = await client.get(f"{web}/office/summary?year=2019&province={PROVINCE}",
                                     headers=me)
            assert empty.status_code == 200
            assert "không có sản phẩm nào được đăng ký hay công nhận" in empty.text
            assert "Xã Tân Cương" not in empty.text

            # A year the service does not summarise, or not a year, is told beside the
            # year's field, in words.
            for asked in ("1990", "abc"):
                refused = await client.get(
                    f"{web}/office/summary?year={asked}&province={PROVINCE}", headers=me)
                assert refused.status_code in (400, 422), asked
                note = re.search(r'<select id="year".*?</select>(.*?)</div>', refused.text,
                                 re.S)
                assert note and 'class="field-error"' in note.group(1), asked
                assert "detail" not in refused.text and "Input should" not in refused.text

            # The counterfeit dashboard lists the made-up code's signal.
            board = await client.get(f"{web}/office/counterfeits", headers=me)
            assert board.status_code == 200, board.text
            assert "Một mã chưa từng được in" in board.text or "FAKE000000000001" in board.text
            assert "FAKE000000000001" in board.text and "Chè búp Tân Cương" in board.text
            assert '<title id="chart-weekly-title">' in board.text
            assert "Thái Nguyên (1)" in board.text  # the province's count in its chooser
            narrowed = await client.get(
                f"{web}/office/counterfeits?province={PROVINCE}&kind=copied_serial",
                headers=me)
            assert "FAKE000000000001" not in narrowed.text
            assert "Không có dấu hiệu hàng giả nào phù hợp." in narrowed.text

            unknown = await client.get(f"{web}/office/counterfeits?kind=forged", headers=me)
            assert unknown.status_code == 422
            note = re.search(r'<select id="kind".*?</select>(.*?)</div>', unknown.text, re.S)
            assert note and 'class="field-error"' in note.group(1)

            # The first day typed as people write it; a day that does not exist is told
            # beside its field.
            yesterday = (today() - timedelta(days=1)).strftime("%d/%m/%Y")
            lately = await client.get(f"{web}/office/counterfeits?since={yesterday}",
                                      headers=me)
            assert lately.status_code == 200 and "FAKE000000000001" in lately.text
            assert f'value="{yesterday}"' in lately.text
            wrong = await client.get(f"{web}/office/counterfeits?since=31/02/2026", headers=me)
            assert wrong.status_code == 400
            assert re.search(r'id="since-error" role="alert">Viết ngày theo dạng dd/mm/yyyy',
                             wrong.text)

            long_ago = (today() - timedelta(days=400)).strftime("%d/%m/%Y")
            too_long = await client.get(f"{web}/office/counterfeits?since={long_ago}",
                                        headers=me)
            assert too_long.status_code in (400, 422)
            beside = re.search(r'id="since-error" role="alert">([^<]*)<', too_long.text)
            assert beside and "366" in beside.group(1) and "until" not in beside.group(1)

            # A producer asking the office's pages is sent to their own.
            producer = session_of(await sign_in(client, web, "producer", PASSWORD))
            for path in ("/office/summary", "/office/counterfeits",
                         f"/office/summary/{year}.xlsx?province={PROVINCE}"):
                sent = await client.get(f"{web}{path}", headers=producer)
                assert sent.status_code == 303 and sent.headers["location"] == "/", path
