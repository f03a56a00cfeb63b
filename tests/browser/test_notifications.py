"""A producer's notifications on a phone (360×740) in Debian's Chromium: it gives its
e-mail address in the notification settings (a checkbox per kind), the office returns its
dossier, and the workspace's header counts it unread; the inbox shows it first, with the
note and a link to the product; marked read, one by one or all at once, the badge goes.
Its e-mail reaches the test's SMTP server once. Checked with axe-core and photographed
(Vietnamese) into the README's screenshots folder (``notifications/``).

The whole platform on its embedded defaults, really served over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from playwright.async_api import expect

from shared.platform.config import Settings
from tests.browser.test_producer_decisions import signed_in
from tests.platform.test_producer_decisions_pages import (
    PASSWORD,
    RETURNED_BECAUSE,
    dossier_before_the_office,
)
from tests.support.browser import PHONE, Photographer, chromium
from tests.support.platform import cooperative_with_council, office_signed_in
from tests.support.smtp import smtp_server
from tests.support.workspace import serving_workspace

ADDRESS = "htx.tancuong@example.vn"


async def test_the_producer_is_told_on_its_phone_and_by_email(
        make_settings: Callable[..., Settings]) -> None:
    with smtp_server() as (smtp_url, mailbox):
        settings = make_settings(smtp_url=smtp_url)
        async with office_signed_in(settings, PASSWORD) as office:
            coop = await cooperative_with_council(office, PASSWORD)
            async with serving_workspace(settings, office.urls) as web, \
                    chromium() as browser:
                camera = Photographer("notifications")
                phone = await signed_in(browser, web, PHONE, "producer", "/")
                await phone.get_by_role("link", name="Thông báo").first.click()
                await expect(phone.get_by_role("heading", name="Thông báo")).to_be_visible()
                await expect(phone.get_by_text("Chưa có thông báo nào.")).to_be_visible()
                await phone.get_by_role("link", name="Cài đặt thông báo").click()
                await phone.get_by_label("Địa chỉ thư điện tử").fill(ADDRESS)
                await phone.get_by_label("Cảnh báo hàng giả trên mã của sản phẩm").uncheck()
                await camera.look_at(phone, "02-settings")
                await phone.get_by_role("button", name="Lưu").click()
                await expect(phone.get_by_role("status")).to_have_text(
                    "Đã lưu cài đặt thông báo của bạn.")
                await expect(phone.get_by_label("Quyết định về một bước trong chu trình của "
                                                "sản phẩm")).to_be_checked()
                await expect(phone.get_by_label(
                    "Cảnh báo hàng giả trên mã của sản phẩm")).not_to_be_checked()

                # The commune accepts the idea and the plan; the office returns the dossier.
                product_id = await dossier_before_the_office(office, coop)
                await office.call("POST", "registry", f"/products/{product_id}/cycle", json={
                    "stage": "dossier", "status": "rejected", "note": RETURNED_BECAUSE})

                bell = phone.locator("header .bell .badge")
                for _ in range(100):  # the bus brings them within moments
                    await phone.goto(f"{web}/")
                    if await bell.count() and (await bell.inner_text()).startswith("3"):
                        break
                    await asyncio.sleep(0.3)
                await expect(bell).to_contain_text("3")
                await phone.get_by_role("link", name="Thông báo").first.click()
                newest = phone.locator("ul.notifications > li").first
                await expect(newest).to_contain_text(
                    "Hồ sơ của Chè móc câu Tân Cương bị trả lại")
                await expect(newest).to_contain_text(RETURNED_BECAUSE)
                await expect(newest).to_contain_text("Mới")
                await expect(newest.get_by_role("link", name="Xem")).to_have_attribute(
                    "href", f"/products/{product_id}")
                await camera.look_at(phone, "01-inbox")

                await newest.get_by_role("button", name="Đánh dấu đã đọc").click()
                await expect(phone.get_by_role("status")).to_have_text(
                    "Đã đánh dấu là đã đọc.")
                await expect(bell).to_contain_text("2")
                await expect(phone.locator("ul.notifications > li").first).not_to_contain_text(
                    "Mới")
                await phone.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
                await expect(phone.get_by_role("status")).to_have_text(
                    "Tất cả thông báo đã được đánh dấu là đã đọc.")
                await expect(bell).to_have_count(0)
                await camera.look_at(phone, "03-all-read")
                assert camera.problems == []

                mails = await asyncio.to_thread(mailbox.wait_for, 3)
                await asyncio.sleep(1)
                assert len(mailbox.messages) == 3
                assert "Hồ sơ của Chè móc câu Tân Cương bị trả lại" in {
                    m["Subject"] for m in mails}
