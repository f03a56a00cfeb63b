"""A producer's year on its phone (360×740, Debian's Chromium), from an empty account, and
everything it is told on the way: in the workspace's inbox (the header counting the
unread) and by e-mail, at a real SMTP server the test runs (aiosmtpd), both in Vietnamese,
one of each per event.

1. the office registers the cooperative and its producer's account (the API); the producer
   gives its e-mail address on ``/notifications/settings``, the council member too;
2. the producer registers its product and proposes each stage from its pages: the commune
   accepts the idea, returns the plan with a note (on the product's page, in the inbox,
   in the mailbox), accepts it proposed again; the documents uploaded, the office accepts
   the dossier; the product submitted;
3. the web front — the process that hears the events and tells people — stops; meanwhile
   the round opens (its council member is told) and the office recognises the product
   (the producer is told); started again on the same data, it tells each of those once,
   and nothing earlier a second time;
4. six months before the certificate's last day, rating's sweep reminds the producer: the
   workspace says the certificate is expiring;
5. the office revokes it with a reason: the workspace says so, with the reason and the day.

Marked read one by one and all at once through the inbox's buttons. Every page is checked
with axe-core and photographed into ``screenshots/producer-year/``. The story is set on
fixed days (``TODAY``, then later by time-machine: the platform's clock)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import time_machine
from playwright.async_api import Browser, Locator, Page, expect

from shared.platform.config import Settings
from tests.support.browser import (
    DESKTOP,
    PHONE,
    Photographer,
    chromium,
    submit_sign_in,
    upload_every_missing_document,
)
from tests.support.demo import wait_until
from tests.support.platform import (
    PDF,
    User,
    cooperative_with_council,
    office_signed_in,
    propose,
    run_job,
)
from tests.support.smtp import Mailbox, smtp_server
from tests.support.workspace import serving_workspace

TODAY = date(2026, 3, 2)
"""The year opens: the product registered, its cycle's stages, the submission."""
ROUND_DAY = date(2026, 6, 15)
"""The provincial round: the council scores, the office recognises (the web front stopped)."""
LAST_DAY = date(2029, 6, 14)
"""The certificate's last valid day: 36 months from the decision, less a day."""
REMINDER_DAY = date(2028, 12, 14)
"""Six calendar months before its last day: the renewal reminder."""
REVOCATION_DAY = date(2029, 1, 20)
PASSWORD = "nam-cua-chu-the-2026"
ADDRESS = "htx.tancuong@example.vn"
MEMBER_ADDRESS = "giam-khao@example.vn"
PRODUCT = "Chè móc câu Tân Cương"
PLAN_NOTE = "Phương án chưa nêu nguồn nguyên liệu; bổ sung vùng chè liên kết."
REASON = "Cơ sở dùng nhãn OCOP cho chè không thuộc sản phẩm được công nhận."
DECISION = "215/QĐ-UBND"


def day_at(day: date) -> time_machine.travel:
    return time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=UTC), tick=True)


def shown(day: date) -> str:
    return f"{day:%d/%m/%Y}"


@dataclass
class Year:
    """What the story carries from one chapter to the next."""

    browser: Browser
    office: User
    mailbox: Mailbox
    camera: Photographer
    web: str = ""
    phone: Page = field(init=False)
    product_id: str = ""
    certificate_id: str = ""
    told: list[str] = field(default_factory=list)
    """The producer's notifications so far (their titles), oldest first."""
    unread: int = 0
    errors: list[str] = field(default_factory=list)

    async def person(self, username: str, size: dict[str, Any]) -> Page:
        context = await self.browser.new_context(**size, locale="vi-VN",
                                                 timezone_id="Asia/Ho_Chi_Minh")
        page = await context.new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        await self.sign_in(page, username)
        return page

    async def sign_in(self, page: Page, username: str) -> None:
        """Through the sign-in page: a session lasts hours, the story moves by months."""
        await submit_sign_in(page, self.web, username, PASSWORD)
        await page.wait_for_url(lambda url: "/sign-in" not in url)

    async def signed_in_again(self) -> None:
        """Months later: the office's token, and the producer's phone, sign in anew."""
        self.office = await self.office.anonymous().sign_in("office", PASSWORD)
        await self.sign_in(self.phone, "producer")

    async def as_user(self, username: str) -> User:
        return await self.office.anonymous().sign_in(username, PASSWORD)

    @property
    def product_page(self) -> str:
        return f"{self.web}/products/{self.product_id}"

    @property
    def bell(self) -> Locator:
        return self.phone.locator("header .bell .badge")

    async def expect_unread(self) -> None:
        if self.unread:
            await expect(self.bell).to_have_text(f"{self.unread} chưa đọc")
        else:
            await expect(self.bell).to_have_count(0)

    async def is_told(self, title: str, *lines: str, shot: str = "") -> Locator:
        """The newest notification in the inbox says ``title`` and ``lines`` (the bus
        brings it within moments), the header counts it unread, and one e-mail with that
        subject, saying those lines, reached the producer's address: each earlier one
        still once."""
        self.told.append(title)
        self.unread += 1
        items = self.phone.locator("ul.notifications > li")

        async def arrived() -> bool:
            await self.phone.goto(f"{self.web}/notifications")
            return await items.count() >= len(self.told)

        await wait_until(arrived, within=30, interval=0.2)
        await self.phone.reload()  # its header counted before its list was read: again
        await expect(items).to_have_count(len(self.told))
        newest = items.first
        await expect(newest.get_by_role("heading", level=2)).to_have_text(title)
        for line in lines:
            await expect(newest).to_contain_text(line)
        await expect(newest.locator(".tag")).to_have_text("Mới")
        await expect(newest.get_by_role("link", name=title)).to_have_attribute(
            "href", f"/products/{self.product_id}")
        await self.expect_unread()
        if shot:
            await self.camera.look_at(self.phone, shot)

        mails = await mails_to(self.mailbox, ADDRESS, len(self.told))
        assert Counter(m["Subject"] for m in mails) == Counter(self.told), mails
        mail = next(m for m in reversed(mails) if m["Subject"] == title)
        assert mail["Content-Language"] == "vi"
        body = mail.get_content()
        for line in lines:
            assert line in body, body
        assert f"{self.web}/products/{self.product_id}" in body
        return newest


async def mails_to(mailbox: Mailbox, address: str, count: int) -> list[EmailMessage]:
    """The messages ``address`` received once there are ``count`` of them, and a moment
    later: a second copy of any would have come by then."""
    async def came() -> bool:
        return len(mailbox.to(address)) >= count

    await wait_until(came, within=30, interval=0.05)
    await asyncio.sleep(0.5)
    mails = mailbox.to(address)
    assert len(mails) == count, [m["Subject"] for m in mails]
    ids = [m["Message-ID"] for m in mails]
    assert len(set(ids)) == len(ids), ids
    return mails


async def test_a_producers_year_and_what_it_is_told(
        make_settings: Callable[..., Settings]) -> None:
    with smtp_server() as (smtp_url, mailbox):
        settings = make_settings(smtp_url=smtp_url)
        async with office_signed_in(settings, PASSWORD) as office, chromium() as browser:
            year = Year(browser, office, mailbox, Photographer("producer-year"))
            async with serving_workspace(settings, office.urls) as year.web:
                await settings_first(year)
                await the_cycle(year)
            # The web front stops: what happens now waits for it on the bus.
            with day_at(ROUND_DAY):
                await recognised_meanwhile(year)
                async with serving_workspace(settings, office.urls) as year.web:  # same data
                    await told_once_after_the_restart(year)
                    with day_at(REMINDER_DAY):
                        await renewal_reminder(year)
                    with day_at(REVOCATION_DAY):
                        await revoked(year)
            assert year.errors == []
            assert year.camera.problems == [], "\n".join(year.camera.problems)


# -- 1. The accounts, and where e-mail goes ------------------------------------------------

async def settings_first(year: Year) -> None:
    coop = await cooperative_with_council(year.office, PASSWORD)  # "producer", "member"
    subject = await year.office.call("GET", "registry", f"/subjects/{coop.subject_id}")
    await year.office.call("POST", "registry", "/users", expect=201, json={
        "username": "officer", "password": PASSWORD, "role": "commune_officer",
        "commune_code": subject["commune_code"], "province_code": subject["province_code"]})

    year.phone = page = await year.person("producer", PHONE)
    await expect(page.get_by_role("main").get_by_role("link", name="Đăng ký sản phẩm")
                 ).to_be_visible()
    await page.locator("header .bell").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Thông báo")
    await expect(page.get_by_text("Chưa có thông báo nào.")).to_be_visible()
    await year.expect_unread()
    await year.camera.look_at(page, "01-inbox-empty")
    await page.get_by_role("link", name="Cài đặt thông báo").click()
    await page.get_by_label("Địa chỉ thư điện tử").fill(ADDRESS)
    await year.camera.look_at(page, "02-settings")
    await page.get_by_role("button", name="Lưu").click()
    await expect(page.get_by_role("status")).to_have_text("Đã lưu cài đặt thông báo của bạn.")
    await expect(page.get_by_label("Địa chỉ thư điện tử")).to_have_value(ADDRESS)

    member = await year.person("member", DESKTOP)
    await member.goto(f"{year.web}/notifications/settings")
    await member.get_by_label("Địa chỉ thư điện tử").fill(MEMBER_ADDRESS)
    await member.get_by_role("button", name="Lưu").click()
    await expect(member.get_by_role("status")).to_have_text("Đã lưu cài đặt thông báo của bạn.")
    await member.context.close()


# -- 2. Registered, each stage decided, submitted ---------------------------------------

async def the_cycle(year: Year) -> None:
    page = year.phone
    officer = await year.as_user("officer")
    await page.goto(f"{year.web}/")
    await page.get_by_role("main").get_by_role("link", name="Đăng ký sản phẩm").click()
    await page.get_by_label("Tên sản phẩm").fill(PRODUCT)
    await page.get_by_label("Nhóm sản phẩm").select_option(label="Thực phẩm")
    await page.get_by_label("Phân nhóm").select_option(label="Chè và sản phẩm từ chè")
    await page.get_by_label("Mô tả").fill("Chè búp hái tay, sao bằng chảo gang.")
    await page.get_by_role("button", name="Đăng ký sản phẩm").click()
    await page.wait_for_url("**done=product_registered**")
    year.product_id = page.url.split("/products/")[1].split("?")[0]
    await expect(page.locator("#stage-idea")).to_contain_text("chưa đề xuất")
    await year.camera.look_at(page, "03-registered")
    cycle = f"/products/{year.product_id}/cycle"

    await stage_proposed(year, "idea", "Chè đặc sản vùng Tân Cương.")
    await officer.call("POST", "registry", cycle, json={"stage": "idea", "status": "accepted"})
    await year.is_told(f"Ý tưởng sản phẩm của {PRODUCT} đã được chấp nhận",
                       f"Ý tưởng sản phẩm của «{PRODUCT}» đã được UBND xã chấp nhận.")

    # The plan comes back with a note: on the product's page, in the inbox, by e-mail.
    await stage_proposed(year, "plan")
    await officer.call("POST", "registry", cycle, json={
        "stage": "plan", "status": "rejected", "note": PLAN_NOTE})
    returned = await year.is_told(
        f"Phương án sản xuất kinh doanh của {PRODUCT} bị trả lại",
        f"Phương án sản xuất kinh doanh của «{PRODUCT}» đã bị UBND xã trả lại.",
        f"Ghi chú: {PLAN_NOTE}", shot="04-inbox-plan-returned")
    await returned.get_by_role("button", name="Đánh dấu đã đọc").click()
    await expect(page.get_by_role("status")).to_have_text("Đã đánh dấu là đã đọc.")
    year.unread -= 1
    await year.expect_unread()
    await expect(page.locator("ul.notifications > li").first.locator(".tag")).to_have_count(0)
    await page.locator("ul.notifications > li").first.get_by_role("link").click()
    plan = page.locator("#stage-plan")
    await expect(plan).to_contain_text("↩ đã trả lại")
    await expect(plan).to_contain_text(f"Bị UBND xã trả lại ngày {shown(TODAY)}")
    await expect(plan).to_contain_text(PLAN_NOTE)
    await plan.scroll_into_view_if_needed()
    await year.camera.look_at(page, "05-plan-returned")

    await stage_proposed(year, "plan", "Đã bổ sung vùng chè liên kết.", again=True)
    await officer.call("POST", "registry", cycle, json={"stage": "plan", "status": "accepted"})
    await year.is_told(f"Phương án sản xuất kinh doanh của {PRODUCT} đã được chấp nhận")

    # The dossier's documents, each uploaded from the product's page; the office decides.
    await page.goto(year.product_page)
    await upload_every_missing_document(page)
    await stage_proposed(year, "dossier", "Hồ sơ đã đủ giấy tờ.")
    await year.office.call("POST", "registry", cycle, json={
        "stage": "dossier", "status": "accepted", "note": "Hồ sơ đầy đủ."})
    await year.is_told(f"Hồ sơ của {PRODUCT} đã được chấp nhận",
                       "Ghi chú: Hồ sơ đầy đủ.",
                       "Bước tiếp theo: nộp sản phẩm để đánh giá tại trang sản phẩm.")

    await page.goto(year.product_page)
    await page.get_by_role("button", name="Nộp đánh giá").click()
    await page.wait_for_url("**done=product_submitted**")
    await expect(page.get_by_role("status")).to_contain_text("Đã nộp đánh giá")
    await expect(page.locator("#stage-dossier")).to_contain_text(
        f"Được Văn phòng Điều phối OCOP tỉnh chấp nhận ngày {shown(TODAY)}")
    await year.camera.look_at(page, "06-submitted")


async def stage_proposed(year: Year, stage: str, note: str = "", *, again: bool = False
                         ) -> None:
    page = year.phone
    await page.goto(year.product_page)
    item = page.locator(f"#stage-{stage}")
    if note:
        await item.get_by_label("Ghi chú gửi cán bộ (không bắt buộc)").fill(note)
    await item.get_by_role("button", name="Đề xuất lại" if again else "Đề xuất").click()
    await page.wait_for_url("**done=stage_proposed**")
    await expect(item).to_contain_text("đang chờ")


# -- 3. Recognised while the web front is stopped -----------------------------------------

async def recognised_meanwhile(year: Year) -> None:
    """The round's council is told the evaluation opened, the producer its certificate:
    two events on the bus that nobody has told yet."""
    office = year.office = await year.as_user("office")
    await propose(await year.as_user("officer"), year.product_id)
    held = await office.call("POST", "rating", "/rounds", expect=201, json={
        "name": "Đợt 1 năm 2026", "level": "province", "province": "Thái Nguyên",
        "opens_on": ROUND_DAY.isoformat(),
        "closes_on": (ROUND_DAY + timedelta(days=30)).isoformat(),
        "council": "Hội đồng đánh giá, phân hạng OCOP tỉnh Thái Nguyên",
        "members": ["member"], "chair": "member"})
    evaluation = await office.until("POST", "rating", "/evaluations", expect=201, json={
        "product_id": year.product_id, "round_id": held["id"]})
    member = await year.as_user("member")
    await member.call("POST", "rating", f"/evaluations/{evaluation['id']}/score-sheets",
                      expect=201, json={"part_a": 30, "part_b": 20, "part_c": 25})
    await office.call("POST", "rating", f"/evaluations/{evaluation['id']}/closing")
    certificate = await office.call(
        "POST", "rating", f"/evaluations/{evaluation['id']}/recognition", expect=201,
        json={"decision_number": DECISION, "decision_date": ROUND_DAY.isoformat()})
    year.certificate_id = certificate["id"]
    assert certificate["valid_until"] == LAST_DAY.isoformat()
    # The recognition is on the bus: traceability has heard it (the product's label).
    await office.until("GET", "traceability", f"/labels/{year.product_id}")


async def told_once_after_the_restart(year: Year) -> None:
    await year.sign_in(year.phone, "producer")
    await year.is_told(f"{PRODUCT} được công nhận là sản phẩm OCOP 4 sao",
                       f"có hiệu lực đến {shown(LAST_DAY)}.", shot="07-inbox-certified")
    [opened] = await mails_to(year.mailbox, MEMBER_ADDRESS, 1)
    assert opened["Subject"] == f"Sản phẩm cần chấm điểm: {PRODUCT}"
    assert "Đợt 1 năm 2026" in opened.get_content()
    member = await year.person("member", DESKTOP)
    await member.goto(f"{year.web}/notifications")
    await expect(member.locator("ul.notifications > li")).to_have_count(1)
    await expect(member.locator("ul.notifications > li h2")).to_have_text(
        f"Sản phẩm cần chấm điểm: {PRODUCT}")
    await member.context.close()
    await asyncio.sleep(1)  # anything told twice would have come by now
    assert len(year.mailbox.messages) == len(year.told) + 1

    page = year.phone
    await page.goto(year.product_page)
    card = page.locator("#certificate-card")
    await expect(card).to_contain_text("4 sao")
    await expect(card).to_contain_text(f"Hiệu lực đến {shown(LAST_DAY)}")
    await expect(card.locator(".expiring")).to_have_count(0)
    await year.camera.look_at(page, "08-certified")


# -- 4. Six months before the end ---------------------------------------------------------

async def renewal_reminder(year: Year) -> None:
    await year.signed_in_again()
    assert await run_job(year.office.urls, "rating", "certificate expiry") == 0  # none ended
    await year.is_told(f"Giấy chứng nhận OCOP của {PRODUCT} hết hiệu lực ngày "
                       f"{shown(LAST_DAY)}",
                       f"(4 sao) có hiệu lực đến {shown(LAST_DAY)}.",
                       shot="09-inbox-reminder")
    await run_job(year.office.urls, "rating", "certificate expiry")  # the next hour's
    page = year.phone
    await page.goto(year.product_page)
    card = page.locator("#certificate-card")
    await expect(card.locator(".expiring")).to_contain_text(
        f"Hết hiệu lực trong vòng sáu tháng, vào cuối ngày {shown(LAST_DAY)}.")
    await year.camera.look_at(page, "10-expiring")
    await mails_to(year.mailbox, ADDRESS, len(year.told))  # the second sweep said nothing


# -- 5. Revoked ---------------------------------------------------------------------------

async def revoked(year: Year) -> None:
    await year.signed_in_again()
    await year.office.call("POST", "rating", f"/certificates/{year.certificate_id}/revocation",
                           json={"reason": REASON})
    await year.is_told(f"Giấy chứng nhận OCOP của {PRODUCT} bị thu hồi",
                       f"đã bị thu hồi ngày {shown(REVOCATION_DAY)}.", f"Lý do: {REASON}")
    page = year.phone
    await page.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Tất cả thông báo đã được đánh dấu là đã đọc.")
    year.unread = 0
    await year.expect_unread()
    await expect(page.locator("ul.notifications > li .tag")).to_have_count(0)
    await expect(page.locator("ul.notifications > li")).to_have_count(len(year.told))
    await year.camera.look_at(page, "11-inbox-all-read")

    await page.goto(year.product_page)
    await expect(page.locator("#revoked")).to_contain_text(
        f"Văn phòng Điều phối OCOP tỉnh đã thu hồi giấy chứng nhận này ngày "
        f"{shown(REVOCATION_DAY)}. Lý do: {REASON}")
    await expect(page.get_by_text("4 sao, không còn hiệu lực")).to_be_visible()
    assert await page.get_by_text("Hiệu lực đến").count() == 0
    # the road ends in the certificate's end, not back in an evaluation
    await expect(page.locator('.road [aria-current="step"]')).to_have_text("Hết chứng nhận")
    await year.camera.look_at(page, "12-revoked")
    assert len(year.mailbox.messages) == len(year.told) + 1
