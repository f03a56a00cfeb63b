"""A producer walks its annual cycle on a phone (360×740) in Debian's Chromium: it registers a
product (group and sub-group from the programme's lists), proposes its idea and plan, reads
the commune's refusal of the plan with its note, proposes it again, proposes the dossier
and, once the office accepts it, submits the product for evaluation. Each page is checked
with axe-core and photographed (Vietnamese) into the README's screenshots folder
(``workspace/10-…`` to ``workspace/14-…``). Then its certificates as they stand, on the list
and the product's page (``workspace/15-…`` to ``17-…``): in force, expiring, revoked with
its reason and day (its batch kept, read-only), expired, upgraded.

The whole platform on its embedded defaults, really served over HTTP; the commune and the
office decide through the registry's API, as their own pages would."""

from __future__ import annotations

from collections.abc import Callable

from playwright.async_api import Page, expect

from shared.platform.config import Settings
from tests.platform.test_producer_cycle_pages import (
    PASSWORD,
    PLAN_NOTE,
    REASON,
    commune_officer,
    four_certificates,
)
from tests.support.browser import PHONE, Photographer, chromium, submit_sign_in
from tests.support.platform import PDF, User, cooperative_with_council, office_signed_in
from tests.support.workspace import serving_workspace


async def propose(page: Page, stage: str, note: str = "") -> None:
    """Proposes ``stage`` from the product's page, with a note for the officer."""
    item = page.locator(f"#stage-{stage}")
    if note:
        await item.get_by_label("Ghi chú gửi cán bộ (không bắt buộc)").fill(note)
    await item.get_by_role("button", name="Đề xuất").click()
    await page.wait_for_url("**done=stage_proposed**")
    await expect(item).to_contain_text("đang chờ")


async def test_a_producer_walks_its_annual_cycle_on_a_phone(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as office:
        coop = await cooperative_with_council(office, PASSWORD)
        officer = await commune_officer(office, coop.subject_id)

        async with serving_workspace(settings, office.urls) as web, chromium() as browser:
            context = await browser.new_context(**PHONE, locale="vi-VN",  # type: ignore[arg-type]
                                                timezone_id="Asia/Ho_Chi_Minh")
            page = await context.new_page()
            camera = Photographer("workspace")
            await submit_sign_in(page, web, "producer", PASSWORD)
            await page.wait_for_url(f"{web}/")

            # Register: the group, then one of its sub-groups, by their Vietnamese names.
            await page.get_by_role("main").get_by_role("link", name="Đăng ký sản phẩm").click()
            await page.wait_for_url(f"{web}/products/new")
            await page.get_by_label("Tên sản phẩm").fill("Chè móc câu Tân Cương")
            await page.get_by_label("Nhóm sản phẩm").select_option(label="Thực phẩm")
            subgroups = page.get_by_label("Phân nhóm")
            await expect(subgroups.locator('optgroup[data-group="beverages"]')).to_be_disabled()
            await subgroups.select_option(label="Chè và sản phẩm từ chè")
            await page.get_by_label("Mô tả").fill("Chè búp hái tay, sao bằng chảo gang.")
            await camera.look_at(page, "10-register-product")
            await page.get_by_role("button", name="Đăng ký sản phẩm").click()
            await page.wait_for_url("**done=product_registered**")
            await expect(page.get_by_role("status")).to_contain_text(
                "Đã đăng ký sản phẩm")
            product_id = page.url.split("/products/")[1].split("?")[0]
            path = f"/products/{product_id}"
            await expect(page.locator("#stage-plan")).to_contain_text("chưa đề xuất")
            await camera.look_at(page, "11-cycle-start")

            # The idea, accepted by the commune; the plan, returned with a note.
            await propose(page, "idea", "Chè đặc sản vùng Tân Cương.")
            await officer.call("POST", "registry", f"{path}/cycle",
                               json={"stage": "idea", "status": "accepted"})
            await page.reload()
            await expect(page.locator("#stage-idea")).to_contain_text("✓ đã chấp nhận")
            await propose(page, "plan")
            await officer.call("POST", "registry", f"{path}/cycle", json={
                "stage": "plan", "status": "rejected", "note": PLAN_NOTE})
            await page.reload()
            plan = page.locator("#stage-plan")
            await expect(plan).to_contain_text("↩ đã trả lại")
            await expect(plan).to_contain_text("Bị UBND xã trả lại ngày")
            await expect(plan).to_contain_text(PLAN_NOTE)
            await plan.scroll_into_view_if_needed()
            await camera.look_at(page, "12-plan-returned")

            # Proposed again, accepted; the dossier waits for its documents.
            await plan.get_by_label("Ghi chú gửi cán bộ (không bắt buộc)").fill(
                "Đã bổ sung vùng chè liên kết.")
            await plan.get_by_role("button", name="Đề xuất lại").click()
            await page.wait_for_url("**done=stage_proposed**")
            await officer.call("POST", "registry", f"{path}/cycle",
                               json={"stage": "plan", "status": "accepted"})
            await page.reload()
            dossier = page.locator("#stage-dossier")
            await expect(dossier).to_contain_text("hãy tải lên những giấy tờ còn thiếu")
            await dossier.get_by_role("button", name="Đề xuất").click()
            await expect(dossier.get_by_role("alert")).to_contain_text("Hồ sơ còn thiếu")
            await dossier.scroll_into_view_if_needed()
            await camera.look_at(page, "13-dossier-incomplete")
            await upload_every_document(coop.producer, path)
            await page.goto(f"{web}{path}")
            await propose(page, "dossier")
            await office.call("POST", "registry", f"{path}/cycle",
                              json={"stage": "dossier", "status": "accepted"})

            # Submitted for evaluation.
            await page.reload()
            await page.get_by_role("button", name="Nộp đánh giá").click()
            await page.wait_for_url("**done=product_submitted**")
            await expect(page.get_by_role("status")).to_contain_text("Đã nộp đánh giá")
            await expect(page.get_by_role("button", name="Nộp đánh giá")).to_have_count(0)
            await camera.look_at(page, "14-submitted")
            product = await coop.producer.call("GET", "registry", path)
            assert product["status"] == "submitted"
            assert camera.problems == []


async def test_a_producer_reads_its_certificates_as_they_stand_on_a_phone(
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    async with office_signed_in(settings, PASSWORD) as office:
        shelf = await four_certificates(office)
        await office.call("POST", "rating", f"/certificates/{shelf.in_force['id']}/revocation",
                          json={"reason": REASON})

        async with serving_workspace(settings, office.urls) as web, chromium() as browser:
            context = await browser.new_context(**PHONE, locale="vi-VN",  # type: ignore[arg-type]
                                                timezone_id="Asia/Ho_Chi_Minh")
            page = await context.new_page()
            camera = Photographer("workspace")
            await submit_sign_in(page, web, "producer", PASSWORD)
            await page.wait_for_url(f"{web}/")
            cards = page.locator("article.card")
            await expect(cards.filter(has_text="Chè búp")).to_contain_text(REASON)
            await expect(cards.filter(has_text="Chè móc câu")).to_contain_text(
                "công nhận lại")
            await expect(cards.filter(has_text="Chè xanh")).to_contain_text("Đã hết hiệu lực")
            await expect(cards.filter(has_text="Chè đinh")).to_contain_text(
                "Nâng hạng từ 3 lên 4 sao.")
            await camera.look_at(page, "15-certificates")

            await page.get_by_role("link", name="Chè búp").click()
            await expect(page.locator("#revoked")).to_contain_text(REASON)
            await expect(page.locator("#kept")).to_contain_text("CB-01")
            await expect(page.get_by_role("link", name="Mở lô mới")).to_have_count(0)
            await camera.look_at(page, "16-revoked-product")

            await page.goto(f"{web}/products/{shelf.upgraded}")
            await expect(page.get_by_role("link", name="Giấy chứng nhận (PDF)")).to_be_visible()
            await expect(page.locator("#certificate-card")).to_contain_text(
                "được thay bằng giấy chứng nhận nâng hạng lên 4 sao")
            await camera.look_at(page, "17-upgraded-product")
            assert camera.problems == []


async def upload_every_document(producer: User, path: str) -> None:
    dossier = await producer.call("GET", "registry", f"{path}/dossier")
    for missing in dossier["missing"]:
        await producer.call("POST", "registry", f"{path}/documents", expect=201, content=PDF,
                            params={"type": missing["type"]},
                            headers={"Content-Type": "application/pdf"})
