"""Files that only the platform's own user may read: the data directory (mode 0700), its
databases (0600, password hashes are inside) and the keys the embedded platform makes once.

Distributed deployments pass keys through the environment instead; these files are the
one-machine default.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's content; made with ``make()`` (mode 0600) if the file does not exist."""
    if not path.exists():
        private_dir(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first; use theirs
            return path.read_bytes()
        with os.fdopen(fd, "wb") as out:
            out.write(make())
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
