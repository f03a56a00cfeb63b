"""A real browser for the pages people see: Debian's Chromium driven by Playwright.

Playwright's own browser download is not used: the tests drive the system's ``chromium``
(``make test`` installs it where it is missing). Screenshots go to ``OCOP_SCREENSHOTS``
when set, so a person can look at them after a run, or else to the test's own folder.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.support.platform import PDF
from tests.support.time_travel import travelling

# Without these, Chromium keeps trying to reach Google's services through a closed network.
QUIET = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1,
         "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1}
TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 1,
          "is_mobile": True, "has_touch": True}
"""A council member's tablet (an iPad Air held upright)."""
SCREENSHOTS = Path(os.environ.get("OCOP_SCREENSHOTS")
                   or Path(__file__).parents[2] / "screenshots")
"""The README's screenshots folder, one sub-folder per set of pages."""


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "the browser tests need Debian's chromium: make test installs it"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=QUIET)
        try:
            yield browser
        except BaseException:
            await _keep_what_was_shown(browser)
            raise
        finally:
            await browser.close()


async def _keep_what_was_shown(browser: Browser) -> None:
    """A failed browser test leaves each open page's address on stderr and its screenshot in
    ``SCREENSHOTS/failed/``: a flake on a loaded CI machine can then be read, not guessed."""
    folder = SCREENSHOTS / "failed"
    folder.mkdir(parents=True, exist_ok=True)
    test = os.environ.get("PYTEST_CURRENT_TEST", "test").split(" ")[0]
    name = "".join(c if c.isalnum() else "-" for c in test.rsplit("::", 1)[-1])
    pages = [page for context in browser.contexts for page in context.pages]
    for number, page in enumerate(pages, 1):
        path = folder / f"{name}-{number}.png"
        try:
            await page.screenshot(path=path, full_page=True, timeout=10_000)
        except Exception as error:  # a crashed page: its address is still worth printing
            path = Path(f"(no screenshot: {type(error).__name__})")
        print(f"open page {number} at the failure: {page.url} -> {path}", file=sys.stderr)


def screenshot_path(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("OCOP_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


class Photographer:
    """Photographs pages into ``SCREENSHOTS/<folder>/`` for people to look at, and audits
    each with axe-core: ``problems`` collects every serious or critical violation."""

    def __init__(self, folder: str) -> None:
        self.folder = SCREENSHOTS / folder
        self.problems: list[str] = []

    async def look_at(self, page: Page, name: str) -> None:
        if travelling():  # the pictures and the audit are today's run's (time_travel.py)
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=self.folder / f"{name}.png", full_page=True)
        found = (await Axe().run(page)).response["violations"]
        self.problems += [f"{name}: {v['id']} ({v['impact']}): {v['help']} at "
                          f"{[n['target'] for n in v['nodes']]}" for v in found
                          if v["impact"] in ("serious", "critical")]


async def submit_sign_in(page: Page, web: str, username: str, password: str) -> None:
    """Signs in through the workspace's sign-in page, by its Vietnamese labels."""
    await page.goto(f"{web}/sign-in")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(password)
    await page.get_by_role("button", name="Đăng nhập").click()


async def upload_every_missing_document(page: Page) -> None:
    """On a product's page, uploads a small PDF through each of the dossier checklist's
    upload forms, one after the other, until the checklist says the dossier is whole."""
    forms = page.locator("form[data-upload]")
    for left in range(await forms.count(), 0, -1):
        await forms.first.locator("input[type=file]").set_input_files(
            {"name": f"giay-to-{left}.pdf", "mimeType": "application/pdf",
             "buffer": PDF + f"% giấy tờ {left}\n".encode()})
        await forms.first.get_by_role("button", name="Tải lên").click()
        await expect(forms).to_have_count(left - 1)
    await expect(page.locator("#checklist")).to_contain_text("Đã đủ giấy tờ trong hồ sơ.")
