"""Keys the embedded platform makes once, when several processes start together."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from shared.platform.keyfiles import read_or_create


def test_processes_starting_together_all_read_the_one_whole_key(tmp_path: Path) -> None:
    """Replicas started at once on one data directory race to make the key: each gets the
    same, complete content (one replica read the file while another was still writing it,
    got an empty PEM and died: "MalformedFraming")."""
    path = tmp_path / "data" / "key.pem"
    starters = 8
    together = threading.Barrier(starters)

    def start(number: int) -> bytes:
        def make() -> bytes:
            time.sleep(0.05)  # a key takes a moment to make; the others look meanwhile
            return f"key of starter {number}\n".encode()

        together.wait()
        return read_or_create(path, make)

    with ThreadPoolExecutor(starters) as pool:
        read = list(pool.map(start, range(starters)))

    assert read == [path.read_bytes()] * starters
    assert read[0].startswith(b"key of starter ")
    assert [p.name for p in path.parent.iterdir()] == ["key.pem"]  # no drafts left
    assert path.stat().st_mode & 0o777 == 0o600
