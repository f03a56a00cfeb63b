"""Every service's interactive API docs work on a closed network: in a real Chromium that
may reach nothing but the platform, Swagger UI draws every operation from the
service itself, with no console error (offices work on closed networks)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Request, Route

from shared.platform.config import SERVICES, Settings
from tests.support.browser import DESKTOP, chromium, screenshot_path
from tests.support.platform import running_platform


async def test_every_services_docs_work_without_the_internet(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    async with running_platform(make_settings(), shared_bus=True) as platform, \
            chromium() as browser:
        context = await browser.new_context(**DESKTOP)
        outside: list[str] = []

        async def closed_network(route: Route, request: Request) -> None:
            if urlsplit(request.url).hostname == "127.0.0.1":
                await route.continue_()
            else:  # what a closed network does to a CDN
                outside.append(request.url)
                await route.abort()

        await context.route("**/*", closed_network)
        page = await context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        for service in SERVICES:
            spec = (await page.request.get(f"{platform.urls[service]}/openapi.json")).json
            operations = sum(len(ops) for ops in (await spec())["paths"].values())
            await page.goto(f"{platform.urls[service]}/docs")
            await page.wait_for_selector(".opblock", timeout=20_000)
            assert await page.locator(".opblock").count() == operations, service
            await page.screenshot(path=screenshot_path(tmp_path, f"docs-{service}"))
        await context.close()
    assert not outside, outside
    assert not errors, errors
