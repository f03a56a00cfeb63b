"""Keys that the embedded platform makes once and keeps in its data directory.

Distributed deployments pass keys through the environment instead; these files are the
one-machine default, readable by the owner only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's content; made with ``make()`` (mode 0600) if the file does not exist."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first; use theirs
            return path.read_bytes()
        with os.fdopen(fd, "wb") as out:
            out.write(make())
    return path.read_bytes()
