"""``ocop backup`` and ``ocop restore``: a backup taken while the platform is being written
to holds every write acknowledged before it began, and the restored platform serves them,
its batch's hash chain intact; a damaged backup and a non-empty target are refused.

The whole platform on its embedded defaults (SQLite stores, the embedded bus, file objects),
really served over HTTP; the commands run through the ``ocop`` entry point."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import product as product_of
from pathlib import Path
from uuid import uuid4

import httpx
from PIL import Image
from typer.testing import CliRunner

from services.cli import app as ocop
from shared.files.images import WebWidth
from shared.http.paging import MAX_PAGE
from shared.platform.config import SERVICES, Settings
from tests.support.batches import GTIN, PASSWORD, batch_body, harvest
from tests.support.clocks import today
from tests.support.demo import wait_until
from tests.support.platform import (
    User,
    add_admin,
    certified_batch,
    office_signed_in,
    registered,
    running_platform,
)

TODAY = date(2026, 11, 20)
"""Told from one day (``tests/support/time_travel.py``): what a backup holds does not depend
on the calendar, so the suite's runs as if it were 2031 and 2024 need not repeat it."""


def ocop_command(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Its exit code and output, on one line (the console wraps it at 80 columns)."""
    result = CliRunner().invoke(ocop, list(args), env=env)
    return result.exit_code, " ".join(result.output.split())


def photo(n: int) -> bytes:
    """A PNG of its own (an upload of the same bytes again is the image already added)."""
    out = io.BytesIO()
    Image.new("RGB", (48, 32), (n % 256, (n * 7) % 256, 90)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class Acknowledged:
    """Each write the platform answered, with when (the loop's time) its answer came."""

    subjects: list[tuple[float, str]] = field(default_factory=list)
    records: list[tuple[float, str]] = field(default_factory=list)
    images: list[tuple[float, str]] = field(default_factory=list)

    @staticmethod
    def before(writes: list[tuple[float, str]], instant: float) -> set[str]:
        return {ref for at, ref in writes if at < instant}


async def keep_writing(office: User, producer: User, product_id: str, batch_id: str,
                       acked: Acknowledged, stop: asyncio.Event) -> None:
    """Three writers at once until ``stop``: the office registers household businesses
    (the registry's store), the producer records harvests (traceability's chain) and adds
    photos (objects, then the registry's row naming them)."""
    clock = asyncio.get_running_loop().time
    day = today() - timedelta(days=3)

    async def subjects() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            made = await office.call("POST", "registry", "/subjects", expect=201, json={
                "type": "household_business", "name": f"Hộ sao chè số {n}",
                "code": f"TC-BK-{n:04d}", "province": "Thái Nguyên",
                "commune": "Xã Tân Cương", **registered(district="Thành phố Thái Nguyên")})
            acked.subjects.append((clock(), made["id"]))

    async def records() -> None:
        while not stop.is_set():
            made = await producer.call("POST", "traceability", f"/batches/{batch_id}/events",
                                       expect=201, json=harvest(day, event_id=str(uuid4())))
            acked.records.append((clock(), made["id"]))

    async def images() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            made = await producer.call("POST", "registry", f"/products/{product_id}/images",
                                       expect=201, content=photo(n),
                                       headers={"Content-Type": "image/png"})
            acked.images.append((clock(), made["image_id"]))

    await asyncio.gather(subjects(), records(), images())


async def subject_ids(office: User) -> set[str]:
    """Every subject the registry lists, page after page."""
    ids: set[str] = set()
    cursor: str | None = None
    while True:
        page = await office.call("GET", "registry", "/subjects", params={
            "limit": MAX_PAGE, **({"cursor": cursor} if cursor else {})})
        ids |= {s["id"] for s in page["items"]}
        if not (cursor := page["next_cursor"]):
            return ids


async def test_a_backup_under_writes_restores_every_write_acknowledged_before_it(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings(rate_limit="100000/second")  # three writers in a loop
    backup, acked, stop = tmp_path / "backup", Acknowledged(), asyncio.Event()
    clock = asyncio.get_running_loop().time
    async with office_signed_in(settings, PASSWORD) as office:
        made = await certified_batch(office, PASSWORD, GTIN,
                                     batch_body("BK-1", today() - timedelta(days=5)))
        producer, batch_id = made.coop.producer, made.batch["id"]
        writing = asyncio.create_task(keep_writing(office, producer, made.product_id,
                                                   batch_id, acked, stop))

        async def under_way() -> bool:  # a few of each write done, and more coming
            if writing.done():
                writing.result()
            return min(map(len, (acked.subjects, acked.records, acked.images))) >= 3

        await wait_until(under_way, within=60)
        began = clock()
        code, output = await asyncio.to_thread(
            ocop_command, "backup", str(backup), "--data-dir", str(settings.data_dir))
        assert code == 0, output
        await asyncio.sleep(0.5)  # writes after the backup, which it need not hold
        stop.set()
        await writing
        data_files = {p.name for p in settings.data_dir.iterdir()}
    subjects = Acknowledged.before(acked.subjects, began)
    records = Acknowledged.before(acked.records, began)
    images = Acknowledged.before(acked.images, began)
    assert min(map(len, (subjects, records, images))) >= 3
    assert len(acked.subjects) > len(subjects), "no write went on while the backup ran"

    manifest = json.loads((backup / "manifest.json").read_text())
    kinds = {(p["kind"], p["name"]) for p in manifest["parts"]}
    for service in SERVICES:  # the web front is not served here: no web.db
        assert ("store", service) in kinds
    assert ("bus", "bus") in kinds and any(kind == "object" for kind, _ in kinds)
    # Every file of the data directory is in the backup: each database, the objects and
    # each key kept there (SQLite's -wal and -shm are the databases' own).
    covered = {f"{name}.db" for kind, name in kinds if kind in ("store", "bus")} | {
        name for kind, name in kinds if kind == "key"} | {"objects"}
    assert {n for n in data_files if not n.endswith(("-wal", "-shm"))} == covered
    assert manifest["version"] and manifest["taken_at"] and not manifest["not_included"]
    assert all(len(p["sha256"]) == 64 and p["size"] > 0 for p in manifest["parts"])

    restored = make_settings(data_dir=tmp_path / "restored", rate_limit="100000/second")
    code, output = ocop_command("restore", str(backup), "--data-dir", str(restored.data_dir))
    assert code == 0, output
    async with running_platform(restored, shared_bus=True) as platform, \
            httpx.AsyncClient(timeout=30) as client:
        office = await User(platform.urls, client).sign_in("office", PASSWORD)
        producer = await office.anonymous().sign_in("producer", PASSWORD)
        assert subjects <= await subject_ids(office)
        kept = await producer.call("GET", "traceability", f"/batches/{batch_id}/records")
        assert records <= {r["id"] for r in kept["items"]}
        chain = await producer.call("GET", "traceability", f"/batches/{batch_id}/verify")
        assert chain["intact"] and not chain["problems"], chain
        assert chain["records"] == len(kept["items"])
        product = await producer.call("GET", "registry", f"/products/{made.product_id}")
        shown = {url.rsplit("/", 1)[-1] for url in product["image_urls"]}
        assert images <= shown
        for image_id, width in product_of(shown, WebWidth):  # each row's objects came back
            await producer.call("GET", "registry",
                                f"/products/{made.product_id}/images/{image_id}",
                                params={"w": width.value})
        await office.call("GET", "catalog", f"/listings/{made.product_id}")
        ready = await office.call("GET", "traceability", "/readyz")
        assert ready["status"] == "ok", ready


async def test_restore_refuses_a_damaged_backup_and_a_data_directory_in_use(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    await add_admin(settings, "office", PASSWORD)
    backup, target = tmp_path / "backup", tmp_path / "restored"
    assert ocop_command("backup", str(backup), "--data-dir", str(settings.data_dir))[0] == 0

    code, output = ocop_command("backup", str(backup), "--data-dir", str(settings.data_dir))
    assert code == 1 and "is not empty" in output and "manifest.json" in output
    code, output = ocop_command("restore", str(backup), "--data-dir", str(settings.data_dir))
    assert code == 1 and "is not empty" in output and "registry.db" in output

    store = backup / "databases" / "registry.db"
    damaged = bytearray(store.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    store.write_bytes(bytes(damaged))
    code, output = ocop_command("restore", str(backup), "--data-dir", str(target))
    assert code == 1 and "damaged" in output and "checksum" in output, output
    assert "databases/registry.db" in output
    assert not target.exists() or not any(target.iterdir()), "nothing restored"

    (backup / "manifest.json").unlink()
    code, output = ocop_command("restore", str(backup), "--data-dir", str(target))
    assert code == 1 and "no manifest.json" in output
    code, output = ocop_command("backup", str(tmp_path / "b2"), "--data-dir",
                                str(tmp_path / "nothing"))
    assert code == 1 and "No platform data" in output
    # A distributed deployment's parts are backed up with their own tools, and told so.
    code, output = ocop_command("backup", str(tmp_path / "b3"), env={
        "OCOP_STORE_URL": "postgresql://ocop:secret-pw@db:5432/ocop",
        "OCOP_BUS_URL": "kafka://kafka:9092", "OCOP_OBJECTS_URL": "s3://key:s3-secret@s3:8333/ocop"})
    assert code == 1 and "pg_dump" in output and "mc mirror" in output, output
    assert "secret-pw" not in output and "s3-secret" not in output
