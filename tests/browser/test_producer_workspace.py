"""A producer's day in the workspace, on a phone (412×915) in Debian's Chromium: sign in,
photograph a dossier document, propose a change, open a batch, record four origin events —
three of them without signal, sent when it returns and each stored exactly once — download
a label sheet, and see the batch's scans and a counterfeit alert. Every page is checked
with axe-core and photographed (Vietnamese) into the README's screenshots folder.

The whole platform on its embedded defaults, really served over HTTP; the workspace calls
it with the producer's own token."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, expect

from shared.platform.config import Settings
from tests.support.batches import GTIN, PASSWORD
from tests.support.browser import SCREENSHOTS as BROWSER_SCREENSHOTS
from tests.support.browser import Photographer, chromium
from tests.support.clocks import today
from tests.support.demo import wait_until
from tests.support.platform import User, certified_product, cooperative_with_council
from tests.support.platform import office_signed_in as signed_in
from tests.support.workspace import PHONE_412, WEAK_3G, Weighing, camera_photo, serving_workspace

SCREENSHOTS = BROWSER_SCREENSHOTS / "workspace"
FIRST_LOAD_BUDGET = 150 * 1024
"""What a page may cost on a weak 3G signal the first time (the issue's budget)."""


async def journey_of(producer: User, batch_id: str) -> list[dict[str, Any]]:
    batch = await producer.call("GET", "traceability", f"/batches/{batch_id}")
    return list(batch["journey"])


async def record(page: Page, step: str, place: str, *, note: str = "",
                 extra: dict[str, str] | None = None, photo: bytes | None = None,
                 located: bool = False) -> None:
    form = page.locator("form[data-queue]")
    if located:
        await form.get_by_label("Ghi vị trí của điện thoại").check()
    await form.locator("[name=step]").select_option(step)
    await form.locator("[name=place]").fill(place)
    await form.locator("[name=note]").fill(note)
    for name, value in (extra or {}).items():
        await form.locator(f"[name={name}]").fill(value)
    if photo is not None:
        await form.locator("[name=photo]").set_input_files(
            {"name": "anh.jpg", "mimeType": "image/jpeg", "buffer": photo})
    queued = await page.locator("#queue li").count()
    await form.get_by_role("button", name="Ghi sự kiện").click()
    await expect(page.locator("#queue li")).to_have_count(queued + 1)


async def test_a_producer_keeps_its_batch_on_the_phone_even_without_signal(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(allow_private_scan_url=True)  # the codes name 127.0.0.1
    async with signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        made = await certified_product(office, coop.member, coop.producer, coop.subject_id,
                                       (today() - timedelta(days=30)).isoformat(), GTIN)
        product_id = made["product_id"]
        async with serving_workspace(settings, office.urls) as web, chromium() as browser:
            context = await browser.new_context(**PHONE_412)
            # The phone's clock reads the suite's day (which may be travelled): the
            # events it records are dated by it.
            await context.clock.install(time=datetime.now(UTC))
            try:
                batch_id = await walk(context, web, office, coop.producer, product_id)
                pages = ["/", f"/products/{product_id}", f"/products/{product_id}/batches/new",
                         f"/batches/{batch_id}", "/alerts", "/password"]
                await weigh_first_visits(browser, await context.cookies(), web, pages)
            finally:
                await context.close()


async def weigh_first_visits(browser: Browser, cookies: Any, web: str, pages: list[str]
                             ) -> None:
    """Each page as a phone that never saw the workspace loads it, on a weak 3G signal:
    everything it transfers (HTML, style, script, icons), then the same page again."""
    weights: dict[str, dict[str, int]] = {}
    for path in ["/sign-in", *pages]:
        context = await browser.new_context(**PHONE_412)
        try:
            if path != "/sign-in":
                await context.add_cookies(cookies)
            page = await context.new_page()
            weighing = await Weighing.on(page, WEAK_3G)
            await page.goto(web + path, wait_until="load")
            await page.evaluate("navigator.serviceWorker.ready")
            first = weighing.reset()
            await page.goto(web + path, wait_until="load")
            weights[path] = {"first_visit_bytes": first, "repeat_visit_bytes": weighing.reset()}
        finally:
            await context.close()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "page-weights.json").write_text(json.dumps(weights, indent=2))
    for path, weight in weights.items():
        assert weight["first_visit_bytes"] < FIRST_LOAD_BUDGET, (path, weight)
        assert weight["repeat_visit_bytes"] < weight["first_visit_bytes"] / 2, (path, weight)


async def walk(context: BrowserContext, web: str, office: User, producer: User,
               product_id: str) -> str:
    """The producer's walk through the workspace; the batch it opened."""
    camera = Photographer("workspace")
    errors: list[str] = []
    page = await context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Sign in (a wrong password first: the refusal is shown, in Vietnamese).
    await page.goto(f"{web}/sign-in")
    await camera.look_at(page, "01-dang-nhap")
    await page.get_by_label("Tên đăng nhập").fill("producer")
    await page.get_by_label("Mật khẩu").fill("not-the-password")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("alert")).to_contain_text("mật khẩu")
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()

    # Its products, with where each stands and its certificate's validity.
    await expect(page.get_by_role("heading", name="Sản phẩm của tôi")).to_be_visible()
    card = page.locator("article", has_text="Chè búp Tân Cương")
    await expect(card.locator("[aria-current=step]")).to_have_text("Chứng nhận")
    await expect(card).to_contain_text("4 sao")
    await expect(card).to_contain_text("Còn ")
    await camera.look_at(page, "02-san-pham")

    # The product: a dossier document photographed with the phone's camera (shrunk on the
    # phone before it is sent).
    await card.get_by_role("link").click()
    await expect(page.get_by_role("heading", name="Hồ sơ cần nộp")).to_be_visible()
    dossier = await producer.call("GET", "registry", f"/products/{product_id}/dossier")
    wanted = dossier["missing"][0]
    upload = page.locator("form[data-upload]", has=page.locator(
        f"input[name=type][value={wanted['type']}]"))
    photo = camera_photo()
    await upload.locator("input[type=file]").set_input_files(
        {"name": "giay-to.jpg", "mimeType": "image/jpeg", "buffer": photo})
    await upload.get_by_role("button", name="Tải lên").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã tải lên giấy tờ")
    held = (await producer.call("GET", "registry", f"/products/{product_id}/dossier")
            )["documents"]
    filed = [d for d in held if d["type"] == wanted["type"]]
    assert len(filed) == 1 and filed[0]["size"] < len(photo) / 4, (filed, len(photo))
    await camera.look_at(page, "03-san-pham-chi-tiet")

    # A change of name of a certified product goes to the office.
    await page.get_by_label("Tên sản phẩm").fill("Chè búp Tân Cương loại đặc biệt")
    await page.locator("form", has=page.get_by_label("Tên sản phẩm")).get_by_role(
        "button").click()
    await expect(page.get_by_role("status")).to_contain_text("Cơ quan quản lý sẽ xem xét")
    product = await producer.call("GET", "registry", f"/products/{product_id}")
    assert product["name"] == "Chè búp Tân Cương"
    assert product["pending_identity_change"]["changes"] == {
        "name": "Chè búp Tân Cương loại đặc biệt"}

    # A batch (lô): a refusal is shown beside its field, then it opens.
    await page.get_by_role("link", name="Mở lô mới").click()
    await page.get_by_label("Mã lô").fill("CHE 2026/07")
    await page.get_by_label("Số lượng").fill("120")
    await page.get_by_label("Vùng nguyên liệu").fill("Đồi chè Tân Cương")
    await page.get_by_label("Xã/phường").fill("Xã Tân Cương")
    await page.get_by_role("button", name="Mở lô mới").click()
    await expect(page.locator(".field-error").first).to_be_visible()
    await camera.look_at(page, "04-mo-lo")
    await page.get_by_label("Mã lô").fill("CHE-2026-07")
    await page.get_by_label("Số lượng").fill("120,5")  # the Vietnamese decimal comma
    await page.get_by_role("button", name="Mở lô mới").click()
    await expect(page.get_by_role("heading", name="Mã lô CHE-2026-07")).to_be_visible()
    await expect(page.locator("main")).to_contain_text(f"Ngày sản xuất {today():%d/%m/%Y}")
    batch_id = page.url.rsplit("/", 1)[-1]
    assert (await producer.call("GET", "traceability", f"/batches/{batch_id}"))[
        "quantity"] == 120.5

    # The harvest, with signal, a photo and — the producer allows it — where the phone is.
    await context.grant_permissions(["geolocation"])
    await context.set_geolocation({"latitude": 21.5928, "longitude": 105.7711})
    await record(page, "harvest", "Đồi chè Tân Cương", note="Hái một tôm hai lá",
                 photo=camera_photo(1200, 900), located=True)
    queue = page.locator("#queue")
    await expect(queue.locator("li[data-state=sent]")).to_have_count(1)
    await expect(page.locator("#journey")).to_contain_text("Thu hoạch")

    # No signal in the tea-processing yard: three events wait on the phone.
    await context.set_offline(True)
    await expect(page.locator("#net")).to_be_visible()
    await record(page, "lab_test", "Trung tâm kiểm nghiệm Thái Nguyên",
                 extra={"lab": "Trung tâm Kỹ thuật TĐC 1"}, photo=camera_photo(1600, 2200))
    await record(page, "packing", "Xưởng chè HTX", extra={"quantity": "100"})
    await record(page, "shipping", "Xưởng chè HTX", extra={"party": "Bưu điện Thái Nguyên"})
    await expect(queue.locator("li[data-state=waiting]")).to_have_count(3)
    await expect(queue).to_contain_text("Đang chờ gửi")
    assert len(await journey_of(producer, batch_id)) == 1
    await camera.look_at(page, "05-lo-khong-co-song")
    await page.reload()  # the page itself stays on the phone
    await expect(queue.locator("li[data-state=waiting]")).to_have_count(3)

    # The signal returns: each is sent, and stored once.
    await context.set_offline(False)
    await expect(queue.locator("li[data-state=sent]")).to_have_count(4, timeout=20000)
    steps = await journey_of(producer, batch_id)
    assert sorted(s["step"] for s in steps) == ["harvest", "lab_test", "packing", "shipping"]
    lab = next(s for s in steps if s["step"] == "lab_test")
    assert lab["report_url"] and lab["lab"] == "Trung tâm Kỹ thuật TĐC 1"
    assert len(next(s for s in steps if s["step"] == "harvest")["photos"]) == 1
    captured = await producer.call("GET", "traceability", "/epcis/events",
                                   params={"batch": batch_id, "EQ_bizStep": "commissioning"})
    events = captured["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["readPoint"]["id"] for e in events] == ["geo:21.592800,105.771100"]
    # A lost answer means the phone sends everything again: nothing is recorded twice.
    await page.evaluate("""async () => {
        for (const item of await queued()) { item.state = 'waiting'; await keep(item); }
        await send(); }""")
    await expect(queue.locator("li[data-state=sent]")).to_have_count(4)
    assert len(await journey_of(producer, batch_id)) == 4
    await expect(page.locator("#journey li")).to_have_count(4)
    await camera.look_at(page, "06-lo")

    # A label sheet, drawn and downloaded: the list follows the drawing by itself, with
    # no reload.
    await page.get_by_label("Số tem").fill("12")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Tạo bản in").click()
    sheet = page.locator("[data-sheets] li")
    await expect(sheet).to_have_count(1)
    link = page.get_by_role("link", name="Tải tệp PDF để in")
    await expect(link).to_have_count(1, timeout=60000)
    await expect(sheet).to_have_attribute("data-state", "ready")
    await page.locator("#labels").scroll_into_view_if_needed()
    await camera.look_at(page, "06b-tem-da-in")
    async with page.expect_download() as downloading:
        await link.click()
    pdf = await asyncio.to_thread(Path(await (await downloading.value).path()).read_bytes)
    assert pdf.startswith(b"%PDF-")

    # Shoppers scan the batch's code; a forger's serial is an alert.
    batch = await producer.call("GET", "traceability", f"/batches/{batch_id}")
    scan_path = "/" + batch["scan_url"].split("/", 3)[3]
    shopper = office.anonymous()
    for _ in range(3):
        await shopper.call("GET", "traceability", scan_path, follow_redirects=True)
    await shopper.client.get(office.urls["traceability"] + scan_path + "/21/FORGED123",
                             follow_redirects=True)  # the code's page counts the scan

    async def scans_seen() -> bool:
        await page.reload()
        return (await page.locator("[data-scans]").inner_text()).strip() not in ("", "0")

    await wait_until(scans_seen, within=30, interval=1)
    await page.get_by_role("link", name="Cảnh báo hàng giả").click()
    await expect(page.locator("article.alert")).to_contain_text("Mã chưa từng được in")
    await camera.look_at(page, "07-canh-bao")

    # Changing the password: a wrong current one is refused beside its field; then the
    # change ends the account's other sign-ins, while this phone stays signed in.
    await page.get_by_role("link", name="Đổi mật khẩu").click()
    await page.get_by_label("Mật khẩu hiện tại").fill("not-the-password")
    await page.get_by_label("Mật khẩu mới").fill("a-new-password-2026")
    await page.get_by_role("button", name="Lưu").click()
    await expect(page.locator(".field-error")).to_contain_text("không đúng mật khẩu hiện tại")
    await camera.look_at(page, "08-doi-mat-khau")
    await page.get_by_label("Mật khẩu hiện tại").fill(PASSWORD)
    await page.get_by_label("Mật khẩu mới").fill("a-new-password-2026")
    await page.get_by_role("button", name="Lưu").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã đổi mật khẩu")
    await producer.call("GET", "registry", "/users/me", expect=401)

    assert not errors, errors
    assert camera.problems == []
    return batch_id
