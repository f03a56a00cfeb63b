"""A real browser for the pages people see: Debian's Chromium driven by Playwright.

Playwright's own browser download is not used: the tests drive the system's ``chromium``
(``make test`` installs it where it is missing). Screenshots go to ``OCOP_SCREENSHOTS``
when set, so a person can look at them after a run, or else to the test's own folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, async_playwright

# Without these, Chromium keeps trying to reach Google's services through a closed network.
QUIET = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1,
         "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1}


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "the browser tests need Debian's chromium: make test installs it"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=QUIET)
        try:
            yield browser
        finally:
            await browser.close()


def screenshot_path(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("OCOP_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
