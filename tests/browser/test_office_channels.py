"""The provincial office's sales channels, on a desktop (1280×900) in Debian's Chromium:
a channel registered by the form (a website that is not one refused beside it first), its
API key shown once with a copy button, the channel's page with its keys and a webhook it
disabled, and a key revoked after the page asks again. Every page is checked with axe-core
and photographed (Vietnamese) into the README's screenshots folder (``office/``).

The whole platform on its embedded defaults, really served over HTTP; the workspace calls
the catalog with the office's own token; the key is then used as the channel would."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.async_api import Page, expect

from shared.platform.config import Settings
from tests.support.batches import PASSWORD
from tests.support.browser import DESKTOP, Photographer, chromium, submit_sign_in
from tests.support.platform import User
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import serving_workspace

KEY = re.compile(r"^ocopk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$")


async def test_the_office_registers_a_channel_sees_its_key_once_and_revokes_it(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(allow_private_webhook_urls=True)
    async with signed_in(settings, PASSWORD) as office, \
            serving_workspace(settings, office.urls) as web, chromium() as browser:
        context = await browser.new_context(**DESKTOP, locale="vi-VN",
                                            timezone_id="Asia/Ho_Chi_Minh")
        await context.grant_permissions(["clipboard-read", "clipboard-write"],
                                        origin=web)
        try:
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            camera = Photographer("office")
            await walk(page, web, office, camera)
            assert errors == []
            assert camera.problems == [], "\n".join(camera.problems)
        finally:
            await context.close()


async def walk(page: Page, web: str, office: User, camera: Photographer) -> None:
    await submit_sign_in(page, web, "office", PASSWORD)
    await page.wait_for_url(f"{web}/office**")

    # Registering, from the menu: a website that is not one is refused beside it.
    await page.get_by_role("link", name="Kênh bán hàng").click()
    await page.get_by_role("link", name="Đăng ký kênh bán hàng").click()
    await page.get_by_label("Tên kênh").fill("Postmart")
    await page.get_by_label("Trang web").fill("postmart")
    await page.get_by_label("Người hoặc bộ phận liên hệ").fill("Bộ phận đối tác")
    await page.get_by_label("Email liên hệ").fill("doitac@postmart.vn")
    await page.get_by_label("Thực phẩm", exact=True).check()
    await page.get_by_label("Thái Nguyên", exact=True).check()
    await page.get_by_role("button", name="Đăng ký kênh và tạo khóa").click()
    await expect(page.locator("#website ~ .field-error")).to_have_text(
        "Nhập địa chỉ trang web của kênh, ví dụ https://postmart.vn.")
    await expect(page.get_by_label("Tên kênh")).to_have_value("Postmart")
    await expect(page.get_by_label("Thực phẩm", exact=True)).to_be_checked()
    await page.get_by_label("Trang web").fill("https://postmart.vn")
    await page.get_by_role("button", name="Đăng ký kênh và tạo khóa").click()

    # The key, once, with the warning and a copy button.
    await expect(page.get_by_role("heading", name="Đã đăng ký kênh")).to_be_visible()
    await expect(page.get_by_text("Hãy sao chép ngay; khóa sẽ không được hiển thị lại.")
                 ).to_be_visible()
    key = await page.get_by_label("Khóa API của Postmart").input_value()
    assert KEY.match(key), key
    await page.get_by_role("button", name="Sao chép khóa").click()
    await expect(page.get_by_text("Đã sao chép", exact=True)).to_be_visible()
    assert await page.evaluate("navigator.clipboard.readText()") == key
    await camera.look_at(page, "36-channel-new-key")

    # The channel calls with it, adds a webhook and disables it.
    postmart = office.channel(key)
    made = await postmart.call("POST", "catalog", "/channel/webhooks", expect=201,
                               json={"url": "http://127.0.0.1:9/hook",
                                     "description": "Đồng bộ kho hàng"})
    await postmart.call("PATCH", "catalog", f"/channel/webhooks/{made['endpoint']['id']}",
                        json={"enabled": False})

    # The list: what it may carry, its key's id (never the key), the disabled webhook.
    await page.goto(f"{web}/office/channels")
    table = page.locator("#channels")
    await expect(table).to_contain_text("Nhóm: Thực phẩm · Tỉnh: Thái Nguyên")
    await expect(table).to_contain_text("disabled by the channel")
    assert key not in await page.content()
    await camera.look_at(page, "35-channels")

    # The channel's page: revoking asks again, then the key is refused by the catalog.
    await table.get_by_role("link", name="Postmart").click()
    await expect(page.get_by_role("heading", name="Postmart")).to_be_visible()
    await camera.look_at(page, "37-channel")
    key_id = key.split("_")[1]
    await page.get_by_role("link", name=f"Thu hồi khóa {key_id}").click()
    await expect(page.get_by_role("heading", name=f"Thu hồi khóa {key_id}?")).to_be_visible()
    await page.get_by_role("button", name="Có, thu hồi khóa").click()
    await expect(page.get_by_role("status").filter(has_text="Đã thu hồi khóa")).to_be_visible()
    await expect(page.locator("#keys-table")).to_contain_text("Đã thu hồi lúc")
    refused = await office.client.get(office.urls["catalog"] + "/channel",
                                      headers={"X-API-Key": key})
    assert refused.status_code == 401
