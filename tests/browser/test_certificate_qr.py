"""A certificate's QR code, read from its PDF, opens its state today in Chromium, and a revoked
certificate's page is stamped revoked."""

from __future__ import annotations

from pathlib import Path

from tests.platform.test_certificate_lifecycle import (
    TODAY,
    Office,
    office,
    pdf_text_and_qr,
)
from tests.support.browser import PHONE, chromium, screenshot_path


async def test_a_certificates_qr_opens_its_state_today_and_a_revoked_one_is_stamped(
        office: Office, tmp_path: Path) -> None:
    rating, anyone = office.admin.urls["rating"], office.admin.anonymous()
    certificate = await office.certify(await office.product("Chè Tân Cương"), 4,
                                       "2026-01-10", "2026-02-01")
    pdf_url = f"{rating}/certificates/{certificate['id']}/pdf"
    active = (await anyone.client.get(pdf_url)).content
    text, link = pdf_text_and_qr(active)
    assert link == f"{rating}/verify/{certificate['id']}"
    assert "THU HỒI" not in text and "REVOKED" not in text
    page = await anyone.client.get(link, headers={"Accept-Language": "vi"})
    assert page.status_code == 200 and "Còn hiệu lực đến ngày 31/01/2029" in page.text

    await office.admin.call("POST", "rating", f"/certificates/{certificate['id']}/revocation",
                            json={"reason": "Sử dụng nhãn OCOP sai quy định"})
    revoked = (await anyone.client.get(pdf_url)).content
    assert revoked != active
    text, again = pdf_text_and_qr(revoked)
    assert again == link and "ĐÃ THU HỒI" in text and "REVOKED" in text
    async with chromium() as browser:
        for language in ("vi", "en"):
            tab = await browser.new_page(**PHONE, locale=language)
            await tab.goto(link)
            state = await tab.get_by_role("status").inner_text()
            await tab.screenshot(path=screenshot_path(tmp_path, f"verify-revoked-{language}"),
                                 full_page=True)
            await tab.close()
            assert ("ĐÃ BỊ THU HỒI" if language == "vi" else "REVOKED") in state, state
    english = await anyone.client.get(link, params={"lang": "en"})
    assert "Sử dụng nhãn OCOP sai quy định" in english.text
