"""Files that only the platform's own user may read: the data directory (mode 0700), its
databases (0600, password hashes are inside) and the keys the embedded platform makes once.

Distributed deployments pass keys through the environment instead; these files are the
one-machine default.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's content; made with ``make()`` (mode 0600) if the file does not exist.

    Several processes may start at once on one data directory (replicas on one port): the
    content is written to a private temporary file first and then linked into place, which
    fails if another process got there first. A reader never sees a file half written.
    """
    if not path.exists():
        private_dir(path.parent)
        fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(make())
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another process's file stands
                os.link(draft, path)
        finally:
            os.unlink(draft)
    return path.read_bytes()


def kept_secret(path: Path) -> bytes:
    """A random secret (64 hex digits) kept in ``path``: made once, the same on every
    restart and for every service sharing the data directory."""
    return read_or_create(path, lambda: secrets.token_hex(32).encode()).strip()


def private_dir(path: Path) -> None:
    """Make ``path`` (and its parents) if missing; the directory itself is owner-only."""
    path.mkdir(parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)


def private_file(path: Path) -> None:
    """Make ``path`` empty if missing, owner-only (SQLite gives its WAL and journal files the
    database's mode); a file made world-readable by an earlier version is tightened."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
