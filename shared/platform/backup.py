"""``ocop backup`` and ``ocop restore``: a consistent copy of an embedded platform's data while
it runs, and its return into an empty data directory.

What is copied is what the settings point at on this machine: each SQLite store (the four
services' and the web front's), the embedded bus (``bus.db``), the object directory, and the
keys the embedded platform keeps in the data directory (``key_files``; keys given through
the environment are not in it, and are not copied). A store on PostgreSQL or MongoDB, a
Kafka bus or an S3 bucket is named in the manifest as not included, with the tool that backs
it up (README, "Backups and restore").

**One instant for every database.** Each SQLite file is copied by SQLite's online backup
(``sqlite3.Connection.backup``, in one step), which copies the state of one read transaction
while other connections go on writing (WAL mode: writers never wait for it). Copying the
files one after the other would not be enough: the files depend on each other (a consumer's
position in ``bus.db`` moves after its store applied the event; an outbox entry is marked
sent after ``bus.db`` holds it), so a bus copied after a store could hold positions past
events whose effects that store's copy lacks, and one copied before could lack events the
store's copy says were sent. So while every database's write lock is held at once (``BEGIN
IMMEDIATE`` on each: writers wait a moment, readers do not), a read transaction is opened on
each source; the locks are released and each backup copies its source's snapshot. The copy
is the platform as it stood at that instant, as after a power cut then: the transactional
outbox sends again what was not marked sent, and each consumer's inbox drops what it had
already applied.

**Objects after the databases.** Files are written under keys of their own (an id, a
version or the content's SHA-256 in the name; one written again has the same bytes) and
never deleted, always before the row that names them is committed; so every
object a copied row names existed before the databases' instant, and is in the object
directory when it is walked after them. (Walked first, an image uploaded meanwhile could be
missing while the row naming it is copied.) Objects written after the instant are copied
too, named by nothing: harmless. A file being written is a ``.tmp-`` draft until renamed
into place, and drafts are skipped.

The manifest (``manifest.json``) lists every file with its size and SHA-256, when the copy
was taken (the injected clock) and the platform's version; ``restore`` checks every file
against it before writing anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import urlsplit

from shared.platform.clock import Clock
from shared.platform.config import FRONTS, SERVICES, Settings, redact_url
from shared.platform.keyfiles import private_dir

MANIFEST = "manifest.json"
FORMAT = 1
"""The manifest's layout; ``restore`` refuses one it does not know."""
LOCK_WAIT_SECONDS = 2.0
"""How long one attempt waits for a database's write lock; then every lock taken is let go
and the attempt made again (a platform transaction never waits on one of ours for long)."""
SNAPSHOT_DEADLINE_SECONDS = 60.0
CHUNK = 1 << 20

Kind = Literal["store", "bus", "object", "key"]


class BackupRefused(Exception):
    """Why a backup or a restore was not made; the message says what to do."""


@dataclass(frozen=True)
class Part:
    """One file of a backup: a service's store (``name``: the service), the bus, an object
    (``name``: its key) or a key file (``name``: its file name)."""

    kind: Kind
    name: str
    path: str
    """Where it is in the backup directory (POSIX, relative)."""
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    taken_at: str
    version: str
    source: str
    parts: list[Part]
    not_included: list[dict[str, str]] = field(default_factory=list)
    format: int = FORMAT
    platform: str = "ocop-platform"

    def dump(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def load(cls, text: str) -> Manifest:
        raw = json.loads(text)
        if raw.get("format") != FORMAT:
            raise BackupRefused(f"This backup's manifest has format {raw.get('format')!r}; "
                                f"this version of ocop restores format {FORMAT}.")
        return cls(taken_at=raw["taken_at"], version=raw["version"], source=raw["source"],
                   parts=[Part(**p) for p in raw["parts"]],
                   not_included=list(raw.get("not_included", [])))


def platform_version() -> str:
    try:
        return metadata.version("ocop-platform")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class Layout:
    """Where the settings put each part on this machine."""

    databases: dict[str, Path]
    """``name`` → SQLite file: each service's and front's store, and ``bus``."""
    objects: Path | None
    not_included: list[dict[str, str]]

    def destination(self, part: Part, data_dir: Path) -> Path:
        if part.kind in ("store", "bus"):
            name = "bus" if part.kind == "bus" else part.name
            if name not in self.databases:
                raise BackupRefused(
                    f"The backup holds the {_label(part)}, but the settings do not put it in "
                    "a SQLite file here: restore it with the configured server's own tool, "
                    "or unset OCOP_STORE_URL / OCOP_BUS_URL.")
            return self.databases[name]
        if part.kind == "object":
            if self.objects is None:
                raise BackupRefused("The backup holds the object directory, but the settings "
                                    "put objects in S3 here (unset OCOP_OBJECTS_URL).")
            return self.objects / _relative(part.name)
        return data_dir / _relative(part.name, single=True)


def layout(settings: Settings) -> Layout:
    databases: dict[str, Path] = {}
    skipped: list[dict[str, str]] = []
    for service in (*SERVICES, *FRONTS):
        url = settings.store_url_for(service)
        parts = urlsplit(url)
        if parts.scheme == "sqlite":
            databases[service] = Path(parts.path)
        else:
            skipped.append({"part": f"{service} store", "url": redact_url(url), "how": (
                "pg_dump --format=custom, per database" if parts.scheme.startswith("postgres")
                else "mongodump --oplog")})
    bus = urlsplit(settings.bus_url_resolved())
    if bus.scheme == "local":
        databases["bus"] = Path(bus.path)
    else:
        skipped.append({"part": "bus", "url": redact_url(settings.bus_url_resolved()),
                        "how": "Kafka keeps its own replicas; nothing to copy"})
    objects = urlsplit(settings.objects_url_resolved())
    if objects.scheme != "file":
        skipped.append({"part": "objects", "url": redact_url(settings.objects_url_resolved()),
                        "how": "mc mirror or rclone sync, after the stores"})
    return Layout(databases, Path(objects.path) if objects.scheme == "file" else None, skipped)


def present_databases(settings: Settings) -> dict[str, Path]:
    """The SQLite files of the platform that ``settings`` point at which exist."""
    return {name: path for name, path in layout(settings).databases.items() if path.is_file()}


def _label(part: Part) -> str:
    return {"store": f"{part.name} store", "bus": "bus", "object": f"object {part.name}",
            "key": f"key file {part.name}"}[part.kind]


def _relative(name: str, *, single: bool = False) -> Path:
    """A manifest's path as a relative path that stays inside its folder."""
    path = PurePosixPath(name)
    if (path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts)
            or (single and len(path.parts) != 1)):
        raise BackupRefused(f"The manifest names '{name}', which is not a plain relative "
                            "path: the backup is not one ocop made.")
    return Path(*path.parts)


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def refuse_non_empty(folder: Path, what: str) -> None:
    """Refuse a folder that exists with anything in it (or is a file)."""
    if folder.exists() and not folder.is_dir():
        raise BackupRefused(f"{folder} is a file, not a folder: give {what} an empty folder.")
    entries = _entries(folder)
    if entries:
        shown = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
        raise BackupRefused(f"{folder} is not empty ({shown}): give {what} an empty or new "
                            "folder, so nothing is overwritten or mixed in.")


# -- backup --------------------------------------------------------------------------------


def _connect(path: Path, *, busy_ms: int) -> sqlite3.Connection:
    # mode=rw: never make a database that is not there.
    conn = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout={busy_ms}")
    return conn


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _snapshot(sources: dict[str, sqlite3.Connection], paths: dict[str, Path]) -> None:
    """Open a read transaction on every source at one instant (module docstring)."""
    lockers = {name: _connect(paths[name], busy_ms=int(LOCK_WAIT_SECONDS * 1000))
               for name in sources}
    deadline = time.monotonic() + SNAPSHOT_DEADLINE_SECONDS
    try:
        while True:
            held: list[sqlite3.Connection] = []
            try:
                for conn in lockers.values():
                    conn.execute("BEGIN IMMEDIATE")
                    held.append(conn)
                for conn in sources.values():
                    conn.execute("BEGIN")  # deferred: the read below starts the snapshot
                    conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                for conn in sources.values():
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                if time.monotonic() > deadline:
                    raise BackupRefused(
                        "The databases stayed busy for a minute: a long write held one of "
                        "them. Try again.") from None
            finally:
                for conn in held:
                    conn.execute("ROLLBACK")
            time.sleep(random.uniform(0.01, 0.1))  # a pause, not a secret
    finally:
        for conn in lockers.values():
            conn.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _private_copy(source: Path, target: Path) -> tuple[int, str]:
    """Copy ``source`` to ``target`` (owner-only), hashing what was written."""
    private_dir(target.parent)
    digest, size = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with source.open("rb") as src, os.fdopen(fd, "wb") as out:
        while chunk := src.read(CHUNK):
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return size, digest.hexdigest()


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    private_dir(target.parent)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        source.backup(copy)  # one step: the whole snapshot of the source's read transaction
        # One self-contained file (no -wal beside it), checked before it is vouched for.
        copy.execute("PRAGMA journal_mode=DELETE")
        verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupRefused(f"The copy of {target.name} is damaged ({verdict}): the "
                                "source database needs repair before it can be backed up.")
    finally:
        copy.close()


def _objects(root: Path) -> Iterator[tuple[str, Path]]:
    for folder, _dirs, files in os.walk(root):
        for name in sorted(files):
            if name.startswith(".tmp-"):  # a file being written (FileObjectStore.put)
                continue
            path = Path(folder) / name
            yield path.relative_to(root).as_posix(), path


def backup(settings: Settings, target: Path, *, clock: Clock, key_files: Iterable[str],
           on_database: Callable[[str, int], None] = lambda name, size: None,
           on_object: Callable[[int], None] = lambda count: None) -> Manifest:
    """Copy the platform's data that ``settings`` point at into ``target`` (empty or new).
    ``on_database(name, bytes)`` is told as each database is copied, ``on_object(n)`` as
    objects are."""
    refuse_non_empty(target, "the backup")
    where, present = layout(settings), present_databases(settings)
    if not present and where.not_included and not where.databases:
        raise BackupRefused("Nothing here for ocop backup: " + "; ".join(
            f"the {p['part']} is at {p['url']} ({p['how']})" for p in where.not_included)
            + ". See the README, 'Backups and restore'.")
    if not present:
        raise BackupRefused(f"No platform data in {settings.data_dir.resolve()} (no SQLite "
                            "store or bus.db): give --data-dir the folder 'ocop run' uses, "
                            "or set OCOP_DATA_DIR.")
    private_dir(target)
    taken_at = clock.now().isoformat()
    parts: list[Part] = []
    sources: dict[str, sqlite3.Connection] = {}
    current = ", ".join(map(str, present.values()))
    try:
        for name, path in present.items():
            sources[name] = _connect(path, busy_ms=10_000)
        _snapshot(sources, present)
        for name, conn in sources.items():
            current = str(present[name])
            relative = f"databases/{name}.db"
            _copy_database(conn, target / relative)
            conn.execute("ROLLBACK")  # the snapshot is copied: let checkpoints go past it
            parts.append(Part("bus" if name == "bus" else "store", name, relative,
                              (target / relative).stat().st_size, _sha256(target / relative)))
            on_database(name, parts[-1].size)
    except sqlite3.DatabaseError as exc:  # not a database, unreadable, a disk error…
        raise BackupRefused(f"SQLite could not back up {current} ({exc}); the backup in "
                            f"{target} is incomplete: delete it.") from None
    finally:
        for conn in sources.values():
            conn.close()
    # After the databases: see the module's docstring.
    if where.objects is not None and where.objects.is_dir():
        for count, (key, path) in enumerate(_objects(where.objects), start=1):
            relative = f"objects/{key}"
            try:
                size, digest = _private_copy(path, target / relative)
            except FileNotFoundError:  # gone since the walk listed it: named by no row
                continue
            parts.append(Part("object", key, relative, size, digest))
            on_object(count)
    for name in key_files:
        path = settings.data_dir / name
        if path.is_file():
            relative = f"keys/{name}"
            size, digest = _private_copy(path, target / relative)
            parts.append(Part("key", name, relative, size, digest))
    manifest = Manifest(taken_at=taken_at, version=platform_version(),
                        source=str(settings.data_dir.resolve()), parts=parts,
                        not_included=where.not_included)
    _write_private(target / MANIFEST, manifest.dump().encode())
    return manifest


def _write_private(path: Path, data: bytes) -> None:
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(draft, path)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise


# -- restore -------------------------------------------------------------------------------


def read_manifest(backup_dir: Path) -> Manifest:
    try:
        text = (backup_dir / MANIFEST).read_text()
    except FileNotFoundError:
        raise BackupRefused(f"{backup_dir} holds no {MANIFEST}: it is not a backup made by "
                            "'ocop backup'.") from None
    try:
        return Manifest.load(text)
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupRefused(f"{backup_dir / MANIFEST} cannot be read ({exc}): the backup "
                            "is damaged.") from None


def verify(backup_dir: Path, manifest: Manifest) -> None:
    """Every file the manifest lists is there with its size and SHA-256."""
    damaged: list[str] = []
    for part in manifest.parts:
        path = backup_dir / _relative(part.path)
        if not path.is_file():
            damaged.append(f"{part.path}: missing")
        elif path.stat().st_size != part.size:
            damaged.append(f"{part.path}: {path.stat().st_size} bytes, the manifest says "
                           f"{part.size}")
        elif _sha256(path) != part.sha256:
            damaged.append(f"{part.path}: checksum (SHA-256) differs from the manifest's")
    if damaged:
        shown = "; ".join(damaged[:5]) + (f"; and {len(damaged) - 5} more"
                                          if len(damaged) > 5 else "")
        raise BackupRefused(f"The backup in {backup_dir} is damaged, so nothing was "
                            f"restored: {shown}.")


def restore(backup_dir: Path, settings: Settings,
            on_part: Callable[[Part], None] = lambda part: None) -> Manifest:
    """Bring the backup in ``backup_dir`` back where ``settings`` put each part; the data
    directory (and every file to be written) must not exist yet or be empty."""
    manifest = read_manifest(backup_dir)
    where = layout(settings)
    destinations = [(part, where.destination(part, settings.data_dir))
                    for part in manifest.parts]
    refuse_non_empty(settings.data_dir, "the restore (--data-dir)")
    taken = [str(path) for _part, path in destinations if path.exists()]
    if taken:
        raise BackupRefused(f"{taken[0]} exists already: restore into an empty data "
                            "directory, with stores nowhere else.")
    verify(backup_dir, manifest)
    private_dir(settings.data_dir)
    for part, path in destinations:
        draft = path.with_name(f".tmp-{path.name}")
        size, digest = _private_copy(backup_dir / _relative(part.path), draft)
        if (size, digest) != (part.size, part.sha256):  # changed since it was verified
            draft.unlink()
            raise BackupRefused(f"{part.path} changed while it was restored; the restore in "
                                f"{settings.data_dir} is incomplete: empty it and try again.")
        os.replace(draft, path)
        on_part(part)
    return manifest
