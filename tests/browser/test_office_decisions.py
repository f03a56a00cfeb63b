"""The provincial office's decisions on a desktop (1280×900) in Debian's Chromium: it
closes an evaluation its council has scored, recognises it (decision number, the date of
today already filled in) and downloads the certificate to print, revokes a certificate
with a reason, filters the certificates by state and prints the year's decision list under
the national heading. Every page is checked with axe-core and photographed (Vietnamese)
into the README's screenshots folder (``office/``).

The whole platform on its embedded defaults, really served over HTTP; the workspace calls
it with the office's own token."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from playwright.async_api import expect

from shared.platform.config import Settings
from tests.support.batches import GTIN, PASSWORD
from tests.support.browser import DESKTOP, Photographer, chromium, submit_sign_in
from tests.support.clocks import today
from tests.support.platform import (
    PAPER_DOSSIER,
    certified_product,
    cooperative_with_council,
    propose,
)
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace

HONEY = "Mật ong hoa nhãn Tân Cương"


async def test_the_office_closes_recognises_and_revokes(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        # One product certified a month ago; another evaluated ten days ago and scored by
        # the council (outside rounds, one member's sheet): waiting for the office.
        await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                (today() - timedelta(days=30)).isoformat(), GTIN)
        evaluated_on = (today() - timedelta(days=10)).isoformat()
        honey = await coop.producer.call("POST", "registry", "/products", expect=201, json={
            "subject_id": coop.subject_id, "name": HONEY, "group": "food",
            "subgroup": "tea", "registered_on": evaluated_on})
        await office.call("POST", "registry", f"/products/{honey['id']}/submission",
                          json=PAPER_DOSSIER)
        await propose(office, honey["id"], assessed_on=evaluated_on)
        evaluation = await office.until("POST", "rating", "/evaluations", expect=201, json={
            "product_id": honey["id"], "evaluation_date": evaluated_on})
        await coop.member.call("POST", "rating",
                               f"/evaluations/{evaluation['id']}/score-sheets", expect=201,
                               json={"part_a": 32, "part_b": 21, "part_c": 26})
        async with serving_workspace(settings, office.urls) as web, chromium() as browser:
            context = await browser.new_context(**DESKTOP, locale="vi-VN",
                                                timezone_id="Asia/Ho_Chi_Minh",
                                                accept_downloads=True)
            try:
                page = await context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                camera = Photographer("office")
                await submit_sign_in(page, web, "office", PASSWORD)
                await page.wait_for_url(f"{web}/office**")

                # What waits: the honey, scored by every member, to close.
                await page.get_by_role("link", name="Quyết định", exact=True).click()
                await page.wait_for_url(f"{web}/office/decisions")
                await expect(page.locator("#closing")).to_contain_text(HONEY)
                await camera.look_at(page, "30-decisions")
                await page.get_by_role("button",
                                       name=f"Kết thúc đánh giá sản phẩm {HONEY}").click()
                await expect(page.get_by_role("status")).to_contain_text(
                    "Đã kết thúc đánh giá")

                # The recognition: the result shown, the decision dated today already.
                await expect(page.locator(".decision")).to_contain_text("79 / 100")
                date_field = page.get_by_label("Ngày quyết định")
                assert await date_field.input_value() == today().isoformat()
                await page.get_by_label("Số quyết định").fill("15/QĐ-UBND")
                await camera.look_at(page, "31-recognise")
                await page.get_by_role("button",
                                       name="Công nhận và cấp giấy chứng nhận").click()
                await expect(page.get_by_role("status")).to_contain_text("Đã công nhận")
                held = await office.call("GET", "rating", f"/evaluations/{evaluation['id']}")
                assert held["certificate_id"]

                # The certificate to print, downloaded through the workspace.
                async with page.expect_download() as downloading:
                    await page.get_by_role("link", name="In giấy chứng nhận (PDF)").click()
                download = await downloading.value
                assert download.suggested_filename.endswith(".pdf")
                saved = await download.path()
                assert (await asyncio.to_thread(Path(saved).read_bytes)).startswith(b"%PDF")

                # Revoking the honey's certificate, with a reason.
                await page.locator("#certificate").get_by_role(
                    "link", name="Giấy chứng nhận", exact=True).click()
                await page.wait_for_url(f"{web}/office/certificates/*")
                await page.get_by_label("Lý do thu hồi").fill(
                    "Cơ sở ngừng sản xuất mật ong từ tháng này")
                await page.get_by_role("button", name="Thu hồi giấy chứng nhận").click()
                await expect(page.get_by_role("status")).to_contain_text(
                    "Đã thu hồi giấy chứng nhận")
                await expect(page.locator(".facts")).to_contain_text(
                    "Cơ sở ngừng sản xuất mật ong từ tháng này")
                await camera.look_at(page, "33-certificate")
                revoked = await office.call("GET", "rating",
                                            f"/certificates/{held['certificate_id']}")
                assert revoked["status"] == "revoked"

                # The certificates: both, then the revoked one alone.
                await page.get_by_role("navigation", name="Các mục").get_by_role(
                    "link", name="Giấy chứng nhận").click()
                await page.wait_for_url(f"{web}/office/certificates")
                rows = page.locator("#certificates tbody tr")
                await expect(rows).to_have_count(2)
                await page.get_by_label("Trạng thái").select_option(label="Đã thu hồi")
                await page.get_by_role("button", name="Xem", exact=True).click()
                await page.wait_for_url(f"{web}/office/certificates?**")
                await expect(rows).to_have_count(1)
                await expect(rows.first).to_contain_text(HONEY)
                await expect(rows.first).to_contain_text(revoked["number"])
                await camera.look_at(page, "32-certificates")

                # The year's decision list, as it prints.
                await page.goto(f"{web}/office/decisions")
                await page.get_by_role("link", name="Danh sách quyết định trong năm").click()
                await page.wait_for_url(f"{web}/office/decisions/list")
                await expect(page.locator("#decision-list")).to_contain_text("15/QĐ-UBND")
                await page.emulate_media(media="print")
                await expect(page.get_by_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")).to_be_visible()
                await expect(page.get_by_text("Độc lập - Tự do - Hạnh phúc")).to_be_visible()
                await expect(page.locator("nav.tabs")).to_be_hidden()
                await camera.look_at(page, "34-decision-list")

                assert camera.problems == []
                assert errors == []
            finally:
                await context.close()
