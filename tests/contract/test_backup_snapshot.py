"""``shared.platform.backup`` on real SQLite files: the copies of several databases are of
one instant, even while a writer goes on committing to them one after the other (as the
relay does: the bus, then the store's outbox mark); and a manifest naming a path outside the
backup is refused."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from shared.platform.backup import BackupRefused, backup, restore
from shared.platform.config import Settings
from tests.support.clocks import FixedClock

CLOCK = FixedClock.on(date(2026, 7, 1))


def database(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("CREATE TABLE IF NOT EXISTS counter (n INTEGER NOT NULL)")
    conn.execute("INSERT INTO counter VALUES (0)")
    return conn


def counted(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT n FROM counter").fetchone()[0])


def test_every_database_is_copied_as_it_stood_at_one_instant(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    first = database(settings.data_dir / "bus.db")
    then = database(settings.data_dir / "registry.db")
    stop = threading.Event()

    def write() -> None:  # each step commits to bus.db, then to registry.db
        n = 0
        while not stop.is_set():
            n += 1
            for conn in (first, then):
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("UPDATE counter SET n = ?", (n,))
                conn.execute("COMMIT")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for attempt in range(15):
            target = tmp_path / f"backup-{attempt}"
            taken = backup(settings, target, clock=CLOCK, key_files=())
            assert taken.taken_at == "2026-07-01T09:00:00+00:00"  # the injected clock's
            bus, registry = (counted(target / "databases" / f"{name}.db")
                             for name in ("bus", "registry"))
            # At any instant the registry is at the bus's step or one behind it. (Copied
            # one after the other, the later copy runs ahead.)
            assert bus - 1 <= registry <= bus, (attempt, bus, registry)
    finally:
        stop.set()
        writer.join()
    assert counted(settings.data_dir / "bus.db") > bus, "the writer went on meanwhile"


@pytest.mark.parametrize("path", ["../outside.db", "/etc/passwd", "databases/../../x"])
def test_a_manifest_naming_a_path_outside_the_backup_is_refused(
        make_settings: Callable[..., Settings], tmp_path: Path, path: str) -> None:
    settings = make_settings()
    database(settings.data_dir / "registry.db").close()
    target = tmp_path / "backup"
    backup(settings, target, clock=CLOCK, key_files=())
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["parts"][0]["path"] = path
    (target / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupRefused, match="not a plain relative path"):
        restore(target, make_settings(data_dir=tmp_path / "restored"))
    assert not (tmp_path / "restored").exists()


def test_a_file_that_is_not_a_database_is_refused_by_name(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "registry.db").write_text("not a database")
    with pytest.raises(BackupRefused, match=r"could not back up .*registry\.db \(file is not"):
        backup(settings, tmp_path / "backup", clock=CLOCK, key_files=())
