"""Operating the platform: readiness while the bus is away, and the ``ocop`` command used
from another folder than the platform's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
from typer.testing import CliRunner

from services.catalog.app import build
from services.cli import app as ocop
from shared.platform.config import Settings
from tests.support.demo import wait_until
from tests.support.platform import add_admin
from tests.support.tcp_proxy import TcpProxy

TODAY = date(2026, 11, 20)
"""The day these operations happen (``tests/support/time_travel.py``): the imported row has
no date, so it is registered under two-level local government."""

async def test_a_bus_outage_makes_a_service_degraded_not_unready(
        make_settings: Callable[..., Settings], broker_proxy: TcpProxy) -> None:
    runtime = build(make_settings(bus_url=f"kafka://127.0.0.1:{broker_proxy.port}"))
    app = runtime.fastapi_app()
    await runtime.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://catalog") as client:
            async def ready() -> bool:  # once its warm-up has ended
                return (await client.get("/readyz")).status_code == 200

            await wait_until(ready, within=10)
            healthy = await client.get("/readyz")
            assert healthy.status_code == 200 and healthy.json()["status"] == "ok"
            await broker_proxy.stop()
            away = await client.get("/readyz")
            report = away.json()
            assert away.status_code == 200, report
            assert report["ready"] is True and report["status"] == "degraded"
            assert report["checks"]["bus"]["ok"] is False
            assert report["checks"]["bus"]["outbox_backlog"] == 0
            listings = await client.get("/listings")
            assert listings.status_code == 200
            await broker_proxy.start()
    finally:
        await runtime.stop()


async def test_commands_refuse_a_folder_without_the_platforms_data(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    elsewhere = tmp_path / "elsewhere"
    file = tmp_path / "chu-the.csv"
    file.write_text("Loại chủ thể;Tên chủ thể;Mã số thuế;Tỉnh;Xã\n"
                    "HTX;HTX Chè Tân Cương;0100109106;Thái Nguyên;Xã Tân Cương\n")

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(ocop, list(args))
        return result.exit_code, result.output

    for args in (("import", "subjects", str(file)), ("dead-letters", "list", "registry"),
                 ("dead-letters", "replay", "rating", "--all")):
        code, output = await asyncio.to_thread(run, *args, "--data-dir", str(elsewhere))
        assert code == 2 and "No platform data in" in output, output
        assert not elsewhere.exists()
    await add_admin(settings, "office", "provincial-office-pass")
    code, output = await asyncio.to_thread(run, "import", "subjects", str(file), "--data-dir",
                                           str(settings.data_dir))
    assert code == 0 and "Imported 1 subjects" in output, output
    code, output = await asyncio.to_thread(run, "dead-letters", "list", "registry",
                                           "--data-dir", str(settings.data_dir))
    assert code == 0 and "Dead letters of registry (0)" in output, output
