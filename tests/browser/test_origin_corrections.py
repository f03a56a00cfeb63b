"""A producer corrects an origin record on the phone (412×915, Vietnamese) in Debian's
Chromium: records a harvest from the batch page, finds it listed with its id, taps "Sửa",
changes the quantity in the form opened as the record was (its button waits while there is
no signal: a correction is not queued), sends it — the original stays, marked corrected —
and the scan page shows the corrected journey, the chain still intact. Each page is checked
with axe-core and photographed into ``screenshots/corrections/``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from playwright.async_api import expect

from shared.platform.config import Settings
from tests.support.batches import GTIN, PASSWORD, batch_body
from tests.support.browser import Photographer, chromium, submit_sign_in
from tests.support.clocks import today
from tests.support.platform import certified_batch
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import PHONE_412, serving_workspace


async def test_a_producer_corrects_a_record_and_the_scan_page_shows_it(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with signed_in(settings, PASSWORD) as office:
        made = await certified_batch(office, PASSWORD, GTIN,
                                     batch_body("CHE-2026", today() - timedelta(days=3)))
        producer, batch_id = made.coop.producer, made.batch["id"]
        camera = Photographer("corrections")
        async with serving_workspace(settings, office.urls) as web, chromium() as browser:
            context = await browser.new_context(**PHONE_412)
            await context.clock.install(time=datetime.now(UTC))
            errors: list[str] = []
            page = await context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            await submit_sign_in(page, web, "producer", PASSWORD)
            await expect(page.get_by_role("heading", name="Sản phẩm của tôi")).to_be_visible()

            # A harvest recorded from the batch page, its quantity typed with a comma.
            await page.goto(f"{web}/batches/{batch_id}")
            form = page.locator("form[data-queue]")
            await form.get_by_label("Việc gì").select_option("harvest")
            await form.get_by_label("Số lượng").fill("1,5")
            await form.get_by_label("Ghi chú").fill("Hái một tôm hai lá")
            await form.get_by_role("button", name="Ghi sự kiện").click()
            first = page.locator("#records li").nth(0)
            await expect(first).to_contain_text("1,5 kg")
            (recorded,) = (await producer.call(
                "GET", "traceability", f"/batches/{batch_id}/records"))["items"]
            await expect(first).to_contain_text(recorded["id"])
            await camera.look_at(page, "01-ban-ghi")

            # "Sửa": the origin form, filled as the record was; it says a correction needs
            # a connection.
            await first.get_by_role("link", name="Sửa bản ghi số 1").click()
            await expect(page.get_by_role("heading", name="Sửa bản ghi số 1")).to_be_visible()
            await expect(page.get_by_label("Số lượng")).to_have_value("1,5")
            await expect(page.get_by_label("Ghi chú")).to_have_value("Hái một tôm hai lá")
            await expect(page.locator("#needs-signal")).to_contain_text("cần có kết nối mạng")
            await page.get_by_label("Số lượng").fill("2,5")
            await camera.look_at(page, "02-sua-ban-ghi")
            send = page.get_by_role("button", name="Gửi bản sửa")
            await context.set_offline(True)  # no signal: not queued, the button waits
            await expect(send).to_be_disabled()
            await expect(page.locator("#net")).to_contain_text("cần có kết nối mạng")
            await camera.look_at(page, "03-khong-co-song")
            await context.set_offline(False)
            await expect(send).to_be_enabled()
            await send.click()

            # Back on the batch: the original kept and marked, the correction listed.
            await expect(page.get_by_role("status")).to_contain_text("Đã sửa.")
            first, second, third = (page.locator("#records li").nth(i) for i in range(3))
            # the list is drawn by the page's script once the records are read: on a busy
            # machine that is more than expect's 5 s
            await expect(first).to_contain_text("bằng bản ghi số 2", timeout=20_000)
            await expect(first.get_by_role("link", name="Sửa bản ghi số 1")).to_have_count(0)
            await expect(second).to_contain_text("Bản sửa của bản ghi số 1")
            await expect(second).to_contain_text("2,5 kg")
            await expect(third).to_contain_text("Khai báo bản ghi số 1 có sai sót")
            await expect(page.locator("#journey li")).to_have_count(1)
            await expect(page.locator("#journey")).to_contain_text("2,5 kg")
            await page.locator("#records").scroll_into_view_if_needed()
            await camera.look_at(page, "04-da-sua")

            # The scan page a shopper opens: the corrected journey.
            await page.goto(made.batch["scan_url"])
            journey = page.locator("ol.journey")
            await expect(journey.locator("li")).to_have_count(1)
            await expect(journey).to_contain_text("đã đính chính")
            await expect(journey).to_contain_text("2,5")
            await expect(journey).not_to_contain_text("1,5")
            await camera.look_at(page, "05-trang-quet")
            await context.close()
            report = await producer.anonymous().call(
                "GET", "traceability", f"/batches/{batch_id}/verify")
            assert report["intact"] and report["records"] == 3
            assert errors == []
            assert camera.problems == []
